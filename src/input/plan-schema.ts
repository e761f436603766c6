/**
 * TypeBox schema of the RolloutPlan document (`kind: RolloutPlan`), the single
 * source of truth for its structure: src/input/plan.ts validates plans with
 * it, and it can be published for editors like the fleet and scenario
 * schemas (`plan.schema.json`). Every object is closed (a misspelt field is
 * an error) and every field's description gives its default, taken from
 * src/orchestrator/plan.ts and gates.ts. What JSON Schema cannot express
 * (exactly one of two fields, durations within bounds, gate names that must
 * exist, batches that grow) is checked by src/input/plan.ts.
 *
 * @example
 *   schemaProblems(PlanDocument, doc.value, doc); // Problem[]
 */
import { Type, type Static } from '@sinclair/typebox';
import { formatDuration } from '../core/duration.ts';
import { gateCatalogue } from '../orchestrator/gate-catalogue.ts';
import { DEFAULT_BAKE, DEFAULT_BUDGET, DEFAULT_EVALUATION, DEFAULT_IDENTITY, DEFAULT_MAX_CONCURRENCY, DEFAULT_ROLLBACK, DEFAULT_WAVES } from '../orchestrator/plan.ts';
import { ClusterSpecSchema, FleetGenerateSchema } from './fleet-schema.ts';
import { API_VERSION, duration, MAX_METRIC_VALUE, obj, opt, str } from './schema-kit.ts';
import { SelectorSchema } from './selector.ts';
import { DEFAULT_QUERY_STEP_S, DEFAULT_QUERY_TIMEOUT_S, DEFAULT_RATE_WINDOW_S } from './plan-metrics.ts';





const d = (s: number): string => formatDuration(s);
const NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
const METRIC_PATTERN = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
const USE = ['always', 'on-failure', 'never'] as const;
/** Most clusters a plan can cover: 10,000 listed plus 10,000 generated (docs/fleet-format.md). */
const MAX_CLUSTERS = 20_000;

const ManifestRefSchema = obj(
  {
    file: opt(Type.String({ minLength: 1, description: 'A YAML file (one or more documents) or a directory of them, relative to this plan file.' })),
    object: opt(
      Type.Object(
        {
          apiVersion: Type.String({ minLength: 1, description: 'API version of the object.' }),
          kind: Type.String({ minLength: 1, description: 'Kind of the object (DaemonSet, Deployment, ConfigMap, …).' }),
          metadata: Type.Object(
            {
              name: Type.String({ minLength: 1, description: 'Object name.' }),
              namespace: opt(Type.String({ minLength: 1, description: 'Namespace. Default: "default".' })),
            },
            { additionalProperties: true, description: 'Object metadata.' },
          ),
        },
        { additionalProperties: true, description: 'A Kubernetes object written inline.' },
      ),
    ),
  },
  'One manifest source: `file` or `object` (exactly one).',
);

export const PlanChangeSchema = obj(
  {
    twin: opt(
      obj(
        { name: opt(Type.String({ pattern: NAME_PATTERN, maxLength: 253, description: "Name of the scenario's change; when given, it must match the rehearsed scenario's spec.change.name." })) },
        'The change of the scenario the plan is rehearsed with (spec.change).',
      ),
    ),
    manifests: opt(Type.Array(ManifestRefSchema, { minItems: 1, description: 'Kubernetes objects to roll out; the first DaemonSet or Deployment is the workload node batches and gates follow.' })),
  },
  'What is rolled out: `twin` (a twin change reference) or `manifests` (exactly one).',
);

const PlanFleetSchema = obj(
  {
    file: opt(Type.String({ minLength: 1, description: 'Path of a Fleet file, relative to this plan file.' })),
    clusters: opt(Type.Array(ClusterSpecSchema, { maxItems: 10_000, description: 'Explicit clusters.' })),
    generate: opt(FleetGenerateSchema),
  },
  'The fleet the plan is for (used by `plan show`; a rehearsal uses its scenario’s fleet): `file` or inline `clusters`/`generate`.',
);

