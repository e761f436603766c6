/**
 * Networking agents read from their own configuration: kube-proxy, CoreDNS,
 * Flannel (and kube-network-policies from its chart), the Amazon VPC CNI and
 * Cilium. For each: the calls derived from its fixtures (verb, resource,
 * scope, leader-only, where located), a setting that flips the verdict for the
 * mechanism's reason, where the unsafe ones turn, and variants of the manifests
 * the corpus does not hold (other versions, flags instead of a config file,
 * env vars, a missing ConfigMap). Manifests are parsed from memory: nothing is
 * written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, type Analysis, type CallReport } from '../../src/analyzer/analyze.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { YamlLines } from '../../src/analyzer/yaml-locate.ts';
import { CORPUS, fleetOf } from './helpers.ts';

const fixture = (name: string): string => readFileSync(`${CORPUS}/${name}`, 'utf8');
const run = (text: string, file = 'm.yaml', ...nodes: number[]): Analysis => analyze(parseManifests(text, file), fleetOf(...(nodes.length > 0 ? nodes : [5000])), { fleetName: 't' }).analysis;
const callsOf = (a: Analysis, workload?: string): CallReport[] => a.workloads.filter((w) => workload === undefined || w.name === workload).flatMap((w) => w.calls);
const sig = (c: CallReport): string => `${c.verb} ${c.resource} ${c.scope}${c.leaderOnly === true ? ' leader' : ''}`;
const sigs = (a: Analysis, workload?: string): string[] => callsOf(a, workload).map(sig);
/** 1-based line of the first line containing `needle` (after line `after`). */
const lineOf = (text: string, needle: string, after = 0): number => {
  const i = text.split('\n').findIndex((l, k) => k >= after && l.includes(needle));
  assert.ok(i >= 0, `"${needle}" is in the text`);
  return i + 1;
};
const call = (a: Analysis, resource: string, scope?: string): CallReport => {
  const c = callsOf(a).find((x) => x.resource === resource && (scope === undefined || x.scope === scope));
  assert.ok(c !== undefined, `a ${resource} call among ${sigs(a).join(', ')}`);
  return c;
};
const turn = (text: string, file = 'm.yaml') => run(text, file, 100).fleet.turn;
const noWarnings = (a: Analysis): void => assert.deepEqual(a.findings.filter((f) => f.severity !== 'note').map((f) => `${f.rule}: ${f.message}`), []);

// ---------------------------------------------------------------------------------------------
// kube-proxy

test('kube-proxy (kubeadm): Services and EndpointSlices cluster-wide, its own Node by name, one event per start; located at --config and the image', () => {
  const file = `${CORPUS}/kube-proxy-kubeadm.yaml`;
  const text = fixture('kube-proxy-kubeadm.yaml');
  const a = run(text, file);
  assert.deepEqual(sigs(a), ['watch services cluster', 'watch endpointslices cluster', 'watch nodes node', 'create events cluster']);
  assert.equal(call(a, 'services').line, lineOf(text, '- --config=/var/lib/kube-proxy/config.conf'));
  assert.equal(call(a, 'nodes').line, lineOf(text, 'image: registry.k8s.io/kube-proxy:v1.32.0'));
  assert.match(call(a, 'services').because, /configSyncPeriod only replays its local cache/);
  assert.equal(a.workloads[0]?.priorityLevel, 'workload-high', 'kube-system service accounts land in workload-high');
  assert.equal(a.verdict, 'ok');
  noWarnings(a);
});

test('kube-proxy: no configuration is unsafe at 5,000 nodes; the watch fan-out turns it warn past ~13,000 nodes, never block', () => {
  const t = turn(fixture('kube-proxy-kubeadm.yaml'));
  assert.equal(t.blockAtNodes, null);
  assert.ok(t.warnAtNodes !== null && t.warnAtNodes > 10_000 && t.warnAtNodes < 16_000, `warn at ${String(t.warnAtNodes)}`);
  // The Endpoints-based kube-proxy (1.18) is sized like the slices of the same Services: the same turn.
  const old = turn(fixture('kube-proxy-addon-endpoints.yaml'));
  assert.equal(old.blockAtNodes, null);
  assert.equal(old.warnAtNodes, t.warnAtNodes);
});

