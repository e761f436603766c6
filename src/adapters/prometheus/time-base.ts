/**
 * The time base of the Prometheus metric source: how the rollout's clock
 * (the decision core's time) maps to Prometheus' clock (the wall time at
 * which its samples were scraped, prometheus/prometheus
 * docs/querying/api.md: timestamps are the scrape's wall time).
 *
 * For a real fleet the two are the same (`IDENTITY`). For a twin-served
 * fleet the rollout decides in the twin's VIRTUAL time
 * (src/adapters/twin-served/clock.ts), which runs `speed` times as fast as
 * the wall clock from a virtual epoch of its own (the scenario's start): a
 * reading of the served clock (virtual `epochAtMs` at wall `wallAtMs`) gives
 *
 *     wall = wallAtMs + (virtual − epochAtMs) / speed
 *
 * and so the source translates a query's range (`fromMs`, `toMs`), its step
 * and the range selectors of its PromQL (the rate window `$w` and literal
 * ones such as `changes(…[1m])`, `offset`) into wall time, and maps the
 * returned samples' times back into virtual time. The twin's counters
 * advance `speed` times as fast per wall second as per virtual second, so a
 * `rate()` over wall time is `speed` times the twin's per-second rate. Every
 * built-in gate but one is a RATIO of two rates (429, success, SERVFAIL, 5xx)
 * or a quantile of a histogram's rates (both unchanged by a common factor), a
 * gauge, or a count of changes; the exception, `apiserver_requests_per_second`
 * (PER_SECOND_METRICS), is divided by `speed`.
 *
 * @example
 *   const tb = linearTimeBase(() => ({ epochAtMs: 1_733_927_400_000, wallAtMs: Date.now(), speed: 10 }));
 *   tb.toWallMs(1_733_927_410_000); // ≈ Date.now() + 1000
 *   scaleRanges('rate(x[1m]) offset 30s', 10); // 'rate(x[6000ms]) offset 3000ms'
 */

export interface TimeBase {
  /** Virtual seconds per wall second (1: the same clock). */
  readonly speed: number;
  /** Prometheus' (wall) epoch ms of a rollout-clock epoch ms. */
  toWallMs(virtualMs: number): number;
  /** The rollout clock's epoch ms of a Prometheus (wall) epoch ms. */
  toVirtualMs(wallMs: number): number;
}

/** A real fleet: the rollout decides in wall time, as Prometheus stores it. */
export const IDENTITY: TimeBase = { speed: 1, toWallMs: (ms) => ms, toVirtualMs: (ms) => ms };

/** One reading of a served clock: virtual `epochAtMs` at wall `wallAtMs`, `speed` virtual ms per wall ms. */
export interface ClockReading {
  readonly epochAtMs: number;
  readonly wallAtMs: number;
  readonly speed: number;
}

/** The linear map of a clock reading; `reading` is asked at each use (a served clock re-reads its endpoint). */
export function linearTimeBase(reading: () => ClockReading): TimeBase {
  return {
    get speed() {
      return reading().speed;
    },
    toWallMs(virtualMs) {
      const r = reading();
      return r.wallAtMs + (virtualMs - r.epochAtMs) / r.speed;
    },
    toVirtualMs(wallMs) {
      const r = reading();
      return r.epochAtMs + (wallMs - r.wallAtMs) * r.speed;
    },
  };
}

/** Gate metrics whose value is a per-second rate (not a ratio or quantile of rates): divided by `speed`. */
export const PER_SECOND_METRICS: ReadonlySet<string> = new Set(['apiserver_requests_per_second']);

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
/** A PromQL duration (prometheus/prometheus model/time.go ParseDuration: units y w d h m s ms, compound like 1m30s). */
const DURATION = '(?:\\d+(?:ms|[smhdwy]))+';
const RANGE = new RegExp(`\\[(${DURATION})(?::(${DURATION})?)?\\]|\\boffset\\s+(-?)(${DURATION})`, 'g');

/** Milliseconds of a PromQL duration. */
export function durationMs(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/(\d+)(ms|[smhdwy])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return ms;
}

function scaled(d: string, speed: number): string {
  return `${Math.max(1, Math.round(durationMs(d) / speed))}ms`;
}

/** The query with every range selector, subquery range/resolution and offset divided by `speed` (virtual → wall); as is at speed 1. */
export function scaleRanges(query: string, speed: number): string {
  if (speed === 1) return query;
  return query.replace(RANGE, (_m, range: string | undefined, res: string | undefined, neg: string | undefined, off: string | undefined) => {
    if (range !== undefined) return `[${scaled(range, speed)}${_m.includes(':') ? `:${res !== undefined ? scaled(res, speed) : ''}` : ''}]`;
    return `offset ${neg ?? ''}${scaled(off as string, speed)}`;
  });
}
