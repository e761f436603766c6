/**
 * Gate verdicts: what must hold in a cluster while the change is in it. Each gate
 * watches one metric (or one per APF priority level) and judges the canary
 * two ways:
 *
 * - a **threshold** (an SLO-like limit): breached when the newest
 *   `breachSamples` samples are all beyond it. If most baseline clusters are
 *   beyond it too, the trouble is fleet-wide and the gate *holds* (the rollout
 *   waits, the change is not blamed); otherwise the gate *fails*.
 * - a **comparison with a baseline** of not-yet-changed clusters of the same
 *   size class, as a difference in differences: each cluster's samples minus
 *   its own level before the canary's change. The gate fails when the
 *   canary's median change exceeds the baseline's by more than the allowed
 *   effect (`max(minEffect, tolerance × level before)`) *and* a one-sided
 *   Mann-Whitney U test says so with the configured confidence. A fleet-wide
 *   event moves both alike and does not fail the canary; a canary-only
 *   regression below any threshold does not pass.
 *
 * A series with no sample, or none newer than `staleAfter`, or one its source
 * reports a problem with (SeriesWindow.problem: no data, NaN, stale,
 * unreachable, a query error, a timeout — the message is kept in the result
 * and names the outcome), is *nodata*; the decision core applies the plan's missing-data policy (fail closed by
 * default). Critical gates fail at any time; the others may fail only once a
 * batch's pods are ready and settled (the decision core's rule), because a
 * DaemonSet's start-up is a burst of initial lists by design.
 *
 * The catalogue of gates is gate-catalogue.ts.
 *
 * @example
 *   const results = evaluateGates([{ gate: etcdLatency, series: 'etcd_latency_seconds' }], input, DEFAULT_EVALUATION);
 *   results.filter((result) => result.verdict === 'fail');
 */
import type { GateSeries, GateSpec } from './gate-catalogue.ts';
import type { EvaluationPolicy } from './plan.ts';
import type { SeriesWindow } from './ports.ts';
import { mannWhitneyU } from './stats.ts';
import { median, medianInPlace, significant6 } from '../core/number.ts';

export type SeriesSet = Readonly<Record<string, SeriesWindow>>;
/** Each cluster's level before the canary's change, per series. */
export type Levels = Readonly<Record<string, number>>;

export interface GateInput {
  readonly now: number;
  /** The canary's samples over the judged window. */
  readonly canary: SeriesSet;
  readonly canaryPre: Levels;
  /** Baseline clusters' samples over the same window, and their levels before the canary's change. */
  readonly baselines: readonly { readonly cluster: string; readonly series: SeriesSet; readonly pre: Levels }[];
  /** Samples older than this are left out of the comparison (the batch was not ready yet). */
  readonly compareFrom: number;
}

/** `wait`: the comparison does not have its minimum samples since the batch was ready (the bake cannot end yet). */
export type Verdict = 'pass' | 'fail' | 'hold' | 'nodata' | 'wait';
export type VerdictReason = 'ok' | 'threshold' | 'regression' | 'fleet-wide' | 'missing' | 'stale' | 'no-level-before' | 'warming-up';

/** A gate's verdict with its figures (logged, and the rehearsal JSON's `haltReason.figures`: field names are part of both formats). */
export interface GateResult {
  readonly gate: string;
  readonly series: string;
  readonly verdict: Verdict;
  readonly reason: VerdictReason;
  readonly critical: boolean;
  /** The canary's newest value. */
  readonly value: number | null;
  readonly threshold: number | null;
  /** Canary level before the change. */
  readonly before: number | null;
  /** Median of the baseline clusters' newest values. */
  readonly baselineValue: number | null;
  /** Canary change minus baseline change, in the worse direction (medians). */
  readonly effect: number | null;
  readonly allowed: number | null;
  /** One-sided Mann-Whitney U p-value (null when not computed). */
  readonly p: number | null;
  readonly canarySamples: number;
  readonly baselineSamples: number;
  readonly baselineClusters: number;
  /** What the metric source said about missing data (SeriesWindow.problem), when it said it: present only then. */
  readonly problem?: string;
}

function beyond(value: number, gate: GateSpec, threshold: number): boolean {
  return gate.worse === 'higher' ? value > threshold : value < threshold;
}

/** Judges every gate series for one canary. Pure; deterministic. */
export function evaluateGates(gates: readonly GateSeries[], input: GateInput, policy: EvaluationPolicy): GateResult[] {
  return gates.map((gateSeries) => evaluateOne(gateSeries, input, policy, true) as GateResult);
}

