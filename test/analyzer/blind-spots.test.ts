/**
 * The analyzer never calls what it cannot see "ok" (issue #9): a workload whose
 * API use the input does not show gets a located profile-unknown finding (warn,
 * block with --strict) instead of "no API calls"; the roles every cluster
 * bootstraps are known; a fallback to the RBAC worst case is labelled as an
 * assumption, with fixes that apply; leader-elected receivers and Calico
 * without Typha are understood for what they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles, CORPUS, fleetOf } from './helpers.ts';
import type { Finding } from '../../src/analyzer/types.ts';

const BLIND = `${CORPUS}/blind`;
const at5000 = (file: string, strict = false) => analyzeFiles([file], fleetOf(5000), 'test', { strict }).analysis;
const rule = (fs: readonly Finding[], r: string): Finding[] => fs.filter((f) => f.rule === r);
const show = (fs: readonly Finding[]): string => fs.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}: ${f.message}\n  fix: ${f.fix}`).join('\n');

// ---------------------------------------------------------------------------------------------
// What the input does not show

test('a DaemonSet whose RBAC is not in the input: profile-unknown at its serviceAccountName, never "no API calls"', () => {
  const a = at5000(`${BLIND}/antrea-agent-without-rbac.yaml`);
  const w = a.workloads[0];
  assert.equal(w?.profileSource, 'unknown');
  const [f, ...more] = rule(a.findings, 'profile-unknown');
  assert.ok(f !== undefined && more.length === 0, show(a.findings));
  assert.equal(f.severity, 'warn');
  assert.equal(f.line, 20, 'at serviceAccountName: antrea-agent');
  assert.match(f.message, /serviceaccount kube-system\/antrea-agent is not in the input and no RoleBinding or ClusterRoleBinding of the input names it/);
  assert.match(f.message, /its image names Antrea/);
  assert.match(f.fix, /include the ServiceAccount kube-system\/antrea-agent with its \(Cluster\)Role and binding/);
  assert.match(f.fix, /firebreak\.dev\/api-profile/);
  assert.equal(a.verdict, 'warn');
  // --strict: the same finding blocks.
  const strict = at5000(`${BLIND}/antrea-agent-without-rbac.yaml`, true);
  assert.equal(rule(strict.findings, 'profile-unknown')[0]?.severity, 'block');
  assert.equal(strict.verdict, 'block');
});

test('an agent a reader understands, without its RBAC in the input: its calls are known, and the missing RBAC is a warning', () => {
  const a = at5000(`${BLIND}/kube-proxy-without-rbac.yaml`);
  const w = a.workloads[0];
  assert.equal(w?.profileSource, 'agent-config');
  assert.ok((w?.calls.length ?? 0) > 0);
  const f = rule(a.findings, 'rbac-missing')[0];
  assert.ok(f !== undefined, show(a.findings));
  assert.equal(f.severity, 'warn');
  assert.equal(f.line, 67, 'at serviceAccountName: kube-proxy (after the compact sequences of tolerations and containers)');
  assert.match(f.message, /the ServiceAccount itself is not in the input/);
  assert.equal(a.verdict, 'warn');
});

test('a binding to a ClusterRole that is not in the input (and not a bootstrap role): profile-unknown at the roleRef', () => {
  const a = at5000(`${BLIND}/binding-to-missing-clusterrole.yaml`);
  const f = rule(a.findings, 'profile-unknown')[0];
  assert.ok(f !== undefined, show(a.findings));
  assert.equal(f.line, 18, 'at roleRef.name');
  assert.match(f.message, /ClusterRoleBinding node-inventory-reader grants ClusterRole node-inventory-reader, which is neither in the input nor one of the roles every Kubernetes cluster bootstraps/);
  assert.match(f.message, /estimated as making no API calls, which is not known/);
  assert.match(f.fix, /include ClusterRole node-inventory-reader in the input/);
  assert.equal(a.workloads[0]?.profileSource, 'unknown');
  assert.equal(a.verdict, 'warn');
});

test('an aggregated ClusterRole whose selectors match nothing: its grants are unknown', () => {
  const a = at5000(`${BLIND}/aggregated-selects-nothing.yaml`);
  const f = rule(a.findings, 'profile-unknown')[0];
  assert.ok(f !== undefined, show(a.findings));
  assert.match(f.message, /aggregated ClusterRole whose aggregationRule \(platform\.example\.com\/aggregate-to-inventory=true\) selects no ClusterRole/);
});

test('the default service account: a DaemonSet without a binding is profile-unknown, a plain Deployment stays quiet', () => {
  const a = at5000(`${BLIND}/default-service-account.yaml`);
  const byId = new Map(a.workloads.map((w) => [w.workload, w]));
  assert.equal(byId.get('DaemonSet ops/log-forwarder')?.profileSource, 'unknown');
  assert.equal(byId.get('Deployment shop/web')?.profileSource, 'none');
  assert.deepEqual(a.findings.map((f) => [f.rule, f.workload]), [['profile-unknown', 'DaemonSet ops/log-forwarder']], show(a.findings));
  assert.match(a.findings[0]?.fix ?? '', /automountServiceAccountToken: false/);
});

test('determined to make no API calls: no token, or a ServiceAccount the input ships unbound (a note for DaemonSets) — no warning', () => {
  const a = at5000(`${BLIND}/determined-none.yaml`);
  assert.equal(a.verdict, 'ok', show(a.findings));
  assert.deepEqual(a.findings.filter((f) => f.severity !== 'note'), []);
  assert.deepEqual(a.workloads.map((w) => w.profileSource), ['none', 'none']);
  const note = rule(a.findings, 'rbac-worst-case')[0];
  assert.ok(note !== undefined && note.workload === 'DaemonSet monitoring/node-exporter');
  assert.match(note.message, /is in the input and no binding of the input names it, so it is taken to make no API calls \(an assumption/);
  assert.equal(a.findings.filter((f) => f.workload === 'DaemonSet ops/disk-cleaner').length, 0, 'automountServiceAccountToken: false: no calls, nothing to say');
});

test("a known agent whose configuration is not in the input: profile-unknown, and the RBAC estimate is labelled an upper bound", () => {
  const a = at5000(`${BLIND}/otel-agent-config-missing.yaml`);
  const f = rule(a.findings, 'profile-unknown')[0];
  assert.ok(f !== undefined, show(a.findings));
  assert.match(f.message, /container opentelemetry-collector runs otel-collector .* whose configuration would be in ConfigMap observability\/otel-agent-agent, which is not in the input/);
  assert.match(f.message, /an upper bound, not what it was seen to do/);
  assert.match(f.fix, /include ConfigMap observability\/otel-agent-agent/);
  assert.deepEqual(rule(a.findings, 'config-not-found'), [], 'said once, as profile-unknown');
  for (const x of a.findings.filter((y) => y.rule.startsWith('apiserver-'))) assert.match(x.message, /^Assumed, not seen: /);
});

test('Calico: FELIX_TYPHAK8SSERVICENAME from a ConfigMap that is not in the input is profile-unknown, estimated without Typha', () => {
  const a = at5000(`${BLIND}/calico-config-missing.yaml`);
  const f = rule(a.findings, 'profile-unknown')[0];
  assert.ok(f !== undefined, show(a.findings));
  assert.match(f.message, /FELIX_TYPHAK8SSERVICENAME from ConfigMap kube-system\/calico-config key typha_service_name, which is not in the input/);
  assert.match(f.fix, /include ConfigMap kube-system\/calico-config/);
  assert.equal(a.verdict, 'block', 'without the setting, no Typha is assumed (the worst case)');
  assert.equal(at5000(`${BLIND}/calico-config-missing.yaml`, true).findings.find((x) => x.rule === 'profile-unknown')?.severity, 'block');
});

test('the safe corpus has no profile-unknown finding (every fixture carries its RBAC)', () => {
  for (const file of ['otel-agent-node-filter.yaml', 'fluent-bit-api-server.yaml', 'prometheus-server.yaml', 'calico-typha.yaml', 'kube-state-metrics.yaml', 'datadog-cluster-agent.yaml', 'node-problem-detector.yaml', 'kube-proxy.yaml', 'otel-cluster-metrics-leader-elected.yaml']) {
    const a = at5000(`${CORPUS}/${file}`, true);
    assert.deepEqual(rule(a.findings, 'profile-unknown'), [], `${file}:\n${show(a.findings)}`);
    assert.equal(a.verdict, 'ok', file);
  }
});

// ---------------------------------------------------------------------------------------------
// The bootstrap roles

test('a reader-less DaemonSet bound to system:node-proxier (a bootstrap role, not in the input): its rules are known, the worst case follows them', () => {
  const a = at5000(`${BLIND}/bootstrap-role-no-reader.yaml`);
  const w = a.workloads[0];
  assert.equal(w?.profileSource, 'rbac');
  assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}`), ['watch endpoints cluster', 'watch endpointslices cluster', 'watch nodes cluster', 'watch services cluster']);
  // Located at the binding that grants the bootstrap role (it has no place in the input).
  assert.ok(w.calls.every((c) => c.line === 23), w.calls.map((c) => c.line).join(','));
  assert.deepEqual(rule(a.findings, 'profile-unknown'), []);
});

test('kube-proxy (a reader) bound to system:node-proxier: the bootstrap role grants every call the reader derives', () => {
  const a = at5000(`${CORPUS}/kube-proxy.yaml`);
  assert.equal(a.workloads[0]?.profileSource, 'agent-config');
  assert.deepEqual(rule(a.findings, 'rbac-missing'), [], show(a.findings));
  assert.deepEqual(rule(a.findings, 'profile-unknown'), []);
});

test('bootstrap roles: view/edit/admin aggregate their system:aggregate-to-* rules; system:kube-dns; a controller role', async () => {
  const { analyze } = await import('../../src/analyzer/analyze.ts');
  const { parseManifests } = await import('../../src/input/manifests.ts');
  const bound = (role: string) => `apiVersion: v1
kind: ServiceAccount
metadata: { name: x, namespace: p }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: x }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}" }
subjects: [{ kind: ServiceAccount, name: x, namespace: p }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: x, namespace: p }
spec:
  selector: { matchLabels: { app: x } }
  template:
    metadata: { labels: { app: x } }
    spec:
      serviceAccountName: x
      containers: [{ name: c, image: registry.example.com/x:1 }]
`;
  const resources = (role: string): string[] => {
    const r = analyze(parseManifests(bound(role), 'm.yaml'), fleetOf(100), { fleetName: 't' });
    assert.deepEqual(r.analysis.findings.filter((f) => f.rule === 'profile-unknown'), [], role);
    return (r.analysis.workloads[0]?.calls ?? []).map((c) => c.resource);
  };
  const view = resources('view');
  for (const res of ['pods', 'configmaps', 'deployments', 'endpointslices', 'namespaces']) assert.ok(view.includes(res), `view lists ${res}`);
  assert.ok(!view.includes('secrets'), 'view does not read secrets');
  const edit = resources('edit');
  assert.ok(edit.includes('secrets') && edit.includes('pods'), 'edit = view + system:aggregate-to-edit (secrets)');
  assert.ok(resources('admin').includes('roles'), 'admin = edit + system:aggregate-to-admin (roles)');
  assert.deepEqual(resources('system:kube-dns'), ['endpoints', 'services']);
  assert.ok(resources('system:controller:endpointslice-controller').includes('endpointslices'));
  assert.deepEqual(resources('system:discovery'), [], 'non-resource URLs only: nothing to list');
});

// ---------------------------------------------------------------------------------------------
// The RBAC worst case is an assumption, and says so

test('RBAC worst case: every finding says it is an assumption; fixes only state the calls or narrow the RBAC', () => {
  const a = at5000(`${CORPUS}/rbac-only-node-inventory.yaml`);
  const costly = a.findings.filter((f) => f.severity !== 'note');
  assert.ok(costly.length >= 1);
  for (const f of costly) {
    assert.match(f.message, /^Assumed, not seen: the agent's configuration is not understood; assumed the worst its RBAC allows/);
    assert.match(f.message, /Cause: assumed from RBAC, not seen in its configuration/);
    assert.match(f.fix, /firebreak\.dev\/api-profile annotation/);
    assert.match(f.fix, /narrow its RBAC/);
    assert.doesNotMatch(f.fix, /fieldSelector|field selector|kubelet|k8sattributes|Typha|Cluster Agent|watch-list|stagger/, f.fix);
  }
  const note = rule(a.findings, 'rbac-worst-case')[0];
  assert.match(note?.message ?? '', /the agent's configuration is not understood; assumed the worst its RBAC allows/);
});

test('an image of a well-known agent no reader recognised is named (Antrea)', () => {
  const a = at5000(`${BLIND}/antrea-agent-no-reader.yaml`);
  const notes = rule(a.findings, 'rbac-worst-case').map((f) => f.message);
  assert.ok(notes.some((m) => /its image names Antrea \(antrea\/antrea-agent-ubuntu:v2\.2\.0\), which the analyzer has no reader for/.test(m)), notes.join('\n'));
  assert.equal(a.workloads[0]?.profileSource, 'rbac');
});

// ---------------------------------------------------------------------------------------------
// Leader-elected receivers, and Calico without Typha

test('OpenTelemetry k8s_cluster behind k8s_leader_elector: one client per cluster, the election counted on every collector; ok at 5,000 nodes', () => {
  const a = at5000(`${CORPUS}/otel-cluster-metrics-leader-elected.yaml`);
  const calls = a.workloads[0]?.calls ?? [];
  const cluster = calls.filter((c) => c.name.startsWith('k8s_cluster-'));
  assert.equal(cluster.length, 12);
  assert.ok(cluster.every((c) => c.leaderOnly === true), 'the receiver runs in the leader only');
  assert.match(cluster[0]?.because ?? '', /only the collector holding Lease default\/k8s\.cluster\.receiver\.opentelemetry\.io/);
  const get = calls.find((c) => c.name === 'k8s_leader_elector/k8s_cluster-lease-get');
  const renew = calls.find((c) => c.name === 'k8s_leader_elector/k8s_cluster-lease-renew');
  assert.deepEqual([get?.verb, get?.resource, get?.periodSeconds, get?.leaderOnly], ['get', 'leases', 2, undefined], 'every candidate, every retry_period (2 s)');
  assert.deepEqual([renew?.verb, renew?.periodSeconds, renew?.leaderOnly], ['update', 2, true]);
  assert.equal(a.verdict, 'ok', show(a.findings));
});

test('OpenTelemetry k8s_cluster on every node (no leader election): block, and the fix is one collector per cluster — never k8sattributes', () => {
  const a = at5000(`${CORPUS}/otel-cluster-metrics-no-leader.yaml`);
  assert.equal(a.verdict, 'block');
  assert.ok((a.workloads[0]?.calls ?? []).every((c) => c.leaderOnly === undefined));
  const costly = a.findings.filter((f) => f.severity !== 'note');
  assert.ok(costly.length >= 1);
  for (const f of costly) {
    assert.doesNotMatch(f.fix, /k8sattributes/, f.fix);
    assert.match(f.fix, /run receiver k8s_cluster in one collector per cluster: put it behind the k8s_leader_elector extension/);
  }
});

test('a receiver naming a leader elector that is not enabled: an agent-config warning, and every collector counted', async () => {
  const { readFileSync } = await import('node:fs');
  const { analyze } = await import('../../src/analyzer/analyze.ts');
  const { parseManifests } = await import('../../src/input/manifests.ts');
  const text = readFileSync(`${CORPUS}/otel-cluster-metrics-leader-elected.yaml`, 'utf8').replace('      - k8s_leader_elector/k8s_cluster\n', '');
  const a = analyze(parseManifests(text, 'm.yaml'), fleetOf(5000), { fleetName: 't' }).analysis;
  const w = rule(a.findings, 'agent-config')[0];
  assert.match(w?.message ?? '', /receiver k8s_cluster names k8s_leader_elector k8s_leader_elector\/k8s_cluster, which is not an extension configured and enabled/);
  assert.equal(w?.severity, 'warn');
  assert.ok((a.workloads[0]?.calls ?? []).every((c) => c.leaderOnly === undefined));
  assert.equal(a.verdict, 'block');
});

test('Calico: FELIX_TYPHAK8SSERVICENAME set to `none` is said literally; the fix is Typha, not a field selector', () => {
  const a = at5000(`${CORPUS}/calico-node-without-typha.yaml`);
  const costly = a.findings.filter((f) => f.severity !== 'note');
  assert.ok(costly.length >= 1);
  for (const f of costly) {
    assert.match(f.message, /FELIX_TYPHAK8SSERVICENAME is set to `none` \(ConfigMap calico-config key typha_service_name\), which means no Typha/);
    assert.doesNotMatch(f.message, /is not set/);
    assert.match(f.fix, /^enable Typha: with the Tigera operator Typha always runs; with manifests, install calico-typha\.yaml/);
    assert.doesNotMatch(f.fix, /fieldSelector|field selector|spec\.nodeName/);
    assert.equal(f.line, 108, 'at the FELIX_TYPHAK8SSERVICENAME env entry');
  }
});
