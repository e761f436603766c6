/**
 * The Datadog Agent (node agent, a DaemonSet) and the Datadog Cluster Agent
 * (a Deployment), read from their environment (`DD_*` variables, also from
 * `envFrom` ConfigMaps and `configMapKeyRef`), a mounted `datadog.yaml`, and
 * the Cluster Agent's `conf.d` ConfigMap. Environment variables win over
 * `datadog.yaml` (viper's BindEnv). Sources: DataDog/datadog-agent
 * pkg/config/setup/config.go (defaults), pkg/util/kubernetes/apiserver,
 * comp/core/workloadmeta/collectors/internal/kubemetadata,
 * pkg/collector/corechecks/cluster/kubernetesapiserver, and the
 * DataDog/helm-charts `charts/datadog` templates.
 *
 * Node agent:
 * - With `cluster_agent.enabled` (DD_CLUSTER_AGENT_ENABLED) the node agent
 *   asks the Cluster Agent for cluster metadata (kube_service tags, namespace
 *   labels) and reads pods from its kubelet: no API call; the
 *   kubernetes_apiserver check does not run ("Cluster agent is enabled. Not
 *   running Kubernetes API Server check or collecting Kubernetes Events").
 * - Without it, every node agent is its own metadata mapper
 *   (`kubernetes_collect_metadata_tags`, default true): every
 *   `kubernetes_metadata_tag_update_freq` seconds (default 60) it LISTs all
 *   Endpoints — or EndpointSlices with `kubernetes_use_endpoint_slices` — of
 *   the cluster (apiserver_kubelet.go `NodeMetadataMapping`), from the watch
 *   cache (resourceVersion "0", DataDog/datadog-agent#13906, first released in
 *   7.41; before, a quorum read from etcd: the #1870 case, etcd egress
 *   ~70 → ~880 MiB/min at ~100 nodes); with
 *   `kubernetes_namespace_labels_as_tags` it keeps a Namespace informer.
 *   With `leader_election` every node agent is a candidate: a GET of the
 *   lock (ConfigMap or Lease, `leader_election_default_resource`) every
 *   RetryPeriod = lease / 4 (lease `leader_lease_duration`, default 60 s:
 *   leaderelection_engine.go), the leader also UPDATEs it; only the leader
 *   runs the kubernetes_apiserver check (every 15 s): component statuses,
 *   and with `collect_kubernetes_events` a watch of events from the stored
 *   resourceVersion, a full events LIST (limit `max_events_per_run`, 300)
 *   every resync (300 s), and a GET + UPDATE of the token ConfigMap.
 * - `kubelet_use_api_server` (pods from the API server instead of the
 *   kubelet) is not modelled: a located warning says so.
 *
 * Cluster Agent (a fan-out cache: node agents call it, not the API server):
 * - leader election, as above (every replica a candidate);
 * - the metadata controller (`kubernetes_collect_metadata_tags`): Node and
 *   Endpoints / EndpointSlices informers, on every replica;
 * - cluster checks (`cluster_checks.enabled`, kube_services and
 *   kube_endpoints listeners): Service and Endpoints / EndpointSlices
 *   informers, every replica;
 * - leader only: the kubernetes_apiserver check (events as above); the
 *   orchestrator explorer (`orchestrator_explorer.enabled`, default true) with
 *   informers on its stable collectors and unassigned pods
 *   (pkg/collector/corechecks/cluster/orchestrator/collectors/inventory);
 *   the kubernetes_state_core check from its conf.d file
 *   (`kubernetes_state_core.yaml[.default]`: one informer per `collectors`
 *   entry, on every replica with `skip_leader_election`; with
 *   `cluster_check: true` it runs on a cluster check runner instead, a
 *   note); the external metrics provider's HPA informer.
 * - Not modelled: the admission controller's informers on its own Secret and
 *   webhook configuration (one object each, by name).
 *
 * @example
 *   datadogAgentReader.read(ctx)?.calls;          // [] with DD_CLUSTER_AGENT_ENABLED=true
 *   datadogClusterAgentReader.read(ctx)?.calls;   // its informers, most leader-only
 */
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import { callProfile, type AgentContext, type AgentNote, type AgentReader, type AgentResult, type CallOptions, type ConfigText } from './agent.ts';
import { get, Located, YamlConfig } from './config-text.ts';
import { ContainerSettings } from './container-settings.ts';
import { imageVersion, versionBelow } from './image-version.ts';

