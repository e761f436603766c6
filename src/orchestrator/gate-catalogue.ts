/**
 * The gate catalogue: what a gate is (one metric judged by a threshold and a
 * comparison with baseline clusters, or the change's own rollout status),
 * the built-in gates a plan starts from (a per-level gate has one series per
 * APF priority level, named by ports.ts `seriesName`). Plans (plan.ts) list
 * these; gates.ts judges them.
 *
 * @example
 *   gateCatalogue().filter((gate) => gate.critical).map((gate) => gate.name); // ['api-rejections', 'api-errors', …]
 */

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

/** The per-level gate's metric (APF seat utilisation per priority level). */
export const APF_GATE_METRIC = 'apf_seat_utilisation';

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
 * The built-in gates, on by default. Thresholds follow the Kubernetes API
 * call latency SLOs (single-object calls ≤ 1 s, cluster-wide lists ≤ 30 s at
 * the 99th percentile: kubernetes/community, sig-scalability/slos/api_call_latency.md)
 * and the usual alert levels; the comparison catches what stays under them.
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