const GenerateWavesSchema = obj(
  {
    firstWave: opt(Type.Integer({ minimum: 1, maximum: 2, description: `Clusters in wave 1 (1 or 2): the first blast radius. Default: ${DEFAULT_WAVES.firstWave}.` })),
    growth: opt(Type.Number({ minimum: 1.1, maximum: 10, description: `Each wave is this many times the previous one. Default: ${DEFAULT_WAVES.growth}.` })),
    largestClassBy: opt(Type.Integer({ minimum: 1, maximum: 2, description: `A cluster of the largest size class is in this wave at the latest (1 or 2). Default: ${DEFAULT_WAVES.largestClassBy}.` })),
    largeCanary: opt(str(['largest', 'smallest'], `Which cluster of the largest size class goes first. Default: "${DEFAULT_WAVES.largeCanary}".`)),
    maxWaveSize: opt(Type.Integer({ minimum: 0, maximum: MAX_CLUSTERS, description: 'Upper bound on the clusters of one wave; 0 for none. Default: 0.' })),
    approvalBefore: opt(Type.Array(Type.Integer({ minimum: 1, maximum: MAX_CLUSTERS, description: 'A wave number (1-based).' }), { uniqueItems: true, description: 'Waves that wait for a manual approval before they start. Default: none.' })),
  },
  'The size-aware strategy: wave 1 the smallest cluster(s), a cluster of the largest size class by wave 2, then waves growing geometrically over a mix of sizes.',
);

const ExplicitWaveSchema = obj(
  {
    name: Type.String({ pattern: NAME_PATTERN, maxLength: 63, description: 'Wave name (unique).' }),
    clusters: opt(SelectorSchema),
    count: opt(Type.Integer({ minimum: 1, maximum: MAX_CLUSTERS, description: 'Take at most this many clusters.' })),
    percent: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: "Take this percentage of the plan's clusters (rounded up)." })),
    approval: opt(Type.Boolean({ description: 'Wait for a manual approval before this wave starts. Default: false.' })),
    bake: opt(duration('Bake time after the wave’s last cluster is done. Default: spec.bake.wave.')),
    maxConcurrency: opt(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Clusters changed at the same time in this wave (1 to 10000). Default: spec.maxConcurrency.' })),
  },
  'One wave: the clusters its selector matches that no earlier wave took, at most `count` or `percent`; all of them when neither is given.',
);

const WavesSchema = obj(
  {
    generate: opt(GenerateWavesSchema),
    list: opt(Type.Array(ExplicitWaveSchema, { minItems: 1, description: 'Explicit waves, in order.' })),
  },
  'Waves across clusters: `generate` (the size-aware strategy, the default) or an explicit `list`.',
);

const builtIn = gateCatalogue();

const GateOverrideSchema = obj(
  {
    enabled: opt(Type.Boolean({ description: 'Turn the gate on or off.' })),
    threshold: opt(Type.Union([Type.Number({ minimum: -MAX_METRIC_VALUE, maximum: MAX_METRIC_VALUE }), Type.Null()], { description: 'SLO-like limit (within ±1e12); null for comparison only.' })),
    critical: opt(Type.Boolean({ description: 'Fail at any time, even while pods start.' })),
    compare: opt(Type.Boolean({ description: 'Compare with the baseline of not-yet-changed clusters.' })),
    tolerance: opt(Type.Number({ minimum: 0, maximum: 100, description: "Allowed worsening relative to the canary's level before the change (0 to 100)." })),
    minEffect: opt(Type.Number({ minimum: 0, maximum: MAX_METRIC_VALUE, description: "Allowed worsening in the metric's unit." })),
    query: opt(Type.String({ minLength: 1, maxLength: 10_000, description: "PromQL replacing the gate's default query when the metric source is Prometheus (docs/orchestrator.md: the placeholders $cl, $clusters, $w, $apiserver). Default: the built-in query." })),
  },
  'Changes to a built-in gate.',
);

const CustomGateSchema = obj(
  {
    name: Type.String({ pattern: NAME_PATTERN, maxLength: 63, description: 'Gate name (unique, not a built-in name).' }),
    metric: Type.String({ pattern: METRIC_PATTERN, description: 'Metric the source serves (a Prometheus-style name).' }),
    group: opt(str(['control-plane', 'workload', 'change', 'custom'], 'Group, for reports. Default: "custom".')),
    worse: str(['higher', 'lower'], 'Which way is worse.'),
    threshold: opt(Type.Number({ minimum: -MAX_METRIC_VALUE, maximum: MAX_METRIC_VALUE, description: 'SLO-like limit (within ±1e12). Default: none (comparison only).' })),
    critical: opt(Type.Boolean({ description: 'Fail at any time. Default: false.' })),
    compare: opt(Type.Boolean({ description: 'Compare with the baseline. Default: true.' })),
    tolerance: opt(Type.Number({ minimum: 0, maximum: 100, description: 'Allowed relative worsening (0 to 100). Default: 0.25.' })),
    minEffect: opt(Type.Number({ minimum: 0, maximum: MAX_METRIC_VALUE, description: 'Allowed absolute worsening. Default: 0.' })),
    perLevel: opt(Type.Boolean({ description: 'One series per APF priority level. Default: false.' })),
    query: opt(Type.String({ minLength: 1, maxLength: 10_000, description: 'PromQL giving the metric when the metric source is Prometheus: one series per cluster (and per priority_level with perLevel), with the placeholders of docs/orchestrator.md. Default: none (the gate then needs a source that serves `metric`).' })),
  },
  'A gate of your own on a metric the metric source serves; an unavailable metric refuses to start.',
);

