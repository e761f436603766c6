/**
 * Chart builders for reports: Vega-Lite specs rendered headlessly to inline
 * SVG strings, with no script, no external resource and no dependence on the
 * machine's time zone (time axes are labelled from a lookup of pre-formatted
 * local clock times, see {@link timeTicks}).
 *
 * Every chart:
 * - is deterministic: Vega's clip-path / gradient ids come from process-global
 *   counters, so they are renamed to `<id>-1`, `<id>-2`, … per chart, which also
 *   keeps ids unique when several charts share one HTML document;
 * - is accessible: the root `<svg>` gets `role="img"`, a `<title>` and a
 *   `<desc>`; marks given a description get a `<title>` child, which browsers
 *   show as a hover tooltip.
 *
 * @example
 *   const frame = { startMs, endMs, zone: 'America/Los_Angeles' };
 *   const svg = await lineChart({
 *     id: 'p99', title: 'API p99 latency', frame, t: series.t, yFormat: 'seconds', yScale: 'log',
 *     series: [{ name: 'large', color: SIZE_CLASS_COLORS.large, values: series.bySizeClass.large.p99Seconds }],
 *   });
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { SizeClass } from '../model/fleet.ts';
import { formatClock, formatIso } from '../core/time.ts';
import { escapeHtml } from './escape.ts';

/** Font stack shared by the charts and the HTML around them. */
export const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** One colour per size class, used by every chart and legend (colour-blind safe). */
export const SIZE_CLASS_COLORS: Readonly<Record<SizeClass, string>> = {
  small: '#4c9bd6',
  medium: '#2a9d8f',
  large: '#e39b2d',
  xlarge: '#7b52ab',
};

/** Colours with a meaning of their own. */
export const COLORS = {
  impact: '#d1495b',
  alert: '#e0701f',
  operator: '#334155',
  fleet: '#475569',
  moment: '#6b7280',
  threshold: '#9b1c31',
} as const;

/** The time span a chart covers and the zone its axis is labelled in. */
export interface TimeFrame {
  readonly startMs: number;
  readonly endMs: number;
  /** IANA name or fixed offset, as accepted by formatClock. */
  readonly zone: string;
}

/** A labelled instant drawn as a vertical rule (first alert, full recovery, …). */
export interface Moment {
  readonly atMs: number;
  readonly label: string;
}

/** How values on a y axis are written. */
export type ValueFormat = 'percent' | 'seconds' | 'count';

/** Tick positions (epoch ms) and their local-time labels. */
export interface TimeTicks {
  readonly values: readonly number[];
  readonly labels: readonly string[];
}

const MINUTE = 60_000;
const TICK_STEPS_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440];
/** Width reserved for y-axis labels of every timeline lane, so lanes line up. */
const LANE_AXIS_WIDTH = 170;

/**
 * Ticks at round local times (every 5, 10, 15, 30 min, 1 h, …; the finest step
 * giving at most `maxTicks` ticks), labelled `HH:MM` in `frame.zone`; local
 * midnight is labelled with the date (`MM-DD`).
 */
export function timeTicks(frame: TimeFrame, maxTicks = 10): TimeTicks {
  const span = Math.max(frame.endMs - frame.startMs, MINUTE);
  const stepMin = TICK_STEPS_MINUTES.find((s) => span / (s * MINUTE) <= maxTicks) ?? 1440;
  const step = stepMin * MINUTE;
  const values: number[] = [];
  const labels: string[] = [];
  const startLocal = toLocalMs(frame.startMs, frame.zone);
  for (let local = Math.ceil(startLocal / step) * step; ; local += step) {
    const at = fromLocalMs(local, frame.zone);
    if (at > frame.endMs) break;
    const last = values.at(-1);
    if (at < frame.startMs || (last !== undefined && at <= last)) continue; // a repeated hour at a DST change
    values.push(at);
    const clock = formatClock(at, frame.zone);
    labels.push(clock === '00:00' ? formatIso(at, frame.zone).slice(5, 10) : clock);
  }
  return { values, labels };
}

/** Epoch ms shifted so that its UTC fields read as the local wall time. */
function toLocalMs(epochMs: number, zone: string): number {
  return Date.parse(formatIso(epochMs, zone).slice(0, 19) + 'Z');
}

/** Inverse of toLocalMs (two passes settle the offset around DST changes). */
function fromLocalMs(localMs: number, zone: string): number {
  let at = localMs;
  for (let i = 0; i < 2; i++) at = localMs - (toLocalMs(at, zone) - at);
  return at;
}

