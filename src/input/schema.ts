/**
 * TypeBox schemas of the Fleet and Scenario documents. They are the single
 * source of truth for the structure of the input: the validator checks
 * documents against them, jsonSchemas() publishes them for editors, and
 * `Static<typeof X>` types the validated data for the compilers.
 *
 * Every object is closed (`additionalProperties: false`, so a misspelt field
 * is an error, not silently ignored) and every field has a description with
 * its default, which editors show on hover. What JSON Schema cannot express
 * (cross-field rules, times, names that must exist in the fleet) is checked
 * by the compilers in fleet.ts and scenario.ts.
 *
 * @example
 *   import { ScenarioDocument } from './schema.ts';
 *   schemaProblems(ScenarioDocument, doc.value, doc); // Problem[]
 */
import { Type, type Static, type TUnsafe } from '@sinclair/typebox';
import { DURATION_PATTERN, formatDuration } from '../core/duration.ts';
import { DEFAULT_MODEL } from '../twin/config.ts';
import { METRIC_NAMES } from '../twin/index.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS, DEFAULT_PODS_PER_NODE } from '../model/kubernetes.ts';
import { SIZE_CLASSES } from '../model/fleet.ts';
import { duration, obj, opt, str } from './schema-kit.ts';

export const API_VERSION = 'firebreak.dev/v1alpha1';

// ---------------------------------------------------------------------------
// Patterns, with the words validation messages use for them.

/** `HH:MM`, `HH:MM:SS`, an ISO timestamp (offset optional) or `+<duration>`. */
const TIME_PATTERN =
  '^(\\d{1,2}:\\d{2}(:\\d{2})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?|\\+(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$';
/** An ISO timestamp, offset optional (without one it is wall time in `timeZone`). */
const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?$';
/** Kubernetes quantity for byte counts: binary (Ki..Ei) or decimal (k..E) suffixes. */
export const QUANTITY_PATTERN = '^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';
/** RFC 1123 label, as Kubernetes requires for namespace names (and firebreak for cluster names). */
const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 subdomain, as Kubernetes requires for most object names. */
const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

/** How messages describe a value that must match a pattern, and how to fix one that does not. */
export const PATTERN_TEXT: Readonly<Record<string, { readonly expected: string; readonly hint: string }>> = {
  [DURATION_PATTERN]: {
    expected: 'a duration such as "90s", "5m" or "1h30m", or a number of seconds',
    hint: 'write a number followed by a unit (ms, s, m, h, d), e.g. "500ms", "90s", "1h30m"',
  },
  [TIME_PATTERN]: {
    expected: 'a time: "HH:MM" or "HH:MM:SS" on the start day, an ISO timestamp, or "+<duration>" after the start',
    hint: 'e.g. "15:16", "2024-12-11T15:16:00", or "+45m"; quote it so YAML keeps it a string',
  },
  [TIMESTAMP_PATTERN]: {
    expected: 'an ISO timestamp such as "2024-12-11T14:00:00" (wall time in timeZone) or "2024-12-11T22:00:00Z"',
    hint: 'write the date and time as YYYY-MM-DDTHH:MM[:SS], optionally followed by Z or an offset like -08:00',
  },
  [QUANTITY_PATTERN]: {
    expected: 'a byte count: a number or a quantity such as "32Gi", "500Mi" or "1.5G"',
    hint: 'binary suffixes Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or decimal k, M, G, T, P, E (powers of 1000)',
  },
  [DNS_LABEL_PATTERN]: {
    expected: 'a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    hint: 'e.g. "prod-us-east-1"',
  },
  [DNS_SUBDOMAIN_PATTERN]: {
    expected: 'a Kubernetes name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    hint: 'e.g. "telemetry-agent"',
  },
};

// ---------------------------------------------------------------------------
// Building blocks.





function time(description: string): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', pattern: TIME_PATTERN, description });
}

/** A byte count: a number, or a quantity string (converted and checked against `maximum` by the scenario compiler). */
function bytes(description: string, maximum: number): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({ type: ['number', 'string'], pattern: QUANTITY_PATTERN, minimum: 0, maximum, description });
}

