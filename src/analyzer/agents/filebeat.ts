/**
 * Filebeat, read from `filebeat.yml` (dotted keys such as `filebeat.inputs:`
 * and nested ones are the same setting, as libbeat reads them):
 *
 * - every `add_kubernetes_metadata` processor (top level, or in an input's
 *   `processors` — each is its own instance with its own watchers;
 *   elastic/beats libbeat/processors/add_kubernetes_metadata/kubernetes.go and
 *   config.go; docs/reference/filebeat/add-kubernetes-metadata.md): a pod
 *   informer on its node (`scope: node`, the default: field selector
 *   `spec.nodeName=<node>`, elastic/elastic-agent-autodiscover
 *   kubernetes/informer.go) or on the whole cluster (`scope: cluster`), in one
 *   `namespace` when set; `add_resource_metadata` (metadata/config.go
 *   defaults): its node (`metadata.name=<node>`; every node with `scope:
 *   cluster`) unless `node.enabled: false`, every namespace unless
 *   `namespace.enabled: false`, every ReplicaSet (metadata only) with
 *   `deployment: true`, every Job with `cronjob: true`;
 * - every `kubernetes` autodiscover provider (`filebeat.autodiscover.
 *   providers`; docs/reference/filebeat/configuration-autodiscover.md): the
 *   same informers for `resource: pod` (the default), its node or all nodes for
 *   `resource: node`, every service for `resource: service`; with `unique:
 *   true` only the holder of the `leader_lease` (default beats-cluster-leader)
 *   runs the templates and no informer is started, while every Filebeat tries
 *   the lease each `leader_retryperiod` (2 s; lease 15 s, renew deadline 10 s).
 *
 * The node is the `node` setting, else found at start by GETting its own pod
 * (the pod's hostname — not its name under hostNetwork), else the env var
 * NODE_NAME, else by matching /etc/machine-id against a LIST of every node
 * (kubernetes/util.go DiscoverKubernetesNode); the one-time calls are not
 * estimated, the machine-id LIST is named in a note. Informers list from the
 * watch cache (client-go reflector).
 *
 * @example
 *   filebeatReader.read(ctx)?.calls;   // filebeat-akm-pods (node), -nodes (node), -namespaces (cluster)
 */
import { parseDuration } from '../../core/duration.ts';
import type { Scope } from '../../model/profile.ts';
import { isObj, type Obj } from '../objects.ts';
import type { DerivedCall, DocPath, Loc } from '../types.ts';
import type { Container } from '../workloads.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { envRefs, text, truthy, YamlConfig } from './config-text.ts';

/** Beats leader election defaults (configuration-autodiscover.md: leader_leaseduration 15s, leader_renewdeadline 10s, leader_retryperiod 2s). */
export const BEATS_LEADER_RETRY_S = 2;

type Mutable = Record<string, unknown>;
/** Where each key of an expanded object was written in the document. */
const ORIGIN = new WeakMap<object, Map<string, DocPath>>();

/**
 * The configuration as libbeat reads it: `a.b: x` is `a: { b: x }` (dotted keys
 * expanded and merged with nested ones), each key remembering its path in the
 * document for locations.
 */
export function expandDotted(v: unknown, path: DocPath = []): unknown {
  if (Array.isArray(v)) {
    const out = v.map((x, i) => expandDotted(x, [...path, i]));
    ORIGIN.set(out, new Map(out.map((_, i) => [String(i), [...path, i]])));
    return out;
  }
  if (!isObj(v)) return v;
  const out: Mutable = {};
  ORIGIN.set(out, new Map());
  for (const [k, x] of Object.entries(v)) {
    const parts = k.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      const existing = cur[p];
      let next: Mutable;
      if (isObj(existing)) next = existing;
      else {
        next = {};
        ORIGIN.set(next, new Map());
        cur[p] = next;
        ORIGIN.get(cur)?.set(p, [...path, k]);
      }
      cur = next;
    }
    const last = parts[parts.length - 1] ?? k;
    const value = expandDotted(x, [...path, k]);
    const prev = cur[last];
    if (isObj(prev) && isObj(value)) {
      for (const [kk, vv] of Object.entries(value)) {
        (prev as Mutable)[kk] = vv;
        const o = ORIGIN.get(value)?.get(kk);
        if (o !== undefined) ORIGIN.get(prev)?.set(kk, o);
      }
    } else {
      cur[last] = value;
      ORIGIN.get(cur)?.set(last, [...path, k]);
    }
  }
  return out;
}

/** The value at `keys` of an expanded configuration, and the document path where it was written (the deepest one known). */
export function lookup(v: unknown, keys: readonly string[], base: DocPath): { value: unknown; path: DocPath } {
  let cur = v;
  let path = base;
  for (const k of keys) {
    if (!isObj(cur)) return { value: undefined, path };
    path = ORIGIN.get(cur)?.get(k) ?? path;
    cur = cur[k];
  }
  return { value: cur, path };
}