test('kube-proxy: EndpointSliceProxying off or an image before 1.19 watches Endpoints; 1.33 adds ServiceCIDRs; flags in a shell string are read', () => {
  const text = fixture('kube-proxy-kubeadm.yaml');
  const gateOff = text.replace('    kind: KubeProxyConfiguration\n', '    featureGates:\n      EndpointSliceProxying: false\n    kind: KubeProxyConfiguration\n');
  const a = run(gateOff);
  assert.deepEqual(sigs(a).slice(0, 2), ['watch services cluster', 'watch endpoints cluster']);
  assert.equal(call(a, 'endpoints').line, lineOf(gateOff, 'EndpointSliceProxying: false'), 'located at the gate');
  const v133 = run(text.replaceAll('kube-proxy:v1.32.0', 'kube-proxy:v1.33.1').replace('  - endpointslices\n  verbs:\n  - list\n  - watch\n', '  - endpointslices\n  verbs:\n  - list\n  - watch\n- apiGroups:\n  - networking.k8s.io\n  resources:\n  - servicecidrs\n  verbs:\n  - list\n  - watch\n'));
  assert.ok(sigs(v133).includes('watch servicecidrs cluster'));
  assert.deepEqual(v133.findings.filter((f) => f.rule === 'rbac-missing'), []);
  const addon = fixture('kube-proxy-addon-endpoints.yaml');
  const b = run(addon, 'addon.yaml');
  assert.deepEqual(sigs(b), ['watch services cluster', 'watch endpoints cluster', 'watch nodes node', 'create events cluster']);
  assert.equal(call(b, 'endpoints').line, lineOf(addon, 'image: k8s.gcr.io/kube-proxy-amd64:v1.18.20'));
  // The same addon on 1.19 with the gate turned off by flag inside the shell string.
  const flag = run(addon.replaceAll('v1.18.20', 'v1.19.16').replace('--v=2 1>>', '--v=2 --feature-gates=EndpointSliceProxying=false 1>>'));
  assert.ok(sigs(flag).includes('watch endpoints cluster'));
  assert.equal(call(flag, 'endpoints').line, lineOf(addon, '- kube-proxy --cluster-cidr'), 'located at the command string');
  assert.ok(sigs(run(addon.replaceAll('v1.18.20', 'v1.19.16'))).includes('watch endpointslices cluster'));
});

test('kube-proxy variant: a --config the mounted ConfigMaps do not hold is a note, read with every informer', () => {
  const text = fixture('kube-proxy-kubeadm.yaml').replace('--config=/var/lib/kube-proxy/config.conf', '--config=/var/lib/kube-proxy/other.conf');
  const a = run(text);
  assert.ok(sigs(a).includes('watch endpointslices cluster'));
  const note = a.findings.find((f) => f.rule === 'agent-config');
  assert.ok(note !== undefined && note.severity === 'note' && /other\.conf/.test(note.message));
});

// ---------------------------------------------------------------------------------------------
// CoreDNS

test('CoreDNS (coredns/deployment): Services, EndpointSlices and Namespaces cluster-wide, located at the kubernetes plugin line of the Corefile', () => {
  const file = `${CORPUS}/coredns-deployment.yaml`;
  const text = fixture('coredns-deployment.yaml');
  const a = run(text, file);
  assert.deepEqual(sigs(a), ['watch services cluster', 'watch endpointslices cluster', 'watch namespaces cluster']);
  for (const c of callsOf(a)) assert.equal(c.line, lineOf(text, 'kubernetes cluster.local in-addr.arpa ip6.arpa'));
  assert.equal(a.workloads[0]?.clients, 1, 'replicas unset: one');
  noWarnings(a);
});

