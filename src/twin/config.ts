/**
 * The twin's model parameters, all with defaults. Scenarios override any of
 * them (`spec.model`, a deep partial). Sources: ../shared/reference/
 * kubernetes-control-plane.md ("ref"); parameters fitted within published
 * ranges are listed with their reasons in docs/twin-calibration.md ("cal").
 */
import {
  CLIENT_GO_BACKOFF,
  CRASHLOOP_BACKOFF,
  DEFAULT_PRIORITY_LEVELS,
  DEFAULT_QUEUE_WAIT_S,
  DEFAULT_REQUEST_TIMEOUT_S,
  DEFAULT_SERVER_SEATS,
  NODE_LEASE_PERIOD_S,
  NODE_MONITOR_GRACE_S,
  RETRY_AFTER_MAX_S,
  RETRY_AFTER_MIN_S,
  type PriorityLevelSpec,
} from '../model/kubernetes.ts';
import { DEFAULT_COST_PARAMS, type CostParams } from '../model/cost.ts';
import type { ObjectSizes } from '../model/resources.ts';

const GiB = 1024 ** 3;

/** Control-plane machine size for clusters of at least `minNodes` nodes (per API server replica). */
export interface SizingTier {
  readonly minNodes: number;
  readonly cpuCores: number;
  readonly memoryBytes: number;
}

export interface ApiServerModel {
  readonly replicas: number;
  /** Seats per replica: 400 + 200 (ref). */
  readonly seats: number;
  readonly requestTimeoutS: number;
  readonly queueWaitS: number;
  readonly sizing: readonly SizingTier[];
  /** Resident memory besides the watch cache and requests. */
  readonly baseMemoryBytes: number;
  /**
   * Extra resident memory per byte of transient (request) memory: Go's GC lets
   * the heap grow to (1 + GOGC/100) × live before collecting; GOGC=100 by
   * default, so between 0 and 1.
   */
  readonly gcHeadroom: number;
  /**
   * Share of a request's service time over which its memory builds up: etcd
   * hands over the whole range response early, so most of a LIST's memory is
   * held soon after it starts.
   */
  readonly memoryRampShare: number;
  /** Watch cache memory as a multiple of stored bytes. */
  readonly watchCacheFactor: number;
  /** Time to start once the container runs, before filling the watch cache. */
  readonly startupS: number;
  /** Rate at which a starting API server fills its watch cache from etcd. */
  readonly startupBytesPerS: number;
  readonly crashLoopInitialS: number;
  readonly crashLoopMaxS: number;
  /** Running this long without a crash resets the crash-loop backoff (kubelet: 10 min). */
  readonly crashLoopResetS: number;
  /** Per-replica spread of the effective memory limit (machines differ), fraction. */
  readonly memoryJitter: number;
  readonly retryAfterMinS: number;
  readonly retryAfterMaxS: number;
  /**
   * The load balancer in front of the API servers, through which people and
   * tools outside the cluster (kubectl, the orchestrator) reach them; pods
   * inside reach each API server directly through the `kubernetes` Service.
   * A replica receives balanced traffic only after passing its health check
   * `healthyAfterS` in a row, and keeps receiving it (and refusing it) until
   * it has failed for `unhealthyAfterS`.
   */
  readonly loadBalancer: { readonly healthyAfterS: number; readonly unhealthyAfterS: number };
}

export interface EtcdModel {
  /** Bytes per second etcd can serve to range reads. */
  readonly readBytesPerS: number;
  /** Writes per second before latency climbs. */
  readonly writesPerS: number;
  readonly baseLatencyS: number;
  readonly maxLatencyS: number;
  /** Seconds of added latency for small requests per second of range-read backlog. */
  readonly rangeInterference: number;
}

/** Object sizes and counts per cluster (shared with the analyzer: src/model/resources.ts). */
export type ObjectModel = ObjectSizes;

