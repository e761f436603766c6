/**
 * The logging agents' readers (src/analyzer/agents/vector.ts, promtail.ts,
 * alloy.ts, filebeat.ts, fluentd.ts): the calls each derives from its
 * project's real manifests (test/fixtures/manifests), located at the setting
 * that causes them; one setting changed flips the verdict for the mechanism's
 * reason; the unsafe ones turn block where a cluster-wide pod informer per
 * node does; and variants not in the corpus (other file formats, a Secret
 * instead of a ConfigMap, env vars from a ConfigMap, other versions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { analyze, type CallReport } from '../../src/analyzer/analyze.ts';
import { AlloySyntaxError, evalExpr, parseAlloy } from '../../src/analyzer/agents/alloy-syntax.ts';
import { parseToml, TomlError } from '../../src/analyzer/agents/toml.ts';
import { promtailVersion } from '../../src/analyzer/agents/promtail.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { CORPUS, fleetOf } from './helpers.ts';

const fixture = (f: string): string => readFileSync(`${CORPUS}/${f}`, 'utf8');
const run = (text: string, ...nodes: number[]) => analyze(parseManifests(text, 'm.yaml'), fleetOf(...(nodes.length > 0 ? nodes : [5000])), { fleetName: 't' }).analysis;
const calls = (text: string): CallReport[] => run(text).workloads.flatMap((w) => w.calls);
const brief = (text: string): string[] => calls(text).map((c) => `${c.verb} ${c.resource} ${c.scope}`);
const lineAt = (text: string, line: number): string => text.split('\n')[line - 1] ?? '';
/** Replace exactly one occurrence (the test fails if the fixture changed under it). */
function edit(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  assert.ok(i >= 0 && text.indexOf(from, i + 1) < 0, `exactly one ${JSON.stringify(from)}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** A DaemonSet whose only call is one cluster-wide pod informer, at a priority level: the reference for the unsafe fixtures. */
function podInformerReference(ns: string): number | null {
  const text = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ref
  namespace: ${ns}
  annotations:
    firebreak.dev/api-profile: |
      - { verb: watch, resource: pods, scope: cluster }
spec:
  selector: { matchLabels: { app: ref } }
  template:
    metadata: { labels: { app: ref } }
    spec:
      containers: [{ name: c, image: busybox }]
`;
  return run(text, 100).fleet.turn.blockAboveNodes;
}
const REF_LOW = podInformerReference('logging');
const REF_HIGH = podInformerReference('kube-system');

function turnsLikeReference(file: string, ref: number | null, text = fixture(file)): void {
  const t = run(text, 100).fleet.turn;
  assert.ok(ref !== null && t.blockAboveNodes !== null, `${file} turns block`);
  // The pod lists dominate: within 15 % of one cluster-wide pod informer per node (other lists share its APF seats).
  assert.ok(Math.abs(t.blockAboveNodes - ref) <= ref * 0.15, `${file} turns block above ${t.blockAboveNodes} nodes, the reference pod informer at ${ref}`);
  assert.ok(t.blockAboveNodes >= 2500 && t.blockAboveNodes <= 4000, `${t.blockAboveNodes}`);
}

// ── Vector ───────────────────────────────────────────────────────────────

test('Vector chart agent: its node\'s pods, every namespace and its node, listed from etcd in pages of 500 (use_apiserver_cache off)', () => {
  const text = fixture('vector-agent-default.yaml');
  const a = run(text);
  const c = a.workloads[0]?.calls ?? [];
  assert.deepEqual(c.map((x) => [x.verb, x.resource, x.scope, x.resourceVersion, x.pageSize]), [
    ['watch', 'pods', 'node', 'consistent', 500],
    ['watch', 'namespaces', 'cluster', 'consistent', 500],
    ['watch', 'nodes', 'node', 'consistent', 500],
  ]);
  for (const x of c) assert.match(lineAt(text, x.line), /type: kubernetes_logs/, 'located at the source');
  assert.deepEqual(a.workloads[0]?.agents, ['vector']);
  const w = a.findings.filter((f) => f.severity === 'warn');
  assert.equal(w.length, 1);
  assert.equal(w[0]?.rule, 'agent-config');
  assert.match(w[0]?.message ?? '', /quorum read from etcd of every pod/);
  assert.match(w[0]?.fix ?? '', /use_apiserver_cache: true/);
  // The estimate itself stays below the thresholds at every size (pages of 500 hold little memory): documented limitation.
  assert.equal(a.workloads[0]?.turn.warnAtNodes, null);
});

test('Vector: use_apiserver_cache lists from the watch cache, and the warning goes (warn → ok)', () => {
  const text = fixture('vector-agent-apiserver-cache.yaml');
  const a = run(text);
  assert.deepEqual(a.workloads[0]?.calls.map((x) => [x.resource, x.scope, x.resourceVersion, x.pageSize]), [
    ['pods', 'node', '0', 0],
    ['namespaces', 'cluster', '0', 0],
    ['nodes', 'node', '0', 0],
  ]);
  assert.equal(a.verdict, 'ok');
  assert.match(lineAt(text, a.workloads[0]?.calls[0]?.line ?? 0), /use_apiserver_cache: true/);
  // The same file with the setting false is the default again: warn.
  assert.equal(run(edit(text, '        use_apiserver_cache: true', '        use_apiserver_cache: false')).verdict, 'warn');
  // insert_namespace_fields: false drops the namespace watcher.
  const noNs = edit(text, '        use_apiserver_cache: true', '        use_apiserver_cache: true\n        insert_namespace_fields: false');
  assert.deepEqual(brief(noNs), ['watch pods node', 'watch nodes node']);
});

test('Vector: without VECTOR_SELF_NODE_NAME the source cannot start (a located warning, no watcher)', () => {
  const text = fixture('vector-agent-apiserver-cache.yaml');
  const noEnv = edit(text, `            - name: VECTOR_SELF_NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
`, '');
  const a = run(noEnv);
  assert.deepEqual(a.workloads[0]?.calls, []);
  const f = a.findings.find((x) => x.rule === 'agent-config');
  assert.ok(f !== undefined && f.severity === 'warn' && /fails to start/.test(f.message));
});

test('Vector variant: a TOML configuration in a Secret (several sources, one of them kubernetes_logs)', () => {
  const toml = `data_dir = "/vector-data-dir"

[sources.host]
type = "host_metrics"

[sources.k8s]
type = "kubernetes_logs"
use_apiserver_cache = true # served from the watch cache
extra_label_selector = "app!=noisy"

[sources.k8s_kube_system]
type = "kubernetes_logs"
extra_namespace_label_selector = "kubernetes.io/metadata.name=kube-system"

[sinks.out]
type = "console"
inputs = ["k8s", "k8s_kube_system"]
encoding.codec = "json"
`;
  const text = [
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: vector, namespace: obs }',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: vector }\nrules:\n  - { apiGroups: [""], resources: [namespaces, nodes, pods], verbs: [list, watch] }',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: vector }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: vector }\nsubjects: [{ kind: ServiceAccount, name: vector, namespace: obs }]',
    `apiVersion: v1\nkind: Secret\nmetadata: { name: vector, namespace: obs }\nstringData:\n  vector.toml: |\n${toml.split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n')}`,
    'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: vector, namespace: obs }\nspec:\n  selector: { matchLabels: { app: v } }\n  template:\n    metadata: { labels: { app: v } }\n    spec:\n      serviceAccountName: vector\n      containers:\n        - name: vector\n          image: timberio/vector:0.40.1-debian\n          args: [--config-dir, /etc/vector/]\n          env: [{ name: VECTOR_SELF_NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]\n          volumeMounts: [{ name: config, mountPath: /etc/vector }]\n      volumes: [{ name: config, secret: { secretName: vector } }]',
  ].join('\n---\n');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.resource} ${x.scope} ${x.resourceVersion}`), ['pods node 0', 'namespaces cluster 0', 'nodes node 0', 'pods node consistent', 'namespaces cluster consistent', 'nodes node consistent']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /use_apiserver_cache = true/);
  assert.match(lineAt(text, c[3]?.line ?? 0), /\[sources\.k8s_kube_system\]/);
  const a = run(text);
  assert.equal(a.verdict, 'warn', 'the second source lists from etcd');
  assert.equal(a.findings.filter((f) => f.rule === 'agent-config' && f.severity === 'warn').length, 1);
});

// ── Promtail ─────────────────────────────────────────────────────────────

test('Promtail chart (3.5.1): pod discovery on its own node, added by Promtail itself; config read from the Secret', () => {
  const text = fixture('promtail-chart-default.yaml');
  const a = run(text);
  const c = a.workloads[0]?.calls ?? [];
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope} ${x.resourceVersion}`), ['watch pods node 0']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /- role: pod/);
  assert.match(c[0]?.because ?? '', /Promtail adds the field selector spec\.nodeName/);
  assert.deepEqual(a.workloads[0]?.agents, ['promtail'], 'the Prometheus reader does not take Promtail\'s scrape_configs');
  assert.equal(a.verdict, 'ok');
});