const E = DEFAULT_EVALUATION;
const EvaluationSchema = obj(
  {
    every: opt(duration(`How often gates are evaluated while a cluster is changed. Default: ${d(E.everyS)}.`)),
    window: opt(duration(`Samples judged: the last this long. Default: ${d(E.windowS)}.`)),
    preWindow: opt(duration(`A cluster's level before its change: the median over this long. Default: ${d(E.preWindowS)}.`)),
    settle: opt(duration(`After a batch's pods are ready, non-critical gates may fail only once this has passed. Default: ${d(E.settleS)}.`)),
    staleAfter: opt(duration(`A series whose newest sample is older than this is missing. Default: ${d(E.staleAfterS)}.`)),
    minSamples: opt(Type.Integer({ minimum: 2, maximum: 10_000, description: `Fewest canary samples for the baseline comparison. Default: ${E.minSamples}.` })),
    confidence: opt(Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, description: `Confidence of the Mann-Whitney U test. Default: ${E.confidence}.` })),
    breachSamples: opt(Type.Integer({ minimum: 1, maximum: 10_000, description: `Consecutive samples beyond a threshold that make a breach. Default: ${E.breachSamples}.` })),
    maxHold: opt(duration(`A hold longer than this pauses the rollout for a person. Default: ${d(E.maxHoldS)}.`)),
    progressDeadline: opt(duration(`A batch whose pods are not all ready after this fails the change-rollout gate. Default: ${d(E.progressDeadlineS)}.`)),
    maxBaselineClusters: opt(Type.Integer({ minimum: 1, maximum: 64, description: `Most baseline clusters per canary. Default: ${E.maxBaselineClusters}.` })),
    missingData: opt(str(['halt', 'pause', 'ignore'], `Missing or stale metrics: halt (and roll back), pause for a person, or ignore. Default: "${E.missingData}".`)),
  },
  'How gates are evaluated.',
);

const GatesSchema = obj(
  {
    controlPlane: opt(Type.Boolean({ description: 'The built-in control-plane gates (API latency, 429s, errors, APF seats, memory, restarts, etcd, DNS, NotReady nodes). Default: true.' })),
    workload: opt(Type.Boolean({ description: 'The built-in workload gates (error rate, latency, pods ready). Default: true.' })),
    change: opt(Type.Boolean({ description: "The change's own gate: every pod of a batch ready within the progress deadline. Default: true." })),
    overrides: opt(
      Type.Object(Object.fromEntries(builtIn.map((g) => [g.name, opt(GateOverrideSchema)])), {
        additionalProperties: false,
        description: `Changes to built-in gates, by name: ${builtIn.map((g) => g.name).join(', ')}.`,
      }),
    ),
    custom: opt(Type.Array(CustomGateSchema, { description: 'Gates of your own.' })),
    evaluation: opt(EvaluationSchema),
  },
  'Gates judging every batch and wave. Control-plane gates are on by default.',
);

const MetricsSchema = obj(
  {
    prometheus: opt(
      obj(
        {
          url: opt(Type.String({ pattern: '^https?://', minLength: 8, maxLength: 2048, description: 'Base URL of the Prometheus HTTP API (e.g. http://prometheus:9090). `rollout run --prometheus` and `gates check --prometheus` override it. Default: none (give --prometheus).' })),
          rateWindow: opt(duration(`The rate window $w of the default queries. Default: ${d(DEFAULT_RATE_WINDOW_S)}.`)),
          timeout: opt(duration(`Deadline of one query. Default: ${d(DEFAULT_QUERY_TIMEOUT_S)}.`)),
          step: opt(duration(`Resolution of the range queries. Default: ${d(DEFAULT_QUERY_STEP_S)}.`)),
        },
        'Read the gates from Prometheus (src/adapters/prometheus/): one query per gate for every cluster judged.',
      ),
    ),
  },
  "Where the gates' metrics come from. Default: the twin's (a rehearsal, a twin-served fleet).",
);

