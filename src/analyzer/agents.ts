/**
 * API access profiles of well-known agents, read from their own configuration
 * (ConfigMaps mounted into the workload's containers), each written from that
 * project's public documentation:
 *
 * - Fluent Bit `kubernetes` filter (docs.fluentbit.io/manual/pipeline/filters/kubernetes):
 *   for each pod whose logs it tails, the filter GETs the pod from the API
 *   server and caches it (`Kube_Meta_Cache_TTL`, default 0 = no expiry), or
 *   with `Use_Kubelet On` asks the local kubelet's /pods instead ("this could
 *   mitigate the Kube API heavy traffic issue for large cluster");
 *   `Namespace_Labels` / `Namespace_Annotations` GET namespaces from the API
 *   server even then (cached `Kube_Meta_Namespace_Cache_TTL`, default 900 s);
 *   `Use_Tag_For_Meta On` makes no API call at all.
 * - OpenTelemetry Collector `k8sattributes` processor
 *   (opentelemetry-collector-contrib processor/k8sattributesprocessor README
 *   and internal/kube/client.go): a pod informer, filtered by
 *   `filter.node` / `filter.node_from_env_var` (a spec.nodeName field
 *   selector: "When running as an agent, it is important to apply a discovery
 *   filter so that the processor only discovers pods from the same host"),
 *   `filter.namespace`, labels and fields; a ReplicaSet informer for
 *   k8s.deployment.name / uid unless `deployment_name_from_replicaset`; a
 *   namespace informer for namespace labels/annotations (all namespaces) or
 *   k8s.cluster.uid (kube-system only); a node informer for node
 *   labels/annotations or k8s.node.uid; informers for deployments,
 *   statefulsets, daemonsets and jobs when their labels/annotations are
 *   extracted. `passthrough: true` makes no API call. Only components used in
 *   a `service.pipelines` entry run. Also read: the `prometheus` receiver's
 *   scrape configs (below), `k8s_cluster` (informers on the cluster's
 *   workloads, meant for one replica), `k8sobjects` (pull = periodic LIST,
 *   watch), `k8s_events` and the `k8s_observer` extension (pods and nodes,
 *   node-filtered with `node`).
 * - Prometheus `kubernetes_sd_configs` (prometheus.io/docs/prometheus/latest/
 *   configuration/configuration/#kubernetes_sd_config): informers per role —
 *   pod: pods; node: nodes; service: services; endpoints: endpoints, services
 *   and pods; endpointslice: endpointslices, services and pods; ingress:
 *   ingresses; `attach_metadata.node` adds nodes, `.namespace` namespaces —
 *   in all namespaces, or one informer per namespace of `namespaces.names` /
 *   `own_namespace`; `selectors` narrow the list (a `spec.nodeName=` field
 *   selector on pods scopes it to one node). Identical discovery configs share
 *   one list/watch.
 * - Calico (docs.tigera.io, and ref "Calico | use Typha above 50 nodes,
 *   essential above 100"): calico-node's Felix in Kubernetes-datastore mode
 *   watches pods, nodes, namespaces, service accounts, network policies and
 *   endpoint slices cluster-wide — unless `FELIX_TYPHAK8SSERVICENAME` points
 *   it at Typha, the Deployment that watches once and fans out to every node.
 *
 * Informers list with resourceVersion "0" (client-go reflector) and then
 * watch. Label selectors shrink what comes back but the server still scans
 * every object of the type; the estimate counts them unfiltered (an upper
 * bound), as it does a node filtered by name (metadata.name=).
 */
import { load } from 'js-yaml';
import { parseDuration } from '../core/duration.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS, DEFAULT_PODS_PER_NODE } from '../model/kubernetes.ts';
import type { CallProfile, RvSemantics, Scope, Verb } from '../model/profile.ts';
import { isObj, type Obj } from './objects.ts';
import { YamlLines } from './yaml-locate.ts';
import type { Container, WorkloadInfo } from './workloads.ts';
import type { DerivedCall, DocPath, Loc, ManifestDocument, Severity } from './types.ts';

