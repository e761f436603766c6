/**
 * Rounding and number formats that firebreak's output depends on (JSON
 * reports, metrics, logs, terminal lines), one function per meaning, named
 * for what it does: "six significant digits" and "six decimals" are
 * different functions, and so is each way of writing a percentage. Every
 * function is pure and locale-free, so output is the same on every machine.
 *
 * The report page's own formats (thousands separators, availability,
 * durations) are in src/report/format.ts; the analyzer's terminal formats
 * (bytes, rates) in src/analyzer/text.ts.
 *
 * @example
 *   significant6(0.123456789);    // 0.123457
 *   roundDecimals(0.123456789, 6); // 0.123457
 *   significant6(1234.56789);      // 1234.57
 *   roundDecimals(1234.56789, 6);  // 1234.56789
 *   roundSignificant4(0.00123456); // 0.001235
 *   percentWhole(0.4213);          // '42 %'
 *   percentOneDecimal(0.05);       // '5.0 %'
 *   percentUpToOneDecimal(0.05);   // '5 %'
 *   percentTwoOrFourDecimals(0.0002); // '0.0200 %'
 *   median([3, 1, 2]);             // 2
 *   medianInPlace(scratch, 3);     // the median of scratch[0..2], which it sorts
 */

/** `x` to six significant digits (what `Number(x.toPrecision(6))` gives); NaN and ±Infinity unchanged. */
export function significant6(x: number): number {
  // An integer of at most six digits is its own six-significant-digit form (toPrecision makes -0 into 0):
  // the gates' ratios and counts are mostly 0 and 1, and formatting them is the costly part.
  if (Number.isInteger(x) && x > -1e6 && x < 1e6) return x === 0 ? 0 : x;
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/** 10^0 … 10^9, exact. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9] as const;

/**
 * `x` rounded to `decimals` decimals (0 to 9), halves up: Math.round(x × 10^d) / 10^d.
 * Not significant digits: roundDecimals(1234.56789, 2) is 1234.57, roundDecimals(0.000123, 2) is 0.
 */
export function roundDecimals(x: number, decimals: number): number {
  const k = POWERS_OF_TEN[decimals];
  if (k === undefined) throw new RangeError(`roundDecimals: decimals must be a whole number from 0 to 9, got ${decimals}`);
  return Math.round(x * k) / k;
}

/**
 * Readable and stable for JSON: integers unchanged, other numbers to four
 * significant digits (at most nine decimals); NaN and ±Infinity unchanged.
 */
export function roundSignificant4(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (Number.isInteger(x)) return x;
  if (x === 0) return 0;
  const d = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(x))));
  const k = 10 ** Math.min(d, 9);
  return Math.round(x * k) / k;
}

/** A 0..1 ratio as a whole percentage: 0.4213 → "42 %". */
export function percentWhole(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

/** A 0..1 ratio as a percentage with exactly one decimal: 0.05 → "5.0 %". */
export function percentOneDecimal(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** A 0..1 ratio as a percentage with at most one decimal: 0.05 → "5 %", 0.125 → "12.5 %". */
export function percentUpToOneDecimal(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}

/** A 0..1 ratio as a percentage with two decimals, four below 0.1 %: 0.4213 → "42.13 %", 0.0002 → "0.0200 %". */
export function percentTwoOrFourDecimals(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.001 ? 4 : 2)} %`;
}

/** median's working copy, reused (median is called for every gate result and pre-change level: no array per call). */
let medianScratch: Float64Array<ArrayBufferLike> = new Float64Array(64);

/** The median of `values` (NaN for an empty list); does not modify its input. */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  if (medianScratch.length < n) medianScratch = new Float64Array(Math.max(n, medianScratch.length * 2));
  const copy = medianScratch;
  for (let i = 0; i < n; i++) copy[i] = values[i] as number;
  return medianInPlace(copy, n);
}

/** Whether `a` comes before `b` in a Float64Array's own sort: numeric, -0 before +0, NaN last. */
function sortsBefore(a: number, b: number): boolean {
  if (a < b) return true;
  if (a > b) return false;
  if (a === b) return a === 0 && Object.is(a, -0) && !Object.is(b, -0);
  return !Number.isNaN(a) && Number.isNaN(b);
}

/** Up to this many values are sorted by insertion (no typed-array view, no call into the engine's sort). */
const INSERTION_SORT_MAX = 64;

/**
 * The median of the first `count` values of `buffer` (NaN when `count` is 0);
 * sorts them in place, in the order `Float64Array.prototype.sort` gives. For
 * scratch buffers of hot loops (the gates' evaluation) and `median`.
 */
export function medianInPlace(buffer: Float64Array<ArrayBufferLike>, count: number): number {
  if (count === 0) return Number.NaN;
  if (count <= INSERTION_SORT_MAX) {
    for (let i = 1; i < count; i++) {
      const x = buffer[i] as number;
      let j = i - 1;
      while (j >= 0 && sortsBefore(x, buffer[j] as number)) {
        buffer[j + 1] = buffer[j] as number;
        j--;
      }
      buffer[j + 1] = x;
    }
  } else {
    buffer.subarray(0, count).sort();
  }
  const mid = count >> 1;
  return count % 2 === 1 ? (buffer[mid] ?? Number.NaN) : ((buffer[mid - 1] ?? 0) + (buffer[mid] ?? 0)) / 2;
}
