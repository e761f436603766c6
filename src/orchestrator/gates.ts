/**
 * Gates: what must hold in a cluster while the change is in it. Each gate
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
 * A series with no sample, or none newer than `staleAfter`, is *nodata*; the
 * decision core applies the plan's missing-data policy (fail closed by
 * default). Critical gates fail at any time; the others may fail only once a
 * batch's pods are ready and settled (the decision core's rule), because a
 * DaemonSet's start-up is a burst of initial lists by design.
 *
 * @example
 *   const results = evaluateGates(gateCatalogue(), input, DEFAULT_EVALUATION);
 *   results.filter((r) => r.verdict === 'fail');
 */
import { seriesName, type SeriesWindow } from './ports.ts';
import { mannWhitneyU, median } from './stats.ts';
import type { EvaluationPolicy } from './plan.ts';

export type GateGroup = 'control-plane' | 'workload' | 'change' | 'custom';

/** Gate metric names: the orchestrator's vocabulary; sources map them to what they have. */
export const GATE_METRICS = [
  'apiserver_p99_single_object_seconds',
  'apiserver_p99_seconds',
  'apiserver_429_ratio',
  'apiserver_success_ratio',
  'apf_seat_utilisation',
  'apiserver_memory_ratio',
  'apiserver_restarts',
  'apiserver_ready_ratio',
  'etcd_latency_seconds',
  'dns_servfail_ratio',
  'dns_p99_seconds',
  'nodes_not_ready_ratio',
  'workload_error_ratio',
  'workload_p99_seconds',
  'workload_pods_ready_ratio',
] as const;

export interface GateSpec {
  readonly name: string;
  readonly group: GateGroup;
  /** `metric` gates read a metric source; the `rollout` gate reads the change's own status from the target. */
  readonly kind: 'metric' | 'rollout';
  readonly metric: string;
  /** One series per APF priority level (`metric{level}`). */
  readonly perLevel: boolean;
  /** Which way is worse. */
  readonly worse: 'higher' | 'lower';
  /** SLO-like limit; null: comparison only. */
  readonly threshold: number | null;
  /** Fails at any time, even while a batch's pods are starting. */
  readonly critical: boolean;
  /** Compare with the baseline (difference in differences + Mann-Whitney U). */
  readonly compare: boolean;
  /** Allowed worsening relative to the canary's level before the change. */
  readonly tolerance: number;
  /** Allowed worsening in the metric's own unit (a floor under the relative tolerance). */
  readonly minEffect: number;
  readonly enabled: boolean;
  /** Defined by the plan rather than built in (an unavailable metric then refuses to start). */
  readonly custom: boolean;
  readonly description: string;
}

function gate(name: string, group: GateGroup, metric: string, worse: 'higher' | 'lower', threshold: number | null, critical: boolean, tolerance: number, minEffect: number, description: string, perLevel = false): GateSpec {
  return { name, group, kind: 'metric', metric, perLevel, worse, threshold, critical, compare: true, tolerance, minEffect, enabled: true, custom: false, description };
}

/**
 * The built-in gates, on by default. Thresholds follow the Kubernetes SLOs
 * (single-object calls ≤ 1 s, lists ≤ 30 s) and the usual alert levels; the
 * comparison catches what stays under them.
 */
