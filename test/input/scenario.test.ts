import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALERTS } from '../../src/input/alerts.ts';
import { loadScenarioFile, parseScenario } from '../../src/input/scenario.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { assertProblems, problemsOf } from './problems.ts';
import { INLINE, inlineScenario } from './inline-scenario.ts';

const VALID = 'test/fixtures/input/valid';
const INVALID = 'test/fixtures/input/invalid';
const GiB = 1024 ** 3;

const scenario = inlineScenario;
const CHANGE = ['  change:', '    name: agent', '    calls:', '      - { verb: list, resource: pods, period: 1m }'];

void describe('loadScenarioFile: the full fixture', () => {
  const s = loadScenarioFile(`${VALID}/scenario-full.yaml`);

  void it('resolves the start as wall time in the zone', () => {
    assert.equal(s.startMs, Date.UTC(2024, 11, 11, 22, 0, 0)); // 14:00 PST = 22:00Z
    assert.equal(s.timeZone, 'America/Los_Angeles');
    assert.equal(s.durationS, 6 * 3600);
    assert.equal(s.stepS, 2);
    assert.equal(s.name, 'full-example');
    assert.equal(s.description, 'A telemetry agent overloads the API servers.');
  });

  void it('loads the fleet file relative to the scenario', () => {
    assert.equal(s.clusters.length, 23);
    assert.equal(s.clusters[0]?.name, 'prod-a');
  });

  void it('merges the model over the defaults, converting quantities', () => {
    assert.equal(s.model.apiServer.replicas, 5);
    assert.equal(s.model.apiServer.baseMemoryBytes, 4 * GiB);
    assert.deepEqual(s.model.apiServer.sizing, [
      { minNodes: 0, cpuCores: 8, memoryBytes: 32 * GiB },
      { minNodes: 1000, cpuCores: 32, memoryBytes: 1.5e9 },
    ]);
    assert.equal(s.model.apiServer.seats, DEFAULT_MODEL.apiServer.seats);
    assert.equal(s.model.dns.placement, 'control-plane');
    assert.equal(s.model.dns.replicas, 'auto');
    assert.equal(s.model.objects.podBytes, 8192);
    assert.deepEqual(s.model.etcd, DEFAULT_MODEL.etcd);
    assert.deepEqual(s.model.apf, DEFAULT_MODEL.apf);
  });

  void it('merges cluster models over the scenario model', () => {
    assert.equal(s.clusterModels.length, 1);
    assert.deepEqual(s.clusterModels[0]?.clusters, { names: ['prod-a'] });
    assert.equal(s.clusterModels[0]?.model.dns.replicas, 40);
    assert.equal(s.clusterModels[0]?.model.dns.placement, 'control-plane');
    assert.equal(s.clusterModels[0]?.model.apiServer.replicas, 5);
  });

  void it('compiles the change with defaults', () => {
    const c = s.change;
    assert.ok(c !== undefined);
    assert.deepEqual([c.kind, c.namespace, c.serviceAccount, c.priorityLevel], ['DaemonSet', 'telemetry', 'telemetry-agent', 'workload-low']);
    assert.deepEqual(c.calls[0], {
      name: 'list-pods',
      verb: 'list',
      resource: 'pods',
      scope: 'cluster',
      resourceVersion: 'consistent',
      periodS: 1200,
      jitter: 0.2,
      pageSize: 0,
      qps: 5,
      burst: 10,
      retry: { policy: 'backoff', initialS: 0.8, factor: 2, maxS: 30, jitter: 1 },
      namespaceFraction: 0.05,
    });
    assert.deepEqual([c.calls[1]?.name, c.calls[1]?.periodS, c.calls[1]?.resourceVersion, c.calls[1]?.scope], ['watch-nodes', 0, 'watch-list', 'node']);
    assert.deepEqual([c.calls[2]?.name, c.calls[2]?.periodS, c.calls[2]?.qps, c.calls[2]?.burst, c.calls[2]?.namespaceFraction], ['get-configmaps', 90, 10, 10, 0.1]);
    assert.deepEqual(c.calls[2]?.retry, { policy: 'immediate', initialS: 0.25, factor: 2, maxS: 60, jitter: 1 });
  });

  void it('resolves pipeline and event times to seconds from the start, in time order', () => {
    assert.deepEqual(s.pipeline, { startS: 51 * 60, endS: 80 * 60, clusters: { matchLabels: { tier: 'prod' } }, order: 'largest-first' });
    assert.deepEqual(
      s.events.map((e) => [e.atS, e.action]),
      [
        [3600, { kind: 'scale-nodes', fraction: 0.5, overS: 600 }],
        [5400, { kind: 'block-admin-api', sources: ['nodes'], overS: 300 }],
        [6330, { kind: 'remove-change', via: 'api' }],
        [7200, { kind: 'etcd-slowdown', factor: 3, durationS: 600 }],
        [7200, { kind: 'scale-apiservers', replicas: 5, memoryFactor: 2, cpuFactor: 1, provisionS: 1800 }],
      ],
    );
    assert.deepEqual(s.events[0]?.clusters, { sizeClasses: ['xlarge'], minNodes: 1000 });
    assert.deepEqual(s.events[1]?.clusters, {});
    assert.equal(s.events[0]?.source, 'spec.events[1], line 60');
  });

  void it('compiles operators with defaults', () => {
    assert.deepEqual(s.operators, {
      priorityLevel: 'break-glass',
      breakGlass: { seats: 20 },
      respondAtS: 76 * 60,
      parallelism: 8,
      retryEveryS: 60,
      escalateAfterS: 900,
      shedChange: false,
      remedies: {
        scaleApiServers: { replicas: 7, memoryFactor: 1, cpuFactor: 1, provisionS: 2700 },
        scaleDownNodes: { fraction: 0.5, overS: 600 },
      },
      restore: { unblockOverS: 300, scaleNodesBackOverS: 1800 },
      shiftTraffic: { atS: 87 * 60, overS: 900, errorThreshold: 0.02 },
    });
  });

  void it('uses the given alerts instead of the defaults', () => {
    assert.deepEqual(s.alerts, [
      { name: 'ApiDown', metric: 'apiserver_success_ratio', op: '<', threshold: 0.5, forS: 60, severity: 'critical' },
      { name: 'DnsErrors', metric: 'dns_servfail_ratio', op: '>', threshold: 0.1, forS: 0, severity: 'warning' },
    ]);
  });
});