function stringMap(description: string): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string', description: 'A label value.' }, description });
}

/** Adds "Default: …." to a description, byte counts written as quantities ("32Gi"). */
function dflt(text: string, value: unknown, isBytes = false): string {
  const shown = typeof value === 'number' && isBytes ? formatBytes(value) : JSON.stringify(value);
  return `${text} Default: ${shown}.`;
}

function formatBytes(n: number): string {
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

// ---------------------------------------------------------------------------
// Common document parts.

const ApiVersion = Type.Literal(API_VERSION, { description: `Format version; must be ${API_VERSION}.` });

function metadata(what: string, namePattern: string) {
  return obj(
    {
      name: Type.String({ pattern: namePattern, maxLength: 253, description: `Name of the ${what}, used in reports and file names.` }),
      description: opt(Type.String({ description: `What the ${what} represents (free text). Default: empty.` })),
    },
    `Identifies the ${what}.`,
  );
}

// ---------------------------------------------------------------------------
// Fleet.

/** Pods of one cluster: 100,000 nodes (the largest cluster the formats allow) × 100 pods. */
export const MAX_PODS = 10_000_000;
/** Bound of thresholds, which are in any metric's unit (ratios, seconds, bytes): far beyond any real value, short of overflow. */
export const MAX_METRIC_VALUE = 1e12;

export const ClusterSpecSchema = obj(
  {
    name: Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: 'Cluster name: a DNS label, unique across the fleet (generated names included).' }),
    nodes: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Number of nodes (1 to 100000).' }),
    pods: opt(Type.Integer({ minimum: 0, maximum: MAX_PODS, description: `Number of pods (0 to ${MAX_PODS}). Default: nodes × ${DEFAULT_PODS_PER_NODE}.` })),
    labels: opt(stringMap('Labels that cluster selectors match (matchLabels). Default: none.')),
  },
  'One cluster of the fleet.',
);

export const FleetGenerateSchema = obj(
  {
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Number of synthetic clusters (1 to 10000).' }),
    nodes: obj(
      {
        min: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Smallest node count (1 to 100000).' }),
        max: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Largest node count (1 to 100000), at least `median`.' }),
        median: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Median node count, between `min` and `max`.' }),
      },
      'Node counts of the generated clusters: log-normal around the median, clipped to [min, max], as cluster sizes in real fleets are heavy-tailed.',
    ),
    namePrefix: opt(Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 50, description: 'Generated clusters are named <namePrefix>-<number>. Default: "gen".' })),
    labels: opt(stringMap('Labels given to every generated cluster. Default: none.')),
    seed: opt(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Seed of the generator. The fleet depends only on this seed, not on the run seed. Default: 1.' })),
  },
  'A seeded synthetic fleet, added after the explicit clusters.',
);

const fleetSpecProperties = {
  clusters: opt(Type.Array(ClusterSpecSchema, { maxItems: 10_000, description: 'Explicit clusters.' })),
  generate: opt(FleetGenerateSchema),
};

export const FleetSpecSchema = obj(fleetSpecProperties, 'The clusters: explicit ones and/or a generated fleet (at least one of the two).');

export const FleetDocument = obj(
  {
    apiVersion: ApiVersion,
    kind: Type.Literal('Fleet', { description: 'Document kind: Fleet.' }),
    metadata: metadata('fleet', DNS_SUBDOMAIN_PATTERN),
    spec: FleetSpecSchema,
  },
  'A fleet of Kubernetes clusters for the firebreak twin, analyzer and orchestrator.',
);

export type FleetSpecInput = Static<typeof FleetSpecSchema>;
export type FleetDocumentInput = Static<typeof FleetDocument>;

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

// ---------------------------------------------------------------------------
// Scenario.

