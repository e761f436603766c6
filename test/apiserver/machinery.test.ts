/**
 * The served API's machinery (src/apiserver) as a request → answer function
 * over a scripted backend: authentication, admission outcomes (429 with
 * Retry-After, 504, refusal), RBAC's 403 message, Status errors, metadata,
 * discovery, OpenAPI's fieldValidation check, Tables, watch from a
 * resourceVersion and 410 Gone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALICE, call, json, makeApi, pick } from './scripted-backend.ts';

const DS = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', ...extra },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } } },
});
const DS_PATH = '/apis/apps/v1/namespaces/default/daemonsets';

test('no token or an unknown one is 401, before the cluster is asked', () => {
  const { api, backend } = makeApi();
  assert.equal(json(api, { path: '/api/v1/nodes', token: undefined }).status, 401);
  const r = json(api, { path: '/api/v1/nodes', token: 'nope' });
  assert.equal(r.status, 401);
  assert.equal(pick(r.body, 'reason'), 'Unauthorized');
  assert.equal(backend.requests.length, 0);
  const h = call(api, { path: '/healthz', token: undefined });
  assert.equal(h.kind === 'response' ? `${h.status} ${typeof h.body === 'string' ? h.body : ''}` : h.kind, '200 ok', 'health is open, as system:public-info-viewer allows');
});

test('every request goes through the backend\'s admission with its cost; its answers become 429 + Retry-After, 504, refusal, or the latency', () => {
  const { api, backend } = makeApi(1200);
  const ok = json(api, { path: '/api/v1/nodes', query: 'limit=500' });
  assert.equal(ok.status, 200);
  assert.equal(ok.delayS, 0.01);
  const info = backend.requests.at(-1);
  assert.equal(info?.verb, 'list');
  assert.equal(info?.resource, 'nodes');
  assert.equal(info?.objects, 1200, 'a LIST scans every node');
  assert.ok((info?.bytes ?? 0) > 500 * 100, 'and returns 500 of them');

  const before = backend.requests.length;
  assert.equal(json(api, { path: '/apis/apps/v1/widgets' }).status, 404);
  assert.equal(json(api, { method: 'POST', path: '/api/v1/nodes/x' }).status, 405);
  assert.equal(backend.requests.length, before + 2, 'a bad path or method is admitted (and costed) too');

  backend.admission = { kind: 'reject', retryAfterS: 4, reason: 'saturated', level: 'workload-low' };
  const r = json(api, { path: '/api/v1/nodes' });
  assert.equal(r.status, 429);
  assert.equal(r.headers['Retry-After'], '4');
  assert.equal(pick(r.body, 'reason'), 'TooManyRequests');
  assert.equal(pick(r.body, 'details.retryAfterSeconds'), 4);

  backend.admission = { kind: 'timeout', afterS: 60, reason: 'slow', level: 'workload-low' };
  const t = call(api, { path: '/api/v1/nodes' });
  assert.equal(t.kind, 'timeout');
  assert.equal(t.kind === 'timeout' ? t.afterS : 0, 60);
  assert.equal(t.kind === 'timeout' ? (JSON.parse(t.body) as { code: number }).code : 0, 504);

  backend.admission = { kind: 'refuse', reason: 'no API server' };
  assert.equal(call(api, { path: '/version' }).kind, 'refuse');
});

test('RBAC: 403 names the missing permission as kube-apiserver does; a RoleBinding grants it', () => {
  const { api } = makeApi();
  const denied = json(api, { path: '/api/v1/namespaces/default/configmaps/x', token: ALICE });
  assert.equal(denied.status, 403);
  assert.equal(pick(denied.body, 'message'), 'configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"');
  const cluster = json(api, { path: '/api/v1/nodes', token: ALICE });
  assert.equal(pick(cluster.body, 'message'), 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  const rb = json(api, { method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }] } });
  assert.equal(rb.status, 201);
  assert.equal(json(api, { path: '/api/v1/namespaces/default/configmaps', token: ALICE }).status, 200, 'the bootstrap view role allows listing configmaps');
  assert.equal(json(api, { path: '/api/v1/namespaces/kube-system/configmaps', token: ALICE }).status, 403, 'only in that namespace');
  assert.equal(json(api, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/x', token: ALICE }).status, 403, 'and only reading');
});

test('create, get, 404, 409 AlreadyExists, 422 Invalid, update with a stale resourceVersion is 409', () => {
  const { api, backend } = makeApi();
  const c = json(api, { method: 'POST', path: DS_PATH, body: DS('x:1') });
  assert.equal(c.status, 201);
  assert.equal(pick(c.body, 'metadata.generation'), 1);
  assert.match(String(pick(c.body, 'metadata.uid')), /^[0-9a-f-]{36}$/);
  assert.equal(pick(c.body, 'metadata.creationTimestamp'), '2024-01-01T01:00:00Z');
  assert.equal(pick(c.body, 'spec.updateStrategy.type'), 'RollingUpdate');
  assert.equal(pick(c.body, 'metadata.managedFields.0.manager'), 'unit-test');
  assert.deepEqual(backend.written, ['written daemonsets default/agent']);
  assert.equal(json(api, { method: 'POST', path: DS_PATH, body: DS('x:1') }).status, 409);
  const nf = json(api, { path: `${DS_PATH}/other` });
  assert.equal(nf.status, 404);
  assert.equal(pick(nf.body, 'message'), 'daemonsets.apps "other" not found');
  const bad = json(api, { method: 'POST', path: DS_PATH, body: { ...DS('x:1'), metadata: { name: 'Bad_Name' } } });
  assert.equal(bad.status, 422);
  assert.equal(pick(bad.body, 'reason'), 'Invalid');
  const mismatch = DS('x:1', { name: 'm' });
  (mismatch.spec.template.metadata.labels as Record<string, string>)['app'] = 'other';
  assert.equal(json(api, { method: 'POST', path: DS_PATH, body: mismatch }).status, 422);
  assert.equal(json(api, { method: 'POST', path: '/api/v1/namespaces/nope/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } }).status, 404, 'a namespace that does not exist');

  const live = json(api, { path: `${DS_PATH}/agent` }).body;
  const rv = String(pick(live, 'metadata.resourceVersion'));
  const up = json(api, { method: 'PUT', path: `${DS_PATH}/agent`, body: { ...DS('x:2'), metadata: { name: 'agent', namespace: 'default', resourceVersion: rv } } });
  assert.equal(up.status, 200);
  assert.equal(pick(up.body, 'metadata.generation'), 2);
  const stale = json(api, { method: 'PUT', path: `${DS_PATH}/agent`, body: { ...DS('x:3'), metadata: { name: 'agent', namespace: 'default', resourceVersion: rv } } });
  assert.equal(stale.status, 409);
  assert.match(String(pick(stale.body, 'message')), /the object has been modified/);
  assert.equal(json(api, { method: 'DELETE', path: `${DS_PATH}/agent` }).status, 200);
  assert.deepEqual(backend.written.at(-1), 'deleted daemonsets default/agent');
});

test('merge and strategic merge patches of labels and containers; node labels go to the backend', () => {
  const { api } = makeApi();
  json(api, { method: 'POST', path: DS_PATH, body: DS('x:1', { labels: { a: '1', b: '2' } }) });
  const m = json(api, { method: 'PATCH', path: `${DS_PATH}/agent`, contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: null, c: '3' } } } });
  assert.deepEqual(pick(m.body, 'metadata.labels'), { b: '2', c: '3' });
  const s = json(api, { method: 'PATCH', path: `${DS_PATH}/agent`, contentType: 'application/strategic-merge-patch+json', body: { spec: { template: { spec: { containers: [{ name: 'guard', image: 'g:1' }, { name: 'a', image: 'x:2' }] } } } } });
  assert.deepEqual((pick(s.body, 'spec.template.spec.containers') as { name: string; image: string }[]).map((c) => `${c.name}=${c.image}`), ['a=x:2', 'guard=g:1'], 'containers merged by name');
  const j = json(api, { method: 'PATCH', path: `${DS_PATH}/agent`, contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/metadata/annotations', value: { k: 'v' } }] });
  assert.deepEqual(pick(j.body, 'metadata.annotations'), { k: 'v' });
  const n = json(api, { method: 'PATCH', path: '/api/v1/nodes/unit-node-0003', contentType: 'application/merge-patch+json', body: { metadata: { labels: { 'rollout.firebreak.dev/agent': 'enabled' } } } });
  assert.equal(n.status, 200);
  const sel = json(api, { path: '/api/v1/nodes', query: 'labelSelector=rollout.firebreak.dev/agent%3Denabled' });
  assert.deepEqual((pick(sel.body, 'items') as unknown[]).map((x) => pick(x, 'metadata.name')), ['unit-node-0003']);
  assert.equal(json(api, { method: 'PATCH', path: `${DS_PATH}/agent`, contentType: 'text/plain', body: '{}' }).status, 415);
});

test('label and field selectors, and a bad selector is 400', () => {
  const { api } = makeApi(6);
  const names = (q: string): unknown[] => (pick(json(api, { path: '/api/v1/nodes', query: q }).body, 'items') as unknown[]).map((x) => pick(x, 'metadata.name'));
  assert.deepEqual(names('labelSelector=zone%3Da'), ['unit-node-0001', 'unit-node-0003', 'unit-node-0005']);
  assert.deepEqual(names('labelSelector=zone%20notin%20(a)'), ['unit-node-0002', 'unit-node-0004', 'unit-node-0006']);
  assert.deepEqual(names('labelSelector=!zone'), []);
  assert.deepEqual(names('fieldSelector=metadata.name%3Dunit-node-0004'), ['unit-node-0004']);
  assert.deepEqual(names('fieldSelector=metadata.name!%3Dunit-node-0004&labelSelector=zone%3Db'), ['unit-node-0002', 'unit-node-0006']);
  const bad = json(api, { path: '/api/v1/nodes', query: 'fieldSelector=spec.unschedulable%3Dtrue' });
  assert.equal(bad.status, 400);
  assert.match(String(pick(bad.body, 'message')), /field label not supported: spec.unschedulable/);
  assert.equal(json(api, { path: '/api/v1/nodes', query: 'labelSelector=a%3D%3D%3D' }).status, 400);
});

test('discovery: legacy documents, aggregated v2 when asked for it, and /openapi/v3 has what kubectl\'s fieldValidation check reads', () => {
  const { api } = makeApi();
  assert.deepEqual(pick(json(api, { path: '/api' }).body, 'versions'), ['v1']);
  const groups = (pick(json(api, { path: '/apis' }).body, 'groups') as unknown[]).map((g) => pick(g, 'name'));
  assert.deepEqual(groups, ['apps', 'rbac.authorization.k8s.io', 'flowcontrol.apiserver.k8s.io', 'coordination.k8s.io']);
  const agg = call(api, { path: '/apis', accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(agg.kind === 'response' ? agg.contentType : '', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const apps = json(api, { path: '/apis/apps/v1' });
  assert.ok((pick(apps.body, 'resources') as unknown[]).some((r) => pick(r, 'name') === 'daemonsets' && (pick(r, 'shortNames') as string[]).includes('ds')));
  const root = json(api, { path: '/openapi/v3' });
  const url = String(pick(root.body, 'paths.apis/apps/v1.serverRelativeURL'));
  const u = new URL(url, 'https://x');
  const doc = json(api, { path: u.pathname, query: u.search.slice(1) });
  const patch = pick(pick(doc.body, 'paths'), '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}');
  assert.deepEqual(pick(patch, 'patch.x-kubernetes-group-version-kind'), { group: 'apps', version: 'v1', kind: 'DaemonSet' });
  assert.ok((pick(patch, 'patch.parameters') as unknown[]).some((p) => pick(p, 'name') === 'fieldValidation'));
  assert.equal(pick(json(api, { path: '/version' }).body, 'gitVersion'), 'v1.31.4');
});

test('Table answers carry the columns kubectl prints', () => {
  const { api } = makeApi(3);
  const t = json(api, { path: '/api/v1/nodes', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  assert.equal(pick(t.body, 'kind'), 'Table');
  assert.deepEqual((pick(t.body, 'columnDefinitions') as unknown[]).filter((c) => pick(c, 'priority') === 0).map((c) => pick(c, 'name')), ['Name', 'Status', 'Roles', 'Age', 'Version']);
  assert.deepEqual(pick(t.body, 'rows.0.cells'), ['unit-node-0001', 'Ready', '<none>', '60m', 'v1.31.4', '<none>', '<none>', '<none>', '<none>', '<none>']);
  assert.equal(pick(t.body, 'rows.0.object.kind'), 'PartialObjectMetadata');
  const fs = json(api, { path: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/service-accounts', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.deepEqual((pick(fs.body, 'rows.0.cells') as unknown[]).slice(0, 4), ['service-accounts', 'workload-low', '9000', 'ByUser']);
});

test('watch: from a resourceVersion replays later events; from "0" sends ADDED for what exists; buffered until attached', () => {
  const { api } = makeApi();
  const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
  const first = json(api, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: cm('one', '1') });
  const rv = String(pick(first.body, 'metadata.resourceVersion'));
  json(api, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: cm('two', '2') });
  const w = call(api, { path: '/api/v1/namespaces/default/configmaps', query: `watch=1&resourceVersion=${rv}` });
  assert.equal(w.kind, 'watch');
  if (w.kind !== 'watch') return;
  const lines = [...w.stream.initial].map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(lines.map((e) => `${String(pick(e, 'type'))} ${String(pick(e, 'object.metadata.name'))}`), ['ADDED two']);
  const live: string[] = [];
  json(api, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/one' });
  w.stream.attach((l) => live.push(l));
  json(api, { method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/two', contentType: 'application/merge-patch+json', body: { data: { v: '3' } } });
  w.stream.close();
  json(api, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/two' });
  assert.deepEqual(live.map((l) => { const e = JSON.parse(l) as unknown; return `${String(pick(e, 'type'))} ${String(pick(e, 'object.metadata.name'))}`; }), ['DELETED one', 'MODIFIED two'], 'buffered until attached, none after close');

  const zero = call(api, { path: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', query: 'watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dexempt' });
  assert.equal(zero.kind === 'watch' ? [...zero.stream.initial].length : -1, 1);
});

test('a watch or continue token older than the kept history is 410 Gone', () => {
  const { api } = makeApi(10, 50);
  const first = json(api, { path: '/api/v1/nodes', query: 'limit=3' });
  const token = String(pick(first.body, 'metadata.continue'));
  const rv = String(pick(first.body, 'metadata.resourceVersion'));
  for (let i = 0; i < 120; i++) json(api, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } } });
  const w = json(api, { path: '/api/v1/namespaces/default/configmaps', query: `watch=1&resourceVersion=${rv}` });
  assert.equal(w.status, 410);
  assert.equal(pick(w.body, 'reason'), 'Expired');
  const c = json(api, { path: '/api/v1/nodes', query: `limit=3&continue=${encodeURIComponent(token)}` });
  assert.equal(c.status, 410);
  assert.equal(json(api, { path: '/api/v1/nodes', query: 'limit=3&continue=garbage' }).status, 400);
});