const R = DEFAULT_ROLLBACK;
const RollbackSchema = obj(
  {
    killSwitch: opt(str(USE, `The out-of-band kill switch that stops the agents without the API server: always, after a failed delete (on-failure), or never. Default: "${R.killSwitch}".`)),
    breakGlass: opt(str(USE, `Deletes through the break-glass identity at a protected priority level: always, after a failed delete, or never. Default: "${R.breakGlass}".`)),
    breakGlassSeats: opt(Type.Integer({ minimum: 1, maximum: 200, description: `Seats of the break-glass level (the twin's dedicated endpoint). Default: ${R.breakGlassSeats}.` })),
    breakGlassIdentity: opt(Type.String({ minLength: 1, description: `Name of the break-glass identity. Default: "${R.breakGlassIdentity}".` })),
  },
  'How a halted rollout is rolled back (newest clusters first).',
);

const B = DEFAULT_BUDGET;
const BudgetSchema = obj(
  {
    qps: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: `Per-cluster API budget, requests per second. Default: ${B.qps}.` })),
    burst: opt(Type.Integer({ minimum: 1, maximum: 1000, description: `Per-cluster API burst. Default: ${B.burst}.` })),
    backoff: opt(
      obj(
        {
          initial: opt(duration(`First wait after an error. Default: ${d(B.backoffInitialS)}.`)),
          factor: opt(Type.Number({ minimum: 1, maximum: 100, description: `Growth factor (1 to 100). Default: ${B.backoffFactor}.` })),
          max: opt(duration(`Longest wait. Default: ${d(B.backoffMaxS)}.`)),
          jitter: opt(Type.Number({ minimum: 0, maximum: 1, description: `Relative jitter (seeded). Default: ${B.backoffJitter}.` })),
        },
        'Backoff with jitter after API errors.',
      ),
    ),
    maxApplyAttempts: opt(Type.Integer({ minimum: 1, maximum: 100, description: `Failed applies of one batch before the rollout halts. Default: ${B.maxApplyAttempts}.` })),
  },
  'What the orchestrator may ask of each API server: it must not become the next telemetry service.',
);

export const PlanSpecSchema = obj(
  {
    change: PlanChangeSchema,
    fleet: opt(PlanFleetSchema),
    clusters: opt(SelectorSchema),
    waves: opt(WavesSchema),
    nodeBatches: opt(
      Type.Array(Type.Unsafe<number | string>({ type: ['integer', 'string'], minimum: 1, maximum: 100_000, description: 'A node count (1 to 100000) or a percentage of the nodes ("10%").' }), {
        minItems: 1,
        description: 'Node batches of a DaemonSet inside each cluster, growing, the last "100%". Default: [1, "1%", "10%", "50%", "100%"].',
      }),
    ),
    bake: opt(
      obj(
        {
          batch: opt(duration(`Bake time of each node batch, from its pods being ready. Default: ${d(DEFAULT_BAKE.batchS)}.`)),
          wave: opt(duration(`Bake time of each wave, from its last cluster being done. Default: ${d(DEFAULT_BAKE.waveS)}.`)),
        },
        'Bake times: how long each batch and wave must stay green before the rollout moves on.',
      ),
    ),
    maxConcurrency: opt(Type.Integer({ minimum: 1, maximum: 10_000, description: `Clusters changed at the same time within a wave. Default: ${DEFAULT_MAX_CONCURRENCY}.` })),
    gates: opt(GatesSchema),
    metrics: opt(MetricsSchema),
    rollback: opt(RollbackSchema),
    identity: opt(
      obj(
        {
          name: opt(Type.String({ minLength: 1, description: `Name of the orchestrator's identity. Default: "${DEFAULT_IDENTITY.name}".` })),
          priorityLevel: opt(Type.String({ minLength: 1, description: `APF priority level its requests land in. Default: "${DEFAULT_IDENTITY.priorityLevel}" (a service account outside kube-system).` })),
        },
        "The orchestrator's ordinary identity.",
      ),
    ),
    budget: opt(BudgetSchema),
  },
  'The rollout: change, clusters, waves, node batches, bake times, gates, rollback and API budget.',
);

export const PlanDocument = obj(
  {
    apiVersion: Type.Literal(API_VERSION, { description: `Format version; must be ${API_VERSION}.` }),
    kind: Type.Literal('RolloutPlan', { description: 'Document kind: RolloutPlan.' }),
    metadata: obj(
      {
        name: Type.String({ pattern: NAME_PATTERN, maxLength: 253, description: 'Name of the plan, used in reports.' }),
        description: opt(Type.String({ description: 'What the plan is for (free text). Default: empty.' })),
      },
      'Identifies the plan.',
    ),
    spec: PlanSpecSchema,
  },
  'A firebreak rollout plan: phased fleet rollouts behind control-plane health gates.',
);

export type PlanDocumentInput = Static<typeof PlanDocument>;
export type PlanSpecInput = Static<typeof PlanSpecSchema>;
