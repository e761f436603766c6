/**
 * Grafana Alloy (and Grafana Agent in flow mode, the same "River" syntax),
 * read from its configuration file (alloy-syntax.ts). Every component declared
 * at the top level runs; components inside a `declare` block run once per
 * instantiation of the custom component. Sources (grafana/alloy, commit cited
 * in the fixtures' headers):
 *
 * - `discovery.kubernetes` (docs/sources/reference/components/discovery/
 *   discovery.kubernetes.md; internal/component/discovery/kubernetes wraps
 *   Prometheus' Kubernetes SD): the informers of its `role`, in all namespaces
 *   or per `namespaces { names }`, narrowed by `selectors` (a pod `field =
 *   "spec.nodeName=" + sys.env("HOSTNAME")` scopes it to the node), plus nodes
 *   / namespaces for `attach_metadata` — the same mapping as Prometheus
 *   (prometheus.ts). Each component has its own informers, whoever uses its
 *   targets; `clustering` does not narrow discovery (every instance discovers
 *   everything and drops what another instance owns).
 * - `discovery.kubelet`: the local kubelet's /pods, no API-server call.
 * - `loki.source.kubernetes` (internal/component/loki/source/kubernetes/
 *   kubetail/tailer.go): one long-running `GET pods/log?follow=true` per target
 *   container, re-opened at least every hour (`maxTailerLifetime = 1h`) and
 *   then a GET of the pod; with `clustering { enabled = true }` and the
 *   process clustered (`--cluster.enabled=true`) the targets are split between
 *   the instances.
 * - `loki.source.podlogs` (internal/component/loki/source/podlogs/
 *   controller.go): a controller-runtime cache with informers on namespaces,
 *   pods and PodLogs of the whole cluster (`node_filter` only adds a
 *   client-side index: the pod informer stays cluster-wide), then tails like
 *   `loki.source.kubernetes` (`node_filter`: its node's pods only).
 * - `loki.source.kubernetes_events` (kubernetes_events.go): an event informer
 *   per namespace of `namespaces` (all when empty); with clustering each
 *   namespace is watched by the one instance that owns its key.
 * - `remote.kubernetes.configmap` / `.secret`: a GET of one object every
 *   `poll_frequency` (default 1m).
 * - `mimir.rules.kubernetes` (mimir/rules/kubernetes/rules.go): informers on
 *   namespaces and PrometheusRules, run by the instance that owns the
 *   component's key when clustered ("our own leadership election").
 * - `prometheus.operator.{podmonitors,servicemonitors,probes,scrapeconfigs}`
 *   (prometheus/operator/common/crdmanager.go): an informer on the CRD (in
 *   `namespaces`, else all), then Prometheus SD per monitor — estimated as one
 *   cluster-wide set for the role (`kubernetes_role`, endpoints by default),
 *   the worst case of the monitors' namespace selectors.
 * - `otelcol.processor.k8sattributes`: the OpenTelemetry k8sattributes
 *   informers (pods, filtered by `filter { node = … }`; ReplicaSets for the
 *   deployment name; namespaces / nodes when their metadata is extracted).
 * Other components that talk to the Kubernetes API, and `import.*` modules,
 * are not understood: a warning says so (their calls are not estimated).
 *
 * @example
 *   alloyReader.read(ctx)?.calls;   // alloy-pods-pods: a pod informer, node-filtered or not
 */
