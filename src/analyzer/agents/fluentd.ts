/**
 * Fluentd with fluent-plugin-kubernetes_metadata_filter, read from the
 * Fluentd configuration mounted into the container (`<filter …> @type
 * kubernetes_metadata </filter>` sections, following `@include`), or — for the
 * fluent/fluentd-kubernetes-daemonset images, whose configuration is built in
 * — from that image's own kubernetes.conf, configured by env vars
 * (fluent/fluentd-kubernetes-daemonset docker-image/v1.19/*\/conf/
 * kubernetes.conf, generated from templates/conf/kubernetes.conf.erb).
 * `"#{ENV['X'] || 'default'}"` values are evaluated against the container's
 * environment.
 *
 * What the filter does (fabric8io/fluent-plugin-kubernetes_metadata_filter
 * lib/fluent/plugin/filter_kubernetes_metadata.rb,
 * kubernetes_metadata_watch_pods.rb, kubernetes_metadata_watch_namespaces.rb,
 * kubernetes_metadata_cache_strategy.rb; README "K8S_NODE_NAME"):
 *
 * - `watch true` (the default): a pod watch — list with resourceVersion "0",
 *   then watch — with the field selector `spec.nodeName=$K8S_NODE_NAME` when
 *   that env var is set, else on every pod of the cluster (the plugin then
 *   logs "!! The environment variable 'K8S_NODE_NAME' is not set to the node
 *   name which can affect the API server and watch efficiency !!"), and a
 *   watch on every namespace;
 * - whatever `watch` says: on a miss of its container-id cache (`cache_size`
 *   1000 entries, `cache_ttl` 3600 s, `cache_ttl < 0`: no expiry) a GET of the
 *   pod and, unless `skip_namespace_metadata`, of its namespace (both
 *   resourceVersion "0"): for about the node's ~30 containers, each TTL and
 *   for every new pod (the model's pod churn), as fluent-bit.ts estimates it.
 *
 * Plugin versions before 2.1.0 had no node filter and before 2.7.0 listed
 * from etcd; the images of fluentd-kubernetes-daemonset ship 3.x, which this
 * reader assumes.
 *
 * @example
 *   fluentdReader.read(ctx)?.calls;   // fluentd-pods (node with K8S_NODE_NAME, else cluster), -namespaces, -get-pod
 */
import { DEFAULT_PODS_PER_NODE } from '../../model/kubernetes.ts';
import type { Scope } from '../../model/profile.ts';
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { Located } from './config-text.ts';

/** The kubernetes_metadata filter of the fluent/fluentd-kubernetes-daemonset images (docker-image/v1.19/debian-elasticsearch8/conf/kubernetes.conf). */
export const DAEMONSET_IMAGE_FILTER = `<filter kubernetes.**>
  @type kubernetes_metadata
  @id filter_kube_metadata
  skip_labels "#{ENV['FLUENT_KUBERNETES_METADATA_SKIP_LABELS'] || 'false'}"
  skip_container_metadata "#{ENV['FLUENT_KUBERNETES_METADATA_SKIP_CONTAINER_METADATA'] || 'false'}"
  skip_master_url "#{ENV['FLUENT_KUBERNETES_METADATA_SKIP_MASTER_URL'] || 'false'}"
  skip_namespace_metadata "#{ENV['FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA'] || 'false'}"
  watch "#{ENV['FLUENT_KUBERNETES_WATCH'] || 'true'}"
</filter>
`;

/** cache_ttl default, seconds (filter_kubernetes_metadata.rb `config_param :cache_ttl, :integer, default: 60 * 60`). */
export const FLUENTD_CACHE_TTL_S = 3600;

interface Section {
  readonly name: string;
  readonly arg: string;
  readonly params: ReadonlyMap<string, { readonly value: string; readonly offset: number }>;
  readonly offset: number;
  readonly cfg: ConfigText | undefined;
}