/** A Vega expression mapping an axis value to its pre-formatted label. */
function lookupLabelExpr(ticks: TimeTicks): string {
  const table: Record<string, string> = {};
  ticks.values.forEach((v, i) => {
    table[String(v)] = ticks.labels[i] ?? '';
  });
  return `${JSON.stringify(table)}[datum.value] || ''`;
}

/** Axis label expressions and tick-format strings per value format. */
function valueAxis(format: ValueFormat): { format?: string; labelExpr?: string; tickMinStep?: number } {
  switch (format) {
    case 'percent':
      return { format: '.2~%' };
    case 'count':
      return { format: ',d', tickMinStep: 1 };
    case 'seconds':
      return { labelExpr: "datum.value >= 1 ? format(datum.value, '.3~r') + ' s' : format(datum.value * 1000, '.3~r') + ' ms'" };
  }
}

const BASE_CONFIG = {
  font: FONT_STACK,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelColor: '#4b5563',
    titleColor: '#374151',
    titleFontWeight: 'normal',
    titleFontSize: 11,
    labelFontSize: 11,
    gridColor: '#edf0f4',
    domainColor: '#9ca3af',
    tickColor: '#9ca3af',
  },
  title: { fontSize: 12, fontWeight: 600, color: '#1f2937', anchor: 'start', offset: 4 },
} as const;

/**
 * The x encoding of a time chart: epoch ms on a linear scale, labelled in local
 * time. Without labels it still draws the grid, so stacked lanes line up.
 */
function timeX(frame: TimeFrame, ticks: TimeTicks, showLabels: boolean, showTitle = showLabels) {
  return {
    field: 't',
    type: 'quantitative',
    scale: { domain: [frame.startMs, frame.endMs], nice: false, zero: false },
    axis: {
      values: [...ticks.values],
      grid: true,
      title: showTitle ? `local time (${frame.zone})` : null,
      labels: showLabels,
      ticks: showLabels,
      domain: showLabels,
      labelExpr: lookupLabelExpr(ticks),
      labelFlush: true,
      description: `time axis, ${frame.zone} local time`,
    },
  } as const;
}

/** A layer of vertical dashed rules at `moments`, each with its label as a tooltip. */
function momentRules(moments: readonly Moment[]) {
  return {
    data: { values: moments.map((m) => ({ t: m.atMs, d: m.label })) },
    mark: { type: 'rule', color: COLORS.moment, strokeDash: [3, 3], strokeWidth: 1 },
    encoding: { x: { field: 't', type: 'quantitative' }, description: { field: 'd' } },
  } as const;
}

// ─── SVG post-processing ───────────────────────────────────────────────────

/** Identity of a rendered chart in its document. */
export interface SvgMeta {
  /** Unique within the document; letters, digits and dashes. */
  readonly id: string;
  /** Short name read by screen readers and shown on hover. */
  readonly title: string;
  readonly description?: string;
}

/**
 * Compiles a Vega-Lite spec, renders it to SVG without a browser and makes the
 * result deterministic and accessible (see the module comment).
 */
export async function renderVegaLite(spec: TopLevelSpec, meta: SvgMeta): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return finishSvg(svg, meta);
  } finally {
    view.finalize();
  }
}

function finishSvg(svg: string, meta: SvgMeta): string {
  const id = meta.id.replace(/[^A-Za-z0-9-]/g, '-');
  const titled = addMarkTitles(renameIds(svg, id));
  const desc = meta.description === undefined ? '' : `<desc id="${id}-desc">${escapeHtml(meta.description)}</desc>`;
  const labelled = meta.description === undefined ? `${id}-title` : `${id}-title ${id}-desc`;
  const head = `<title id="${id}-title">${escapeHtml(meta.title)}</title>${desc}`;
  // Replacer functions, so that `$` in titles is not read as a replacement pattern.
  return titled
    .replace(/^<svg /, () => `<svg id="${id}" role="img" aria-labelledby="${labelled}" `)
    .replace(/^<svg [^>]*>/, (open) => open + head);
}

