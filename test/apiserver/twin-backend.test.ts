/**
 * The twin's ClusterBackend (src/apiserver/twin-backend.ts) over a real Twin:
 * requests are classified by the stored FlowSchemas and become the twin's
 * load; the incident's telemetry agent written through the API becomes the
 * cluster's change (derived by the analyzer), runs on the nodes its
 * nodeSelector selects as node labels are written (contract D), and its
 * DaemonSet status follows the twin; on a 5,000-node cluster the agents'
 * requests are answered with 429s, then connections are refused, while a
 * 50-node cluster stays healthy; generated nodes and pods are consistent;
 * the kill-switch guard is found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseScenario } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';
import { TwinBackend } from '../../src/apiserver/twin-backend.ts';
import type { KubeObject, ObjectReader, RequestInfo, UserInfo } from '../../src/apiserver/backend.ts';
import { BOOTSTRAP_FLOW_SCHEMAS, BOOTSTRAP_PLCS, BREAK_GLASS_FLOW_SCHEMA } from './bootstrap-apf.ts';

const RESOURCES: Record<string, [string, string]> = {
  ServiceAccount: ['', 'serviceaccounts'],
  ConfigMap: ['', 'configmaps'],
  ClusterRole: ['rbac.authorization.k8s.io', 'clusterroles'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  Role: ['rbac.authorization.k8s.io', 'roles'],
  RoleBinding: ['rbac.authorization.k8s.io', 'rolebindings'],
  FlowSchema: ['flowcontrol.apiserver.k8s.io', 'flowschemas'],
  PriorityLevelConfiguration: ['flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations'],
  DaemonSet: ['apps', 'daemonsets'],
  Namespace: ['', 'namespaces'],
};

/** The stored objects, as the API machinery would keep them. */
class Store implements ObjectReader {
  readonly objects: KubeObject[] = [];
  add(...os: readonly KubeObject[]): this {
    this.objects.push(...os);
    return this;
  }
  list(apiGroup: string, resource: string, namespace?: string): KubeObject[] {
    return this.objects.filter((o) => {
      const r = RESOURCES[o.kind as string];
      return r !== undefined && r[0] === apiGroup && r[1] === resource && (namespace === undefined || (o.metadata as { namespace?: string }).namespace === namespace);
    });
  }
  get(apiGroup: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.list(apiGroup, resource, namespace).find((o) => (o.metadata as { name?: string }).name === name);
  }
}

function incidentObjects(): KubeObject[] {
  return parseAllDocuments(readFileSync('test/fixtures/manifests/telemetry-agent-incident.yaml', 'utf8')).map((d) => d.toJS() as KubeObject);
}

function daemonSet(objects: readonly KubeObject[], nodeSelector?: Record<string, string>, extraContainer?: Record<string, unknown>): KubeObject {
  const ds = structuredClone(objects.find((o) => o.kind === 'DaemonSet')) as KubeObject & { spec: { template: { spec: Record<string, unknown> } }; metadata: Record<string, unknown> };
  ds.metadata.generation = 1;
  if (nodeSelector !== undefined) ds.spec.template.spec.nodeSelector = nodeSelector;
  if (extraContainer !== undefined) (ds.spec.template.spec.containers as unknown[]).push(extraContainer);
  return ds;
}

function twinOf(clusters: readonly { name: string; nodes: number }[], breakGlass = false): Twin {
  const sc = parseScenario(
    `apiVersion: firebreak.dev/v1alpha1
kind: Scenario
metadata: { name: served }
spec:
  start: "2024-12-11T14:30:00"
  duration: 2h
  fleet:
    clusters:
${clusters.map((c) => `      - { name: ${c.name}, nodes: ${c.nodes} }`).join('\n')}
`,
    '<test>',
  );
  return new Twin(sc, { seed: 1, pipeline: false, operators: false, ...(breakGlass ? { breakGlass: { seats: 20 } } : {}) });
}

const AGENT: UserInfo = { name: 'system:serviceaccount:telemetry:telemetry-agent', groups: ['system:serviceaccounts', 'system:serviceaccounts:telemetry', 'system:authenticated'] };
const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const BREAK_GLASS: UserInfo = { name: 'system:serviceaccount:firebreak-system:firebreak-breakglass', groups: ['system:serviceaccounts', 'system:authenticated'] };
const listPods = (user: UserInfo, objects: number): RequestInfo => ({ user, verb: 'list', apiGroup: '', resource: 'pods', objects, bytes: objects * 12_288 });

