/**
 * Metrics and security agents, each read from its own configuration: the
 * Datadog Agent and Cluster Agent, kube-state-metrics, Falco and its
 * k8s-metacollector, node-problem-detector and metrics-server. For each: the
 * calls derived from its corpus fixtures (verb, resource, scope, leader-only,
 * where located), a setting that flips the verdict for the mechanism's
 * reason, where the unsafe ones turn, and manifests the corpus does not hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { analyze, type AnalysisResult, type CallReport, type WorkloadReport } from '../../src/analyzer/analyze.ts';
import { ContainerSettings } from '../../src/analyzer/agents/container-settings.ts';
import { imageVersion } from '../../src/analyzer/agents/image-version.ts';
import { defaultResources } from '../../src/analyzer/agents/kube-state-metrics.ts';
import { YamlLines } from '../../src/analyzer/yaml-locate.ts';
import { collectObjects } from '../../src/analyzer/objects.ts';
import type { Problem } from '../../src/core/errors.ts';
import { readWorkload } from '../../src/analyzer/workloads.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { CORPUS, fleetOf } from './helpers.ts';

const fixture = (name: string): string => readFileSync(`${CORPUS}/${name}`, 'utf8');
const run = (text: string, ...nodes: number[]): AnalysisResult => analyze(parseManifests(text, 'm.yaml'), fleetOf(...(nodes.length > 0 ? nodes : [5000])), { fleetName: 't' });
const workload = (r: AnalysisResult, id: string): WorkloadReport => {
  const w = r.analysis.workloads.find((x) => x.workload === id);
  assert.ok(w !== undefined, `${id} in ${r.analysis.workloads.map((x) => x.workload).join(', ')}`);
  return w;
};
const call = (w: WorkloadReport, name: string): CallReport => {
  const c = w.calls.find((x) => x.name === name);
  assert.ok(c !== undefined, `${name} in ${w.calls.map((x) => x.name).join(', ')}`);
  return c;
};
/** 1-based line of the first line of `text` containing `needle` (after `from`). */
const lineOf = (text: string, needle: string, from = ''): number => {
  const start = from === '' ? 0 : text.indexOf(from);
  const i = text.indexOf(needle, Math.max(0, start));
  assert.ok(i >= 0, `${needle} in the text`);
  return text.slice(0, i).split('\n').length;
};
const swap = (text: string, from: string, to: string): string => {
  assert.ok(text.includes(from), `the text has ${JSON.stringify(from)}`);
  return text.replace(from, to);
};
const within = (x: number | null, lo: number, hi: number): boolean => x !== null && x >= lo && x <= hi;

// ---------------------------------------------------------------- Datadog

test('Datadog with the Cluster Agent: node agents make no call; the Cluster Agent watches each type once, most as leader', () => {
  const text = fixture('datadog-cluster-agent.yaml');
  const r = run(text);
  assert.equal(r.analysis.verdict, 'ok');
  const ds = workload(r, 'DaemonSet datadog/datadog');
  assert.equal(ds.profileSource, 'agent-config');
  assert.deepEqual(ds.agents, ['datadog-agent']);
  assert.deepEqual(ds.calls, [], 'DD_CLUSTER_AGENT_ENABLED: metadata comes from the Cluster Agent, pods from the kubelet');
  const dca = workload(r, 'Deployment datadog/datadog-cluster-agent');
  assert.deepEqual(dca.agents, ['datadog-cluster-agent']);
  // Leader election: every replica GETs the lock, only the leader renews it.
  const get = call(dca, 'datadog-cluster-agent-leader-get');
  assert.deepEqual([get.verb, get.resource, get.scope, get.periodSeconds, get.leaderOnly], ['get', 'configmaps', 'namespace', 15, undefined]);
  assert.equal(get.line, lineOf(text, '"true"', 'name: DD_LEADER_ELECTION\n'));
  assert.equal(call(dca, 'datadog-cluster-agent-leader-renew').leaderOnly, true);
  // The metadata controller serves every node agent: on every replica.
  const nodes = call(dca, 'datadog-cluster-agent-nodes');
  assert.deepEqual([nodes.verb, nodes.scope, nodes.leaderOnly], ['watch', 'cluster', undefined]);
  assert.equal(call(dca, 'datadog-cluster-agent-endpointslices').leaderOnly, undefined, 'DD_KUBERNETES_USE_ENDPOINT_SLICES: slices, for the metadata controller and cluster checks');
  // Leader-only: events, the orchestrator explorer, kubernetes_state_core (located in its conf.d file).
  assert.equal(call(dca, 'datadog-cluster-agent-events-resync').leaderOnly, true);
  const ksmCore = call(dca, 'datadog-cluster-agent-controllerrevisions');
  assert.equal(ksmCore.leaderOnly, true);
  assert.equal(ksmCore.line, lineOf(text, '- secrets', 'kubernetes_state_core.yaml.default'), 'located at its collectors list');
  const pods = call(dca, 'datadog-cluster-agent-pods');
  assert.deepEqual([pods.scope, pods.leaderOnly], ['cluster', true]);
  assert.ok(dca.calls.filter((c) => c.verb === 'watch').length >= 30);
});

