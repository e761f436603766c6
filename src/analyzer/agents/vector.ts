/**
 * Vector, read from its configuration files (YAML, JSON or TOML; every file
 * of the mounted config directory is loaded, as with `--config-dir`): each
 * source of `type: kubernetes_logs` (vectordotdev/vector
 * src/sources/kubernetes_logs/mod.rs; website/cue/reference/components/
 * sources/generated/kubernetes_logs.cue) runs three kube-rs watchers:
 *
 * - pods, with the field selector `spec.nodeName=<self_node_name>`
 *   (`prepare_field_selector`; `self_node_name` defaults to the env var
 *   VECTOR_SELF_NODE_NAME, the source fails to start without it) plus
 *   `extra_field_selector`, and the label selector `vector.dev/exclude!=true`
 *   plus `extra_label_selector`;
 * - namespaces, all of them (label selector `extra_namespace_label_selector`,
 *   which the server still evaluates over every namespace), unless
 *   `insert_namespace_fields: false`;
 * - its own node, `metadata.name=<self_node_name>`.
 *
 * How they list: `use_apiserver_cache: false` (the default) is
 * `ListSemantic::MostRecent` — no resourceVersion, a consistent read from etcd
 * — paginated with kube-rs' default page size of 500 (kube-runtime
 * watcher.rs `page_size: Some(500)`, "same default page size limit as
 * client-go"); `use_apiserver_cache: true` is `ListSemantic::Any`
 * (resourceVersion "0", served from the watch cache) without a page size
 * (`get_page_size`). etcd has no field index, so every Vector start or relist
 * reads every pod of the cluster from etcd to return its node's ~30; the
 * estimate counts that per list, and a warning names it: Vector's own issue
 * tracker reports control planes of 1,000+ nodes brought down by it
 * (vectordotdev/vector#16797, #24646).
 *
 * @example
 *   vectorReader.read(ctx)?.calls;   // vector-<source>-pods (node), -namespaces (cluster), -node (node)
 */
