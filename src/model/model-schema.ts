/**
 * The control-plane model's parameters, described once: this TypeBox schema
 * gives the TypeScript type (`ModelConfig` and its parts), the bounds and
 * descriptions of every field, and — made a deep partial with the defaults
 * written into the descriptions (model-patch.ts) — the JSON Schema of a
 * scenario's `spec.model` overrides. The defaults are in defaults.ts. The twin
 * runs this model; the analyzer estimates with it; the equations both use are
 * the other files of src/model.
 *
 * Every number has a maximum as well as a minimum: generous bounds that catch
 * typos and overflow (`1e300`), not unusual set-ups. Fields named `…Bytes` are
 * byte counts (a scenario may write them as quantities such as "32Gi").
 * Sources: "ref" = ../shared/reference/kubernetes-control-plane.md; fitted
 * parameters ("cal") are listed with their reasons in docs/twin-calibration.md.
 *
 * @example
 *   import { Value } from '@sinclair/typebox/value';
 *   Value.Check(ModelSchema, DEFAULT_MODEL); // true: the defaults are within the bounds
 */
import { Type, type Static } from '@sinclair/typebox';
import { obj, opt, str } from './schema-kit.ts';
import { RESOURCE_NAME_PATTERN } from './resource-name.ts';

const HOUR_S = 3600;
const DAY_S = 86_400;
/** 16 TiB: more memory than one machine offers. */
const MAX_MEMORY_BYTES = 16 * 1024 ** 4;
/** 1.5 MiB: etcd's default limit on one request, hence on one stored object (https://etcd.io/docs/v3.5/dev-guide/limit/). */
const MAX_OBJECT_BYTES = 1.5 * 1024 ** 2;
/** 1 TB/s: more than any network or disk path the model describes. */
const MAX_BYTES_PER_S = 1e12;

function nonNeg(description: string, maximum: number) {
  return Type.Number({ minimum: 0, maximum, description });
}
function positive(description: string, maximum: number) {
  return Type.Number({ exclusiveMinimum: 0, maximum, description });
}
function fraction(description: string) {
  return Type.Number({ minimum: 0, maximum: 1, description });
}
function count(description: string, minimum: number, maximum: number) {
  return Type.Integer({ minimum, maximum, description });
}
/** A byte count (its field's name ends in `Bytes`). */
function byteCount(description: string, maximum: number) {
  return Type.Number({ minimum: 0, maximum, description });
}

const SizingTierSchema = obj(
  {
    minNodes: Type.Integer({ minimum: 0, maximum: 100_000, description: 'This tier applies to clusters with at least this many nodes.' }),
    cpuCores: Type.Number({ exclusiveMinimum: 0, maximum: 1024, description: 'CPU cores of one API server replica (up to 1024).' }),
    memoryBytes: byteCount('Memory limit of one API server replica (bytes or a quantity such as "64Gi"; up to 16Ti).', MAX_MEMORY_BYTES),
  },
  'Control-plane machine size for clusters of at least minNodes nodes.',
);

const PriorityLevelSchema = obj(
  {
    name: Type.String({ minLength: 1, description: 'Priority level name (unique).' }),
    shares: Type.Integer({ minimum: 0, maximum: 10_000, description: 'nominalConcurrencyShares; 0 for the exempt level.' }),
    lendablePercent: Type.Integer({ minimum: 0, maximum: 100, description: 'Percentage of nominal seats this level lends to others.' }),
    // Every limited level may borrow seats others lend (APF v1); the exempt level is not limited.
    exempt: Type.Boolean({ description: 'Exempt from limits (no seats, never queued).' }),
    // queues × queueLengthLimit bounds what one level can hold; handSize × queueLengthLimit what one flow can.
    queues: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Number of queues.' }),
    handSize: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Queues one flow is shuffle-sharded onto.' }),
    queueLengthLimit: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Requests one queue holds.' }),
    reject: Type.Boolean({ description: 'Reject instead of queueing when out of seats (catch-all).' }),
  },
  'An API Priority and Fairness priority level.',
);