/** Renames Vega's counter-based ids (clip paths, gradients) to `<prefix>-<n>` in order of appearance. */
function renameIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const rename = (old: string): string => {
    let n = names.get(old);
    if (n === undefined) {
      n = `${prefix}-${names.size + 1}`;
      names.set(old, n);
    }
    return n;
  };
  return svg
    .replace(/\bid="((?:p_)?(?:clip|gradient_)\d+)"/g, (_m, old: string) => `id="${rename(old)}"`)
    .replace(/url\(#((?:p_)?(?:clip|gradient_)\d+)\)/g, (_m, old: string) => `url(#${rename(old)})`);
}

/** Vega roles of non-mark graphics (axes, legends, titles), which keep their aria-label only. */
const NOT_MARKS = new Set(['axis', 'legend', 'title']);

/**
 * Gives every described mark item a `<title>` child (the browser's hover
 * tooltip). Vega escapes `< > & "` in attribute values, so tags can be matched
 * safely; aria-label values are already escaped for element content.
 */
function addMarkTitles(svg: string): string {
  return svg.replace(/<([a-z]+) ([^<>]*?)(\/?)>/g, (tag, name: string, attrs: string, selfClosing: string) => {
    const role = /aria-roledescription="([^"]*)"/.exec(attrs)?.[1];
    if (!/role="graphics-symbol"/.test(attrs) || role === undefined || NOT_MARKS.has(role) || role.endsWith(' container')) return tag;
    const label = /aria-label="([^"]*)"/.exec(attrs)?.[1];
    if (label === undefined) return tag;
    const title = `<title>${label}</title>`;
    return selfClosing === '/' ? `<${name} ${attrs}>${title}</${name}>` : `${tag}${title}`;
  });
}

// ─── line charts ───────────────────────────────────────────────────────────

/** One line: a value per sample of the chart's `t` (non-finite values are skipped). */
export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** A horizontal dashed line with a label, e.g. a 1 % error budget. */
export interface Threshold {
  readonly value: number;
  readonly label: string;
}

export interface LineChartOptions extends SvgMeta {
  readonly frame: TimeFrame;
  /** Epoch ms of each sample. */
  readonly t: readonly number[];
  readonly series: readonly LineSeries[];
  readonly yTitle: string;
  readonly yFormat: ValueFormat;
  /** Default linear. On a log scale values ≤ 0 are drawn at the axis floor. */
  readonly yScale?: 'linear' | 'log';
  /** Fixed y domain; default from the data (and the thresholds). */
  readonly yDomain?: readonly [number, number];
  /** Fill the area under each line (meant for a single series). */
  readonly area?: boolean;
  readonly thresholds?: readonly Threshold[];
  readonly moments?: readonly Moment[];
  /** Plot size in px; defaults 440 × 150. */
  readonly width?: number;
  readonly height?: number;
}

/** A time-series chart of one or more lines, as an SVG string. */
export async function lineChart(o: LineChartOptions): Promise<string> {
  const log = o.yScale === 'log';
  const rows = lineRows(o.t, o.series, log, o.frame, o.width ?? 440);
  const ticks = timeTicks(o.frame, Math.max(3, Math.floor((o.width ?? 440) / 70)));
  const axis = valueAxis(o.yFormat);
  const yDomain = log ? logDomain(rows.map((r) => r.v)) : (o.yDomain ?? linearDomain(rows, o.thresholds ?? []));
  const yScale = { type: log ? 'log' : 'linear', domain: [...yDomain], nice: !log && o.yDomain === undefined };
  const yAxis = { title: o.yTitle, ...axis, tickCount: 5, ...(log ? { values: decades(yDomain) } : {}) };
  const names = o.series.map((s) => s.name);
  const colors = o.series.map((s) => s.color);
  const layers: object[] = [
    {
      data: { values: rows },
      mark: { type: o.area === true ? 'area' : 'line', strokeWidth: 1.6, clip: true, line: o.area === true, opacity: o.area === true ? 0.25 : 1 },
      encoding: {
        x: timeX(o.frame, ticks, true, false),
        y: { field: 'v', type: 'quantitative', scale: yScale, axis: yAxis },
        color: { field: 's', type: 'nominal', scale: { domain: names, range: colors }, legend: null },
        description: { field: 's' },
      },
    },
  ];
  for (const th of o.thresholds ?? []) layers.push(...thresholdLayers(th));
  if (o.moments !== undefined && o.moments.length > 0) layers.push(momentRules(o.moments));
  const spec = {
    config: BASE_CONFIG,
    width: o.width ?? 440,
    height: o.height ?? 150,
    layer: layers,
  } as unknown as TopLevelSpec;
  return renderVegaLite(spec, o);
}