test('Promtail 2.2 (chart 3.6): five identical pod discoveries, one cluster-wide informer per node; block where a pod informer per node turns', () => {
  const text = fixture('promtail-2.2-chart-3.6.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods cluster']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /- role: pod/);
  assert.equal(run(text).verdict, 'block');
  turnsLikeReference('promtail-2.2-chart-3.6.yaml', REF_LOW);
  // The same chart with Promtail 2.3.0, which added the node filter: ok.
  const v23 = edit(text, 'grafana/promtail:2.2.1', 'grafana/promtail:2.3.0');
  assert.deepEqual(brief(v23), ['watch pods node']);
  assert.equal(run(v23).verdict, 'ok');
  const blocking = run(text).findings.find((f) => f.severity === 'block');
  assert.match(blocking?.fix ?? '', /upgrade Promtail/);
});

test('Promtail variant: pod selectors by version — replaced (2.3–2.6), lost (2.7–3.3, grafana/loki#14267), appended (3.4+); config in a ConfigMap', () => {
  const base = fixture('promtail-chart-default.yaml')
    .replace('stringData:\n  promtail.yaml', 'data:\n  promtail.yaml')
    .replace('kind: Secret', 'kind: ConfigMap')
    .replace('          secret:\n            secretName: promtail', '          configMap:\n            name: promtail');
  const withSel = edit(base, '          - role: pod\n', '          - role: pod\n            selectors:\n              - role: pod\n                label: app.kubernetes.io/part-of=shop\n');
  const at = (v: string) => withSel.replace('grafana/promtail:3.5.1', `grafana/promtail:${v}`);
  assert.deepEqual(brief(at('3.5.1')), ['watch pods node']);
  assert.deepEqual(brief(at('2.5.0')), ['watch pods node']);
  assert.deepEqual(brief(at('2.9.3')), ['watch pods cluster']);
  const bug = run(at('2.9.3'));
  const w = bug.findings.find((f) => f.rule === 'agent-config' && f.severity === 'warn');
  assert.ok(w !== undefined && /grafana\/loki#14267/.test(w.message) && /selectors:/.test(lineAt(withSel, w.line - 1)), 'located at the selectors');
  assert.equal(bug.verdict, 'block');
  // An unversioned tag: as configured, with a note (not a warning: the version is not known).
  const latest = run(at('latest'));
  assert.deepEqual(latest.workloads[0]?.calls.map((x) => x.scope), ['cluster']);
  assert.ok(latest.findings.some((f) => f.rule === 'agent-config' && f.severity === 'note' && /version not in the image tag/.test(f.message)));
  // Without selectors, the ConfigMap variant is node-scoped like the chart.
  assert.deepEqual(brief(base), ['watch pods node']);
  assert.deepEqual(promtailVersion('docker.io/grafana/promtail:v2.8.1'), [2, 8, 1]);
  assert.equal(promtailVersion('grafana/promtail@sha256:abc'), undefined);
});

test('Promtail: without HOSTNAME its node filter uses the pod\'s hostname — still one node\'s worth (cheap), with a note that no logs are tailed', () => {
  const text = edit(fixture('promtail-chart-default.yaml'), `          env:
            - name: HOSTNAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
`, '');
  const a = run(text);
  assert.deepEqual(a.workloads[0]?.calls.map((x) => x.scope), ['node']);
  assert.ok(a.findings.some((f) => f.severity === 'note' && /does not set HOSTNAME/.test(f.message)));
  assert.equal(a.verdict, 'ok');
});

// ── Grafana Alloy ────────────────────────────────────────────────────────

test('Alloy chart default: six discovery.kubernetes components, each with its own cluster-wide informers on every node; block', () => {
  const text = fixture('alloy-chart-default.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.resource} ${x.scope}`), [
    'pods cluster', 'nodes cluster', 'services cluster',
    'endpoints cluster', 'services cluster', 'pods cluster',
    'endpointslices cluster', 'services cluster', 'pods cluster',
    'ingresses cluster',
  ]);
  for (const x of c) assert.match(lineAt(text, x.line), /role = "/, 'located at the component\'s role');
  const a = run(text);
  assert.equal(a.verdict, 'block');
  turnsLikeReference('alloy-chart-default.yaml', REF_LOW);
  assert.match(a.findings.find((f) => f.severity === 'block')?.fix ?? '', /spec\.nodeName=" \+ sys\.env\("HOSTNAME"\)/);
});

test('Alloy (k8s-monitoring): a declared component instantiated once, discovery filtered to the node; removing the selector blocks', () => {
  const text = fixture('alloy-k8s-monitoring-pod-logs.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods node']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /selectors \{/);
  assert.equal(run(text).verdict, 'ok');
  const noSel = edit(text, `        selectors {
          role = "pod"
          field = "spec.nodeName=" + sys.env("HOSTNAME")
        }
`, '');
  assert.deepEqual(brief(noSel), ['watch pods cluster']);
  assert.equal(run(noSel).verdict, 'block');
  // Not instantiated: the declared components do not run.
  const unused = edit(text, '    pod_logs "feature" {', '    // pod_logs "feature" {\n    other_thing "x" {');
  const u = run(unused);
  assert.deepEqual(u.workloads[0]?.calls, []);
  assert.ok(u.findings.some((f) => /declared but never used/.test(f.message)));
  // Two instantiations: two sets of informers.
  const twice = edit(text, '    pod_logs "feature" {', '    pod_logs "again" {\n      logs_destinations = []\n    }\n    pod_logs "feature" {');
  assert.deepEqual(brief(twice), ['watch pods node', 'watch pods node']);
});

test('Alloy variant: HOSTNAME not from the downward API — sys.env falls back to the pod hostname (selects no pod, a note); an unevaluable selector is estimated without it', () => {
  const text = fixture('alloy-k8s-monitoring-pod-logs.yaml');
  const noEnv = edit(text, `            - name: HOSTNAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
`, '');
  const a = run(noEnv);
  assert.deepEqual(a.workloads[0]?.calls.map((x) => x.scope), ['node']);
  assert.ok(a.findings.some((f) => f.severity === 'note' && /pod's hostname/.test(f.message)));
  const weird = edit(text, '          field = "spec.nodeName=" + sys.env("HOSTNAME")', '          field = discovery.other.x.value');
  const w = run(weird);
  assert.deepEqual(w.workloads[0]?.calls.map((x) => x.scope), ['cluster']);
  assert.ok(w.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /could not be evaluated/.test(f.message)));
});

const alloyManifest = (config: string, kind: 'DaemonSet' | 'Deployment', args = '[run, /etc/alloy/config.alloy]'): string =>
  [
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: alloy, namespace: obs }',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: alloy }\nrules:\n  - { apiGroups: [""], resources: [pods, pods/log, namespaces, nodes, events, configmaps], verbs: [get, list, watch] }\n  - { apiGroups: [monitoring.grafana.com], resources: [podlogs], verbs: [get, list, watch] }',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: alloy }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: alloy }\nsubjects: [{ kind: ServiceAccount, name: alloy, namespace: obs }]',
    `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: alloy, namespace: obs }\ndata:\n  config.alloy: |\n${config.split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n')}`,
    `apiVersion: apps/v1\nkind: ${kind}\nmetadata: { name: alloy, namespace: obs }\nspec:\n${kind === 'Deployment' ? '  replicas: 3\n' : ''}  selector: { matchLabels: { app: a } }\n  template:\n    metadata: { labels: { app: a } }\n    spec:\n      serviceAccountName: alloy\n      containers:\n        - name: alloy\n          image: grafana/alloy:v1.9.0\n          args: ${args}\n          env: [{ name: HOSTNAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]\n          volumeMounts: [{ name: config, mountPath: /etc/alloy }]\n      volumes: [{ name: config, configMap: { name: alloy } }]`,
  ].join('\n---\n');

