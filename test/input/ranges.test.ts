/**
 * Numbers within documented ranges (every number of the input formats has a
 * minimum and a maximum; a value outside is a located error naming the
 * range), and the wrong kind of document answered with one message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { jsonSchemas } from '../../src/input/json-schema.ts';
import { parseFleet } from '../../src/input/fleet.ts';
import { parsePlan } from '../../src/input/plan.ts';
import { parseScenario } from '../../src/input/scenario.ts';
import { ModelPatchSchema } from '../../src/model/model-patch.ts';
import { describeSchema } from '../../src/input/validate.ts';
import { assertProblems, problemsOf } from './problems.ts';

type Node = Readonly<Record<string, unknown>>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

test('every number in the fleet, scenario and plan schemas has a minimum and a maximum', () => {
  const unbounded: string[] = [];
  let numbers = 0;
  const walk = (n: unknown, at: string): void => {
    if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${at}/${i}`));
    if (!isNode(n)) return;
    const types: unknown[] = Array.isArray(n.type) ? n.type : [n.type];
    if (types.includes('number') || types.includes('integer')) {
      numbers++;
      const min = typeof n.minimum === 'number' || typeof n.exclusiveMinimum === 'number';
      const max = typeof n.maximum === 'number' || typeof n.exclusiveMaximum === 'number';
      if (!min || !max) unbounded.push(`${at}${min ? '' : ' (no minimum)'}${max ? '' : ' (no maximum)'}`);
    }
    for (const [k, v] of Object.entries(n)) walk(v, `${at}/${k}`);
  };
  for (const [name, schema] of Object.entries(jsonSchemas())) walk(schema, name);
  assert.ok(numbers > 150, `${numbers} numbers`);
  assert.deepEqual(unbounded, []);
});

test("docs/scenario-format.md gives every model number the schema's range", () => {
  const doc = readFileSync('docs/scenario-format.md', 'utf8');
  const wrong: string[] = [];
  const walk = (s: unknown, at: string[]): void => {
    if (!isNode(s) || !isNode(s.properties)) return;
    for (const [k, v] of Object.entries(s.properties)) {
      const path = [...at, k].join('.');
      if (isNode(v) && (v.type === 'number' || v.type === 'integer')) {
        const row = new RegExp(`^\\| \`${path.replace(/\./g, '\\.')}\` \\| ([^|]+) \\|`, 'm').exec(doc);
        if (row?.[1] !== describeSchema(v)) wrong.push(`${path}: documented ${JSON.stringify(row?.[1])}, schema ${JSON.stringify(describeSchema(v))}`);
      }
      walk(v, [...at, k]);
    }
  };
  walk(ModelPatchSchema, []);
  assert.deepEqual(wrong, []);
});

const FLEET = (cluster: string): string => `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: f }\nspec:\n  clusters:\n    - ${cluster}\n`;
const SCENARIO = (...spec: string[]): string =>
  ['apiVersion: firebreak.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: s }', 'spec:', '  start: "2024-12-11T14:00:00"', '  duration: 2h', '  fleet: { clusters: [{ name: a, nodes: 10 }] }', ...spec, ''].join('\n');

test('pods: 1e300 and other huge numbers are input errors naming the allowed range', () => {
  assertProblems(problemsOf(() => parseFleet(FLEET('{ name: a, nodes: 10, pods: 1e300 }'), 'f.yaml')), [['f.yaml', 6, 35, 'spec.clusters[0].pods', 'expected an integer between 0 and 10000000, got 1e+300']]);
  assertProblems(problemsOf(() => parseScenario(SCENARIO('  model: { apiServer: { requestTimeoutS: 1e300 }, etcd: { readBytesPerS: 2e12 } }'), 's.yaml')), [
    ['s.yaml', 8, 42, 'spec.model.apiServer.requestTimeoutS', 'expected a number > 0 and ≤ 3600, got 1e+300'],
    ['s.yaml', 8, 74, 'spec.model.etcd.readBytesPerS', 'expected a number > 0 and ≤ 1e12, got 2000000000000'],
  ]);
  const plan = readFileSync('test/fixtures/plans/valid/fast.yaml', 'utf8');
  assertProblems(problemsOf(() => parsePlan(`${plan}  maxConcurrency: 1e300\n`, 'p.yaml')), [['p.yaml', 11, 19, 'spec.maxConcurrency', 'expected an integer between 1 and 10000, got 1e+300']]);
});

test('byte quantities and duration strings are bounded as their number forms are', () => {
  assertProblems(problemsOf(() => parseScenario(SCENARIO('  model:', '    apiServer: { baseMemoryBytes: 1Ei }', '    objects: { podBytes: 2Mi, nodeBytes: 1.5Mi }'), 's.yaml')), [
    ['s.yaml', 9, 35, 'spec.model.apiServer.baseMemoryBytes', 'expected a byte count of at most 17592186044416 (16Ti), got "1Ei"'],
    ['s.yaml', 10, 26, 'spec.model.objects.podBytes', 'expected a byte count of at most 1572864 (1.5Mi), got "2Mi"'],
  ]);
  const change = ['  change:', '    name: agent', '    calls:'];
  assertProblems(problemsOf(() => parseScenario(SCENARIO(...change, '      - { verb: get, resource: pods, period: 1e300 }'), 's.yaml')), [
    ['s.yaml', 11, 46, 'spec.change.calls[0].period', 'expected a duration such as "90s", "5m" or "1h30m", or a number of seconds ≤ 604800, got 1e+300'],
  ]);
  assertProblems(problemsOf(() => parseScenario(SCENARIO(...change, '      - { verb: list, resource: pods, period: 8d }'), 's.yaml')), [['s.yaml', 11, 47, 'spec.change.calls[0].period', 'expected a duration ≤ 7d, got 8d']]);
});

test('the wrong kind is one problem, naming the kind found and what takes it', () => {
  const plan = readFileSync('test/fixtures/plans/valid/fast.yaml', 'utf8');
  const scenario = readFileSync('test/fixtures/plans/scenarios/small-benign.yaml', 'utf8');
  assertProblems(problemsOf(() => parseScenario(plan, 'p.yaml')), [['p.yaml', 3, 7, 'kind', 'this is a RolloutPlan document, expected a Scenario']]);
  const [swapped] = problemsOf(() => parseScenario(plan, 'p.yaml'));
  assert.match(swapped?.hint ?? '', /`firebreak plan validate`.*were --scenario and --plan swapped\?/);
  assertProblems(problemsOf(() => parsePlan(scenario, 's.yaml')), [['s.yaml', 3, 7, 'kind', 'this is a Scenario document, expected a RolloutPlan']]);
  assertProblems(problemsOf(() => parseFleet('apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: x }\n', 'ds.yaml')), [['ds.yaml', 2, 7, 'kind', 'this is a Kubernetes DaemonSet (apps/v1), expected a firebreak Fleet document']]);
  const manifests = readFileSync('test/fixtures/manifests/otel-agent-node-filter.yaml', 'utf8');
  const [multi, ...rest] = problemsOf(() => parseScenario(manifests, 'm.yaml'));
  assert.equal(rest.length, 0);
  assert.match(multi?.message ?? '', /^expected one firebreak document, found \d+ YAML documents, the first a Kubernetes \w+: this looks like Kubernetes manifests$/);
  assert.match(multi?.hint ?? '', /`firebreak analyze <manifests> --fleet <fleet.yaml>`/);
});