interface LineRow {
  readonly t: number;
  readonly v: number;
  readonly s: string;
}

function lineRows(t: readonly number[], series: readonly LineSeries[], log: boolean, frame: TimeFrame, widthPx: number): LineRow[] {
  const rows: LineRow[] = [];
  for (const s of series) {
    for (const i of resampleIndices(t, s.values, frame, widthPx)) {
      const at = t[i] as number;
      const v = s.values[i] as number;
      rows.push({ t: at, v: log ? Math.max(v, LOG_FLOOR) : v, s: s.name });
    }
  }
  return rows;
}

/**
 * The samples to draw of a series on a plot `widthPx` wide: all of them when
 * there are no more than two per pixel; otherwise, per 2-pixel slice of the
 * time frame, the lowest and the highest sample (in time order), so that the
 * drawn line keeps every peak and trough that one pixel can show. Non-finite
 * values and samples without a time are skipped.
 */
export function resampleIndices(t: readonly number[], values: readonly number[], frame: TimeFrame, widthPx: number): number[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (t[i] !== undefined && Number.isFinite(values[i])) finite.push(i);
  const buckets = Math.max(1, Math.floor(widthPx / 2));
  if (finite.length <= 2 * buckets) return finite;
  const span = Math.max(1, frame.endMs - frame.startMs);
  const out: number[] = [];
  let bucket = -1;
  let lo = -1;
  let hi = -1;
  const flush = (): void => {
    if (lo < 0) return;
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  };
  for (const i of finite) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((((t[i] as number) - frame.startMs) / span) * buckets)));
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = i;
      hi = i;
      continue;
    }
    const v = values[i] as number;
    if (v < (values[lo] as number)) lo = i;
    if (v > (values[hi] as number)) hi = i;
  }
  flush();
  return out;
}

/** From zero to the highest value (5 % headroom) or threshold (room for its label); [0, 1] when all is zero. */
function linearDomain(rows: readonly LineRow[], thresholds: readonly Threshold[]): [number, number] {
  let max = 0;
  for (const r of rows) max = Math.max(max, r.v * 1.05);
  for (const th of thresholds) max = Math.max(max, th.value * 1.25);
  return [0, max > 0 ? max : 1];
}

/** The smallest value a log axis shows (1 ms for latencies). */
const LOG_FLOOR = 1e-3;

/** Whole decades around the data, at least two. */
function logDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => v > 0);
  const lo = finite.length === 0 ? LOG_FLOOR : Math.min(...finite);
  const hi = finite.length === 0 ? 1 : Math.max(...finite);
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi * 1.5)));
  return [10 ** a, 10 ** b];
}

function decades(domain: readonly number[]): number[] {
  const a = Math.round(Math.log10(domain[0] ?? 1));
  const b = Math.round(Math.log10(domain[1] ?? 10));
  const out: number[] = [];
  for (let e = a; e <= b; e++) out.push(Number((10 ** e).toPrecision(1)));
  return out;
}

function thresholdLayers(th: Threshold): object[] {
  const data = { values: [{ v: th.value, d: th.label }] };
  return [
    {
      data,
      mark: { type: 'rule', color: COLORS.threshold, strokeDash: [5, 4], strokeWidth: 1.2 },
      encoding: { y: { field: 'v', type: 'quantitative' }, description: { field: 'd' } },
    },
    {
      data,
      mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, x: 'width', color: COLORS.threshold, fontSize: 10, aria: false },
      encoding: { y: { field: 'v', type: 'quantitative' }, text: { field: 'd' } },
    },
  ];
}

// ─── the incident timeline ─────────────────────────────────────────────────

/** A short vertical mark at one instant, in a row of a lane. */
export interface TimelineTick {
  readonly atMs: number;
  readonly row: string;
  readonly color: string;
  /** Tooltip and screen-reader text. */
  readonly label: string;
}

/** A horizontal bar over an interval, in a row of a lane. */
export interface TimelineBar {
  readonly fromMs: number;
  readonly toMs: number;
  readonly row: string;
  readonly color: string;
  readonly label: string;
  /** Still open at the end of the run (drawn lighter). */
  readonly open: boolean;
}

