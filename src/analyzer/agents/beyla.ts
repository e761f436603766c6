/**
 * Grafana Beyla (eBPF auto-instrumentation; its Kubernetes code is
 * OpenTelemetry eBPF Instrumentation's, open-telemetry/
 * opentelemetry-ebpf-instrumentation), read from its YAML configuration
 * (`attributes.kubernetes`) and the env vars that override it
 * (BEYLA_KUBE_* or OTEL_EBPF_KUBE_*; grafana/beyla
 * docs/sources/configure/metrics-traces-attributes.md):
 *
 * - with Kubernetes metadata on (`enable: true` or `autodetect`; the Helm
 *   chart turns it on), each Beyla keeps informers (pkg/kubecache/meta/
 *   informers_init.go) on every pod, node and service of the cluster — the
 *   docs: "When you deploy Beyla as a DaemonSet in very large clusters, all
 *   the Beyla instances creating multiple informers might overload the
 *   Kubernetes API"; `meta_restrict_local_node` narrows pods
 *   (`spec.nodeName=`) and nodes (`metadata.name=`) to its node, services
 *   stay cluster-wide; `disable_informers: [node, service]` drops those;
 * - with `meta_cache_address` (the chart sets BEYLA_KUBE_META_CACHE_ADDRESS
 *   when `k8sCache.replicas` > 0) Beyla asks the beyla-k8s-cache service over
 *   gRPC instead and makes no informer of its own: a fan-out cache;
 * - the cache (image grafana/beyla-k8s-cache, a Deployment) runs the same
 *   informers, unrestricted, once per replica.
 *
 * The resync period (30 min by default) replays the informers' local cache;
 * it is not an API call.
 *
 * @example
 *   beylaReader.read(ctx)?.calls;   // beyla-pods (cluster), beyla-nodes, beyla-services — or none behind the cache
 */
import type { Scope } from '../../model/profile.ts';
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { get, text, truthy, YamlConfig } from './config-text.ts';

const CACHE_IMAGE = /(^|\/)beyla-k8s-cache(:|@|$)/;

/** An env var by its Beyla or OBI name: the value, and where it is set. */
function envOf(w: WorkloadInfo, c: Container, suffix: string): { value: string; at: Loc } | undefined {
  for (const name of [`BEYLA_${suffix}`, `OTEL_EBPF_${suffix}`]) {
    const e = c.env.get(name);
    if (e === undefined) continue;
    const i = (w.f.list([...c.path, 'env']) ?? []).findIndex((x) => isObj(x) && x.name === name);
    return { value: e.value ?? '<set>', at: w.f.loc(i >= 0 ? [...c.path, 'env', i] : [...c.path, 'env']) };
  }
  return undefined;
}

export function beyla(w: WorkloadInfo, c: Container, cfgs: readonly ConfigText[]): AgentResult | undefined {
  const image = c.image.toLowerCase();
  const cacheImage = CACHE_IMAGE.test(image);
  if (!cacheImage && !/(^|\/)beyla(:|@|$)/.test(image)) return undefined;
  const imageAt = w.f.loc([...c.path, 'image']);
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  if (cacheImage) {
    for (const res of ['pods', 'nodes', 'services']) {
      calls.push({ profile: callProfile(`beyla-cache-${res}`, 'watch', res), at: imageAt, because: `the Beyla Kubernetes metadata cache watches every ${res.replace(/s$/, '')} of the cluster once per replica and serves them to the Beyla agents over gRPC`, agent: 'beyla-k8s-cache' });
    }
    return { agent: 'beyla-k8s-cache', calls, notes };
  }
  // The configuration file (attributes.kubernetes), then the env vars that override it.
  let kube: Record<string, unknown> = {};
  let at: (key?: string) => Loc = () => imageAt;
  for (const cfg of cfgs) {
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isObj(y.value)) continue;
    const k = get(y.value, ['attributes', 'kubernetes']);
    if (!isObj(k)) continue;
    kube = { ...k };
    at = (key) => y.loc(key !== undefined && key in k ? ['attributes', 'kubernetes', key] : ['attributes', 'kubernetes']);
  }
  const setting = (key: string, env: string): { value: string; at: Loc } | undefined => {
    const e = envOf(w, c, env);
    if (e !== undefined) return e;
    const v = kube[key];
    if (v === undefined || v === null) return undefined;
    return { value: Array.isArray(v) ? v.map(text).join(',') : text(v), at: at(key) };
  };
  const enable = setting('enable', 'KUBE_METADATA_ENABLE');
  // Not decided by env and its configuration file is not in the input: unknown, not "no calls".
  const seen = new Set(cfgs.map((x) => `${x.kind}/${x.configMap}`));
  if (enable === undefined && c.mounts.some((m) => !m.optional && !seen.has(`${m.kind}/${m.name}`))) return undefined;
  const on = enable !== undefined && (truthy(enable.value) || enable.value.toLowerCase() === 'autodetect');
  if (!on) return { agent: 'beyla', calls, notes };
  const cache = setting('meta_cache_address', 'KUBE_META_CACHE_ADDRESS');
  if (cache !== undefined && cache.value !== '') return { agent: 'beyla', calls, notes }; // the k8s-cache fans the metadata out
  const restrict = setting('meta_restrict_local_node', 'KUBE_META_RESTRICT_LOCAL_NODE');
  const local = restrict !== undefined && truthy(restrict.value);
  const disabled = new Set((setting('disable_informers', 'KUBE_DISABLE_INFORMERS')?.value ?? '').split(/[\s,]+/).map((x) => x.trim().toLowerCase()).filter((x) => x !== ''));
  const scope: Scope = local ? 'node' : 'cluster';
  const where = local && restrict !== undefined ? restrict.at : enable.at;
  calls.push({ profile: callProfile('beyla-pods', 'watch', 'pods', { scope }), at: where, because: `Beyla watches ${local ? 'the pods of its node (meta_restrict_local_node)' : 'every pod of the cluster for Kubernetes metadata (no meta_cache_address, no meta_restrict_local_node)'}`, agent: 'beyla' });
  if (!disabled.has('node')) calls.push({ profile: callProfile('beyla-nodes', 'watch', 'nodes', { scope }), at: where, because: `Beyla watches ${local ? 'its own node' : 'every node'} for node metadata`, agent: 'beyla' });
  if (!disabled.has('service')) calls.push({ profile: callProfile('beyla-services', 'watch', 'services'), at: enable.at, because: 'Beyla watches every service of the cluster (also with meta_restrict_local_node; disable_informers: [service] turns it off)', agent: 'beyla' });
  return { agent: 'beyla', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'beyla' && call.profile.resource === 'pods' ? 'deploy the beyla-k8s-cache (chart k8sCache.replicas ≥ 1, sets BEYLA_KUBE_META_CACHE_ADDRESS) so the agents ask it instead of watching the API server, or set BEYLA_KUBE_META_RESTRICT_LOCAL_NODE=true' : undefined;

export const beylaReader: AgentReader = {
  id: 'beyla',
  image: /(^|\/)beyla(-k8s-cache)?(:|@|$)/,
  read: (ctx) => beyla(ctx.workload, ctx.container, ctx.configs),
  mayRead: (image) => image.includes('beyla'),
  fix: clusterWideFix,
};
