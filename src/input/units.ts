/**
 * Units as the input formats write them: byte counts (a number or a
 * Kubernetes quantity such as "32Gi") and durations ("90s", "1h30m", or a
 * number of seconds) — conversion to numbers, the bounds check of a scenario
 * duration, and how messages show both. (The schema field that takes a byte
 * count is the model's: src/model/model-patch.ts.)
 *
 * @example
 *   parseQuantity('1.5Gi'); // 1610612736
 *   showBytes(16 * 1024 ** 4); // "16Ti"
 *   checkDuration(ctx, ['spec', 'step'], '2m', { minS: 1, maxS: 60 }); // undefined, and a problem: "expected a duration between 1s and 1m, got 2m"
 */
import { formatDuration, parseDuration } from '../core/duration.ts';
import { QUANTITY_PATTERN } from '../model/model-patch.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { MAX_DURATION_S } from './schema-kit.ts';
import type { Path } from './yaml.ts';

// ---------------------------------------------------------------------------
// Bytes.

const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Bytes of a Kubernetes quantity ("32Gi", "1.5G", "4096"), rounded to a whole byte. */
export function parseQuantity(q: string): number | undefined {
  if (!new RegExp(QUANTITY_PATTERN, 'u').test(q)) return undefined;
  const m = /^([\d.]+)(.*)$/.exec(q);
  const n = Math.round(Number(m?.[1]) * (QUANTITY_SUFFIX[m?.[2] ?? ''] ?? Number.NaN));
  return Number.isFinite(n) ? n : undefined;
}

/** A byte count as messages show it: a whole or half number of Ti, Gi, Mi or Ki ("16Ti", "1.5Mi"), else plain. */
export function showBytes(n: number): string {
  for (const [suffix, size] of [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= size && (n * 2) % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

// ---------------------------------------------------------------------------
// Durations.

/** Seconds as written in a scenario: whole days as "7d", otherwise "1h30m". */
export function showDuration(s: number): string {
  return s >= 86_400 && s % 86_400 === 0 ? `${s / 86_400}d` : formatDuration(s);
}

/** Duration bounds for checks the schema cannot make (it only knows "a duration ≥ 0"). */
export interface DurationBounds {
  /** Must be > 0. */
  readonly positive?: boolean;
  readonly minS?: number;
  readonly maxS?: number;
}

/**
 * Seconds of a scenario duration, checked against `bounds` (and at most
 * MAX_DURATION_S, the longest run, unless the field has a tighter bound);
 * undefined, with a problem reported in `ctx`, when it is not a duration or
 * out of bounds.
 */
export function checkDuration(ctx: ScenarioContext, path: Path, raw: string | number, bounds: DurationBounds = {}): number | undefined {
  const s = parseDuration(raw);
  if (s === undefined) {
    ctx.add(path, `expected a duration such as "90s", "5m" or "1h30m", got ${JSON.stringify(raw)}`);
    return undefined;
  }
  const shown = typeof raw === 'number' ? `${raw}s` : raw;
  // Every duration is at most MAX_DURATION_S (7d), the longest run, unless the field has a tighter bound.
  const { positive = false, minS, maxS = MAX_DURATION_S } = bounds;
  if (positive && s <= 0) {
    ctx.add(path, `expected a duration > 0, got ${shown}`);
    return undefined;
  }
  if ((minS !== undefined && s < minS) || (maxS !== undefined && s > maxS)) {
    const range =
      minS !== undefined && maxS !== undefined ? `between ${showDuration(minS)} and ${showDuration(maxS)}` : minS !== undefined ? `≥ ${showDuration(minS)}` : `≤ ${showDuration(maxS ?? 0)}`;
    ctx.add(path, `expected a duration ${range}, got ${shown}`);
    return undefined;
  }
  return s;
}