export interface ClientsModel {
  readonly leasePeriodS: number;
  readonly nodeStatusPeriodS: number;
  readonly nodeMonitorGraceS: number;
  /** Cluster-wide pod informers of control-plane components (controller-manager and scheduler share one per process via SharedInformerFactory). */
  readonly controllerInformers: number;
  /** Controller writes per pod event (status, bindings, endpoints). */
  readonly controllerWritesPerPodEvent: number;
  /** Other workloads' service accounts (operators, apps): calls per namespace per second. */
  readonly workloadCallsPerNamespaceS: number;
  readonly backoffInitialS: number;
  readonly backoffFactor: number;
  readonly backoffMaxS: number;
  readonly backoffJitter: number;
  /** Garbage collector / controller-manager client QPS (deleting a DaemonSet's pods). */
  readonly controllerQps: number;
  /**
   * Leader election of kube-controller-manager and kube-scheduler (their
   * defaults): a leader that cannot renew its lease for `renewDeadlineS` exits
   * and restarts with empty informer caches; a new leader can take the lease
   * once it has not been renewed for `leaseDurationS`, and controllers act
   * only after their caches have synced.
   */
  readonly leaderElection: { readonly leaseDurationS: number; readonly renewDeadlineS: number };
}

export interface DnsRecordClass {
  /** Time to live of the records in node-level caches. */
  readonly ttlS: number;
  /** Share of lookups that use records of this class. */
  readonly weight: number;
}

export interface DnsModel {
  /** CoreDNS replicas: 'auto' = kube-dns autoscaler, max(min, ceil(nodes / nodesPerReplica)) (ref). */
  readonly replicas: number | 'auto';
  readonly nodesPerReplica: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Where CoreDNS runs: on worker nodes, or on the control-plane nodes beside the API servers. */
  readonly placement: 'workers' | 'control-plane';
  /** Hazard per second that a CoreDNS replica on a control-plane node is killed at full node pressure. */
  readonly killRateAtPressure: number;
  /** Control-plane node memory pressure starts at this fraction of the node's memory. */
  readonly pressureThreshold: number;
  /** Time to recreate, schedule and start an evicted CoreDNS pod once controllers reach the API. */
  readonly recreateS: number;
  /** A CoreDNS started during an outage waits this long, then answers SERVFAIL (ref). */
  readonly syncTimeoutS: number;
  /** Queries per second one CoreDNS replica answers. */
  readonly qpsPerReplica: number;
  /** Lookups per node per second that reach CoreDNS in steady state (misses of the node-local cache). */
  readonly lookupsPerNodeS: number;
  /** Node-level cache: record classes by TTL. */
  readonly records: readonly DnsRecordClass[];
  /** RFC 8767 serve-stale in the node cache. */
  readonly serveStale: boolean;
  readonly maxStaleS: number;
  /** Resolver attempts per lookup (glibc: 2). */
  readonly attempts: number;
}

export interface DataPlaneModel {
  /** Share of requests that need a fresh DNS resolution path (the rest do not depend on discovery). */
  readonly dnsDependentShare: number;
  /** Spare capacity each cluster can take when traffic is shifted to it, fraction of its own load. */
  readonly headroom: number;
}

export interface ChangeRolloutModel {
  /** DaemonSet controller pod creations per second (slow-start batches, controller QPS). */
  readonly podCreationsPerS: number;
  /** Seconds from pod creation to the agent's first API call (schedule, pull, start). */
  readonly startDelayS: number;
  /** Spread of start delays, seconds (uniform on [delay, delay + spread]). */
  readonly startSpreadS: number;
}

export interface EngineModel {
  /**
   * Longest single step of a cluster with no API server ready, seconds (0 or 1: always the
   * scenario's step). Such a cluster serves nothing; it is advanced in one step until its next
   * discrete event, and never longer than a pending client's retry wait (docs/model.md).
   */
  readonly coarseDownStepS: number;
}

export interface ModelConfig {
  readonly apiServer: ApiServerModel;
  readonly apf: { readonly levels: readonly PriorityLevelSpec[] };
  readonly costs: CostParams;
  readonly etcd: EtcdModel;
  readonly objects: ObjectModel;
  readonly clients: ClientsModel;
  readonly dns: DnsModel;
  readonly dataPlane: DataPlaneModel;
  readonly change: ChangeRolloutModel;
  readonly engine: EngineModel;
}

