/**
 * Per-cluster metrics the twin exposes every step, to alert rules, to the
 * report and to outside controllers (the rollout orchestrator's gates). Names
 * follow the Prometheus metrics a real cluster would be judged by, so the same
 * gates can later read Prometheus.
 */
export const METRIC_NAMES = [
  /** Fraction of ordinary (non-change, non-operator) requests served without error. */
  'apiserver_success_ratio',
  /** Fraction of all requests rejected with 429 (APF queue full or queue wait exceeded). */
  'apiserver_429_ratio',
  /** p99 latency proxy of ordinary requests, seconds (see docs/model.md). */
  'apiserver_p99_seconds',
  /** p99 latency of single-object reads and writes (SLO 1 s). */
  'apiserver_p99_single_object_seconds',
  /** API server replicas ready / desired. */
  'apiserver_ready_ratio',
  /** API server restarts in the last minute. */
  'apiserver_restarts',
  /** Highest memory use of a live replica as a fraction of its limit. */
  'apiserver_memory_ratio',
  /**
   * Share of the ready API servers' CPU in use: the cores their requests in flight use (each spends
   * its CPU time, src/model/cost.ts, over its service time stretched by the slowdown, or within the
   * step when shorter) and delivering watch events takes (src/model/cpu-sharing.ts), over their
   * cores, at most 1; 0 when none is ready (docs/model.md, "API server CPU").
   */
  'apiserver_cpu_ratio',
  /** Highest APF seat utilisation over limited priority levels (in use + queued) / capacity. */
  'apf_seat_saturation',
  /** Requests per second the API servers received. */
  'apiserver_requests_per_second',
  /** etcd request latency, seconds. */
  'etcd_latency_seconds',
  /** Fraction of DNS lookups reaching CoreDNS that fail (SERVFAIL or timeout). */
  'dns_servfail_ratio',
  /** Fraction of node-cache DNS records still valid (fresh). */
  'dns_cache_valid_ratio',
  /** Fraction of nodes NotReady (no lease renewal within the grace period). */
  'nodes_not_ready_ratio',
  /** Data-plane request error ratio of this cluster's services. */
  'dataplane_error_ratio',
  /** Share of the fleet's customer traffic this cluster carries. */
  'traffic_share',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** One cluster's metrics at one instant (values as named above). */
export type MetricSample = Readonly<Record<MetricName, number>>;

/** Per-priority-level view, for gates on APF saturation per level. */
export interface LevelSample {
  readonly level: string;
  readonly seats: number;
  readonly inUse: number;
  readonly queued: number;
  readonly rejectedPerS: number;
}

/**
 * One client class's requests in the last step (counts in the step; TwinApi.requestClassesAt):
 * `arrivals` reached the API server, `ok` were served, `failed` failed (timeouts, an OOM-killed
 * replica's share, and, with no API server ready or a network block, those that never connected),
 * `rejected` were refused by APF (429). `latencyS` is the class's latency (the request timeout
 * when most failed: the twin's p99 rule, docs/model.md).
 */
export interface RequestClassSample {
  readonly name: string;
  readonly group: 'nodes' | 'change' | 'workloads' | 'control' | 'operator';
  readonly level: string;
  readonly verb: 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';
  /** Plural resource (`pods`); `external` for requests submitted through the served API. */
  readonly resource: string;
  readonly scope: 'cluster' | 'namespace' | 'node';
  readonly singleObject: boolean;
  /** Counts toward the twin's control-plane health (apiserver_success_ratio, the p99s). */
  readonly ordinary: boolean;
  readonly arrivals: number;
  readonly ok: number;
  readonly failed: number;
  readonly rejected: number;
  readonly latencyS: number;
  /** Requests executing and waiting in APF queues now. */
  readonly inflight: number;
  readonly queued: number;
}

/** One API server replica now (TwinApi.replicasAt). */
export interface ReplicaSample {
  readonly state: 'ready' | 'starting' | 'down';
  /** Restarts since the start (OOM kills, kills). */
  readonly restarts: number;
  /** Memory it holds, bytes (0 unless ready). */
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
}

/** Objects of one resource the cluster stores (TwinApi.storedObjectsAt). */
export interface StoredObjects {
  readonly resource: string;
  readonly count: number;
}
