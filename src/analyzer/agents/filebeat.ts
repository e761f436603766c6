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
import { callProfile, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { envRefs, text, truthy, YamlConfig } from './config-text.ts';

/** Beats leader election defaults (configuration-autodiscover.md: leader_leaseduration 15s, leader_renewdeadline 10s, leader_retryperiod 2s). */
export const BEATS_LEADER_RETRY_S = 2;

/** A setting by its dotted name, whether written nested or with dotted keys: the value and its path in the document. */
export function setting(v: unknown, name: string, base: DocPath = []): { value: unknown; path: DocPath } | undefined {
  if (name === '') return { value: v, path: base };
  if (!isObj(v)) return undefined;
  const parts = name.split('.');
  for (let k = parts.length; k >= 1; k--) {
    const key = parts.slice(0, k).join('.');
    if (key in v) {
      const r = setting(v[key], parts.slice(k).join('.'), [...base, key]);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

interface Processor {
  readonly conf: Obj;
  readonly path: DocPath;
}

/** Every add_kubernetes_metadata processor in the document, with its path. */
function processors(v: unknown, path: DocPath, out: Processor[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => processors(x, [...path, i], out));
    return;
  }
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'add_kubernetes_metadata') out.push({ conf: isObj(x) ? x : {}, path: [...path, k] });
    else processors(x, [...path, k], out);
  }
}

export function filebeat(cfgs: readonly ConfigText[], c: Container, hostNetwork: boolean, imageIsBeat: boolean): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!/(^|\n)\s*(filebeat|processors|output)[.:]/.test(cfg.text)) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isObj(y.value)) continue;
    const doc = y.value;
    const isBeat = setting(doc, 'filebeat.inputs') !== undefined || setting(doc, 'filebeat.autodiscover') !== undefined || setting(doc, 'filebeat.config') !== undefined;
    if (!isBeat && !(imageIsBeat && (setting(doc, 'processors') !== undefined || setting(doc, 'output') !== undefined))) continue;
    found = true;
    let n = 0;
    const suffix = (): string => (n++ === 0 ? '' : `-${n}`);

    /** The node the watchers are scoped to, and whether finding it costs a LIST of every node. */
    const nodeOf = (conf: Obj, at: Loc, who: string): void => {
      const node = text(conf.node) || text(conf.host);
      const nodeResolvable = node !== '' && envRefs(node).every((r) => c.env.has(r));
      if (nodeResolvable || !hostNetwork || c.env.has('NODE_NAME')) return;
      notes.push({ rule: 'agent-config', severity: 'note', at, message: `Filebeat: ${who} finds its node by matching /etc/machine-id against a LIST of every node at start (under hostNetwork the pod's hostname is not its name, and neither node nor NODE_NAME is set): one cluster-wide node LIST per Filebeat start, not in the estimate`, fix: 'set `node: ${NODE_NAME}` with NODE_NAME from the downward API (spec.nodeName)' });
    };

    /** The informers of one pod watcher with its add_resource_metadata (shared by the processor and the autodiscover provider). */
    const podWatchers = (conf: Obj, base: DocPath, who: string, kind: 'akm' | 'ad'): void => {
      const scopeS = text(setting(conf, 'scope')?.value) || 'node';
      const cluster = scopeS === 'cluster';
      const ns = text(setting(conf, 'namespace')?.value);
      const s = suffix();
      const at = (name?: string): Loc => {
        const r = name === undefined ? undefined : setting(conf, name, base);
        return y.loc(r?.path ?? base);
      };
      const podScope: Scope = ns !== '' ? 'namespace' : cluster ? 'cluster' : 'node';
      calls.push({
        profile: callProfile(`filebeat-${kind}-pods${s}`, 'watch', 'pods', { scope: podScope }),
        at: at(cluster ? 'scope' : ns !== '' ? 'namespace' : undefined),
        because: `Filebeat ${who} watches ${podScope === 'node' ? 'the pods of its node (scope: node, spec.nodeName=<node>)' : podScope === 'namespace' ? `the pods of namespace ${ns}` : 'every pod of the cluster (scope: cluster)'}`,
        agent: 'filebeat',
        ...(podScope === 'namespace' ? { namespaces: [ns] } : {}),
      });
      if (!cluster) nodeOf(conf, at(), who);
      const arm = setting(conf, 'add_resource_metadata');
      const armv = arm?.value;
      const enabled = (k: string): boolean => {
        const r = setting(armv, k);
        if (r === undefined || r.value === null) return true;
        const e = setting(r.value, 'enabled');
        return e === undefined ? true : truthy(e.value) || e.value === true;
      };
      const armAt = (k: string): Loc => y.loc(setting(armv, k, arm?.path ?? base)?.path ?? arm?.path ?? base);
      if (enabled('node')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-nodes${s}`, 'watch', 'nodes', { scope: cluster ? 'cluster' : 'node' }), at: armAt('node'), because: `Filebeat ${who} watches ${cluster ? 'every node' : 'its own node (metadata.name=<node>)'} for node metadata (add_resource_metadata.node)`, agent: 'filebeat' });
      }
      if (enabled('namespace')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-namespaces${s}`, 'watch', 'namespaces'), at: armAt('namespace'), because: `Filebeat ${who} watches ${ns !== '' ? `namespace ${ns}` : 'every namespace'} for namespace metadata (add_resource_metadata.namespace)`, agent: 'filebeat' });
      }
      const flag = (k: string): boolean => {
        const r = setting(armv, k);
        return r !== undefined && (r.value === true || truthy(r.value));
      };
      if (flag('deployment')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-replicasets${s}`, 'watch', 'replicasets', { scope: ns !== '' ? 'namespace' : 'cluster' }), at: armAt('deployment'), because: `Filebeat ${who} watches every ReplicaSet${ns !== '' ? ` of ${ns}` : ' of the cluster'} (metadata only) to name deployments (add_resource_metadata.deployment)`, agent: 'filebeat', ...(ns !== '' ? { namespaces: [ns] } : {}) });
      }
      if (flag('cronjob')) {
        calls.push({ profile: callProfile(`filebeat-${kind}-jobs${s}`, 'watch', 'jobs', { scope: ns !== '' ? 'namespace' : 'cluster' }), at: armAt('cronjob'), because: `Filebeat ${who} watches every Job${ns !== '' ? ` of ${ns}` : ' of the cluster'} to name cron jobs (add_resource_metadata.cronjob)`, agent: 'filebeat', ...(ns !== '' ? { namespaces: [ns] } : {}) });
      }
    };

    const procs: Processor[] = [];
    processors(doc, [], procs);
    const inTemplates = procs.filter((p) => p.path.includes('templates') || p.path.includes('hints.default_config'));
    for (const p of procs) {
      if (inTemplates.includes(p)) continue;
      podWatchers(p.conf, p.path, 'add_kubernetes_metadata', 'akm');
    }
    for (const p of inTemplates) {
      notes.push({ rule: 'agent-config', severity: 'warn', at: y.loc(p.path), message: 'Filebeat: an add_kubernetes_metadata processor inside an autodiscover template is instantiated for every input the template starts (one per container), each with its own pod, node and namespace watchers; their number is not estimated', fix: 'move add_kubernetes_metadata to the top-level processors (the autodiscover provider already adds the metadata)' });
    }

    const providers = setting(doc, 'filebeat.autodiscover.providers');
    if (providers !== undefined && Array.isArray(providers.value)) {
      providers.value.forEach((pv, i) => {
        if (!isObj(pv) || text(pv.type) !== 'kubernetes') return;
        const base: DocPath = [...providers.path, i];
        const resource = text(pv.resource) || 'pod';
        const who = `kubernetes autodiscover provider${providers.value && (providers.value as unknown[]).length > 1 ? ` #${i + 1}` : ''}`;
        if (pv.unique === true || truthy(pv.unique)) {
          const retry = parseDuration(text(pv.leader_retryperiod) || String(BEATS_LEADER_RETRY_S)) ?? BEATS_LEADER_RETRY_S;
          const lease = text(pv.leader_lease) || 'beats-cluster-leader';
          const at = y.loc([...base, 'unique']);
          calls.push({ profile: callProfile(`filebeat-lease-get${suffix()}`, 'get', 'leases', { scope: 'namespace', periodS: retry }), at, because: `every Filebeat tries the leader lease ${lease} every ${retry} s (unique: true, leader_retryperiod)`, agent: 'filebeat' });
          calls.push({ profile: callProfile(`filebeat-lease-renew${suffix()}`, 'update', 'leases', { scope: 'namespace', periodS: retry }), at, because: `the leader renews lease ${lease} every ${retry} s`, agent: 'filebeat', leaderOnly: true });
          return;
        }
        if (resource === 'pod') podWatchers(pv, base, who, 'ad');
        else if (resource === 'node') {
          const cluster = text(pv.scope) === 'cluster';
          calls.push({ profile: callProfile(`filebeat-ad-nodes${suffix()}`, 'watch', 'nodes', { scope: cluster ? 'cluster' : 'node' }), at: y.loc([...base, 'resource']), because: `Filebeat ${who} watches ${cluster ? 'every node' : 'its own node'} (resource: node)`, agent: 'filebeat' });
        } else if (resource === 'service') {
          calls.push({ profile: callProfile(`filebeat-ad-services${suffix()}`, 'watch', 'services'), at: y.loc([...base, 'resource']), because: `Filebeat ${who} watches every service of the cluster (resource: service)`, agent: 'filebeat' });
          calls.push({ profile: callProfile(`filebeat-ad-namespaces${suffix()}`, 'watch', 'namespaces'), at: y.loc([...base, 'resource']), because: `Filebeat ${who} watches every namespace for service metadata`, agent: 'filebeat' });
        }
      });
    }
  }
  return found ? { agent: 'filebeat', calls, notes } : undefined;
}

export const filebeatReader: AgentReader = {
  id: 'filebeat',
  image: /(^|\/)filebeat(-wolfi|-oss)?(:|@|$)/,
  read: (ctx) => filebeat(ctx.configs, ctx.container, ctx.workload.f.get([...ctx.workload.podSpecPath, 'hostNetwork']) === true, /(^|\/)filebeat(-wolfi|-oss)?(:|@|$)/.test(ctx.container.image.toLowerCase())),
};