test('Alloy variant: loki.source.kubernetes tails through the API server — per-node GETs when discovery is node-scoped, a warning (not estimable) when it is the whole cluster', () => {
  const nodeScoped = `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
  }
}
discovery.relabel "keep" {
  targets = discovery.kubernetes.pods.targets
}
loki.source.kubernetes "pods" {
  targets    = discovery.relabel.keep.output
  forward_to = [loki.write.default.receiver]
}
loki.write "default" {
  endpoint { url = "http://loki/loki/api/v1/push" }
}`;
  const a = run(alloyManifest(nodeScoped, 'DaemonSet'));
  const c = a.workloads[0]?.calls ?? [];
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods node', 'get pods/log namespace', 'get pods namespace']);
  assert.equal(c[1]?.periodSeconds, 120, '30 streams re-opened every hour');
  assert.ok(a.findings.some((f) => f.severity === 'warn' && /long-running GET pods\/log/.test(f.message)));
  // Whole-cluster discovery on a clustered Deployment: the streams per instance grow with the cluster; warned, not estimated.
  const clusterWide = nodeScoped.replace(/ {2}selectors \{[^}]*\}\n/, '').replace('forward_to = [loki.write.default.receiver]', 'forward_to = [loki.write.default.receiver]\n  clustering { enabled = true }');
  const d = run(alloyManifest(clusterWide, 'Deployment', '[run, /etc/alloy/config.alloy, --cluster.enabled=true]'));
  assert.deepEqual(d.workloads[0]?.calls.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods cluster']);
  const warn = d.findings.find((f) => f.severity === 'warn' && /pods\/log/.test(f.message));
  assert.ok(warn !== undefined && /split between the clustered instances/.test(warn.message));
  // The component asks for clustering but the process is not clustered: a note.
  const notClustered = run(alloyManifest(clusterWide, 'Deployment'));
  assert.ok(notClustered.findings.some((f) => f.severity === 'note' && /--cluster\.enabled=true/.test(f.message)));
});

