/**
 * The axes of report charts: time on x, labelled in the scenario's local time
 * from a lookup of pre-formatted clock times (so that no chart depends on the
 * machine's time zone), with ticks at round local times; how values on a y
 * axis are written; and the dashed rules that mark key moments.
 *
 * @example
 *   const ticks = timeTicks({ startMs, endMs, zone: 'America/Los_Angeles' }, 8);
 *   ticks.labels; // ['14:00', '14:30', …]; local midnight as 'MM-DD'
 */
import { formatClock, formatIso } from '../core/time.ts';
import { COLORS } from './chart-theme.ts';

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
export function valueAxis(format: ValueFormat): { format?: string; labelExpr?: string; tickMinStep?: number } {
  switch (format) {
    case 'percent':
      return { format: '.2~%' };
    case 'count':
      return { format: ',d', tickMinStep: 1 };
    case 'seconds':
      return { labelExpr: "datum.value >= 1 ? format(datum.value, '.3~r') + ' s' : format(datum.value * 1000, '.3~r') + ' ms'" };
  }
}

/**
 * The x encoding of a time chart: epoch ms on a linear scale, labelled in local
 * time. Without labels it still draws the grid, so stacked lanes line up.
 */
export function timeX(frame: TimeFrame, ticks: TimeTicks, showLabels: boolean, showTitle = showLabels) {
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
export function momentRules(moments: readonly Moment[]) {
  return {
    data: { values: moments.map((m) => ({ t: m.atMs, d: m.label })) },
    mark: { type: 'rule', color: COLORS.moment, strokeDash: [3, 3], strokeWidth: 1 },
    encoding: { x: { field: 't', type: 'quantitative' }, description: { field: 'd' } },
  } as const;
}
