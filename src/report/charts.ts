/**
 * Chart builders for reports: Vega-Lite specs rendered headlessly to inline
 * SVG strings, with no script, no external resource and no dependence on the
 * machine's time zone (time axes are labelled from a lookup of pre-formatted
 * local clock times, see {@link timeTicks}). Every chart is deterministic
 * (stable ids) and accessible (titles, descriptions, hover tooltips): see
 * svg.ts. One file per part: chart-theme.ts (fonts, colours, base config),
 * time-axis.ts (axes, ticks, moments), svg.ts (rendering), line-chart.ts,
 * timeline-chart.ts; this module is their public face.
 *
 * @example
 *   const frame = { startMs, endMs, zone: 'America/Los_Angeles' };
 *   const svg = await lineChart({
 *     id: 'p99', title: 'API p99 latency', frame, t: series.t, yFormat: 'seconds', yScale: 'log',
 *     series: [{ name: 'large', color: SIZE_CLASS_COLORS.large, values: series.bySizeClass.large.p99Seconds }],
 *   });
 */
export { COLORS, FONT_STACK, SIZE_CLASS_COLORS } from './chart-theme.ts';
export { lineChart, resampleIndices, type LineChartOptions, type LineSeries, type Threshold } from './line-chart.ts';
export { renderVegaLite, type SvgMeta } from './svg.ts';
export { timeTicks, type Moment, type TimeFrame, type TimeTicks, type ValueFormat } from './time-axis.ts';
export { fitLane, MAX_LANE_TICKS, timelineChart, type TimelineBar, type TimelineChartOptions, type TimelineLane, type TimelineTick } from './timeline-chart.ts';