/** A swim lane of the timeline figure; rows are drawn top-down in the given order. */
export type TimelineLane =
  | { readonly type: 'ticks'; readonly title: string; readonly rows: readonly string[]; readonly ticks: readonly TimelineTick[] }
  | { readonly type: 'bars'; readonly title: string; readonly rows: readonly string[]; readonly bars: readonly TimelineBar[] }
  | {
      readonly type: 'area';
      readonly title: string;
      /** Epoch ms of each sample. */
      readonly t: readonly number[];
      readonly values: readonly number[];
      readonly color: string;
      readonly yFormat: ValueFormat;
      readonly threshold?: Threshold;
    };

export interface TimelineChartOptions extends SvgMeta {
  readonly frame: TimeFrame;
  readonly lanes: readonly TimelineLane[];
  /** Labelled at the top; their rules cross every lane. */
  readonly moments: readonly Moment[];
  /** Total width in px; default 1060. */
  readonly width?: number;
}

const ROW_STEP = 15;
/** A ticks lane with more marks than this draws one mark per row and 2-pixel slice of time, labelled with its count. */
export const MAX_LANE_TICKS = 400;

/**
 * Swim lanes over one shared time axis, with labelled vertical rules for key
 * moments, as an SVG string. Lanes with no content still draw (empty), so the
 * figure keeps the same shape from run to run.
 */
export async function timelineChart(o: TimelineChartOptions): Promise<string> {
  const plotWidth = (o.width ?? 1060) - LANE_AXIS_WIDTH - 24;
  const ticks = timeTicks(o.frame, Math.floor(plotWidth / 70));
  const views: object[] = [];
  if (o.moments.length > 0) views.push(momentHeader(o, ticks, plotWidth));
  o.lanes.forEach((lane, i) => {
    views.push(laneView(fitLane(lane, o.frame, plotWidth), o, ticks, plotWidth, i === o.lanes.length - 1));
  });
  const spec = { config: BASE_CONFIG, spacing: 10, vconcat: views } as unknown as TopLevelSpec;
  return renderVegaLite(spec, o);
}

/** Labels of the key moments, one row each, above the lanes. */
function momentHeader(o: TimelineChartOptions, ticks: TimeTicks, width: number): object {
  const mid = o.frame.startMs + (o.frame.endMs - o.frame.startMs) * 0.72;
  const values = o.moments.map((m, i) => ({ t: m.atMs, d: m.label, r: String(i), a: m.atMs > mid ? 'right' : 'left' }));
  return {
    width,
    height: { step: ROW_STEP },
    data: { values },
    layer: [
      {
        mark: { type: 'rule', color: COLORS.moment, strokeDash: [3, 3] },
        encoding: { x: timeX(o.frame, ticks, false), description: { field: 'd' } },
      },
      momentLabels('left', 4),
      momentLabels('right', -4),
    ],
  };
}

/** Moment labels on one side of their rule (right-hand ones flip left to stay inside the plot). */
function momentLabels(align: 'left' | 'right', dx: number): object {
  return {
    transform: [{ filter: `datum.a === '${align}'` }],
    mark: { type: 'text', align, dx, baseline: 'middle', fontSize: 11, fontWeight: 600, color: '#374151', aria: false },
    encoding: {
      x: { field: 't', type: 'quantitative' },
      y: { field: 'r', type: 'nominal', axis: hiddenRowAxis(false) },
      text: { field: 'd' },
    },
  };
}

function hiddenRowAxis(labels: boolean) {
  return {
    title: null,
    labels,
    ticks: false,
    domain: false,
    minExtent: LANE_AXIS_WIDTH,
    maxExtent: LANE_AXIS_WIDTH,
    labelLimit: LANE_AXIS_WIDTH - 12,
    labelFontSize: 10,
    labelPadding: 6,
  };
}

/** Row domain of a lane; an empty lane keeps one blank row so that it stays visible. */
function laneRows(rows: readonly string[]): string[] {
  return rows.length === 0 ? [''] : [...rows];
}

/**
 * A lane drawn at the plot's resolution: a ticks lane with more than
 * MAX_LANE_TICKS marks gets one mark per row and 2-pixel slice of time (at the
 * first of the marks it stands for, in the first one's colour, its label
 * giving their count, span, first and last label); an area lane's samples are
 * resampled like a line chart's. Other lanes are drawn as given.
 */
