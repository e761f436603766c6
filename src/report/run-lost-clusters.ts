/**
 * The lost-clusters section of the run report: a table of the clusters that
 * lost their control plane, largest first (the largest MAX_LOST_ROWS listed,
 * the rest counted), and one line about the clusters that kept theirs.
 *
 * @example
 *   const html = lostClustersSection(ctx); // <section id="lost">…</section>
 */
import { SIZE_CLASSES, type SizeClass } from '../model/fleet.ts';
import type { ClusterReport } from '../twin/index.ts';
import { SIZE_CLASS_COLORS } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration, formatInt, formatPercent } from './format.ts';
import { parseAt, section, timeHtml, type RunContext } from './run-context.ts';

/** Rows of the lost-clusters table (largest first); the rest are counted below it. */
export const MAX_LOST_ROWS = 250;

export function lostClustersSection(ctx: RunContext): string {
  const rest = restSummary(ctx);
  if (ctx.lost.length === 0) {
    return section('lost', 'Clusters that lost their control plane', `<p class="empty">None: every control plane stayed up.</p>\n${rest}`);
  }
  const shown = ctx.lost.slice(0, MAX_LOST_ROWS);
  const rows = shown.map((c) => lostRow(ctx, c));
  const hidden = ctx.lost.slice(MAX_LOST_ROWS);
  if (hidden.length > 0) rows.push(`<tr class="more"><td colspan="9">${moreLost(hidden)}</td></tr>`);
  const table = [
    '<div class="table-wrap"><table>',
    '<thead><tr><th>Cluster</th><th>Size</th><th class="num">Nodes</th><th>Lost</th><th>Recovered</th><th class="num">Outage</th><th class="num">API restarts (OOM / injected)</th><th class="num">Min API success</th><th class="num">Peak data-plane errors</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
  ].join('\n');
  const intro = hidden.length === 0 ? 'Largest first.' : `Largest first; the ${formatInt(shown.length)} largest are listed, the other ${formatInt(hidden.length)} counted below (the JSON report lists every cluster).`;
  return section('lost', `Clusters that lost their control plane (${formatInt(ctx.lost.length)})`, `${table}\n${rest}`, intro);
}

function lostRow(ctx: RunContext, c: ClusterReport): string {
  const lost = parseAt(c.controlPlane.lostAt);
  const rec = parseAt(c.controlPlane.recoveredAt);
  const outage = lost === null ? '—' : rec === null ? `≥ ${formatDuration(ctx.frame.endMs - lost)}` : formatDuration(rec - lost);
  const cells = [
    `<td class="name">${escapeHtml(c.name)}</td>`,
    `<td>${sizeTag(c.sizeClass)}</td>`,
    `<td class="num">${formatInt(c.nodes)}</td>`,
    `<td>${timeHtml(ctx, c.controlPlane.lostAt)}</td>`,
    `<td>${timeHtml(ctx, c.controlPlane.recoveredAt, 'not recovered')}</td>`,
    `<td class="num">${outage}</td>`,
    `<td class="num">${restarts(c)}</td>`,
    `<td class="num">${formatPercent(c.controlPlane.minSuccessRatio)}</td>`,
    `<td class="num">${formatPercent(c.dataPlane.peakErrorRate)}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

/** One line for the lost clusters not listed: how many, of which sizes, how many never recovered. */
function moreLost(hidden: readonly ClusterReport[]): string {
  const counts = SIZE_CLASSES.flatMap((s) => {
    const n = hidden.filter((c) => c.sizeClass === s).length;
    return n === 0 ? [] : [`${formatInt(n)} ${s}`];
  });
  const open = hidden.filter((c) => c.controlPlane.recoveredAt === null).length;
  const nodes = hidden.map((c) => c.nodes);
  return `and ${formatInt(hidden.length)} more (${counts.join(', ')}; ${formatInt(Math.min(...nodes))}–${formatInt(Math.max(...nodes))} nodes), ${formatInt(open)} of them not recovered by the end of the run`;
}

/** API server restarts, with their causes when any was not an OOM kill: `12`, `14 (12 / 2)`. */
function restarts(c: ClusterReport): string {
  const cp = c.controlPlane;
  if (cp.apiServerRestarts === cp.apiServerOomKills) return formatInt(cp.apiServerRestarts);
  return `${formatInt(cp.apiServerRestarts)} (${formatInt(cp.apiServerOomKills)} / ${formatInt(cp.apiServerInjectedKills)})`;
}

function sizeTag(c: SizeClass): string {
  return `<span class="size"><span class="swatch" style="background:${SIZE_CLASS_COLORS[c]}"></span>${c}</span>`;
}

/** One line about the clusters that kept their control plane. */
function restSummary(ctx: RunContext): string {
  const rest = ctx.report.clusters.filter((c) => c.controlPlane.lostAt === null);
  if (rest.length === 0) return ctx.report.clusters.length === 0 ? '' : '<p class="rest">Every cluster lost its control plane.</p>';
  const counts = SIZE_CLASSES.flatMap((s) => {
    const n = rest.filter((c) => c.sizeClass === s).length;
    return n === 0 ? [] : [`${formatInt(n)} ${s}`];
  });
  const peak = Math.max(...rest.map((c) => c.dataPlane.peakErrorRate));
  const restarts = rest.reduce((sum, c) => sum + c.controlPlane.apiServerRestarts, 0);
  const oom = rest.reduce((sum, c) => sum + c.controlPlane.apiServerOomKills, 0);
  const injected = rest.reduce((sum, c) => sum + c.controlPlane.apiServerInjectedKills, 0);
  const causes = restarts === oom ? '' : ` (${formatInt(oom)} OOM kills, ${formatInt(injected)} by injected faults)`;
  return `<p class="rest">Kept their control plane: ${formatInt(rest.length)} clusters (${counts.join(', ')}); highest data-plane error rate among them ${formatPercent(peak)}, ${formatInt(restarts)} API server restarts in all${causes}.</p>`;
}