void describe('loadScenarioFile: the minimal fixture', () => {
  const s = loadScenarioFile(`${VALID}/scenario-minimal.yaml`);

  void it('applies every default', () => {
    assert.equal(s.startMs, Date.UTC(2024, 0, 1));
    assert.equal(s.timeZone, 'UTC');
    assert.equal(s.durationS, 3600);
    assert.equal(s.stepS, 1);
    assert.equal(s.description, '');
    assert.deepEqual(s.clusters, [{ name: 'one', nodes: 100, pods: 3000, labels: {}, sizeClass: 'small' }]);
    assert.deepEqual(s.model, DEFAULT_MODEL);
    assert.deepEqual(s.clusterModels, []);
    assert.deepEqual(s.events, []);
    assert.equal(s.alerts, DEFAULT_ALERTS);
    assert.ok(!('change' in s) && !('pipeline' in s) && !('operators' in s));
  });

  void it('has the default alert rules', () => {
    assert.deepEqual(
      DEFAULT_ALERTS.map((a) => [a.name, a.metric, a.op, a.threshold, a.forS, a.severity]),
      [
        ['KubeAPIServerUnavailable', 'apiserver_success_ratio', '<', 0.9, 120, 'critical'],
        ['KubeAPILatencyHigh', 'apiserver_p99_single_object_seconds', '>', 1, 300, 'warning'],
        ['KubeAPITooManyRequests', 'apiserver_429_ratio', '>', 0.05, 300, 'warning'],
        ['KubeAPIServerMemoryHigh', 'apiserver_memory_ratio', '>', 0.9, 120, 'warning'],
        ['CoreDNSErrors', 'dns_servfail_ratio', '>', 0.05, 120, 'critical'],
        ['DataPlaneErrors', 'dataplane_error_ratio', '>', 0.01, 60, 'critical'],
      ],
    );
  });
});