test('Datadog without the Cluster Agent: every node agent lists the cluster; agents before 7.41 read etcd and warn', () => {
  const text = fixture('datadog-agent-without-cluster-agent.yaml');
  const r = run(text);
  assert.equal(r.analysis.verdict, 'ok', 'watch-cache lists stay below the thresholds at 5,000 nodes');
  const ds = workload(r, 'DaemonSet datadog-nodca/datadog-nodca');
  const mapper = call(ds, 'datadog-agent-metadata-mapper');
  assert.deepEqual([mapper.verb, mapper.resource, mapper.scope, mapper.resourceVersion, mapper.periodSeconds], ['list', 'endpointslices', 'cluster', '0', 60]);
  assert.equal(mapper.line, lineOf(text, 'image: "registry.datadoghq.com/agent:7.81.1"'), 'the chart sets no DD_CLUSTER_AGENT_ENABLED on the agent container: located at its image');
  assert.equal(call(ds, 'datadog-agent-leader-get').leaderOnly, undefined, 'every node agent is a candidate');
  for (const n of ['datadog-agent-leader-renew', 'datadog-agent-componentstatuses', 'datadog-agent-events-resync', 'datadog-agent-events-watch']) assert.equal(call(ds, n).leaderOnly, true, n);
  assert.ok(r.analysis.findings.some((f) => f.rule === 'agent-config' && /without the Cluster Agent/.test(f.message)));
  // It turns warn (APF seats) past ~6,700 nodes.
  assert.ok(within(run(text, 100).analysis.fleet.turn.warnAtNodes, 6000, 7500));

  // The same configuration on agent 7.40: the LIST is a quorum read from etcd (DataDog/datadog-agent#13906 came in 7.41).
  const old = run(text.replaceAll('agent:7.81.1', 'agent:7.40.1'));
  const oldMapper = call(workload(old, 'DaemonSet datadog-nodca/datadog-nodca'), 'datadog-agent-metadata-mapper');
  assert.equal(oldMapper.resourceVersion, 'consistent');
  assert.equal(old.analysis.verdict, 'warn');
  assert.ok(old.analysis.findings.some((f) => f.rule === 'etcd-read-bandwidth' && f.severity === 'warn' && /Cluster Agent/.test(f.fix)), 'the fix names the Cluster Agent');

  // Turning the Cluster Agent on takes every call away.
  const on = run(swap(text, '          - name: DD_LEADER_ELECTION\n', '          - name: DD_CLUSTER_AGENT_ENABLED\n            value: "true"\n          - name: DD_LEADER_ELECTION\n'));
  assert.deepEqual(workload(on, 'DaemonSet datadog-nodca/datadog-nodca').calls, []);
});

test('Datadog 7.40 without the Cluster Agent (#1870): etcd-bound lists from every node, warn from ~1,800 nodes', () => {
  const r = run(fixture('datadog-agent-7.40-without-cluster-agent.yaml'), 100);
  const turn = r.analysis.fleet.turn;
  assert.ok(within(turn.warnAtNodes, 1500, 2200), String(turn.warnAtNodes));
  assert.equal(turn.blockAtNodes, null, 'Endpoints lists are small: the API servers do not run out of memory');
  const at5000 = run(fixture('datadog-agent-7.40-without-cluster-agent.yaml'));
  assert.ok((at5000.analysis.clusters[0]?.ratios.etcd ?? 0) > 1, 'more than etcd\'s read bandwidth');
});

const ddAgent = (env: string, extra = '', image = 'gcr.io/datadoghq/agent:7.60.0') => `apiVersion: v1
kind: ServiceAccount
metadata: { name: dd, namespace: dd }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: dd }
rules:
  - apiGroups: ["", "discovery.k8s.io"]
    resources: ["endpoints", "endpointslices", "namespaces", "componentstatuses", "events"]
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "update", "create"]
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "update", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: dd }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: dd }
subjects: [{ kind: ServiceAccount, name: dd, namespace: dd }]
${extra}---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: dd, namespace: dd }
spec:
  selector: { matchLabels: { app: dd } }
  template:
    metadata: { labels: { app: dd } }
    spec:
      serviceAccountName: dd
      containers:
        - name: agent
          image: ${image}
${env}`;