export const SelectorSchema = obj(
  {
    names: opt(Type.Array(Type.String({ description: 'A cluster name.' }), { minItems: 1, uniqueItems: true, description: 'Clusters with these names (each must exist in the fleet).' })),
    matchLabels: opt(stringMap('Clusters having all these labels.')),
    minNodes: opt(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Clusters with at least this many nodes.' })),
    maxNodes: opt(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Clusters with at most this many nodes.' })),
    sizeClasses: opt(
      Type.Array(str(SIZE_CLASSES, 'A size class.'), {
        minItems: 1,
        uniqueItems: true,
        description: 'Clusters of these size classes: small (< 500 nodes), medium (< 2000), large (< 5000), xlarge.',
      }),
    ),
  },
  'Selects clusters; every given criterion must match. An empty selector selects all clusters.',
);

export const VERBS = ['list', 'watch', 'get', 'create', 'update', 'patch', 'delete'] as const;
export const RESOURCES = ['pods', 'nodes', 'services', 'endpointslices', 'configmaps', 'leases', 'events', 'namespaces'] as const;
const BLOCK_SOURCES = ['nodes', 'change', 'workloads'] as const;

const CallSchema = obj(
  {
    name: opt(Type.String({ minLength: 1, description: 'Call name, unique within the change. Default: <verb>-<resource>.' })),
    verb: str(VERBS, 'API verb. A watch is an informer: it lists once, then watches (and relists after errors).'),
    resource: str(RESOURCES, 'Resource the call reads or writes.'),
    scope: opt(str(['cluster', 'namespace', 'node'], 'What one call covers: the whole cluster, one namespace, or the objects on its own node (fieldSelector spec.nodeName). Default: "cluster".')),
    resourceVersion: opt(
      Type.Unsafe<'consistent' | '0' | 'watch-list' | 0>({
        enum: ['consistent', '0', 'watch-list', 0],
        description:
          'List semantics: "consistent" (quorum read from etcd), "0" (served from the watch cache) or "watch-list" (streaming list, verb watch only). Default: "0" for watch, "consistent" otherwise.',
      }),
    ),
    period: opt(duration('Time between calls of one client; required for every verb except watch, not allowed for watch.')),
    jitter: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Relative jitter of the period, 0 to 1. Default: 0.1.' })),
    pageSize: opt(Type.Integer({ minimum: 0, maximum: MAX_PODS, description: 'Page size (limit) of lists; 0 = unpaginated. Default: 0.' })),
    namespaceFraction: opt(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fraction of namespaced objects one namespace-scoped call covers, in (0, 1]; used only with scope namespace. Default: 0.05.' }),
    ),
    rateLimit: opt(
      obj(
        {
          qps: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: `Client-side rate limit, queries per second. Default: ${CLIENT_GO_QPS}.` })),
          burst: opt(Type.Integer({ minimum: 1, maximum: 100_000, description: `Client-side burst. Default: ${CLIENT_GO_BURST}.` })),
        },
        'Client-side rate limit of each client (client-go defaults).',
      ),
    ),
    retry: opt(
      obj(
        {
          policy: opt(str(['backoff', 'immediate'], 'How a failed call is retried: exponential backoff, or immediately. Default: "backoff".')),
          initial: opt(duration(`First backoff wait. Default: ${CLIENT_GO_BACKOFF.initialS * 1000}ms.`)),
          factor: opt(Type.Number({ minimum: 1, maximum: 100, description: `Backoff growth factor (1 to 100). Default: ${CLIENT_GO_BACKOFF.factor}.` })),
          max: opt(duration(`Backoff cap. Default: ${formatDuration(CLIENT_GO_BACKOFF.maxS)}.`)),
          jitter: opt(Type.Number({ minimum: 0, maximum: 10, description: `Relative backoff jitter. Default: ${CLIENT_GO_BACKOFF.jitter}.` })),
        },
        'Retry behaviour after errors (client-go reflector defaults).',
      ),
    ),
  },
  'One kind of API call the change makes, per client.',
);