const DnsRecordClassSchema = obj(
  {
    ttlS: Type.Number({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Time to live of the records in node-level caches, seconds (at most 2^31 - 1, RFC 2181 §8).' }),
    weight: Type.Number({ minimum: 0, maximum: 1_000_000, description: 'Share of lookups that use records of this class (relative weight).' }),
  },
  'A class of DNS records by TTL.',
);

const ApiServerSchema = obj(
  {
    replicas: count('API server replicas per cluster (1 to 20).', 1, 20),
    // 400 + 200 by default (ref).
    seats: count('APF seats per replica: --max-requests-inflight + --max-mutating-requests-inflight.', 1, 100_000),
    requestTimeoutS: positive('Request timeout, seconds.', HOUR_S),
    queueWaitS: positive('Longest wait in an APF queue before a 429, seconds.', HOUR_S),
    sizing: Type.Array(SizingTierSchema, {
      minItems: 1,
      description: 'Control-plane machine sizes by cluster node count; replaces the default list. One tier must have minNodes 0.',
    }),
    baseMemoryBytes: byteCount('Resident memory besides the watch cache and requests.', MAX_MEMORY_BYTES),
    // etcd hands over the whole range response early, so most of a LIST's memory is held soon after it starts.
    memoryRampShare: fraction("Share of a request's service time over which its memory builds up (etcd hands over a range response early)."),
    // GOGC=100 by default, so between 0 and 1.
    gcHeadroom: nonNeg("Extra resident memory per byte of request memory: Go's GC lets the heap grow to (1 + GOGC/100) × live before collecting.", 10),
    // kube-apiserver sets no GOMEMLIMIT (0 = unset): its heap goal is (1 + GOGC/100) × live.
    goMemLimitShare: fraction('GOMEMLIMIT as a share of the memory limit (0: unset, the default); near it the GC runs more often (gc-cpu.ts).'),
    watchCacheFactor: nonNeg('Watch cache memory as a multiple of stored bytes.', 100),
    startupS: nonNeg('Time to start once the container runs, before filling the watch cache, seconds.', DAY_S),
    startupBytesPerS: positive('Rate at which a starting API server fills its watch cache from etcd, bytes per second.', MAX_BYTES_PER_S),
    crashLoopInitialS: positive('First CrashLoopBackOff delay, seconds.', HOUR_S),
    crashLoopMaxS: positive('Longest CrashLoopBackOff delay, seconds.', DAY_S),
    // kubelet: 10 min.
    crashLoopResetS: nonNeg('Running this long without a crash resets the crash-loop backoff, seconds.', DAY_S),
    // Machines differ: each replica's limit is spread uniformly over ±memoryJitter (apiserver-memory.ts).
    memoryJitter: fraction('Per-replica spread of the effective memory limit, fraction.'),
    retryAfterMinS: positive('Retry-After of a 429, seconds.', HOUR_S),
    retryAfterMaxS: positive('Largest Retry-After under sustained rejection, seconds.', HOUR_S),
    // People and tools outside the cluster (kubectl, the orchestrator) reach the API servers through
    // it; pods inside reach each API server directly through the `kubernetes` Service. A replica gets
    // balanced traffic only after passing its health check `healthyAfterS` in a row, and keeps
    // getting it (and refusing it) until it has failed for `unhealthyAfterS`.
    loadBalancer: obj(
      {
        healthyAfterS: nonNeg('A replica gets balanced traffic after passing its health check this long, seconds.', HOUR_S),
        unhealthyAfterS: nonNeg('A failed replica keeps getting (and refusing) balanced traffic this long, seconds.', HOUR_S),
      },
      'The load balancer in front of the API servers, used by clients outside the cluster (operators, the orchestrator).',
    ),
  },
  'Kubernetes API servers.',
);

const ApfSchema = obj(
  {
    levels: Type.Array(PriorityLevelSchema, { minItems: 1, description: 'Priority levels; replaces the default list.' }),
  },
  'API Priority and Fairness.',
);

const CostsSchema = obj(
  {
    cpuPerRequestS: nonNeg('API server CPU per request, fixed part (authn, authz, admission, routing), CPU-seconds.', 1),
    cpuPerEtcdObjectS: nonNeg('CPU per object decoded from etcd and filtered, CPU-seconds.', 1),
    cpuPerCacheObjectS: nonNeg('CPU per object scanned in the watch cache, CPU-seconds.', 1),
    cpuPerByteS: nonNeg('CPU per byte serialized into a response, CPU-seconds.', 1),
    cpuPerWatchEventS: nonNeg('CPU to deliver one watch event to one watcher, CPU-seconds.', 1),
    // ref: ~5× (KEP-3157).
    listMemoryFactorEtcd: nonNeg('Temporary memory of an in-flight LIST as a multiple of bytes read from etcd.', 100),
    listMemoryFactorCache: nonNeg('Temporary memory of an in-flight LIST served from the watch cache, as a multiple of response bytes.', 100),
    // ref: 10.
    maxSeats: count('Seat cap of the APF work estimator.', 1, 1000),
    // ref: ~100.
    objectsPerSeat: positive('Objects per seat in the APF work estimator.', 1_000_000),
    responseBytesPerS: positive('Unloaded transfer rate of one response stream, bytes per second.', MAX_BYTES_PER_S),
    watchMemoryBytes: byteCount('Memory held by one open watch.', 1024 ** 3),
    // Kubernetes' own components (kubelet, kube-proxy, kube-controller-manager, kube-scheduler) talk
    // protobuf (`--kube-api-content-type` defaults to application/vnd.kubernetes.protobuf);
    // third-party agents usually JSON.
    protobufCpuFactor: fraction("Encoding CPU of a protobuf response relative to JSON (Kubernetes' own components talk protobuf)."),
    protobufSizeFactor: fraction('Size of a protobuf response relative to JSON.'),
    // Go's collector marks the live heap once per cycle and starts a cycle every GOGC/100 × live
    // bytes allocated, so at GOGC=100 its CPU is its mark cost per byte per byte allocated
    // (https://go.dev/doc/gc-guide, "Understanding costs"; gc-cpu.ts).
    gcCpuPerAllocatedByteS: nonNeg("Go GC CPU per byte a request allocates, at GOGC=100 (the collector's mark cost per live byte), CPU-seconds.", 1),
  },
  'Unit costs of API requests.',
);

const EtcdSchema = obj(
  {
    readBytesPerS: positive('Bytes per second etcd serves to range reads.', MAX_BYTES_PER_S),
    writesPerS: positive('Writes per second before latency climbs.', 10_000_000),
    baseLatencyS: nonNeg('Unloaded request latency, seconds.', 60),
    maxLatencyS: positive('Latency cap, seconds.', HOUR_S),
    rangeInterference: nonNeg('Seconds of added latency for small requests per second of range-read backlog.', 1000),
  },
  'etcd.',
);

/** 10,000,000 objects of one type in one cluster: beyond what etcd's 8 GiB default quota holds at 1 KiB each. */
const MAX_OBJECTS = 10_000_000;

/**
 * Objects of one type as a scenario states them (resources.ts): a count (absolute, or per node or
 * per pod), the mean serialized size and the watch events per second of the whole type.
 */
const ResourceDeclSchema = obj(
  {
    count: opt(count('Objects of the type in the cluster (absolute).', 0, MAX_OBJECTS)),
    perNode: opt(nonNeg('Objects of the type per node (a ratio; instead of `count`).', 100_000)),
    perPod: opt(nonNeg('Objects of the type per pod (a ratio; instead of `count`).', 100_000)),
    bytes: opt(count('Mean serialized size of one object (JSON), bytes.', 1, MAX_OBJECT_BYTES)),
    eventsPerSecond: opt(nonNeg("Watch events per second of the whole type (creates, updates, deletes). Default: the modelled type's rate, else 0.", 10_000_000)),
  },
  'Objects of one type in a cluster: a count (absolute, or per node or per pod), the mean object size, the watch events per second of the whole type.',
);

/** Stated types by name (resources.ts): an object, so that a clusterModels entry merges into spec.model's by type. */
const ResourcesSchema = Type.Unsafe<Readonly<Record<string, Static<typeof ResourceDeclSchema>>>>({
  type: 'object',
  properties: {},
  additionalProperties: ResourceDeclSchema,
  propertyNames: { pattern: RESOURCE_NAME_PATTERN, maxLength: 317 },
  maxProperties: 1000,
  description:
    'Objects of any type, built-in or custom, by type name: a built-in resource in lowercase plural (replicasets, secrets), or a custom one as <group>/<version>/<plural> (example.com/v1/widgets). Each gives what differs from the type\'s default; a type other than the eight modelled ones needs a count (`count`, `perNode` or `perPod`) and `bytes`. Stated types are held in the watch cache. Per cluster in a clusterModels entry, fleet-wide in spec.model; entries merge by type and field.',
});

const ObjectsSchema = obj(
  {
    podBytes: byteCount('Mean serialized size of a pod.', MAX_OBJECT_BYTES),
    nodeBytes: byteCount('Mean serialized size of a node.', MAX_OBJECT_BYTES),
    serviceBytes: byteCount('Mean serialized size of a service.', MAX_OBJECT_BYTES),
    endpointSliceBytes: byteCount('Mean serialized size of an EndpointSlice.', MAX_OBJECT_BYTES),
    configMapBytes: byteCount('Mean serialized size of a ConfigMap.', MAX_OBJECT_BYTES),
    servicesPer100Pods: nonNeg('Services per 100 pods.', 1000),
    configMapsPerNamespace: nonNeg('ConfigMaps per namespace.', 100_000),
    podsPerNamespace: positive('Pods per namespace.', 1_000_000),
    podEventsPerPodS: nonNeg('Pod watch events per pod per second (status updates, churn).', 1000),
    nodeEventsPerNodeS: nonNeg('Node watch events per node per second.', 1000),
    serviceEventsPerServiceS: nonNeg('Service watch events per service per second.', 1000),
    resources: ResourcesSchema,
  },
  'Stored objects: sizes, counts and churn.',
);

const ClientsSchema = obj(
  {
    leasePeriodS: positive('Node lease renewal period, seconds.', HOUR_S),
    nodeStatusPeriodS: positive('Node status update period, seconds.', HOUR_S),
    nodeMonitorGraceS: positive('A node without heartbeat this long turns NotReady, seconds.', HOUR_S),
    // Cluster-wide pod informers of control-plane components (controller-manager and scheduler share
    // one per process via SharedInformerFactory).
    controllerInformers: count('kube-controller-manager and kube-scheduler informers.', 0, 1000),
    controllerWritesPerPodEvent: nonNeg('Controller writes per pod event (status, bindings, endpoints).', 100),
    // Other workloads' service accounts (operators, apps).
    workloadCallsPerNamespaceS: nonNeg("Other workloads' API calls per namespace per second.", 10_000),
    backoffInitialS: positive('Client retry backoff: first wait, seconds.', HOUR_S),
    backoffFactor: Type.Number({ minimum: 1, maximum: 100, description: 'Client retry backoff: growth factor (1 to 100).' }),
    backoffMaxS: positive('Client retry backoff: cap, seconds.', DAY_S),
    backoffJitter: nonNeg('Client retry backoff: relative jitter.', 10),
    // Deleting a DaemonSet's pods.
    controllerQps: positive('Garbage collector / controller-manager client QPS.', 100_000),
    // A leader that cannot renew its lease for `renewDeadlineS` exits and restarts with empty informer
    // caches; a new leader can take the lease once it has not been renewed for `leaseDurationS`, and
    // controllers act only after their caches have synced.
    leaderElection: obj(
      {
        leaseDurationS: positive('Leader lease duration of kube-controller-manager and kube-scheduler, seconds.', HOUR_S),
        renewDeadlineS: positive('A leader that cannot renew for this long exits and restarts with empty caches, seconds.', HOUR_S),
      },
      'Leader election of the controllers.',
    ),
  },
  'The clients every cluster has: kubelets, controllers, other workloads.',
);

const DnsSchema = obj(
  {
    replicas: Type.Unsafe<number | 'auto'>({
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 100_000, description: 'A fixed number of replicas.' },
        { type: 'string', const: 'auto', description: 'Sized by the kube-dns autoscaler.' },
      ],
      description: 'CoreDNS replicas: a number, or "auto" for the kube-dns autoscaler, max(minReplicas, ceil(nodes / nodesPerReplica)).',
    }),
    nodesPerReplica: positive('Autoscaler: nodes per CoreDNS replica.', 100_000),
    minReplicas: count('Autoscaler: fewest replicas.', 1, 100_000),
    maxReplicas: count('Autoscaler: most replicas.', 1, 100_000),
    placement: str(['workers', 'control-plane'], 'Where CoreDNS runs: on worker nodes, or on the control-plane nodes beside the API servers.'),
    killRateAtPressure: nonNeg('Hazard per second that a CoreDNS replica on a control-plane node is killed at full node memory pressure.', 1000),
    pressureThreshold: fraction("Control-plane node memory pressure starts at this fraction of the node's memory."),
    recreateS: nonNeg('Time to recreate, schedule and start an evicted CoreDNS pod once controllers reach the API, seconds.', DAY_S),
    syncTimeoutS: nonNeg('A CoreDNS started during an API outage waits this long, then answers SERVFAIL, seconds.', HOUR_S),
    qpsPerReplica: positive('Queries per second one CoreDNS replica answers.', 10_000_000),
    // Misses of the node-local cache: what reaches CoreDNS in steady state.
    lookupsPerNodeS: nonNeg('Lookups per node per second reaching the node cache.', 1_000_000),
    records: Type.Array(DnsRecordClassSchema, { minItems: 1, description: 'Record classes of the node-level cache by TTL; replaces the default list.' }),
    serveStale: Type.Boolean({ description: 'RFC 8767 serve-stale in the node cache.' }),
    maxStaleS: nonNeg('Longest a stale record is served, seconds.', 7 * DAY_S),
    // glibc caps resolv.conf `attempts` at 5 (man 5 resolv.conf: "The value for this option is silently capped to 5").
    attempts: count('Resolver attempts per lookup (glibc: 2, at most 5).', 1, 5),
  },
  'Cluster DNS: CoreDNS and node-level caches.',
);

