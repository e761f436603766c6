/**
 * Durations as people write them in YAML: `90s`, `5m`, `1h30m`, `250ms`, or a
 * plain number of seconds. Returns seconds, or undefined when unparsable.
 */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';

export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const s = input.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null || m.index !== at) return undefined;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
  }
  return total;
}

/**
 * Seconds as a duration string that parseDuration reads back: `1h30m`, `45s`,
 * and under a second in milliseconds (`100ms`, `1s500ms`) — never `0s` for a
 * duration of a millisecond or more. Rounded to the millisecond.
 */
export function formatDuration(seconds: number): string {
  const totalMs = Math.round(seconds * 1000);
  const s = Math.floor(totalMs / 1000);
  const ms = totalMs % 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const text = `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${r > 0 ? `${r}s` : ''}${ms > 0 ? `${ms}ms` : ''}`;
  return text === '' ? '0s' : text;
}
