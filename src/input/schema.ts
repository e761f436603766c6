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
import { METRIC_NAMES } from '../twin/index.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS, DEFAULT_PODS_PER_NODE } from '../model/kubernetes.ts';
import { SIZE_CLASSES } from '../model/fleet.ts';
import { ModelPatchSchema, QUANTITY_PATTERN } from '../model/model-patch.ts';
import { duration, obj, opt, str } from './schema-kit.ts';

export const API_VERSION = 'firebreak.dev/v1alpha1';

// ---------------------------------------------------------------------------
// Patterns, with the words validation messages use for them.

/** `HH:MM`, `HH:MM:SS`, an ISO timestamp (offset optional) or `+<duration>`. */
const TIME_PATTERN =
  '^(\\d{1,2}:\\d{2}(:\\d{2})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?|\\+(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$';
/** An ISO timestamp, offset optional (without one it is wall time in `timeZone`). */
const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?$';
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

function stringMap(description: string): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string', description: 'A label value.' }, description });
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
