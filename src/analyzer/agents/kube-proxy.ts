/**
 * kube-proxy, read from its container (image, command-line flags) and its
 * KubeProxyConfiguration (`--config`, a key of the mounted ConfigMap, as
 * kubeadm ships it: kubernetes/kubernetes cmd/kubeadm/app/phases/addons/proxy/
 * manifests.go; or flags only, as cluster/addons/kube-proxy/kube-proxy-ds.yaml).
 *
 * What kube-proxy asks the API server (kubernetes/kubernetes
 * cmd/kube-proxy/app/server.go, `ProxyServer.Run` and `newProxyServer`):
 * - a Service informer on the whole cluster (label selector: no
 *   `service.kubernetes.io/service-proxy-name`; field selector
 *   `spec.clusterIP!=None` — the server still scans every Service);
 * - an EndpointSlice informer on the whole cluster (label selector: no
 *   `service.kubernetes.io/headless`). Before EndpointSliceProxying (alpha
 *   1.18, beta and on by default in 1.19, GA 1.22 — kubernetes.io "Feature
 *   Gates (removed)"), or with that gate off, an Endpoints informer instead;
 * - its own Node (NodeManager: an informer with the field selector
 *   `metadata.name=<node>`, a single-key read);
 * - with MultiCIDRServiceAllocator (GA and on by default in 1.33,
 *   kubernetes.io "Extend Service IP Ranges"), a ServiceCIDR informer;
 * - one event at start ("Starting", `birthCry`), written through events.k8s.io.
 * `configSyncPeriod` (default 15m) is the informers' resync period: the
 * handlers are re-run from the local cache, no request reaches the API server,
 * so it adds no call. Its RBAC is the bootstrap ClusterRole
 * `system:node-proxier` (plugin/pkg/auth/authorizer/rbac/bootstrappolicy).
 *
 * @example
 *   kubeProxyReader.read(ctx)?.calls.map((c) => c.profile.resource);   // ['services', 'endpointslices', 'nodes', 'events']
 */
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { argHas, callProfile, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { get, text, YamlConfig } from './config-text.ts';
import { containerFlags, type Flag } from './container-flags.ts';
import { imageVersion, versionAtLeast } from './image-version.ts';

/** A kube-proxy start writes one event; pods restart far less than daily, so one a day is an upper bound. */
const BIRTH_CRY_PERIOD_S = 86_400;

function runsKubeProxy(c: Container): boolean {
  if (/(^|\/)kube-proxy(-(amd64|arm64|arm|ppc64le|s390x))?(:|@|$)/.test(c.image.toLowerCase())) return true;
  // hyperkube images, or a kube-proxy binary started by a shell.
  return c.args.some((a, i) => /(^|[\s/])kube-proxy(\s|$)/.test(a) || (i > 0 && a === 'proxy' && /hyperkube$/.test(c.args[i - 1] ?? '')));
}

/** `featureGates` (config) and `--feature-gates` (flag) merged; the flag wins, as kube-proxy applies it last. */
function featureGates(y: YamlConfig | undefined, flags: Map<string, Flag>): Map<string, { on: boolean; at: Loc }> {
  const out = new Map<string, { on: boolean; at: Loc }>();
  const fg = y === undefined ? undefined : get(y.value, ['featureGates']);
  if (y !== undefined && isObj(fg)) for (const [k, v] of Object.entries(fg)) out.set(k, { on: v === true || text(v) === 'true', at: y.loc(['featureGates', k]) });
  const flag = flags.get('feature-gates');
  if (flag !== undefined) {
    for (const kv of flag.value.split(',')) {
      const [k, v] = kv.split('=');
      if (k !== undefined && k !== '') out.set(k.trim(), { on: (v ?? 'true').trim() === 'true', at: flag.at });
    }
  }
  return out;
}

/** The KubeProxyConfiguration named by `--config`, from the container's mounted ConfigMaps. */
function proxyConfig(cfgs: readonly ConfigText[], path: string | undefined): YamlConfig | undefined {
  const base = path?.split('/').pop();
  const candidates = cfgs.filter((c) => (base === undefined || c.key === base) && (c.text.includes('KubeProxyConfiguration') || c.text.includes('kubeproxy.config.k8s.io')) && /kind:\s*KubeProxyConfiguration|kubeproxy\.config\.k8s\.io/.test(c.text));
  for (const c of candidates) {
    const y = YamlConfig.parse(c);
    if (y !== undefined && isObj(y.value)) return y;
  }
  return undefined;
}

export function kubeProxy(w: WorkloadInfo, c: Container, cfgs: readonly ConfigText[]): AgentResult | undefined {
  if (!runsKubeProxy(c)) return undefined;
  const flags = containerFlags(w, c);
  const imageAt = w.f.loc([...c.path, 'image']);
  const configFlag = flags.get('config');
  const y = proxyConfig(cfgs, configFlag?.value);
  const notes: AgentNote[] = [];
  if (configFlag !== undefined && y === undefined && cfgs.length > 0) {
    notes.push({ rule: 'agent-config', severity: 'note', at: configFlag.at, message: `kube-proxy: --config=${configFlag.value} is not a KubeProxyConfiguration key of the ConfigMaps mounted into container ${c.name}; read with the defaults (every informer kube-proxy can start)`, fix: 'pass the kube-proxy ConfigMap with the DaemonSet' });
  }
  const gates = featureGates(y, flags);
  const version = imageVersion(c.image);
  const qpsFlag = flags.get('kube-api-qps')?.value;
  const qpsConfig = y === undefined ? undefined : get(y.value, ['clientConnection', 'qps']);
  const qps = Number(qpsFlag ?? (typeof qpsConfig === 'number' ? qpsConfig : undefined) ?? 5) || 5;
  const at = configFlag?.at ?? imageAt;

  const calls: DerivedCall[] = [
    {
      profile: callProfile('kube-proxy-services', 'watch', 'services', { qps }),
      at,
      because: 'kube-proxy keeps an informer on every Service of the cluster (its selectors drop headless and other proxies\' Services, but the server still scans them all); configSyncPeriod only replays its local cache',
      agent: 'kube-proxy',
    },
  ];
  // EndpointSlices unless the image predates EndpointSliceProxying (on by default from 1.19) or the gate is off.
  const sliceGate = gates.get('EndpointSliceProxying');
  const endpoints = sliceGate !== undefined ? !sliceGate.on : version !== undefined && !versionAtLeast(version, [1, 19, 0]);
  calls.push({
    profile: callProfile(endpoints ? 'kube-proxy-endpoints' : 'kube-proxy-endpointslices', 'watch', endpoints ? 'endpoints' : 'endpointslices', { qps }),
    at: sliceGate?.at ?? (endpoints ? imageAt : at),
    because: endpoints
      ? `kube-proxy ${sliceGate !== undefined ? 'with EndpointSliceProxying off' : `${c.image.split(':').pop() ?? ''} (before EndpointSlices, 1.19)`} keeps an informer on every Endpoints object of the cluster: each change sends a Service's whole endpoint list to every node`
      : 'kube-proxy keeps an informer on every EndpointSlice of the cluster (each node programs every Service\'s backends)',
    agent: 'kube-proxy',
  });
  calls.push({
    profile: callProfile('kube-proxy-node', 'watch', 'nodes', { scope: 'node', qps }),
    at: imageAt,
    because: 'kube-proxy watches its own Node (field selector metadata.name=<node>) for its IPs, pod CIDR and topology labels',
    agent: 'kube-proxy',
  });
  const cidrGate = gates.get('MultiCIDRServiceAllocator');
  if (cidrGate !== undefined ? cidrGate.on : version !== undefined && versionAtLeast(version, [1, 33, 0])) {
    calls.push({
      profile: callProfile('kube-proxy-servicecidrs', 'watch', 'servicecidrs', { qps }),
      at: cidrGate?.at ?? imageAt,
      because: 'kube-proxy watches ServiceCIDRs (MultiCIDRServiceAllocator, on by default from 1.33)',
      agent: 'kube-proxy',
    });
  }
  calls.push({
    profile: callProfile('kube-proxy-start-event', 'create', 'events', { periodS: BIRTH_CRY_PERIOD_S, qps }),
    at: imageAt,
    because: 'kube-proxy records a "Starting" event on its Node when it starts',
    agent: 'kube-proxy',
  });
  return { agent: 'kube-proxy', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'kube-proxy' ? 'kube-proxy must see every Service and EndpointSlice: keep it on EndpointSlices (1.19+, never EndpointSliceProxying=false) and protobuf, and split clusters past this size rather than add per-node watchers beside it' : undefined;

export const kubeProxyReader: AgentReader = {
  id: 'kube-proxy',
  image: null,
  read: (ctx) => kubeProxy(ctx.workload, ctx.container, ctx.configs),
  mayRead: (image, c) => image.includes('kube-proxy') || argHas(c, 'kube-proxy') || argHas(c, 'hyperkube'),
  fix: clusterWideFix,
};