test('Datadog variants: configuration from datadog.yaml, envFrom, configMapKeyRef; a mirrored image; sidecars', () => {
  const mapper = (r: AnalysisResult) => workload(r, 'DaemonSet dd/dd').calls.filter((c) => c.name === 'datadog-agent-metadata-mapper');
  // No setting at all: the agent's defaults (no Cluster Agent, metadata tags on).
  assert.equal(mapper(run(ddAgent(''))).length, 1);
  // datadog.yaml in a ConfigMap: cluster_agent.enabled true, located inside the ConfigMap.
  const yamlCm = `---
apiVersion: v1
kind: ConfigMap
metadata: { name: dd-yaml, namespace: dd }
data:
  datadog.yaml: |
    kubernetes_metadata_tag_update_freq: 30
    cluster_agent:
      enabled: false
`;
  const mounted = (body: string) => ddAgent('          volumeMounts: [{ name: cfg, mountPath: /etc/datadog-agent/datadog.yaml, subPath: datadog.yaml }]\n      volumes: [{ name: cfg, configMap: { name: dd-yaml } }]\n', body);
  const fromYaml = run(mounted(yamlCm));
  const m = mapper(fromYaml)[0];
  assert.equal(m?.periodSeconds, 30, 'kubernetes_metadata_tag_update_freq from datadog.yaml');
  assert.equal(m?.line, lineOf(mounted(yamlCm), 'enabled: false'), 'located at cluster_agent.enabled in the ConfigMap');
  assert.deepEqual(mapper(run(mounted(yamlCm.replace('enabled: false', 'enabled: true')))), []);
  // The environment wins over datadog.yaml.
  const envWins = ddAgent('          env: [{ name: DD_CLUSTER_AGENT_ENABLED, value: "true" }]\n          volumeMounts: [{ name: cfg, mountPath: /etc/datadog-agent/datadog.yaml, subPath: datadog.yaml }]\n      volumes: [{ name: cfg, configMap: { name: dd-yaml } }]\n', yamlCm);
  assert.deepEqual(mapper(run(envWins)), []);
  // envFrom a ConfigMap.
  const envFrom = ddAgent('          envFrom: [{ configMapRef: { name: dd-env } }]\n', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: dd-env, namespace: dd }\ndata:\n  DD_CLUSTER_AGENT_ENABLED: "true"\n');
  assert.deepEqual(mapper(run(envFrom)), []);
  assert.equal(mapper(run(envFrom.replace('DD_CLUSTER_AGENT_ENABLED: "true"', 'DD_CLUSTER_AGENT_ENABLED: "false"'))).length, 1);
  // configMapKeyRef: resolved when the ConfigMap is there; a located warning (and the default) when not.
  const keyRef = ddAgent('          env: [{ name: DD_CLUSTER_AGENT_ENABLED, valueFrom: { configMapKeyRef: { name: dd-flags, key: dca } } }]\n', '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: dd-flags, namespace: dd }\ndata: { dca: "true" }\n');
  assert.deepEqual(mapper(run(keyRef)), []);
  const missing = run(ddAgent('          env: [{ name: DD_CLUSTER_AGENT_ENABLED, valueFrom: { configMapKeyRef: { name: dd-flags, key: dca } } }]\n'));
  assert.equal(mapper(missing).length, 1);
  assert.ok(missing.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /dd-flags/.test(f.message)));
  // A mirrored image keeps the name "agent"; the DD_ environment says it is Datadog's.
  assert.equal(mapper(run(ddAgent('          env: [{ name: DD_API_KEY, value: x }]\n', '', 'registry.example.com/mirror/agent:7.60.0'))).length, 1);
  assert.equal(run(ddAgent('', '', 'registry.example.com/mirror/agent:7.60.0')).analysis.workloads[0]?.profileSource !== 'agent-config', true, 'an "agent" image without DD_ settings is not taken for Datadog');
  // Sidecars with the same image (trace-agent, process-agent) are not the core agent.
  const sidecar = ddAgent('          command: ["trace-agent", "-config=/etc/datadog-agent/datadog.yaml"]\n');
  assert.deepEqual(mapper(run(sidecar)), []);
  // kubelet_use_api_server is not modelled: a located warning.
  const api = run(ddAgent('          env: [{ name: DD_CLUSTER_AGENT_ENABLED, value: "true" }, { name: DD_KUBELET_USE_API_SERVER, value: "true" }]\n'));
  assert.ok(api.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /kubelet_use_api_server/.test(f.message)));
});

