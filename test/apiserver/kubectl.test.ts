/**
 * Acceptance 1 of issue #11 with the real kubectl: against a real `firebreak
 * twin serve` child process of a small scenario, `get nodes` (table),
 * `apply --server-side -f` a DaemonSet, `get ds`, `rollout status`,
 * `get flowschemas` and `delete ds` each exit 0 with the expected output;
 * and the errors kubectl shows for RBAC (403) and conflicts (409).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from './serve-helper.ts';

const SCENARIO = 'test/fixtures/serve/small.yaml';
let t: ServedTwin;

before(async () => {
  t = await startServe(SCENARIO, ['--speed', '20']);
});
after(async () => {
  assert.equal(await t.stop(), 0, 'twin serve exits 0 on SIGTERM');
});

const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: default
spec:
  selector:
    matchLabels: { app: node-agent }
  template:
    metadata:
      labels: { app: node-agent }
    spec:
      nodeSelector: { kubernetes.io/os: linux }
      containers:
        - name: agent
          image: example.com/agent:1.0
`;

test('kubectl get nodes prints the served cluster\'s generated nodes as a table', async () => {
  const r = await kubectl(t, ['--context', 'alpha', 'get', 'nodes']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  assert.equal(lines.length, 51, '50 nodes and a header');
  assert.match(lines[1] ?? '', /^alpha-node-0*1\s+Ready\s+<none>\s+\S+\s+v1\.\d+\.\d+$/);
  const beta = await kubectl(t, ['--context', 'beta-admin', 'get', 'nodes', '-o', 'name']);
  assert.equal(beta.status, 0, beta.stderr);
  assert.equal(beta.stdout.trim().split('\n').length, 12);
});

test('kubectl apply --server-side, get ds, rollout status, delete ds', async () => {
  const file = join(t.dir, 'ds.yaml');
  writeFileSync(file, DS);
  const apply = await kubectl(t, ['--context', 'alpha', 'apply', '--server-side', '-f', file]);
  assert.equal(apply.status, 0, apply.stderr);
  assert.equal(apply.stdout.trim(), 'daemonset.apps/node-agent serverside-applied');

  const rollout = await kubectl(t, ['--context', 'alpha', 'rollout', 'status', 'ds/node-agent', '--timeout=30s']);
  assert.equal(rollout.status, 0, rollout.stderr);
  assert.match(rollout.stdout, /daemon set "node-agent" successfully rolled out/);

  const get = await kubectl(t, ['--context', 'alpha', 'get', 'ds']);
  assert.equal(get.status, 0, get.stderr);
  assert.match(get.stdout, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
  assert.match(get.stdout, /\nnode-agent\s+50\s+50\s+50\s+50\s+50\s+kubernetes\.io\/os=linux\s+\S+\n/);

  const pods = await kubectl(t, ['--context', 'alpha', 'get', 'pods', '-n', 'default', '-o', 'name']);
  assert.equal(pods.status, 0, pods.stderr);
  assert.equal(pods.stdout.trim().split('\n').filter((p) => p.startsWith('pod/node-agent-')).length, 50, 'one agent pod per matched node');

  const again = await kubectl(t, ['--context', 'alpha', 'apply', '--server-side', '-f', file]);
  assert.equal(again.status, 0, again.stderr);
  const gen = await kubectl(t, ['--context', 'alpha', 'get', 'ds', 'node-agent', '-o', 'jsonpath={.metadata.generation}']);
  assert.equal(gen.stdout, '1', 'an identical apply does not bump the generation');

  const del = await kubectl(t, ['--context', 'alpha', 'delete', 'ds', 'node-agent']);
  assert.equal(del.status, 0, del.stderr);
  assert.equal(del.stdout.trim(), 'daemonset.apps "node-agent" deleted');
  const gone = await kubectl(t, ['--context', 'alpha', 'get', 'ds', 'node-agent']);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /Error from server \(NotFound\): daemonsets\.apps "node-agent" not found/);
});

test('kubectl get flowschemas and prioritylevelconfigurations show Kubernetes\' bootstrap defaults', async () => {
  const r = await kubectl(t, ['--context', 'alpha', 'get', 'flowschemas']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL\n/);
  assert.match(r.stdout, /\nservice-accounts\s+workload-low\s+9000\s+ByUser\s/);
  assert.match(r.stdout, /\nexempt\s+exempt\s+1\s+<none>\s/);
  const p = await kubectl(t, ['--context', 'alpha', 'get', 'prioritylevelconfigurations', 'workload-low']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /\nworkload-low\s+Limited\s+100\s+128\s+6\s+50\s/);
});

test('kubectl shows the API\'s Status errors: 403 naming the missing permission, 409 for an SSA conflict', async () => {
  const denied = await kubectl(t, ['--context', 'alpha-breakglass', 'get', 'pods']);
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /pods is forbidden: User "system:serviceaccount:firebreak-system:firebreak-breakglass" cannot list resource "pods" in API group "" in the namespace "default"/);

  const file = join(t.dir, 'cm.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: default }\ndata: { k: one }\n');
  assert.equal((await kubectl(t, ['--context', 'alpha', 'apply', '--server-side', '--field-manager', 'first', '-f', file])).status, 0);
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: default }\ndata: { k: two }\n');
  const c = await kubectl(t, ['--context', 'alpha', 'apply', '--server-side', '--field-manager', 'second', '-f', file]);
  assert.equal(c.status, 1);
  assert.match(c.stderr, /conflict with "first"/);
  assert.match(c.stderr, /\.data\.k/);
  const forced = await kubectl(t, ['--context', 'alpha', 'apply', '--server-side', '--field-manager', 'second', '--force-conflicts', '-f', file]);
  assert.equal(forced.status, 0, forced.stderr);
  const v = await kubectl(t, ['--context', 'alpha', 'get', 'cm', 'c', '-o', 'jsonpath={.data.k}']);
  assert.equal(v.stdout, 'two');
});

test('kubectl label node: the label is kept and selects the node', async () => {
  const names = (await kubectl(t, ['--context', 'alpha', 'get', 'nodes', '-o', 'name'])).stdout.trim().split('\n');
  const seventh = names[6] ?? '';
  assert.match(seventh, /^node\/alpha-node-0*7$/);
  const l = await kubectl(t, ['--context', 'alpha', 'label', seventh, 'rollout.firebreak.dev/agent=enabled']);
  assert.equal(l.status, 0, l.stderr);
  const sel = await kubectl(t, ['--context', 'alpha', 'get', 'nodes', '-l', 'rollout.firebreak.dev/agent=enabled', '-o', 'name']);
  assert.equal(sel.stdout.trim(), seventh);
});