/** Registries: gcr.io/datadoghq, registry.datadoghq.com, public.ecr.aws/datadog, datadoghq.azurecr.io, docker.io/datadog (charts/datadog _helpers.tpl "registry"). */
export const DD_AGENT_IMAGE = /datadog[^/]*\/agent(:|@|$)|(^|\/)datadog-agent(:|@|$)/;
export const DD_CLUSTER_AGENT_IMAGE = /datadog[^/]*\/cluster-agent(:|@|$)|(^|\/)datadog-cluster-agent(:|@|$)/;

/** Sidecars of the node agent pod that share its image but not its API clients (charts/datadog templates/_container-*.yaml). */
const NOT_CORE = /(^|\/)(trace-agent|process-agent|security-agent|system-probe|otel-agent|agent-data-plane|host-profiler|private-action-runner)$/;

/** pkg/config/setup/config.go defaults. */
const DEFAULT_TAG_UPDATE_S = 60;
const DEFAULT_LEASE_S = 60;
/** kubernetes_apiserver check: default check interval 15 s; event resync 300 s; max_events_per_run 300 (kubernetes_apiserver.go). */
const CHECK_INTERVAL_S = 15;
const EVENT_RESYNC_S = 300;
const EVENT_LIMIT = 300;

/** The orchestrator explorer's stable collectors in the Cluster Agent (collectors/inventory), plus unassigned pods. */
const ORCHESTRATOR_TYPES = ['nodes', 'namespaces', 'services', 'deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'persistentvolumes', 'persistentvolumeclaims', 'serviceaccounts', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'ingresses', 'limitranges', 'storageclasses', 'horizontalpodautoscalers', 'networkpolicies'];

interface Setting {
  readonly value: string;
  readonly at: Loc;
  /** Where it came from, for messages: "env DD_X", "datadog.yaml cluster_agent.enabled". */
  readonly source: string;
}

/** The agent's configuration: environment (literal, configMapKeyRef, envFrom) over datadog.yaml over defaults. */
class DdConfig {
  readonly s: ContainerSettings;
  readonly notes: AgentNote[] = [];
  readonly #yaml: YamlConfig | undefined;
  readonly #envFrom = new Map<string, { value: string; at: Loc; from: string }>();

  constructor(s: ContainerSettings, configs: readonly ConfigText[]) {
    this.s = s;
    const yamlCfg = configs.find((t) => t.key === 'datadog.yaml');
    this.#yaml = yamlCfg !== undefined ? YamlConfig.parse(yamlCfg) : undefined;
    for (const ref of s.envFrom()) {
      for (const t of configs) {
        if (t.kind !== ref.kind || t.configMap !== ref.name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.key)) continue;
        this.#envFrom.set(`${ref.prefix}${t.key}`, { value: t.text, at: new Located(t).at(0), from: `${t.kind} ${t.configMap}` });
      }
    }
  }

  /** `cluster_agent.enabled` → env DD_CLUSTER_AGENT_ENABLED, or datadog.yaml `cluster_agent: { enabled }`. */
  get(key: string): Setting | undefined {
    const envName = `DD_${key.replace(/\./g, '_').toUpperCase()}`;
    const e = this.s.env(envName);
    if (e !== undefined) {
      if (e.value !== undefined) return { value: e.value, at: e.at, source: `env ${envName}` };
      const ref = this.s.c.env.get(envName)?.configMapKeyRef;
      this.notes.push({
        rule: 'agent-config',
        severity: 'warn',
        at: e.at,
        message: `Datadog: ${envName} comes from ${ref !== undefined ? `ConfigMap ${ref.name} key ${ref.key}, which is not in the input` : 'a source the analyzer cannot read (a Secret or the downward API)'}; the agent's default is assumed`,
        fix: ref !== undefined ? `pass ConfigMap ${ref.name} with the workload` : `set ${envName} as a literal value`,
      });
      return undefined;
    }
    const ef = this.#envFrom.get(envName);
    if (ef !== undefined) return { value: ef.value.trim(), at: ef.at, source: `env ${envName} (envFrom ${ef.from})` };
    const y = this.#yaml;
    if (y !== undefined) {
      const path = key.split('.');
      const v = get(y.value, path);
      if (v !== undefined && v !== null) return { value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v), at: y.loc(path), source: `datadog.yaml ${key}` };
    }
    return undefined;
  }

  bool(key: string, dflt: boolean): { value: boolean; at: Loc | undefined } {
    const v = this.get(key);
    if (v === undefined) return { value: dflt, at: undefined };
    return { value: /^(1|t|true|yes|on)$/i.test(v.value.trim()), at: v.at };
  }

  num(key: string, dflt: number): { value: number; at: Loc | undefined } {
    const v = this.get(key);
    const n = v !== undefined ? Number(v.value) : NaN;
    return Number.isFinite(n) && n > 0 ? { value: n, at: v?.at } : { value: dflt, at: v?.at };
  }

  /** A map-valued setting that is set and not empty (`{}`). */
  nonEmptyMap(key: string): Setting | undefined {
    const v = this.get(key);
    return v !== undefined && !/^\s*(\{\s*\}|)\s*$/.test(v.value) ? v : undefined;
  }
}