test('CoreDNS: `pods verified` adds a cluster-wide pod informer: harmless in a Deployment, block as a DaemonSet from ~3,000 nodes', () => {
  const ds = fixture('coredns-daemonset-pods-verified.yaml');
  const a = run(ds);
  assert.equal(call(a, 'pods').scope, 'cluster');
  assert.equal(call(a, 'pods').line, lineOf(ds, '            pods verified'));
  assert.equal(a.verdict, 'block');
  const t = turn(ds);
  assert.ok(t.blockAtNodes !== null && t.blockAtNodes > 2_000 && t.blockAtNodes < 4_000, `block at ${String(t.blockAtNodes)}`);
  // The same DaemonSet with the chart's default `pods insecure`: no pod informer, costs what kube-proxy costs.
  const insecure = run(ds.replaceAll('            pods verified', '            pods insecure'));
  assert.ok(!sigs(insecure).some((s) => s.startsWith('watch pods')));
  assert.equal(insecure.verdict, 'ok');
  // `pods verified` in the Deployment: two replicas' pod informers are no risk.
  const dep = fixture('coredns-deployment.yaml').replace('          fallthrough in-addr.arpa ip6.arpa\n', '          pods verified\n          fallthrough in-addr.arpa ip6.arpa\n').replace('  strategy:\n', '  replicas: 2\n  strategy:\n');
  const d = run(dep);
  assert.ok(sigs(d).includes('watch pods cluster'));
  assert.equal(d.verdict, 'ok');
});

