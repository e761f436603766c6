/**
 * Times in a scenario: the schema field for a time ("15:16", an ISO
 * timestamp, or "+45m" after the start), the scenario's time zone and start,
 * and the resolution of every time to seconds from the start, checked to
 * fall within the run.
 *
 * @example
 *   parseTimestamp('2024-12-11T14:00:00', 'America/Los_Angeles'); // 1733954400000 (22:00 UTC)
 *   scenarioTime(ctx, ['spec', 'pipeline', 'start'], '+45m'); // 2700
 */
import { Type, type TUnsafe } from '@sinclair/typebox';
import { parseDuration } from '../core/duration.ts';
import { formatIso, isValidZone, resolveTime, zoneOffsetMinutes } from '../core/time.ts';
import { TIME_PATTERN } from './patterns.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { nearest } from './validate.ts';
import type { Path } from './yaml.ts';

/** A schema field holding a scenario time. */
export function time(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', pattern: TIME_PATTERN, description });
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))?$/;

/**
 * Epoch ms of an ISO timestamp; without an offset it is wall time in `zone`.
 * Undefined for impossible dates and times (2024-02-30, 25:00).
 */
export function parseTimestamp(s: string, zone: string): number | undefined {
  const m = ISO_TIME.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? '0')) as [number, number, number, number, number, number];
  const ms = Math.round(Number(m[7] ?? '0') * 1000);
  const wall = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const check = new Date(wall);
  // Date.UTC rolls 2024-02-30 over to March; a changed field means the input was impossible.
  if (y < 1000 || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return undefined;
  if (m[8] === 'Z') return wall;
  if (m[8] !== undefined) {
    const off = (Number(m[10]) * 60 + Number(m[11])) * (m[9] === '-' ? -1 : 1);
    return wall - off * 60_000;
  }
  // Wall time in the zone: the offset depends on the instant; a second pass settles DST changes.
  const guess = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  return wall - zoneOffsetMinutes(zone, guess) * 60_000;
}

/** spec.timeZone, or UTC (with a problem) when it names no zone. */
export function checkTimeZone(ctx: ScenarioContext, zone: string | undefined): string {
  if (zone === undefined) return 'UTC';
  if (isValidZone(zone)) return zone;
  const near = nearest(zone, Intl.supportedValuesOf('timeZone'));
  ctx.add(
    ['spec', 'timeZone'],
    `unknown time zone ${JSON.stringify(zone)}`,
    near !== undefined ? `did you mean ${near}?` : 'use an IANA name such as America/Los_Angeles, an offset such as -08:00, or UTC',
  );
  return 'UTC';
}

/** Epoch ms of spec.start in the scenario's zone; undefined (with a problem) for an impossible date or time. */
export function checkStart(ctx: ScenarioContext, start: string): number | undefined {
  const t = parseTimestamp(start, ctx.zone);
  if (t === undefined) ctx.add(['spec', 'start'], `${JSON.stringify(start)} is not a real date and time`, 'check the month, day, hours (0-23), minutes and seconds');
  return t;
}

/** Seconds from the start of a scenario time, checked to fall within the run. */
export function scenarioTime(ctx: ScenarioContext, path: Path, raw: string): number | undefined {
  const startMs = ctx.startMs;
  if (startMs === undefined) return undefined; // spec.start is reported already
  let t: number | undefined;
  if (raw.startsWith('+')) {
    const d = parseDuration(raw.slice(1));
    t = d === undefined ? undefined : startMs + d * 1000;
  } else if (raw.includes('T')) {
    t = parseTimestamp(raw, ctx.zone);
  } else {
    t = resolveTime(raw, startMs, ctx.zone);
  }
  if (t === undefined) {
    ctx.add(path, `${JSON.stringify(raw)} is not a real time`, 'hours go from 0 to 23, minutes and seconds from 0 to 59');
    return undefined;
  }
  const atS = (t - startMs) / 1000;
  if (atS < 0) {
    ctx.add(path, `${JSON.stringify(raw)} is before the start of the run (${formatIso(startMs, ctx.zone)})`, 'times must fall within the run');
    return undefined;
  }
  if (ctx.durationS !== undefined && atS > ctx.durationS) {
    const end = formatIso(startMs + ctx.durationS * 1000, ctx.zone);
    // A time of day earlier than the start's means the next day (resolveTime); say so, it is easy to miss.
    const nextDay = /^\d/.test(raw) && !raw.includes('T') && formatIso(t, ctx.zone).slice(0, 10) !== formatIso(startMs, ctx.zone).slice(0, 10);
    ctx.add(
      path,
      `${JSON.stringify(raw)} is after the end of the run (start + duration = ${end})`,
      nextDay ? `${raw} is earlier than the start time of day, so it means the next day; use a time within the run or lengthen spec.duration` : 'use an earlier time or lengthen spec.duration',
    );
    return undefined;
  }
  return atS;
}
