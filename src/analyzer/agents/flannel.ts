/**
 * Flannel (flanneld), read from its flags (or their `FLANNELD_*` environment
 * form) and its net-conf.json (the mounted ConfigMap key named by
 * `--net-config-path`, default /etc/kube-flannel/net-conf.json), as
 * flannel-io/flannel Documentation/kube-flannel.yml ships it.
 *
 * With `--kube-subnet-mgr` (flannel-io/flannel main.go, pkg/subnet/kube/kube.go):
 * - every flanneld keeps an informer on every Node of the cluster
 *   (`fields.Everything()`, resync 5 min — a local replay) to learn the
 *   other nodes' subnets and VTEP addresses; with `Backend.Type: alloc` it
 *   keeps none ("someone else … is taking care of the routing") and GETs its
 *   own Node instead;
 * - at start it GETs its own pod when NODE_NAME is not set (POD_NAME /
 *   POD_NAMESPACE), GETs its own Node (stored MAC and public IP), and patches
 *   its Node's status (lease annotations; NodeNetworkUnavailable=false unless
 *   `--set-node-network-unavailable=false`).
 * Without it flanneld keeps its subnet leases in etcd (`--etcd-endpoints`)
 * and makes no API-server call.
 *
 * @example
 *   flannelReader.read(ctx)?.calls.map((c) => `${c.profile.verb} ${c.profile.resource} ${c.profile.scope}`);   // ['watch nodes cluster', …]
 */
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { argHas, callProfile, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { Located, text, truthy } from './config-text.ts';
import { containerFlags, envAt } from './container-flags.ts';

/** Calls flanneld makes once per start; pods restart far less than daily, so one a day is an upper bound. */
const ONCE_PER_START_S = 86_400;

function runsFlanneld(c: Container): boolean {
  return c.args.some((a) => /(^|[\s/])flanneld(\s|$)/.test(a)) || (/(^|\/)flannel(:|@|$)/.test(c.image.toLowerCase()) && !c.args.some((a) => /install-(cni|conf)/.test(a) || a === 'cp'));
}

/** A flag or its FLANNELD_<NAME> environment form (flannel reads both; the flag wins). */
function setting(w: WorkloadInfo, c: Container, flags: ReturnType<typeof containerFlags>, name: string): { value: string; at: Loc } | undefined {
  const f = flags.get(name);
  if (f !== undefined) return f;
  const env = `FLANNELD_${name.toUpperCase().replace(/-/g, '_')}`;
  const e = c.env.get(env);
  const at = envAt(w, c, env);
  return e?.value !== undefined && at !== undefined ? { value: e.value, at } : undefined;
}

function netConf(cfgs: readonly ConfigText[], path: string): { backend: string; at: Loc } | undefined {
  const base = path.split('/').pop() ?? 'net-conf.json';
  for (const cfg of cfgs.filter((x) => x.key === base || /"Backend"\s*:/.test(x.text))) {
    try {
      const v: unknown = JSON.parse(cfg.text);
      const backend = isObj(v) && isObj(v.Backend) ? text(v.Backend.Type) : '';
      const i = cfg.text.indexOf('"Type"');
      return { backend: backend === '' ? 'udp' : backend, at: new Located(cfg).at(Math.max(0, i)) };
    } catch {
      continue;
    }
  }
  return undefined;
}

export function flannel(w: WorkloadInfo, c: Container, cfgs: readonly ConfigText[]): AgentResult | undefined {
  if (!runsFlanneld(c)) return undefined;
  const flags = containerFlags(w, c);
  const notes: AgentNote[] = [];
  const kubeMgr = setting(w, c, flags, 'kube-subnet-mgr');
  const imageAt = w.f.loc([...c.path, 'image']);
  if (kubeMgr === undefined || !truthy(kubeMgr.value)) {
    notes.push({ rule: 'agent-config', severity: 'note', at: kubeMgr?.at ?? imageAt, message: 'Flannel: without --kube-subnet-mgr flanneld keeps its subnet leases in etcd (--etcd-endpoints) and makes no API-server call; the load falls on that etcd', fix: 'none needed' });
    return { agent: 'flannel', calls: [], notes };
  }
  const conf = netConf(cfgs, setting(w, c, flags, 'net-config-path')?.value ?? '/etc/kube-flannel/net-conf.json');
  const calls: DerivedCall[] = [];
  const alloc = conf?.backend === 'alloc';
  if (!alloc) {
    calls.push({
      profile: callProfile('flannel-nodes', 'watch', 'nodes'),
      at: kubeMgr.at,
      because: `flanneld with --kube-subnet-mgr keeps an informer on every Node of the cluster (every node's subnet and ${conf?.backend ?? 'vxlan'} VTEP annotations), on every node`,
      agent: 'flannel',
    });
  }
  calls.push({
    profile: callProfile('flannel-own-node', 'get', 'nodes', { periodS: ONCE_PER_START_S }),
    at: alloc ? (conf?.at ?? kubeMgr.at) : kubeMgr.at,
    because: `flanneld GETs its own Node at start (stored MAC and public IP${alloc ? '; with Backend alloc it keeps no Node informer' : ''})`,
    agent: 'flannel',
  });
  if (c.env.get('NODE_NAME') === undefined && flags.get('node-name') === undefined) {
    calls.push({ profile: callProfile('flannel-own-pod', 'get', 'pods', { periodS: ONCE_PER_START_S }), at: envAt(w, c, 'POD_NAME') ?? kubeMgr.at, because: 'flanneld GETs its own pod at start to learn its node name (NODE_NAME is not set)', agent: 'flannel' });
  }
  calls.push({ profile: callProfile('flannel-node-status', 'patch', 'nodes/status', { periodS: ONCE_PER_START_S }), at: kubeMgr.at, because: 'flanneld patches its Node at start (subnet lease annotations, NodeNetworkUnavailable=false)', agent: 'flannel' });
  return { agent: 'flannel', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'flannel' ? 'flanneld --kube-subnet-mgr must watch every Node; past this size use a CNI whose node agents read through a fan-out cache (Calico with Typha, Cilium with CiliumEndpointSlices or a kvstore), or Backend alloc where the cloud routes pod CIDRs' : undefined;

export const flannelReader: AgentReader = {
  id: 'flannel',
  image: /flannel/,
  read: (ctx) => flannel(ctx.workload, ctx.container, ctx.configs),
  mayRead: (image, c) => image.includes('flannel') || argHas(c, 'flanneld'),
  fix: clusterWideFix,
};