test('CoreDNS variants: -conf names the key, snippets are imported, each server block\'s plugin has its own informers; namespaces does not narrow; noendpoints; CoreDNS 1.7 watches Endpoints', () => {
  const base = fixture('coredns-deployment.yaml');
  const corefile = [
    '(k8s) {',
    '    kubernetes cluster.local {',
    '      namespaces shop',
    '      noendpoints',
    '    }',
    '}',
    '.:53 {',
    '    errors',
    '    import k8s',
    '    forward . /etc/resolv.conf',
    '}',
    'example.internal:53 {',
    '    kubernetes example.internal',
    '}',
  ].join('\n    ');
  const text = base
    .replace('  Corefile: |\n', `  custom.conf: |\n    ${corefile}\n  Corefile: |\n`)
    .replace('args: [ "-conf", "/etc/coredns/Corefile" ]', 'args: [ "-conf", "/etc/coredns/custom.conf" ]')
    .replace('            - key: Corefile\n              path: Corefile', '            - key: custom.conf\n              path: custom.conf');
  const a = run(text);
  assert.deepEqual(sigs(a), ['watch services cluster', 'watch namespaces cluster', 'watch services cluster', 'watch endpointslices cluster', 'watch namespaces cluster']);
  assert.match(call(a, 'services').because, /namespaces shop` only filters the answers/);
  const old = run(base.replace('coredns/coredns:1.9.4', 'coredns/coredns:1.7.0'));
  assert.ok(sigs(old).includes('watch endpoints cluster'));
});

// ---------------------------------------------------------------------------------------------
// Flannel and kube-network-policies

test('Flannel (kube-flannel.yml): every Node on every node, its own pod/Node at start; located at --kube-subnet-mgr; ok at 5,000 nodes, warn only past ~15,000', () => {
  const file = `${CORPUS}/flannel-kube-subnet-mgr.yaml`;
  const text = fixture('flannel-kube-subnet-mgr.yaml');
  const a = run(text, file);
  assert.deepEqual(sigs(a), ['watch nodes cluster', 'get nodes cluster', 'get pods cluster', 'patch nodes/status cluster']);
  assert.equal(call(a, 'nodes', 'cluster').line, lineOf(text, '- --kube-subnet-mgr'));
  assert.equal(call(a, 'pods').line, lineOf(text, '- name: POD_NAME'));
  noWarnings(a);
  const t = turn(text);
  assert.equal(t.blockAtNodes, null);
  assert.ok(t.warnAtNodes !== null && t.warnAtNodes > 15_000, `warn at ${String(t.warnAtNodes)}`);
});

test('Flannel: without --kube-subnet-mgr (etcd) no API call; Backend alloc drops the Node informer; FLANNELD_KUBE_SUBNET_MGR is the flag too', () => {
  const text = fixture('flannel-kube-subnet-mgr.yaml');
  const etcd = run(text.replace('        - --kube-subnet-mgr\n', ''));
  assert.deepEqual(sigs(etcd), []);
  assert.equal(etcd.workloads[0]?.profileSource, 'agent-config', 'a known agent with no calls, not the RBAC worst case');
  const alloc = run(text.replace('"Type": "vxlan"', '"Type": "alloc"'));
  assert.ok(!sigs(alloc).includes('watch nodes cluster'));
  assert.ok(sigs(alloc).includes('get nodes cluster'));
  const env = run(text.replace('        - --kube-subnet-mgr\n', '').replace('        - name: EVENT_QUEUE_DEPTH\n', '        - name: FLANNELD_KUBE_SUBNET_MGR\n          value: "true"\n        - name: EVENT_QUEUE_DEPTH\n'));
  assert.equal(call(env, 'nodes', 'cluster').line, lineOf(text.replace('        - name: EVENT_QUEUE_DEPTH\n', '        - name: FLANNELD_KUBE_SUBNET_MGR\n          value: "true"\n        - name: EVENT_QUEUE_DEPTH\n').replace('        - --kube-subnet-mgr\n', ''), '- name: FLANNELD_KUBE_SUBNET_MGR'));
});

test('flannel chart with netpol: kube-network-policies watches every pod on every node (block from ~3,000); the -iptracker build behind kube-ip-tracker does not', () => {
  const text = fixture('flannel-chart-netpol.yaml');
  const a = run(text);
  assert.deepEqual(a.workloads[0]?.agents, ['flannel', 'kube-network-policies']);
  assert.equal(callsOf(a).find((c) => c.verb === 'watch' && c.resource === 'pods')?.line, lineOf(text, 'image: registry.k8s.io/networking/kube-network-policies:v1.0.0'));
  assert.equal(a.verdict, 'block');
  const t = turn(text);
  assert.ok(t.blockAtNodes !== null && t.blockAtNodes > 2_500 && t.blockAtNodes < 4_000, `block at ${String(t.blockAtNodes)}`);
  const fix = a.findings.find((f) => f.severity === 'block');
  assert.match(fix?.fix ?? '', /-iptracker/);
  const tracked = run(fixture('kube-network-policies-iptracker.yaml'));
  assert.deepEqual(sigs(tracked, 'kube-network-policies'), ['watch namespaces cluster', 'watch networkpolicies cluster']);
  assert.deepEqual(sigs(tracked, 'kube-ip-tracker'), ['watch pods cluster', 'watch namespaces cluster', 'watch nodes cluster']);
  assert.equal(tracked.verdict, 'ok');
  // The same agent without --ip-tracker-address falls back to watching pods itself.
  const untracked = run(fixture('kube-network-policies-iptracker.yaml').replace('        - --ip-tracker-address=kube-ip-tracker.kube-system.svc.cluster.local:10999\n', ''));
  assert.ok(sigs(untracked, 'kube-network-policies').includes('watch pods cluster'));
});

// ---------------------------------------------------------------------------------------------
// Amazon VPC CNI

test('Amazon VPC CNI v1.23: its node\'s pods and its own Node (MY_NODE_NAME), the network policy agent off; ok', () => {
  const file = `${CORPUS}/aws-vpc-cni.yaml`;
  const text = fixture('aws-vpc-cni.yaml');
  const a = run(text, file);
  assert.deepEqual(a.workloads[0]?.agents, ['aws-node', 'aws-network-policy-agent']);
  assert.deepEqual(sigs(a), ['watch pods node', 'watch nodes node']);
  assert.equal(call(a, 'pods').line, lineOf(text, '- name: MY_NODE_NAME'));
  noWarnings(a);
});

test('Amazon VPC CNI: without MY_NODE_NAME ipamd caches every pod and Node (block); v1.13.2 does so whatever the env (block from ~3,000); v1.14 narrows pods only', () => {
  const text = fixture('aws-vpc-cni.yaml');
  const first = lineOf(text, '- name: MY_NODE_NAME');
  const lines = text.split('\n');
  lines.splice(first - 1, 5); // the aws-node container's MY_NODE_NAME (name + valueFrom.fieldRef, 5 lines)
  const noNode = run(lines.join('\n'));
  assert.deepEqual(sigs(noNode, 'aws-node').slice(0, 2), ['watch pods cluster', 'watch nodes cluster']);
  assert.equal(noNode.verdict, 'block');
  const old = fixture('aws-vpc-cni-v1.13.2.yaml');
  const b = run(old);
  assert.deepEqual(sigs(b), ['watch pods cluster', 'watch nodes cluster']);
  assert.match(call(b, 'pods').because, /#2436/);
  const t = turn(old);
  assert.ok(t.blockAtNodes !== null && t.blockAtNodes > 2_500 && t.blockAtNodes < 4_000, `block at ${String(t.blockAtNodes)}`);
  const v114 = run(old.replaceAll('v1.13.2', 'v1.14.1'));
  assert.deepEqual(sigs(v114), ['watch pods node', 'watch nodes cluster']);
  assert.equal(v114.verdict, 'ok', 'a Node informer per node: the flannel mechanism, ok at 5,000');
});

test('Amazon VPC CNI variants: security groups for pods, custom networking, pod annotations, an untagged image, the network policy agent on', () => {
  const text = fixture('aws-vpc-cni.yaml');
  const set = (name: string, v: string): string => text.replace(`- name: ${name}\n              value: "false"`, `- name: ${name}\n              value: "${v}"`);
  const sgp = run(set('ENABLE_POD_ENI', 'true'));
  assert.deepEqual(sigs(sgp), ['watch pods node', 'watch nodes node', 'watch cninodes node', 'patch cninodes cluster']);
  assert.equal(call(sgp, 'cninodes', 'node').line, lineOf(text, '- name: ENABLE_POD_ENI'));
  assert.ok(sigs(run(set('AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'true'))).includes('watch eniconfigs cluster'));
  const annotate = run(text.replace('            - name: MY_POD_NAME', '            - name: ANNOTATE_POD_IP\n              value: "true"\n            - name: MY_POD_NAME'));
  const patch = call(annotate, 'pods', 'cluster');
  assert.equal(patch.verb, 'patch');
  assert.ok(patch.periodSeconds !== null && patch.periodSeconds > 1 && patch.periodSeconds < 3600, `one patch per new pod on the node: every ${String(patch.periodSeconds)} s`);
  const untagged = run(text.replace('amazon-k8s-cni:v1.23.1', 'amazon-k8s-cni@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'));
  assert.deepEqual(sigs(untagged).slice(0, 2), ['watch pods cluster', 'watch nodes cluster'], 'an unknown version is read as the widest');
  assert.ok(untagged.findings.some((f) => f.rule === 'agent-config' && /no version tag/.test(f.message)));
  const np = run(text.replace('- --enable-network-policy=false', '- --enable-network-policy=true'));
  assert.ok(sigs(np).includes('watch policyendpoints cluster'));
  assert.equal(call(np, 'policyendpoints').line, lineOf(text, '- --enable-network-policy=false'));
});

// ---------------------------------------------------------------------------------------------
// Cilium

test('Cilium (chart defaults): the agent reads cilium-config through build-config; CiliumEndpoints, CiliumNodes and identities cluster-wide, its pods and Node its own; the operator\'s watches are the leader\'s', () => {
  const file = `${CORPUS}/cilium-crd-mode.yaml`;
  const text = fixture('cilium-crd-mode.yaml');
  const a = run(text, file);
  const agent = sigs(a, a.workloads.find((w) => w.kind === 'DaemonSet')?.name);
  for (const s of ['watch ciliumendpoints cluster', 'watch ciliumnodes cluster', 'watch ciliumidentities cluster', 'watch pods node', 'watch nodes node', 'watch services cluster', 'watch endpointslices cluster', 'patch ciliumendpoints cluster']) assert.ok(agent.includes(s), `${s} in ${agent.join(', ')}`);
  assert.equal(callsOf(a, a.workloads.find((w) => w.kind === 'DaemonSet')?.name).find((c) => c.resource === 'ciliumidentities')?.line, lineOf(text, '  identity-allocation-mode: crd'), 'located in cilium-config, found by name');
  const op = callsOf(a, a.workloads.find((w) => w.kind === 'Deployment')?.name);
  assert.ok(op.filter((c) => c.verb === 'watch').every((c) => c.leaderOnly === true), 'every operator watch is the leader\'s');
  assert.ok(op.some((c) => c.verb === 'get' && c.resource === 'leases' && c.leaderOnly !== true), 'every replica polls the lease');
  assert.equal(a.verdict, 'ok');
  noWarnings(a);
  const t = turn(text);
  assert.ok(t.warnAtNodes !== null && t.warnAtNodes > 5_000 && t.warnAtNodes < 10_000, `warn at ${String(t.warnAtNodes)}`);
});

test('Cilium: CiliumEndpointSlices and a kvstore each push the turn out; disable-endpoint-crd makes every agent watch every pod (block)', () => {
  const text = fixture('cilium-crd-mode.yaml');
  const crd = turn(text).warnAtNodes ?? 0;
  const cesText = text.replace('  identity-allocation-mode: crd\n', '  identity-allocation-mode: crd\n  enable-cilium-endpoint-slice: "true"\n');
  const ces = run(cesText);
  assert.ok(sigs(ces, 'cilium').includes('watch ciliumendpointslices cluster') && !sigs(ces, 'cilium').includes('watch ciliumendpoints cluster'));
  assert.ok(sigs(ces, 'cilium-operator').includes('update ciliumendpointslices cluster leader'));
  assert.ok((turn(cesText).warnAtNodes ?? Infinity) > crd);
  const kvText = text.replace('  identity-allocation-mode: crd\n', '  identity-allocation-mode: kvstore\n  kvstore: etcd\n');
  const kv = run(kvText);
  const kvAgent = sigs(kv, 'cilium');
  assert.ok(!kvAgent.some((s) => /watch ciliumendpoints|watch ciliumnodes cluster|ciliumidentities/.test(s)), kvAgent.join(', '));
  assert.ok(kvAgent.includes('patch ciliumendpoints cluster'), 'agents still write their CiliumEndpoints');
  assert.ok(kv.findings.some((f) => f.rule === 'agent-config' && /kvstore/.test(f.message)));
  assert.ok((turn(kvText).warnAtNodes ?? Infinity) > (turn(cesText).warnAtNodes ?? 0));
  const noCep = run(text.replace('  identity-allocation-mode: crd\n', '  identity-allocation-mode: crd\n  disable-endpoint-crd: "true"\n'));
  assert.equal(call(noCep, 'pods', 'cluster').line, lineOf(text.replace('  identity-allocation-mode: crd\n', '  identity-allocation-mode: crd\n  disable-endpoint-crd: "true"\n'), 'disable-endpoint-crd'));
  assert.equal(noCep.verdict, 'block');
});

test('Cilium 1.6 (quick-install, config mounted as --config-dir): every pod and Node per node, block from ~3,500; its operator is not leader-elected', () => {
  const text = fixture('cilium-1.6-quick-install.yaml');
  const a = run(text);
  const agent = sigs(a, a.workloads.find((w) => w.kind === 'DaemonSet')?.name);
  assert.ok(agent.includes('watch pods cluster') && agent.includes('watch nodes cluster') && agent.includes('watch endpoints cluster'), agent.join(', '));
  assert.equal(callsOf(a, a.workloads.find((w) => w.kind === 'DaemonSet')?.name).find((c) => c.resource === 'ciliumidentities')?.line, lineOf(text, '  identity-allocation-mode: crd'), 'read from the mounted directory');
  assert.ok(callsOf(a, a.workloads.find((w) => w.kind === 'Deployment')?.name).every((c) => c.leaderOnly !== true));
  assert.deepEqual(a.findings.filter((f) => f.rule === 'rbac-missing'), []);
  const t = turn(text);
  assert.ok(t.blockAtNodes !== null && t.blockAtNodes > 2_500 && t.blockAtNodes < 4_500, `block at ${String(t.blockAtNodes)}`);
  const fix = a.findings.find((f) => f.severity === 'block');
  assert.match(fix?.fix ?? '', /Cilium 1\.8 or later/);
});

test('Cilium variants: cilium-config absent (defaults, a note), settings from CILIUM_* env, clustermesh-apiserver as a fan-out cache', () => {
  const text = fixture('cilium-crd-mode.yaml');
  const cm = text.indexOf('# Source: cilium/templates/cilium-configmap.yaml');
  const next = text.indexOf('\n---\n', cm);
  const without = text.slice(0, cm) + text.slice(next + 5);
  const a = run(without);
  assert.ok(sigs(a, a.workloads.find((w) => w.kind === 'DaemonSet')?.name).includes('watch ciliumendpoints cluster'), 'defaults: the widest');
  assert.ok(a.findings.some((f) => f.rule === 'config-not-found' && /cilium-config/.test(f.message)));
  const env = run(text.replace('        - name: CILIUM_CLUSTERMESH_CONFIG\n', '        - name: CILIUM_ENABLE_CILIUM_ENDPOINT_SLICE\n          value: "true"\n        - name: CILIUM_CLUSTERMESH_CONFIG\n'));
  assert.ok(sigs(env, 'cilium').includes('watch ciliumendpointslices cluster'));
  const mesh = `apiVersion: apps/v1
kind: Deployment
metadata: { name: clustermesh-apiserver, namespace: kube-system }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: clustermesh-apiserver } }
  template:
    metadata: { labels: { k8s-app: clustermesh-apiserver } }
    spec:
      serviceAccountName: clustermesh-apiserver
      containers:
      - name: apiserver
        image: quay.io/cilium/clustermesh-apiserver:v1.14.5
`;
  const m = run(mesh);
  assert.deepEqual(m.workloads[0]?.agents, ['clustermesh-apiserver']);
  assert.ok(sigs(m).includes('watch ciliumendpoints cluster'));
  assert.equal(m.workloads[0]?.clients, 1);
});

// ---------------------------------------------------------------------------------------------
// The locator

test('the line locator finds keys after a sequence written at its key\'s column (kube-flannel.yml style)', () => {
  const y = new YamlLines(['spec:', '  tolerations:', '  - operator: Exists', '    effect: NoSchedule', '  serviceAccountName: flannel', '  containers:', '  - name: a', '    image: x'].join('\n'));
  assert.deepEqual(y.locate(['spec', 'serviceAccountName'], 0, y.lines.length), { line: 4, col: 22, literal: false, exact: true, sure: true });
  assert.equal(y.locate(['spec', 'containers', 0, 'image'], 0, y.lines.length)?.line, 7);
});