export const ChangeSchema = obj(
  {
    name: Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description: 'Name of the DaemonSet or Deployment.' }),
    kind: opt(str(['DaemonSet', 'Deployment'], 'Workload kind: a DaemonSet runs one pod per node; a Deployment runs `replicas` pods. Default: "DaemonSet".')),
    namespace: opt(Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: 'Namespace of the workload. Default: "default".' })),
    serviceAccount: opt(Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description: 'Service account the pods call the API as. Default: the change name.' })),
    replicas: opt(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Deployment replicas; not allowed for a DaemonSet. Default: 1.' })),
    priorityLevel: opt(
      Type.String({
        minLength: 1,
        description:
          'APF priority level of its requests; must be a level of model.apf.levels (or "break-glass" when operators.breakGlass is set). Default: from the default FlowSchemas (workload-high in kube-system, workload-low elsewhere).',
      }),
    ),
    calls: Type.Array(CallSchema, { minItems: 1, description: 'The API calls each pod makes (at least one).' }),
  },
  'The change under test: a workload whose API calls load the control plane.',
);

/** Event fields every action has, beside its own parameters. */
function eventVariant<A extends string, T extends Parameters<typeof Type.Object>[0]>(action: A, description: string, params: T) {
  return obj(
    {
      at: time('When the action happens.'),
      clusters: opt(SelectorSchema),
      action: Type.Literal(action, { description }),
      ...params,
    },
    `Action ${action}: ${description}`,
  );
}

const overParam = (what: string, d: string) => opt(duration(`Time over which ${what} is ramped. Default: ${d}.`));

export const EVENT_VARIANTS = [
  eventVariant('apply-change', 'Apply the change (spec.change required).', {
    nodeFraction: opt(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fraction of the nodes to apply the change to, in (0, 1] (node batches). Default: 1.' })),
  }),
  eventVariant('remove-change', 'Remove the change (spec.change required).', {
    via: opt(str(['api', 'kill-switch'], 'How: delete through the API (needs a working API), or stop the agents out of band. Default: "kill-switch".')),
  }),
  eventVariant('scale-nodes', "Scale the clusters' nodes to a fraction of the original count.", {
    fraction: Type.Number({ exclusiveMinimum: 0, maximum: 2, description: 'Target node count as a fraction of the original, in (0, 2].' }),
    over: overParam('the scaling', '10m'),
  }),
  eventVariant('scale-apiservers', 'Replace the API servers with more and/or larger machines.', {
    replicas: opt(Type.Integer({ minimum: 1, maximum: 20, description: 'API server replicas after scaling (1 to 20). Default: model.apiServer.replicas.' })),
    memoryFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Memory of the new machines relative to the current ones (up to 100). Default: 1.' })),
    cpuFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'CPU of the new machines relative to the current ones (up to 100). Default: 1.' })),
    provision: opt(duration('Time to provision the new machines. Default: 30m.')),
  }),
  eventVariant('block-admin-api', 'Block network access to the API for groups of clients.', {
    sources: opt(Type.Array(str(BLOCK_SOURCES, 'A client group.'), { minItems: 1, uniqueItems: true, description: 'Client groups to block: nodes, change, workloads. Default: [nodes].' })),
    over: overParam('the block', '5m'),
  }),
  eventVariant('unblock-admin-api', 'Lift a block-admin-api.', {
    over: overParam('the unblock', '10m'),
  }),
  eventVariant('shift-traffic', 'Shift customer traffic away from clusters with data-plane errors to healthy ones.', {
    over: overParam('the shift', '10m'),
    errorThreshold: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Data-plane error ratio above which a cluster is drained, 0 to 1. Default: 0.01.' })),
  }),
  eventVariant('etcd-slowdown', 'Fault: etcd gets slower for a while.', {
    factor: Type.Number({ minimum: 1, maximum: 1000, description: 'Latency multiplier (1 to 1000).' }),
    duration: duration('How long the slowdown lasts (> 0).'),
  }),
  eventVariant('shed-change', "Shed the change's requests through APF: a FlowSchema routes its service account to a rejecting priority level (spec.change required).", {}),
  eventVariant('kill-apiservers', 'Fault: kill every API server replica.', {}),
  eventVariant('restart-coredns', 'Fault: restart every CoreDNS replica.', {}),
];

/** Names of the actions, as written in `action:`. */
export const ACTIONS = EVENT_VARIANTS.map((v) => v.properties.action.const);