function apfStore(): Store {
  return new Store().add(...BOOTSTRAP_FLOW_SCHEMAS, ...BOOTSTRAP_PLCS, BREAK_GLASS_FLOW_SCHEMA('firebreak-breakglass'));
}

test('the incident agent written through the API: 429s then refused connections on 5,000 nodes; a 50-node cluster stays healthy', () => {
  const twin = twinOf([{ name: 'small', nodes: 50 }, { name: 'big', nodes: 5000 }]);
  const store = apfStore().add(...incidentObjects());
  const backends = [new TwinBackend(twin, 0), new TwinBackend(twin, 1)];
  const ds = daemonSet(store.objects);
  for (const b of backends) b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', ds, store);
  assert.equal(twin.changeAt(1)?.name, 'telemetry-agent');
  assert.deepEqual(twin.changeAt(1)?.calls.map((c) => c.name), ['list-pods', 'list-nodes']);
  assert.equal(twin.changeWorkload('big')?.fraction, 1);
  assert.equal(twin.changeAt(1)?.priorityLevel, 'workload-low', 'the service-accounts FlowSchema: workload-low');
  const kinds = [new Set<string>(), new Set<string>()];
  const first: Record<string, number>[] = [{}, {}];
  let agents429 = 0;
  let agents429At = Infinity;
  while (twin.step()) {
    const rejected = twin.levelsAt(1).find((l) => l.level === 'workload-low')?.rejectedPerS ?? 0;
    agents429 += rejected;
    if (rejected > 0) agents429At = Math.min(agents429At, twin.t);
    for (let i = 0; i < 2; i++) {
      // An agent's GET of its own node, in the agents' APF flow (one service account: one flow).
      if (Math.round(twin.t) % 5 !== 0) continue;
      const a = backends[i]!.admit({ user: AGENT, verb: 'get', apiGroup: '', resource: 'nodes', name: 'big-node-00001', objects: 1, bytes: 4096 }, store);
      kinds[i]!.add(a.kind);
      first[i]![a.kind] ??= twin.t;
      if (a.kind === 'reject') {
        assert.equal(a.level, 'workload-low');
        assert.ok(a.retryAfterS >= 1 && a.retryAfterS <= 32);
      }
    }
  }
  assert.deepEqual([...kinds[0]!], ['serve'], 'the 50-node cluster serves its agents');
  assert.ok(Math.abs((twin.changeWorkload('small')?.running ?? 0) - 50) < 1e-6, 'all 50 agents run');
  assert.ok(kinds[1]!.has('refuse'), `the 5,000-node cluster refuses connections: ${[...kinds[1]!].join(', ')}`);
  assert.ok(agents429 > 1000, `its agents get 429s: ${Math.round(agents429)}`);
  assert.ok(agents429At < first[1]!.refuse!, `429s (${agents429At} s) before connections are refused (${first[1]!.refuse} s)`);
  assert.equal(backends[1]!.accepting(), twin.readyRatioAt(1) > 0);
  // The cluster admin is exempt from APF: never a 429.
  assert.equal(backends[1]!.levelOf(listPods(ADMIN, 1), store), 'exempt');
});

test('a storm of LISTs through the API saturates the level: the backend answers 429 with Retry-After, and other levels are served', () => {
  const twin = twinOf([{ name: 'big', nodes: 5000 }]);
  const store = apfStore();
  const b = new TwinBackend(twin, 0);
  const bot: UserInfo = { name: 'system:serviceaccount:ci:lister', groups: ['system:serviceaccounts', 'system:authenticated'] };
  for (let k = 0; k < 30; k++) twin.step();
  const kinds = new Set<string>();
  let maxRetryAfter = 0;
  for (let k = 0; k < 120; k++) {
    for (let r = 0; r < 400; r++) {
      const a = b.admit({ user: bot, verb: 'list', apiGroup: '', resource: 'configmaps', objects: 5_000, bytes: 5_000 * 2_048 }, store);
      kinds.add(a.kind);
      if (a.kind === 'reject') {
        assert.equal(a.level, 'workload-low');
        maxRetryAfter = Math.max(maxRetryAfter, a.retryAfterS);
      }
    }
    twin.step();
  }
  assert.ok(kinds.has('serve') && kinds.has('reject'), [...kinds].join(', '));
  assert.ok(maxRetryAfter >= 2 && maxRetryAfter <= 32, `Retry-After ${maxRetryAfter}`);
  assert.equal(b.admit(listPods({ name: 'alice', groups: ['system:authenticated'] }, 1), store).kind, 'serve', 'global-default is isolated from the storm');
});

