/**
 * The full-timeline section of the run report: every timeline entry in a
 * folded table; a timeline longer than MAX_LOG_ROWS shows its first and last
 * entries and every fleet-wide one, the entries left out counted by kind
 * where they were.
 *
 * @example
 *   const html = fullTimelineSection(ctx); // <section id="log">…</section>
 */
import type { TimelineEntry } from '../twin/index.ts';
import { escapeHtml } from './escape.ts';
import { formatInt } from './format.ts';
import { compareText, parseAt, section, timeHtml, type RunContext } from './run-context.ts';

/**
 * Rows of the full-timeline table: a longer timeline shows its first and last
 * MAX_LOG_ROWS / 2 entries and every fleet-wide entry, with the entries left
 * out counted by kind where they were (the JSON report has them all).
 */
export const MAX_LOG_ROWS = 2000;

export function fullTimelineSection(ctx: RunContext): string {
  const entries = ctx.report.timeline;
  if (entries.length === 0) return section('log', 'Full timeline', '<p class="empty">No timeline entries.</p>');
  const seconds = entries.some((e) => (parseAt(e.at) ?? 0) % 60_000 !== 0);
  const row = (e: TimelineEntry): string => {
    const cluster = e.cluster === null ? '<span class="never">fleet</span>' : escapeHtml(e.cluster);
    const badge = e.repeats === undefined ? '' : ` <span class="repeats" title="${e.repeats.firings} firings, ${e.repeats.resolutions} resolutions">×${formatInt(e.repeats.firings)}</span>`;
    return `<tr><td><span class="kind k-${e.kind.replace(/[^a-z-]/g, '')}">${escapeHtml(e.kind)}</span></td><td>${timeHtml(ctx, e.at, e.at, seconds)}</td><td class="name">${cluster}</td><td>${escapeHtml(e.message)}${badge}</td></tr>`;
  };
  const rows: string[] = [];
  let summary: string;
  if (entries.length <= MAX_LOG_ROWS) {
    for (const e of entries) rows.push(row(e));
    summary = `Show all ${formatInt(entries.length)} entries`;
  } else {
    // The first and last entries, and every fleet-wide one between them; what is left out is counted where it was.
    const head = MAX_LOG_ROWS / 2;
    const tail = entries.length - MAX_LOG_ROWS / 2;
    let skipped: TimelineEntry[] = [];
    const gap = (): void => {
      if (skipped.length === 0) return;
      rows.push(`<tr class="gap"><td colspan="4">${gapText(ctx, skipped, seconds)}</td></tr>`);
      skipped = [];
    };
    let shown = 0;
    entries.forEach((e, i) => {
      if (i < head || i >= tail || e.cluster === null) {
        gap();
        rows.push(row(e));
        shown++;
      } else skipped.push(e);
    });
    gap();
    summary = `Show ${formatInt(shown)} of ${formatInt(entries.length)} entries (the first and last ${formatInt(head)}, and every fleet-wide one; the JSON report has them all)`;
  }
  const body = [
    `<details><summary>${summary}</summary>`,
    '<div class="table-wrap"><table class="compact">',
    '<thead><tr><th>Kind</th><th>Time</th><th>Cluster</th><th>Message</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div></details>',
  ].join('\n');
  return section('log', 'Full timeline', body);
}

/** The entries a long timeline leaves out at one place: how many, of which kinds, over which span, on how many clusters. */
function gapText(ctx: RunContext, skipped: readonly TimelineEntry[], seconds: boolean): string {
  const byKind = new Map<string, number>();
  const clusters = new Set<string>();
  for (const e of skipped) {
    byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    if (e.cluster !== null) clusters.add(e.cluster);
  }
  const kinds = [...byKind].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([k, n]) => `${formatInt(n)} ${escapeHtml(k)}`);
  const first = skipped[0] as TimelineEntry;
  const last = skipped[skipped.length - 1] as TimelineEntry;
  return `… ${formatInt(skipped.length)} entries not shown, ${timeHtml(ctx, first.at, first.at, seconds)} to ${timeHtml(ctx, last.at, last.at, seconds)} on ${formatInt(clusters.size)} clusters: ${kinds.join(', ')}`;
}
