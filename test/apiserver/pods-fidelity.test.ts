/**
 * Fidelity of the served twin's generated nodes and pods, through the real
 * kubectl against a real `firebreak twin serve`: a DaemonSet's pods carry its
 * template's labels (so `kubectl get pods -l app=<x>` finds them) and an
 * ownerReference to the DaemonSet (its uid), with containerStatuses (ready,
 * restartCount, the template's images); node names are zero-padded to at
 * least five digits (contract C: `<cluster>-node-00001`).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GeneratedNodes } from '../../src/apiserver/generated-nodes.ts';
import { kubectl, startServe, type ServedTwin } from './serve-helper.ts';

let t: ServedTwin;
before(async () => {
  t = await startServe('test/fixtures/serve/small.yaml', ['--speed', '20']);
});
after(async () => {
  await t.stop();
});

const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-shipper
  namespace: default
spec:
  selector:
    matchLabels: { app: log-shipper }
  template:
    metadata:
      labels: { app: log-shipper, tier: node }
    spec:
      nodeSelector: { kubernetes.io/os: linux }
      containers:
        - name: shipper
          image: example.com/shipper:2.1
        - name: exporter
          image: example.com/exporter:0.9
`;

interface Pod {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller: boolean }[] };
  spec: { nodeName: string; containers: { name: string; image: string }[] };
  status: { containerStatuses?: { name: string; image: string; ready: boolean; restartCount: number; state: Record<string, unknown> }[] };
}

test('a DaemonSet\'s pods: found by its template labels, owned by it, with containerStatuses from its template', { timeout: 120_000 }, async () => {
  const file = join(t.dir, 'ds.yaml');
  writeFileSync(file, DS);
  const apply = await kubectl(t, ['--context', 'beta', 'apply', '--server-side', '-f', file]);
  assert.equal(apply.status, 0, apply.stderr);
  const rollout = await kubectl(t, ['--context', 'beta', 'rollout', 'status', 'ds/log-shipper', '--timeout=90s']);
  assert.equal(rollout.status, 0, rollout.stderr);
  const uid = await kubectl(t, ['--context', 'beta', 'get', 'ds', 'log-shipper', '-o', 'jsonpath={.metadata.uid}']);
  assert.equal(uid.status, 0, uid.stderr);
  assert.ok(uid.stdout.length > 0);

  const r = await kubectl(t, ['--context', 'beta', 'get', 'pods', '-l', 'app=log-shipper', '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const pods = (JSON.parse(r.stdout) as { items: Pod[] }).items;
  assert.equal(pods.length, 12, 'one pod on each of the 12 nodes');
  assert.equal(new Set(pods.map((p) => p.spec.nodeName)).size, 12);
  for (const p of pods) {
    assert.equal(p.metadata.labels['app'], 'log-shipper');
    assert.equal(p.metadata.labels['tier'], 'node');
    assert.equal(p.metadata.labels['pod-template-generation'], '1');
    assert.deepEqual(p.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [['DaemonSet', 'log-shipper', uid.stdout, true]]);
    assert.deepEqual(p.spec.containers.map((c) => [c.name, c.image]), [['shipper', 'example.com/shipper:2.1'], ['exporter', 'example.com/exporter:0.9']]);
    assert.deepEqual(p.status.containerStatuses?.map((c) => [c.name, c.image, c.ready, c.restartCount, Object.keys(c.state)]), [
      ['shipper', 'example.com/shipper:2.1', true, 0, ['running']],
      ['exporter', 'example.com/exporter:0.9', true, 0, ['running']],
    ]);
  }
  // A selector on a label the template does not carry finds none of them; the table shows READY 2/2.
  const none = await kubectl(t, ['--context', 'beta', 'get', 'pods', '-l', 'app=log-shipper,tier!=node', '-o', 'name']);
  assert.equal(none.status, 0, none.stderr);
  assert.equal(none.stdout.trim(), '');
  const table = await kubectl(t, ['--context', 'beta', 'get', 'pods', '-l', 'tier=node']);
  assert.equal(table.status, 0, table.stderr);
  const rows = table.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, 12);
  for (const row of rows) assert.match(row, /^log-shipper-\S+\s+2\/2\s+Running\s+0\s+/);
});

test('node names are zero-padded to five digits (contract C)', async () => {
  const r = await kubectl(t, ['--context', 'alpha', 'get', 'nodes', '-o', 'name']);
  assert.equal(r.status, 0, r.stderr);
  const names = r.stdout.trim().split('\n');
  assert.equal(names.length, 50);
  assert.equal(names[0], 'node/alpha-node-00001');
  assert.equal(names[49], 'node/alpha-node-00050');
  assert.ok(names.every((n) => /^node\/alpha-node-\d{5}$/.test(n)));
});

test('node names take more digits when a cluster can have more than 99,999 nodes', () => {
  const big = new GeneratedNodes('huge', 150_000, 0);
  assert.equal(big.name(0), 'huge-node-000001');
  assert.equal(big.name(149_999), 'huge-node-150000');
  assert.equal(big.indexOf('huge-node-000042', 150_000), 41);
  const small = new GeneratedNodes('tiny', 3, 0);
  assert.equal(small.name(2), 'tiny-node-00003');
});
