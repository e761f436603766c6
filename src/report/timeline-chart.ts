/**
 * The incident timeline of reports: swim lanes (ticks, bars or an area) over
 * one shared time axis, with labelled vertical rules for the key moments.
 * Lanes are fitted to the plot's resolution: a lane of thousands of marks
 * draws one per row and 2-pixel slice of time, labelled with its count.
 *
 * @example
 *   const svg = await timelineChart({ id: 'chart-timeline', title: 'Incident timeline', frame, moments, lanes: [
 *     { type: 'ticks', title: 'Change applied', rows: ['small'], ticks: [{ atMs, row: 'small', color: SIZE_CLASS_COLORS.small, label: 'a: applied' }] },
 *   ] });
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatClock } from '../core/time.ts';
import { BASE_CONFIG, COLORS } from './chart-theme.ts';
import { resampleIndices, thresholdLayers, type Threshold } from './line-chart.ts';
import { renderVegaLite, type SvgMeta } from './svg.ts';
import { momentRules, timeTicks, timeX, valueAxis, type Moment, type TimeFrame, type TimeTicks, type ValueFormat } from './time-axis.ts';

/** Width reserved for y-axis labels of every timeline lane, so lanes line up. */
const LANE_AXIS_WIDTH = 170;

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
