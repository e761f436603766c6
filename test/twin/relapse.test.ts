/**
 * Operators come back to a cluster whose control plane is lost again after
 * they lifted the remedies (a fresh loss: new API server kills that go on), and
 * only then: the critical alert still firing from the first loss does not
 * bring them back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type RunReport } from '../../src/twin/index.ts';
import { pst, run } from '../helpers/runs.ts';

const LOST_AGAIN = /control plane lost again after the remedies were lifted/;

/** The incident, seed 1, with the change rolled out again to us-east-11 at 17:30, after the operators finished there. */
function secondRollout(): RunReport {
  const base = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const atS = (pst('17:30') - base.startMs) / 1000;
  const scenario = { ...base, events: [...base.events, { atS, clusters: { names: ['us-east-11'] }, action: { kind: 'apply-change' as const, nodeFraction: 1 }, source: 'a second rollout' }] };
  const twin = new Twin(scenario, { seed: 1 });
  twin.run();
  return twin.result().report;
}

test('seed 1: no cluster is taken back — the first loss’s alert, still firing as remedies are lifted, is not a relapse', () => {
  const { timeline } = run('openai-2024-12-11').report;
  const lifted = timeline.filter((e) => e.kind === 'operator' && e.message.startsWith('remedies have taken hold'));
  assert.ok(lifted.length >= 10, `remedies lifted on ${lifted.length} clusters`);
  // A critical alert of the first loss is still firing when the lift starts (nodes are still blocked).
  const stillFiring = lifted.filter((l) => {
    const state = new Map<string, boolean>();
    for (const a of timeline) {
      if (a.kind !== 'alert' || a.cluster !== l.cluster || a.at > l.at) continue;
      const m = /^(\S+) (firing \(critical\)|resolved)/.exec(a.message);
      if (m !== null) state.set(m[1] ?? '', m[2] !== 'resolved');
    }
    return [...state.values()].some(Boolean);
  });
  assert.ok(stillFiring.length >= 10, `critical alert still firing at the lift on ${stillFiring.length} of ${lifted.length} clusters`);
  assert.deepEqual(timeline.filter((e) => e.kind === 'operator' && /lost again/.test(e.message)), []);
});

test('a cluster lost again after the remedies were lifted is taken back, the change deleted again, and it recovers', () => {
  const r = secondRollout();
  const ops = r.timeline.filter((e) => e.cluster === 'us-east-11' && e.kind === 'operator');
  const lifted = ops.find((e) => e.message.startsWith('remedies have taken hold'));
  assert.ok(lifted !== undefined && Date.parse(lifted.at) < pst('17:30'), 'remedies lifted before the second rollout');
  const retaken = ops.find((e) => LOST_AGAIN.test(e.message));
  assert.ok(retaken !== undefined, 'operators take us-east-11 back');
  assert.ok(Date.parse(retaken.at) > pst('17:30'), `taken back at ${retaken.at}, after the fresh loss`);
  assert.match(retaken.message, /deployed again/);
  const after = ops.filter((e) => Date.parse(e.at) >= Date.parse(retaken.at));
  assert.ok(after.some((e) => e.message.startsWith('block network access')), 're-applies the block');
  assert.ok(after.some((e) => /kubectl delete daemonset .*succeeded/.test(e.message)), 'deletes the change again');
  assert.ok(after.some((e) => e.message.startsWith('remedies have taken hold')), 'lifts the remedies again once they hold');
  assert.equal(ops.filter((e) => LOST_AGAIN.test(e.message)).length, 1, 'taken back once');
  const c = r.clusters.find((x) => x.name === 'us-east-11');
  assert.ok(c?.controlPlane.recoveredAt !== null && Date.parse(c?.controlPlane.recoveredAt ?? '') > Date.parse(retaken.at), `recovered at ${c?.controlPlane.recoveredAt}`);
  assert.ok(r.fleet.fullRecoveryAt !== null, 'full recovery within the run');
});