/** Like evaluateGates, but builds results only for gates that do not pass (the hot path of a rollout). */
export function gateIssues(gates: readonly GateSeries[], input: GateInput, policy: EvaluationPolicy): { readonly issues: GateResult[]; readonly passed: number } {
  const issues: GateResult[] = [];
  let passed = 0;
  for (const gateSeries of gates) {
    const result = evaluateOne(gateSeries, input, policy, false);
    if (result === null) passed++;
    else issues.push(result);
  }
  return { issues, passed };
}

// Scratch buffers for the canary's and the baselines' changes: evaluation runs thousands of times per simulated hour.
let canaryScratch: Float64Array<ArrayBufferLike> = new Float64Array(256);
let baselineScratch: Float64Array<ArrayBufferLike> = new Float64Array(4096);

function grow(buffer: Float64Array<ArrayBufferLike>, size: number): Float64Array<ArrayBufferLike> {
  return buffer.length >= size ? buffer : new Float64Array(Math.max(size, buffer.length * 2));
}

function isFresh(window: SeriesWindow | undefined, now: number, staleMs: number): window is SeriesWindow {
  const count = window?.values.length ?? 0;
  return window !== undefined && count > 0 && window.problem === undefined && now - (window.times[count - 1] ?? Number.NEGATIVE_INFINITY) <= staleMs;
}

/** One gate series; null for a pass when `full` is false. */
function evaluateOne(gateSeries: GateSeries, input: GateInput, policy: EvaluationPolicy, full: boolean): GateResult | null {
  const gate = gateSeries.gate;
  const series = gateSeries.series;
  const window = input.canary[series];
  const staleMs = policy.staleAfterS * 1000;
  const count = window?.values.length ?? 0;
  if (window === undefined || count === 0 || window.problem !== undefined) {
    const problem = window?.problem;
    return {
      gate: gate.name,
      series,
      critical: gate.critical,
      threshold: gate.threshold,
      before: finiteOrNull(input.canaryPre[series]),
      verdict: 'nodata',
      reason: problem?.kind === 'stale' ? 'stale' : 'missing',
      value: null,
      baselineValue: null,
      effect: null,
      allowed: null,
      p: null,
      canarySamples: 0,
      baselineSamples: 0,
      baselineClusters: 0,
      ...(problem !== undefined ? { problem: problem.message } : {}),
    };
  }
  const value = window.values[count - 1] ?? Number.NaN;
  if (input.now - (window.times[count - 1] ?? Number.NEGATIVE_INFINITY) > staleMs || !Number.isFinite(value)) {
    return { gate: gate.name, series, critical: gate.critical, threshold: gate.threshold, before: finiteOrNull(input.canaryPre[series]), verdict: 'nodata', reason: 'stale', value: significant6(value), baselineValue: null, effect: null, allowed: null, p: null, canarySamples: count, baselineSamples: 0, baselineClusters: 0 };
  }
  // Threshold: the newest `breachSamples` canary samples all beyond it.
  let breached = false;
  if (gate.threshold !== null) {
    const needed = Math.max(1, policy.breachSamples);
    if (count >= needed) {
      breached = true;
      for (let i = count - needed; i < count; i++) if (!beyond(window.values[i] ?? Number.NaN, gate, gate.threshold)) breached = false;
    }
  }
  // Comparison: difference in differences over samples since `compareFrom`.
  let canaryCount = 0;
  let baselineCount = 0;
  let canaryMedian = Number.NaN;
  let baselineMin = Number.POSITIVE_INFINITY;
  let allowed: number | null = null;
  let regression = false;
  let effect: number | null = null;
  let pValue: number | null = null;
  const pre = input.canaryPre[series];
  const sign = gate.worse === 'higher' ? 1 : -1;
  const noLevel = gate.compare && (pre === undefined || !Number.isFinite(pre));
  if (gate.compare && pre !== undefined && Number.isFinite(pre)) {
    canaryScratch = grow(canaryScratch, count);
    for (let i = 0; i < count; i++) if ((window.times[i] ?? 0) >= input.compareFrom) canaryScratch[canaryCount++] = sign * ((window.values[i] ?? 0) - pre);
    allowed = Math.max(gate.minEffect, gate.tolerance * Math.abs(pre));
    if (canaryCount >= policy.minSamples) {
      canaryMedian = medianInPlace(canaryScratch, canaryCount);
      for (const baseline of input.baselines) {
        const baselineWindow = baseline.series[series];
        const baselinePre = baseline.pre[series];
        if (!isFresh(baselineWindow, input.now, staleMs) || baselinePre === undefined || !Number.isFinite(baselinePre)) continue;
        baselineScratch = grow(baselineScratch, baselineCount + baselineWindow.values.length);
        for (let i = 0; i < baselineWindow.values.length; i++) {
          if ((baselineWindow.times[i] ?? 0) < input.compareFrom) continue;
          const change = sign * ((baselineWindow.values[i] ?? 0) - baselinePre);
          baselineScratch[baselineCount++] = change;
          if (change < baselineMin) baselineMin = change;
        }
      }
      // Exact shortcut: the median of the baseline changes is at least their minimum.
      if (canaryMedian - (baselineCount > 0 ? baselineMin : 0) > allowed) {
        const baselineMedian = baselineCount > 0 ? medianInPlace(baselineScratch, baselineCount) : 0;
        effect = canaryMedian - baselineMedian;
        if (effect > allowed) {
          if (baselineCount >= policy.minSamples) {
            pValue = mannWhitneyU(Array.from(canaryScratch.subarray(0, canaryCount)), Array.from(baselineScratch.subarray(0, baselineCount))).pGreater;
            regression = pValue < 1 - policy.confidence;
          } else {
            // Without a baseline the canary is judged against its own level before the change.
            regression = true;
          }
        }
      }
    }
  }
  const warming = gate.compare && !noLevel && canaryCount < policy.minSamples;
  if (!breached && !regression && !warming && !noLevel && !full) return null;
  // Baseline clusters with a fresh sample of this series: their newest values.
  const latest: number[] = [];
  for (const baseline of input.baselines) {
    const baselineWindow = baseline.series[series];
    if (isFresh(baselineWindow, input.now, staleMs)) latest.push(baselineWindow.values[baselineWindow.values.length - 1] ?? Number.NaN);
  }
  const fleetWide = breached && gate.threshold !== null && latest.length > 0 && latest.filter((newest) => beyond(newest, gate, gate.threshold as number)).length * 2 >= latest.length;
  if (effect === null && canaryCount >= policy.minSamples && allowed !== null) effect = canaryMedian - (baselineCount > 0 ? medianInPlace(baselineScratch, baselineCount) : 0);
  const verdict: Verdict = breached ? (fleetWide ? 'hold' : 'fail') : regression ? 'fail' : noLevel ? 'nodata' : warming ? 'wait' : 'pass';
  const reason: VerdictReason = breached ? (fleetWide ? 'fleet-wide' : 'threshold') : regression ? 'regression' : noLevel ? 'no-level-before' : warming ? 'warming-up' : 'ok';
  return {
    gate: gate.name,
    series,
    critical: gate.critical,
    threshold: gate.threshold,
    before: finiteOrNull(pre),
    verdict,
    reason,
    value: significant6(value),
    baselineValue: latest.length > 0 ? significant6(median(latest)) : null,
    effect: effect === null ? null : significant6(effect),
    allowed: allowed === null ? null : significant6(allowed),
    p: pValue === null ? null : significant6(pValue),
    canarySamples: canaryCount,
    baselineSamples: baselineCount,
    baselineClusters: latest.length,
  };
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? significant6(x) : null;
}