test('node batches by label (contract D): the DaemonSet runs on the labelled nodes, its status follows the twin in whole pods', () => {
  const twin = twinOf([{ name: 'mid', nodes: 2000 }]);
  const store = apfStore().add(...incidentObjects());
  const b = new TwinBackend(twin, 0);
  const label = 'rollout.firebreak.dev/telemetry-agent';
  const ds = daemonSet(store.objects, { [label]: 'enabled' });
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', ds, store);
  let st = b.workloadStatus(ds) as Record<string, number>;
  assert.equal(st.desiredNumberScheduled, 0, 'no node labelled yet');
  assert.equal(st.numberReady, 0);
  assert.equal(twin.changeDeployedAt(0), true);
  const workloadPods = b.podCount();
  // Label the first 1 % of nodes, as the Kubernetes target's first batch would.
  for (let i = 0; i < 20; i++) b.setNodeLabels(i, { [label]: 'enabled' });
  assert.equal(twin.changeWorkload('mid')?.fraction, 0.01);
  const seen: number[] = [];
  for (let k = 0; k < 200; k++) {
    twin.step();
    st = b.workloadStatus(ds) as Record<string, number>;
    const running = twin.changeWorkload('mid')?.running ?? 0;
    assert.equal(st.desiredNumberScheduled, 20);
    assert.equal(st.numberReady, Math.min(20, Math.floor(running + 1e-6)), `t=${twin.t}: ${running}`);
    assert.equal(st.numberAvailable, st.numberReady);
    assert.equal(st.currentNumberScheduled, st.numberReady);
    assert.equal(st.numberMisscheduled, 0);
    assert.equal(st.observedGeneration, 1);
    assert.equal(b.podCount(), workloadPods + st.numberReady);
    seen.push(st.numberReady);
  }
  assert.ok(seen.some((x) => x > 0 && x < 20), 'pods come up over time');
  assert.equal(seen.at(-1), 20);
  for (let k = 1; k < seen.length; k++) assert.ok(seen[k]! >= seen[k - 1]!);
  // The agents' pods run on the labelled nodes, by name.
  const agentPods = Array.from({ length: 20 }, (_, k) => b.pod(workloadPods + k) as { metadata: { name: string; namespace: string }; spec: { nodeName: string } });
  assert.deepEqual(new Set(agentPods.map((p) => p.spec.nodeName)), new Set(Array.from({ length: 20 }, (_, i) => b.node(i).metadata as { name: string }).map((m) => m.name)));
  for (const p of agentPods) assert.equal(b.podIndex(p.metadata.namespace, p.metadata.name), workloadPods + agentPods.indexOf(p));
  // Widening: 10 % of the nodes.
  for (let i = 20; i < 200; i++) b.setNodeLabels(i, { [label]: 'enabled' });
  assert.equal(twin.changeWorkload('mid')?.fraction, 0.1);
  // Deleted through the API: remove-change; the agents stop as their kubelets see it.
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', null, store);
  assert.equal(twin.changeDeployedAt(0), false);
  for (let k = 0; k < 300 && twin.agentsAt(0) > 0; k++) twin.step();
  assert.equal(twin.agentsAt(0), 0);
  assert.equal(b.podCount(), workloadPods);
});

test('generated nodes: names, labels, lookups, Ready from the twin, label overrides', () => {
  const twin = twinOf([{ name: 'c1', nodes: 120 }]);
  const b = new TwinBackend(twin, 0);
  assert.equal(b.nodeCount(), 120);
  const n0 = b.node(0) as { metadata: { name: string; labels: Record<string, string>; creationTimestamp: string }; status: { conditions: { type: string; status: string }[] } };
  assert.equal(n0.metadata.name, 'c1-node-00001');
  assert.equal(n0.metadata.labels['kubernetes.io/hostname'], 'c1-node-00001');
  assert.equal(n0.metadata.labels['kubernetes.io/os'], 'linux');
  assert.ok(n0.metadata.labels['topology.kubernetes.io/zone'] !== undefined);
  assert.ok(n0.metadata.labels['node.kubernetes.io/instance-type'] !== undefined);
  assert.ok(!Object.keys(n0.metadata.labels).some((k) => k.startsWith('node-role.kubernetes.io/')));
  assert.equal(n0.metadata.creationTimestamp, new Date(twin.scenario.startMs).toISOString().replace('.000Z', 'Z'));
  for (let i = 0; i < 120; i++) assert.equal(b.nodeIndex((b.node(i).metadata as { name: string }).name), i);
  assert.equal(b.nodeIndex('c1-node-00121'), -1);
  assert.equal(b.nodeIndex('other-node-00001'), -1);
  const ready = Array.from({ length: 120 }, (_, i) => (b.node(i).status as { conditions: { status: string }[] }).conditions[0]?.status === 'True').filter(Boolean).length;
  assert.equal(ready, 120, 'a healthy cluster: every node Ready');
  b.setNodeLabels(3, { team: 'a' });
  assert.equal((b.node(3).metadata as { labels: Record<string, string> }).labels.team, 'a');
  assert.equal((b.node(3).metadata as { labels: Record<string, string> }).labels['kubernetes.io/hostname'], 'c1-node-00004');
  // Pods: the twin's workload pods, spread over the nodes, found by name.
  assert.equal(b.podCount(), twin.podsAt(0));
  const p = b.pod(121) as { metadata: { name: string; namespace: string }; spec: { nodeName: string } };
  assert.equal(p.spec.nodeName, 'c1-node-00002');
  assert.equal(b.podIndex(p.metadata.namespace, p.metadata.name), 121);
  assert.equal(b.podIndex('nowhere', p.metadata.name), -1);
});