test('Datadog Cluster Agent variants: kubernetes_state_core on every replica with skip_leader_election; leader election off', () => {
  const text = fixture('datadog-cluster-agent.yaml');
  const skip = run(swap(text, '        annotations_as_tags:\n          {}\n', '        annotations_as_tags:\n          {}\n        skip_leader_election: true\n'));
  assert.equal(call(workload(skip, 'Deployment datadog/datadog-cluster-agent'), 'datadog-cluster-agent-controllerrevisions').leaderOnly, undefined);
  const dispatched = run(swap(text, '  kubernetes_state_core.yaml.default: |-\n', '  kubernetes_state_core.yaml.default: |-\n    cluster_check: true\n'));
  assert.ok(!workload(dispatched, 'Deployment datadog/datadog-cluster-agent').calls.some((c) => c.name === 'datadog-cluster-agent-controllerrevisions'), 'a cluster check runs on a runner, not on the Cluster Agent');
  assert.ok(dispatched.analysis.findings.some((f) => f.rule === 'agent-config' && /cluster check runner/.test(f.message)));
  const noLeader = run(swap(text, 'name: DD_LEADER_ELECTION\n            value: "true"', 'name: DD_LEADER_ELECTION\n            value: "false"'));
  const dca = workload(noLeader, 'Deployment datadog/datadog-cluster-agent');
  assert.ok(dca.calls.every((c) => c.leaderOnly === undefined), 'without an election every replica does everything');
  assert.ok(!dca.calls.some((c) => c.name.includes('leader')));
});

// ---------------------------------------------------------------- kube-state-metrics

test('kube-state-metrics standard (v2.14): the default resources of its version, one informer each, cluster-wide', () => {
  const text = fixture('kube-state-metrics.yaml');
  const r = run(text);
  const w = workload(r, 'Deployment monitoring/kube-state-metrics');
  assert.equal(w.profileSource, 'agent-config');
  assert.equal(w.calls.length, defaultResources('registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.14.0').length);
  assert.ok(w.calls.every((c) => c.verb === 'watch' && c.scope === 'cluster' && c.resourceVersion === '0'));
  assert.ok(w.calls.some((c) => c.resource === 'endpoints') && !w.calls.some((c) => c.resource === 'endpointslices'), 'v2.14 watched Endpoints');
  assert.equal(call(w, 'ksm-pods').line, lineOf(text, 'image: registry.k8s.io/kube-state-metrics'), 'no --resources: located at the image');
  assert.equal(r.analysis.verdict, 'ok');
  assert.deepEqual(defaultResources('x/kube-state-metrics:v2.18.0').includes('endpointslices'), true);
  assert.deepEqual(defaultResources('x/kube-state-metrics:v2.20.0').includes('validatingadmissionpolicies'), true);
  assert.deepEqual(defaultResources('x/kube-state-metrics:latest'), defaultResources('x/kube-state-metrics:v2.20.0'), 'an unknown tag reads as the newest');
});