export function gateCatalogue(): GateSpec[] {
  return [
    gate('api-latency-single-object', 'control-plane', 'apiserver_p99_single_object_seconds', 'higher', 1, false, 0.5, 0.1, 'p99 latency of single-object API calls (SLO: 1 s).'),
    gate('api-latency-list', 'control-plane', 'apiserver_p99_seconds', 'higher', 30, false, 0.5, 1, 'p99 latency of API calls including lists (SLO: 30 s).'),
    gate('api-rejections', 'control-plane', 'apiserver_429_ratio', 'higher', 0.01, true, 0, 0.005, 'Share of API requests rejected with 429.'),
    gate('api-errors', 'control-plane', 'apiserver_success_ratio', 'lower', 0.99, true, 0, 0.005, 'Share of ordinary API requests served without error.'),
    gate('apf-seat-saturation', 'control-plane', 'apf_seat_utilisation', 'higher', null, false, 0.5, 0.15, 'APF seat utilisation per priority level.', true),
    gate('apiserver-memory', 'control-plane', 'apiserver_memory_ratio', 'higher', 0.8, true, 0.25, 0.05, 'API server memory as a fraction of its limit.'),
    gate('apiserver-restarts', 'control-plane', 'apiserver_restarts', 'higher', 0, true, 0, 0.5, 'API server restarts in the last minute.'),
    gate('apiserver-ready', 'control-plane', 'apiserver_ready_ratio', 'lower', 1, true, 0, 0.05, 'API server replicas ready.'),
    gate('etcd-latency', 'control-plane', 'etcd_latency_seconds', 'higher', 0.25, false, 0.5, 0.005, 'etcd request latency.'),
    gate('dns-servfail', 'control-plane', 'dns_servfail_ratio', 'higher', 0.01, true, 0, 0.005, 'Share of DNS lookups answered SERVFAIL.'),
    gate('dns-latency', 'control-plane', 'dns_p99_seconds', 'higher', 1, false, 0.5, 0.05, 'p99 DNS lookup latency.'),
    gate('nodes-not-ready', 'control-plane', 'nodes_not_ready_ratio', 'higher', 0.01, true, 0, 0.005, 'Share of nodes NotReady.'),
    gate('workload-errors', 'workload', 'workload_error_ratio', 'higher', 0.01, true, 0, 0.005, "Error rate of the cluster's workloads."),
    gate('workload-latency', 'workload', 'workload_p99_seconds', 'higher', null, false, 0.25, 0.05, "p99 latency of the cluster's workloads."),
    gate('workload-pods-ready', 'workload', 'workload_pods_ready_ratio', 'lower', 0.99, true, 0, 0.005, "Share of the workloads' pods ready."),
    {
      name: 'change-rollout',
      group: 'change',
      kind: 'rollout',
      metric: '',
      perLevel: false,
      worse: 'lower',
      threshold: null,
      critical: true,
      compare: false,
      tolerance: 0,
      minEffect: 0,
      enabled: true,
      custom: false,
      description: "The change's own health: every pod of a batch ready within the progress deadline.",
    },
  ];
}

/** A gate with its series resolved (per-level gates expanded over the source's levels). */
export interface GateSeries {
  readonly gate: GateSpec;
  readonly series: string;
}

// The series vocabulary belongs to the metric-source port (ports.ts); re-exported for the gates' users.
export { seriesName, type SeriesWindow };

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
}