export function fitLane(lane: TimelineLane, frame: TimeFrame, widthPx: number): TimelineLane {
  if (lane.type === 'area') {
    const keep = resampleIndices(lane.t, lane.values, frame, widthPx);
    if (keep.length === lane.values.length) return lane;
    return { ...lane, t: keep.map((i) => lane.t[i] as number), values: keep.map((i) => lane.values[i] as number) };
  }
  if (lane.type !== 'ticks' || lane.ticks.length <= MAX_LANE_TICKS) return lane;
  const buckets = Math.max(1, Math.floor(widthPx / 2));
  const span = Math.max(1, frame.endMs - frame.startMs);
  const groups = new Map<string, TimelineTick[]>();
  const sorted = [...lane.ticks].sort((a, b) => a.atMs - b.atMs);
  for (const k of sorted) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(((k.atMs - frame.startMs) / span) * buckets)));
    const key = `${k.row}\u0000${b}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [k]);
    else g.push(k);
  }
  const ticks: TimelineTick[] = [];
  for (const g of groups.values()) {
    const first = g[0] as TimelineTick;
    const last = g[g.length - 1] as TimelineTick;
    if (g.length === 1) {
      ticks.push(first);
      continue;
    }
    const from = formatClock(first.atMs, frame.zone);
    const to = formatClock(last.atMs, frame.zone);
    ticks.push({ ...first, label: `${g.length} marks ${from === to ? `at ${from}` : `from ${from} to ${to}`}; first: ${first.label}; last: ${last.label}` });
  }
  ticks.sort((a, b) => a.atMs - b.atMs);
  return { ...lane, ticks };
}

function laneView(lane: TimelineLane, o: TimelineChartOptions, ticks: TimeTicks, width: number, last: boolean): object {
  const x = timeX(o.frame, ticks, last);
  const title = { text: lane.title, anchor: 'start', frame: 'bounds', fontSize: 11, color: '#111827' };
  const rules = o.moments.length > 0 ? [momentRules(o.moments)] : [];
  switch (lane.type) {
    case 'ticks':
      return {
        title,
        width,
        height: { step: ROW_STEP },
        layer: [
          {
            data: { values: lane.ticks.map((k) => ({ t: k.atMs, r: k.row, c: k.color, d: k.label })) },
            mark: { type: 'tick', thickness: 2, size: ROW_STEP - 4, opacity: 0.9 },
            encoding: {
              x,
              y: { field: 'r', type: 'nominal', scale: { domain: laneRows(lane.rows) }, axis: hiddenRowAxis(lane.rows.length > 1) },
              color: { field: 'c', type: 'nominal', scale: null },
              description: { field: 'd' },
            },
          },
          ...rules,
        ],
      };
    case 'bars':
      return {
        title,
        width,
        height: { step: ROW_STEP - 3 },
        layer: [
          {
            data: { values: lane.bars.map((b) => ({ t: b.fromMs, t2: b.toMs, r: b.row, c: b.color, d: b.label, o: b.open ? 0.45 : 0.9 })) },
            mark: { type: 'bar', cornerRadius: 2, clip: true },
            encoding: {
              x,
              x2: { field: 't2' },
              y: { field: 'r', type: 'nominal', scale: { domain: laneRows(lane.rows), paddingInner: 0.25 }, axis: hiddenRowAxis(true) },
              color: { field: 'c', type: 'nominal', scale: null },
              opacity: { field: 'o', type: 'quantitative', scale: null },
              description: { field: 'd' },
            },
          },
          ...rules,
        ],
      };
    case 'area':
      return areaLane(lane, x, title, width, rules);
  }
}

function areaLane(lane: Extract<TimelineLane, { type: 'area' }>, x: object, title: object, width: number, rules: object[]): object {
  const values = lane.values.flatMap((v, i) => {
    const at = lane.t[i];
    return at === undefined || !Number.isFinite(v) ? [] : [{ t: at, v, d: lane.title }];
  });
  const layers: object[] = [
    {
      data: { values },
      mark: { type: 'area', color: lane.color, opacity: 0.35, line: { color: lane.color, strokeWidth: 1.2 }, clip: true },
      encoding: {
        x,
        y: {
          field: 'v',
          type: 'quantitative',
          scale: { zero: true, nice: true },
          axis: { ...valueAxis(lane.yFormat), title: null, tickCount: 3, minExtent: LANE_AXIS_WIDTH, maxExtent: LANE_AXIS_WIDTH, labelFontSize: 10, domain: false },
        },
        description: { field: 'd' },
      },
    },
    ...rules,
  ];
  if (lane.threshold !== undefined) layers.push(...thresholdLayers(lane.threshold));
  return { title, width, height: 56, layer: layers };
}
