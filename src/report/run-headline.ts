/**
 * The top of the run report: the header (scenario, time span, zone, seed,
 * fleet size), the verdict in plain sentences — every claim following from a
 * figure of the report — and the strip of headline numbers.
 *
 * @example
 *   [header(ctx, title), verdict(ctx), kpiStrip(ctx)].join('\n');
 */
import { formatClock, formatIso } from '../core/time.ts';
import { escapeHtml } from './escape.ts';
import { formatAvailability, formatDuration, formatInt, formatPercent } from './format.ts';
import { clock, IMPACT_THRESHOLD, localDay, parseAt, timeHtml, type RunContext } from './run-context.ts';

export function header(ctx: RunContext, title: string): string {
  const s = ctx.report.scenario;
  const { startMs, endMs } = ctx.frame;
  const startIso = formatIso(startMs, ctx.zone);
  const offset = startIso.slice(19);
  const endDay = localDay(endMs, ctx.zone);
  const end = endDay === localDay(startMs, ctx.zone) ? formatClock(endMs, ctx.zone) : `${endDay} ${formatClock(endMs, ctx.zone)}`;
  const meta = [
    `<span title="${startIso} – ${formatIso(endMs, ctx.zone)}">${startIso.slice(0, 10)} ${formatClock(startMs, ctx.zone)} – ${end}</span>`,
    `${escapeHtml(s.timeZone)} (UTC${offset})`,
    formatDuration(endMs - startMs),
    `step ${formatDuration(s.stepSeconds * 1000)}`,
    `seed ${ctx.report.seed}`,
    `${formatInt(ctx.report.fleet.clusters)} clusters, ${formatInt(ctx.report.fleet.nodes)} nodes`,
  ];
  return [
    '<header>',
    '<p class="kicker">firebreak · fleet twin run</p>',
    `<h1>${escapeHtml(title)}</h1>`,
    s.description === '' ? '' : `<p class="description">${escapeHtml(s.description)}</p>`,
    `<p class="meta">${meta.join(' <span class="sep">·</span> ')}</p>`,
    '</header>',
  ].join('\n');
}

/**
 * Plain sentences on what happened to customers, control planes and the rest
 * of the fleet. Every claim follows from a figure of the report: "full
 * recovery" only when `fullRecoveryAt` says so; otherwise what is still wrong at
 * the end of the run, in words.
 */
export function verdict(ctx: RunContext): string {
  const f = ctx.report.fleet;
  const impactAt = parseAt(f.firstCustomerImpactAt);
  const lostText =
    f.clustersLost === 0
      ? 'no cluster lost its control plane'
      : `${formatInt(f.clustersLost)} of ${formatInt(f.clusters)} clusters lost their control plane`;
  const endText = stillWrong(ctx);
  if (impactAt === null) {
    const cls = f.clustersLost === 0 && endText === null ? 'ok' : 'warn';
    const tail = endText === null ? '' : ` At the end of the run ${endText}.`;
    return `<p class="verdict ${cls}"><strong>No customer impact.</strong> The fleet error rate stayed below ${formatPercent(IMPACT_THRESHOLD)} (peak ${formatPercent(f.peakErrorRate)}), and ${lostText}.${tail}</p>`;
  }
  const maxAt = parseAt(f.maxImpactAt);
  const recovered = parseAt(f.fullRecoveryAt);
  const planes = parseAt(f.controlPlanesRecoveredAt);
  const peak = maxAt === null ? formatPercent(f.peakErrorRate) : `${formatPercent(f.peakErrorRate)} at ${clock(ctx, maxAt)}`;
  let end: string;
  if (recovered !== null) {
    const cp = planes === null || planes === recovered ? '' : ` (every lost control plane back at ${clock(ctx, planes)})`;
    end = `full recovery came at ${clock(ctx, recovered)}${cp}, ${formatDuration(recovered - impactAt)} after impact began`;
  } else {
    const cp = planes === null ? '' : `control planes recovered at ${clock(ctx, planes)}, but `;
    end = `${cp}the fleet had <strong>not fully recovered</strong> by the end of the run${endText === null ? '' : `: ${endText}`}`;
  }
  return `<p class="verdict bad"><strong>Customers were affected.</strong> The fleet error rate crossed ${formatPercent(IMPACT_THRESHOLD)} at ${clock(ctx, impactAt)} and peaked at ${peak}; ${lostText}; ${end}.</p>`;
}

/** What is still wrong at the end of the run, in words (null: nothing). */
function stillWrong(ctx: RunContext): string | null {
  const e = ctx.report.fleet.atEnd;
  const parts: string[] = [];
  if (e.controlPlanesLost > 0) parts.push(`${formatInt(e.controlPlanesLost)} control ${e.controlPlanesLost === 1 ? 'plane is' : 'planes are'} still lost`);
  const degraded = e.clustersDegraded - e.controlPlanesLost;
  if (degraded > 0) {
    const withChange =
      e.degradedWithChange === 0
        ? ''
        : e.degradedWithChange >= e.clustersDegraded
          ? ': the change is still deployed there'
          : `; the change is still deployed on ${formatInt(e.degradedWithChange)} of them`;
    parts.push(`${formatInt(degraded)} ${e.controlPlanesLost > 0 ? 'more ' : ''}${degraded === 1 ? 'cluster is' : 'clusters are'} still degraded${withChange}`);
  }
  if (e.alertsFiring > 0) parts.push(`${formatInt(e.alertsFiring)} ${e.alertsFiring === 1 ? 'alert is' : 'alerts are'} still firing`);
  return parts.length === 0 ? null : parts.join('; ');
}

export function kpiStrip(ctx: RunContext): string {
  const f = ctx.report.fleet;
  const cards = [
    timeKpi(ctx, 'First alert', f.firstAlertAt, 'no alert fired'),
    timeKpi(ctx, 'Customer impact', f.firstCustomerImpactAt, 'none'),
    timeKpi(ctx, 'Max impact', f.maxImpactAt, 'none'),
    timeKpi(ctx, 'Control planes back', f.controlPlanesRecoveredAt, f.clustersLost === 0 ? 'none lost' : 'not all back'),
    timeKpi(ctx, 'Full recovery', f.fullRecoveryAt, f.firstCustomerImpactAt === null && f.clustersLost === 0 ? 'not needed' : 'not recovered'),
    kpi('Peak error rate', formatPercent(f.peakErrorRate), 'fleet, 1-minute', f.peakErrorRate >= IMPACT_THRESHOLD ? 'bad' : ''),
    kpi('Availability', formatAvailability(f.availability), 'customer requests served', f.availability < 1 - IMPACT_THRESHOLD ? 'bad' : ''),
    kpi('Clusters lost', `${formatInt(f.clustersLost)} / ${formatInt(f.clusters)}`, 'control planes', f.clustersLost > 0 ? 'bad' : ''),
  ];
  return `<dl class="kpis">\n${cards.join('\n')}\n</dl>`;
}

function kpi(label: string, valueHtml: string, note: string, cls = ''): string {
  return `<div class="kpi${cls === '' ? '' : ` ${cls}`}"><dt>${escapeHtml(label)}</dt><dd>${valueHtml}</dd><dd class="note">${escapeHtml(note)}</dd></div>`;
}

function timeKpi(ctx: RunContext, label: string, at: string | null, never: string): string {
  const ms = parseAt(at);
  const note = ms === null ? '' : `${formatDuration(ms - ctx.frame.startMs)} after start`;
  return kpi(label, timeHtml(ctx, at, never), note);
}