test('kube-state-metrics DaemonSet sharding: pods of its own node; without --node every node watches every pod and it blocks', () => {
  const text = fixture('kube-state-metrics-daemonsetsharding.yaml');
  const r = run(text);
  assert.equal(r.analysis.verdict, 'ok');
  const shard = workload(r, 'DaemonSet kube-system/kube-state-metrics-shard');
  assert.deepEqual(shard.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}`), ['watch pods node']);
  assert.equal(shard.calls[0]?.line, lineOf(text, '--node=$(NODE_NAME)', 'kind: DaemonSet'));
  const rest = workload(r, 'Deployment kube-system/kube-state-metrics');
  assert.ok(!rest.calls.some((c) => c.resource === 'pods') && rest.calls.length === 31, `${rest.calls.length} resources from --resources`);
  assert.equal(call(rest, 'ksm-nodes').line, lineOf(text, '- --resources=certificatesigningrequests', 'kind: Deployment'));
  assert.equal(call(workload(r, 'Deployment kube-system/kube-state-metrics-unscheduled-pods-fetching'), 'ksm-pods').scope, 'cluster');

  // Removing the node filter: every node lists all pods — the mechanism of the unsafe fixture.
  const noNode = run(swap(text, '        - --node=$(NODE_NAME)\n', ''));
  assert.equal(call(workload(noNode, 'DaemonSet kube-system/kube-state-metrics-shard'), 'ksm-pods').scope, 'cluster');
  assert.equal(noNode.analysis.verdict, 'block');
  const f = noNode.analysis.findings.find((x) => x.severity === 'block');
  assert.ok(f !== undefined && /--node=\$\(NODE_NAME\)/.test(f.fix), 'the fix is kube-state-metrics\' own node sharding');
});

test('kube-state-metrics without a node filter in a DaemonSet turns block at ~3,000 nodes (regression figure)', () => {
  const r = run(fixture('kube-state-metrics-daemonset-no-node.yaml'), 100);
  assert.ok(within(r.analysis.fleet.turn.blockAboveNodes, 2500, 3500), String(r.analysis.fleet.turn.blockAboveNodes));
  assert.ok(r.analysis.findings.some((f) => f.rule === 'agent-config' && /DaemonSet/.test(f.message)));
});

test('kube-state-metrics sharding: every shard lists and watches everything, so N shards cost N times one', () => {
  const text = fixture('kube-state-metrics-autosharding.yaml');
  const r = run(text);
  const sts = workload(r, 'StatefulSet kube-system/kube-state-metrics');
  const auto = call(sts, 'ksm-autosharding-statefulset');
  assert.deepEqual([auto.resource, auto.scope], ['statefulsets', 'namespace']);
  assert.equal(sts.calls.length, defaultResources('x/kube-state-metrics:v2.20.0').length + 1);
  assert.ok(r.analysis.findings.some((f) => f.rule === 'agent-config' && /not the API load/.test(f.message)));
  const events = (n: number) => run(swap(text, 'replicas: 2', `replicas: ${n}`)).analysis.clusters[0]?.watchEventsPerSecond ?? 0;
  assert.ok(Math.abs(events(8) / events(2) - 4) < 0.01, 'watch fan-out grows with the shard count');
  // Static sharding in a Deployment: same informers per replica.
  const stat = run(swap(swap(text, 'kind: StatefulSet', 'kind: Deployment'), '        - --pod=$(POD_NAME)\n        - --pod-namespace=$(POD_NAMESPACE)\n', '        - --shard=0\n        - --total-shards=2\n'));
  const dep = workload(stat, 'Deployment kube-system/kube-state-metrics');
  assert.equal(dep.calls.length, defaultResources('x/kube-state-metrics:v2.20.0').length);
  assert.ok(stat.analysis.findings.some((f) => f.rule === 'agent-config' && /--total-shards=2/.test(f.message)));
});

const ksm = (args: string, extra = '', env = '') => `apiVersion: v1
kind: ServiceAccount
metadata: { name: ksm, namespace: m }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: ksm }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: [list, watch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ksm }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ksm }
subjects: [{ kind: ServiceAccount, name: ksm, namespace: m }]
${extra}---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ksm, namespace: m }
spec:
  selector: { matchLabels: { app: ksm } }
  template:
    metadata: { labels: { app: ksm } }
    spec:
      serviceAccountName: ksm
      containers:
        - name: ksm
          image: registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0
          args: [${args}]