test('break-glass: the kit FlowSchema takes the break-glass identity to the twin dedicated level, served while the ordinary API is down', () => {
  const twin = twinOf([{ name: 'big', nodes: 5000 }], true);
  const store = apfStore().add(...incidentObjects());
  const b = new TwinBackend(twin, 0);
  const del: RequestInfo = { user: BREAK_GLASS, verb: 'delete', apiGroup: 'apps', resource: 'daemonsets', namespace: 'telemetry', name: 'telemetry-agent', objects: 1, bytes: 2000 };
  assert.equal(b.levelOf(del, store), 'break-glass');
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', daemonSet(store.objects), store);
  let refusedOrdinary = false;
  while (twin.step() && twin.t < 1800) {
    const ordinary = b.admit({ ...del, user: AGENT }, store);
    if (ordinary.kind === 'refuse') {
      refusedOrdinary = true;
      const glass = b.admit(del, store);
      assert.equal(glass.kind, 'serve', 'the break-glass API server answers');
      break;
    }
  }
  assert.ok(refusedOrdinary, 'the ordinary API went down');
  // A PLC the twin does not model: its requests are not dropped, they load global-default, and the backend says so.
  store.add({ kind: 'FlowSchema', metadata: { name: 'batch' }, spec: { matchingPrecedence: 60, priorityLevelConfiguration: { name: 'batch-jobs' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'batch-bot' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] } }, { kind: 'PriorityLevelConfiguration', metadata: { name: 'batch-jobs' }, spec: { type: 'Limited' } });
  assert.equal(b.levelOf(listPods({ name: 'batch-bot', groups: [] }, 10), store), 'global-default');
  assert.ok(b.notes().some((n) => n.includes('batch-jobs')), b.notes().join('\n'));
});

test('the kill-switch guard sidecar is found with its settings; a second change while one is deployed is stored but not run', () => {
  const twin = twinOf([{ name: 'c', nodes: 100 }]);
  const store = apfStore().add(...incidentObjects());
  const b = new TwinBackend(twin, 0);
  const guard = {
    name: 'firebreak-guard',
    image: 'registry.example.com/firebreak-guard:1',
    env: [
      { name: 'FIREBREAK_KILLSWITCH_URL', value: 'https://10.0.0.5:8443/switch' },
      { name: 'FIREBREAK_CHANGE', value: 'telemetry-agent' },
      { name: 'FIREBREAK_KILLSWITCH_POLL', value: '5' },
      { name: 'FIREBREAK_KILLSWITCH_KEY', value: 'pubkey' },
    ],
  };
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', daemonSet(store.objects, undefined, guard), store);
  assert.deepEqual(b.guardedChanges(), [
    { url: 'https://10.0.0.5:8443/switch', change: 'telemetry-agent', pollS: 5, unreachable: 'keep-running', key: 'pubkey', cluster: 'c', kind: 'DaemonSet', namespace: 'telemetry', name: 'telemetry-agent' },
  ]);
  const other = structuredClone(daemonSet(store.objects)) as { metadata: Record<string, unknown> };
  other.metadata.name = 'other-agent';
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'other-agent', other, store);
  assert.equal(twin.changeAt(0)?.name, 'telemetry-agent');
  assert.ok(b.notes().some((n) => n.includes('other-agent') && n.includes('no load')), b.notes().join('\n'));
  assert.equal(b.workloadStatus(other as KubeObject), undefined);
  b.workloadWritten('apps', 'daemonsets', 'telemetry', 'telemetry-agent', null, store);
  assert.deepEqual(b.guardedChanges(), []);
});
