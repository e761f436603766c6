/**
 * The twin's change of a workload written through the served API
 * (src/analyzer/live-change.ts): derived from the stored objects by the
 * analyzer's own code — the same ChangeSpec `analyze --simulate` runs from
 * the manifest files — with the annotation, a known agent's configuration,
 * or the RBAC worst case; and when the calls cannot be told, it says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { liveChange, type StoredObjects } from '../../src/analyzer/live-change.ts';
import { deriveProfiles, plannedWorkload } from '../../src/analyzer/analyze.ts';
import { simulationScenario } from '../../src/analyzer/simulate.ts';
import { readManifestPaths } from '../../src/input/manifests.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';

const RESOURCES: Record<string, [string, string]> = {
  ServiceAccount: ['', 'serviceaccounts'],
  ConfigMap: ['', 'configmaps'],
  Secret: ['', 'secrets'],
  Role: ['rbac.authorization.k8s.io', 'roles'],
  RoleBinding: ['rbac.authorization.k8s.io', 'rolebindings'],
  ClusterRole: ['rbac.authorization.k8s.io', 'clusterroles'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io', 'clusterrolebindings'],
  FlowSchema: ['flowcontrol.apiserver.k8s.io', 'flowschemas'],
  DaemonSet: ['apps', 'daemonsets'],
  Deployment: ['apps', 'deployments'],
};

/** A store of the objects of YAML documents, as the served API's machinery would hold them. */
class Store implements StoredObjects {
  readonly objects: Record<string, unknown>[] = [];
  constructor(text: string) {
    for (const d of parseAllDocuments(text)) {
      const v = d.toJS() as unknown;
      if (typeof v === 'object' && v !== null) this.objects.push(v as Record<string, unknown>);
    }
  }
  #of(apiGroup: string, resource: string): Record<string, unknown>[] {
    return this.objects.filter((o) => {
      const r = RESOURCES[o.kind as string];
      return r !== undefined && r[0] === apiGroup && r[1] === resource;
    });
  }
  list(apiGroup: string, resource: string, namespace?: string): Record<string, unknown>[] {
    return this.#of(apiGroup, resource).filter((o) => namespace === undefined || (o.metadata as { namespace?: string }).namespace === namespace);
  }
  get(apiGroup: string, resource: string, namespace: string | undefined, name: string): Record<string, unknown> | undefined {
    return this.list(apiGroup, resource, namespace).find((o) => (o.metadata as { name?: string }).name === name);
  }
  workload(kind: string): Record<string, unknown> {
    const w = this.objects.find((o) => o.kind === kind);
    assert.ok(w !== undefined);
    return w;
  }
}

const INCIDENT = 'test/fixtures/manifests/telemetry-agent-incident.yaml';

test("the incident's telemetry agent, stored through the API, becomes the change analyze --simulate runs from its manifests", () => {
  const store = new Store(readFileSync(INCIDENT, 'utf8'));
  const live = liveChange(store.workload('DaemonSet'), 'DaemonSet', store, DEFAULT_MODEL);
  assert.equal(live.source, 'annotation');
  assert.equal(live.derived, true);
  assert.deepEqual(live.why, []);
  // The same derivation from the files, as `analyze --simulate` does it.
  const docs = readManifestPaths([INCIDENT]);
  const d = deriveProfiles(docs, DEFAULT_MODEL, false);
  const p = d.profiles.find((x) => x.workload.kind === 'DaemonSet');
  assert.ok(p !== undefined);
  const pw = plannedWorkload(p);
  assert.ok(pw !== undefined);
  assert.deepEqual(live.change, simulationScenario(p, pw, []).change);
  assert.equal(live.change.kind, 'DaemonSet');
  assert.equal(live.change.priorityLevel, 'workload-low');
  assert.deepEqual(
    live.change.calls.map((c) => [c.name, c.verb, c.resource, c.scope, c.resourceVersion, c.periodS]),
    [
      ['list-pods', 'list', 'pods', 'cluster', 'consistent', 300],
      ['list-nodes', 'list', 'nodes', 'cluster', 'consistent', 300],
    ],
  );
});

test('a known agent is read from its ConfigMap in the store (Fluent Bit: per-pod GETs, not a LIST)', () => {
  const store = new Store(readFileSync('test/fixtures/manifests/fluent-bit-api-server.yaml', 'utf8'));
  const live = liveChange(store.workload('DaemonSet'), 'DaemonSet', store, DEFAULT_MODEL);
  assert.equal(live.source, 'agent-config');
  assert.equal(live.derived, true);
  assert.ok(live.change.calls.length > 0);
  assert.ok(live.change.calls.every((c) => c.verb !== 'list'), JSON.stringify(live.change.calls.map((c) => c.verb)));
  // Without its ConfigMap in the store the analyzer cannot tell: it says so.
  store.objects.splice(store.objects.findIndex((o) => o.kind === 'ConfigMap'), 1);
  const blind = liveChange(store.workload('DaemonSet'), 'DaemonSet', store, DEFAULT_MODEL);
  assert.equal(blind.derived, false);
  assert.ok(blind.why.some((w) => w.startsWith('profile-unknown:') && w.includes('ConfigMap')), blind.why.join('\n'));
});

const UNKNOWN_AGENT = (bound: boolean): string => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: mystery, namespace: ops }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: mystery }
rules:
  - { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }
${bound ? `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: mystery }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mystery }
subjects: [{ kind: ServiceAccount, name: mystery, namespace: ops }]` : ''}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: mystery, namespace: ops }
spec:
  selector: { matchLabels: { app: mystery } }
  template:
    metadata: { labels: { app: mystery } }
    spec:
      serviceAccountName: mystery
      containers: [{ name: agent, image: registry.example.com/mystery:1 }]
`;

test('an agent the analyzer does not know gets the worst its RBAC allows; without a visible binding it is not derived, and the change says why', () => {
  const bound = new Store(UNKNOWN_AGENT(true));
  const live = liveChange(bound.workload('DaemonSet'), 'DaemonSet', bound, DEFAULT_MODEL);
  assert.equal(live.source, 'rbac');
  assert.equal(live.derived, true);
  assert.deepEqual(live.change.calls.map((c) => [c.verb, c.resource, c.scope]), [['watch', 'pods', 'cluster']]);
  assert.equal(live.change.namespace, 'ops');
  assert.equal(live.change.serviceAccount, 'mystery');

  const unbound = new Store(UNKNOWN_AGENT(false).replace('kind: ServiceAccount\nmetadata: { name: mystery, namespace: ops }', 'kind: ConfigMap\nmetadata: { name: other, namespace: ops }'));
  const blind = liveChange(unbound.workload('DaemonSet'), 'DaemonSet', unbound, DEFAULT_MODEL);
  assert.equal(blind.derived, false);
  assert.equal(blind.source, 'unknown');
  assert.ok(blind.why.some((w) => w.includes('serviceaccount ops/mystery')), blind.why.join('\n'));
  assert.deepEqual(blind.change.calls, []);
});