const lockResource = (cfg: DdConfig, image: string): string => {
  const r = cfg.get('leader_election_default_resource')?.value.trim().toLowerCase() ?? '';
  if (r.startsWith('configmap')) return 'configmaps';
  if (r.startsWith('lease')) return 'leases';
  // "" auto-detects; Leases are supported from agent 7.47 (charts/datadog values leaderElectionResource).
  const v = imageVersion(image);
  return v !== undefined && versionBelow(v, [7, 47, 0]) ? 'configmaps' : 'leases';
};

/** Leader election calls of every candidate, and the leader's renewal. */
function leaderElection(cfg: DdConfig, agent: string, at: Loc, namespace: string, image: string): DerivedCall[] {
  const lease = cfg.num('leader_lease_duration', DEFAULT_LEASE_S);
  const retry = lease.value / 4;
  const res = lockResource(cfg, image);
  return [
    { profile: callProfile(`${agent}-leader-get`, 'get', res, { scope: 'namespace', periodS: retry }), at, because: `every ${agent} pod is a leader-election candidate: a GET of the ${res === 'leases' ? 'Lease' : 'ConfigMap'} lock every ${retry} s (lease ${lease.value} s / 4)`, agent, namespaces: [namespace] },
    { profile: callProfile(`${agent}-leader-renew`, 'update', res, { scope: 'namespace', periodS: retry }), at, because: `the elected ${agent} renews its ${res === 'leases' ? 'Lease' : 'ConfigMap'} lock every ${retry} s`, agent, namespaces: [namespace], leaderOnly: true },
  ];
}

