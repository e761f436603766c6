/**
 * `firebreak breakglass install|check` and `firebreak rollout run` against a
 * real `firebreak twin serve` child process (test/fixtures/rollout-run/
 * scenario-small.yaml at 30× speed), with real `firebreak` processes and the
 * real kubectl: the kit installed, checked and idempotent; the benign agent
 * rolled out with plans/default.yaml, killed with SIGKILL at several random
 * points and resumed, to the same outcome with no command applied twice;
 * bad input refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli, logCount, start, waitUntil, type Exit } from '../orchestrator/procs.ts';

const F = 'test/fixtures/rollout-run';
const PLAN = `${F}/plan-benign.yaml`;
const FLEET = `${F}/fleet-small.yaml`;
let twin: ServedTwin;

before(async () => {
  twin = await startServe(`${F}/scenario-small.yaml`, ['--speed', '30']);
});
after(async () => {
  await twin.stop();
});

function noStack(e: Exit, what: string): void {
  assert.doesNotMatch(e.stderr, /\n\s+at /, `${what}: a stack trace\n${e.stderr}`);
}

test('breakglass check finds the kit missing (exit 1), install puts it in place (exit 0), check then passes, a second install changes nothing', async () => {
  const args = ['--plan', PLAN, '--fleet', FLEET, '--kubeconfig', twin.kubeconfig, '--json'];
  const before = cli(['breakglass', 'check', ...args]);
  assert.equal(before.status, 1, before.stderr);
  const report = JSON.parse(before.stdout) as { ok: boolean; clusters: { cluster: string; objects: { object: string; state: string }[] }[] };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.clusters.map((c) => c.cluster),
    ['edge-a', 'edge-b', 'core-a'],
  );
  const missing = report.clusters[0]?.objects.filter((o) => o.state === 'missing').map((o) => o.object);
  assert.ok(missing?.includes('FlowSchema/firebreak-breakglass') && missing.includes('ServiceAccount/firebreak-system/firebreak-breakglass'), JSON.stringify(missing));

  const install = cli(['breakglass', 'install', ...args]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const check = cli(['breakglass', 'check', ...args]);
  assert.equal(check.status, 0, check.stdout);
  assert.ok((JSON.parse(check.stdout) as { clusters: { objects: { state: string }[] }[] }).clusters.every((c) => c.objects.length === 7 && c.objects.every((o) => o.state === 'ok')));

  // What a second install could change: the spec and who manages it (the served API bumps resourceVersion even on a no-op apply).
  const fs = async (): Promise<string> => (await kubectl(twin, ['--context', 'core-a', 'get', 'flowschema', 'firebreak-breakglass', '-o', 'jsonpath={.metadata.generation} {.spec.matchingPrecedence} {.spec.priorityLevelConfiguration.name} {.metadata.managedFields[*].manager} {.spec.rules}'])).stdout;
  const first = await fs();
  assert.match(first, /^\d+ 50 firebreak-breakglass firebreak \[/);
  assert.equal(cli(['breakglass', 'install', ...args]).status, 0);
  assert.equal(await fs(), first, 'a second install changes nothing');
  // The break-glass identity may not list workloads, nor delete another one (RBAC: only the change's DaemonSet, by name).
  const asBreakGlass = (args: readonly string[]): Promise<{ status: number | null; stderr: string }> => kubectl(twin, ['--context', 'core-a-breakglass', '-n', 'node-problem-detector', ...args]);
  const list = await asBreakGlass(['get', 'ds']);
  assert.notEqual(list.status, 0);
  assert.match(list.stderr, /Forbidden.*cannot list resource "daemonsets"/);
});

test('rollout run refuses bad input before sending anything: a missing context (located), a fleet that is not twin-served, no break-glass identity', () => {
  const dir = twin.dir;
  const fleet = join(dir, 'bad-fleet.yaml');
  writeFileSync(fleet, readFileSync(FLEET, 'utf8').replace('- { name: core-a, nodes: 300 }', '- { name: core-a, nodes: 300, kubeconfig: { context: core-x } }'));
  const missing = cli(['rollout', 'run', '--plan', PLAN, '--fleet', fleet, '--kubeconfig', twin.kubeconfig, '--state', join(dir, 'bad.db')]);
  assert.equal(missing.status, 2);
  noStack(missing, 'missing context');
  assert.match(missing.stderr, /bad-fleet\.yaml:\d+:\d+: spec\.clusters\[2\]\.kubeconfig: no context `core-x` in the kubeconfig/);

  const plain = join(dir, 'plain.kubeconfig');
  writeFileSync(plain, readFileSync(twin.kubeconfig, 'utf8').replace(/firebreak\.dev\/twin/g, 'example.com/other'));
  const notServed = cli(['rollout', 'run', '--plan', PLAN, '--fleet', FLEET, '--kubeconfig', plain, '--state', join(dir, 'bad.db')]);
  assert.equal(notServed.status, 2);
  noStack(notServed, 'not twin-served');
  assert.match(notServed.stderr, /no cluster of this fleet is twin-served .*give --prometheus URL \(or spec\.metrics\.prometheus in the plan\)/);

  const noGlass = join(dir, 'no-glass.yaml');
  writeFileSync(noGlass, readFileSync(FLEET, 'utf8').replace(/ {2}kubeconfig:\n {4}identities:\n {6}breakGlass: \{ user: firebreak-breakglass \}\n/, ''));
  const refused = cli(['rollout', 'run', '--plan', PLAN, '--fleet', noGlass, '--kubeconfig', twin.kubeconfig, '--state', join(dir, 'bad.db')]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /the fleet names none for edge-a, edge-b, core-a; give `kubeconfig\.identities\.breakGlass`/);
  assert.equal(logCount(join(dir, 'bad.db')), 0, 'nothing was recorded');
});

/** A small seeded generator (mulberry32), so the kill points are random yet reproducible from the printed seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the benign agent rolls out to completion; SIGKILL at several random points and a re-run of the same command resume it, no command applied twice', async () => {
  const seed = Number(process.env.FIREBREAK_TEST_SEED ?? 11);
  const random = mulberry32(seed);
  const db = join(twin.dir, 'benign.db');
  const args = ['rollout', 'run', '--plan', PLAN, '--fleet', FLEET, '--kubeconfig', twin.kubeconfig, '--state', db, '--json'];
  // A complete run records about 460 records; kill at three random points before 400.
  const points = [0, 1, 2].map(() => 20 + Math.floor(random() * 380)).sort((a, b) => a - b);
  for (const at of points) {
    const run = start(args);
    const reached = await waitUntil(() => logCount(db) >= at, 170_000, 20);
    assert.ok(reached, `seed ${seed}: the run reached record ${at}`);
    run.kill();
    const killed = await run.done;
    assert.equal(killed.signal, 'SIGKILL', `seed ${seed}: killed at record ${at}, not ended on its own (exit ${killed.status}): ${killed.stderr.slice(-500)}`);
  }
  // The last run is steered while it runs: paused and resumed through the state database.
  const last = start(args);
  const phase = (): string => (JSON.parse(cli(['rollout', 'status', '--state', db, '--json']).stdout || '{}') as { phase?: string }).phase ?? '';
  assert.equal(cli(['rollout', 'pause', '--state', db, '--by', 'alice', '--reason', 'lunch']).status, 0);
  assert.ok(await waitUntil(() => phase() === 'paused', 60_000, 200), `paused while running (now ${phase()})`);
  assert.equal(cli(['rollout', 'resume', '--state', db, '--by', 'alice']).status, 0);
  const done = await last.done;
  assert.equal(done.status, 0, `seed ${seed}, kills at ${points.join(', ')}: ${done.stderr.slice(-2000)}`);
  const result = JSON.parse(done.stdout) as { outcome: string; resumed: boolean; clustersChanged: string[]; apiShare: { max: number | null; clusters: { cluster: string; share: number | null }[] } };
  assert.equal(result.outcome, 'completed');
  assert.equal(result.resumed, true);
  assert.deepEqual([...result.clustersChanged].sort(), ['core-a', 'edge-a', 'edge-b']);
  // The orchestrator's share of each cluster's API requests stays under 1 % (issue #11, Performance).
  for (const c of result.apiShare.clusters) assert.ok(c.share !== null && c.share < 0.01, `${c.cluster}: share ${c.share}`);

  // Every command carried out once: one result per command id in the log …
  const records = cli(['rollout', 'history', '--state', db, '--json'])
    .stdout.trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; kind: string; body: { commandId?: string } });
  const results = new Map<string, number>();
  for (const r of records) {
    if (r.type !== 'event' || r.kind !== 'apply-result') continue;
    const id = r.body.commandId ?? '';
    results.set(id, (results.get(id) ?? 0) + 1);
  }
  for (const [id, n] of results) assert.equal(n, 1, `${id} has ${n} results`);
  // … every batch of every cluster applied, in order (the small clusters have 4 distinct batches: 1 node and 1 % coincide) …
  for (const cluster of ['edge-a', 'edge-b', 'core-a']) {
    const batches = [...results.keys()].filter((id) => id.startsWith(`apply:${cluster}:`)).map((id) => Number(id.split(':')[2]));
    assert.deepEqual(batches, batches.map((_, i) => i), `${cluster}: ${batches.join(', ')}`);
    assert.ok(batches.length >= 4);
    // … and on the served objects: each cluster's DaemonSet carries the id of its last batch, on every node, ready.
    const got = await kubectl(twin, ['--context', cluster, 'get', 'ds', 'node-problem-detector', '-n', 'node-problem-detector', '-o', 'jsonpath={.metadata.annotations.rollout\\.firebreak\\.dev/command} {.status.desiredNumberScheduled} {.status.numberReady}']);
    const nodes = cluster === 'edge-a' ? 20 : cluster === 'edge-b' ? 40 : 300;
    assert.equal(got.stdout, `apply:${cluster}:${batches.length - 1}:1 ${nodes} ${nodes}`, got.stderr);
  }
  // The state database answers `rollout status` like a rehearsal's.
  const status = JSON.parse(cli(['rollout', 'status', '--state', db, '--json']).stdout) as { phase: string; kind: string };
  assert.deepEqual([status.kind, status.phase], ['rollout', 'completed']);
});
