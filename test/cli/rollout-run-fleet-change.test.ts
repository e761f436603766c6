/**
 * Clusters joining and leaving the fleet file in the middle of a `rollout
 * run` (real processes against a real `firebreak twin serve`): the set of
 * clusters is the one the rollout started with — a cluster added later is
 * ignored and reported; a cluster removed cannot be reached, so when its
 * wave comes its applies fail and the rollout halts and rolls back (fail
 * closed), reported; exit 1.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli, logCount, start, waitUntil } from '../orchestrator/procs.ts';

const F = 'test/fixtures/rollout-run';
let twin: ServedTwin;

before(async () => {
  twin = await startServe(`${F}/scenario-small.yaml`, ['--speed', '30']);
  const install = cli(['breakglass', 'install', '--plan', `${F}/plan-benign.yaml`, '--fleet', `${F}/fleet-small.yaml`, '--kubeconfig', twin.kubeconfig]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
});
after(async () => {
  await twin.stop();
});

function fleetWithout(name: string, file: string): string {
  const path = join(twin.dir, file);
  writeFileSync(path, readFileSync(`${F}/fleet-small.yaml`, 'utf8').replace(new RegExp(`\\n    - \\{ name: ${name}, nodes: \\d+ \\}`), ''));
  return path;
}

test('a cluster that joins mid-run is ignored; one that leaves makes the rollout halt when its wave comes (fail closed); both reported', async () => {
  const db = join(twin.dir, 'change.db');
  const plan = `${F}/plan-benign.yaml`;
  // Started on edge-a (wave 1) and core-a (wave 2) …
  const first = start(['rollout', 'run', '--plan', plan, '--fleet', fleetWithout('edge-b', 'two.yaml'), '--kubeconfig', twin.kubeconfig, '--state', db, '--json']);
  assert.ok(await waitUntil(() => logCount(db) >= 40, 120_000, 20), 'the first run got going');
  first.kill();
  assert.equal((await first.done).signal, 'SIGKILL');
  // … resumed with edge-b added and core-a gone.
  const resumed = cli(['rollout', 'run', '--plan', plan, '--fleet', fleetWithout('core-a', 'moved.yaml'), '--kubeconfig', twin.kubeconfig, '--state', db, '--json']);
  assert.equal(resumed.status, 1, resumed.stderr.slice(-2000));
  assert.doesNotMatch(resumed.stderr, /\n\s+at /);
  const r = JSON.parse(resumed.stdout) as { outcome: string; joined: string[]; left: string[]; haltedInWave: number; haltedCluster: string; haltReason: { by: string; message: string }; rollbackCompletedAt: string | null; clustersChanged: string[] };
  assert.deepEqual([r.joined, r.left], [['edge-b'], ['core-a']]);
  assert.match(resumed.stderr, /ignored: edge-b joined the fleet after the rollout started/);
  assert.equal(r.outcome, 'halted');
  assert.deepEqual([r.haltedInWave, r.haltedCluster, r.haltReason.by], [2, 'core-a', 'apply-failed']);
  assert.match(r.haltReason.message, /not in the fleet file any more/);
  assert.notEqual(r.rollbackCompletedAt, null);
  // The change is gone from edge-a (rolled back) and never reached edge-b.
  for (const cluster of ['edge-a', 'edge-b']) {
    const ds = await kubectl(twin, ['--context', cluster, '-n', 'node-problem-detector', 'get', 'ds', 'node-problem-detector']);
    assert.match(ds.stderr, /NotFound/, `${cluster}: ${ds.stdout}`);
  }
  const labels = await kubectl(twin, ['--context', 'edge-a', 'get', 'nodes', '-l', 'rollout.firebreak.dev/node-problem-detector', '-o', 'name']);
  assert.equal(labels.stdout, '', 'no batch label left on edge-a');
});