test('Alloy variant: loki.source.podlogs watches every pod even with node_filter; kubernetes_events behind clustering is one client per cluster; remote.kubernetes polls', () => {
  const cfg = `loki.source.podlogs "default" {
  forward_to = []
  node_filter {
    enabled   = true
    node_name = sys.env("HOSTNAME")
  }
}
loki.source.kubernetes_events "events" {
  forward_to = []
  clustering {
    enabled = true
  }
}
remote.kubernetes.configmap "settings" {
  namespace      = "obs"
  name           = "settings"
  poll_frequency = "30s"
}
unknown.kubernetes.thing "x" {
}`;
  const a = run(alloyManifest(cfg, 'DaemonSet', '[run, /etc/alloy/config.alloy, --cluster.enabled=true]'));
  const c = a.workloads[0]?.calls ?? [];
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}${x.leaderOnly === true ? ' leader' : ''}`), [
    'watch pods cluster', 'watch namespaces cluster', 'watch podlogs cluster',
    'get pods/log namespace', 'get pods namespace',
    'watch events cluster leader',
    'get configmaps namespace',
  ]);
  assert.equal(c.find((x) => x.resource === 'configmaps')?.periodSeconds, 30);
  assert.ok(a.findings.some((f) => f.severity === 'warn' && /unknown\.kubernetes\.thing/.test(f.message)), 'an unmodelled Kubernetes component is a warning, never silently ok');
  assert.equal(a.verdict, 'block', 'a cluster-wide pod informer per node');
});

test('Alloy syntax: blocks, labels, attributes, comments, multi-line expressions; errors are located', () => {
  const f = parseAlloy(`// comment
logging { level = "info" }
discovery.kubernetes "pods" {
  role = "pod" /* inline */
  selectors {
    role  = "pod"
    field = "spec.nodeName=" +
      sys.env("HOSTNAME")
  }
  namespaces { names = ["a",
    "b"] }
}
`);
  assert.deepEqual(f.blocks.map((b) => [b.name, b.label]), [['logging', undefined], ['discovery.kubernetes', 'pods']]);
  const sel = f.blocks[1]?.blocks[0];
  const env = { env: (n: string) => (n === 'HOSTNAME' ? '${HOSTNAME}' : undefined) };
  assert.equal(evalExpr(sel?.attrs.get('field')?.expr ?? [], env), 'spec.nodeName=${HOSTNAME}');
  assert.deepEqual(evalExpr(f.blocks[1]?.blocks[1]?.attrs.get('names')?.expr ?? [], env), ['a', 'b']);
  assert.equal(evalExpr(parseAlloy('x = coalesce(sys.env("NOPE"), "d")').attrs.get('x')?.expr ?? [], env), 'd');
  assert.deepEqual(evalExpr(parseAlloy('x = a.b.c.targets').attrs.get('x')?.expr ?? [], env), { ref: 'a.b.c.targets' });
  assert.throws(() => parseAlloy('a "b" {\n  c = "unterminated\n}'), (e: unknown) => e instanceof AlloySyntaxError && e.offset > 0);
  assert.throws(() => parseAlloy('a "b" {'), AlloySyntaxError);
});

test('Alloy syntax (property): any text either parses or fails with a located AlloySyntaxError, and rendered blocks read back', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parseAlloy(s);
      } catch (e) {
        assert.ok(e instanceof AlloySyntaxError && e.offset >= 0 && e.offset <= s.length, String(e));
      }
    }),
    { numRuns: 500 },
  );
  const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  const value = fc.string({ maxLength: 12 }).filter((x) => !/[\n"\\]/.test(x));
  fc.assert(
    fc.property(fc.array(fc.record({ name: fc.array(ident, { minLength: 1, maxLength: 3 }), label: fc.option(value, { nil: undefined }), attrs: fc.dictionary(ident, value, { maxKeys: 4 }) }), { maxLength: 5 }), (blocks) => {
      const text = blocks.map((b) => `${b.name.join('.')}${b.label !== undefined ? ` "${b.label}"` : ''} {\n${Object.entries(b.attrs).map(([k, v]) => `  ${k} = "${v}"`).join('\n')}\n}`).join('\n');
      const f = parseAlloy(text);
      assert.deepEqual(f.blocks.map((b) => [b.name, b.label, Object.fromEntries([...b.attrs].map(([k, a]) => [k, evalExpr(a.expr, { env: () => undefined })]))]), blocks.map((b) => [b.name.join('.'), b.label, Object.fromEntries(Object.entries(b.attrs))]));
    }),
    { numRuns: 200 },
  );
});

// ── Filebeat ─────────────────────────────────────────────────────────────

test('Filebeat (Elastic\'s manifest): its node\'s pods, its Node, every namespace — from the add_kubernetes_metadata processor', () => {
  const text = fixture('filebeat-kubernetes.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope} ${x.resourceVersion}`), ['watch pods node 0', 'watch nodes node 0', 'watch namespaces cluster 0']);
  for (const x of c) assert.match(lineAt(text, x.line), /host: \$\{NODE_NAME\}/, 'located at the add_kubernetes_metadata processor (its first setting)');
  assert.equal(run(text).verdict, 'ok');
});