/** One configuration text: a ConfigMap key. */
export interface ConfigText {
  readonly configMap: string;
  readonly key: string;
  readonly text: string;
  readonly doc: ManifestDocument;
  /** Path of the key's value inside its document. */
  readonly path: DocPath;
}

export interface AgentNote {
  readonly rule: string;
  readonly severity: Severity;
  readonly at: Loc;
  readonly message: string;
  readonly fix: string;
}

export interface AgentResult {
  readonly agent: string;
  readonly calls: DerivedCall[];
  readonly notes: AgentNote[];
}

export interface CallOptions {
  readonly scope?: Scope;
  readonly rv?: RvSemantics;
  readonly periodS?: number;
  readonly namespaceFraction?: number;
  readonly qps?: number;
}

export function callProfile(name: string, verb: Verb, resource: string, o: CallOptions = {}): CallProfile {
  return {
    name,
    verb,
    resource,
    scope: o.scope ?? 'cluster',
    resourceVersion: o.rv ?? (verb === 'watch' ? '0' : 'consistent'),
    periodS: verb === 'watch' ? 0 : (o.periodS ?? 60),
    jitter: 0.1,
    pageSize: 0,
    qps: o.qps ?? CLIENT_GO_QPS,
    burst: CLIENT_GO_BURST,
    retry: { policy: 'backoff', initialS: CLIENT_GO_BACKOFF.initialS, factor: CLIENT_GO_BACKOFF.factor, maxS: CLIENT_GO_BACKOFF.maxS, jitter: CLIENT_GO_BACKOFF.jitter },
    namespaceFraction: o.namespaceFraction ?? 0.05,
  };
}

/** Locations inside a configuration text. */
class Located {
  readonly cfg: ConfigText;
  constructor(cfg: ConfigText) {
    this.cfg = cfg;
  }
  at(offset: number): Loc {
    const p = this.cfg.doc.locateInString(this.cfg.path, offset) ?? this.cfg.doc.locate(this.cfg.path);
    return { file: this.cfg.doc.file, line: p?.line ?? 1, column: p?.column ?? 1 };
  }
}

/** A YAML configuration text, with positions of its values (line locator, yaml-locate.ts). */
class YamlConfig extends Located {
  readonly value: unknown;
  readonly #lines: YamlLines;
  constructor(cfg: ConfigText, value: unknown) {
    super(cfg);
    this.value = value;
    this.#lines = new YamlLines(cfg.text);
  }
  static parse(cfg: ConfigText): YamlConfig | undefined {
    try {
      return new YamlConfig(cfg, load(cfg.text, { maxAliases: 100 }));
    } catch {
      return undefined;
    }
  }
  loc(path: DocPath): Loc {
    const p = this.#lines.locate(path, 0, this.#lines.lines.length);
    return this.at(p === undefined ? 0 : this.#lines.offset(p.line, p.col));
  }
}


function get(v: unknown, path: DocPath): unknown {
  let x = v;
  for (const seg of path) {
    if (typeof seg === 'number') x = Array.isArray(x) ? x[seg] : undefined;
    else x = isObj(x) ? x[seg] : undefined;
  }
  return x;
}

/** A scalar as text; anything else as empty. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

const truthy = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(on|true|yes|1)$/i.test(v.trim())) || v === 1;

/** Environment variable references: ${env:NAME}, ${NAME}, $(NAME), $NAME. */
function envRefs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out.filter((x) => x !== '');
}

/** Whether env var `name` of the container holds the node name (downward API spec.nodeName). */
function isNodeNameEnv(c: Container, name: string): boolean {
  return c.env.get(name)?.fieldPath === 'spec.nodeName';
}

// ---------------------------------------------------------------------------------------------
// Fluent Bit

interface FbSection {
  readonly type: string;
  readonly props: Map<string, { value: string; offset: number }>;
  readonly offset: number;
}