/**
 * A tagged union on `action`: Ajv's `discriminator` keyword validates only
 * the variant the tag names, so a wrong parameter is reported against that
 * action rather than as "matches none of ten schemas". Editors read the oneOf.
 */
export const EventSchema = Type.Unsafe<Static<(typeof EVENT_VARIANTS)[number]>>({
  type: 'object',
  description: 'A scheduled action or fault; the action parameters are sibling fields of `action`.',
  required: ['action'],
  discriminator: { propertyName: 'action' },
  oneOf: EVENT_VARIANTS,
});

export const PipelineSchema = obj(
  {
    start: time('When the pipeline applies the change to its first cluster.'),
    end: time('When it applies the change to its last cluster (not before start); clusters are evenly spaced in between.'),
    clusters: opt(SelectorSchema),
    order: opt(
      str(
        ['listed', 'by-name', 'smallest-first', 'largest-first', 'shuffled'],
        'Order of the clusters: as listed in the fleet, by name, by node count, or shuffled with the run seed. Default: "by-name".',
      ),
    ),
  },
  "The scenario's own naive pipeline applying spec.change to the selected clusters, evenly spaced (spec.change required).",
);

const blockSources = opt(Type.Array(str(BLOCK_SOURCES, 'A client group.'), { minItems: 1, uniqueItems: true, description: 'Client groups to block: nodes, change, workloads. Default: [nodes].' }));

export const OperatorsSchema = obj(
  {
    respondAt: time('When operators start responding.'),
    priorityLevel: opt(
      Type.String({
        minLength: 1,
        description: 'APF priority level of operator requests; must be a level of model.apf.levels, or "break-glass" with breakGlass. Default: "break-glass" when breakGlass is given, else "global-default".',
      }),
    ),
    breakGlass: opt(
      obj(
        { seats: Type.Integer({ minimum: 1, maximum: 200, description: 'Seats reserved for operators on each API server, never lent (1 to 200).' }) },
        'A break-glass priority level for operators.',
      ),
    ),
    parallelism: opt(Type.Integer({ minimum: 1, maximum: 1000, description: 'Clusters worked on at the same time. Default: 4.' })),
    retryEvery: opt(duration('Time between attempts to delete the change through the API. Default: 1m.')),
    escalateAfter: opt(duration('Time without success on a cluster before starting the remedies. Default: 10m.')),
    shedChange: opt(Type.Boolean({ description: "With each delete attempt, also apply an APF FlowSchema that routes the change's service account to a rejecting priority level (an API write, so it succeeds only when the API answers). Default: false." })),
    remedies: opt(
      obj(
        {
          scaleApiServers: opt(
            obj(
              {
                replicas: opt(Type.Integer({ minimum: 1, maximum: 20, description: 'API server replicas (1 to 20). Default: model.apiServer.replicas.' })),
                memoryFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Memory of the new machines relative to the current ones (up to 100). Default: 1.' })),
                cpuFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'CPU of the new machines relative to the current ones (up to 100). Default: 1.' })),
                provision: opt(duration('Time to provision the new machines. Default: 30m.')),
              },
              'Scale up the API servers.',
            ),
          ),
          scaleDownNodes: opt(
            obj(
              {
                fraction: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Keep this fraction of the nodes, in (0, 1].' }),
                over: opt(duration('Time over which the nodes are removed. Default: 10m.')),
              },
              'Scale down the nodes to shed API load.',
            ),
          ),
          blockAdminApi: opt(obj({ sources: blockSources, over: opt(duration('Time over which the block is ramped. Default: 5m.')) }, 'Block groups of clients from the API.')),
        },
        'Remedies operators start after escalateAfter; each is used only when given.',
      ),
    ),
    restore: opt(
      obj(
        {
          unblockOver: opt(duration('Time over which a block is lifted. Default: 10m.')),
          scaleNodesBackOver: opt(duration('Time over which scaled-down nodes come back. Default: 30m.')),
        },
        'How remedies are lifted once the change is gone.',
      ),
    ),
    revert: opt(
      obj(
        {
          at: opt(time('When the revert starts. Default: respondAt (the root cause is known).')),
          every: opt(duration('Time between two clusters in the pipeline (more than 0). Default: 10s.')),
        },
        "Fleet-wide revert of the change through the deployment pipeline, beside the teams' work on the lost clusters: the clusters that still run the change, in the order it reached them, one every `every`; each delete is an API request at priorityLevel, retried every retryEvery when it fails. Clusters whose control plane alerts (critical) and those a team works on are left to the teams. Not used when absent; `{}` uses every default.",
      ),
    ),
    shiftTraffic: opt(
      obj(
        {
          at: time('When traffic starts shifting.'),
          over: opt(duration('Time over which traffic shifts. Default: 15m.')),
          errorThreshold: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Data-plane error ratio above which a cluster is drained, 0 to 1. Default: 0.01.' })),
        },
        'Shift customer traffic away from failing clusters.',
      ),
    ),
  },
  'Incident response: operators work on alerting clusters, try to delete the change, and escalate to remedies.',
);

