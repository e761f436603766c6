/**
 * Wall-time formatting for reports: ISO 8601 with the scenario's UTC offset,
 * e.g. `2024-12-11T15:16:00-08:00`. A zone is an IANA name
 * (`America/Los_Angeles`) or a fixed offset (`-08:00`, `UTC`). Offsets are
 * looked up through Intl, which is deterministic for a given ICU version.
 */
const FIXED = /^([+-])(\d{2}):(\d{2})$/;

export function isValidZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Z' || FIXED.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset of `zone` at `epochMs`, in minutes east of UTC. */
export function zoneOffsetMinutes(zone: string, epochMs: number): number {
  if (zone === 'UTC' || zone === 'Z') return 0;
  const fixed = FIXED.exec(zone);
  if (fixed !== null) {
    const sign = fixed[1] === '-' ? -1 : 1;
    return sign * (Number(fixed[2]) * 60 + Number(fixed[3]));
  }
  // Zone offsets change only on whole minutes, so they are remembered per minute (a run's report
  // formats tens of thousands of times; Intl's formatToParts costs microseconds each).
  const minute = Math.floor(epochMs / 60_000);
  const key = `${zone} ${minute}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  const name = f.formatToParts(minute * 60_000).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  const sign = m?.[1] === '-' ? -1 : 1;
  const off = m === null ? 0 : sign * (Number(m[2]) * 60 + Number(m[3] ?? '0'));
  if (offsets.size >= 100_000) offsets.clear();
  offsets.set(key, off);
  return off;
}
const offsets = new Map<string, number>();

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** ISO 8601 with the zone's offset, second precision. */
export function formatIso(epochMs: number, zone: string): string {
  const off = zoneOffsetMinutes(zone, epochMs);
  const d = new Date(epochMs + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
  );
}

/** `HH:MM` local time, for charts and terminal output. */
export function formatClock(epochMs: number, zone: string): string {
  return formatIso(epochMs, zone).slice(11, 16);
}

/**
 * Resolves a time written in a scenario: a full ISO 8601 timestamp, or a local
 * `HH:MM[:SS]` on the scenario's start day in its zone (rolling to the next day
 * if earlier than the start). Returns epoch ms or undefined.
 */
export function resolveTime(input: string, startMs: number, zone: string): number | undefined {
  const hm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(input.trim());
  if (hm !== null) {
    const h = Number(hm[1]);
    const m = Number(hm[2]);
    const s = Number(hm[3] ?? '0');
    if (h > 23 || m > 59 || s > 59) return undefined;
    const off = zoneOffsetMinutes(zone, startMs);
    const local = new Date(startMs + off * 60_000);
    const dayStartLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
    let t = dayStartLocal + ((h * 60 + m) * 60 + s) * 1000 - off * 60_000;
    if (t < startMs) t += 86_400_000;
    return t;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input)) return undefined;
  const t = Date.parse(input);
  return Number.isNaN(t) ? undefined : t;
}
