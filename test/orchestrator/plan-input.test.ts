/**
 * The RolloutPlan format: shipped and fixture plans load with their defaults;
 * every mistake is reported at once, located (file:line:column, field path);
 * random mutations of valid plans never crash the loader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import YAML from 'yaml';
import { InputError } from '../../src/core/errors.ts';
import { exitCodeFor } from '../../src/cli/run-errors.ts';
import { planShow, planValidate } from '../../src/cli/plan.ts';
import { loadPlanFile, parsePlan } from '../../src/input/plan.ts';
import { rehearsalSpec } from '../../src/input/rollout-spec.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { DEFAULT_EVALUATION, DEFAULT_NODE_BATCHES } from '../../src/orchestrator/plan.ts';
import { assertProblems, problemsOf } from '../input/problems.ts';

const F = 'test/fixtures/plans';

test('the shipped default plan spells out the defaults', () => {
  const p = loadPlanFile('plans/default.yaml').plan;
  const m = loadPlanFile(`${F}/valid/minimal.yaml`).plan;
  assert.deepEqual({ ...p, name: '', description: '' }, { ...m, name: '', description: '' });
  assert.deepEqual(m.nodeBatches, DEFAULT_NODE_BATCHES);
  assert.deepEqual(m.evaluation, DEFAULT_EVALUATION);
  assert.ok(m.gates.filter((g) => g.group === 'control-plane').every((g) => g.enabled), 'control-plane gates are on by default');
});

test('a plan with every section: explicit waves, manifests, inline fleet, overrides and a custom gate', () => {
  const l = loadPlanFile(`${F}/valid/explicit.yaml`);
  const p = l.plan;
  assert.equal(p.change.source, 'manifests');
  if (p.change.source === 'manifests') assert.deepEqual(p.change.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}`), ['ServiceAccount/monitoring/node-agent', 'DaemonSet/monitoring/node-agent', 'ConfigMap/monitoring/node-agent-config']);
  assert.equal(l.fleet?.length, 24);
  assert.equal(p.waves.kind, 'list');
  assert.deepEqual(p.nodeBatches, [{ nodes: 1 }, { percent: 5 }, { percent: 25 }, { percent: 100 }]);
  assert.equal(p.gates.find((g) => g.name === 'etcd-latency')?.threshold, 0.5);
  assert.equal(p.gates.find((g) => g.name === 'apf-seat-saturation')?.enabled, false);
  assert.equal(p.gates.find((g) => g.name === 'workload-errors')?.enabled, false);
  assert.equal(p.gates.find((g) => g.name === 'agent-restarts')?.custom, true);
  assert.equal(p.evaluation.everyS, 30);
  assert.equal(p.budget.backoffMaxS, 120);
  const shown = planShow(`${F}/valid/explicit.yaml`, { json: false });
  assert.match(shown, /wave 2 \(first-large\) — waits for approval: 1 cluster \(1 xlarge\)/);
  assert.match(shown, /huge +6000 nodes +xlarge +batches 1 → 300 → 1500 → 6000/);
});

test('structure problems: unknown fields with suggestions, wrong types and values, all at once', () => {
  assertProblems(problemsOf(() => loadPlanFile(`${F}/invalid/schema.yaml`)), [
    [`${F}/invalid/schema.yaml`, 7, 3, 'spec.wavez', 'unknown field `wavez`'],
    [`${F}/invalid/schema.yaml`, 9, 19, 'spec.maxConcurrency', 'expected an integer between 1 and 10000, got "many"'],
    [`${F}/invalid/schema.yaml`, 11, 17, 'spec.rollback.killSwitch', 'expected one of "always", "on-failure", "never", got "sometimes"'],
    [`${F}/invalid/schema.yaml`, 14, 7, 'spec.gates.overrides.etcd-latencies', 'unknown field `etcd-latencies`'],
  ]);
  const p = problemsOf(() => loadPlanFile(`${F}/invalid/schema.yaml`));
  assert.match(p[0]?.hint ?? '', /did you mean `waves`\?/);
  assert.match(p[3]?.hint ?? '', /did you mean `etcd-latency`\?/);
});

test('rules across fields: one change source, growing batches ending at 100 %, bounds, reserved names', () => {
  assertProblems(problemsOf(() => loadPlanFile(`${F}/invalid/semantic.yaml`)), [
    [`${F}/invalid/semantic.yaml`, 6, 5, 'spec.change', 'give either `twin` or `manifests`, not both'],
    [`${F}/invalid/semantic.yaml`, 9, 30, 'spec.nodeBatches[3]', 'node batches must grow: 2% after 5%'],
    [`${F}/invalid/semantic.yaml`, 9, 36, 'spec.nodeBatches[4]', 'the last node batch must be "100%": a rollout ends on every node'],
    [`${F}/invalid/semantic.yaml`, 12, 17, 'spec.gates.custom[0].name', '`etcd-latency` is a built-in gate'],
    [`${F}/invalid/semantic.yaml`, 15, 15, 'spec.gates.evaluation.window', 'the window (30s) is shorter than the evaluation interval (1m)'],
    [`${F}/invalid/semantic.yaml`, 16, 16, 'spec.gates.evaluation.maxHold', 'expected a duration between 1m and 168h, got 10s'],
    [`${F}/invalid/semantic.yaml`, 17, 30, 'spec.identity.priorityLevel', 'the ordinary identity cannot use the break-glass level: it is reserved for rollbacks'],
    [`${F}/invalid/semantic.yaml`, 19, 35, 'spec.budget.backoff.max', 'the backoff cap (5s) is less than its first wait (10s)'],
  ]);
});

test('referenced files and the fleet: missing manifests, no workload, names that are not in the fleet', () => {
  assertProblems(problemsOf(() => loadPlanFile(`${F}/invalid/fleet.yaml`)), [
    [`${F}/invalid/fleet.yaml`, 7, 7, 'spec.change.manifests', 'no DaemonSet or Deployment among the manifests: node batches and gates follow a workload'],
    [`${F}/invalid/fleet.yaml`, 7, 15, 'spec.change.manifests[0].file', /^manifest file not found: "manifests\/missing.yaml"/],
  ]);
  assertProblems(problemsOf(() => loadPlanFile(`${F}/invalid/waves.yaml`)), [
    [`${F}/invalid/waves.yaml`, 14, 7, 'spec.waves.list', '1 cluster(s) of the plan are in no wave (three)'],
    [`${F}/invalid/waves.yaml`, 16, 9, 'spec.waves.list[1]', 'wave `again` selects no cluster (every cluster its selector matches is in an earlier wave, or none matches)'],
    [`${F}/invalid/waves.yaml`, 19, 34, 'spec.waves.list[2].clusters.names[1]', 'no cluster named `twoo` in the fleet'],
  ]);
  assertProblems(problemsOf(() => loadPlanFile('scenarios/openai-2024-12-11.yaml')), [['scenarios/openai-2024-12-11.yaml', 7, 7, 'kind', 'this is a Scenario document, expected a RolloutPlan']]);
  // A syntax error inside a referenced manifest is located in that file.
  const broken = problemsOf(() => loadPlanFile(`${F}/invalid/manifest-syntax.yaml`));
  assert.ok(broken.length > 0 && broken.every((p) => p.file === `${F}/invalid/manifests/broken.yaml` && p.line === 4), broken.map((p) => `${p.file}:${p.line}`).join(' '));
});

test('problems found against a rehearsal scenario are located in the plan too', () => {
  const text = 'apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata: { name: x }\nspec:\n  change:\n    twin: { name: some-other-agent }\n  identity: { priorityLevel: workload-lowest }\n';
  const loaded = parsePlan(text, 'inline-plan.yaml');
  const scenario = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  let located: unknown;
  try {
    rehearsalSpec(loaded, scenario, 1);
  } catch (e) {
    located = e;
  }
  assert.ok(located instanceof InputError);
  assertProblems(located.problems, [
    ['inline-plan.yaml', 6, 19, 'spec.change.twin.name', "the scenario's change is `telemetry-agent`, not `some-other-agent`"],
    ['inline-plan.yaml', 7, 30, 'spec.identity.priorityLevel', /^priority level `workload-lowest` is not a level of the target clusters/],
  ]);
  assert.equal(exitCodeFor(located).code, 2);
});

test('plan validate and plan show', () => {
  assert.match(planValidate('plans/default.yaml'), /valid RolloutPlan default \(size-aware waves, 5 node batches, 16 gates\)/);
  assert.throws(
    () => planValidate(`${F}/invalid/semantic.yaml`),
    (e: unknown) => e instanceof InputError && exitCodeFor(e).code === 2 && e.problems.length === 8,
  );
  const out = planShow('plans/default.yaml', { fleet: 'fleets/openai-like.yaml', json: false });
  assert.match(out, /^plan default: 200 clusters in 8 waves/);
  assert.match(out, /wave 2 \(wave-2\): 2 clusters \(1 small, 1 xlarge\)/);
  assert.match(out, /us-west-03 +7500 nodes +xlarge +batches 1 → 75 → 750 → 3750 → 7500/);
  const json = JSON.parse(planShow('plans/default.yaml', { fleet: 'fleets/openai-like.yaml', json: true })) as { waves: { clusters: unknown[] }[] };
  assert.deepEqual(json.waves.map((w) => w.clusters.length), [1, 2, 4, 8, 16, 32, 64, 73]);
  assert.throws(() => planShow('plans/default.yaml', { json: false }), /names no fleet/);
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

test('random mutations of valid plans: loaded, or rejected with located problems; never a crash', () => {
  const files = ['plans/default.yaml', `${F}/valid/explicit.yaml`, `${F}/valid/minimal.yaml`];
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ op: fc.constant('insert' as const), pick: fc.nat(), key: fc.string({ minLength: 1, maxLength: 10 }), value: fc.jsonValue({ maxDepth: 1 }) }),
    fc.record({ op: fc.constant('truncate' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, ms) => {
      let text = texts[which] ?? '';
      for (const m of ms) {
        if (m.op === 'truncate') {
          text = text.slice(0, m.pick % (text.length + 1));
          continue;
        }
        let root: Json;
        try {
          root = YAML.parse(text) as Json;
        } catch {
          continue;
        }
        const all = paths(root);
        const path = all[m.pick % all.length] ?? [];
        const last = path.at(-1);
        const parent = path.slice(0, -1).reduce<Json>((n, k) => (n as Record<string, Json>)[k as string] as Json, root);
        if (m.op === 'delete') {
          if (last === undefined) root = null;
          else if (Array.isArray(parent)) parent.splice(last as number, 1);
          else delete (parent as Record<string, Json>)[last];
        } else if (m.op === 'replace') {
          if (last === undefined) root = m.value as Json;
          else (parent as Record<string, Json>)[last] = m.value as Json;
        } else {
          const target = path.reduce<Json>((n, k) => (n as Record<string, Json>)[k as string] as Json, root);
          if (target !== null && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value as Json;
        }
        text = YAML.stringify(root);
      }
      try {
        parsePlan(text, files[which] ?? '');
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        assert.ok(e.problems.length > 0);
        for (const p of e.problems) {
          assert.ok(p.file !== '' && p.message.trim() !== '');
          if (p.file === files[which]) assert.ok(p.line !== undefined, `unlocated problem: ${p.path}: ${p.message}`);
        }
      }
    }),
    { numRuns: 400, seed: 20241211 },
  );
});
