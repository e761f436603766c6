/**
 * The twin's public face (TwinApi): its per-cluster reads say the same as the
 * metric sample a controller observes, the change's workload follows what was
 * done to it, a controller sees the state the last step left, and names and
 * indexes of unknown clusters are refused rather than read as zeros.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type Controller, type TwinApi } from '../../src/twin/index.ts';

const SMALL = 'test/fixtures/plans/scenarios/small-incident.yaml';

test('the reads by index agree with the observed metric sample at every step, on every cluster', () => {
  const twin = new Twin(loadScenarioFile(SMALL), { seed: 1 });
  const n = twin.clusters().length;
  let checked = 0;
  let quiet = 0;
  while (twin.step()) {
    if (Math.round(twin.t) % 30 !== 0) continue;
    for (let i = 0; i < n; i++) {
      const m = twin.observeAt(i);
      const name = twin.clusters()[i]?.name ?? '';
      assert.equal(twin.indexOf(name), i);
      assert.deepEqual(twin.observe(name), m);
      assert.equal(twin.successRatioAt(i), m.apiserver_success_ratio);
      assert.equal(twin.p99At(i), m.apiserver_p99_seconds);
      assert.equal(twin.memoryRatioAt(i), m.apiserver_memory_ratio);
      assert.equal(twin.readyRatioAt(i), m.apiserver_ready_ratio);
      assert.equal(twin.metricAt(i, 'nodes_not_ready_ratio'), m.nodes_not_ready_ratio);
      assert.equal(twin.trafficShare(i), m.traffic_share);
      assert.deepEqual(twin.levels(name), twin.levelsAt(i));
      assert.equal(twin.criticalFiringAt(i), twin.firingAlertsAt(i, 'critical').length > 0);
      for (const r of twin.firingAlertsAt(i, 'critical')) assert.ok(twin.firingAlertsAt(i).includes(r));
      if (twin.quiescentAt(i)) quiet++;
      checked++;
    }
  }
  assert.ok(checked > 400);
  assert.ok(quiet > 0, 'some cluster was held quiescent (the read is not always false)');
});

test('the change\'s workload follows apply and remove; its pods at full rollout are the nodes (DaemonSet)', () => {
  const twin = new Twin(loadScenarioFile(SMALL), { seed: 1, pipeline: false });
  const i = twin.indexOf('mid-a');
  const before = twin.changeWorkload('mid-a');
  assert.deepEqual(before, { deployed: false, fraction: 0, fullPods: 900, running: 0, appliedAtS: null });
  for (let k = 0; k < 60; k++) twin.step();
  twin.act('mid-a', { kind: 'apply-change', nodeFraction: 0.25 }, 'test');
  for (let k = 0; k < 600; k++) twin.step();
  const applied = twin.changeWorkload('mid-a');
  assert.equal(applied?.deployed, true);
  assert.equal(applied?.fraction, 0.25);
  // The engine's time when the action landed (t = 60, the step about to run), as its timeline entry
  // says; the cluster's own clock still held the start of the step it last ran (59).
  assert.equal(applied?.appliedAtS, 60);
  assert.ok((applied?.running ?? 0) > 200 && (applied?.running ?? 0) <= 225, `running ${applied?.running}`);
  assert.equal(twin.changeDeployedAt(i), true);
  assert.equal(twin.changeAppliedAtS(i), 60);
  assert.equal(twin.agentsAt(i), applied?.running);
  twin.act('mid-a', { kind: 'remove-change', via: 'kill-switch' }, 'test');
  assert.equal(twin.changeWorkload('mid-a')?.deployed, false);
  assert.equal(twin.changeWorkload('mid-a')?.fraction, 0);
  assert.equal(twin.changeDeployedAt(i), false);
  // The other clusters were not touched.
  assert.equal(twin.changeWorkload('edge-a')?.deployed, false);
});

test('a controller runs before the step and sees the state the last step left; act and log go to the timeline', () => {
  const seen: number[] = [];
  const c: Controller = {
    onStep(twin: TwinApi): void {
      seen.push(twin.t);
      if (twin.t === 120) {
        twin.act('big-a', { kind: 'kill-apiservers' }, 'test');
        twin.log('operator', 'big-a', 'killed them on purpose');
      }
    },
  };
  const twin = new Twin(loadScenarioFile(SMALL), { seed: 1, pipeline: false });
  twin.addController(c);
  const big = twin.indexOf('big-a');
  for (let k = 0; k < 120; k++) twin.step();
  assert.deepEqual(seen.slice(0, 3), [0, 1, 2]);
  assert.equal(twin.restartsAt(big), 0);
  assert.equal(twin.readyRatioAt(big), 1);
  twin.step();
  assert.equal(seen.at(-1), 120);
  assert.equal(twin.readyRatioAt(big), 0, 'killed at the start of step 120');
  assert.ok(twin.restartsAt(big) > 0);
  const timeline = twin.result().report.timeline.filter((e) => e.cluster === 'big-a').map((e) => e.message);
  assert.ok(timeline.includes('all API servers killed'), timeline.join('\n'));
  assert.ok(timeline.includes('killed them on purpose'), timeline.join('\n'));
});

test('unknown clusters are refused, not read as zeros', () => {
  const twin = new Twin(loadScenarioFile(SMALL), { seed: 1 });
  assert.equal(twin.indexOf('nope'), -1);
  assert.throws(() => twin.observe('nope'), /no cluster named nope/);
  assert.throws(() => twin.request('nope', 'global-default'), /no cluster named nope/);
  assert.throws(() => twin.act('nope', { kind: 'kill-apiservers' }), /no cluster named nope/);
  assert.throws(() => twin.changeWorkload('nope'), /no cluster named nope/);
  assert.throws(() => twin.memoryRatioAt(99), /no cluster at index 99/);
  assert.throws(() => twin.quiescentAt(-1), /no cluster at index -1/);
});
