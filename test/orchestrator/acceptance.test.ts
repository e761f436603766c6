/**
 * The rollout orchestrator issue's acceptance, rehearsed in the twin:
 * 1. the 2024-12-11 change is halted in an early node batch, before customers
 *    notice, rolled back within 5 minutes, with the fleet available ≥ 99.99 %;
 *    the rollback also works when the canary's API server is saturated, through
 *    break-glass and the kill switch, and does not without them;
 * 2. a change harmless on small clusters and fatal on large ones stops at the
 *    first large cluster;
 * 3. a well-behaved agent completes every wave; a fleet-wide etcd slowdown does
 *    not blame the change; missing metrics fail closed;
 * 6. the orchestrator's share of any cluster's API requests stays under 1 %.
 * (4, crash safety: crash.test.ts; 5, plan errors and the core's paths:
 * plan-input.test.ts, core.test.ts.)
 *
 * FIREBREAK_SWEEP=1 runs the full seed sweeps (incident 1–20, benign 1–100);
 * by default a few seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanFile } from '../../src/input/plan.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { expandFleet } from '../../src/model/fleet.ts';
import type { RolloutPlan } from '../../src/orchestrator/plan.ts';
import type { RehearsalResult } from '../../src/orchestrator/report-types.ts';
import { rehearse, type RehearsalOutput } from '../../src/shell/rehearsal.ts';
import type { Scenario } from '../../src/twin/index.ts';
import { rehearsalOf } from './rehearsals.ts';

const FULL = process.env.FIREBREAK_SWEEP === '1';
const plan = loadPlanFile('plans/default.yaml').plan;
const incident = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
const benign = loadScenarioFile('scenarios/benign-node-scoped-agent.yaml');
const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

function assertIncidentCaught(r: RehearsalResult): void {
  assert.equal(r.outcome, 'halted');
  assert.ok((r.haltedInWave ?? 99) <= 2, `halted in wave ${r.haltedInWave}`);
  assert.ok(r.clustersImpacted <= 1, `${r.clustersImpacted} clusters impacted`);
  const haltWave = r.waves.find((w) => w.wave === r.haltedInWave);
  for (const c of r.impactedClusters) assert.ok(haltWave?.clusters.includes(c), `${c} impacted outside the halting wave`);
  assert.ok(r.detectionSeconds !== null && r.detectionSeconds <= 60, `detection ${r.detectionSeconds} s`);
  assert.ok(r.rollbackSeconds !== null && r.rollbackSeconds <= 300, `rollback ${r.rollbackSeconds} s`);
  assert.ok(r.fleet.availability >= 0.9999, `availability ${r.fleet.availability}`);
  assert.ok(r.orchestratorApiShare < 0.01, `API share ${r.orchestratorApiShare}`);
  // Caught at the first node batch of the first large cluster, before any control-plane SLO breach.
  assert.equal(r.haltReason?.batch, 1);
  assert.ok(r.applies.filter((a) => a.cluster === r.haltReason?.cluster).length === 1);
}

test('acceptance 1: the 2024-12-11 change is halted in an early node batch and rolled back (seed 1, next to the naive pipeline)', async () => {
  const out = await rehearse({ ...rehearsalOf(incident, plan, 1), compare: true });
  const r = out.result;
  assertIncidentCaught(r);
  assert.equal(r.clustersImpacted, 0, 'the aim: no customer notices');
  assert.ok(r.baseline !== undefined && r.baseline.availability < r.fleet.availability, 'the naive pipeline did worse');
  assert.ok((r.baseline?.clustersLost ?? 0) >= 10, 'the naive pipeline loses the large control planes');
  assert.equal(r.fleet.clustersLost, 0);
  assert.equal(r.haltReason?.gate, 'etcd-latency');
  assert.equal(r.haltReason?.figures?.reason, 'regression');
  const halted = out.spec.clusters.find((c) => c.name === r.haltReason?.cluster);
  assert.equal(halted?.sizeClass, 'xlarge');
  assert.deepEqual(r.gatesUnavailable.map((g) => g.gate), ['dns-latency', 'workload-latency']);
});

test(`acceptance 1: it holds for seeds ${FULL ? '1–20' : '2–3 (FIREBREAK_SWEEP=1: 1–20)'}`, async () => {
  for (const seed of FULL ? seeds(20) : [2, 3]) assertIncidentCaught((await rehearse(rehearsalOf(incident, plan, seed))).result);
});

test('the same plan, scenario and seed give byte-identical JSON', async () => {
  const a = await rehearse(rehearsalOf(incident, plan, 4));
  const b = await rehearse(rehearsalOf(incident, plan, 4));
  assert.equal(JSON.stringify(a.result, null, 2), JSON.stringify(b.result, null, 2));
  assert.equal(JSON.stringify(a.report), JSON.stringify(b.report));
});

/** A plan that puts the change on every node of the largest cluster at once. */
function allAtOnce(mode: 'on-failure' | 'never'): RolloutPlan {
  return {
    ...plan,
    name: `all-at-once-${mode}`,
    waves: { kind: 'list', waves: [{ name: 'canary', clusters: { names: ['us-east-11'] }, approval: false }, { name: 'rest', clusters: {}, approval: false }] },
    nodeBatches: [{ percent: 100 }],
    rollback: { ...plan.rollback, killSwitch: mode, breakGlass: mode },
  };
}

