/**
 * The rollout's sections of a rehearsal's HTML report, appended to the twin's
 * report through `renderRunReport(…, { extraSections })`: a verdict, the
 * waves and node batches on the same time axis as the twin's charts (with
 * the halt, the rollback and the first SLO breach marked), why the rollout
 * stopped (the gate and its figures), the rehearsal next to the scenario's
 * naive pipeline (with --compare), and the waves table.
 *
 * Deterministic like the rest of the report: same result, same HTML.
 *
 * @example
 *   const html = await renderRunReport(report, series, { extraSections: await rolloutSections(result, report) });
 */
import { formatClock, formatIso } from '../core/time.ts';
import type { RehearsalResult } from '../orchestrator/report-types.ts';
import type { FleetReport, RunReport } from '../twin/index.ts';
import { COLORS, timelineChart, type Moment, type TimelineBar, type TimelineLane, type TimelineTick } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { formatAvailability, formatDuration, formatInt, formatPercent } from './format.ts';
import type { ReportSection } from './html.ts';

const WAVE_COLORS = { completed: '#1f7a4d', halted: '#b4232f', 'in-progress': '#a15c00', 'not-started': '#9ca3af' } as const;
/** Clusters given a row of their own on the batches lane; the others are summed up in the caption. */
const MAX_BATCH_ROWS = 14;

function ms(at: string | null): number | null {
  if (at === null) return null;
  const t = Date.parse(at);
  return Number.isNaN(t) ? null : t;
}

/**
 * The twin's run report of a rehearsal, described as one: the scenario's own
 * description tells its naive pipeline, which a rehearsal replaces.
 */
export function rehearsalRunReport(r: RehearsalResult, report: RunReport): RunReport {
  const what = `Rehearsal of plan ${r.plan}: the scenario's change rolled out by the firebreak orchestrator instead of the scenario's own pipeline, without its operators.`;
  return { ...report, scenario: { ...report.scenario, description: report.scenario.description === '' ? what : `${what} The scenario: ${report.scenario.description}` } };
}