/** Classic-mode sections (`[FILTER]` + `Key Value` lines), following @INCLUDE to other keys of the same ConfigMap. */
function fluentBitClassic(cfg: ConfigText, siblings: readonly ConfigText[], seen = new Set<string>()): { sections: FbSection[]; cfgOf: Map<FbSection, ConfigText> } {
  const sections: FbSection[] = [];
  const cfgOf = new Map<FbSection, ConfigText>();
  if (seen.has(cfg.key)) return { sections, cfgOf };
  seen.add(cfg.key);
  let cur: FbSection | undefined;
  let offset = 0;
  for (const line of cfg.text.split('\n')) {
    const t = line.trim();
    const lead = line.length - line.trimStart().length;
    const sec = /^\[([A-Za-z_]+)\]$/.exec(t);
    const inc = /^@INCLUDE\s+(\S+)/i.exec(t);
    if (sec !== null) {
      cur = { type: (sec[1] ?? '').toUpperCase(), props: new Map(), offset: offset + lead };
      sections.push(cur);
      cfgOf.set(cur, cfg);
    } else if (inc !== null) {
      const target = (inc[1] ?? '').split('/').pop() ?? '';
      const sib = siblings.find((s) => s.key === target);
      if (sib !== undefined) {
        const r = fluentBitClassic(sib, siblings, seen);
        sections.push(...r.sections);
        for (const [k, v] of r.cfgOf) cfgOf.set(k, v);
      }
      cur = undefined;
    } else if (cur !== undefined && t !== '' && !t.startsWith('#')) {
      const kv = /^(\S+)\s+(.*)$/.exec(t);
      if (kv !== null) cur.props.set((kv[1] ?? '').toLowerCase(), { value: (kv[2] ?? '').trim(), offset: offset + lead });
    }
    offset += line.length + 1;
  }
  return { sections, cfgOf };
}

export function isFluentBitClassic(text: string): boolean {
  return /^\s*\[(INPUT|FILTER|OUTPUT|SERVICE)\]\s*$/im.test(text);
}

/**
 * Fluent Bit's kubernetes filters, classic or YAML configuration: per node,
 * one GET per pod it tails (about the node's pods, 30 at the scalability
 * envelope's ratio, ref), re-done every `Kube_Meta_Cache_TTL` when set and for
 * every new pod (estimated by the pod event rate of the model), unless
 * Use_Kubelet or Use_Tag_For_Meta.
 */
export function fluentBit(cfgs: readonly ConfigText[], podEventsPerPodS: number): AgentResult | undefined {
  interface Filter {
    readonly get: (k: string) => string | undefined;
    readonly at: (k?: string) => Loc;
  }
  const filters: Filter[] = [];
  let found = false;
  for (const cfg of cfgs) {
    if (isFluentBitClassic(cfg.text)) {
      // Only entry files: a file @INCLUDEd by another is read through it.
      const included = cfgs.some((o) => o !== cfg && new RegExp(`^\\s*@INCLUDE\\s+\\S*${cfg.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'im').test(o.text));
      if (included) continue;
      found = true;
      const { sections, cfgOf } = fluentBitClassic(cfg, cfgs);
      for (const s of sections) {
        if (s.type !== 'FILTER' || s.props.get('name')?.value.toLowerCase() !== 'kubernetes') continue;
        const where = new Located(cfgOf.get(s) ?? cfg);
        filters.push({ get: (k) => s.props.get(k.toLowerCase())?.value, at: (k) => where.at(k === undefined ? s.offset : (s.props.get(k.toLowerCase())?.offset ?? s.offset)) });
      }
    } else {
      const y = /^\s*pipeline\s*:/m.test(cfg.text) ? YamlConfig.parse(cfg) : undefined;
      if (y === undefined) continue;
      const fl = get(y.value, ['pipeline', 'filters']);
      if (!Array.isArray(fl)) continue;
      found = true;
      fl.forEach((f, i) => {
        if (!isObj(f) || text(f.name).toLowerCase() !== 'kubernetes') return;
        const keys = new Map(Object.keys(f).map((k) => [k.toLowerCase(), k]));
        filters.push({
          get: (k) => {
            const real = keys.get(k.toLowerCase());
            const v = real === undefined ? undefined : f[real];
            return v === undefined || v === null ? undefined : text(v);
          },
          at: (k) => y.loc(['pipeline', 'filters', i, ...(k !== undefined && keys.has(k.toLowerCase()) ? [keys.get(k.toLowerCase()) ?? k] : [])]),
        });
      });
    }
  }
  if (!found) return undefined;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  filters.forEach((f, i) => {
    const suffix = filters.length > 1 ? `-${i + 1}` : '';
    if (truthy(f.get('Use_Tag_For_Meta'))) return;
    const nsMeta = truthy(f.get('Namespace_Labels')) || truthy(f.get('Namespace_Annotations')) || truthy(f.get('Namespace_Metadata_Only'));
    if (nsMeta) {
      const ttl = parseDuration(f.get('Kube_Meta_Namespace_Cache_TTL') ?? '900') ?? 900;
      calls.push({
        profile: callProfile(`fluent-bit-get-namespace${suffix}`, 'get', 'namespaces', { periodS: Math.max(1, ttl) }),
        at: f.at(f.get('Namespace_Labels') !== undefined ? 'Namespace_Labels' : 'Namespace_Annotations'),
        because: `Fluent Bit's kubernetes filter fetches namespace metadata from the API server (cached ${ttl} s), even with Use_Kubelet`,
        agent: 'fluent-bit',
      });
    }
    if (truthy(f.get('Use_Kubelet')) || truthy(f.get('Namespace_Metadata_Only'))) return;
    const ttl = parseDuration(f.get('Kube_Meta_Cache_TTL') ?? '0') ?? 0;
    // GETs per node per second: every pod re-fetched each TTL, plus each new pod.
    const perS = DEFAULT_PODS_PER_NODE * (podEventsPerPodS + (ttl > 0 ? 1 / ttl : 0));
    calls.push({
      profile: callProfile(`fluent-bit-get-pod${suffix}`, 'get', 'pods', { scope: 'namespace', periodS: 1 / Math.max(1e-9, perS) }),
      at: f.get('Use_Kubelet') !== undefined ? f.at('Use_Kubelet') : f.at(),
      because: `Fluent Bit's kubernetes filter GETs each pod it tails from the API server${ttl > 0 ? ` and again every ${ttl} s (Kube_Meta_Cache_TTL)` : ''} (Use_Kubelet is off)`,
      agent: 'fluent-bit',
    });
  });
  return { agent: 'fluent-bit', calls, notes };
}

