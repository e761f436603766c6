/**
 * Cilium (cilium/cilium install/kubernetes/cilium chart): the cilium-agent
 * DaemonSet, the leader-elected cilium-operator and the clustermesh-apiserver,
 * read from their configuration — the `cilium-config` ConfigMap, mounted as a
 * directory (`--config-dir`, one key per setting: the operator, and agents
 * before 1.14), or read through the API by the agent's `config` init
 * container (`cilium build-config --source=config-map:cilium-config`, 1.14
 * and later), or set as `CILIUM_<SETTING>` environment variables (older
 * manifests take them from the ConfigMap with configMapKeyRef) or flags.
 *
 * cilium-agent's Kubernetes resources (daemon/k8s/resources.go,
 * pkg/k8s/watchers/watcher.go and cilium_endpoint.go):
 * - Services and EndpointSlices of the whole cluster (service load-balancing);
 * - its own Node (`metadata.name=<node>`), its own CiliumNode (by name) and
 *   the pods of its node (`spec.nodeName=<node>`);
 * - Namespaces, NetworkPolicies (unless `enable-k8s-networkpolicy: false`),
 *   CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies, CiliumCIDRGroups;
 * - unless a kvstore (`kvstore: etcd`) carries that state: every CiliumNode
 *   (node discovery) and every CiliumEndpoint — or, with
 *   `enable-cilium-endpoint-slice: true`, every CiliumEndpointSlice ("Cilium
 *   agent watches CES objects to learn about remote endpoints in this mode.
 *   API-server stress due to remote endpoint info propagation should be
 *   reduced", docs.cilium.io CiliumEndpointSlice) — for its ipcache;
 * - every CiliumIdentity with `identity-allocation-mode: crd` (the default;
 *   `kvstore` keeps identities in etcd);
 * - writes: a CiliumEndpoint for each pod it manages (created and updated as
 *   the pod starts, cilium/cilium#15153; none with `disable-endpoint-crd`)
 *   and its own CiliumNode.
 * The docs' scalability guidance: use a kvstore "if you are running in an
 * environment with more than 250 nodes, 5k pods, or if you observe a high
 * overhead in state propagation caused by Kubernetes events" (v1.8
 * k8s-install-external-etcd), later "more pods and more nodes than the ones
 * tested in the Scalability report"; CiliumEndpointSlices for large clusters.
 *
 * cilium-operator (operator/k8s/resources.go, operator/watchers/pod.go), a
 * Deployment with leader election (lease 15 s, renew deadline 10 s, retry
 * period 2 s: cilium-operator --leader-election-* defaults): only the leader
 * watches CiliumNodes, Nodes, pods (CiliumEndpoint GC, unmanaged pods),
 * CiliumEndpoints, CiliumIdentities (GC in crd mode), Services and
 * EndpointSlices, and with CiliumEndpointSlices writes them at most 10 times
 * a second (--ces-write-qps-limit); every replica polls the lease.
 *
 * clustermesh-apiserver: a fan-out cache for other clusters' agents; it
 * watches this cluster's CiliumEndpoints, CiliumIdentities, CiliumNodes and
 * Services once and serves them through its etcd.
 *
 * @example
 *   ciliumReader.read(ctx)?.agent;   // 'cilium-agent' | 'cilium-operator' | 'clustermesh-apiserver'
 */
