/**
 * Time-series line charts of reports (latency, 429s, memory, DNS, customer
 * errors by size class): one or more lines over the run's time axis, on a
 * linear or log scale, with threshold lines and key moments; long series are
 * resampled to the plot's resolution, keeping every peak and trough.
 *
 * @example
 *   const svg = await lineChart({
 *     id: 'p99', title: 'API p99 latency', frame, t: series.t, yTitle: 'p99', yFormat: 'seconds', yScale: 'log',
 *     series: [{ name: 'large', color: SIZE_CLASS_COLORS.large, values: series.bySizeClass.large.p99Seconds }],
 *   });
 */
import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, COLORS } from './chart-theme.ts';
import { renderVegaLite, type SvgMeta } from './svg.ts';
import { momentRules, timeTicks, timeX, valueAxis, type Moment, type TimeFrame, type ValueFormat } from './time-axis.ts';

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

export function thresholdLayers(th: Threshold): object[] {
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