export const DEFAULT_MODEL: ModelConfig = {
  apiServer: {
    replicas: 3,
    seats: DEFAULT_SERVER_SEATS,
    requestTimeoutS: DEFAULT_REQUEST_TIMEOUT_S,
    queueWaitS: DEFAULT_QUEUE_WAIT_S,
    // Control-plane machine per cluster size: the Kubernetes "Considerations for large clusters"
    // table for GCE (11–100 nodes n1-standard-4, 101–250 n1-standard-8, 251–500 n1-standard-16,
    // more than 500 n1-standard-32 = 32 vCPU, 120 GB).
    sizing: [
      { minNodes: 0, cpuCores: 4, memoryBytes: 15 * GiB },
      { minNodes: 101, cpuCores: 8, memoryBytes: 30 * GiB },
      { minNodes: 251, cpuCores: 16, memoryBytes: 60 * GiB },
      { minNodes: 501, cpuCores: 32, memoryBytes: 120 * GiB },
    ],
    baseMemoryBytes: 2 * GiB,
    gcHeadroom: 0.85,
    memoryRampShare: 0.1,
    watchCacheFactor: 3,
    startupS: 20,
    startupBytesPerS: 200e6,
    crashLoopInitialS: CRASHLOOP_BACKOFF.initialS,
    crashLoopMaxS: CRASHLOOP_BACKOFF.maxS,
    crashLoopResetS: 600,
    memoryJitter: 0.05,
    retryAfterMinS: RETRY_AFTER_MIN_S,
    retryAfterMaxS: RETRY_AFTER_MAX_S,
    // cal: a cloud network load balancer checking every 30 s, healthy / unhealthy after 2 checks in
    // a row. Published defaults span 4 s (HAProxy in kubeadm's HA guide: 2 s, rise 2, fall 3) to
    // 150 s / 60 s (AWS NLB: 30 s, 5 healthy, 2 unhealthy); Google Cloud 10 s. docs/twin-calibration.md.
    loadBalancer: { healthyAfterS: 60, unhealthyAfterS: 60 },
  },
  apf: { levels: DEFAULT_PRIORITY_LEVELS },
  costs: DEFAULT_COST_PARAMS,
  etcd: { readBytesPerS: 400e6, writesPerS: 10_000, baseLatencyS: 0.005, maxLatencyS: 30, rangeInterference: 0.01 },
  objects: {
    // cal: JSON pods with managedFields, several containers and env: 5–20 KiB; see docs/twin-calibration.md.
    podBytes: 12 * 1024,
    nodeBytes: 12_288,
    serviceBytes: 1024,
    endpointSliceBytes: 2048,
    configMapBytes: 2048,
    servicesPer100Pods: 5,
    configMapsPerNamespace: 10,
    podsPerNamespace: 200,
    podEventsPerPodS: 1 / 600,
    nodeEventsPerNodeS: 1 / 60,
    serviceEventsPerServiceS: 1 / 3600,
  },
  clients: {
    leasePeriodS: NODE_LEASE_PERIOD_S,
    nodeStatusPeriodS: 60,
    nodeMonitorGraceS: NODE_MONITOR_GRACE_S,
    controllerInformers: 4,
    controllerWritesPerPodEvent: 1,
    workloadCallsPerNamespaceS: 0.2,
    backoffInitialS: CLIENT_GO_BACKOFF.initialS,
    backoffFactor: CLIENT_GO_BACKOFF.factor,
    backoffMaxS: CLIENT_GO_BACKOFF.maxS,
    backoffJitter: CLIENT_GO_BACKOFF.jitter,
    controllerQps: 20,
    // kube-controller-manager / kube-scheduler --leader-elect-lease-duration 15s, --leader-elect-renew-deadline 10s.
    leaderElection: { leaseDurationS: 15, renewDeadlineS: 10 },
  },
  dns: {
    replicas: 'auto',
    nodesPerReplica: 16,
    minReplicas: 2,
    maxReplicas: 1000,
    placement: 'workers',
    killRateAtPressure: 1 / 60,
    pressureThreshold: 0.8,
    recreateS: 30,
    syncTimeoutS: 5,
    qpsPerReplica: 20_000,
    lookupsPerNodeS: 2,
    // NodeLocal DNSCache: cluster.local success 30 s (ref); longer-lived records cached by clients.
    records: [{ ttlS: 30, weight: 1 }],
    serveStale: false,
    maxStaleS: 86_400,
    attempts: 2,
  },
  dataPlane: { dnsDependentShare: 1, headroom: 0.25 },
  change: { podCreationsPerS: 20, startDelayS: 15, startSpreadS: 60 },
  engine: { coarseDownStepS: 10 },
};

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key; arrays and scalars replace. */
export function mergeModel<T>(base: T, override: DeepPartial<T> | undefined): T {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeModel(out[k], v) : v;
  }
  return out as T;
}