import { DEFAULT_PODS_PER_NODE } from '../../model/kubernetes.ts';
import type { ModelConfig } from '../../model/model-schema.ts';
import type { DerivedCall, DocPath, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentContext, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { Located, truthy } from './config-text.ts';
import { argPath, containerFlags, envAt } from './container-flags.ts';
import { imageVersion, versionAtLeast } from './image-version.ts';

interface Setting {
  readonly value: string;
  readonly at: Loc;
}

/** cilium-operator's leader election retry period (cmdref cilium-operator: --leader-election-retry-period, default 2s). */
const LEASE_RETRY_S = 2;
/** cilium-operator --ces-write-qps-limit default (10; cilium/cilium#24675). */
const CES_WRITE_QPS = 10;

type Role = 'agent' | 'operator' | 'clustermesh';

function roleOf(c: Container): Role | undefined {
  const image = c.image.toLowerCase();
  const cmd = c.args[0] ?? '';
  if (/(^|\/)clustermesh-apiserver(-ci)?(:|@|$)/.test(image)) return 'clustermesh';
  if (/(^|\/)cilium-operator/.test(cmd) || (/(^|\/)operator(-generic|-aws|-azure|-alibabacloud)?(-ci)?(:|@|$)/.test(image) && /cilium/.test(image))) return 'operator';
  if (/(^|\/)cilium-agent$/.test(cmd) || /(^|\/)cilium(-ci)?(:|@|$)/.test(image)) {
    // The agent image also runs init containers and helpers (cilium-monitor): only cilium-agent is the agent.
    if (cmd !== '' && !/cilium-agent$/.test(cmd) && !c.args.some((a) => /--config-dir|cilium-agent/.test(a))) return undefined;
    return 'agent';
  }
  return undefined;
}

/** The ConfigMap the agent's `config` init container builds its configuration from (`cilium build-config --source=…`). */
function buildConfigSource(w: WorkloadInfo): { name: string; at: Loc } | undefined {
  const inits = w.f.list([...w.podSpecPath, 'initContainers']) ?? [];
  for (let i = 0; i < inits.length; i++) {
    const p: DocPath = [...w.podSpecPath, 'initContainers', i];
    const args = [...w.f.strings([...p, 'command']), ...w.f.strings([...p, 'args'])];
    if (!args.includes('build-config')) continue;
    const source = args.find((a) => a.startsWith('--source='))?.slice('--source='.length) ?? 'config-map:cilium-config';
    const cm = source.split(',').map((s) => /^config-map:(?:[^/]+\/)?(.+)$/.exec(s.trim())?.[1]).find((x) => x !== undefined);
    return { name: cm ?? 'cilium-config', at: w.f.loc([...p, 'command']) };
  }
  return undefined;
}

/** Settings from the ConfigMap (mounted or built), then CILIUM_* env vars, then flags (later wins). */
function settings(ctx: AgentContext, role: Role): { get: (k: string) => Setting | undefined; notes: AgentNote[] } {
  const { workload: w, container: c } = ctx;
  const out = new Map<string, Setting>();
  const notes: AgentNote[] = [];
  const fromTexts = (cfgs: readonly ConfigText[]): void => {
    for (const cfg of cfgs) if (/^[a-z0-9][a-z0-9-]*$/.test(cfg.key)) out.set(cfg.key, { value: cfg.text.trim(), at: new Located(cfg).at(0) });
  };
  fromTexts(ctx.configs);
  const built = role === 'agent' ? buildConfigSource(w) : undefined;
  if (built !== undefined) {
    const cfgs = ctx.lookup('ConfigMap', built.name);
    if (cfgs === undefined) {
      notes.push({ rule: 'config-not-found', severity: 'note', at: built.at, message: `cilium-agent's config init container builds its configuration from ConfigMap ${w.namespace}/${built.name}, which is not in the input; read with Cilium's defaults (CRD identities, CiliumEndpoints, no kvstore — the widest)`, fix: `pass the ${built.name} ConfigMap with the DaemonSet (helm template renders both)` });
    } else fromTexts(cfgs);
  }
  for (const [name, v] of c.env) {
    if (!name.startsWith('CILIUM_') || v.value === undefined) continue;
    const at = envAt(w, c, name);
    if (at !== undefined) out.set(name.slice('CILIUM_'.length).toLowerCase().replace(/_/g, '-'), { value: v.value, at });
  }
  for (const [name, f] of containerFlags(w, c)) out.set(name, f);
  return { get: (k) => out.get(k), notes };
}

function agentCalls(ctx: AgentContext, model: ModelConfig): AgentResult {
  const { workload: w, container: c } = ctx;
  const { get, notes } = settings(ctx, 'agent');
  const imageAt = w.f.loc([...c.path, 'image']);
  const configAt = w.f.loc(argPath(w, c, 0));
  const at = (k: string): Loc => get(k)?.at ?? configAt;
  const kvstore = (get('kvstore')?.value ?? '') !== '';
  const identityMode = get('identity-allocation-mode')?.value ?? 'crd';
  const ces = truthy(get('enable-cilium-endpoint-slice')?.value ?? 'false');
  const noCep = truthy(get('disable-endpoint-crd')?.value ?? 'false');
  const qps = Number(get('k8s-client-qps')?.value ?? 0) || undefined;
  // Before 1.8 every agent watched every pod and Node of the cluster (cilium/cilium#11249, "Watch for CEPs
  // in the cluster instead of all pods"); with disable-endpoint-crd it still watches every pod, at least
  // until it connects to a kvstore (cilium/cilium#34342). An image without a version is read as current.
  const version = imageVersion(c.image);
  const since = (major: number, minor: number): boolean => version === undefined || versionAtLeast(version, [major, minor, 0]);
  const old = !since(1, 8);
  const handover = kvstore && truthy(get('enable-k8s-event-handover')?.value ?? 'false');
  const calls: DerivedCall[] = [];
  const push = (name: string, verb: 'watch' | 'update' | 'patch', res: string, where: Loc, because: string, o: { scope?: 'cluster' | 'node'; periodS?: number } = {}): void => {
    calls.push({ profile: callProfile(`cilium-agent-${name}`, verb, res, { ...o, ...(qps !== undefined ? { qps } : {}) }), at: where, because, agent: 'cilium-agent' });
  };
  push('services', 'watch', 'services', imageAt, 'cilium-agent keeps an informer on every Service of the cluster (its load-balancing maps)');
  if (old) push('endpoints', 'watch', 'endpoints', imageAt, 'cilium-agent keeps an informer on every Endpoints object of the cluster (service backends; EndpointSlices from 1.8)');
  else push('endpointslices', 'watch', 'endpointslices', imageAt, 'cilium-agent keeps an informer on every EndpointSlice of the cluster (service backends)');
  if (old) {
    push('nodes-all', 'watch', 'nodes', imageAt, `cilium-agent ${version?.slice(0, 2).join('.') ?? ''} keeps an informer on every Node of the cluster (before 1.8)${handover ? ', stopped once connected to the kvstore (enable-k8s-event-handover)' : ''}`);
  } else {
    push('node', 'watch', 'nodes', imageAt, 'cilium-agent watches its own Node (metadata.name=<node>)', { scope: 'node' });
    push('local-ciliumnode', 'watch', 'ciliumnodes', imageAt, 'cilium-agent watches its own CiliumNode (metadata.name=<node>)', { scope: 'node' });
  }
  if (old || noCep) {
    push('pods-all', 'watch', 'pods', old ? imageAt : at('disable-endpoint-crd'), `cilium-agent keeps an informer on every pod of the cluster, on every node (${old ? `${version?.slice(0, 2).join('.') ?? ''}: before 1.8 agents watched all pods` : 'disable-endpoint-crd: pod IPs come from pods instead of CiliumEndpoints'})${handover ? ' until it connects to the kvstore (enable-k8s-event-handover); every start and reconnect lists them all' : ''}`);
  } else {
    push('pods', 'watch', 'pods', imageAt, 'cilium-agent watches the pods of its node (spec.nodeName=<node>)', { scope: 'node' });
  }
  push('namespaces', 'watch', 'namespaces', imageAt, 'cilium-agent keeps an informer on every Namespace (namespace labels in policies)');
  if (truthy(get('enable-k8s-networkpolicy')?.value ?? 'true')) push('networkpolicies', 'watch', 'networkpolicies', at('enable-k8s-networkpolicy'), 'cilium-agent keeps an informer on every NetworkPolicy of the cluster');
  push('cnp', 'watch', 'ciliumnetworkpolicies', imageAt, 'cilium-agent keeps an informer on every CiliumNetworkPolicy');
  if (since(1, 8)) push('ccnp', 'watch', 'ciliumclusterwidenetworkpolicies', imageAt, 'cilium-agent keeps an informer on every CiliumClusterwideNetworkPolicy');
  if (since(1, 13)) push('cidrgroups', 'watch', 'ciliumcidrgroups', imageAt, 'cilium-agent keeps an informer on every CiliumCIDRGroup');
  const kvAt = get('kvstore')?.at;
  if (!kvstore) {
    if (!old) push('ciliumnodes', 'watch', 'ciliumnodes', at('kvstore'), 'cilium-agent keeps an informer on every CiliumNode of the cluster for node discovery (no kvstore), on every node');
    if (!noCep) {
      if (ces) push('ciliumendpointslices', 'watch', 'ciliumendpointslices', at('enable-cilium-endpoint-slice'), 'cilium-agent keeps an informer on every CiliumEndpointSlice of the cluster (enable-cilium-endpoint-slice: batches of up to 100 endpoints, written by the operator at most 10 times a second)');
      else push('ciliumendpoints', 'watch', 'ciliumendpoints', get('enable-cilium-endpoint-slice')?.at ?? at('identity-allocation-mode'), 'cilium-agent keeps an informer on every CiliumEndpoint of the cluster — one per pod, each written as its pod starts — on every node (no kvstore, no enable-cilium-endpoint-slice)');
    }
  } else {
    notes.push({ rule: 'agent-config', severity: 'note', at: kvAt ?? configAt, message: 'Cilium: with a kvstore, agents learn nodes and endpoints from etcd, not from CiliumNode/CiliumEndpoint informers; that load falls on the kvstore (an etcd cluster of its own), which this analysis does not size', fix: 'none needed' });
  }
  if (identityMode === 'crd' || identityMode.startsWith('doublewrite')) {
    push('ciliumidentities', 'watch', 'ciliumidentities', at('identity-allocation-mode'), `cilium-agent keeps an informer on every CiliumIdentity of the cluster (identity-allocation-mode: ${identityMode})`);
  }
  // Writes: a CiliumEndpoint per pod event on its node (create + updates), its CiliumNode as often as it changes.
  if (!noCep) {
    const perS = DEFAULT_PODS_PER_NODE * model.objects.podEventsPerPodS;
    push('cep-writes', 'patch', 'ciliumendpoints', at('disable-endpoint-crd'), 'cilium-agent creates and updates a CiliumEndpoint for each pod it starts on its node', { periodS: 1 / Math.max(1e-9, perS) });
  }
  push('ciliumnode-writes', 'update', 'ciliumnodes', imageAt, 'cilium-agent updates its own CiliumNode (IPAM, addresses)', { periodS: 1 / Math.max(1e-9, model.objects.nodeEventsPerNodeS) });
  return { agent: 'cilium-agent', calls, notes };
}

function operatorCalls(ctx: AgentContext): AgentResult {
  const { workload: w, container: c } = ctx;
  const { get, notes } = settings(ctx, 'operator');
  const imageAt = w.f.loc([...c.path, 'image']);
  const at = (k: string): Loc => get(k)?.at ?? imageAt;
  const kvstore = (get('kvstore')?.value ?? '') !== '';
  const identityMode = get('identity-allocation-mode')?.value ?? 'crd';
  const ces = truthy(get('enable-cilium-endpoint-slice')?.value ?? 'false');
  const gcInterval = get('cilium-endpoint-gc-interval')?.value ?? '5m0s';
  // Leader election (HA operator) from 1.9; EndpointSlices and CiliumClusterwideNetworkPolicies from 1.8.
  const version = imageVersion(c.image);
  const since = (major: number, minor: number): boolean => version === undefined || versionAtLeast(version, [major, minor, 0]);
  const elected = since(1, 9);
  const calls: DerivedCall[] = [];
  const leader = (name: string, verb: 'watch' | 'update', res: string, where: Loc, because: string, periodS?: number, qps?: number): void => {
    calls.push({
      profile: callProfile(`cilium-operator-${name}`, verb, res, { ...(periodS !== undefined ? { periodS } : {}), ...(qps !== undefined ? { qps } : {}) }),
      at: where,
      because: elected ? `${because} (only the elected leader)` : `${because} (every replica: no leader election before 1.9)`,
      agent: 'cilium-operator',
      ...(elected ? { leaderOnly: true } : {}),
    });
  };
  leader('ciliumnodes', 'watch', 'ciliumnodes', imageAt, 'cilium-operator watches every CiliumNode (IPAM pools, node GC)');
  leader('nodes', 'watch', 'nodes', at('remove-cilium-node-taints'), 'cilium-operator watches every Node (CiliumNode sync, node taints, NetworkUnavailable)');
  if (!/^0+s?$/.test(gcInterval) || truthy(get('unmanaged-pod-watcher-interval')?.value ?? '0')) leader('pods', 'watch', 'pods', at('cilium-endpoint-gc-interval'), 'cilium-operator watches every pod (CiliumEndpoint garbage collection, unmanaged pods)');
  leader('services', 'watch', 'services', imageAt, 'cilium-operator watches every Service');
  if (since(1, 8)) leader('endpointslices', 'watch', 'endpointslices', imageAt, 'cilium-operator watches every EndpointSlice');
  else leader('endpoints', 'watch', 'endpoints', imageAt, 'cilium-operator watches every Endpoints object');
  if (!kvstore || ces) leader('ciliumendpoints', 'watch', 'ciliumendpoints', ces ? at('enable-cilium-endpoint-slice') : imageAt, `cilium-operator watches every CiliumEndpoint (${ces ? 'batching them into CiliumEndpointSlices, and ' : ''}garbage collection)`);
  if (ces) {
    leader('ciliumendpointslices', 'watch', 'ciliumendpointslices', at('enable-cilium-endpoint-slice'), 'cilium-operator watches every CiliumEndpointSlice');
    leader('ces-writes', 'update', 'ciliumendpointslices', at('enable-cilium-endpoint-slice'), `cilium-operator writes CiliumEndpointSlices at most ${CES_WRITE_QPS} times a second (--ces-write-qps-limit)`, 1 / CES_WRITE_QPS, CES_WRITE_QPS);
  }
  if (identityMode === 'crd' || identityMode.startsWith('doublewrite')) leader('ciliumidentities', 'watch', 'ciliumidentities', at('identity-allocation-mode'), 'cilium-operator watches every CiliumIdentity (identity garbage collection)');
  leader('cnp', 'watch', 'ciliumnetworkpolicies', imageAt, 'cilium-operator watches every CiliumNetworkPolicy (toGroups)');
  if (since(1, 8)) leader('ccnp', 'watch', 'ciliumclusterwidenetworkpolicies', imageAt, 'cilium-operator watches every CiliumClusterwideNetworkPolicy (toGroups)');
  if (!elected) return { agent: 'cilium-operator', calls, notes };
  leader('lease-renew', 'update', 'leases', imageAt, `cilium-operator renews its leader lease every ${LEASE_RETRY_S} s`, LEASE_RETRY_S);
  calls.push({
    profile: callProfile('cilium-operator-lease', 'get', 'leases', { scope: 'namespace', periodS: LEASE_RETRY_S }),
    at: imageAt,
    because: `every cilium-operator replica reads the leader lease every ${LEASE_RETRY_S} s (leader election retry period)`,
    agent: 'cilium-operator',
    namespaces: [w.namespace],
  });
  return { agent: 'cilium-operator', calls, notes };
}

function clustermeshCalls(w: WorkloadInfo, c: Container): AgentResult {
  const at = w.f.loc([...c.path, 'image']);
  const calls = ['ciliumendpoints', 'ciliumidentities', 'ciliumnodes', 'services', 'endpointslices', 'namespaces'].map((res) => ({
    profile: callProfile(`clustermesh-apiserver-${res}`, 'watch', res),
    at,
    because: `clustermesh-apiserver watches every ${res} of this cluster once and serves them to other clusters' agents through its etcd (a fan-out cache)`,
    agent: 'clustermesh-apiserver',
  }));
  return { agent: 'clustermesh-apiserver', calls, notes: [] };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'cilium-agent' ? 'enable CiliumEndpointSlices (enable-cilium-endpoint-slice: true) or a kvstore so agents stop watching every CiliumEndpoint and CiliumNode; keep the CiliumEndpoint CRD (no disable-endpoint-crd) and Cilium 1.8 or later, whose agents watch only their own pods' : undefined;

export const ciliumReader: AgentReader = {
  id: 'cilium',
  image: null,
  read: (ctx) => {
    const role = roleOf(ctx.container);
    if (role === 'agent') return agentCalls(ctx, ctx.model);
    if (role === 'operator') return operatorCalls(ctx);
    if (role === 'clustermesh') return clustermeshCalls(ctx.workload, ctx.container);
    return undefined;
  },
  mayRead: (image, c) => image.includes('cilium') || image.includes('clustermesh-apiserver') || (c.args[0] ?? '').includes('cilium'),
  fix: clusterWideFix,
};