// ---------------------------------------------------------------------------------------------
// Prometheus service discovery (Prometheus itself, and the OpenTelemetry Collector's prometheus receiver)

const SD_ROLES: Readonly<Record<string, readonly string[]>> = {
  pod: ['pods'],
  node: ['nodes'],
  service: ['services'],
  endpoints: ['endpoints', 'services', 'pods'],
  endpointslice: ['endpointslices', 'services', 'pods'],
  ingress: ['ingresses'],
};

export function isPrometheusConfig(v: unknown): boolean {
  return isObj(v) && Array.isArray(v.scrape_configs);
}

/** Informers of the kubernetes_sd_configs of `scrapeConfigs` (at `base` in `y`). */
export function prometheusSd(y: YamlConfig, base: DocPath, c: Container, agent: string, workloadNamespace: string): { calls: DerivedCall[]; notes: AgentNote[] } {
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const seen = new Set<string>(); // identical discovery configs share one set of informers
  const scrape = get(y.value, base);
  if (!Array.isArray(scrape)) return { calls, notes };
  scrape.forEach((sc, i) => {
    const sds = isObj(sc) ? sc.kubernetes_sd_configs : undefined;
    if (!Array.isArray(sds)) return;
    const job = isObj(sc) && typeof sc.job_name === 'string' ? sc.job_name : `scrape_configs[${i}]`;
    sds.forEach((sd, j) => {
      if (!isObj(sd)) return;
      const sdPath: DocPath = [...base, i, 'kubernetes_sd_configs', j];
      const role = typeof sd.role === 'string' ? sd.role.toLowerCase() : '';
      const resources = SD_ROLES[role];
      if (resources === undefined) {
        notes.push({ rule: 'agent-config', severity: 'note', at: y.loc([...sdPath, 'role']), message: `${agent}: kubernetes_sd_configs role ${JSON.stringify(sd.role)} is not one Prometheus knows (pod, node, service, endpoints, endpointslice, ingress); skipped`, fix: 'use one of the documented roles' });
        return;
      }
      const identity = JSON.stringify([role, sd.namespaces ?? null, sd.selectors ?? null, sd.attach_metadata ?? null, sd.api_server ?? null, sd.kubeconfig_file ?? null]);
      if (seen.has(identity)) return;
      seen.add(identity);
      const ns = isObj(sd.namespaces) ? sd.namespaces : undefined;
      const names = Array.isArray(ns?.names) ? ns.names.filter((x): x is string => typeof x === 'string') : [];
      const own = ns?.own_namespace === true;
      const namespaces = own ? [workloadNamespace] : names;
      const selectors = Array.isArray(sd.selectors) ? sd.selectors.filter(isObj) : [];
      const attach = isObj(sd.attach_metadata) ? sd.attach_metadata : {};
      const all = [...resources, ...(attach.node === true && role !== 'node' && role !== 'service' && role !== 'ingress' ? ['nodes'] : []), ...(attach.namespace === true ? ['namespaces'] : [])];
      for (const res of all) {
        const own1 = res === 'nodes' && role !== 'node' ? 'node' : res === 'services' && role !== 'service' ? 'service' : res === 'pods' && role !== 'pod' ? 'pod' : role;
        const sel = selectors.find((s) => text(s.role).toLowerCase() === own1);
        const field = typeof sel?.field === 'string' ? sel.field : '';
        const label = typeof sel?.label === 'string' ? sel.label : '';
        const byNode = res === 'pods' && /(^|,)\s*spec\.nodeName\s*=/.test(field);
        const nodeByName = res === 'nodes' && /(^|,)\s*metadata\.name\s*=/.test(field);
        const scoped = res !== 'nodes' && res !== 'namespaces' && namespaces.length > 0;
        const scope: Scope = byNode || nodeByName ? 'node' : scoped ? 'namespace' : 'cluster';
        for (const v of envRefs(field)) {
          if (!isNodeNameEnv(c, v) && c.env.get(v) === undefined) {
            notes.push({
              rule: 'agent-config',
              severity: 'warn',
              at: y.loc([...sdPath, 'selectors']),
              message: `${agent}: the field selector ${JSON.stringify(field)} uses $${v}, but container ${c.name} defines no env var ${v}; the selector will not match this node`,
              fix: `add env ${v} from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName)`,
            });
          }
        }
        const count = scoped ? namespaces.length : 1;
        for (let k = 0; k < count; k++) {
          const suffix = scoped && count > 1 ? `-${namespaces[k] ?? k}` : '';
          calls.push({
            profile: callProfile(`${agent}-sd-${role}-${res}${suffix}`, 'watch', res, { scope, namespaceFraction: 0.05 }),
            at: y.loc(sel !== undefined ? [...sdPath, 'selectors'] : [...sdPath, 'role']),
            because: `${agent} kubernetes_sd_configs role ${role} (job ${job}) watches ${res} ${scope === 'node' ? 'on its own node' : scope === 'namespace' ? `in namespace ${namespaces[k] ?? ''}` : 'in all namespaces'}${label !== '' ? ` (label selector ${label}: the server still scans every object)` : ''}`,
            agent,
            ...(scope === 'namespace' ? { namespaces: [namespaces[k] ?? workloadNamespace] } : {}),
          });
        }
      }
    });
  });
  return { calls, notes };
}