${env}`;
const nodeEnv = '          env: [{ name: NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]\n';

test('kube-state-metrics variants: --config file, --namespaces, a missing NODE_NAME, --node with the default set', () => {
  const calls = (r: AnalysisResult) => (r.analysis.workloads[0]?.calls ?? []).map((c) => `${c.resource} ${c.scope}`);
  // Options in a --config file mounted from a ConfigMap override the flags.
  const cfg = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: ksm-cfg, namespace: m }\ndata:\n  config.yaml: |\n    resources: [pods]\n    node: $(NODE_NAME)\n';
  const mount = '          volumeMounts: [{ name: cfg, mountPath: /etc/ksm }]\n      volumes: [{ name: cfg, configMap: { name: ksm-cfg } }]\n';
  const fromCfg = run(ksm('"--resources=nodes", "--config=/etc/ksm/config.yaml"', cfg, nodeEnv + mount));
  assert.deepEqual(calls(fromCfg), ['pods node'], 'the file wins over --resources=nodes');
  assert.ok(fromCfg.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /not expanded/.test(f.message)), 'Kubernetes expands $(VAR) in args, not in a mounted file: a located warning');
  // --namespaces: one informer per namespace for namespaced types, cluster-scoped ones once.
  assert.deepEqual(calls(run(ksm('"--resources=pods,nodes", "--namespaces=a,b"'))).sort(), ['nodes cluster', 'pods namespace', 'pods namespace']);
  // --node=$(NODE_NAME) but no NODE_NAME: the literal matches no pod — node-scoped, and a located warning.
  const noEnv = run(ksm('"--resources=pods", "--node=$(NODE_NAME)"'));
  assert.deepEqual(calls(noEnv), ['pods node']);
  assert.ok(noEnv.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /does not define/.test(f.message)));
  // --node with the default resources: namespaced types are refused, cluster-scoped ones watched whole on every node.
  const dflt = run(ksm('"--node=$(NODE_NAME)"', '', nodeEnv));
  const c = calls(dflt);
  assert.ok(c.includes('pods node') && c.includes('nodes cluster') && !c.some((x) => x.startsWith('configmaps')), c.join(', '));
  assert.ok(dflt.analysis.findings.some((f) => f.rule === 'agent-config' && /field label not supported/.test(f.message)));
  // --node with other explicit resources: kube-state-metrics refuses to start.
  const refused = run(ksm('"--resources=pods,secrets", "--node=$(NODE_NAME)"', '', nodeEnv));
  assert.deepEqual(calls(refused), []);
  assert.ok(refused.analysis.findings.some((f) => f.rule === 'agent-config' && /exits at start-up/.test(f.message)));
  // v2.17 defaults: Endpoints, not EndpointSlices.
  assert.ok(calls(run(ksm('"--namespaces-denylist=kube-system"'))).includes('endpoints cluster'));
});

// ---------------------------------------------------------------- Falco

test('Falco legacy client: etcd reads of five types per node, pods by node; it blocks, and turns at ~1,150 nodes', () => {
  const text = fixture('falco-legacy-k8s-client.yaml');
  const r = run(text);
  assert.equal(r.analysis.verdict, 'block');
  const w = workload(r, 'DaemonSet falco-legacy/falco-legacy');
  assert.deepEqual(w.agents, ['falco'], 'the falcoctl sidecar is not Falco');
  assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope} ${c.resourceVersion}`), ['watch nodes cluster consistent', 'watch namespaces cluster consistent', 'watch pods node consistent', 'watch replicationcontrollers cluster consistent', 'watch services cluster consistent']);
  assert.equal(call(w, 'falco-k8s-pods').line, lineOf(text, '"$(FALCO_K8S_NODE_NAME)"'));
  assert.equal(call(w, 'falco-k8s-nodes').line, lineOf(text, 'https://$(KUBERNETES_SERVICE_HOST)'));
  assert.ok(r.analysis.findings.some((f) => f.rule === 'agent-config' && /k8smeta/.test(f.fix)));
  assert.ok(within(run(text, 100).analysis.fleet.turn.blockAboveNodes, 900, 1500));

  // Without --k8s-node the pods are cluster-wide too; without -k there is no call at all.
  const noFilter = run(swap(text, '            - --k8s-node\n            - "$(FALCO_K8S_NODE_NAME)"\n', ''));
  assert.equal(call(workload(noFilter, 'DaemonSet falco-legacy/falco-legacy'), 'falco-k8s-pods').scope, 'cluster');
  const noApi = run(swap(swap(text, '            - -k\n            - https://$(KUBERNETES_SERVICE_HOST)\n', ''), '            - --k8s-node\n            - "$(FALCO_K8S_NODE_NAME)"\n', ''));
  assert.deepEqual(workload(noApi, 'DaemonSet falco-legacy/falco-legacy').calls, []);
  assert.equal(noApi.analysis.verdict, 'ok');
  // Falco 0.37 removed -k: the option is refused, a located warning, no call.
  const newer = run(text.replace('falco-no-driver:0.36.2', 'falco-no-driver:0.37.0'));
  assert.deepEqual(workload(newer, 'DaemonSet falco-legacy/falco-legacy').calls, []);
  assert.ok(newer.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /removed in 0\.37/.test(f.message)));
});

test('Falco with k8smeta: the node agents make no call; the k8s-metacollector watches each type once', () => {
  const r = run(fixture('falco-k8smeta-metacollector.yaml'), 20000);
  assert.equal(r.analysis.verdict, 'ok', 'ok up to the largest size searched');
  assert.deepEqual(workload(r, 'DaemonSet falco/falco').calls, []);
  const mc = workload(r, 'Deployment falco/falco-k8s-metacollector');
  assert.deepEqual(mc.agents, ['k8s-metacollector']);
  assert.deepEqual(mc.calls.map((c) => c.resource).sort(), ['daemonsets', 'deployments', 'endpoints', 'endpointslices', 'namespaces', 'pods', 'replicasets', 'replicationcontrollers', 'services']);
  assert.ok(mc.calls.every((c) => c.scope === 'cluster' && c.verb === 'watch' && c.leaderOnly === undefined));
});