/** Rounds to 6 significant digits, so results read well and serialise compactly. */
function sig(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

function beyond(v: number, g: GateSpec, threshold: number): boolean {
  return g.worse === 'higher' ? v > threshold : v < threshold;
}

/** Judges every gate series for one canary. Pure; deterministic. */
export function evaluateGates(gates: readonly GateSeries[], input: GateInput, policy: EvaluationPolicy): GateResult[] {
  return gates.map((gs) => evaluateOne(gs, input, policy, true) as GateResult);
}

/** Like evaluateGates, but builds results only for gates that do not pass (the hot path of a rollout). */
export function gateIssues(gates: readonly GateSeries[], input: GateInput, policy: EvaluationPolicy): { readonly issues: GateResult[]; readonly passed: number } {
  const issues: GateResult[] = [];
  let passed = 0;
  for (const gs of gates) {
    const r = evaluateOne(gs, input, policy, false);
    if (r === null) passed++;
    else issues.push(r);
  }
  return { issues, passed };
}

// Scratch buffers for deltas: evaluation runs thousands of times per simulated hour.
let scratchC: Float64Array<ArrayBufferLike> = new Float64Array(256);
let scratchB: Float64Array<ArrayBufferLike> = new Float64Array(4096);

function grow(buf: Float64Array<ArrayBufferLike>, n: number): Float64Array<ArrayBufferLike> {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/** Median of the first n values of buf (sorts them in place). */
function medianOf(buf: Float64Array<ArrayBufferLike>, n: number): number {
  if (n === 0) return Number.NaN;
  const s = buf.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function isFresh(w: SeriesWindow | undefined, now: number, staleMs: number): w is SeriesWindow {
  const m = w?.v.length ?? 0;
  return w !== undefined && m > 0 && now - (w.t[m - 1] ?? Number.NEGATIVE_INFINITY) <= staleMs;
}

/** One gate series; null for a pass when `full` is false. */
function evaluateOne(gs: GateSeries, input: GateInput, policy: EvaluationPolicy, full: boolean): GateResult | null {
  const g = gs.gate;
  const s = gs.series;
  const w = input.canary[s];
  const staleMs = policy.staleAfterS * 1000;
  const n = w?.v.length ?? 0;
  const base = (): Pick<GateResult, 'gate' | 'series' | 'critical' | 'threshold' | 'before'> => ({ gate: g.name, series: s, critical: g.critical, threshold: g.threshold, before: finiteOrNull(input.canaryPre[s]) });
  if (w === undefined || n === 0) {
    return { ...base(), verdict: 'nodata', reason: 'missing', value: null, baselineValue: null, effect: null, allowed: null, p: null, canarySamples: 0, baselineSamples: 0, baselineClusters: 0 };
  }
  const value = w.v[n - 1] ?? Number.NaN;
  if (input.now - (w.t[n - 1] ?? Number.NEGATIVE_INFINITY) > staleMs || !Number.isFinite(value)) {
    return { ...base(), verdict: 'nodata', reason: 'stale', value: sig(value), baselineValue: null, effect: null, allowed: null, p: null, canarySamples: n, baselineSamples: 0, baselineClusters: 0 };
  }
  // Threshold: the newest `breachSamples` canary samples all beyond it.
  let breached = false;
  if (g.threshold !== null) {
    const k = Math.max(1, policy.breachSamples);
    if (n >= k) {
      breached = true;
      for (let i = n - k; i < n; i++) if (!beyond(w.v[i] ?? Number.NaN, g, g.threshold)) breached = false;
    }
  }
  // Comparison: difference in differences over samples since `compareFrom`.
  let n1 = 0;
  let n2 = 0;
  let medC = Number.NaN;
  let minB = Number.POSITIVE_INFINITY;
  let allowed: number | null = null;
  let regression = false;
  let effect: number | null = null;
  let p: number | null = null;
  const pre = input.canaryPre[s];
  const sign = g.worse === 'higher' ? 1 : -1;
  const noLevel = g.compare && (pre === undefined || !Number.isFinite(pre));
  if (g.compare && pre !== undefined && Number.isFinite(pre)) {
    scratchC = grow(scratchC, n);
    for (let i = 0; i < n; i++) if ((w.t[i] ?? 0) >= input.compareFrom) scratchC[n1++] = sign * ((w.v[i] ?? 0) - pre);
    allowed = Math.max(g.minEffect, g.tolerance * Math.abs(pre));
    if (n1 >= policy.minSamples) {
      medC = medianOf(scratchC, n1);
      for (const b of input.baselines) {
        const bw = b.series[s];
        const bp = b.pre[s];
        if (!isFresh(bw, input.now, staleMs) || bp === undefined || !Number.isFinite(bp)) continue;
        scratchB = grow(scratchB, n2 + bw.v.length);
        for (let i = 0; i < bw.v.length; i++) {
          if ((bw.t[i] ?? 0) < input.compareFrom) continue;
          const x = sign * ((bw.v[i] ?? 0) - bp);
          scratchB[n2++] = x;
          if (x < minB) minB = x;
        }
      }
      // Exact shortcut: the median of the baseline changes is at least their minimum.
      if (medC - (n2 > 0 ? minB : 0) > allowed) {
        const medB = n2 > 0 ? medianOf(scratchB, n2) : 0;
        effect = medC - medB;
        if (effect > allowed) {
          if (n2 >= policy.minSamples) {
            p = mannWhitneyU(Array.from(scratchC.subarray(0, n1)), Array.from(scratchB.subarray(0, n2))).pGreater;
            regression = p < 1 - policy.confidence;
          } else {
            // Without a baseline the canary is judged against its own level before the change.
            regression = true;
          }
        }
      }
    }
  }
  const warming = g.compare && !noLevel && n1 < policy.minSamples;
  if (!breached && !regression && !warming && !noLevel && !full) return null;
  // Baseline clusters with a fresh sample of this series: their newest values.
  const latest: number[] = [];
  for (const b of input.baselines) {
    const bw = b.series[s];
    if (isFresh(bw, input.now, staleMs)) latest.push(bw.v[bw.v.length - 1] ?? Number.NaN);
  }
  const fleetWide = breached && g.threshold !== null && latest.length > 0 && latest.filter((v) => beyond(v, g, g.threshold as number)).length * 2 >= latest.length;
  if (effect === null && n1 >= policy.minSamples && allowed !== null) effect = medC - (n2 > 0 ? medianOf(scratchB, n2) : 0);
  const verdict: Verdict = breached ? (fleetWide ? 'hold' : 'fail') : regression ? 'fail' : noLevel ? 'nodata' : warming ? 'wait' : 'pass';
  const reason: VerdictReason = breached ? (fleetWide ? 'fleet-wide' : 'threshold') : regression ? 'regression' : noLevel ? 'no-level-before' : warming ? 'warming-up' : 'ok';
  return {
    ...base(),
    verdict,
    reason,
    value: sig(value),
    baselineValue: latest.length > 0 ? sig(median(latest)) : null,
    effect: effect === null ? null : sig(effect),
    allowed: allowed === null ? null : sig(allowed),
    p: p === null ? null : sig(p),
    canarySamples: n1,
    baselineSamples: n2,
    baselineClusters: latest.length,
  };
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? sig(x) : null;
}

/** One line saying why a gate failed or held, with the figures. */
export function describeResult(cluster: string, r: GateResult): string {
  const fmt = (x: number | null): string => (x === null ? '—' : String(sig(x)));
  switch (r.reason) {
    case 'missing':
      return `${r.gate} on ${cluster}: no samples of ${r.series}`;
    case 'stale':
      return `${r.gate} on ${cluster}: the newest sample of ${r.series} is stale`;
    case 'no-level-before':
      return `${r.gate} on ${cluster}: no samples of ${r.series} before the change to compare with`;
    case 'warming-up':
      return `${r.gate} on ${cluster}: ${r.canarySamples} sample(s) of ${r.series} since the batch was ready, the comparison needs more`;
    case 'threshold':
      return `${r.gate} on ${cluster}: ${r.series} = ${fmt(r.value)} is beyond the threshold ${fmt(r.threshold)} while the baseline is not (baseline ${fmt(r.baselineValue)})`;
    case 'fleet-wide':
      return `${r.gate} on ${cluster}: ${r.series} = ${fmt(r.value)} is beyond the threshold ${fmt(r.threshold)}, but so is the baseline (${fmt(r.baselineValue)}): fleet-wide, not blamed on the change`;
    case 'regression':
      return (
        `${r.gate} on ${cluster}: ${r.series} worsened by ${fmt(r.effect)} more than its ${r.baselineClusters} baseline cluster(s) ` +
        `(now ${fmt(r.value)}, before the change ${fmt(r.before)}, baseline now ${fmt(r.baselineValue)}; allowed ${fmt(r.allowed)}` +
        `${r.p === null ? ', no baseline samples' : `; Mann-Whitney U p = ${fmt(r.p)}`})`
      );
    case 'ok':
      return `${r.gate} on ${cluster}: ok`;
  }
}
