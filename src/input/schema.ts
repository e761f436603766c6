/**
 * TypeBox schema of a scenario's model overrides (`spec.model` and
 * `spec.clusterModels[].model`): a deep partial of the twin's ModelConfig,
 * every field with its default and generous bounds. model-override.ts
 * converts quantities, merges an override and checks the rules across
 * fields; scenario-schema.ts puts it into the Scenario document.
 *
 * The other input schemas live with their concepts: fleet-schema.ts,
 * scenario-schema.ts, selector.ts, change.ts, events.ts, operators.ts,
 * alerts.ts, plan-schema.ts; the building blocks in schema-kit.ts, the
 * patterns in patterns.ts, byte counts in units.ts.
 *
 * @example
 *   schemaProblems(ModelPatchSchema, { dns: { replicas: 0 } }, doc); // Problem[]
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_MODEL } from '../twin/config.ts';
import { obj, opt, str } from './schema-kit.ts';
import { bytes, dflt, formatBytes } from './units.ts';

// ---------------------------------------------------------------------------
// Model overrides: a deep partial of ModelConfig (src/twin/config.ts).
// Objects merge field by field; lists replace the default list entirely.

const M = DEFAULT_MODEL;

// Every model number has a maximum as well as a minimum: generous bounds that
// catch typos and overflow (`1e300`), not unusual set-ups.
const HOUR_S = 3600;
const DAY_S = 86_400;
/** 16 TiB: more memory than one machine offers. */
const MAX_MEMORY_BYTES = 16 * 1024 ** 4;
/** 1.5 MiB: etcd's default limit on one request, hence on one stored object (https://etcd.io/docs/v3.5/dev-guide/limit/). */
const MAX_OBJECT_BYTES = 1.5 * 1024 ** 2;
/** 1 TB/s: more than any network or disk path the model describes. */
const MAX_BYTES_PER_S = 1e12;

function nonNeg(text: string, value: number, maximum: number) {
  return opt(Type.Number({ minimum: 0, maximum, description: dflt(text, value) }));
}
function positive(text: string, value: number, maximum: number) {
  return opt(Type.Number({ exclusiveMinimum: 0, maximum, description: dflt(text, value) }));
}
function fraction(text: string, value: number) {
  return opt(Type.Number({ minimum: 0, maximum: 1, description: dflt(text, value) }));
}
function count(text: string, value: number, minimum: number, maximum: number) {
  return opt(Type.Integer({ minimum, maximum, description: dflt(text, value) }));
}
function byteField(text: string, value: number, maximum: number) {
  return opt(bytes(dflt(text, value, true), maximum));
}

const SizingTierSchema = obj(
  {
    minNodes: Type.Integer({ minimum: 0, maximum: 100_000, description: 'This tier applies to clusters with at least this many nodes.' }),
    cpuCores: Type.Number({ exclusiveMinimum: 0, maximum: 1024, description: 'CPU cores of one API server replica (up to 1024).' }),
    memoryBytes: bytes('Memory limit of one API server replica (bytes or a quantity such as "64Gi"; up to 16Ti).', MAX_MEMORY_BYTES),
  },
  'Control-plane machine size for clusters of at least minNodes nodes.',
);