/** The kubernetes_apiserver check, run by the leader only (every 15 s). */
function apiserverCheck(cfg: DdConfig, agent: string, at: Loc, namespace: string): DerivedCall[] {
  const calls: DerivedCall[] = [
    { profile: callProfile(`${agent}-componentstatuses`, 'list', 'componentstatuses', { periodS: CHECK_INTERVAL_S }), at, because: `the elected ${agent}'s kubernetes_apiserver check lists component statuses every ${CHECK_INTERVAL_S} s`, agent, leaderOnly: true },
  ];
  const ev = cfg.bool('collect_kubernetes_events', false);
  if (!ev.value) return calls;
  const evAt = ev.at ?? at;
  const list = callProfile(`${agent}-events-resync`, 'list', 'events', { periodS: EVENT_RESYNC_S });
  calls.push(
    { profile: { ...list, pageSize: EVENT_LIMIT }, at: evAt, because: `the elected ${agent} re-lists events (limit ${EVENT_LIMIT}, from etcd) every ${EVENT_RESYNC_S} s (collect_kubernetes_events)`, agent, leaderOnly: true },
    { profile: callProfile(`${agent}-events-watch`, 'watch', 'events', { rv: 'watch-list' }), at: evAt, because: `the elected ${agent} watches events from its stored resourceVersion every ${CHECK_INTERVAL_S} s (no list)`, agent, leaderOnly: true },
    { profile: callProfile(`${agent}-event-token-get`, 'get', 'configmaps', { scope: 'namespace', periodS: CHECK_INTERVAL_S }), at: evAt, because: `the elected ${agent} reads its event token ConfigMap every ${CHECK_INTERVAL_S} s`, agent, namespaces: [namespace], leaderOnly: true },
    { profile: callProfile(`${agent}-event-token-update`, 'update', 'configmaps', { scope: 'namespace', periodS: CHECK_INTERVAL_S }), at: evAt, because: `the elected ${agent} stores the last event resourceVersion in its token ConfigMap every ${CHECK_INTERVAL_S} s`, agent, namespaces: [namespace], leaderOnly: true },
  );
  return calls;
}

const endpointsResource = (cfg: DdConfig): { res: string; at: Loc | undefined } => {
  const s = cfg.bool('kubernetes_use_endpoint_slices', false);
  return { res: s.value ? 'endpointslices' : 'endpoints', at: s.at };
};

function isDatadog(ctx: AgentContext, image: RegExp): boolean {
  const img = ctx.container.image.toLowerCase();
  if (image.test(img)) return true;
  // A mirrored image keeps the name (…/agent, …/cluster-agent); the DD_ environment says it is Datadog's.
  const name = image === DD_CLUSTER_AGENT_IMAGE ? /(^|\/)cluster-agent(:|@|$)/ : /(^|\/)agent(:|@|$)/;
  return name.test(img) && [...ctx.container.env.keys()].some((k) => k.startsWith('DD_'));
}

export function datadogAgent(ctx: AgentContext): AgentResult | undefined {
  if (!isDatadog(ctx, DD_AGENT_IMAGE)) return undefined;
  const s = ContainerSettings.of(ctx.workload, ctx.container);
  if (NOT_CORE.test(s.argv.find((a) => a !== 'exec') ?? '')) return undefined;
  const cfg = new DdConfig(s, ctx.configs);
  const agent = 'datadog-agent';
  const calls: DerivedCall[] = [];
  const dca = cfg.bool('cluster_agent.enabled', false);
  const useApi = cfg.bool('kubelet_use_api_server', false);
  if (useApi.value && useApi.at !== undefined) {
    cfg.notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: useApi.at,
      message: 'Datadog: kubelet_use_api_server makes every node agent read its pods from the API server instead of its kubelet; the analyzer does not model that call yet, so this estimate leaves it out',
      fix: 'keep DD_KUBELET_USE_API_SERVER off where the kubelet is reachable, or state the call in a firebreak.dev/api-profile annotation',
    });
  }
  if (dca.value) return { agent, calls, notes: cfg.notes };

  const at = dca.at ?? s.imageAt;
  cfg.notes.push({
    rule: 'agent-config',
    severity: 'note',
    at,
    message: 'Datadog: the node agent runs without the Cluster Agent (cluster_agent.enabled is not true), so every node agent reads cluster metadata from the API server itself (DataDog/datadog-agent#1870)',
    fix: 'deploy the Datadog Cluster Agent and set DD_CLUSTER_AGENT_ENABLED=true on the node agents (datadog chart clusterAgent.enabled: true)',
  });
  const meta = cfg.bool('kubernetes_collect_metadata_tags', true);
  if (meta.value) {
    const freq = cfg.num('kubernetes_metadata_tag_update_freq', DEFAULT_TAG_UPDATE_S);
    const { res } = endpointsResource(cfg);
    const v = imageVersion(ctx.container.image);
    const etcd = v !== undefined && versionBelow(v, [7, 41, 0]);
    calls.push({
      profile: callProfile('datadog-agent-metadata-mapper', 'list', res, { periodS: freq.value, rv: etcd ? 'consistent' : '0' }),
      at: meta.at ?? at,
      because: `without the Cluster Agent (cluster_agent.enabled is not set) every node agent maps its pods to services itself: a LIST of all ${res} of the cluster every ${freq.value} s (kubernetes_metadata_tag_update_freq)${etcd ? ', a quorum read from etcd in agents before 7.41' : ', from the watch cache'}`,
      agent,
    });
    const nsLabels = cfg.nonEmptyMap('kubernetes_namespace_labels_as_tags');
    if (nsLabels !== undefined) {
      calls.push({ profile: callProfile('datadog-agent-namespaces', 'watch', 'namespaces'), at: nsLabels.at, because: 'without the Cluster Agent every node agent keeps a Namespace informer for kubernetes_namespace_labels_as_tags', agent });
    }
  }
  const le = cfg.bool('leader_election', false);
  if (le.value) {
    const leAt = le.at ?? at;
    calls.push(...leaderElection(cfg, agent, leAt, ctx.workload.namespace, ctx.container.image), ...apiserverCheck(cfg, agent, leAt, ctx.workload.namespace));
  } else {
    const ev = cfg.bool('collect_kubernetes_events', false);
    if (ev.value && ev.at !== undefined) {
      cfg.notes.push({ rule: 'agent-config', severity: 'note', at: ev.at, message: 'Datadog: collect_kubernetes_events without leader_election: the kubernetes_apiserver check refuses to run ("Leader Election not enabled"), no events are collected', fix: 'enable the Cluster Agent (it collects events once for the cluster), or set DD_LEADER_ELECTION=true' });
    }
  }
  return { agent, calls, notes: cfg.notes };
}