/** `<name arg>` sections (any depth) and their `key value` parameters, following `@include` to other keys of the same mounts. */
export function fluentdSections(cfg: ConfigText | undefined, text: string, siblings: readonly ConfigText[], seen = new Set<string>()): Section[] {
  const out: Section[] = [];
  const stack: { name: string; arg: string; params: Map<string, { value: string; offset: number }>; offset: number }[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lead = raw.length - raw.trimStart().length;
    const line = stripComment(raw).trim();
    const at = offset + lead;
    offset += raw.length + 1;
    if (line === '') continue;
    const open = /^<([A-Za-z_][\w-]*)\s*([^>]*)>$/.exec(line);
    const close = /^<\/([A-Za-z_][\w-]*)\s*>$/.exec(line);
    const inc = /^@include\s+"?([^"\s]+)"?/.exec(line);
    if (close !== null) {
      const s = stack.pop();
      if (s !== undefined) out.push({ name: s.name, arg: s.arg, params: s.params, offset: s.offset, cfg });
    } else if (open !== null) {
      stack.push({ name: open[1] ?? '', arg: (open[2] ?? '').trim(), params: new Map(), offset: at });
    } else if (inc !== null && stack.length === 0) {
      const target = inc[1] ?? '';
      const base = target.split('/').pop() ?? '';
      const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      for (const sib of siblings) {
        if (!re.test(sib.key) || seen.has(`${sib.configMap}/${sib.key}`)) continue;
        seen.add(`${sib.configMap}/${sib.key}`);
        out.push(...fluentdSections(sib, sib.text, siblings, seen));
      }
    } else {
      const kv = /^(@?[\w.-]+)\s*(.*)$/.exec(line);
      const top = stack[stack.length - 1];
      if (kv !== null && top !== undefined) top.params.set(kv[1] ?? '', { value: (kv[2] ?? '').trim(), offset: at });
    }
  }
  return out;
}

/** A `#` starts a comment outside quotes, but `#{` is Ruby interpolation. */
function stripComment(line: string): string {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q !== undefined) {
      if (ch === '\\') i++;
      else if (ch === q) q = undefined;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (ch === '#' && line[i + 1] !== '{') return line.slice(0, i);
  }
  return line;
}

/** The environment as the filter sees it: a literal value, '<set>' for one known only at run time, undefined when unset. */
function envValue(c: Container, name: string): string | undefined {
  const e = c.env.get(name);
  if (e === undefined) return undefined;
  return e.value ?? '<set>';
}

/** A parameter value with `"#{ENV['X'] || 'd'}"` interpolation evaluated; undefined when it cannot be. */
export function fluentdValue(raw: string, c: Container): string | undefined {
  let v = raw.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  let ok = true;
  const out = v.replace(/#\{([^}]*)\}/g, (_, expr: string) => {
    const m = /^\s*ENV(?:\[\s*['"]([\w]+)['"]\s*\]|\.fetch\(\s*['"]([\w]+)['"]\s*(?:,\s*['"]([^'"]*)['"]\s*)?\))\s*(?:\|\|\s*['"]([^'"]*)['"]\s*)?$/.exec(expr);
    if (m === null) {
      ok = false;
      return '';
    }
    const name = m[1] ?? m[2] ?? '';
    const env = envValue(c, name);
    return env ?? m[3] ?? m[4] ?? '';
  });
  return ok ? out : undefined;
}

const isTrue = (v: string | undefined, dflt: boolean): boolean => (v === undefined || v === '' ? dflt : /^(true|yes|on|1|<set>)$/i.test(v));