import { parseDuration } from '../../core/duration.ts';
import { DEFAULT_PODS_PER_NODE } from '../../model/kubernetes.ts';
import type { Scope } from '../../model/profile.ts';
import type { DerivedCall, DocPath, Loc } from '../types.ts';
import { callProfile, configHas, type AgentContext, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { AlloySyntaxError, evalExpr, parseAlloy, refsIn, type AlloyBlock, type AlloyValue, type EvalContext } from './alloy-syntax.ts';
import { Located, YamlConfig } from './config-text.ts';
import { prometheusSd } from './prometheus.ts';

/** A Prometheus-SD view of one discovery.kubernetes component, located in the Alloy text. */
class SdView extends YamlConfig {
  readonly #offsetOf: (path: DocPath) => number;
  constructor(cfg: ConfigText, value: unknown, offsetOf: (path: DocPath) => number) {
    super(cfg, value);
    this.#offsetOf = offsetOf;
  }
  override loc(path: DocPath): Loc {
    return this.at(this.#offsetOf(path));
  }
}

/** Seconds after which loki.source.kubernetes re-opens every log stream (kubetail/tailer.go maxTailerLifetime). */
export const ALLOY_MAX_TAILER_LIFETIME_S = 3600;
/** remote.kubernetes.* poll_frequency default (docs/sources/reference/components/remote/remote.kubernetes.configmap.md). */
const REMOTE_POLL_DEFAULT_S = 60;

interface Instance {
  readonly block: AlloyBlock;
  /** Labels of the custom-component instantiations it runs in ("feature/"), for distinct call names. */
  readonly prefix: string;
  /** The components of the same scope (top level or one declare instantiation), for references. */
  readonly scope: readonly AlloyBlock[];
}

// Both patterns need a `"` (a quick test first).
const looksLikeAlloy = (text: string): boolean => text.includes('"') && (/^\s*[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+\s+"[^"\n]*"\s*\{/m.test(text) || /^\s*declare\s+"[^"\n]*"\s*\{/m.test(text));

/** Components that run: top-level blocks, and declare bodies once per instantiation. */
function instances(top: readonly AlloyBlock[]): { list: Instance[]; unused: AlloyBlock[] } {
  const declares = new Map<string, AlloyBlock>();
  const collect = (bs: readonly AlloyBlock[]): void => {
    for (const b of bs) if (b.name === 'declare' && b.label !== undefined) {
      declares.set(b.label, b);
      collect(b.blocks);
    }
  };
  collect(top);
  const list: Instance[] = [];
  const used = new Set<string>();
  const walk = (bs: readonly AlloyBlock[], depth: number, prefix: string): void => {
    if (depth > 8) return;
    for (const b of bs) {
      if (b.name === 'declare') continue;
      const d = declares.get(b.name);
      if (d !== undefined) {
        used.add(b.name);
        walk(d.blocks, depth + 1, `${prefix}${b.label ?? b.name}-`);
        continue;
      }
      list.push({ block: b, scope: bs, prefix });
    }
  };
  walk(top, 0, '');
  return { list, unused: [...declares.values()].filter((d) => d.label !== undefined && !used.has(d.label)) };
}

export function alloy(ctx: AgentContext): AgentResult | undefined {
  const { workload: w, container: c } = ctx;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  let found = false;
  const hostNetwork = w.f.get([...w.podSpecPath, 'hostNetwork']) === true;
  const hostname = hostNetwork ? '<node hostname>' : '<pod hostname>';
  const evalCtx: EvalContext = {
    env: (n) => (c.env.has(n) ? `\${${n}}` : n === 'HOSTNAME' ? hostname : undefined),
    hostname,
  };
  // The process joins a cluster only with --cluster.enabled (docs/sources/reference/cli/run.md).
  const clustered = c.args.some((a, i) => /^--cluster\.enabled(=true)?$/.test(a) && (a.endsWith('=true') || c.args[i + 1] !== 'false'));

  for (const cfg of ctx.configs) {
    if (!looksLikeAlloy(cfg.text)) continue;
    const where = new Located(cfg);
    let file;
    try {
      file = parseAlloy(cfg.text);
    } catch (e) {
      if (!(e instanceof AlloySyntaxError)) throw e;
      found = true;
      notes.push({ rule: 'agent-config', severity: 'warn', at: where.at(e.offset), message: `Alloy: the configuration ${cfg.kind} ${cfg.configMap} key ${cfg.key} could not be read (${e.message}); its API calls are unknown and not estimated`, fix: 'fix the syntax (alloy fmt), or state the calls in a firebreak.dev/api-profile annotation' });
      continue;
    }
    found = true;
    const { list, unused } = instances(file.blocks);
    for (const d of unused) notes.push({ rule: 'agent-config', severity: 'note', at: where.at(d.offset), message: `Alloy: custom component ${d.label ?? ''} is declared but never used, so its components make no API call`, fix: 'none needed' });
    const attr = (b: AlloyBlock, name: string): AlloyValue | undefined => {
      const a = b.attrs.get(name);
      return a === undefined ? undefined : evalExpr(a.expr, evalCtx);
    };
    const attrAt = (b: AlloyBlock, name: string): Loc => where.at(b.attrs.get(name)?.offset ?? b.offset);
    const sub = (b: AlloyBlock, name: string): AlloyBlock | undefined => b.blocks.find((x) => x.name === name);
    const clusteringOn = (b: AlloyBlock): boolean => {
      const cb = sub(b, 'clustering');
      return cb !== undefined && attr(cb, 'enabled') === true;
    };
    const id = (b: AlloyBlock): string => `${b.name} "${b.label ?? ''}"`;
    let prefix = '';
    const slug = (b: AlloyBlock): string => `${prefix}${b.label ?? b.name}`.replace(/[^A-Za-z0-9_-]+/g, '-');
    const strings = (v: AlloyValue | undefined): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

    // The scope of pods a component's targets come from, following references through discovery.relabel.
    const targetScope = (inst: Instance, b: AlloyBlock, seen = new Set<AlloyBlock>()): { scope: Scope | 'kubelet' | 'unknown'; from: string } => {
      const a = b.attrs.get('targets');
      if (a === undefined) return { scope: 'unknown', from: 'no targets' };
      for (const ref of refsIn(a.expr)) {
        const target = inst.scope.find((x) => x.label !== undefined && ref.startsWith(`${x.name}.${x.label}.`));
        if (target === undefined || seen.has(target)) continue;
        seen.add(target);
        if (target.name === 'discovery.kubelet') return { scope: 'kubelet', from: id(target) };
        if (target.name === 'discovery.kubernetes') {
          const sels = target.blocks.filter((x) => x.name === 'selectors');
          const byNode = sels.some((s) => {
            const f = attr(s, 'field');
            return attr(s, 'role') === 'pod' && typeof f === 'string' && /(^|,)\s*spec\.nodeName\s*=\s*[^,\s]/.test(f);
          });
          const ns = sub(target, 'namespaces');
          return { scope: byNode ? 'node' : ns !== undefined ? 'namespace' : 'cluster', from: id(target) };
        }
        return targetScope(inst, target, seen);
      }
      return { scope: 'unknown', from: a.expr.map((t) => t.value).join('') };
    };

    // Log tails through the API server: per-client targets are fixed only when scoped to the node or clustered on a DaemonSet.
    const tails = (b: AlloyBlock, scope: Scope | 'kubelet' | 'unknown', from: string, at: Loc): void => {
      const distributed = clusteringOn(b) && clustered;
      if (clusteringOn(b) && !clustered) notes.push({ rule: 'agent-config', severity: 'note', at: where.at(sub(b, 'clustering')?.offset ?? b.offset), message: `Alloy: ${id(b)} enables clustering, but container ${c.name} does not run with --cluster.enabled=true, so each instance tails every target itself`, fix: 'add --cluster.enabled=true (the chart\'s alloy.clustering.enabled) or remove the clustering block' });
      const perNodeTargets = scope === 'node' || scope === 'kubelet' || (distributed && w.perNode);
      notes.push({
        rule: 'agent-config',
        severity: 'warn',
        at,
        message: `Alloy: ${id(b)} tails every target container's log through the API server (one long-running GET pods/log?follow=true each, exempt from APF, proxied from the kubelet)${perNodeTargets ? `: about ${DEFAULT_PODS_PER_NODE} streams per instance, one per container of the cluster in all` : `, and its targets (${from}) are ${scope === 'unknown' ? 'not known to this reader' : `the ${scope === 'namespace' ? 'selected namespaces\'' : 'whole cluster\'s'} pods`}${distributed ? ', split between the clustered instances' : ' on every instance'}`}; the streams' memory and CPU on the API servers are not in the estimate`,
        fix: 'collect from the node\'s files instead (local.file_match + loki.source.file with discovery filtered by spec.nodeName), or keep it on a small clustered Deployment with discovery limited to the namespaces you need',
      });
      if (!perNodeTargets) return;
      const perS = DEFAULT_PODS_PER_NODE / ALLOY_MAX_TAILER_LIFETIME_S;
      calls.push({ profile: callProfile(`alloy-${slug(b)}-get-pod-log`, 'get', 'pods/log', { scope: 'namespace', periodS: 1 / perS }), at, because: `Alloy ${id(b)} opens a log stream per container it tails (about ${DEFAULT_PODS_PER_NODE} per instance) and re-opens each at least every ${ALLOY_MAX_TAILER_LIFETIME_S} s (maxTailerLifetime)`, agent: 'alloy' });
      calls.push({ profile: callProfile(`alloy-${slug(b)}-get-pod`, 'get', 'pods', { scope: 'namespace', periodS: 1 / perS }), at, because: `Alloy ${id(b)} GETs the pod each time a log stream ends, to see whether its container terminated`, agent: 'alloy' });
    };

    for (const inst of list) {
      const b = inst.block;
      prefix = inst.prefix;
      const at = where.at(b.offset);
      switch (b.name) {
        case 'discovery.kubernetes': {
          const role = attr(b, 'role');
          const sd: Record<string, unknown> = { role: typeof role === 'string' ? role : '' };
          const ns = sub(b, 'namespaces');
          if (ns !== undefined) {
            const names = strings(attr(ns, 'names'));
            sd.namespaces = { names: names ?? [], own_namespace: attr(ns, 'own_namespace') === true };
          }
          const sels = b.blocks.filter((x) => x.name === 'selectors');
          const selectorValues = sels.map((s) => {
            const field = attr(s, 'field');
            const label = attr(s, 'label');
            if (field !== undefined && typeof field !== 'string') {
              notes.push({ rule: 'agent-config', severity: 'warn', at: attrAt(s, 'field'), message: `Alloy: the field selector of ${id(b)} could not be evaluated by this reader; the discovery is estimated without it (every ${typeof role === 'string' ? role : 'object'} of the cluster)`, fix: 'write the selector as a string, e.g. "spec.nodeName=" + sys.env("HOSTNAME")' });
            }
            return { role: attr(s, 'role'), ...(typeof field === 'string' ? { field } : {}), ...(typeof label === 'string' ? { label } : {}) };
          });
          if (sels.length > 0) sd.selectors = selectorValues;
          const am = sub(b, 'attach_metadata');
          if (am !== undefined) sd.attach_metadata = { node: attr(am, 'node') === true, namespace: attr(am, 'namespace') === true };
          const offsetOf = (path: DocPath): number => {
            const key = path[path.length - 1];
            if (key === 'role') return b.attrs.get('role')?.offset ?? b.offset;
            if (key === 'selectors') return sels[0]?.offset ?? b.offset;
            return b.offset;
          };
          const view = new SdView(cfg, { scrape_configs: [{ job_name: id(b), kubernetes_sd_configs: [sd] }] }, offsetOf);
          const r = prometheusSd(view, ['scrape_configs'], c, 'alloy', w.namespace);
          for (const x of r.calls) {
            calls.push({
              ...x,
              profile: { ...x.profile, name: x.profile.name.replace(/^alloy-sd-[a-z]+-/, `alloy-${slug(b)}-`) },
              because: x.because.replace(/^alloy kubernetes_sd_configs role (\w+) \(job [^)]*\)/, `Alloy ${id(b)} (role $1)`),
              agent: 'alloy',
            });
          }
          notes.push(...r.notes.map((n) => ({ ...n, message: n.message.replace(/^alloy: kubernetes_sd_configs/, `Alloy: ${id(b)}`) })));
          for (const s of sels) {
            const f = attr(s, 'field');
            if (typeof f === 'string' && /spec\.nodeName\s*=\s*<pod hostname>/.test(f)) {
              notes.push({ rule: 'agent-config', severity: 'note', at: attrAt(s, 'field'), message: `Alloy: the node selector of ${id(b)} uses the pod's hostname (constants.hostname, or HOSTNAME not set from spec.nodeName), which is not a node name unless the pod runs with hostNetwork: it selects no pod (cheap, but no targets)`, fix: 'set env HOSTNAME from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName) and use sys.env("HOSTNAME")' });
            }
          }
          break;
        }
        case 'discovery.kubelet':
          break; // the local kubelet's /pods: no API-server call
        case 'loki.source.kubernetes': {
          const t = targetScope(inst, b);
          tails(b, t.scope, t.from, at);
          break;
        }
        case 'loki.source.podlogs': {
          // controller-runtime cache.New(cfg, {Scheme}) with no per-object selectors: cluster-wide informers.
          for (const res of ['pods', 'namespaces', 'podlogs']) {
            calls.push({ profile: callProfile(`alloy-${slug(b)}-${res}`, 'watch', res), at, because: `Alloy ${id(b)} keeps a controller-runtime informer on every ${res === 'podlogs' ? 'PodLogs object' : res.replace(/s$/, '')} of the cluster${res === 'pods' && sub(b, 'node_filter') !== undefined ? ' (node_filter only filters client-side)' : ''}`, agent: 'alloy' });
          }
          const nf = sub(b, 'node_filter');
          const nodeFiltered = nf !== undefined && attr(nf, 'enabled') === true;
          tails(b, nodeFiltered ? 'node' : 'cluster', 'PodLogs selectors', at);
          break;
        }
        case 'loki.source.kubernetes_events': {
          const nss = strings(attr(b, 'namespaces')) ?? [];
          const owner = clusteringOn(b) && clustered;
          const targets: (string | null)[] = nss.length > 0 ? nss : [null];
          targets.forEach((n) => {
            calls.push({
              profile: callProfile(`alloy-${slug(b)}-events${n !== null ? `-${n}` : ''}`, 'watch', 'events', { scope: n !== null ? 'namespace' : 'cluster' }),
              at: attrAt(b, 'namespaces'),
              because: `Alloy ${id(b)} watches events ${n !== null ? `in namespace ${n}` : 'of every namespace'}${owner ? ' (clustered: only the instance that owns the namespace key)' : ''}`,
              agent: 'alloy',
              ...(n !== null ? { namespaces: [n] } : {}),
              ...(owner ? { leaderOnly: true } : {}),
            });
          });
          break;
        }
        case 'remote.kubernetes.configmap':
        case 'remote.kubernetes.secret': {
          const res = b.name.endsWith('secret') ? 'secrets' : 'configmaps';
          const pf = attr(b, 'poll_frequency');
          const period = typeof pf === 'string' ? (parseDuration(pf) ?? REMOTE_POLL_DEFAULT_S) : REMOTE_POLL_DEFAULT_S;
          calls.push({ profile: callProfile(`alloy-${slug(b)}-get-${res}`, 'get', res, { scope: 'namespace', periodS: period }), at: attrAt(b, 'poll_frequency'), because: `Alloy ${id(b)} GETs one ${res.replace(/s$/, '')} every ${period} s (poll_frequency)`, agent: 'alloy', namespaces: [typeof attr(b, 'namespace') === 'string' ? (attr(b, 'namespace') as string) : w.namespace] });
          break;
        }
        case 'mimir.rules.kubernetes': {
          for (const res of ['namespaces', 'prometheusrules']) {
            calls.push({ profile: callProfile(`alloy-${slug(b)}-${res}`, 'watch', res), at, because: `Alloy ${id(b)} watches every ${res === 'namespaces' ? 'namespace' : 'PrometheusRule'} of the cluster${clustered ? ' (only the instance that owns the component key, when clustered)' : ''}`, agent: 'alloy', ...(clustered ? { leaderOnly: true } : {}) });
          }
          break;
        }
        case 'prometheus.operator.podmonitors':
        case 'prometheus.operator.servicemonitors':
        case 'prometheus.operator.probes':
        case 'prometheus.operator.scrapeconfigs': {
          const kind = b.name.split('.').pop() ?? '';
          const nss = strings(attr(b, 'namespaces')) ?? [];
          const role = attr(b, 'kubernetes_role') === 'endpointslice' ? 'endpointslices' : 'endpoints';
          const roleRes = kind === 'podmonitors' ? ['pods'] : kind === 'servicemonitors' ? [role, 'services', 'pods'] : kind === 'probes' ? ['ingresses'] : [];
          (nss.length > 0 ? nss : [null]).forEach((n) => {
            calls.push({ profile: callProfile(`alloy-${slug(b)}-${kind}${n !== null ? `-${n}` : ''}`, 'watch', kind, { scope: n !== null ? 'namespace' : 'cluster' }), at: attrAt(b, 'namespaces'), because: `Alloy ${id(b)} watches ${kind} ${n !== null ? `in ${n}` : 'in all namespaces'}`, agent: 'alloy', ...(n !== null ? { namespaces: [n] } : {}) });
          });
          for (const res of roleRes) {
            calls.push({ profile: callProfile(`alloy-${slug(b)}-sd-${res}`, 'watch', res), at, because: `Alloy ${id(b)} runs Prometheus discovery for each monitor; estimated as one ${res} informer on the whole cluster (monitors' namespace selectors can narrow it; every instance discovers, clustering only splits the scraping)`, agent: 'alloy' });
          }
          if (kind === 'scrapeconfigs') notes.push({ rule: 'agent-config', severity: 'warn', at, message: `Alloy: ${id(b)} turns ScrapeConfig objects into service discovery this reader cannot see; those calls are not estimated`, fix: 'state the discovery calls in a firebreak.dev/api-profile annotation' });
          break;
        }
        case 'otelcol.processor.k8sattributes': {
          const f = sub(b, 'filter');
          const node = f !== undefined ? attr(f, 'node') : undefined;
          const ns = f !== undefined ? attr(f, 'namespace') : undefined;
          const byNode = typeof node === 'string' && node !== '' && !node.startsWith('<');
          const scope: Scope = byNode ? 'node' : typeof ns === 'string' && ns !== '' ? 'namespace' : 'cluster';
          calls.push({ profile: callProfile(`alloy-${slug(b)}-pods`, 'watch', 'pods', { scope }), at: where.at(f?.offset ?? b.offset), because: `Alloy ${id(b)} (OpenTelemetry k8sattributes) keeps a pod informer ${byNode ? 'filtered to its node' : scope === 'namespace' && typeof ns === 'string' ? `in namespace ${ns}` : 'on every pod of the cluster (no filter { node = … })'}`, agent: 'alloy', ...(scope === 'namespace' && typeof ns === 'string' ? { namespaces: [ns] } : {}) });
          const ex = sub(b, 'extract');
          const md = ex !== undefined ? strings(attr(ex, 'metadata')) : undefined;
          const wantsDeployment = md === undefined || md.includes('k8s.deployment.name') || md.includes('k8s.deployment.uid');
          if (wantsDeployment) calls.push({ profile: callProfile(`alloy-${slug(b)}-replicasets`, 'watch', 'replicasets'), at: where.at(ex?.offset ?? b.offset), because: `Alloy ${id(b)} watches every ReplicaSet of the cluster to name deployments`, agent: 'alloy' });
          const from = new Set((ex?.blocks ?? []).filter((x) => x.name === 'label' || x.name === 'annotation').map((x) => {
            const v = attr(x, 'from');
            return typeof v === 'string' ? v : 'pod';
          }));
          if (from.has('namespace')) calls.push({ profile: callProfile(`alloy-${slug(b)}-namespaces`, 'watch', 'namespaces'), at: where.at(ex?.offset ?? b.offset), because: `Alloy ${id(b)} extracts namespace labels/annotations`, agent: 'alloy' });
          if (from.has('node')) calls.push({ profile: callProfile(`alloy-${slug(b)}-nodes`, 'watch', 'nodes', { scope: byNode ? 'node' : 'cluster' }), at: where.at(ex?.offset ?? b.offset), because: `Alloy ${id(b)} extracts node labels/annotations`, agent: 'alloy' });
          break;
        }
        default:
          if (b.name.startsWith('import.')) {
            notes.push({ rule: 'agent-config', severity: 'warn', at, message: `Alloy: ${id(b)} imports modules this reader cannot see; any Kubernetes API calls of their components are not estimated`, fix: 'pass the module\'s configuration with the manifests, or state its calls in a firebreak.dev/api-profile annotation' });
          } else if (/kubernetes|k8s/.test(b.name)) {
            notes.push({ rule: 'agent-config', severity: 'warn', at, message: `Alloy: component ${b.name} talks to the Kubernetes API, but this reader does not model it; its calls are not estimated`, fix: 'state its calls in a firebreak.dev/api-profile annotation' });
          }
      }
    }
  }
  return found ? { agent: 'alloy', calls, notes } : undefined;
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'alloy' && call.profile.resource === 'pods' ? 'filter discovery.kubernetes to the node: `selectors { role = "pod" field = "spec.nodeName=" + sys.env("HOSTNAME") }` with HOSTNAME from the downward API, or use discovery.kubelet; remove discovery components nothing needs (every declared component runs)' : undefined;

export const alloyReader: AgentReader = {
  id: 'alloy',
  image: /(^|\/)alloy(:|@|$)|grafana\/agent(:|@|$)/,
  read: (ctx) => alloy(ctx),
  // Both of looksLikeAlloy's patterns need a `"`.
  mayRead: (_image, _c, configs) => configHas(configs, '"'),
  fix: clusterWideFix,
};