export function datadogClusterAgent(ctx: AgentContext): AgentResult | undefined {
  if (!isDatadog(ctx, DD_CLUSTER_AGENT_IMAGE)) return undefined;
  const s = ContainerSettings.of(ctx.workload, ctx.container);
  const cfg = new DdConfig(s, ctx.configs);
  const agent = 'datadog-cluster-agent';
  const ns = ctx.workload.namespace;
  const at = s.imageAt;
  // One shared informer factory: a type is watched once per process; all replicas if any all-replica feature wants it.
  const informers = new Map<string, { opts: CallOptions; at: Loc; why: string[]; leaderOnly: boolean; namespaces?: readonly string[] }>();
  const watch = (res: string, where: Loc, why: string, leaderOnly: boolean, opts: CallOptions = {}, namespaces?: readonly string[]): void => {
    const key = `${res}/${opts.scope ?? 'cluster'}/${(namespaces ?? []).join(',')}`;
    const e = informers.get(key);
    if (e === undefined) informers.set(key, { opts, at: where, why: [why], leaderOnly, ...(namespaces !== undefined ? { namespaces } : {}) });
    else {
      e.why.push(why);
      if (!leaderOnly && e.leaderOnly) {
        e.leaderOnly = false;
        e.at = where;
      }
    }
  };
  const calls: DerivedCall[] = [];
  const le = cfg.bool('leader_election', false);
  if (le.value) calls.push(...leaderElection(cfg, agent, le.at ?? at, ns, ctx.container.image));
  const leader = le.value;

  const meta = cfg.bool('kubernetes_collect_metadata_tags', true);
  const ep = endpointsResource(cfg);
  if (meta.value) {
    watch('nodes', meta.at ?? at, 'the metadata controller (kube_service tags for every node agent)', false);
    watch(ep.res, ep.at ?? meta.at ?? at, 'the metadata controller (kube_service tags for every node agent)', false);
  }
  const cc = cfg.bool('cluster_checks.enabled', false);
  if (cc.value) {
    watch('services', cc.at ?? at, 'cluster checks (kube_services listener)', false);
    watch(ep.res, cc.at ?? at, 'endpoints checks (kube_endpoints listener)', false);
  }
  if (leader) calls.push(...apiserverCheck(cfg, agent, le.at ?? at, ns));
  const orch = cfg.bool('orchestrator_explorer.enabled', true);
  if (orch.value) {
    for (const res of ORCHESTRATOR_TYPES) watch(res, orch.at ?? at, 'the orchestrator explorer', leader);
    watch('pods', orch.at ?? at, 'the orchestrator explorer (unassigned pods: spec.nodeName=, counted as all pods)', leader);
  }
  const emp = cfg.bool('external_metrics_provider.enabled', false);
  if (emp.value) watch('horizontalpodautoscalers', emp.at ?? at, 'the external metrics provider', leader);

  // kubernetes_state_core: one informer per collector, from the conf.d file.
  for (const t of ctx.configs) {
    if (!/^kubernetes_state_core\.ya?ml(\.default)?$/.test(t.key) && !/^kubernetes_state_core\.d--/.test(t.key)) continue;
    const y = YamlConfig.parse(t);
    if (y === undefined || !isObj(y.value)) continue;
    const instances = get(y.value, ['instances']);
    const clusterCheck = get(y.value, ['cluster_check']) === true;
    if (clusterCheck) {
      // Dispatched to a cluster check runner: its informers run there, as the runner's service account.
      cfg.notes.push({
        rule: 'agent-config',
        severity: 'note',
        at: y.loc(['cluster_check']),
        message: 'Datadog: kubernetes_state_core is a cluster check (cluster_check: true): the Cluster Agent dispatches it to one cluster check runner, which keeps its informers (one client for the cluster); they are not counted on the Cluster Agent',
        fix: 'none needed; analyze the cluster checks runner with its RBAC',
      });
      continue;
    }
    (Array.isArray(instances) ? instances : []).forEach((inst, i) => {
      if (!isObj(inst)) return;
      const collectors = Array.isArray(inst.collectors) ? inst.collectors.filter((x): x is string => typeof x === 'string') : [];
      const skipLeader = inst.skip_leader_election === true;
      const nsList = Array.isArray(inst.namespaces) ? inst.namespaces.filter((x): x is string => typeof x === 'string') : [];
      const where = y.loc(['instances', i, 'collectors']);
      for (const res of collectors) {
        const why = 'the kubernetes_state_core check';
        const only = !skipLeader && leader;
        if (nsList.length > 0 && res !== 'nodes' && res !== 'namespaces' && res !== 'persistentvolumes' && res !== 'storageclasses' && res !== 'volumeattachments') {
          for (const n of nsList) watch(res, where, why, only, { scope: 'namespace' }, [n]);
        } else watch(res, where, why, only);
      }
    });
  }
  for (const [key, e] of informers) {
    const res = key.split('/')[0] ?? '';
    calls.push({
      profile: callProfile(`${agent}-${res}${e.namespaces !== undefined ? `-${e.namespaces.join('-')}` : ''}`, 'watch', res, e.opts),
      at: e.at,
      because: `the Cluster Agent${e.leaderOnly ? "'s elected leader" : ''} keeps one ${res} informer${e.namespaces !== undefined ? ` in ${e.namespaces.join(', ')}` : ' for the whole cluster'}, for ${[...new Set(e.why)].join(', ')}`,
      agent,
      ...(e.namespaces !== undefined ? { namespaces: e.namespaces } : {}),
      ...(e.leaderOnly ? { leaderOnly: true } : {}),
    });
  }
  return { agent, calls, notes: cfg.notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'datadog-agent' && call.profile.resource !== 'pods' ? 'deploy the Datadog Cluster Agent and set DD_CLUSTER_AGENT_ENABLED=true on the node agents (datadog chart clusterAgent.enabled: true): it watches the cluster once and serves each node agent its metadata' : undefined;

export const datadogAgentReader: AgentReader = { id: 'datadog-agent', image: DD_AGENT_IMAGE, read: datadogAgent, fix: clusterWideFix, mayRead: (image) => image.includes('agent') };
export const datadogClusterAgentReader: AgentReader = { id: 'datadog-cluster-agent', image: DD_CLUSTER_AGENT_IMAGE, read: datadogClusterAgent, mayRead: (image) => image.includes('cluster-agent') };