test('Filebeat scope: cluster on the DaemonSet: every pod and node from every node; block like a pod informer per node', () => {
  const text = fixture('filebeat-scope-cluster.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.resource} ${x.scope}`), ['pods cluster', 'nodes cluster', 'namespaces cluster']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /scope: cluster/);
  turnsLikeReference('filebeat-scope-cluster.yaml', REF_HIGH);
  const a = run(text);
  assert.match(a.findings.find((f) => f.severity === 'block')?.fix ?? '', /scope: node/);
  // Back to the default scope: ok.
  assert.equal(run(edit(text, '              scope: cluster\n', '')).verdict, 'ok');
});

test('Filebeat add_resource_metadata: deployment and cronjob watch ReplicaSets and Jobs cluster-wide; node/namespace can be disabled', () => {
  const text = edit(fixture('filebeat-kubernetes.yaml'), '              host: ${NODE_NAME}\n', `              host: \${NODE_NAME}
              add_resource_metadata:
                namespace:
                  enabled: false
                deployment: true
                cronjob: true
`);
  assert.deepEqual(brief(text), ['watch pods node', 'watch nodes node', 'watch replicasets cluster', 'watch jobs cluster']);
  const dotted = edit(fixture('filebeat-kubernetes.yaml'), '              host: ${NODE_NAME}\n', '              host: ${NODE_NAME}\n              add_resource_metadata.node.enabled: false\n');
  assert.deepEqual(brief(dotted), ['watch pods node', 'watch namespaces cluster']);
});

test('Filebeat variant: kubernetes autodiscover — node-scoped pod provider (nested keys), and a unique provider that only contends for the lease', () => {
  const base = fixture('filebeat-kubernetes.yaml');
  const start = base.indexOf('    filebeat.inputs:');
  const end = base.indexOf('    # To enable hints based autodiscover');
  const hints = `    filebeat:
      autodiscover:
        providers:
          - type: kubernetes
            node: \${NODE_NAME}
            hints.enabled: true
            hints.default_config:
              type: filestream
              id: kubernetes-container-logs-\${data.kubernetes.pod.name}-\${data.kubernetes.container.id}
              paths:
              - /var/log/containers/*-\${data.kubernetes.container.id}.log
          - type: kubernetes
            scope: cluster
            unique: true
            templates:
              - config:
                  - type: kubernetes_events
`;
  const text = base.slice(0, start) + hints + base.slice(end);
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}${x.leaderOnly === true ? ' leader' : ''}${x.periodSeconds !== null ? ` ${x.periodSeconds}s` : ''}`), [
    'watch pods node', 'watch nodes node', 'watch namespaces cluster',
    'get leases namespace 2s', 'update leases namespace leader 2s',
  ]);
  assert.match(lineAt(text, c[3]?.line ?? 0), /unique: true/);
  assert.equal(run(text).verdict, 'ok');
});

test('Filebeat under hostNetwork with neither node nor NODE_NAME: the node is found by a LIST of every node at start (a note)', () => {
  const text = edit(edit(fixture('filebeat-kubernetes.yaml'), '              host: ${NODE_NAME}\n', ''), `        - name: NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
`, '');
  const a = run(text);
  assert.ok(a.findings.some((f) => f.severity === 'note' && /machine-id/.test(f.message)));
  assert.deepEqual(a.workloads[0]?.calls.map((x) => x.scope), ['node', 'node', 'cluster']);
});

// ── Fluentd ──────────────────────────────────────────────────────────────

test('Fluentd (fluentd-kubernetes-daemonset image): its node\'s pods by K8S_NODE_NAME, every namespace, cache-miss GETs', () => {
  const text = fixture('fluentd-daemonset-elasticsearch.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope} ${x.resourceVersion}`), ['watch pods node 0', 'watch namespaces cluster 0', 'get pods namespace 0', 'get namespaces cluster 0']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /K8S_NODE_NAME/);
  assert.match(lineAt(text, c[1]?.line ?? 0), /image: fluent\/fluentd-kubernetes-daemonset/, 'the built-in configuration is located at the image');
  // 30 containers per node, each re-fetched every cache_ttl (3600 s) and once per new pod (the model's churn, 1/600 s).
  assert.ok(Math.abs((c[2]?.periodSeconds ?? 0) - 1 / (30 * (1 / 600 + 1 / 3600))) < 0.01, String(c[2]?.periodSeconds));
  assert.equal(run(text).verdict, 'ok');
});

