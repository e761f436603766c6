/**
 * The Kubernetes target against a real `firebreak twin serve` child process:
 * node batches by label, idempotency by the command id on the object (a
 * second target — a resumed process — does not apply again), removal and the
 * label clean-up within its cap, and the faults a rollout meets, each as an
 * outcome in words: expired credentials (401), missing RBAC (403), an API
 * server that refuses connections.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { KubernetesTarget, type ClusterConnection, type Manifest } from '../../../src/adapters/kubernetes/target.ts';
import type { LiveTime } from '../../../src/adapters/kubernetes/budget.ts';
import type { Identity } from '../../../src/orchestrator/ports.ts';
import { parseManifests } from '../../../src/input/manifests.ts';
import { kubectl, startServe, type ServedTwin } from '../../apiserver/serve-helper.ts';

let twin: ServedTwin;
let kubeconfig: string;

before(async () => {
  twin = await startServe('test/fixtures/rollout-run/scenario-small.yaml', ['--speed', '30']);
  kubeconfig = readFileSync(twin.kubeconfig, 'utf8');
});
after(async () => {
  await twin.stop();
});

const WALL: LiveTime = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
const ORDINARY: Identity = { name: 'firebreak', priorityLevel: 'workload-low', breakGlass: false };
const MANIFESTS = parseManifests(readFileSync('test/fixtures/rollout-run/benign-agent.yaml', 'utf8'), 'benign-agent.yaml').map((d) => d.value as Manifest);
const CHANGE = { name: 'node-problem-detector', kind: 'DaemonSet', namespace: 'node-problem-detector' } as const;
const LABEL = 'rollout.firebreak.dev/node-problem-detector=enabled';

function target(cluster: string, o: { kubeconfig?: string; user?: string; cap?: number } = {}): KubernetesTarget {
  const conn: ClusterConnection = { cluster, kubeconfig: o.kubeconfig ?? kubeconfig, context: cluster, ordinary: { user: o.user ?? 'firebreak', name: o.user ?? 'firebreak' } };
  return new KubernetesTarget({
    change: CHANGE,
    manifests: MANIFESTS,
    clusters: [conn],
    time: WALL,
    budget: { qps: 50, burst: 20, initialS: 0.1, factor: 2, maxS: 1, jitter: 0.5 },
    seed: 1,
    timeoutMs: 20_000,
    cleanupCap: o.cap ?? 600,
  });
}

async function labelled(cluster: string): Promise<number> {
  const r = await kubectl(twin, ['--context', cluster, 'get', 'nodes', '-l', LABEL, '-o', 'name']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

test('apply labels the batch’s nodes and constrains the DaemonSet; a second process does not apply the same command again; remove and clean-up leave nothing', async () => {
  const first = target('core-a');
  const a = await first.apply({ commandId: 'apply:core-a:0:1', cluster: 'core-a', batch: 0, nodes: 1, nodeFraction: 1 / 300, identity: ORDINARY });
  assert.equal(a.ok, true, a.reason);
  await first.idle();
  assert.equal(await labelled('core-a'), 1);
  const ds = await kubectl(twin, ['--context', 'core-a', '-n', CHANGE.namespace, 'get', 'ds', CHANGE.name, '-o', 'jsonpath={.spec.template.spec.nodeSelector} {.metadata.annotations.rollout\\.firebreak\\.dev/command}']);
  assert.equal(ds.stdout, '{"rollout.firebreak.dev/node-problem-detector":"enabled"} apply:core-a:0:1');

  // A resumed orchestrator repeating the command it did not record: found on the object, not applied again.
  const resumed = target('core-a');
  const again = await resumed.apply({ commandId: 'apply:core-a:0:1', cluster: 'core-a', batch: 0, nodes: 1, nodeFraction: 1 / 300, identity: ORDINARY });
  assert.deepEqual([again.ok, again.alreadyDone], [true, true]);
  assert.match(again.reason, /already applied by apply:core-a:0:1/);

  const wider = await resumed.apply({ commandId: 'apply:core-a:1:1', cluster: 'core-a', batch: 1, nodes: 30, nodeFraction: 0.1, identity: ORDINARY });
  assert.equal(wider.ok, true, wider.reason);
  await resumed.idle();
  assert.equal(await labelled('core-a'), 30);
  const status = await resumed.status('core-a', ORDINARY);
  assert.deepEqual([status.ok, status.present, status.desired], [true, true, 30]);

  const removed = await resumed.remove({ commandId: 'delete:core-a:1', cluster: 'core-a', identity: ORDINARY });
  assert.equal(removed.ok, true, removed.reason);
  const cleanup = await resumed.cleanUp('core-a');
  assert.deepEqual([cleanup.left, cleanup.patches, cleanup.objectsLeft], [0, 30, []]);
  assert.equal(await labelled('core-a'), 0);
  const gone = await kubectl(twin, ['--context', 'core-a', '-n', CHANGE.namespace, 'get', 'ds', CHANGE.name]);
  assert.match(gone.stderr, /NotFound/);
  const after = await resumed.status('core-a', ORDINARY);
  assert.deepEqual([after.ok, after.present], [true, false]);
});

test('the label clean-up stops at its cap and reports what is left', async () => {
  const t = target('edge-b', { cap: 3 });
  assert.equal((await t.apply({ commandId: 'apply:edge-b:0:1', cluster: 'edge-b', batch: 0, nodes: 10, nodeFraction: 0.25, identity: ORDINARY })).ok, true);
  await t.idle();
  assert.equal(await labelled('edge-b'), 10);
  assert.equal((await t.remove({ commandId: 'delete:edge-b:1', cluster: 'edge-b', identity: ORDINARY })).ok, true);
  const cleanup = await t.cleanUp('edge-b');
  assert.deepEqual([cleanup.patches, cleanup.left], [3, 7]);
  assert.equal(await labelled('edge-b'), 7);
  // What is left is cleaned by the next clean-up, within its own cap.
  const next = await target('edge-b', { cap: 100 }).cleanUp('edge-b');
  assert.deepEqual([next.patches, next.left], [7, 0]);
});

test('expired credentials: 401, in words, for apply and status alike', async () => {
  const token = twin.config.token('firebreak');
  const t = target('edge-a', { kubeconfig: kubeconfig.split(token).join('expired-token') });
  const out = await t.apply({ commandId: 'apply:edge-a:0:1', cluster: 'edge-a', batch: 0, nodes: 1, nodeFraction: 0.05, identity: ORDINARY });
  assert.equal(out.ok, false);
  assert.match(out.reason, /^401 Unauthorized: the credentials of firebreak were refused \(expired or wrong\); renew them in the kubeconfig/);
  const status = await t.status('edge-a', ORDINARY);
  assert.equal(status.ok, false);
  assert.match(status.reason, /^401 Unauthorized/);
});

test('missing RBAC: 403 names the identity and the request', async () => {
  const t = target('edge-a', { user: 'firebreak-breakglass' });
  const out = await t.apply({ commandId: 'apply:edge-a:0:1', cluster: 'edge-a', batch: 0, nodes: 1, nodeFraction: 0.05, identity: ORDINARY });
  assert.equal(out.ok, false);
  assert.match(out.reason, /^403 Forbidden: firebreak-breakglass may not read DaemonSet node-problem-detector\/node-problem-detector \(missing RBAC\): .*cannot get resource "daemonsets"/);
});

test('an API server that refuses connections: unreachable, in words', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const server = twin.config.server('edge-a');
  const t = target('edge-a', { kubeconfig: kubeconfig.split(server).join(`https://127.0.0.1:${port}`) });
  const out = await t.apply({ commandId: 'apply:edge-a:0:1', cluster: 'edge-a', batch: 0, nodes: 1, nodeFraction: 0.05, identity: ORDINARY });
  assert.equal(out.ok, false);
  assert.equal(out.reason, 'unreachable: read DaemonSet node-problem-detector/node-problem-detector: connection refused (ECONNREFUSED)');
  const removed = await t.remove({ commandId: 'delete:edge-a:1', cluster: 'edge-a', identity: ORDINARY });
  assert.match(removed.reason, /^unreachable: delete DaemonSet/);
  const missing = await t.remove({ commandId: 'delete:gone:1', cluster: 'gone', identity: ORDINARY });
  assert.deepEqual([missing.ok, missing.reason], [false, 'no connection to cluster gone (it is not in the fleet file any more)']);
});

test('with the kill switch enabled, the guard sidecar is injected into the pod template at apply (contracts E)', async () => {
  const conn: ClusterConnection = { cluster: 'edge-a', kubeconfig, context: 'edge-a', ordinary: { user: 'firebreak', name: 'firebreak' } };
  const t = new KubernetesTarget({
    change: CHANGE,
    manifests: MANIFESTS,
    clusters: [conn],
    time: WALL,
    budget: { qps: 50, burst: 20, initialS: 0.1, factor: 2, maxS: 1, jitter: 0.5 },
    seed: 1,
    timeoutMs: 20_000,
    cleanupCap: 600,
    guard: { url: 'http://10.0.0.7:8080', key: 'MCowBQYDK2VwAyEA0000000000000000000000000000000000000000000=', image: 'example.com/firebreak:test' },
  });
  const out = await t.apply({ commandId: 'apply:edge-a:0:1', cluster: 'edge-a', batch: 0, nodes: 1, nodeFraction: 0.05, identity: ORDINARY });
  assert.equal(out.ok, true, out.reason);
  const ds = await kubectl(twin, ['--context', 'edge-a', '-n', CHANGE.namespace, 'get', 'ds', CHANGE.name, '-o', 'jsonpath={.spec.template.spec.shareProcessNamespace} {.spec.template.spec.containers[*].name} {.spec.template.spec.containers[1].env[?(@.name=="FIREBREAK_CLUSTER")].value}']);
  assert.equal(ds.stdout, 'true node-problem-detector firebreak-guard edge-a', ds.stderr);
  await t.idle();
  assert.equal((await t.remove({ commandId: 'delete:edge-a:1', cluster: 'edge-a', identity: ORDINARY })).ok, true);
  await t.cleanUp('edge-a');
  const flip = await t.killSwitch({ commandId: 'kill-switch:edge-a:1', cluster: 'edge-a' });
  assert.deepEqual([flip.ok, flip.reason], [false, 'no kill switch endpoint for this rollout (the plan does not enable one)']);
});

test('the kill switch command flips the change’s switch for the cluster on a real `firebreak killswitch serve`, once per command id', async () => {
  const { cliRun, serve, stop, tempDir } = await import('../../killswitch/helpers.ts');
  const { KillSwitchClient } = await import('../../../src/adapters/killswitch/client.ts');
  const dir = tempDir();
  assert.equal((await cliRun(['killswitch', 'keys', '--out', dir])).code, 0);
  const server = await serve(['--key', `${dir}/switch.key`, '--admin-token', `${dir}/admin.token`]);
  try {
    const client = new KillSwitchClient({ url: server.url, adminToken: readFileSync(`${dir}/admin.token`, 'utf8').trim(), change: CHANGE.name });
    const conn: ClusterConnection = { cluster: 'edge-a', kubeconfig, context: 'edge-a', ordinary: { user: 'firebreak', name: 'firebreak' } };
    const t = new KubernetesTarget({
      change: CHANGE,
      manifests: MANIFESTS,
      clusters: [conn],
      time: WALL,
      budget: { qps: 50, burst: 20, initialS: 0.1, factor: 2, maxS: 1, jitter: 0.5 },
      seed: 1,
      timeoutMs: 20_000,
      cleanupCap: 600,
      killSwitch: (req) => client.killSwitch(req),
    });
    const flip = await t.killSwitch({ commandId: 'kill-switch:edge-a:1', cluster: 'edge-a' });
    assert.equal(flip.ok, true, flip.reason);
    const again = await t.killSwitch({ commandId: 'kill-switch:edge-a:1', cluster: 'edge-a' });
    assert.equal(again.alreadyDone, true);
    const get = await cliRun(['killswitch', 'get', CHANGE.name, '--url', server.url, '--key-file', `${dir}/switch.pub`]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /edge-a.*off|off.*edge-a/);
  } finally {
    await stop(server);
  }
});
