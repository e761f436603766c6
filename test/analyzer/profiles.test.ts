/** Profiles from annotations, known agents' configuration and RBAC (the worst case), and the RBAC check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyzer/analyze.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { fleetOf } from './helpers.ts';

const SA = (ns: string, name: string, rules: string, binding: 'ClusterRoleBinding' | 'RoleBinding' = 'ClusterRoleBinding') => `apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${ns} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${binding === 'RoleBinding' ? 'Role' : 'ClusterRole'}
metadata:
  name: ${name}
  namespace: ${ns}
rules:
${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${binding}
metadata:
  name: ${name}
  namespace: ${ns}
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${binding === 'RoleBinding' ? 'Role' : 'ClusterRole'}, name: ${name} }
subjects:
  - { kind: ServiceAccount, name: ${name}, namespace: ${ns} }
`;
const READ_PODS = `  - apiGroups: [""]
    resources: ["pods", "namespaces", "nodes"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["replicasets"]
    verbs: ["get", "list", "watch"]`;
const DS = (ns: string, name: string, container: string, extra = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${ns}
${extra}spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      serviceAccountName: ${name}
      containers:
${container}`;
const cm = (ns: string, name: string, key: string, body: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ${ns} }
data:
  ${key}: |
${body.split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n')}
`;
const run = (text: string, nodes = 5000) => analyze(parseManifests(text, 'm.yaml'), fleetOf(nodes), { fleetName: 't' });
const calls = (text: string) => run(text).analysis.workloads.flatMap((w) => w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}`));

const otel = (processor: string, env = true) =>
  [
    SA('o', 'col', READ_PODS),
    cm('o', 'col', 'relay', `receivers:\n  otlp: { protocols: { grpc: {} } }\nprocessors:\n${processor}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    logs: { receivers: [otlp], processors: [k8sattributes], exporters: [debug] }`),
    DS('o', 'col', `        - name: c\n          image: otel/opentelemetry-collector-contrib:0.116.0\n${env ? '          env:\n            - name: K8S_NODE_NAME\n              valueFrom: { fieldRef: { fieldPath: spec.nodeName } }\n' : ''}          volumeMounts: [{ name: cfg, mountPath: /conf }]\n      volumes: [{ name: cfg, configMap: { name: col } }]\n`),
  ].join('---\n');

test('OpenTelemetry k8sattributes: node filter, namespace filter, passthrough, deployment_name_from_replicaset', () => {
  assert.deepEqual(calls(otel('  k8sattributes:\n    filter: { node_from_env_var: K8S_NODE_NAME }')), ['watch pods node', 'watch replicasets cluster']);
  assert.deepEqual(calls(otel('  k8sattributes:\n    filter: { node_from_env_var: K8S_NODE_NAME }\n    extract: { deployment_name_from_replicaset: true }')), ['watch pods node']);
  assert.deepEqual(calls(otel('  k8sattributes:\n    filter: { namespace: shop }\n    extract: { metadata: [k8s.pod.name] }')), ['watch pods namespace']);
  assert.deepEqual(calls(otel('  k8sattributes:\n    passthrough: true')), []);
  assert.deepEqual(calls(otel('  k8sattributes:\n    extract: { metadata: [k8s.pod.name], labels: [{ key: team, from: namespace }] }')), ['watch pods cluster', 'watch namespaces cluster']);
  // The filter names an env var the container does not define: no filter at all, and a located warning.
  const r = run(otel('  k8sattributes:\n    filter: { node_from_env_var: K8S_NODE_NAME }', false));
  assert.deepEqual(r.analysis.workloads[0]?.calls.map((c) => c.scope), ['cluster', 'cluster']);
  const note = r.analysis.findings.find((f) => f.rule === 'agent-config');
  assert.ok(note !== undefined && note.severity === 'warn' && note.line > 1);
});

test('OpenTelemetry: a processor in no pipeline makes no call', () => {
  const text = otel('  k8sattributes/unused: {}\n  k8sattributes: { filter: { node_from_env_var: K8S_NODE_NAME }, extract: { metadata: [k8s.pod.name] } }');
  assert.deepEqual(calls(text), ['watch pods node']);
});

const fb = (filter: string) =>
  [
    SA('l', 'fb', READ_PODS),
    cm('l', 'fb', 'fluent-bit.conf', `[INPUT]\n    Name tail\n    Tag kube.*\n\n[FILTER]\n    Name kubernetes\n    Match kube.*\n${filter}\n[OUTPUT]\n    Name stdout\n    Match *`),
    DS('l', 'fb', `        - name: fluent-bit\n          image: cr.fluentbit.io/fluent/fluent-bit:3.2.2\n          volumeMounts: [{ name: cfg, mountPath: /fluent-bit/etc }]\n      volumes: [{ name: cfg, configMap: { name: fb } }]\n`),
  ].join('---\n');

test('Fluent Bit kubernetes filter: API server GETs per pod unless Use_Kubelet or Use_Tag_For_Meta; TTL re-fetches', () => {
  const api = run(fb('    Merge_Log On'));
  const c = api.analysis.workloads[0]?.calls ?? [];
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource}`), ['get pods']);
  assert.equal(c[0]?.line, 36, 'located at the [FILTER] section in the ConfigMap');
  assert.deepEqual(calls(fb('    Use_Kubelet On')), []);
  assert.deepEqual(calls(fb('    use_kubelet true')), []);
  assert.deepEqual(calls(fb('    Use_Tag_For_Meta On')), []);
  assert.deepEqual(calls(fb('    Use_Kubelet On\n    Namespace_Labels On')), ['get namespaces cluster']);
  const ttl = run(fb('    Kube_Meta_Cache_TTL 60s')).analysis.workloads[0]?.calls[0]?.periodSeconds ?? 0;
  const noTtl = api.analysis.workloads[0]?.calls[0]?.periodSeconds ?? 0;
  assert.ok(ttl < noTtl / 5, `a 60 s cache TTL re-fetches much more often: ${ttl} vs ${noTtl}`);
});

const prom = (sd: string, kind = 'DaemonSet') =>
  [
    SA('m', 'prom', READ_PODS + '\n  - apiGroups: [""]\n    resources: ["services", "endpoints"]\n    verbs: ["get", "list", "watch"]'),
    cm('m', 'prom', 'prometheus.yml', `scrape_configs:\n  - job_name: j\n    kubernetes_sd_configs:\n${sd}`),
    (kind === 'DaemonSet' ? DS : (ns: string, name: string, c: string) => DS(ns, name, c).replace('kind: DaemonSet', 'kind: Deployment'))(
      'm',
      'prom',
      `        - name: prometheus\n          image: quay.io/prometheus/prometheus:v3.1.0\n          env: [{ name: NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]\n          volumeMounts: [{ name: cfg, mountPath: /etc/prometheus }]\n      volumes: [{ name: cfg, configMap: { name: prom } }]\n`,
    ),
  ].join('---\n');

test('Prometheus kubernetes_sd_configs: roles, namespaces, node field selector', () => {
  assert.deepEqual(calls(prom('      - role: pod')), ['watch pods cluster']);
  assert.deepEqual(calls(prom('      - role: endpoints')), ['watch endpoints cluster', 'watch services cluster', 'watch pods cluster']);
  assert.deepEqual(calls(prom('      - role: pod\n        namespaces: { own_namespace: true }')), ['watch pods namespace']);
  assert.deepEqual(calls(prom('      - role: pod\n        namespaces: { names: [a, b] }')), ['watch pods namespace', 'watch pods namespace']);
  assert.deepEqual(calls(prom('      - role: pod\n        selectors: [{ role: pod, field: "spec.nodeName=$(NODE_NAME)" }]')), ['watch pods node']);
  assert.deepEqual(calls(prom('      - role: pod\n      - role: pod')), ['watch pods cluster'], 'identical discovery configs share one informer');
  assert.equal(run(prom('      - role: pod')).analysis.verdict, 'block');
  assert.equal(run(prom('      - role: pod', 'Deployment')).analysis.verdict, 'ok');
});

test('RBAC worst case: the scope of the binding decides, subresources and named objects are not collections', () => {
  const cluster = [SA('p', 'x', '  - apiGroups: [""]\n    resources: ["pods", "pods/log"]\n    verbs: ["list", "watch"]'), DS('p', 'x', '        - { name: c, image: busybox }\n')].join('---\n');
  assert.deepEqual(calls(cluster), ['watch pods cluster']);
  const ns = [SA('p', 'x', '  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["list"]', 'RoleBinding'), DS('p', 'x', '        - { name: c, image: busybox }\n')].join('---\n');
  assert.deepEqual(calls(ns), ['list pods namespace'], 'list without watch: polling, in the RoleBinding\'s namespace');
  const named = [SA('p', 'x', '  - apiGroups: [""]\n    resources: ["configmaps"]\n    resourceNames: ["leader"]\n    verbs: ["get", "list", "watch"]'), DS('p', 'x', '        - { name: c, image: busybox }\n')].join('---\n');
  assert.deepEqual(calls(named), []);
  const r = run(cluster);
  const note = r.analysis.findings.find((f) => f.rule === 'rbac-worst-case');
  assert.ok(note !== undefined && note.line === 12, `located at the rule's resource (line ${String(note?.line)})`);
  assert.equal(r.analysis.workloads[0]?.profileSource, 'rbac');
});

test('RBAC: aggregated ClusterRoles and group subjects grant too', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: agg }
aggregationRule:
  clusterRoleSelectors: [{ matchLabels: { agg: "true" } }]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: part, labels: { agg: "true" } }
rules: [{ apiGroups: [""], resources: [nodes], verbs: [list, watch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: all-sa }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg }
subjects: [{ kind: Group, name: "system:serviceaccounts:p", apiGroup: rbac.authorization.k8s.io }]
---
${DS('p', 'x', '        - { name: c, image: busybox }\n')}`;
  assert.deepEqual(calls(text), ['watch nodes cluster']);
});

test('missing RBAC is a located finding (and the workload is still analysed)', () => {
  const text = DS('p', 'x', '        - { name: c, image: busybox }\n', '  annotations:\n    firebreak.dev/api-profile: |\n      - { verb: watch, resource: pods, scope: node }\n');
  const r = run(text);
  const f = r.analysis.findings.find((x) => x.rule === 'rbac-missing');
  assert.ok(f !== undefined);
  assert.equal(f.severity, 'warn');
  assert.equal(f.line, 14, 'at serviceAccountName');
  assert.match(f.message, /serviceaccount p\/x/);
  assert.equal(r.analysis.verdict, 'warn');
  const partial = [SA('p', 'x', '  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["list"]'), text].join('---\n');
  assert.match(run(partial).analysis.findings.find((x) => x.rule === 'rbac-missing')?.message ?? '', /list\+watch pods/);
});

test('the annotation wins over agent configuration, and its priorityLevel over the FlowSchema defaults', () => {
  const text = otel('  k8sattributes: {}').replace('kind: DaemonSet\nmetadata:\n  name: col\n  namespace: o\n', 'kind: DaemonSet\nmetadata:\n  name: col\n  namespace: o\n  annotations:\n    firebreak.dev/api-profile: |\n      calls: [{ verb: watch, resource: pods, scope: node }]\n      priorityLevel: workload-high\n');
  const r = run(text);
  assert.equal(r.analysis.workloads[0]?.profileSource, 'annotation');
  assert.equal(r.analysis.workloads[0]?.priorityLevel, 'workload-high');
  assert.deepEqual(calls(text), ['watch pods node']);
});

test('default FlowSchemas: kube-system service accounts land in workload-high, others in workload-low', () => {
  const mk = (ns: string) => [SA(ns, 'x', '  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["list", "watch"]'), DS(ns, 'x', '        - { name: c, image: busybox }\n')].join('---\n');
  assert.equal(run(mk('kube-system')).analysis.workloads[0]?.priorityLevel, 'workload-high');
  assert.equal(run(mk('apps')).analysis.workloads[0]?.priorityLevel, 'workload-low');
});

test('Calico: calico-node without Typha watches the cluster itself; with Typha it does not', () => {
  const node = (typha: string) => [SA('kube-system', 'calico-node', '  - apiGroups: [""]\n    resources: ["nodes"]\n    verbs: ["get"]'), DS('kube-system', 'calico-node', `        - name: calico-node\n          image: docker.io/calico/node:v3.29.1\n          env:\n            - { name: DATASTORE_TYPE, value: kubernetes }\n${typha}`)].join('---\n');
  assert.deepEqual(calls(node('            - { name: FELIX_TYPHAK8SSERVICENAME, value: calico-typha }\n')), ['get nodes cluster']);
  assert.ok(calls(node('')).includes('watch pods cluster'));
});