const DataPlaneSchema = obj(
  {
    // The rest of the requests do not depend on discovery.
    dnsDependentShare: fraction('Share of requests that need a fresh DNS resolution.'),
    headroom: nonNeg('Spare capacity a cluster can take when traffic shifts to it, fraction of its own load.', 100),
  },
  "The clusters' customer traffic.",
);

const ChangeSchema = obj(
  {
    // Slow-start batches at the controller's QPS.
    podCreationsPerS: positive('DaemonSet controller pod creations per second.', 100_000),
    // Schedule, pull, start.
    startDelayS: nonNeg("Seconds from pod creation to the agent's first API call.", DAY_S),
    // Start delays are uniform on [startDelayS, startDelayS + startSpreadS].
    startSpreadS: nonNeg('Spread of start delays, seconds.', DAY_S),
    // The out-of-band kill switch (docs/killswitch.md): each agent's guard polls the switch; an
    // agent stops at its next poll after the switch flips, so the stops spread over one interval.
    killSwitch: obj(
      {
        pollS: positive("Seconds between two polls of the kill switch by an agent's guard (FIREBREAK_KILLSWITCH_POLL).", HOUR_S),
        reach: fraction("Share of the nodes whose agents reach the kill switch's endpoint; the others keep running until their kubelet sees the pods' deletion."),
      },
      'The out-of-band kill switch as the agents see it.',
    ),
  },
  'How the change rolls out inside one cluster.',
);

