/**
 * The rollback through the break-glass identity, end to end against a real
 * `firebreak twin serve`: the kit installed by `firebreak breakglass install`
 * (its FlowSchema takes the identity to the served clusters' break-glass
 * level), a plan whose rollback always deletes through break-glass, the
 * incident agent: the halt's deletes and status reads go as
 * `firebreak-breakglass`, allowed by the kit's RBAC (its own workload only),
 * and the rollback completes within 5 simulated minutes.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli } from '../orchestrator/procs.ts';

const F = 'test/fixtures/rollout-run';
let twin: ServedTwin;
let fleet: string;
let plan: string;

before(async () => {
  twin = await startServe(`${F}/incident-served.yaml`, ['--speed', '30']);
  fleet = join(twin.dir, 'fleet.yaml');
  writeFileSync(
    fleet,
    `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: incident }\nspec:\n  kubeconfig:\n    identities:\n      breakGlass: { user: firebreak-breakglass }\n  clusters:\n    - { name: small-a, nodes: 50 }\n    - { name: small-b, nodes: 120 }\n    - { name: big, nodes: 5200 }\n`,
  );
  plan = join(twin.dir, 'plan-always.yaml');
  const text = readFileSync(`${F}/plan-incident.yaml`, 'utf8')
    .replace('breakGlass: on-failure', 'breakGlass: always')
    .replace('file: ../manifests/telemetry-agent-incident.yaml', `file: ${resolve('test/fixtures/manifests/telemetry-agent-incident.yaml')}`);
  assert.match(text, /breakGlass: always/);
  writeFileSync(plan, text);
  const install = cli(['breakglass', 'install', '--plan', plan, '--fleet', fleet, '--kubeconfig', twin.kubeconfig]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
});
after(async () => {
  await twin.stop();
});

test('with rollback.breakGlass: always, the halt’s deletes go through the break-glass identity and the rollback completes within 5 simulated minutes', async () => {
  const run = cli(['rollout', 'run', '--plan', plan, '--fleet', fleet, '--kubeconfig', twin.kubeconfig, '--state', join(twin.dir, 'bg.db'), '--json']);
  assert.equal(run.status, 1, run.stderr.slice(-2000));
  const r = JSON.parse(run.stdout) as { outcome: string; haltedInWave: number; rollbackSeconds: number | null; clustersChanged: string[] };
  assert.equal(r.outcome, 'halted');
  assert.ok(r.rollbackSeconds !== null && r.rollbackSeconds <= 300, `rollback took ${r.rollbackSeconds} simulated s`);
  const deletes = run.stderr.split('\n').filter((l) => l.includes('deleted DaemonSet telemetry-agent'));
  assert.ok(deletes.length >= r.clustersChanged.length && deletes.length > 0, run.stderr.slice(-2000));
  for (const line of deletes) assert.match(line, /through the break-glass identity \(deleted as firebreak-breakglass\)/);
  for (const cluster of ['small-a', 'small-b', 'big']) {
    const ds = await kubectl(twin, ['--context', `${cluster}-admin`, '-n', 'telemetry', 'get', 'ds', 'telemetry-agent']);
    assert.match(ds.stderr, /NotFound/, `${cluster}: ${ds.stdout}${ds.stderr}`);
  }
});
