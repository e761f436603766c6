/**
 * Statistics for canary judgement: the Mann-Whitney U test (the test
 * Kayenta uses to compare a canary with its baseline). Medians are
 * src/core/number.ts's `median`.
 *
 * The U test is one-sided: "are the canary's values stochastically greater
 * than the baseline's?". Ties get mid-ranks and the tie-corrected variance;
 * the p-value comes from the normal approximation with a continuity
 * correction (what scipy's `mannwhitneyu(method="asymptotic")` does). Pure and
 * allocation-light: it sorts one combined array per call.
 *
 * @example
 *   const r = mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]);
 *   r.u;      // 16: every canary value exceeds every baseline value
 *   r.pGreater; // ≈ 0.015
 */

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  readonly u: number;
  readonly n1: number;
  readonly n2: number;
  /** One-sided p-value of "x is stochastically greater than y" (1 when undefined). */
  readonly pGreater: number;
  /** Standardised statistic (0 when every value ties). */
  readonly z: number;
}

/**
 * Mann-Whitney U test of `x` (canary) against `y` (baseline), one-sided
 * (x greater). Empty samples give p = 1.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, n1, n2, pGreater: 1, z: 0 };
  const n = n1 + n2;
  // Values tagged with their sample (positions below n1 are x's): sort by value, then assign mid-ranks to runs of ties.
  const order = new Uint32Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n1; i++) values[i] = x[i] ?? 0;
  for (let j = 0; j < n2; j++) values[n1 + j] = y[j] ?? 0;
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0) || a - b);
  let rankSumX = 0;
  let tieTerm = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    const value = values[order[start] ?? 0] ?? 0;
    while (end < n && values[order[end] ?? 0] === value) end++;
    const ties = end - start;
    const rank = (start + 1 + end) / 2; // mid-rank of positions start+1..end
    for (let k = start; k < end; k++) if ((order[k] ?? 0) < n1) rankSumX += rank;
    if (ties > 1) tieTerm += ties * ties * ties - ties;
    start = end;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, n1, n2, pGreater: u > mean ? 0 : 1, z: 0 };
  const sd = Math.sqrt(variance);
  // Continuity correction towards the mean.
  const z = (u - mean - 0.5) / sd;
  return { u, n1, n2, pGreater: upperTail(z), z };
}

/** P(Z > z) for a standard normal Z. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function (Numerical Recipes' erfcc, fractional error
 * below 1.2e-7 everywhere).
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