test('Falco variants: FALCO_K8S_API from a ConfigMap, --k8s-api=URL, --k8s-node naming an undefined variable', () => {
  const base = fixture('falco-legacy-k8s-client.yaml');
  const byEnv = swap(
    swap(base, '            - -k\n            - https://$(KUBERNETES_SERVICE_HOST)\n', ''),
    '          env:\n',
    '          env:\n            - name: FALCO_K8S_API\n              valueFrom: { configMapKeyRef: { name: falco-api, key: url } }\n',
  ) + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: falco-api, namespace: falco-legacy }\ndata: { url: "https://kubernetes.default" }\n';
  const r = run(byEnv);
  const w = workload(r, 'DaemonSet falco-legacy/falco-legacy');
  assert.equal(w.calls.length, 5);
  assert.equal(call(w, 'falco-k8s-nodes').line, lineOf(byEnv, 'valueFrom: { configMapKeyRef: { name: falco-api'));
  const eq = run(swap(base, '            - -k\n            - https://$(KUBERNETES_SERVICE_HOST)\n', '            - --k8s-api=https://$(KUBERNETES_SERVICE_HOST)\n'));
  assert.equal(workload(eq, 'DaemonSet falco-legacy/falco-legacy').calls.length, 5);
  const undef = run(swap(base, '"$(FALCO_K8S_NODE_NAME)"', '"$(MY_NODE)"'));
  assert.ok(undef.analysis.findings.some((f) => f.rule === 'agent-config' && f.severity === 'warn' && /MY_NODE/.test(f.message)));
});

// ---------------------------------------------------------------- node-problem-detector

test('node-problem-detector: its own Node status by name and events, from its command line; safe at every size', () => {
  const text = fixture('node-problem-detector-deployment.yaml');
  const r = run(text, 20000);
  assert.equal(r.analysis.verdict, 'ok');
  const w = workload(r, 'DaemonSet kube-system/node-problem-detector');
  assert.equal(w.profileSource, 'agent-config');
  const patch = call(w, 'npd-patch-node-status');
  assert.deepEqual([patch.verb, patch.resource, patch.scope, patch.periodSeconds], ['patch', 'nodes/status', 'node', 300]);
  assert.equal(patch.line, lineOf(text, '- /node-problem-detector'));
  const ev = call(w, 'npd-create-events');
  assert.deepEqual([ev.verb, ev.resource, ev.scope], ['create', 'events', 'namespace']);
  // The older fixture goes through the reader too (its annotation is gone).
  assert.equal(workload(run(fixture('node-problem-detector.yaml')), 'DaemonSet node-problem-detector/node-problem-detector').profileSource, 'agent-config');
});

test('node-problem-detector variants: heartbeat period, exporter off, events off, event namespace', () => {
  const base = fixture('node-problem-detector-deployment.yaml');
  const withArgs = (args: string) => run(swap(base, '        - --logtostderr\n', `        - --logtostderr\n${args}`));
  const w = (r: AnalysisResult) => workload(r, 'DaemonSet kube-system/node-problem-detector');
  assert.equal(call(w(withArgs('        - --k8s-exporter-heartbeat-period=30s\n')), 'npd-patch-node-status').periodSeconds, 30);
  assert.deepEqual(w(withArgs('        - --enable-k8s-exporter=false\n')).calls, []);
  assert.deepEqual(w(withArgs('        - --k8s-exporter-write-events=false\n')).calls.map((c) => c.name), ['npd-patch-node-status']);
  const ns = withArgs('        - --event-namespace=kube-system\n');
  assert.match(call(w(ns), 'npd-create-events').because, /kube-system/);
  // A 30 s heartbeat is still safe on 20,000 nodes: single-object calls.
  assert.equal(run(swap(base, '        - --logtostderr\n', '        - --logtostderr\n        - --k8s-exporter-heartbeat-period=30s\n'), 20000).analysis.verdict, 'ok');
});

// ---------------------------------------------------------------- metrics-server

test('metrics-server: node and pod informers per replica, safe at every size; as a DaemonSet it would not be', () => {
  for (const [file, id, replicas] of [['metrics-server-release.yaml', 'Deployment kube-system/metrics-server', 1], ['metrics-server-ha.yaml', 'Deployment metrics-server-ha/metrics-server', 2]] as const) {
    const text = fixture(file);
    const r = run(text, 20000);
    assert.equal(r.analysis.verdict, 'ok', file);
    const w = workload(r, id);
    assert.equal(w.clients, replicas);
    assert.deepEqual(w.calls.map((c) => `${c.verb} ${c.resource} ${c.scope}`), ['watch nodes cluster', 'watch pods cluster']);
    assert.equal(w.calls[0]?.line, lineOf(text, 'image: registry.k8s.io/metrics-server'));
  }
  // The mechanism, not the fixture: the same informers on every node block.
  const ds = run(swap(swap(fixture('metrics-server-release.yaml'), 'kind: Deployment', 'kind: DaemonSet'), '  strategy:\n    rollingUpdate:\n      maxUnavailable: 0\n', ''));
  assert.equal(ds.analysis.verdict, 'block');
});

