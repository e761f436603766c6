/**
 * The incident timeline section of the run report: swim lanes for the change
 * applied per cluster, the first firing of each alert rule, clusters without
 * a control plane (a bar each, or their count over time when there are many),
 * the fleet's customer error rate and operator actions, with the key moments.
 *
 * @example
 *   const html = await timelineSection(ctx); // <section id="timeline">…</section>
 */
import { SIZE_CLASSES } from '../model/fleet.ts';
import type { TimelineEntry } from '../twin/index.ts';
import { COLORS, SIZE_CLASS_COLORS, timelineChart, type TimelineLane, type TimelineTick } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration, formatInt, formatPercent } from './format.ts';
import { sizeLegend } from './run-charts.ts';
import { clock, figure, IMPACT_THRESHOLD, parseAt, section, type RunContext } from './run-context.ts';

/** Above this many lost clusters the timeline shows their count over time instead of one bar each. */
export const MAX_CLUSTER_BARS = 40;

export async function timelineSection(ctx: RunContext): Promise<string> {
  const lanes: TimelineLane[] = [changeLane(ctx), alertLane(ctx), controlPlaneLane(ctx), impactLane(ctx), operatorLane(ctx)];
  const svg = await timelineChart({
    id: 'chart-timeline',
    title: 'Incident timeline',
    description:
      'Swim lanes over time: the change applied per cluster, first firing of each alert, clusters without a control plane, the fleet customer error rate and operator actions, with the key moments marked.',
    frame: ctx.frame,
    lanes,
    moments: ctx.moments,
  });
  const caption = `Times in ${escapeHtml(ctx.zone)}. Hover a mark for details. ${sizeLegend(ctx, SIZE_CLASSES.filter((c) => ctx.report.clusters.some((k) => k.sizeClass === c)), 'report')}`;
  return section('timeline', 'Incident timeline', figure(svg, caption, true));
}

function changeLane(ctx: RunContext): TimelineLane {
  const ticks: TimelineTick[] = [];
  for (const c of ctx.report.clusters) {
    const at = parseAt(c.changeAppliedAt);
    if (at === null) continue;
    ticks.push({ atMs: at, row: c.sizeClass, color: SIZE_CLASS_COLORS[c.sizeClass], label: `${c.name} (${c.sizeClass}, ${formatInt(c.nodes)} nodes): change applied ${clock(ctx, at)}` });
  }
  const fleetWide = entriesOf(ctx, 'change').filter((e) => e.cluster === null);
  for (const e of fleetWide) ticks.push(entryTick(ctx, e, 'fleet', COLORS.fleet));
  const rows = [...(fleetWide.length > 0 ? ['fleet'] : []), ...SIZE_CLASSES.filter((s) => ticks.some((t) => t.row === s))];
  return { type: 'ticks', title: ticks.length === 0 ? 'Change applied (none)' : 'Change applied', rows, ticks };
}

/**
 * First firing of each alert rule. The rule is the first word of the alert
 * message (`KubeAPIDown firing on …`); entries mentioning "resolved" are not
 * firings.
 */
function alertLane(ctx: RunContext): TimelineLane {
  const first = new Map<string, { entry: TimelineEntry; count: number }>();
  const alerts = entriesOf(ctx, 'alert');
  // An alert that flapped on a cluster is one entry with its counts (`repeats`) beside its first
  // firing and last transition: count its firings from there, not from the entries.
  const repeated = new Map<string, number>();
  for (const e of alerts) if (e.repeats !== undefined) repeated.set(`${e.cluster ?? ''}\u0000${e.repeats.rule}`, e.repeats.firings);
  const counted = new Set<string>();
  for (const e of alerts) {
    if (e.repeats !== undefined || /\bresolved\b/i.test(e.message)) continue;
    const rule = alertRule(e.message);
    const key = `${e.cluster ?? ''}\u0000${rule}`;
    const firings = repeated.get(key);
    let add = 1;
    if (firings !== undefined) {
      if (counted.has(key)) continue;
      counted.add(key);
      add = firings;
    }
    const seen = first.get(rule);
    if (seen === undefined) first.set(rule, { entry: e, count: add });
    else seen.count += add;
  }
  const ticks = [...first].map(([rule, { entry, count }]) => {
    const more = count > 1 ? ` (${count - 1} more firings)` : '';
    return entryTick(ctx, entry, rule, COLORS.alert, more);
  });
  const title = ticks.length === 0 ? 'Alerts (none fired)' : 'Alerts (first firing per rule)';
  return { type: 'ticks', title, rows: [...first.keys()], ticks };
}

/** The rule an alert message is about: its first word, without trailing punctuation. */
export function alertRule(message: string): string {
  return (message.trim().split(/\s+/)[0] ?? '').replace(/[:,.;]+$/, '') || 'alert';
}

function controlPlaneLane(ctx: RunContext): TimelineLane {
  if (ctx.lost.length > MAX_CLUSTER_BARS) {
    return {
      type: 'area',
      title: `Control plane lost (${formatInt(ctx.lost.length)} clusters; count over time)`,
      t: ctx.series.t,
      values: ctx.series.clustersLost,
      color: COLORS.operator,
      yFormat: 'count',
    };
  }
  const bars = ctx.lost.map((c) => {
    const from = parseAt(c.controlPlane.lostAt) ?? ctx.frame.startMs;
    const rec = parseAt(c.controlPlane.recoveredAt);
    const until = rec === null ? 'not recovered by the end of the run' : `recovered ${clock(ctx, rec)} (${formatDuration(rec - from)})`;
    return {
      fromMs: from,
      toMs: rec ?? ctx.frame.endMs,
      row: c.name,
      color: SIZE_CLASS_COLORS[c.sizeClass],
      label: `${c.name} (${c.sizeClass}, ${formatInt(c.nodes)} nodes): control plane lost ${clock(ctx, from)}, ${until}`,
      open: rec === null,
    };
  });
  const title = ctx.lost.length === 0 ? 'Control plane lost (none)' : 'Control plane lost (largest first)';
  return { type: 'bars', title, rows: ctx.lost.map((c) => c.name), bars };
}

function impactLane(ctx: RunContext): TimelineLane {
  return {
    type: 'area',
    title: 'Customer impact (fleet error rate)',
    t: ctx.series.t,
    values: ctx.series.fleetErrorRate,
    color: COLORS.impact,
    yFormat: 'percent',
    threshold: { value: IMPACT_THRESHOLD, label: formatPercent(IMPACT_THRESHOLD) },
  };
}

function operatorLane(ctx: RunContext): TimelineLane {
  const ticks = entriesOf(ctx, 'operator').map((e) => entryTick(ctx, e, 'operators', COLORS.operator));
  return { type: 'ticks', title: ticks.length === 0 ? 'Operator actions (none)' : 'Operator actions', rows: ['operators'], ticks };
}

function entriesOf(ctx: RunContext, kind: TimelineEntry['kind']): TimelineEntry[] {
  return ctx.report.timeline.filter((e) => e.kind === kind && parseAt(e.at) !== null);
}

function entryTick(ctx: RunContext, e: TimelineEntry, row: string, color: string, suffix = ''): TimelineTick {
  const at = parseAt(e.at) ?? ctx.frame.startMs;
  const where = e.cluster === null ? '' : ` ${e.cluster}:`;
  return { atMs: at, row, color, label: `${clock(ctx, at)}${where} ${e.message}${suffix}` };
}