test('Fluentd without K8S_NODE_NAME (the project\'s manifest before 2022): every pod from every node; block like a pod informer per node', () => {
  const text = fixture('fluentd-daemonset-no-node-name.yaml');
  assert.deepEqual(brief(text).slice(0, 2), ['watch pods cluster', 'watch namespaces cluster']);
  const a = run(text);
  const w = a.findings.find((f) => f.rule === 'agent-config');
  assert.ok(w !== undefined && w.severity === 'warn' && /K8S_NODE_NAME/.test(w.message));
  assert.match(a.findings.find((f) => f.severity === 'block')?.fix ?? '', /K8S_NODE_NAME/);
  turnsLikeReference('fluentd-daemonset-no-node-name.yaml', REF_HIGH);
  // The image's env switches: no watch (GETs remain), no namespace metadata.
  const envs = edit(text, '          - name:  FLUENT_ELASTICSEARCH_HOST', '          - name: FLUENT_KUBERNETES_WATCH\n            value: "false"\n          - name: FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA\n            value: "true"\n          - name:  FLUENT_ELASTICSEARCH_HOST');
  assert.deepEqual(brief(envs), ['get pods namespace']);
  assert.equal(run(envs).verdict, 'ok');
});

test('Fluentd variant: a mounted fluent.conf @including the filter, with a "#{ENV[…] || …}" value from a ConfigMap-sourced env var', () => {
  const conf = `@include kubernetes.conf
<match **>
  @type stdout
</match>`;
  const k8s = `<filter kubernetes.**>
  @type kubernetes_metadata # enrich
  watch "#{ENV['WATCH_PODS'] || 'true'}"
  cache_ttl 600
</filter>`;
  const ind = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');
  const text = (watch: string) =>
    [
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: fluentd, namespace: logging }',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: fluentd }\nrules:\n  - { apiGroups: [""], resources: [pods, namespaces], verbs: [get, list, watch] }',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: fluentd }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fluentd }\nsubjects: [{ kind: ServiceAccount, name: fluentd, namespace: logging }]',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fluentd-conf, namespace: logging }\ndata:\n  fluent.conf: |\n${ind(conf)}\n  kubernetes.conf: |\n${ind(k8s)}`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fluentd-env, namespace: logging }\ndata:\n  watch: "${watch}"`,
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: fluentd, namespace: logging }\nspec:\n  selector: { matchLabels: { app: f } }\n  template:\n    metadata: { labels: { app: f } }\n    spec:\n      serviceAccountName: fluentd\n      containers:\n        - name: fluentd\n          image: fluent/fluentd:v1.17-1\n          env:\n            - { name: K8S_NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }\n            - { name: WATCH_PODS, valueFrom: { configMapKeyRef: { name: fluentd-env, key: watch } } }\n          volumeMounts: [{ name: conf, mountPath: /fluentd/etc }]\n      volumes: [{ name: conf, configMap: { name: fluentd-conf } }]',
    ].join('\n---\n');
  const on = calls(text('true'));
  assert.deepEqual(on.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods node', 'watch namespaces cluster', 'get pods namespace', 'get namespaces cluster']);
  assert.match(lineAt(text('true'), on[0]?.line ?? 0), /K8S_NODE_NAME/);
  assert.match(lineAt(text('true'), on[2]?.line ?? 0), /cache_ttl 600/);
  assert.ok(Math.abs((on[2]?.periodSeconds ?? 0) - 1 / (30 * (1 / 600 + 1 / 600))) < 0.01);
  assert.deepEqual(brief(text('false')), ['get pods namespace', 'get namespaces cluster'], 'the ConfigMap turns the watch off');
});