test('metrics-server variant: a mirrored image with --node-selector, located at the flag', () => {
  const text = swap(swap(fixture('metrics-server-release.yaml'), 'image: registry.k8s.io/metrics-server/metrics-server:v0.9.0', 'image: mirror.example.com/k8s/metrics-server:v0.7.2'), '            - --metric-resolution=15s\n', '            - --metric-resolution=15s\n            - --node-selector=pool=general\n');
  const w = workload(run(text), 'Deployment kube-system/metrics-server');
  assert.equal(call(w, 'metrics-server-nodes').line, lineOf(text, '--node-selector=pool=general'));
});

// ---------------------------------------------------------------- shared machinery

test('container flags: --x=v and --x v read alike, the last one wins, $(VAR) expands from the env (property)', () => {
  const doc = (args: readonly string[]) => parseManifests(`apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: a, namespace: b }\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: x\n          env: [{ name: N, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }, { name: L, value: lit }]\n          args: ${JSON.stringify(args)}\n`, 'm.yaml');
  const settings = (args: readonly string[]): ContainerSettings => {
    const problems: Problem[] = [];
    const o = collectObjects(doc(args), problems)[0];
    assert.ok(o !== undefined);
    const w = readWorkload(o, problems);
    const c = w.containers[0];
    assert.ok(c !== undefined);
    return new ContainerSettings(w, c);
  };
  const value = fc.stringMatching(/^[a-z0-9.,/]{1,12}$/);
  fc.assert(
    fc.property(value, value, fc.boolean(), (a, b, joined) => {
      const args = joined ? [`--f=${a}`, '--g', `--f=${b}`] : ['--f', a, '--g', '--f', b];
      const f = settings(args).flag(['--f']);
      assert.equal(f?.value, b);
      assert.equal(settings(args).flag(['--g'])?.value, '');
    }),
    { numRuns: 50 },
  );
  const s = settings(['--node=$(N)', '--lit=$(L)-x', '--miss=$(M)']);
  assert.deepEqual(s.flag(['--node'])?.nodeNameRefs, ['N']);
  assert.equal(s.flag(['--lit'])?.expanded, 'lit-x');
  assert.deepEqual(s.flag(['--miss'])?.unresolved, ['M']);
  assert.equal(s.flag(['--miss'])?.expanded, '$(M)', 'Kubernetes leaves an unresolved reference as it is');
  const shell = settings(['/bin/sh', '-c', 'exec /node-problem-detector --logtostderr \\\n  --k8s-exporter-heartbeat-period "1m" --node=$(N)']);
  assert.equal(shell.flag(['--k8s-exporter-heartbeat-period'])?.value, '1m', 'flags inside `sh -c` are read');
  assert.deepEqual(shell.flag(['--node'])?.nodeNameRefs, ['N']);
  assert.deepEqual(imageVersion('gcr.io/datadoghq/agent:7.60.1-jmx'), [7, 60, 1]);
  assert.equal(imageVersion('registry:5000/agent'), undefined);
  assert.equal(imageVersion('x/agent@sha256:abc'), undefined);
});

test('the fast locator follows a mapping past an indentless sequence, as Helm renders RBAC rules', () => {
  const text = 'rules:\n- apiGroups:\n  - ""\n  resources:\n  - pods\n  verbs:\n  - list\nkind: ClusterRole\n';
  const y = new YamlLines(text);
  assert.equal(y.locate(['rules', 0, 'resources'], 0, y.lines.length)?.line, 4, 'the value of resources (0-based line 4)');
  assert.equal(y.locate(['rules', 0, 'verbs', 0], 0, y.lines.length)?.line, 6);
  assert.equal(y.locate(['kind'], 0, y.lines.length)?.line, 7);
});

test('a pod\'s automountServiceAccountToken: true overrides its ServiceAccount\'s false', () => {
  const text = fixture('kube-state-metrics-autosharding.yaml');
  assert.match(text, /automountServiceAccountToken: false/, 'the example ServiceAccount opts out');
  assert.deepEqual(run(text).analysis.findings.filter((f) => f.rule === 'rbac-missing'), []);
  const noPodSetting = run(text.replace('      automountServiceAccountToken: true\n', ''));
  assert.ok(noPodSetting.analysis.findings.some((f) => f.rule === 'rbac-missing' && /automountServiceAccountToken/.test(f.message)));
});
