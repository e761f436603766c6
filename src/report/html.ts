/**
 * The HTML report of a twin run: one self-contained document (inline CSS and
 * SVG, no script, no external resource) that shows what happened to the fleet
 * at a glance — headline numbers, an incident timeline, control-plane, DNS and
 * customer charts — with the details (lost clusters, full timeline) below.
 *
 * Deterministic: the same report and series give byte-identical HTML on any
 * machine and in any process time zone (times are written in the scenario's
 * zone with src/core/time.ts, chart ids are stable).
 *
 * @example
 *   const html = await renderRunReport(report, series, {
 *     extraSections: [{ title: 'Rollout waves', html: wavesTableHtml }],
 *   });
 *   await writeFile('out/run.html', html);
 */
import type { ClusterReport, RunReport, RunSeries, SizeClassSeries, TimelineEntry } from '../twin/index.ts';
import { SIZE_CLASSES } from '../model/fleet.ts';
import type { SizeClass } from '../model/fleet.ts';
import { formatClock, formatIso } from '../core/time.ts';
import { COLORS, SIZE_CLASS_COLORS, lineChart, timelineChart } from './charts.ts';
import type { LineSeries, Moment, TimeFrame, TimelineLane, TimelineTick } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { formatAvailability, formatDuration, formatInt, formatPercent } from './format.ts';
import { REPORT_CSS } from './style.ts';

/** A section appended to the report (e.g. the rollout orchestrator's waves). */
export interface ReportSection {
  /** Plain text; escaped by the renderer. */
  readonly title: string;
  /** Trusted HTML inserted as is: the caller escapes its own strings (see escapeHtml). */
  readonly html: string;
}

export interface RenderRunReportOptions {
  /** Document title; default the scenario name. */
  readonly title?: string;
  /** Sections appended after the built-in ones, in order. */
  readonly extraSections?: readonly ReportSection[];
}

/** The customer-impact threshold of the fleet error rate (reported times use it too). */
export const IMPACT_THRESHOLD = 0.01;

/** Above this many lost clusters the timeline shows their count over time instead of one bar each. */
export const MAX_CLUSTER_BARS = 40;

/** Rows of the lost-clusters table (largest first); the rest are counted below it. */
export const MAX_LOST_ROWS = 250;

/**
 * Rows of the full-timeline table: a longer timeline shows its first and last
 * MAX_LOG_ROWS / 2 entries and every fleet-wide entry, with the entries left
 * out counted by kind where they were (the JSON report has them all).
 */
export const MAX_LOG_ROWS = 2000;

/** Everything the sections share. */
interface Ctx {
  readonly report: RunReport;
  readonly series: RunSeries;
  readonly zone: string;
  readonly frame: TimeFrame;
  readonly classes: readonly SizeClass[];
  readonly moments: readonly Moment[];
  readonly lost: readonly ClusterReport[];
}