test('TOML reader: tables, dotted and quoted keys, strings, arrays, inline tables; errors are located', () => {
  const src = `# c
title = "x" # trailing
[a.b]
n = 1_000
"q.k" = 'lit'
arr = [1, 2,
  3]
inline = { x = true, y.z = "w" }
[[items]]
name = "one"
[[items]]
name = """two
lines"""
`;
  const t = parseToml(src);
  assert.deepEqual(t.value, { title: 'x', a: { b: { n: 1000, 'q.k': 'lit', arr: [1, 2, 3], inline: { x: true, y: { z: 'w' } } } }, items: [{ name: 'one' }, { name: 'two\nlines' }] });
  assert.equal(t.offsets.get('a.b.n'), src.indexOf('n = 1_000'));
  assert.equal(t.offsets.get('items.1.name'), src.indexOf('name = """'));
  assert.throws(() => parseToml('a = "x"\na = "y"'), (e: unknown) => e instanceof TomlError && e.offset > 0);
  assert.throws(() => parseToml('[a\nb = 1'), TomlError);
});

// ── Grafana Beyla (tracing) ──────────────────────────────────────────────

test('Beyla chart default: every pod, node and service from every node; block like a pod informer per node', () => {
  const text = fixture('beyla-chart-default.yaml');
  const c = calls(text);
  assert.deepEqual(c.map((x) => `${x.verb} ${x.resource} ${x.scope}`), ['watch pods cluster', 'watch nodes cluster', 'watch services cluster']);
  assert.match(lineAt(text, c[0]?.line ?? 0), /enable: true/, 'located at attributes.kubernetes.enable');
  turnsLikeReference('beyla-chart-default.yaml', REF_LOW);
  assert.match(run(text).findings.find((f) => f.severity === 'block')?.fix ?? '', /beyla-k8s-cache/);
});