import type { Scope } from '../../model/profile.ts';
import { isObj, type Obj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { envRefs, isNodeNameEnv, Located, text, truthy, YamlConfig } from './config-text.ts';
import { parseToml, TomlError } from './toml.ts';
import type { Container } from '../workloads.ts';

/** kube-rs watcher::Config::default().page_size (kube-runtime src/watcher.rs). */
export const KUBE_RS_PAGE_SIZE = 500;
/** The env var `self_node_name` defaults to (mod.rs SELF_NODE_NAME_ENV_KEY). */
const SELF_NODE_ENV = 'VECTOR_SELF_NODE_NAME';

interface Source {
  readonly name: string;
  readonly conf: Obj;
  readonly at: (key?: string) => Loc;
}

/** The sources of one configuration text, whatever its format. */
function sourcesOf(cfg: ConfigText): { sources: Source[]; error?: { message: string; at: Loc } } | undefined {
  const where = new Located(cfg);
  const isToml = /\.toml$/i.test(cfg.key) || (cfg.text.includes('[sources.') && /^\s*\[sources\./m.test(cfg.text) && !/^\s*sources\s*:/m.test(cfg.text));
  if (isToml) {
    try {
      const t = parseToml(cfg.text);
      const sources = t.value.sources;
      if (!isObj(sources)) return { sources: [] };
      return {
        sources: Object.entries(sources)
          .filter((e): e is [string, Obj] => isObj(e[1]))
          .map(([name, conf]) => ({ name, conf, at: (key?: string) => where.at(t.offsets.get(`sources.${name}${key !== undefined ? `.${key}` : ''}`) ?? t.offsets.get(`sources.${name}`) ?? t.offsets.get(`sources.${name}.type`) ?? 0) })),
      };
    } catch (e) {
      if (!(e instanceof TomlError)) throw e;
      return /kubernetes_logs/.test(cfg.text) ? { sources: [], error: { message: e.message, at: where.at(e.offset) } } : undefined;
    }
  }
  if (!cfg.text.includes('sources') || !/(^|\n)\s*"?sources"?\s*:/.test(cfg.text)) return undefined;
  const y = YamlConfig.parse(cfg);
  if (y === undefined) return /kubernetes_logs/.test(cfg.text) ? { sources: [], error: { message: 'not valid YAML or JSON', at: where.at(0) } } : undefined;
  const v = y.value;
  if (!isObj(v) || !isObj(v.sources)) return undefined;
  return {
    sources: Object.entries(v.sources)
      .filter((e): e is [string, Obj] => isObj(e[1]))
      .map(([name, conf]) => ({ name, conf, at: (key?: string) => y.loc(key !== undefined && key in conf ? ['sources', name, key] : ['sources', name]) })),
  };
}

export function vector(cfgs: readonly ConfigText[], c: Container, imageIsVector: boolean): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!imageIsVector && !cfg.text.includes('kubernetes_logs')) continue;
    const r = sourcesOf(cfg);
    if (r === undefined) continue;
    // Another program's file with a `sources:` key is not Vector's, unless the container runs Vector.
    if (!imageIsVector && r.error === undefined && !r.sources.some((s) => text(s.conf.type) === 'kubernetes_logs')) continue;
    found = true;
    if (r.error !== undefined) {
      notes.push({ rule: 'agent-config', severity: 'warn', at: r.error.at, message: `Vector: ${cfg.kind} ${cfg.configMap} key ${cfg.key} mentions kubernetes_logs but could not be read (${r.error.message}); its API calls are unknown and not estimated`, fix: 'fix the configuration (vector validate), or state the calls in a firebreak.dev/api-profile annotation' });
      continue;
    }
    for (const s of r.sources) {
      if (text(s.conf.type) !== 'kubernetes_logs') continue;
      const id = s.name.replace(/[^A-Za-z0-9_-]+/g, '-');
      const cache = truthy(s.conf.use_apiserver_cache);
      const rv = cache ? ('0' as const) : ('consistent' as const);
      const pageSize = cache ? 0 : KUBE_RS_PAGE_SIZE;
      const how = cache ? 'from the watch cache (use_apiserver_cache: true)' : `from etcd (use_apiserver_cache is off: no resourceVersion, pages of ${KUBE_RS_PAGE_SIZE})`;

      // self_node_name: empty or the default template means the env var.
      const selfNode = text(s.conf.self_node_name);
      const template = selfNode === '' || selfNode === `\${${SELF_NODE_ENV}}`;
      const nodeVar = template ? SELF_NODE_ENV : (envRefs(selfNode)[0] ?? undefined);
      if (nodeVar !== undefined && c.env.get(nodeVar) === undefined) {
        notes.push({
          rule: 'agent-config',
          severity: 'warn',
          at: s.at(template ? undefined : 'self_node_name'),
          message: `Vector: source ${s.name} needs the node name from env var ${nodeVar}, which container ${c.name} does not define: the source fails to start ("self_node_name config value or ${SELF_NODE_ENV} env var is not set") and Vector restarts`,
          fix: `add env ${nodeVar} from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName), as the Vector chart does`,
        });
        continue;
      }
      const fromDownward = nodeVar === undefined || isNodeNameEnv(c, nodeVar);
      const withPages = (p: ReturnType<typeof callProfile>): ReturnType<typeof callProfile> => ({ ...p, pageSize });
      const push = (res: string, scope: Scope, because: string, at: Loc): void => {
        calls.push({ profile: withPages(callProfile(`vector-${id}-${res}`, 'watch', res === 'node' ? 'nodes' : res, { scope, rv })), at, because, agent: 'vector' });
      };
      const srcAt = s.at('use_apiserver_cache');
      push('pods', 'node', `Vector source ${s.name} (kubernetes_logs) watches the pods of its node (spec.nodeName=${fromDownward ? '<its node>' : selfNode}), listing ${how}`, srcAt);
      if (s.conf.insert_namespace_fields !== false && text(s.conf.insert_namespace_fields) !== 'false') {
        push('namespaces', 'cluster', `Vector source ${s.name} watches every namespace for namespace labels (insert_namespace_fields), listing ${how}`, s.at('insert_namespace_fields'));
      }
      push('node', 'node', `Vector source ${s.name} watches its own Node (metadata.name=<its node>), listing ${how}`, srcAt);
      if (!cache) {
        notes.push({
          rule: 'agent-config',
          severity: 'warn',
          at: srcAt,
          message: `Vector: source ${s.name} lists pods, namespaces and its node with no resourceVersion (use_apiserver_cache is off): each Vector start and each relist is a quorum read from etcd of every pod of the cluster (etcd has no node index; about 370 MB at 1,000 nodes of 30 pods of 12 KiB, the model's sizes), although it keeps only its node's; a DaemonSet rollout or an API-server restart makes every node do it at once — Vector's tracker reports 1,000-node control planes brought down by it (vectordotdev/vector#16797, #24646); the estimate rates the memory of these lists, not their etcd and CPU load during a rollout or relist`,
          fix: `set use_apiserver_cache: true on source ${s.name} (lists from the API server's watch cache, resourceVersion=0)`,
        });
      }
    }
  }
  return found ? { agent: 'vector', calls, notes } : undefined;
}

export const vectorReader: AgentReader = {
  id: 'vector',
  image: /(^|\/)vector(:|@|$)/,
  read: (ctx) => vector(ctx.configs, ctx.container, /(^|\/)vector(:|@|$)/.test(ctx.container.image.toLowerCase())),
  mayRead: (image, _c, configs) => configs.length > 0 && (image.includes('vector') || configHas(configs, 'kubernetes_logs')),
};