/** Renders the run report as one self-contained HTML document. */
export async function renderRunReport(report: RunReport, series: RunSeries, opts: RenderRunReportOptions = {}): Promise<string> {
  const ctx = context(report, series);
  const title = opts.title ?? report.scenario.name;
  const sections = [
    await timelineSection(ctx),
    await controlPlaneSection(ctx),
    await dnsSection(ctx),
    await customerSection(ctx),
    lostClustersSection(ctx),
    fullTimelineSection(ctx),
    ...(opts.extraSections ?? []).map((s, i) => section(`extra-${i + 1}`, s.title, s.html)),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · firebreak twin report</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(ctx, title),
    verdict(ctx),
    kpiStrip(ctx),
    ...sections,
    `<footer>firebreak fleet twin · report ${escapeHtml(report.schemaVersion)} · seed ${report.seed} · same inputs, same report</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function context(report: RunReport, series: RunSeries): Ctx {
  const zone = report.scenario.timeZone;
  const startMs = Date.parse(report.scenario.start);
  const endMs = Date.parse(report.scenario.end);
  const f = report.fleet;
  const moments: Moment[] = [];
  const add = (at: string | null, label: string): void => {
    const ms = parseAt(at);
    if (ms !== null) moments.push({ atMs: ms, label: `${label} ${formatClock(ms, zone)}` });
  };
  add(f.firstAlertAt, 'first alert');
  add(f.firstCustomerImpactAt, 'customer impact');
  add(f.maxImpactAt, 'max impact');
  if (f.controlPlanesRecoveredAt !== f.fullRecoveryAt) add(f.controlPlanesRecoveredAt, 'control planes back');
  add(f.fullRecoveryAt, 'full recovery');
  const lost = report.clusters
    .filter((c) => c.controlPlane.lostAt !== null)
    .sort((a, b) => b.nodes - a.nodes || compareText(a.name, b.name));
  return {
    report,
    series,
    zone,
    frame: { startMs, endMs, zone },
    classes: SIZE_CLASSES.filter((c) => series.bySizeClass[c] !== undefined),
    moments,
    lost,
  };
}

// ─── time helpers ──────────────────────────────────────────────────────────

/** Epoch ms of a report time, null for never (or unparseable). */
function parseAt(at: string | null): number | null {
  if (at === null) return null;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

/** Local calendar day of an instant, as `YYYY-MM-DD`. */
function localDay(ms: number, zone: string): string {
  return formatIso(ms, zone).slice(0, 10);
}

/** `HH:MM` local, with `(+1 d)` when on a later day than the run's start. */
function clock(ctx: Ctx, ms: number, seconds = false): string {
  const iso = formatIso(ms, ctx.zone);
  const base = seconds ? iso.slice(11, 19) : iso.slice(11, 16);
  const days = Math.round((Date.parse(iso.slice(0, 10)) - Date.parse(localDay(ctx.frame.startMs, ctx.zone))) / 86_400_000);
  return days === 0 ? base : `${base} (${days > 0 ? '+' : ''}${days} d)`;
}

/** A `<time>` element: local clock time, the full ISO time with offset on hover. */
function timeHtml(ctx: Ctx, at: string | null, never = '—', seconds = false): string {
  const ms = parseAt(at);
  if (ms === null) return `<span class="never">${escapeHtml(never)}</span>`;
  const iso = formatIso(ms, ctx.zone);
  return `<time datetime="${iso}" title="${iso}">${clock(ctx, ms, seconds)}</time>`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function section(id: string, title: string, body: string, intro = ''): string {
  const p = intro === '' ? '' : `<p class="intro">${intro}</p>`;
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${p}${body}\n</section>`;
}

function figure(svg: string, caption: string, wide = false): string {
  return `<figure class="chart${wide ? ' wide' : ''}">${svg}<figcaption>${caption}</figcaption></figure>`;
}

// ─── header, verdict, KPIs ─────────────────────────────────────────────────

function header(ctx: Ctx, title: string): string {
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
function verdict(ctx: Ctx): string {
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
function stillWrong(ctx: Ctx): string | null {
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

function kpiStrip(ctx: Ctx): string {
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

function timeKpi(ctx: Ctx, label: string, at: string | null, never: string): string {
  const ms = parseAt(at);
  const note = ms === null ? '' : `${formatDuration(ms - ctx.frame.startMs)} after start`;
  return kpi(label, timeHtml(ctx, at, never), note);
}

// ─── incident timeline ─────────────────────────────────────────────────────

async function timelineSection(ctx: Ctx): Promise<string> {
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

function changeLane(ctx: Ctx): TimelineLane {
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
function alertLane(ctx: Ctx): TimelineLane {
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

function controlPlaneLane(ctx: Ctx): TimelineLane {
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

function impactLane(ctx: Ctx): TimelineLane {
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

function operatorLane(ctx: Ctx): TimelineLane {
  const ticks = entriesOf(ctx, 'operator').map((e) => entryTick(ctx, e, 'operators', COLORS.operator));
  return { type: 'ticks', title: ticks.length === 0 ? 'Operator actions (none)' : 'Operator actions', rows: ['operators'], ticks };
}

function entriesOf(ctx: Ctx, kind: TimelineEntry['kind']): TimelineEntry[] {
  return ctx.report.timeline.filter((e) => e.kind === kind && parseAt(e.at) !== null);
}

function entryTick(ctx: Ctx, e: TimelineEntry, row: string, color: string, suffix = ''): TimelineTick {
  const at = parseAt(e.at) ?? ctx.frame.startMs;
  const where = e.cluster === null ? '' : ` ${e.cluster}:`;
  return { atMs: at, row, color, label: `${clock(ctx, at)}${where} ${e.message}${suffix}` };
}

// ─── charts by size class ──────────────────────────────────────────────────

type Metric = keyof Omit<SizeClassSeries, 'clusters'>;

function bySize(ctx: Ctx, metric: Metric): LineSeries[] {
  return ctx.classes.flatMap((c) => {
    const s = ctx.series.bySizeClass[c];
    return s === undefined ? [] : [{ name: c, color: SIZE_CLASS_COLORS[c], values: s[metric] }];
  });
}

/** A colour key for `classes`, with cluster counts from the series (charts) or the report (timeline). */
function sizeLegend(ctx: Ctx, classes: readonly SizeClass[], countFrom: 'series' | 'report'): string {
  const items = classes.map((c) => {
    const n = countFrom === 'series' ? (ctx.series.bySizeClass[c]?.clusters ?? 0) : ctx.report.clusters.filter((k) => k.sizeClass === c).length;
    return `<li><span class="swatch" style="background:${SIZE_CLASS_COLORS[c]}"></span>${c} <span class="count">(${formatInt(n)})</span></li>`;
  });
  return `<ul class="legend" aria-label="size classes">${items.join('')}</ul>`;
}

const SIZE_NOTE = 'Mean over the clusters of each size class (small &lt; 500 nodes, medium &lt; 2,000, large &lt; 5,000, xlarge ≥ 5,000); dashed rules mark the key moments of the timeline.';

async function controlPlaneSection(ctx: Ctx): Promise<string> {
  const common = { frame: ctx.frame, t: ctx.series.t, moments: ctx.moments } as const;
  const charts = [
    figure(
      await lineChart({ ...common, id: 'chart-p99', title: 'API p99 latency by size class', series: bySize(ctx, 'p99Seconds'), yTitle: 'p99 latency (log)', yFormat: 'seconds', yScale: 'log' }),
      'API p99 latency (log scale)',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-429', title: 'Share of API requests rejected with 429 by size class', series: bySize(ctx, 'rate429'), yTitle: '429 ratio', yFormat: 'percent' }),
      'Requests rejected with 429 (APF)',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-success', title: 'API success ratio by size class', series: bySize(ctx, 'successRatio'), yTitle: 'success ratio', yFormat: 'percent', yDomain: [0, 1] }),
      'API success ratio',
    ),
    figure(
      await lineChart({
        ...common,
        id: 'chart-memory',
        title: 'API server memory use as a fraction of its limit by size class',
        series: bySize(ctx, 'memoryRatio'),
        yTitle: 'memory / limit',
        yFormat: 'percent',
        thresholds: [{ value: 1, label: 'limit (OOM kill)' }],
      }),
      'API server memory / limit',
    ),
  ];
  return section('control-plane', 'Control plane', grid(ctx, charts), SIZE_NOTE);
}

async function dnsSection(ctx: Ctx): Promise<string> {
  const common = { frame: ctx.frame, t: ctx.series.t, moments: ctx.moments } as const;
  const charts = [
    figure(
      await lineChart({ ...common, id: 'chart-dns-cache', title: 'Node-local DNS cache: fraction of records still valid, by size class', series: bySize(ctx, 'dnsCacheValid'), yTitle: 'valid records', yFormat: 'percent', yDomain: [0, 1] }),
      'Node-local DNS cache: records still valid',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-servfail', title: 'CoreDNS SERVFAIL ratio by size class', series: bySize(ctx, 'dnsServfail'), yTitle: 'SERVFAIL ratio', yFormat: 'percent' }),
      'CoreDNS SERVFAIL ratio',
    ),
  ];
  return section('dns', 'DNS', grid(ctx, charts), 'Services resolve through node-local caches; once cached records expire without a control plane, lookups fall through to CoreDNS, which fails.');
}

function grid(ctx: Ctx, figures: readonly string[]): string {
  if (ctx.classes.length === 0) return '<p class="empty">No per-size-class series in this run.</p>';
  return `${sizeLegend(ctx, ctx.classes, 'series')}\n<div class="grid">\n${figures.join('\n')}\n</div>`;
}

async function customerSection(ctx: Ctx): Promise<string> {
  const svg = await lineChart({
    id: 'chart-customer',
    title: 'Customer error rate, whole fleet',
    description: `Fleet customer error rate over time with the ${formatPercent(IMPACT_THRESHOLD)} customer-impact threshold; peak ${formatPercent(ctx.report.fleet.peakErrorRate)}.`,
    frame: ctx.frame,
    t: ctx.series.t,
    series: [{ name: 'fleet error rate', color: COLORS.impact, values: ctx.series.fleetErrorRate }],
    yTitle: 'error rate',
    yFormat: 'percent',
    area: true,
    thresholds: [{ value: IMPACT_THRESHOLD, label: `customer impact (${formatPercent(IMPACT_THRESHOLD)})` }],
    moments: ctx.moments,
    width: 980,
    height: 170,
  });
  const f = ctx.report.fleet;
  const caption = `Peak ${formatPercent(f.peakErrorRate)}; availability over the run ${formatAvailability(f.availability)}. Dashed: the ${formatPercent(IMPACT_THRESHOLD)} customer-impact threshold.`;
  return section('customers', 'Customers', figure(svg, caption, true));
}

// ─── tables ────────────────────────────────────────────────────────────────

function lostClustersSection(ctx: Ctx): string {
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
    '<thead><tr><th>Cluster</th><th>Size</th><th class="num">Nodes</th><th>Lost</th><th>Recovered</th><th class="num">Outage</th><th class="num">API restarts</th><th class="num">Min API success</th><th class="num">Peak data-plane errors</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
  ].join('\n');
  const intro = hidden.length === 0 ? 'Largest first.' : `Largest first; the ${formatInt(shown.length)} largest are listed, the other ${formatInt(hidden.length)} counted below (the JSON report lists every cluster).`;
  return section('lost', `Clusters that lost their control plane (${formatInt(ctx.lost.length)})`, `${table}\n${rest}`, intro);
}

function lostRow(ctx: Ctx, c: ClusterReport): string {
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
    `<td class="num">${formatInt(c.controlPlane.apiServerRestarts)}</td>`,
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

function sizeTag(c: SizeClass): string {
  return `<span class="size"><span class="swatch" style="background:${SIZE_CLASS_COLORS[c]}"></span>${c}</span>`;
}

/** One line about the clusters that kept their control plane. */
function restSummary(ctx: Ctx): string {
  const rest = ctx.report.clusters.filter((c) => c.controlPlane.lostAt === null);
  if (rest.length === 0) return ctx.report.clusters.length === 0 ? '' : '<p class="rest">Every cluster lost its control plane.</p>';
  const counts = SIZE_CLASSES.flatMap((s) => {
    const n = rest.filter((c) => c.sizeClass === s).length;
    return n === 0 ? [] : [`${formatInt(n)} ${s}`];
  });
  const peak = Math.max(...rest.map((c) => c.dataPlane.peakErrorRate));
  const restarts = rest.reduce((sum, c) => sum + c.controlPlane.apiServerRestarts, 0);
  return `<p class="rest">Kept their control plane: ${formatInt(rest.length)} clusters (${counts.join(', ')}); highest data-plane error rate among them ${formatPercent(peak)}, ${formatInt(restarts)} API server restarts in all.</p>`;
}

function fullTimelineSection(ctx: Ctx): string {
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
function gapText(ctx: Ctx, skipped: readonly TimelineEntry[], seconds: boolean): string {
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