test('Beyla with its k8s-cache: the agents make no call, the cache Deployment watches once for the cluster (fan-out); ok', () => {
  const text = fixture('beyla-k8s-cache.yaml');
  const a = run(text);
  const ds = a.workloads.find((w) => w.kind === 'DaemonSet');
  const cache = a.workloads.find((w) => w.kind === 'Deployment');
  assert.deepEqual(ds?.calls, []);
  assert.deepEqual(ds?.agents, ['beyla']);
  assert.deepEqual(cache?.calls.map((x) => `${x.resource} ${x.scope}`), ['pods cluster', 'nodes cluster', 'services cluster']);
  assert.equal(cache?.clients, 1);
  assert.equal(a.verdict, 'ok');
  // Without the cache address the same DaemonSet watches the cluster itself again.
  assert.equal(run(edit(text, '            - name: BEYLA_KUBE_META_CACHE_ADDRESS\n              value: beyla-k8s-cache:50055\n', '')).verdict, 'block');
});

test('Beyla variant: OBI env names override the file — restricted to the node (services stay cluster-wide), informers disabled, metadata off', () => {
  const text = fixture('beyla-chart-default.yaml');
  const withEnv = (env: string) => edit(text, '              value: "/etc/beyla/config/beyla-config.yml"\n', `              value: "/etc/beyla/config/beyla-config.yml"\n${env}`);
  const local = withEnv('            - name: OTEL_EBPF_KUBE_META_RESTRICT_LOCAL_NODE\n              value: "true"\n');
  const c = calls(local);
  assert.deepEqual(c.map((x) => `${x.resource} ${x.scope}`), ['pods node', 'nodes node', 'services cluster']);
  assert.match(lineAt(local, c[0]?.line ?? 0), /OTEL_EBPF_KUBE_META_RESTRICT_LOCAL_NODE/);
  assert.equal(run(local).verdict, 'ok');
  assert.deepEqual(brief(withEnv('            - name: BEYLA_KUBE_DISABLE_INFORMERS\n              value: "node,service"\n')), ['watch pods cluster']);
  assert.deepEqual(calls(withEnv('            - name: BEYLA_KUBE_METADATA_ENABLE\n              value: "false"\n')), []);
});