test('acceptance 1: with the canary’s API server saturated, break-glass and the kill switch roll back within 5 minutes; without them the rollback is locked out', async () => {
  const withThem = (await rehearse(rehearsalOf(incident, allAtOnce('on-failure'), 1))).result;
  assert.equal(withThem.outcome, 'halted');
  assert.equal(withThem.haltReason?.cluster, 'us-east-11');
  assert.ok(withThem.firstSloBreachAt !== null, 'the API server saturated');
  assert.ok(withThem.detectionSeconds !== null && withThem.detectionSeconds <= 60, `detection ${withThem.detectionSeconds} s`);
  assert.ok(withThem.rollbackSeconds !== null && withThem.rollbackSeconds <= 300, `rollback ${withThem.rollbackSeconds} s`);
  assert.ok(withThem.orchestratorApi.breakGlassRequests > 0, 'the break-glass identity was used');

  const without = await rehearse(rehearsalOf(incident, allAtOnce('never'), 1));
  assert.equal(without.result.outcome, 'halted');
  assert.equal(without.result.rollbackCompletedAt, null, 'the rollback never completes through the saturated API');
  assert.equal(without.result.orchestratorApi.breakGlassRequests, 0);
  assert.equal(without.effects.filter((e) => e.kind === 'kill-switch').length, 0);
  const failedDeletes = without.report.timeline.filter((e) => e.cluster === 'us-east-11' && /delete through the ordinary identity failed/.test(e.message));
  assert.ok(failedDeletes.length >= 5, `${failedDeletes.length} failed deletes`);
  const haltMs = Date.parse(without.result.haltedAt ?? '');
  assert.ok(failedDeletes.some((e) => Date.parse(e.at) - haltMs >= 300_000), 'still failing after 5 minutes');
});

test('acceptance 2: a change harmless on small clusters and fatal on large ones stops at the first large cluster, no impact elsewhere', async () => {
  // A fleet whose largest clusters are "large" (2,000–5,000 nodes): the change kills those.
  const clusters = expandFleet(
    {
      clusters: [2500, 3100, 3800, 4600].map((nodes, i) => ({ name: `large-${i + 1}`, nodes })),
      generate: { count: 56, nodes: { min: 30, max: 1500, median: 250 }, namePrefix: 'c' },
    },
    3,
  );
  const scenario: Scenario = { ...incident, name: 'size-dependent', clusters };
  const out = await rehearse(rehearsalOf(scenario, plan, 1));
  const r = out.result;
  assert.equal(r.outcome, 'halted');
  const large = new Set(clusters.filter((c) => c.nodes >= 2000).map((c) => c.name));
  assert.ok(large.size >= 2);
  const touchedLarge = [...new Set(r.applies.map((a) => a.cluster))].filter((c) => large.has(c));
  assert.equal(touchedLarge.length, 1, `large clusters changed: ${touchedLarge.join(', ')}`);
  assert.equal(r.haltReason?.cluster, touchedLarge[0]);
  assert.ok((r.haltedInWave ?? 99) <= 2);
  assert.ok(r.impactedClusters.every((c) => c === touchedLarge[0]), `impact: ${r.impactedClusters.join(', ')}`);
  assert.equal(r.clustersImpacted, 0);
});

function assertCompleted(out: RehearsalOutput): void {
  const r = out.result;
  assert.equal(r.outcome, 'completed', r.haltReason?.message);
  assert.equal(r.haltReason, null);
  assert.ok(r.waves.every((w) => w.outcome === 'completed'));
  assert.equal(r.clustersChanged, out.spec.clusters.length);
  assert.equal(r.clustersImpacted, 0);
}

test(`acceptance 3: the well-behaved agent completes every wave, no false halt (seeds ${FULL ? '1–100' : '1–2; FIREBREAK_SWEEP=1: 1–100'})`, async () => {
  for (const seed of FULL ? seeds(100) : [1, 2]) assertCompleted(await rehearse({ ...rehearsalOf(benign, plan, seed), stopWhenDone: true }));
});

test('acceptance 3: a fleet-wide etcd slowdown, in changed and unchanged clusters alike, does not blame the change', async () => {
  for (const factor of [40, 200]) {
    const scenario: Scenario = { ...benign, events: [...benign.events, { atS: 3000, clusters: {}, action: { kind: 'etcd-slowdown', factor, durationS: 600 } }] };
    const out = await rehearse({ ...rehearsalOf(scenario, plan, 1), stopWhenDone: true });
    assertCompleted(out);
    const holds = out.report.timeline.filter((e) => /hold: .*fleet-wide, not blamed on the change/.test(e.message));
    // ×40 stays under every threshold and the comparison cancels it out; ×200 breaches thresholds fleet-wide: the rollout holds.
    if (factor === 200) assert.ok(holds.length > 0, 'the rollout held during the slowdown');
    else assert.equal(holds.length, 0);
  }
});

test('missing or stale metrics fail closed: halt by default, pause for a person when the plan says so', async () => {
  // The metrics of wave 2's large cluster stop arriving while it bakes.
  const drop = { clusters: ['us-west-03'], atS: 2460 };
  const halted = (await rehearse({ ...rehearsalOf(benign, plan, 1), dropMetrics: drop, stopWhenDone: true })).result;
  assert.equal(halted.outcome, 'halted');
  assert.equal(halted.haltReason?.by, 'missing-data');
  assert.equal(halted.haltReason?.cluster, 'us-west-03');
  const pausing = { ...plan, evaluation: { ...plan.evaluation, missingData: 'pause' as const } };
  const paused = (await rehearse({ ...rehearsalOf(benign, pausing, 1), dropMetrics: drop })).result;
  assert.equal(paused.outcome, 'incomplete');
  assert.equal(paused.phase, 'paused');
});