/** The rollout sections for a rehearsal result. */
export async function rolloutSections(r: RehearsalResult, report: RunReport): Promise<ReportSection[]> {
  const zone = report.scenario.timeZone;
  const frame = { startMs: Date.parse(report.scenario.start), endMs: Date.parse(report.scenario.end), zone };
  const clock = (at: string | null): string => {
    const t = ms(at);
    return t === null ? '—' : `<time datetime="${escapeHtml(formatIso(t, zone))}">${escapeHtml(formatClock(t, zone))}</time>`;
  };
  const sections: ReportSection[] = [];

  // Verdict.
  const verdict =
    r.outcome === 'completed'
      ? `<p class="verdict ok"><strong>Rollout completed.</strong> Plan <code>${escapeHtml(r.plan)}</code> took the change through all ${r.waves.length} waves (${formatInt(r.clustersChanged)} clusters) with every gate green; ${r.clustersImpacted === 0 ? 'no customer impact' : `${formatInt(r.clustersImpacted)} clusters with customer impact`}.</p>`
      : r.outcome === 'halted' || r.outcome === 'aborted'
        ? `<p class="verdict ${r.clustersImpacted === 0 ? 'warn' : 'bad'}"><strong>Rollout ${r.outcome} at ${clock(r.haltedAt)} in wave ${r.haltedInWave ?? '—'}.</strong> ${escapeHtml(r.haltReason?.message ?? '')}. ${formatInt(r.clustersChanged)} cluster(s) had the change; rollback ${r.rollbackCompletedAt === null ? '<strong>did not complete</strong>' : `complete at ${clock(r.rollbackCompletedAt)} (${formatDuration((r.rollbackSeconds ?? 0) * 1000)})`}; ${r.clustersImpacted === 0 ? 'no customer impact' : `${formatInt(r.clustersImpacted)} cluster(s) with customer impact`}.</p>`
        : `<p class="verdict warn"><strong>Rollout still ${escapeHtml(r.phase)} at the end of the run.</strong>${r.incomplete === null ? '' : ` ${escapeHtml(r.incomplete.message)}${r.incomplete.next === null ? '' : `; <code>firebreak rollout ${r.incomplete.next}</code> and the same rehearsal run again continue it`}.`}</p>`;
  const breachMs = ms(r.firstSloBreachAt);
  const detectionNote = r.detectionSeconds === null ? 'no halt' : breachMs === null || breachMs > (ms(r.haltedAt) ?? 0) ? 'halted before any SLO breach' : 'first SLO breach → halt';
  const kpis: [string, string, string][] = [
    ['Outcome', escapeHtml(r.outcome), r.haltedInWave === null ? `${r.waves.length} waves` : `in wave ${r.haltedInWave} of ${r.waves.length}`],
    ['Detection', r.detectionSeconds === null ? '—' : `${r.detectionSeconds} s`, detectionNote],
    ['First SLO breach', clock(r.firstSloBreachAt), 'in a changed cluster'],
    ['Clusters changed', formatInt(r.clustersChanged), `of ${formatInt(r.fleet.clusters)}`],
    ['Clusters impacted', formatInt(r.clustersImpacted), 'customer errors ≥ 1 %'],
    ['Rollback', r.rollbackSeconds === null ? '—' : formatDuration(r.rollbackSeconds * 1000), 'halt → clean'],
    ['API share (peak)', formatPercent(r.orchestratorApiShare), "of a cluster's requests"],
  ];
  const kpiHtml = kpis.map(([k, v, note]) => `<div class="kpi"><dt>${escapeHtml(k)}</dt><dd>${v}</dd><dd class="note">${escapeHtml(note)}</dd></div>`).join('\n');
  sections.push({ title: 'Rollout rehearsal', html: `${verdict}\n<dl class="kpis">\n${kpiHtml}\n</dl>` });

  // Waves and node batches on the run's time axis.
  const endMs = frame.endMs;
  const waveRows = r.waves.map((w) => `wave ${w.wave} (${w.clusters.length})`);
  const bars: TimelineBar[] = r.waves.flatMap((w, i) => {
    const from = ms(w.startedAt);
    if (from === null) return [];
    const to = ms(w.endedAt) ?? endMs;
    return [{ fromMs: from, toMs: Math.max(to, from + 1000), row: waveRows[i] ?? '', color: WAVE_COLORS[w.outcome], label: `wave ${w.wave} (${w.name}): ${w.outcome}, ${w.clusters.length} clusters, ${formatClock(from, zone)}–${w.endedAt === null ? 'end' : formatClock(to, zone)}`, open: w.endedAt === null }];
  });
  const order: string[] = [];
  for (const a of r.applies) if (!order.includes(a.cluster)) order.push(a.cluster);
  const shown = order.slice(0, MAX_BATCH_ROWS);
  const ticks: TimelineTick[] = r.applies
    .filter((a) => shown.includes(a.cluster))
    .flatMap((a) => {
      const t = ms(a.at);
      return t === null ? [] : [{ atMs: t, row: a.cluster, color: COLORS.fleet, label: `${a.cluster}: batch ${a.batch} (${formatInt(a.nodes)} nodes) at ${formatClock(t, zone)}` }];
    });
  const moments: Moment[] = [];
  const mark = (at: string | null, label: string): void => {
    const t = ms(at);
    if (t !== null) moments.push({ atMs: t, label: `${label} ${formatClock(t, zone)}` });
  };
  mark(r.firstSloBreachAt, 'first SLO breach');
  mark(r.haltedAt, r.outcome === 'aborted' ? 'abort' : 'halt');
  mark(r.rollbackCompletedAt, 'rolled back');
  mark(r.completedAt, 'rollout complete');
  const lanes: TimelineLane[] = [
    { type: 'bars', title: 'Waves', rows: waveRows, bars },
    { type: 'ticks', title: shown.length < order.length ? `Node batches applied (first ${shown.length} of ${order.length} clusters)` : 'Node batches applied', rows: shown, ticks },
  ];
  const svg = await timelineChart({
    id: 'chart-rollout',
    title: 'Rollout waves and node batches',
    description: 'Each wave as a bar from its start to its end, coloured by outcome, and each node batch applied per cluster, on the same time axis as the twin charts above.',
    frame,
    lanes,
    moments,
  });
  const legend = Object.entries(WAVE_COLORS)
    .map(([k, c]) => `<li><span class="swatch" style="background:${c}"></span>${escapeHtml(k)}</li>`)
    .join('');
  sections.push({
    title: 'Waves on the timeline',
    html: `<figure class="chart wide">${svg}<figcaption>Times in ${escapeHtml(zone)}; same axis as the incident timeline above. <ul class="legend">${legend}</ul></figcaption></figure>`,
  });

  // Why it stopped.
  if (r.haltReason !== null) {
    const h = r.haltReason;
    const f = h.figures;
    const rows: [string, string][] = [
      ['stopped by', h.by],
      ['gate', h.gate ?? '—'],
      ['cluster', h.cluster ?? '—'],
      ['wave / node batch', `${h.wave} / ${h.batch ?? '—'}`],
    ];
    if (f !== null) {
      rows.push(['series', f.series], ['verdict', `${f.verdict} (${f.reason})`], ['value now', String(f.value ?? '—')], ['before the change', String(f.before ?? '—')], ['baseline now', `${f.baselineValue ?? '—'} (${f.baselineClusters} clusters)`]);
      if (f.threshold !== null) rows.push(['threshold', String(f.threshold)]);
      if (f.effect !== null) rows.push(['worsening beyond the baseline', `${f.effect} (allowed ${f.allowed ?? '—'})`]);
      if (f.p !== null) rows.push(['Mann-Whitney U p-value', `${f.p} (${f.canarySamples} canary vs ${f.baselineSamples} baseline samples)`]);
    }
    const table = `<div class="table-wrap"><table class="compact"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table></div>`;
    sections.push({ title: 'Why the rollout stopped', html: `<p>${escapeHtml(h.message)}</p>\n${table}` });
  }

  // Side by side with the naive pipeline.
  if (r.baseline !== undefined) {
    const row = (label: string, f: (x: FleetReport) => string): string => `<tr><th>${escapeHtml(label)}</th><td>${f(r.fleet)}</td><td>${f(r.baseline as FleetReport)}</td></tr>`;
    const table = [
      '<div class="table-wrap"><table>',
      `<thead><tr><th></th><th>firebreak (${escapeHtml(r.plan)})</th><th>the scenario's naive pipeline</th></tr></thead><tbody>`,
      row('availability', (x) => formatAvailability(x.availability)),
      row('peak fleet error rate', (x) => formatPercent(x.peakErrorRate)),
      row('control planes lost', (x) => formatInt(x.clustersLost)),
      row('first customer impact', (x) => clock(x.firstCustomerImpactAt)),
      row('first alert', (x) => clock(x.firstAlertAt)),
      row('full recovery', (x) => clock(x.fullRecoveryAt)),
      '</tbody></table></div>',
    ].join('\n');
    sections.push({ title: 'firebreak vs the naive pipeline', html: table });
  }

  // Waves table.
  const waveTable = [
    '<div class="table-wrap"><table class="compact">',
    '<thead><tr><th class="num">Wave</th><th>Outcome</th><th>Started</th><th>Ended</th><th class="num">Clusters</th><th>First clusters</th></tr></thead><tbody>',
    ...r.waves.map(
      (w) =>
        `<tr><td class="num">${w.wave}</td><td><span class="swatch" style="background:${WAVE_COLORS[w.outcome]}"></span>${escapeHtml(w.outcome)}</td><td>${clock(w.startedAt)}</td><td>${clock(w.endedAt)}</td><td class="num">${formatInt(w.clusters.length)}</td><td class="name">${escapeHtml(w.clusters.slice(0, 6).join(', '))}${w.clusters.length > 6 ? ', …' : ''}</td></tr>`,
    ),
    '</tbody></table></div>',
  ].join('\n');
  const unavailable = r.gatesUnavailable.length === 0 ? '' : `<p class="rest">Gates the metric source could not serve (reported, not silently skipped): ${r.gatesUnavailable.map((g) => `${escapeHtml(g.gate)} (${escapeHtml(g.metric)})`).join(', ')}.</p>`;
  sections.push({ title: 'Waves', html: `${waveTable}\n${unavailable}` });
  return sections;
}