export function prometheus(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!/^\s*scrape_configs\s*:/m.test(cfg.text)) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isPrometheusConfig(y.value)) continue;
    found = true;
    const r = prometheusSd(y, ['scrape_configs'], c, 'prometheus', workloadNamespace);
    calls.push(...r.calls);
    notes.push(...r.notes);
  }
  return found ? { agent: 'prometheus', calls, notes } : undefined;
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry Collector

export function isOtelConfig(v: unknown): boolean {
  return isObj(v) && isObj(v.service) && (isObj(v.receivers) || isObj(v.processors) || isObj(v.exporters));
}

const DEFAULT_K8SATTR_METADATA = ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.pod.start_time', 'k8s.deployment.name', 'k8s.node.name'];

function componentType(id: string): string {
  return id.split('/')[0] ?? id;
}

export function otelCollector(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!/^\s*service\s*:/m.test(cfg.text)) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isOtelConfig(y.value)) continue;
    found = true;
    const v = y.value as Obj;
    // Only components named in a pipeline (and extensions named in service.extensions) are started.
    const used = { receivers: new Set<string>(), processors: new Set<string>() };
    const pipelines = get(v, ['service', 'pipelines']);
    if (isObj(pipelines)) {
      for (const p of Object.values(pipelines)) {
        if (!isObj(p)) continue;
        for (const kind of ['receivers', 'processors'] as const) {
          const l = p[kind];
          if (Array.isArray(l)) for (const id of l) if (typeof id === 'string') used[kind].add(id);
        }
      }
    }
    const extensions = new Set((Array.isArray(get(v, ['service', 'extensions'])) ? (get(v, ['service', 'extensions']) as unknown[]) : []).filter((x): x is string => typeof x === 'string'));
    const nodeVar = (val: unknown, where: DocPath): { byNode: boolean } => {
      if (typeof val !== 'string' || val === '') return { byNode: false };
      const refs = envRefs(val);
      for (const r of refs) {
        if (!isNodeNameEnv(c, r) && c.env.get(r) === undefined) {
          notes.push({ rule: 'agent-config', severity: 'warn', at: y.loc(where), message: `OpenTelemetry Collector: ${JSON.stringify(val)} refers to env var ${r}, which container ${c.name} does not define`, fix: `add env ${r} from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName)` });
          return { byNode: false };
        }
      }
      return { byNode: true };
    };

    // k8sattributes processors.
    const processors = isObj(v.processors) ? v.processors : {};
    for (const [id, pc] of Object.entries(processors)) {
      const type = componentType(id);
      if (type !== 'k8sattributes' && type !== 'k8s_attributes') continue;
      const base: DocPath = ['processors', id];
      if (!used.processors.has(id)) {
        notes.push({ rule: 'agent-config', severity: 'note', at: y.loc(base), message: `OpenTelemetry Collector: processor ${id} is configured but in no pipeline, so it makes no API call`, fix: 'none needed' });
        continue;
      }
      const p = isObj(pc) ? pc : {};
      if (p.passthrough === true) continue;
      const filter = isObj(p.filter) ? p.filter : {};
      let byNode = false;
      if (typeof filter.node === 'string' && filter.node !== '') byNode = true;
      if (typeof filter.node_from_env_var === 'string' && filter.node_from_env_var !== '') {
        const name = filter.node_from_env_var;
        if (isNodeNameEnv(c, name) || c.env.get(name) !== undefined) byNode = true;
        else {
          notes.push({
            rule: 'agent-config',
            severity: 'warn',
            at: y.loc([...base, 'filter', 'node_from_env_var']),
            message: `OpenTelemetry Collector: ${id} filters by node from env var ${name}, but container ${c.name} does not define it: the filter is empty and every collector watches all pods`,
            fix: `add env ${name} with valueFrom.fieldRef.fieldPath: spec.nodeName (k8sattributes README, "As an agent")`,
          });
        }
      }
      const ns = typeof filter.namespace === 'string' && filter.namespace !== '' ? filter.namespace : undefined;
      const scope: Scope = byNode ? 'node' : ns !== undefined ? 'namespace' : 'cluster';
      const filterAt = y.loc(isObj(p.filter) ? [...base, 'filter'] : base);
      calls.push({
        profile: callProfile(`${id}-pods`, 'watch', 'pods', { scope }),
        at: filterAt,
        because: `OpenTelemetry ${id} keeps a pod informer ${byNode ? 'filtered to its node (spec.nodeName)' : ns !== undefined ? `in namespace ${ns}` : 'on every pod of the cluster (no node filter)'}`,
        agent: 'otel-collector',
        ...(scope === 'namespace' && ns !== undefined ? { namespaces: [ns] } : {}),
      });
      const extract = isObj(p.extract) ? p.extract : {};
      const metadata = Array.isArray(extract.metadata) ? extract.metadata.filter((x): x is string => typeof x === 'string') : DEFAULT_K8SATTR_METADATA;
      const fromOf = (list: unknown): Set<string> => new Set((Array.isArray(list) ? list : []).filter(isObj).map((r) => text(r.from) || 'pod'));
      const from = new Set([...fromOf(extract.labels), ...fromOf(extract.annotations)]);
      const nsScope: Scope = ns !== undefined ? 'namespace' : 'cluster';
      const depUid = metadata.includes('k8s.deployment.uid');
      const depName = metadata.includes('k8s.deployment.name') || metadata.includes('service.name');
      if (depUid || (depName && extract.deployment_name_from_replicaset !== true)) {
        calls.push({
          profile: callProfile(`${id}-replicasets`, 'watch', 'replicasets', { scope: nsScope }),
          at: y.loc(Array.isArray(extract.metadata) ? [...base, 'extract', 'metadata'] : base),
          because: `OpenTelemetry ${id} watches ReplicaSets${ns !== undefined ? ` in ${ns}` : ' of the whole cluster (not node-filtered)'} to name deployments`,
          agent: 'otel-collector',
          ...(ns !== undefined ? { namespaces: [ns] } : {}),
        });
      }
      if (from.has('namespace')) calls.push({ profile: callProfile(`${id}-namespaces`, 'watch', 'namespaces'), at: y.loc([...base, 'extract']), because: `OpenTelemetry ${id} extracts namespace labels/annotations`, agent: 'otel-collector' });
      else if (metadata.includes('k8s.cluster.uid')) calls.push({ profile: callProfile(`${id}-kube-system`, 'watch', 'namespaces', { scope: 'namespace' }), at: y.loc([...base, 'extract', 'metadata']), because: `OpenTelemetry ${id} watches the kube-system namespace for k8s.cluster.uid`, agent: 'otel-collector', namespaces: ['kube-system'] });
      if (from.has('node') || metadata.includes('k8s.node.uid')) {
        calls.push({ profile: callProfile(`${id}-nodes`, 'watch', 'nodes', { scope: byNode ? 'node' : 'cluster' }), at: y.loc([...base, 'extract']), because: `OpenTelemetry ${id} watches ${byNode ? 'its node' : 'every node'} for node metadata`, agent: 'otel-collector' });
      }
      for (const [k, res] of [['deployment', 'deployments'], ['statefulset', 'statefulsets'], ['daemonset', 'daemonsets'], ['job', 'jobs']] as const) {
        if (from.has(k) || (k === 'job' && metadata.includes('k8s.cronjob.uid'))) calls.push({ profile: callProfile(`${id}-${res}`, 'watch', res, { scope: nsScope }), at: y.loc([...base, 'extract']), because: `OpenTelemetry ${id} watches ${res} for their labels/annotations`, agent: 'otel-collector' });
      }
    }

    // Receivers.
    const receivers = isObj(v.receivers) ? v.receivers : {};
    for (const [id, rc] of Object.entries(receivers)) {
      if (!used.receivers.has(id)) continue;
      const type = componentType(id);
      const r = isObj(rc) ? rc : {};
      const base: DocPath = ['receivers', id];
      if (type === 'prometheus') {
        if (isObj(r.target_allocator)) continue; // targets come from the target allocator, not from discovery here
        const sd = prometheusSd(y, [...base, 'config', 'scrape_configs'], c, `otel ${id}`, workloadNamespace);
        calls.push(...sd.calls.map((x) => ({ ...x, agent: 'otel-collector' })));
        notes.push(...sd.notes);
      } else if (type === 'k8s_cluster') {
        for (const res of ['pods', 'nodes', 'namespaces', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'resourcequotas', 'services']) {
          calls.push({ profile: callProfile(`${id}-${res}`, 'watch', res), at: y.loc(base), because: `OpenTelemetry receiver ${id} (k8s_cluster) watches every ${res} of the cluster; it is meant to run as one replica`, agent: 'otel-collector' });
        }
      } else if (type === 'k8s_events') {
        const nss = Array.isArray(r.namespaces) ? r.namespaces.length : 0;
        calls.push({ profile: callProfile(`${id}-events`, 'watch', 'events', { scope: nss > 0 ? 'namespace' : 'cluster' }), at: y.loc(base), because: `OpenTelemetry receiver ${id} watches events`, agent: 'otel-collector' });
      } else if (type === 'k8sobjects') {
        const objects = Array.isArray(r.objects) ? r.objects : [];
        objects.forEach((ob, k) => {
          if (!isObj(ob) || typeof ob.name !== 'string') return;
          const mode = ob.mode === 'watch' ? 'watch' : 'pull';
          const nss = Array.isArray(ob.namespaces) && ob.namespaces.length > 0;
          const interval = parseDuration(typeof ob.interval === 'string' || typeof ob.interval === 'number' ? ob.interval : '1h') ?? 3600;
          const scope: Scope = typeof ob.field_selector === 'string' && /spec\.nodeName\s*=/.test(ob.field_selector) ? 'node' : nss ? 'namespace' : 'cluster';
          calls.push({
            profile: mode === 'watch' ? callProfile(`${id}-${ob.name}`, 'watch', ob.name, { scope }) : callProfile(`${id}-${ob.name}`, 'list', ob.name, { scope, periodS: interval }),
            at: y.loc([...base, 'objects', k]),
            because: mode === 'watch' ? `OpenTelemetry receiver ${id} watches ${ob.name}` : `OpenTelemetry receiver ${id} lists ${ob.name} every ${interval} s (pull mode)`,
            agent: 'otel-collector',
          });
        });
      }
    }

    // The k8s_observer extension (used by receiver_creator).
    const exts = isObj(v.extensions) ? v.extensions : {};
    for (const [id, ec] of Object.entries(exts)) {
      if (componentType(id) !== 'k8s_observer' || !extensions.has(id)) continue;
      const e = isObj(ec) ? ec : {};
      const base: DocPath = ['extensions', id];
      const { byNode } = nodeVar(e.node, [...base, 'node']);
      if (e.observe_pods !== false) calls.push({ profile: callProfile(`${id}-pods`, 'watch', 'pods', { scope: byNode ? 'node' : 'cluster' }), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches ${byNode ? 'its node\'s pods' : 'every pod (no `node` set)'}`, agent: 'otel-collector' });
      if (e.observe_nodes === true) calls.push({ profile: callProfile(`${id}-nodes`, 'watch', 'nodes', { scope: byNode ? 'node' : 'cluster' }), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches nodes`, agent: 'otel-collector' });
      if (e.observe_services === true) calls.push({ profile: callProfile(`${id}-services`, 'watch', 'services'), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches services`, agent: 'otel-collector' });
    }
  }
  return found ? { agent: 'otel-collector', calls, notes } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Calico

export function calico(w: WorkloadInfo, c: Container): AgentResult | undefined {
  const image = c.image.toLowerCase();
  const at: Loc = w.f.loc([...c.path, 'image']);
  if (/(^|\/)typha(:|@|$)/.test(image) || /calico\/typha/.test(image)) {
    const calls = ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services'].map((res) => ({
      profile: callProfile(`typha-${res}`, 'watch', res),
      at,
      because: `Calico Typha watches ${res} once for the cluster and fans the updates out to every calico-node`,
      agent: 'calico-typha',
    }));
    return { agent: 'calico-typha', calls, notes: [] };
  }
  if (!/calico\/node(:|@|$)/.test(image) && !/(^|\/)calico-node(:|@|$)/.test(image)) return undefined;
  const datastore = c.env.get('DATASTORE_TYPE')?.value ?? 'kubernetes';
  if (datastore !== 'kubernetes') return { agent: 'calico-node', calls: [], notes: [] };
  const typha = c.env.get('FELIX_TYPHAK8SSERVICENAME');
  const viaTypha = typha !== undefined && (typha.value === undefined || (typha.value !== '' && typha.value.toLowerCase() !== 'none'));
  // Either way the node reads and updates its own Node object now and then.
  const calls: DerivedCall[] = [{ profile: callProfile('calico-node-get-node', 'get', 'nodes', { periodS: 60 }), at, because: 'calico-node reads its own Node', agent: 'calico-node' }];
  if (!viaTypha) {
    for (const res of ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services']) {
      calls.push({ profile: callProfile(`felix-${res}`, 'watch', res), at, because: `calico-node's Felix watches every ${res} of the cluster itself (FELIX_TYPHAK8SSERVICENAME is not set, so no Typha)`, agent: 'calico-node' });
    }
  }
  return { agent: 'calico-node', calls, notes: [] };
}

export { YamlConfig };