const EngineSchema = obj(
  {
    // Such a cluster serves nothing; it is advanced in one step until its next discrete event, and
    // never longer than a pending client's retry wait (docs/model.md).
    coarseDownStepS: nonNeg(
      'Longest single step, seconds, of a cluster with no API server ready (it serves nothing; held to its next discrete event and to its clients\' retry waits). 0 or 1: always the scenario step.',
      HOUR_S,
    ),
  },
  'How the engine steps clusters.',
);

export const ModelSchema = obj(
  {
    apiServer: ApiServerSchema,
    apf: ApfSchema,
    costs: CostsSchema,
    etcd: EtcdSchema,
    objects: ObjectsSchema,
    clients: ClientsSchema,
    dns: DnsSchema,
    dataPlane: DataPlaneSchema,
    change: ChangeSchema,
    engine: EngineSchema,
  },
  "The twin's model parameters, shared with the analyzer; every one has a default (src/model/defaults.ts).",
);

/** The schema's type with every object and list read-only (the model is never changed once made). */
export type DeepReadonly<T> = T extends readonly (infer I)[] ? readonly DeepReadonly<I>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The model's parameters. */
export type ModelConfig = DeepReadonly<Static<typeof ModelSchema>>;
export type ApiServerModel = ModelConfig['apiServer'];
/** Control-plane machine size for clusters of at least `minNodes` nodes (per API server replica). */
export type SizingTier = ApiServerModel['sizing'][number];
/** An API Priority and Fairness priority level. */
export type PriorityLevelSpec = ModelConfig['apf']['levels'][number];
/** Unit costs of API requests (cost.ts). */
export type CostParams = ModelConfig['costs'];
export type EtcdModel = ModelConfig['etcd'];
/** Object sizes, counts and churn per cluster (resources.ts). */
export type ObjectSizes = ModelConfig['objects'];
/** Objects of one type as a scenario states them (resources.ts). */
export type ResourceDecl = ObjectSizes['resources'][string];
export type ClientsModel = ModelConfig['clients'];
export type DnsModel = ModelConfig['dns'];
export type DnsRecordClass = DnsModel['records'][number];
export type DataPlaneModel = ModelConfig['dataPlane'];
export type ChangeRolloutModel = ModelConfig['change'];
export type EngineModel = ModelConfig['engine'];