/** One line saying why a gate failed or held, with the figures. */
export function describeResult(cluster: string, result: GateResult): string {
  const show = (x: number | null): string => (x === null ? '—' : String(significant6(x)));
  switch (result.reason) {
    case 'missing':
      return result.problem !== undefined ? `${result.gate} on ${cluster}: ${result.problem}` : `${result.gate} on ${cluster}: no samples of ${result.series}`;
    case 'stale':
      return result.problem !== undefined ? `${result.gate} on ${cluster}: ${result.problem}` : `${result.gate} on ${cluster}: the newest sample of ${result.series} is stale`;
    case 'no-level-before':
      return `${result.gate} on ${cluster}: no samples of ${result.series} before the change to compare with`;
    case 'warming-up':
      return `${result.gate} on ${cluster}: ${result.canarySamples} sample(s) of ${result.series} since the batch was ready, the comparison needs more`;
    case 'threshold':
      return `${result.gate} on ${cluster}: ${result.series} = ${show(result.value)} is beyond the threshold ${show(result.threshold)} while the baseline is not (baseline ${show(result.baselineValue)})`;
    case 'fleet-wide':
      return `${result.gate} on ${cluster}: ${result.series} = ${show(result.value)} is beyond the threshold ${show(result.threshold)}, but so is the baseline (${show(result.baselineValue)}): fleet-wide, not blamed on the change`;
    case 'regression':
      return (
        `${result.gate} on ${cluster}: ${result.series} worsened by ${show(result.effect)} more than its ${result.baselineClusters} baseline cluster(s) ` +
        `(now ${show(result.value)}, before the change ${show(result.before)}, baseline now ${show(result.baselineValue)}; allowed ${show(result.allowed)}` +
        `${result.p === null ? ', no baseline samples' : `; Mann-Whitney U p = ${show(result.p)}`})`
      );
    case 'ok':
      return `${result.gate} on ${cluster}: ok`;
  }
}