void describe('loadScenarioFile: invalid fixtures', () => {
  void it('reports wrong types, unknown fields and values, with suggestions', () => {
    const file = `${INVALID}/scenario-schema.yaml`;
    const problems = problemsOf(() => loadScenarioFile(file));
    assertProblems(problems, [
      [file, 6, 13, 'spec.duration', 'expected a duration such as "90s", "5m" or "1h30m", or a number of seconds, got true'],
      [file, 7, 9, 'spec.step', 'expected a duration such as "90s", "5m" or "1h30m", or a number of seconds, got "fast"'],
      [file, 10, 23, 'spec.model.dns.placement', 'expected one of "workers", "control-plane", got "worker"'],
      [file, 11, 31, 'spec.model.apiServer.memoryBytes', 'unknown field `memoryBytes`'],
      [file, 16, 19, 'spec.change.calls[0].resource', /^expected one of "pods", "nodes", .*, got "pod"$/],
      [file, 21, 7, 'spec.events[0].fraction', '`fraction` is not a parameter of action block-admin-api; its parameters are: sources, over'],
      [file, 23, 29, 'spec.alerts[0].metric', /^expected one of "apiserver_success_ratio", .*"traffic_share", got "apiserver_latency"$/],
    ]);
    assert.equal(problems[2]?.hint, 'did you mean "workers"?');
    assert.match(problems[3]?.hint ?? '', /^did you mean `baseMemoryBytes`\? fields allowed here: replicas, seats, /);
  });

  void it('reports semantic problems: levels, periods, watch-list, pipeline order, names, times, duplicates', () => {
    const file = `${INVALID}/scenario-semantic.yaml`;
    const problems = problemsOf(() => loadScenarioFile(file));
    assertProblems(problems, [
      [file, 11, 20, 'spec.change.priorityLevel', 'priority level `workload-lo` is not defined in model.apf.levels'],
      [file, 15, 17, 'spec.change.calls[0].period', '`period` applies to periodic calls; a watch lists once then watches'],
      [file, 16, 9, 'spec.change.calls[1].period', 'missing `period`: a list call repeats every period'],
      [file, 18, 26, 'spec.change.calls[1].resourceVersion', 'resourceVersion watch-list is a streaming list over a watch, but the verb is list'],
      [file, 21, 10, 'spec.pipeline.end', 'the pipeline ends ("14:51") before it starts ("15:20")'],
      [file, 22, 33, 'spec.pipeline.clusters.names[1]', 'no cluster named `prod-c` in the fleet'],
      [file, 24, 11, 'spec.events[0].at', '"13:00" is after the end of the run (start + duration = 2024-12-11T16:00:00-08:00)'],
      [file, 26, 11, 'spec.events[1].at', '"2024-12-11T13:59:00-08:00" is before the start of the run (2024-12-11T14:00:00-08:00)'],
      [file, 30, 15, 'spec.alerts[1].name', 'two alerts are named `A`; the other is alerts[0]'],
    ]);
    assert.equal(problems[0]?.hint, 'did you mean `workload-low`?');
    assert.equal(problems[5]?.hint, 'did you mean `prod-a` or `prod-b`?');
    assert.match(problems[6]?.hint ?? '', /^13:00 is earlier than the start time of day, so it means the next day/);
  });

  void it('reports an impossible start date, an unknown zone and out-of-range durations', () => {
    const file = `${INVALID}/scenario-bad-zone.yaml`;
    const problems = problemsOf(() => loadScenarioFile(file));
    assertProblems(problems, [
      [file, 5, 10, 'spec.start', '"2024-02-30T14:00:00" is not a real date and time'],
      [file, 6, 13, 'spec.timeZone', 'unknown time zone "America/LosAngeles"'],
      [file, 7, 13, 'spec.duration', 'expected a duration ≤ 7d, got 8d'],
      [file, 8, 9, 'spec.step', 'expected a duration between 1s and 1m, got 2m'],
    ]);
    assert.equal(problems[1]?.hint, 'did you mean America/Los_Angeles?');
  });

  void it('names the resolved path of a missing fleet file', () => {
    const file = `${INVALID}/scenario-missing-fleet.yaml`;
    assertProblems(problemsOf(() => loadScenarioFile(file)), [
      [file, 7, 18, 'spec.fleet.file', /^fleet file not found: "\.\.\/fleets\/nowhere\.yaml" \(resolved to \/.*\/test\/fixtures\/input\/fleets\/nowhere\.yaml\)$/],
    ]);
  });

  void it('refuses a fleet file of the wrong kind', () => {
    const file = `${INVALID}/scenario-fleet-is-scenario.yaml`;
    assertProblems(problemsOf(() => loadScenarioFile(file)), [
      [file, 7, 18, 'spec.fleet.file', /^fleet file "\.\.\/valid\/scenario-minimal\.yaml" \(.*\): this is a Scenario document, expected a Fleet$/],
    ]);
  });

  void it("reports the fleet file's problems under the fleet file's name", () => {
    const fleet = `${INVALID}/fleet-schema.yaml`;
    assertProblems(problemsOf(() => loadScenarioFile(`${INVALID}/scenario-bad-fleet-file.yaml`)), [
      [fleet, 8, 7, 'spec.clusters[0].nodez', 'unknown field `nodez`'],
      [fleet, 10, 14, 'spec.clusters[1].nodes', 'expected an integer between 1 and 100000, got -5'],
      [fleet, 11, 23, 'spec.clusters[1].labels.tier', 'expected a string, got 1'],
      [fleet, 14, 12, 'spec.generate.nodes.median', 'missing required field `median`'],
    ]);
  });

  void it('reports malformed YAML', () => {
    const file = `${INVALID}/malformed.yaml`;
    assertProblems(problemsOf(() => loadScenarioFile(file)), [[file, 9, 3, '', /^invalid YAML: /]]);
  });
});