const PriorityLevelSchema = obj(
  {
    name: Type.String({ minLength: 1, description: 'Priority level name (unique).' }),
    shares: Type.Integer({ minimum: 0, maximum: 10_000, description: 'nominalConcurrencyShares; 0 for the exempt level.' }),
    lendablePercent: Type.Integer({ minimum: 0, maximum: 100, description: 'Percentage of nominal seats this level lends to others.' }),
    exempt: Type.Boolean({ description: 'Exempt from limits (no seats, never queued).' }),
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

export const ModelPatchSchema = obj(
  {
    apiServer: opt(
      obj(
        {
          replicas: count('API server replicas per cluster (1 to 20).', M.apiServer.replicas, 1, 20),
          seats: count('APF seats per replica: --max-requests-inflight + --max-mutating-requests-inflight.', M.apiServer.seats, 1, 100_000),
          requestTimeoutS: positive('Request timeout, seconds.', M.apiServer.requestTimeoutS, HOUR_S),
          queueWaitS: positive('Longest wait in an APF queue before a 429, seconds.', M.apiServer.queueWaitS, HOUR_S),
          sizing: opt(
            Type.Array(SizingTierSchema, {
              minItems: 1,
              description: `Control-plane machine sizes by cluster node count; replaces the default list. One tier must have minNodes 0. Default: ${M.apiServer.sizing
                .map((t) => `${t.minNodes}+ nodes: ${t.cpuCores} cores, ${formatBytes(t.memoryBytes)}`)
                .join('; ')}.`,
            }),
          ),
          baseMemoryBytes: byteField('Resident memory besides the watch cache and requests.', M.apiServer.baseMemoryBytes, MAX_MEMORY_BYTES),
          memoryRampShare: fraction("Share of a request's service time over which its memory builds up (etcd hands over a range response early).", M.apiServer.memoryRampShare),
          gcHeadroom: nonNeg("Extra resident memory per byte of request memory: Go's GC lets the heap grow to (1 + GOGC/100) × live before collecting.", M.apiServer.gcHeadroom, 10),
          watchCacheFactor: nonNeg('Watch cache memory as a multiple of stored bytes.', M.apiServer.watchCacheFactor, 100),
          startupS: nonNeg('Time to start once the container runs, before filling the watch cache, seconds.', M.apiServer.startupS, DAY_S),
          startupBytesPerS: positive('Rate at which a starting API server fills its watch cache from etcd, bytes per second.', M.apiServer.startupBytesPerS, MAX_BYTES_PER_S),
          crashLoopInitialS: positive('First CrashLoopBackOff delay, seconds.', M.apiServer.crashLoopInitialS, HOUR_S),
          crashLoopMaxS: positive('Longest CrashLoopBackOff delay, seconds.', M.apiServer.crashLoopMaxS, DAY_S),
          crashLoopResetS: nonNeg('Running this long without a crash resets the crash-loop backoff, seconds.', M.apiServer.crashLoopResetS, DAY_S),
          memoryJitter: fraction('Per-replica spread of the effective memory limit, fraction.', M.apiServer.memoryJitter),
          retryAfterMinS: positive('Retry-After of a 429, seconds.', M.apiServer.retryAfterMinS, HOUR_S),
          retryAfterMaxS: positive('Largest Retry-After under sustained rejection, seconds.', M.apiServer.retryAfterMaxS, HOUR_S),
          loadBalancer: opt(
            obj(
              {
                healthyAfterS: nonNeg('A replica gets balanced traffic after passing its health check this long, seconds.', M.apiServer.loadBalancer.healthyAfterS, HOUR_S),
                unhealthyAfterS: nonNeg('A failed replica keeps getting (and refusing) balanced traffic this long, seconds.', M.apiServer.loadBalancer.unhealthyAfterS, HOUR_S),
              },
              'The load balancer in front of the API servers, used by clients outside the cluster (operators, the orchestrator).',
            ),
          ),
        },
        'Kubernetes API servers.',
      ),
    ),
    apf: opt(
      obj(
        {
          levels: opt(
            Type.Array(PriorityLevelSchema, {
              minItems: 1,
              description: `Priority levels; replaces the default list. Default: the bootstrap levels ${M.apf.levels.map((l) => l.name).join(', ')}.`,
            }),
          ),
        },
        'API Priority and Fairness.',
      ),
    ),
    costs: opt(
      obj(
        {
          cpuPerRequestS: nonNeg('API server CPU per request, fixed part (authn, authz, admission, routing), CPU-seconds.', M.costs.cpuPerRequestS, 1),
          cpuPerEtcdObjectS: nonNeg('CPU per object decoded from etcd and filtered, CPU-seconds.', M.costs.cpuPerEtcdObjectS, 1),
          cpuPerCacheObjectS: nonNeg('CPU per object scanned in the watch cache, CPU-seconds.', M.costs.cpuPerCacheObjectS, 1),
          cpuPerByteS: nonNeg('CPU per byte serialized into a response, CPU-seconds.', M.costs.cpuPerByteS, 1),
          cpuPerWatchEventS: nonNeg('CPU to deliver one watch event to one watcher, CPU-seconds.', M.costs.cpuPerWatchEventS, 1),
          listMemoryFactorEtcd: nonNeg('Temporary memory of an in-flight LIST as a multiple of bytes read from etcd.', M.costs.listMemoryFactorEtcd, 100),
          listMemoryFactorCache: nonNeg('Temporary memory of an in-flight LIST served from the watch cache, as a multiple of response bytes.', M.costs.listMemoryFactorCache, 100),
          maxSeats: count('Seat cap of the APF work estimator.', M.costs.maxSeats, 1, 1000),
          objectsPerSeat: positive('Objects per seat in the APF work estimator.', M.costs.objectsPerSeat, 1_000_000),
          responseBytesPerS: positive('Unloaded transfer rate of one response stream, bytes per second.', M.costs.responseBytesPerS, MAX_BYTES_PER_S),
          watchMemoryBytes: byteField('Memory held by one open watch.', M.costs.watchMemoryBytes, 1024 ** 3),
          protobufCpuFactor: fraction("Encoding CPU of a protobuf response relative to JSON (Kubernetes' own components talk protobuf).", M.costs.protobufCpuFactor),
          protobufSizeFactor: fraction('Size of a protobuf response relative to JSON.', M.costs.protobufSizeFactor),
        },
        'Unit costs of API requests.',
      ),
    ),
    etcd: opt(
      obj(
        {
          readBytesPerS: positive('Bytes per second etcd serves to range reads.', M.etcd.readBytesPerS, MAX_BYTES_PER_S),
          writesPerS: positive('Writes per second before latency climbs.', M.etcd.writesPerS, 10_000_000),
          baseLatencyS: nonNeg('Unloaded request latency, seconds.', M.etcd.baseLatencyS, 60),
          maxLatencyS: positive('Latency cap, seconds.', M.etcd.maxLatencyS, HOUR_S),
          rangeInterference: nonNeg('Seconds of added latency for small requests per second of range-read backlog.', M.etcd.rangeInterference, 1000),
        },
        'etcd.',
      ),
    ),
    objects: opt(
      obj(
        {
          podBytes: byteField('Mean serialized size of a pod.', M.objects.podBytes, MAX_OBJECT_BYTES),
          nodeBytes: byteField('Mean serialized size of a node.', M.objects.nodeBytes, MAX_OBJECT_BYTES),
          serviceBytes: byteField('Mean serialized size of a service.', M.objects.serviceBytes, MAX_OBJECT_BYTES),
          endpointSliceBytes: byteField('Mean serialized size of an EndpointSlice.', M.objects.endpointSliceBytes, MAX_OBJECT_BYTES),
          configMapBytes: byteField('Mean serialized size of a ConfigMap.', M.objects.configMapBytes, MAX_OBJECT_BYTES),
          servicesPer100Pods: nonNeg('Services per 100 pods.', M.objects.servicesPer100Pods, 1000),
          configMapsPerNamespace: nonNeg('ConfigMaps per namespace.', M.objects.configMapsPerNamespace, 100_000),
          podsPerNamespace: positive('Pods per namespace.', M.objects.podsPerNamespace, 1_000_000),
          podEventsPerPodS: nonNeg('Pod watch events per pod per second (status updates, churn).', M.objects.podEventsPerPodS, 1000),
          nodeEventsPerNodeS: nonNeg('Node watch events per node per second.', M.objects.nodeEventsPerNodeS, 1000),
          serviceEventsPerServiceS: nonNeg('Service watch events per service per second.', M.objects.serviceEventsPerServiceS, 1000),
        },
        'Stored objects: sizes, counts and churn.',
      ),
    ),
    clients: opt(
      obj(
        {
          leasePeriodS: positive('Node lease renewal period, seconds.', M.clients.leasePeriodS, HOUR_S),
          nodeStatusPeriodS: positive('Node status update period, seconds.', M.clients.nodeStatusPeriodS, HOUR_S),
          nodeMonitorGraceS: positive('A node without heartbeat this long turns NotReady, seconds.', M.clients.nodeMonitorGraceS, HOUR_S),
          controllerInformers: count('kube-controller-manager and kube-scheduler informers.', M.clients.controllerInformers, 0, 1000),
          controllerWritesPerPodEvent: nonNeg('Controller writes per pod event (status, bindings, endpoints).', M.clients.controllerWritesPerPodEvent, 100),
          workloadCallsPerNamespaceS: nonNeg("Other workloads' API calls per namespace per second.", M.clients.workloadCallsPerNamespaceS, 10_000),
          backoffInitialS: positive('Client retry backoff: first wait, seconds.', M.clients.backoffInitialS, HOUR_S),
          backoffFactor: opt(Type.Number({ minimum: 1, maximum: 100, description: dflt('Client retry backoff: growth factor (1 to 100).', M.clients.backoffFactor) })),
          backoffMaxS: positive('Client retry backoff: cap, seconds.', M.clients.backoffMaxS, DAY_S),
          backoffJitter: nonNeg('Client retry backoff: relative jitter.', M.clients.backoffJitter, 10),
          controllerQps: positive('Garbage collector / controller-manager client QPS.', M.clients.controllerQps, 100_000),
          leaderElection: opt(
            obj(
              {
                leaseDurationS: positive('Leader lease duration of kube-controller-manager and kube-scheduler, seconds.', M.clients.leaderElection.leaseDurationS, HOUR_S),
                renewDeadlineS: positive('A leader that cannot renew for this long exits and restarts with empty caches, seconds.', M.clients.leaderElection.renewDeadlineS, HOUR_S),
              },
              'Leader election of the controllers.',
            ),
          ),
        },
        'The clients every cluster has: kubelets, controllers, other workloads.',
      ),
    ),
    dns: opt(
      obj(
        {
          replicas: opt(
            Type.Unsafe<number | 'auto'>({
              anyOf: [
                { type: 'integer', minimum: 1, maximum: 100_000, description: 'A fixed number of replicas.' },
                { type: 'string', const: 'auto', description: 'Sized by the kube-dns autoscaler.' },
              ],
              description: dflt('CoreDNS replicas: a number, or "auto" for the kube-dns autoscaler, max(minReplicas, ceil(nodes / nodesPerReplica)).', M.dns.replicas),
            }),
          ),
          nodesPerReplica: positive('Autoscaler: nodes per CoreDNS replica.', M.dns.nodesPerReplica, 100_000),
          minReplicas: count('Autoscaler: fewest replicas.', M.dns.minReplicas, 1, 100_000),
          maxReplicas: count('Autoscaler: most replicas.', M.dns.maxReplicas, 1, 100_000),
          placement: opt(str(['workers', 'control-plane'], dflt('Where CoreDNS runs: on worker nodes, or on the control-plane nodes beside the API servers.', M.dns.placement))),
          killRateAtPressure: nonNeg('Hazard per second that a CoreDNS replica on a control-plane node is killed at full node memory pressure.', M.dns.killRateAtPressure, 1000),
          pressureThreshold: fraction("Control-plane node memory pressure starts at this fraction of the node's memory.", M.dns.pressureThreshold),
          recreateS: nonNeg('Time to recreate, schedule and start an evicted CoreDNS pod once controllers reach the API, seconds.', M.dns.recreateS, DAY_S),
          syncTimeoutS: nonNeg('A CoreDNS started during an API outage waits this long, then answers SERVFAIL, seconds.', M.dns.syncTimeoutS, HOUR_S),
          qpsPerReplica: positive('Queries per second one CoreDNS replica answers.', M.dns.qpsPerReplica, 10_000_000),
          lookupsPerNodeS: nonNeg('Lookups per node per second reaching the node cache.', M.dns.lookupsPerNodeS, 1_000_000),
          records: opt(
            Type.Array(DnsRecordClassSchema, {
              minItems: 1,
              description: `Record classes of the node-level cache by TTL; replaces the default list. Default: ${JSON.stringify(M.dns.records)}.`,
            }),
          ),
          serveStale: opt(Type.Boolean({ description: dflt('RFC 8767 serve-stale in the node cache.', M.dns.serveStale) })),
          maxStaleS: nonNeg('Longest a stale record is served, seconds.', M.dns.maxStaleS, 7 * DAY_S),
          // glibc caps resolv.conf `attempts` at 5 (man 5 resolv.conf: "The value for this option is silently capped to 5").
          attempts: count('Resolver attempts per lookup (glibc: 2, at most 5).', M.dns.attempts, 1, 5),
        },
        'Cluster DNS: CoreDNS and node-level caches.',
      ),
    ),
    dataPlane: opt(
      obj(
        {
          dnsDependentShare: fraction('Share of requests that need a fresh DNS resolution.', M.dataPlane.dnsDependentShare),
          headroom: nonNeg('Spare capacity a cluster can take when traffic shifts to it, fraction of its own load.', M.dataPlane.headroom, 100),
        },
        "The clusters' customer traffic.",
      ),
    ),
    change: opt(
      obj(
        {
          podCreationsPerS: positive('DaemonSet controller pod creations per second.', M.change.podCreationsPerS, 100_000),
          startDelayS: nonNeg("Seconds from pod creation to the agent's first API call.", M.change.startDelayS, DAY_S),
          startSpreadS: nonNeg('Spread of start delays, seconds.', M.change.startSpreadS, DAY_S),
        },
        'How the change rolls out inside one cluster.',
      ),
    ),
    engine: opt(
      obj(
        {
          coarseDownStepS: nonNeg(
            'Longest single step, seconds, of a cluster with no API server ready (it serves nothing; held to its next discrete event and to its clients\' retry waits). 0 or 1: always the scenario step.',
            M.engine.coarseDownStepS,
            HOUR_S,
          ),
        },
        'How the engine steps clusters.',
      ),
    ),
  },
  'Overrides of the twin model parameters (a deep partial: give only what differs). Fields named …Bytes also accept quantities such as "32Gi"; lists replace the default list.',
);

export type ModelPatchInput = Static<typeof ModelPatchSchema>;
