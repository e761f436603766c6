/**
 * Acceptance 3 of issue #11 against a real `firebreak twin serve` (the
 * incident's model on a small fleet with a 5,200-node cluster, 30× speed):
 * `rollout run` with plans/default.yaml and the incident's telemetry agent
 * halts in the same wave and cluster as `firebreak rehearse` of the same plan
 * and fleet, the rollback completes within 5 simulated minutes of the halt,
 * and kubectl then finds the DaemonSet gone and no batch label left; the
 * orchestrator's share of each cluster's API requests stays under 1 %.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli } from '../orchestrator/procs.ts';

const F = 'test/fixtures/rollout-run';
const PLAN = `${F}/plan-incident.yaml`;
const CLUSTERS = ['small-a', 'small-b', 'big'];
let twin: ServedTwin;
let fleet: string;

before(async () => {
  twin = await startServe(`${F}/incident-served.yaml`, ['--speed', '30']);
  fleet = join(twin.dir, 'fleet.yaml');
  writeFileSync(
    fleet,
    `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: incident }\nspec:\n  kubeconfig:\n    identities:\n      breakGlass: { user: firebreak-breakglass }\n  clusters:\n    - { name: small-a, nodes: 50 }\n    - { name: small-b, nodes: 120 }\n    - { name: big, nodes: 5200 }\n`,
  );
  const install = cli(['breakglass', 'install', '--plan', PLAN, '--fleet', fleet, '--kubeconfig', twin.kubeconfig]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
});
after(async () => {
  await twin.stop();
});

interface RunResult {
  outcome: string;
  haltedInWave: number | null;
  haltedCluster: string | null;
  haltReason: { gate: string | null } | null;
  rollbackSeconds: number | null;
  cleanup: { cluster: string; left: number | null }[];
  apiShare: { clusters: { cluster: string; share: number | null }[] };
}

test('the incident agent halts in the same wave and cluster as the rehearsal, is rolled back within 5 simulated minutes, and leaves no DaemonSet and no batch label', async () => {
  const rehearsal = cli(['rehearse', '--scenario', `${F}/incident-rehearsal.yaml`, '--plan', PLAN, '--json']);
  assert.equal(rehearsal.status, 1, rehearsal.stderr);
  const expected = JSON.parse(rehearsal.stdout) as { outcome: string; haltedInWave: number; haltReason: { cluster: string; gate: string } };
  assert.equal(expected.outcome, 'halted');

  const run = cli(['rollout', 'run', '--plan', PLAN, '--fleet', fleet, '--kubeconfig', twin.kubeconfig, '--state', join(twin.dir, 'incident.db'), '--json']);
  assert.equal(run.status, 1, run.stderr.slice(-2000));
  const r = JSON.parse(run.stdout) as RunResult;
  assert.equal(r.outcome, 'halted');
  assert.deepEqual([r.haltedInWave, r.haltedCluster], [expected.haltedInWave, expected.haltReason.cluster], `rehearsal: wave ${expected.haltedInWave} ${expected.haltReason.cluster} (${expected.haltReason.gate}); run: ${run.stderr.slice(-1500)}`);
  assert.ok(r.rollbackSeconds !== null && r.rollbackSeconds <= 300, `rollback took ${r.rollbackSeconds} simulated s`);
  for (const c of r.apiShare.clusters) assert.ok(c.share !== null && c.share < 0.01, `${c.cluster}: the orchestrator's share ${c.share}`);
  for (const c of r.cleanup) assert.equal(c.left, 0, `${c.cluster}: labels left`);
  for (const cluster of CLUSTERS) {
    const ds = await kubectl(twin, ['--context', `${cluster}-admin`, '-n', 'telemetry', 'get', 'ds', 'telemetry-agent']);
    assert.match(ds.stderr, /NotFound/, `${cluster}: ${ds.stdout}${ds.stderr}`);
    const labelled = await kubectl(twin, ['--context', `${cluster}-admin`, 'get', 'nodes', '-l', 'rollout.firebreak.dev/telemetry-agent', '-o', 'name']);
    assert.equal(labelled.status, 0, labelled.stderr);
    assert.equal(labelled.stdout, '', `${cluster}: batch labels left`);
  }
});