void describe('parseScenario: single rules', () => {
  const problems = (...lines: string[]) => problemsOf(() => parseScenario(scenario(...lines), INLINE));

  void it('requires apiVersion firebreak.dev/v1alpha1', () => {
    const text = scenario().replace('firebreak.dev/v1alpha1', 'firebreak.dev/v1');
    assertProblems(
      problemsOf(() => parseScenario(text, INLINE)),
      [[INLINE, 1, 13, 'apiVersion', 'expected "firebreak.dev/v1alpha1", got "firebreak.dev/v1"']],
    );
  });

  void it('refuses a fleet where a scenario is expected', () => {
    const file = `${VALID}/fleet.yaml`;
    assertProblems(problemsOf(() => loadScenarioFile(file)), [[file, 3, 7, 'kind', 'this is a Fleet document, expected a Scenario']]);
  });

  void it('refuses a document that is not a mapping', () => {
    assertProblems(problemsOf(() => parseScenario('- a\n- b\n', 'l.yaml')), [['l.yaml', 1, 1, '', /^expected a Scenario document \(a mapping with apiVersion, kind, metadata and spec\), got a list$/]]);
  });

  void it('accepts an inline fleet, and not both kinds at once', () => {
    const text = scenario().replace('fleet: { file: fleet.yaml }', 'fleet: { clusters: [{ name: x, nodes: 3 }] }');
    assert.deepEqual(parseScenario(text, INLINE).clusters.map((c) => c.name), ['x']);
    const both = scenario().replace('fleet: { file: fleet.yaml }', 'fleet: { file: fleet.yaml, generate: { count: 2, nodes: { min: 1, max: 3, median: 2 } } }');
    assertProblems(problemsOf(() => parseScenario(both, INLINE)), [[INLINE, 8, 18, 'spec.fleet.file', 'give either `file` or inline `clusters`/`generate`, not both']]);
    const none = scenario().replace('fleet: { file: fleet.yaml }', 'fleet: {}');
    assertProblems(problemsOf(() => parseScenario(none, INLINE)), [[INLINE, 8, 10, 'spec.fleet', /^no fleet: /]]);
  });

  void it('refuses an explicit cluster named like a generated one', () => {
    const text = scenario().replace('fleet: { file: fleet.yaml }', 'fleet: { clusters: [{ name: gen-2, nodes: 5 }], generate: { count: 3, nodes: { min: 1, max: 9, median: 3 } } }');
    assertProblems(problemsOf(() => parseScenario(text, INLINE)), [
      [INLINE, 8, 31, 'spec.fleet.clusters[0].name', 'cluster name `gen-2` is also the name of a generated cluster (generate names its clusters gen-1 to gen-3)'],
    ]);
  });

  void it('accepts every time form', () => {
    const s = parseScenario(
      scenario(
        '  events:',
        '    - { at: "+90m", action: kill-apiservers }',
        '    - { at: "2024-12-11T23:00:00Z", action: kill-apiservers }',
        '    - { at: "14:00:30", action: kill-apiservers }',
        '    - { at: "2024-12-11T15:59:59", action: restart-coredns }',
      ),
      INLINE,
    );
    assert.deepEqual(s.events.map((e) => e.atS), [30, 3600, 5400, 7199]);
  });

  void it('applies the default parameters of every action', () => {
    const s = parseScenario(
      scenario(
        ...CHANGE,
        '  events:',
        ...['apply-change', 'remove-change', 'scale-apiservers', 'block-admin-api', 'unblock-admin-api', 'shift-traffic', 'kill-apiservers', 'restart-coredns'].map(
          (a) => `    - { at: "15:00", action: ${a} }`,
        ),
        '    - { at: "15:00", action: scale-nodes, fraction: 1.5 }',
        '    - { at: "15:00", action: etcd-slowdown, factor: 2, duration: 90 }',
      ),
      INLINE,
    );
    assert.deepEqual(
      s.events.map((e) => e.action),
      [
        { kind: 'apply-change', nodeFraction: 1 },
        { kind: 'remove-change', via: 'kill-switch' },
        { kind: 'scale-apiservers', replicas: DEFAULT_MODEL.apiServer.replicas, memoryFactor: 1, cpuFactor: 1, provisionS: 1800 },
        { kind: 'block-admin-api', sources: ['nodes'], overS: 300 },
        { kind: 'unblock-admin-api', overS: 600 },
        { kind: 'shift-traffic', overS: 600, errorThreshold: 0.01 },
        { kind: 'kill-apiservers' },
        { kind: 'restart-coredns' },
        { kind: 'scale-nodes', fraction: 1.5, overS: 600 },
        { kind: 'etcd-slowdown', factor: 2, durationS: 90 },
      ],
    );
    assert.ok(s.events.every((e) => e.atS === 3600 && Object.keys(e.clusters).length === 0));
  });

  void it('applies the operators defaults', () => {
    const s = parseScenario(scenario('  operators: { respondAt: "14:30", remedies: { scaleApiServers: {}, blockAdminApi: {} } }'), INLINE);
    assert.deepEqual(s.operators, {
      priorityLevel: 'global-default',
      respondAtS: 1800,
      parallelism: 4,
      retryEveryS: 60,
      escalateAfterS: 600,
      shedChange: false,
      remedies: {
        scaleApiServers: { replicas: DEFAULT_MODEL.apiServer.replicas, memoryFactor: 1, cpuFactor: 1, provisionS: 1800 },
        blockAdminApi: { sources: ['nodes'], overS: 300 },
      },
      restore: { unblockOverS: 600, scaleNodesBackOverS: 1800 },
    });
  });

  void it('rejects an impossible time of day', () => {
    assertProblems(problems('  events:', '    - { at: "24:00", action: kill-apiservers }'), [[INLINE, 10, 13, 'spec.events[0].at', '"24:00" is not a real time']]);
  });

  void it('resolves a local start across a DST change, and fixed offsets', () => {
    const dst = scenario().replace('2024-12-11T14:00:00', '2024-03-10T03:30:00');
    assert.equal(parseScenario(dst, INLINE).startMs, Date.UTC(2024, 2, 10, 10, 30)); // PDT, UTC-7
    const fixed = scenario().replace('America/Los_Angeles', '"+05:30"');
    assert.equal(parseScenario(fixed, INLINE).startMs, Date.UTC(2024, 11, 11, 8, 30));
    const z = scenario().replace('2024-12-11T14:00:00', '2024-12-11T14:00:00Z');
    assert.equal(parseScenario(z, INLINE).startMs, Date.UTC(2024, 11, 11, 14, 0));
  });

  void it('requires a positive duration', () => {
    const text = scenario().replace('duration: 2h', 'duration: 0s');
    assertProblems(problemsOf(() => parseScenario(text, INLINE)), [[INLINE, 7, 13, 'spec.duration', 'expected a duration > 0, got 0s']]);
  });

  void it('forbids replicas on a DaemonSet and allows them on a Deployment', () => {
    assertProblems(problems(...CHANGE, '    replicas: 3'), [[INLINE, 13, 15, 'spec.change.replicas', '`replicas` applies to a Deployment; a DaemonSet runs one pod per node']]);
    const s = parseScenario(scenario(...CHANGE, '    kind: Deployment', '    replicas: 3', '    namespace: kube-system'), INLINE);
    assert.deepEqual([s.change?.kind, s.change?.replicas, s.change?.priorityLevel], ['Deployment', 3, 'workload-high']);
  });

  void it('requires spec.change for the pipeline and change actions', () => {
    assertProblems(
      problems(
        '  pipeline: { start: "14:10", end: "14:20" }',
        '  events:',
        '    - { at: "14:30", action: apply-change }',
        '    - { at: "14:40", action: remove-change }',
        '    - { at: "14:50", action: scale-nodes, fraction: 0.5 }',
      ),
      [
        [INLINE, 9, 13, 'spec.pipeline', 'the pipeline applies the change, but spec.change is not set'],
        [INLINE, 11, 30, 'spec.events[0].action', 'action apply-change applies the change, but spec.change is not set'],
        [INLINE, 12, 30, 'spec.events[1].action', 'action remove-change removes the change, but spec.change is not set'],
      ],
    );
  });

  void it('requires action parameters and suggests action names', () => {
    assertProblems(
      problems('  events:', '    - { at: "14:30", action: scale-nodes }', '    - { at: "14:30", action: scale-node }', '    - { at: "14:30" }'),
      [
        [INLINE, 10, 7, 'spec.events[0].fraction', 'action scale-nodes requires `fraction`'],
        [INLINE, 11, 30, 'spec.events[1].action', /^expected an action, one of apply-change, .*, restart-coredns; got "scale-node"$/],
        [INLINE, 12, 7, 'spec.events[2].action', 'missing required field `action`'],
      ],
    );
  });

  void it('checks the break-glass level and levels replaced by model overrides', () => {
    assertProblems(problems('  operators: { respondAt: "14:30", priorityLevel: break-glass }'), [
      [INLINE, 9, 51, 'spec.operators.priorityLevel', 'priority level `break-glass` is not defined in model.apf.levels; break-glass exists only with spec.operators.breakGlass'],
    ]);
    const s = parseScenario(scenario('  operators: { respondAt: "14:30", breakGlass: { seats: 5 } }'), INLINE);
    assert.equal(s.operators?.priorityLevel, 'break-glass');
    assert.equal(s.operators?.respondAtS, 1800);

    const ownLevels = ['  model:', '    apf:', '      levels:', '        - { name: only, shares: 10, lendablePercent: 0, exempt: false, queues: 8, handSize: 2, queueLengthLimit: 10, reject: false }'];
    assertProblems(problems(...ownLevels, ...CHANGE), [
      [INLINE, 14, 5, 'spec.change', 'priority level `workload-low` (the default for service account default/agent) is not defined in model.apf.levels'],
    ]);
  });

  void it('checks selectors', () => {
    assertProblems(problems('  clusterModels:', '    - clusters: { names: [prod-a, nope], minNodes: 10, maxNodes: 5 }', '      model: {}'), [
      [INLINE, 10, 35, 'spec.clusterModels[0].clusters.names[1]', 'no cluster named `nope` in the fleet'],
      [INLINE, 10, 66, 'spec.clusterModels[0].clusters.maxNodes', 'maxNodes (5) is less than minNodes (10), so nothing matches'],
    ]);
  });

  void it('checks rules across model fields where the override sets them', () => {
    assertProblems(problems('  model:', '    dns: { minReplicas: 10, maxReplicas: 5 }'), [
      [INLINE, 10, 42, 'spec.model.dns.maxReplicas', 'dns.maxReplicas (5) is less than dns.minReplicas (10)'],
    ]);
    assertProblems(problems('  model:', '    apiServer: { sizing: [{ minNodes: 10, cpuCores: 4, memoryBytes: 16Gi }] }'), [
      [INLINE, 10, 26, 'spec.model.apiServer.sizing', 'no sizing tier has minNodes 0, so small clusters would have no control-plane size'],
    ]);
  });

  void it('names calls by default and refuses duplicate names', () => {
    assertProblems(problems(...CHANGE, '      - { verb: list, resource: pods, period: 5m }'), [
      [INLINE, 13, 9, 'spec.change.calls[1]', 'two calls are named `list-pods` (the default name, <verb>-<resource>); the other is calls[0]'],
    ]);
  });

  void it('accepts resourceVersion 0 written as a number', () => {
    const s = parseScenario(scenario('  change:', '    name: agent', '    calls:', '      - { verb: list, resource: pods, period: 1m, resourceVersion: 0 }'), INLINE);
    assert.equal(s.change?.calls[0]?.resourceVersion, '0');
  });
});