interface Processor {
  readonly conf: Obj;
  readonly path: DocPath;
  /** Keys from the document root (`filebeat.autodiscover.providers.0.templates…`). */
  readonly keys: readonly string[];
}

/** Every add_kubernetes_metadata processor in the (expanded) document, with its path. */
function processors(v: unknown, path: DocPath, keys: readonly string[], out: Processor[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => processors(x, ORIGIN.get(v)?.get(String(i)) ?? [...path, i], [...keys, String(i)], out));
    return;
  }
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const p = ORIGIN.get(v)?.get(k) ?? [...path, k];
    if (k === 'add_kubernetes_metadata') out.push({ conf: isObj(x) ? x : {}, path: p, keys: [...keys, k] });
    else processors(x, p, [...keys, k], out);
  }
}

export function filebeat(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string, hostNetwork: boolean, imageIsBeat: boolean): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!(cfg.text.includes('filebeat') || cfg.text.includes('processors') || cfg.text.includes('output')) || !/(^|\n)\s*(filebeat|processors|output)[.:]/.test(cfg.text)) continue;
    if (!imageIsBeat && !cfg.text.includes('filebeat')) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isObj(y.value)) continue;
    const doc = expandDotted(y.value);
    const has = (...keys: string[]): boolean => lookup(doc, keys, []).value !== undefined;
    const isBeat = has('filebeat', 'inputs') || has('filebeat', 'autodiscover') || has('filebeat', 'config');
    if (!isBeat && !(imageIsBeat && (has('processors') || has('output')))) continue;
    found = true;
    let n = 0;
    const suffix = (): string => (n++ === 0 ? '' : `-${n}`);

    /** Whether finding the node costs a LIST of every node (a note). */
    const nodeOf = (conf: Obj, at: Loc, who: string): void => {
      const node = text(conf.node) || text(conf.host);
      const nodeResolvable = node !== '' && envRefs(node).every((r) => c.env.has(r));
      if (nodeResolvable || !hostNetwork || c.env.has('NODE_NAME')) return;
      notes.push({ rule: 'agent-config', severity: 'note', at, message: `Filebeat: ${who} finds its node by matching /etc/machine-id against a LIST of every node at start (under hostNetwork the pod's hostname is not its name, and neither node nor NODE_NAME is set): one cluster-wide node LIST per Filebeat start, not in the estimate`, fix: 'set `node: ${NODE_NAME}` with NODE_NAME from the downward API (spec.nodeName)' });
    };

    /** The informers of one pod watcher with its add_resource_metadata (the processor's and the autodiscover provider's). */
    const podWatchers = (conf: Obj, base: DocPath, who: string, kind: 'akm' | 'ad'): void => {
      const get = (...keys: string[]): { value: unknown; path: DocPath } => lookup(conf, keys, base);
      const cluster = text(get('scope').value) === 'cluster';
      const ns = text(get('namespace').value);
      const s = suffix();
      const at = (...keys: string[]): Loc => y.loc(keys.length === 0 ? base : get(...keys).path);
      const podScope: Scope = ns !== '' ? 'namespace' : cluster ? 'cluster' : 'node';
      calls.push({
        profile: callProfile(`filebeat-${kind}-pods${s}`, 'watch', 'pods', { scope: podScope }),
        at: cluster ? at('scope') : ns !== '' ? at('namespace') : at(),
        because: `Filebeat ${who} watches ${podScope === 'node' ? 'the pods of its node (scope: node, spec.nodeName=<node>)' : podScope === 'namespace' ? `the pods of namespace ${ns}` : 'every pod of the cluster (scope: cluster)'}`,
        agent: 'filebeat',
        ...(podScope === 'namespace' ? { namespaces: [ns] } : {}),
      });
      if (!cluster) nodeOf(conf, at(), who);
      const enabled = (k: string): boolean => {
        const r = get('add_resource_metadata', k).value;
        if (r === undefined || r === null || !isObj(r)) return r !== false;
        return r.enabled === undefined || r.enabled === true || truthy(r.enabled);
      };
      const flag = (k: string): boolean => {
        const r = get('add_resource_metadata', k).value;
        return r === true || truthy(r);
      };
      if (enabled('node')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-nodes${s}`, 'watch', 'nodes', { scope: cluster ? 'cluster' : 'node' }), at: at('add_resource_metadata', 'node'), because: `Filebeat ${who} watches ${cluster ? 'every node' : 'its own node (metadata.name=<node>)'} for node metadata (add_resource_metadata.node)`, agent: 'filebeat' });
      }
      if (enabled('namespace')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-namespaces${s}`, 'watch', 'namespaces'), at: at('add_resource_metadata', 'namespace'), because: `Filebeat ${who} watches ${ns !== '' ? `namespace ${ns}` : 'every namespace'} for namespace metadata (add_resource_metadata.namespace)`, agent: 'filebeat' });
      }
      if (flag('deployment')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-replicasets${s}`, 'watch', 'replicasets', { scope: ns !== '' ? 'namespace' : 'cluster' }), at: at('add_resource_metadata', 'deployment'), because: `Filebeat ${who} watches every ReplicaSet${ns !== '' ? ` of ${ns}` : ' of the cluster'} (metadata only) to name deployments (add_resource_metadata.deployment)`, agent: 'filebeat', ...(ns !== '' ? { namespaces: [ns] } : {}) });
      }
      if (flag('cronjob')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-jobs${s}`, 'watch', 'jobs', { scope: ns !== '' ? 'namespace' : 'cluster' }), at: at('add_resource_metadata', 'cronjob'), because: `Filebeat ${who} watches every Job${ns !== '' ? ` of ${ns}` : ' of the cluster'} to name cron jobs (add_resource_metadata.cronjob)`, agent: 'filebeat', ...(ns !== '' ? { namespaces: [ns] } : {}) });
      }
    };

    const procs: Processor[] = [];
    processors(doc, [], [], procs);
    for (const p of procs) {
      if (p.keys.includes('templates') || p.keys.includes('default_config')) {
        notes.push({ rule: 'agent-config', severity: 'warn', at: y.loc(p.path), message: 'Filebeat: an add_kubernetes_metadata processor inside an autodiscover template is instantiated for every input the template starts (one per container), each with its own pod, node and namespace watchers; their number is not estimated', fix: 'move add_kubernetes_metadata to the top-level processors (the autodiscover provider already adds the metadata)' });
        continue;
      }
      podWatchers(p.conf, p.path, 'add_kubernetes_metadata', 'akm');
    }

    const providers = lookup(doc, ['filebeat', 'autodiscover', 'providers'], []);
    if (Array.isArray(providers.value)) {
      const list = providers.value as unknown[];
      list.forEach((pv, i) => {
        if (!isObj(pv) || text(pv.type) !== 'kubernetes') return;
        const base = lookup(list, [String(i)], providers.path).path;
        const resource = text(pv.resource) || 'pod';
        const who = `kubernetes autodiscover provider${list.length > 1 ? ` #${i + 1}` : ''}`;
        if (pv.unique === true || truthy(pv.unique)) {
          const retry = parseDuration(text(pv.leader_retryperiod) || String(BEATS_LEADER_RETRY_S)) ?? BEATS_LEADER_RETRY_S;
          const lease = text(pv.leader_lease) || 'beats-cluster-leader';
          const at = y.loc(lookup(pv, ['unique'], base).path);
          calls.push({ profile: callProfile(`filebeat-lease-get${suffix()}`, 'get', 'leases', { scope: 'namespace', periodS: retry }), at, because: `every Filebeat tries the leader lease ${lease} every ${retry} s (unique: true, leader_retryperiod); only the holder runs the provider's templates`, agent: 'filebeat', namespaces: [workloadNamespace] });
          calls.push({ profile: callProfile(`filebeat-lease-renew${suffix()}`, 'update', 'leases', { scope: 'namespace', periodS: retry }), at, because: `the leader renews lease ${lease} every ${retry} s`, agent: 'filebeat', namespaces: [workloadNamespace], leaderOnly: true });
          return;
        }
        const rAt = y.loc(lookup(pv, ['resource'], base).path);
        if (resource === 'pod') podWatchers(pv, base, who, 'ad');
        else if (resource === 'node') {
          const cluster = text(pv.scope) === 'cluster';
          calls.push({ profile: callProfile(`filebeat-ad-nodes${suffix()}`, 'watch', 'nodes', { scope: cluster ? 'cluster' : 'node' }), at: rAt, because: `Filebeat ${who} watches ${cluster ? 'every node' : 'its own node'} (resource: node)`, agent: 'filebeat' });
        } else if (resource === 'service') {
          calls.push({ profile: callProfile(`filebeat-ad-services${suffix()}`, 'watch', 'services'), at: rAt, because: `Filebeat ${who} watches every service of the cluster (resource: service)`, agent: 'filebeat' });
          calls.push({ profile: callProfile(`filebeat-ad-namespaces${suffix()}`, 'watch', 'namespaces'), at: rAt, because: `Filebeat ${who} watches every namespace for service metadata`, agent: 'filebeat' });
        }
      });
    }
  }
  return found ? { agent: 'filebeat', calls, notes } : undefined;
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'filebeat' && call.profile.resource === 'pods' ? 'keep add_kubernetes_metadata / the kubernetes provider at `scope: node` (the default) with `node: ${NODE_NAME}` from the downward API; cluster scope belongs on one Filebeat, or behind `unique: true`' : undefined;

export const filebeatReader: AgentReader = {
  id: 'filebeat',
  image: /(^|\/)filebeat(-wolfi|-oss)?(:|@|$)/,
  mayRead: (_image, _c, configs) => configHas(configs, 'filebeat') || configHas(configs, 'processors') || configHas(configs, 'output'),
  read: (ctx) => filebeat(ctx.configs, ctx.container, ctx.workload.namespace, ctx.workload.f.get([...ctx.workload.podSpecPath, 'hostNetwork']) === true, /(^|\/)filebeat(-wolfi|-oss)?(:|@|$)/.test(ctx.container.image.toLowerCase())),
  fix: clusterWideFix,
};