export const AlertSchema = obj(
  {
    name: Type.String({ minLength: 1, description: 'Alert name (unique).' }),
    metric: str(METRIC_NAMES, 'Per-cluster metric the rule watches.'),
    op: str(['>', '<'], 'Comparison with the threshold.'),
    threshold: Type.Number({ minimum: -MAX_METRIC_VALUE, maximum: MAX_METRIC_VALUE, description: 'Threshold value (within ±1e12).' }),
    for: opt(duration('How long the condition must hold before the alert fires. Default: 0s.')),
    keepFiringFor: opt(
      duration("Prometheus' keep_firing_for: once firing, the alert resolves only after the condition has been absent this long; the condition coming back restarts the clock. Default: 0s (resolve at the first evaluation without it)."),
    ),
    severity: opt(str(['warning', 'critical'], 'Severity. Default: "warning".')),
  },
  'An alert rule, evaluated per cluster.',
);

export const ScenarioSpecSchema = obj(
  {
    start: Type.String({ pattern: TIMESTAMP_PATTERN, description: 'Start of the run: an ISO timestamp; without an offset it is wall time in timeZone.' }),
    timeZone: opt(Type.String({ minLength: 1, description: 'Time zone of the scenario: an IANA name (America/Los_Angeles), an offset (-08:00) or UTC. Default: "UTC".' })),
    duration: duration('Length of the run (more than 0, at most 7d).'),
    step: opt(duration('Simulation step (1s to 60s). Default: 1s.')),
    fleet: obj(
      {
        file: opt(Type.String({ minLength: 1, description: 'Path of a Fleet file, relative to this scenario file.' })),
        ...fleetSpecProperties,
      },
      'The fleet: either `file` (a Fleet document), or inline `clusters` and/or `generate`.',
    ),
    model: opt(ModelPatchSchema),
    clusterModels: opt(
      Type.Array(
        obj(
          {
            clusters: SelectorSchema,
            model: ModelPatchSchema,
          },
          'Model overrides for the selected clusters, on top of spec.model.',
        ),
        { description: 'Per-cluster model overrides, applied in order to matching clusters.' },
      ),
    ),
    change: opt(ChangeSchema),
    pipeline: opt(PipelineSchema),
    events: opt(Type.Array(EventSchema, { description: 'Scheduled actions and faults.' })),
    operators: opt(OperatorsSchema),
    alerts: opt(Type.Array(AlertSchema, { description: 'Alert rules; when given they replace the default rules (see docs/scenario-format.md).' })),
  },
  'What to simulate.',
);

export const ScenarioDocument = obj(
  {
    apiVersion: ApiVersion,
    kind: Type.Literal('Scenario', { description: 'Document kind: Scenario.' }),
    metadata: metadata('scenario', DNS_SUBDOMAIN_PATTERN),
    spec: ScenarioSpecSchema,
  },
  'A scenario for the firebreak fleet twin: a fleet, a change, scheduled events and incident response.',
);

export type ScenarioSpecInput = Static<typeof ScenarioSpecSchema>;
export type ScenarioDocumentInput = Static<typeof ScenarioDocument>;
export type SelectorInput = Static<typeof SelectorSchema>;
export type EventInput = Static<typeof EventSchema>;