export function fluentd(w: WorkloadInfo, c: Container, cfgs: readonly ConfigText[], podEventsPerPodS: number, builtIn: boolean, imageIsFluentd: boolean): AgentResult | undefined {
  const filters: Section[] = [];
  let found = false;
  for (const cfg of cfgs) {
    if (!cfg.text.includes('<') || !/^\s*<(source|filter|match|label|system)\b/m.test(cfg.text)) continue;
    const included = cfgs.some((o) => o !== cfg && new RegExp(`^\\s*@include\\s+"?\\S*${cfg.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*$`, 'm').test(o.text));
    if (included) continue;
    found = true;
    for (const s of fluentdSections(cfg, cfg.text, cfgs)) if (s.name === 'filter' && s.params.get('@type')?.value === 'kubernetes_metadata') filters.push(s);
  }
  // The daemonset images' own configuration, unless a mounted one replaces it.
  if (builtIn && filters.length === 0 && !replacesBuiltIn(w, c)) {
    found = true;
    for (const s of fluentdSections(undefined, DAEMONSET_IMAGE_FILTER, [])) if (s.name === 'filter') filters.push(s);
  }
  // A container that does not run a fluentd image is taken for Fluentd only when it configures the filter.
  if (!found || (!imageIsFluentd && filters.length === 0)) return undefined;
  const imageAt: Loc = w.f.loc([...c.path, 'image']);
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const envAt = (name: string): Loc => {
    const i = (w.f.list([...c.path, 'env']) ?? []).findIndex((e) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name);
    return i >= 0 ? w.f.loc([...c.path, 'env', i]) : imageAt;
  };
  filters.forEach((f, k) => {
    const where = f.cfg !== undefined ? new Located(f.cfg) : undefined;
    const at = (key?: string): Loc => {
      if (where === undefined) {
        const envName = key === 'watch' ? 'FLUENT_KUBERNETES_WATCH' : key === 'skip_namespace_metadata' ? 'FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA' : undefined;
        return envName !== undefined && c.env.has(envName) ? envAt(envName) : imageAt;
      }
      return where.at(key !== undefined ? (f.params.get(key)?.offset ?? f.offset) : f.offset);
    };
    const param = (key: string): string | undefined => {
      const p = f.params.get(key);
      return p === undefined ? undefined : fluentdValue(p.value, c);
    };
    const suffix = filters.length > 1 ? `-${k + 1}` : '';
    const src = where === undefined ? `kubernetes_metadata filter (built into ${c.image})` : 'kubernetes_metadata filter';
    const watch = isTrue(param('watch'), true);
    const nodeName = envValue(c, 'K8S_NODE_NAME');
    const byNode = nodeName !== undefined && nodeName.trim() !== '';
    if (watch) {
      const scope: Scope = byNode ? 'node' : 'cluster';
      calls.push({
        profile: callProfile(`fluentd-pods${suffix}`, 'watch', 'pods', { scope }),
        at: byNode ? envAt('K8S_NODE_NAME') : at('watch'),
        because: `Fluentd's ${src} watches ${byNode ? 'the pods of its node (spec.nodeName=$K8S_NODE_NAME)' : 'every pod of the cluster: K8S_NODE_NAME is not set'} (watch ${param('watch') ?? 'true (default)'})`,
        agent: 'fluentd',
      });
      calls.push({ profile: callProfile(`fluentd-namespaces${suffix}`, 'watch', 'namespaces'), at: at('watch'), because: `Fluentd's ${src} watches every namespace (watch)`, agent: 'fluentd' });
      if (!byNode) {
        notes.push({ rule: 'agent-config', severity: 'warn', at: at('watch'), message: `Fluentd: container ${c.name} does not set K8S_NODE_NAME, so its ${src} watches every pod of the cluster from every node ("!! The environment variable 'K8S_NODE_NAME' is not set to the node name which can affect the API server and watch efficiency !!")`, fix: 'add env K8S_NODE_NAME from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName), as fluentd-kubernetes-daemonset\'s manifests do since 2022' });
      }
    }
    const ttlRaw = param('cache_ttl');
    const ttl = ttlRaw === undefined || ttlRaw === '' || Number.isNaN(Number(ttlRaw)) ? FLUENTD_CACHE_TTL_S : Number(ttlRaw);
    const perS = DEFAULT_PODS_PER_NODE * (podEventsPerPodS + (ttl > 0 ? 1 / ttl : 0));
    const period = 1 / Math.max(1e-9, perS);
    calls.push({ profile: callProfile(`fluentd-get-pod${suffix}`, 'get', 'pods', { scope: 'namespace', rv: '0', periodS: period }), at: at('cache_ttl'), because: `Fluentd's ${src} GETs the pod of each container it sees when its cache entry is missing or expired (cache_ttl ${ttl} s${ttl > 0 ? '' : ': never'}) and for each new pod`, agent: 'fluentd' });
    if (!isTrue(param('skip_namespace_metadata'), false)) {
      calls.push({ profile: callProfile(`fluentd-get-namespace${suffix}`, 'get', 'namespaces', { scope: 'cluster', rv: '0', periodS: period }), at: at('skip_namespace_metadata'), because: `Fluentd's ${src} GETs the namespace with each pod it fetches (skip_namespace_metadata is off)`, agent: 'fluentd' });
    }
  });
  return { agent: 'fluentd', calls, notes };
}

/** Whether a volume is mounted over the image's /fluentd/etc (or its kubernetes.conf). */
function replacesBuiltIn(w: WorkloadInfo, c: Container): boolean {
  return (w.f.list([...c.path, 'volumeMounts']) ?? []).some((m) => {
    if (typeof m !== 'object' || m === null) return false;
    const p = (m as { mountPath?: unknown }).mountPath;
    return typeof p === 'string' && /^\/fluentd\/etc\/?(kubernetes\.conf)?$/.test(p);
  });
}

const DAEMONSET_IMAGE = /fluentd-kubernetes-daemonset/;

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'fluentd' && call.profile.resource === 'pods' ? 'set env K8S_NODE_NAME from the downward API (spec.nodeName) so the kubernetes_metadata filter watches only its node\'s pods' : undefined;

export const fluentdReader: AgentReader = {
  id: 'fluentd',
  image: /fluentd/,
  read: (ctx) => fluentd(ctx.workload, ctx.container, ctx.configs, ctx.model.objects.podEventsPerPodS, DAEMONSET_IMAGE.test(ctx.container.image.toLowerCase()), /fluentd/.test(ctx.container.image.toLowerCase())),
  // A configuration with sections (`<filter …>`), or the daemonset image's own.
  mayRead: (image, _c, configs) => image.includes('fluentd') || configHas(configs, '<'),
  fix: clusterWideFix,
};
