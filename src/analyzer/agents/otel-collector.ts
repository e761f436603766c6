/**
 * The OpenTelemetry Collector, read from its collector configuration
 * (`service.pipelines` decide which components run):
 *
 * OpenTelemetry Collector `k8sattributes` processor
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
 *   scrape configs (prometheus.ts), `k8s_cluster` (informers on the
 *   cluster's workloads, meant for one replica), `k8sobjects` (pull =
 *   periodic LIST, watch), `k8s_events` and the `k8s_observer` extension
 *   (pods and nodes, node-filtered with `node`).
 *
 * Leader election: `k8s_cluster`, `k8sobjects` and `k8s_events` take a
 *   `k8s_leader_elector: <extension id>` setting (each receiver's config.go,
 *   K8sLeaderElector "use this when k8s cluster receiver needs to be deployed
 *   in HA mode"); with the extension enabled in `service.extensions`, only the
 *   collector holding the lease runs the receiver — one client per cluster
 *   (`leaderOnly`). The election costs every collector its lease requests
 *   (extension/k8sleaderelector README and factory.go; client-go
 *   tools/leaderelection): candidates try to acquire the Lease every
 *   `retry_period` (default 2 s: a GET of the Lease; JitterUntil waits
 *   retry_period × 1 to 2.2, so every 2 s is the upper bound), and the leader
 *   renews it every `retry_period` (an UPDATE). `lease_duration` (15 s) and
 *   `renew_deadline` (10 s) do not change the steady rate.
 *
 * @example
 *   otelCollectorReader.read(ctx)?.calls;   // k8sattributes-pods: a pod informer, node-filtered or not
 */
import { parseDuration } from '../../core/duration.ts';
import type { Scope } from '../../model/profile.ts';
import { isObj, type Obj } from '../objects.ts';
import type { DerivedCall, DocPath } from '../types.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { envRefs, get, isNodeNameEnv, text, YamlConfig } from './config-text.ts';
import { prometheusSd } from './prometheus.ts';
import type { Container } from '../workloads.ts';

export function isOtelConfig(v: unknown): boolean {
  return isObj(v) && isObj(v.service) && (isObj(v.receivers) || isObj(v.processors) || isObj(v.exporters));
}

const DEFAULT_K8SATTR_METADATA = ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.pod.start_time', 'k8s.deployment.name', 'k8s.node.name'];

/** client-go leader election defaults, as the k8s_leader_elector extension sets them (extension/k8sleaderelector/factory.go). */
const ELECTOR_RETRY_PERIOD_S = 2;

const K8SATTR_NODE_FIX = 'filter by node: k8sattributes `filter: { node_from_env_var: K8S_NODE_NAME }` with K8S_NODE_NAME from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName) — k8sattributes README, "As an agent"';
const OBSERVER_NODE_FIX = 'set the k8s_observer extension\'s `node: ${env:K8S_NODE_NAME}` with K8S_NODE_NAME from the downward API spec.nodeName, so each collector watches its own node\'s pods';
const PROM_NODE_FIX = 'scope the prometheus receiver\'s discovery to the node: `selectors: [{ role: pod, field: spec.nodeName=${env:K8S_NODE_NAME}}]` with K8S_NODE_NAME from the downward API, or scrape from one cluster-level collector';
const clusterReceiverFix = (id: string): string =>
  `run receiver ${id} in one collector per cluster: put it behind the k8s_leader_elector extension (\`k8s_leader_elector: <extension id>\` on the receiver and the extension in service.extensions — what the opentelemetry-collector Helm chart does for presets.clusterMetrics in daemonset mode) or move it to a single-replica Deployment`;

function componentType(id: string): string {
  return id.split('/')[0] ?? id;
}

export function otelCollector(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!cfg.text.includes('service') || !/^\s*service\s*:/m.test(cfg.text)) continue;
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
    const exts = isObj(v.extensions) ? v.extensions : {};
    // Leader electors that run: configured and enabled in service.extensions. Each costs every collector its lease requests.
    const electors = new Map<string, { lease: string; namespace: string }>();
    for (const [id, ec] of Object.entries(exts)) {
      if (componentType(id) !== 'k8s_leader_elector' || !extensions.has(id)) continue;
      const e = isObj(ec) ? ec : {};
      const base: DocPath = ['extensions', id];
      const lease = typeof e.lease_name === 'string' ? e.lease_name : '';
      const nsText = typeof e.lease_namespace === 'string' ? e.lease_namespace : '';
      // ${env:POD_NAMESPACE} and the like: the collector's own namespace (the downward API's metadata.namespace).
      const namespace = nsText === '' || envRefs(nsText).length > 0 ? workloadNamespace : nsText;
      const retryText = typeof e.retry_period === 'string' || typeof e.retry_period === 'number' ? e.retry_period : undefined;
      const retryS = retryText === undefined ? ELECTOR_RETRY_PERIOD_S : (parseDuration(retryText) ?? ELECTOR_RETRY_PERIOD_S);
      electors.set(id, { lease, namespace });
      const where = `Lease ${namespace}/${lease === '' ? '?' : lease}`;
      calls.push({
        profile: callProfile(`${id}-lease-get`, 'get', 'leases', { scope: 'namespace', periodS: retryS }),
        at: y.loc(base),
        because: `the ${id} extension: every collector tries to acquire or renew ${where} every retry_period (${retryS} s; client-go leaderelection), a GET while it is not the leader`,
        agent: 'otel-collector',
        namespaces: [namespace],
      });
      calls.push({
        profile: callProfile(`${id}-lease-renew`, 'update', 'leases', { scope: 'namespace', periodS: retryS }),
        at: y.loc(base),
        because: `the ${id} extension: the elected collector renews ${where} every retry_period (${retryS} s)`,
        agent: 'otel-collector',
        namespaces: [namespace],
        leaderOnly: true,
      });
    }
    /** The receiver's leader elector, when it names one that runs; a note when it names one that does not. */
    const electedBy = (id: string, r: Obj, base: DocPath): string | undefined => {
      const ref = r.k8s_leader_elector;
      if (typeof ref !== 'string' || ref === '') return undefined;
      if (electors.has(ref)) return ref;
      notes.push({
        rule: 'agent-config',
        severity: 'warn',
        at: y.loc([...base, 'k8s_leader_elector']),
        message: `OpenTelemetry Collector: receiver ${id} names k8s_leader_elector ${ref}, which is not an extension configured and enabled in service.extensions: the receiver cannot be elected, so every collector is taken to run it`,
        fix: `configure extension ${ref} (auth_type, lease_name, lease_namespace) and list it in service.extensions`,
      });
      return undefined;
    };
    const electedText = (ref: string): string => {
      const e = electors.get(ref);
      return `only the collector holding Lease ${e?.namespace ?? '?'}/${e?.lease ?? '?'} (extension ${ref}) runs it: one client per cluster`;
    };
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
        fix: K8SATTR_NODE_FIX,
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
          fix: 'set k8sattributes `extract: { deployment_name_from_replicaset: true }` so collectors stop watching every ReplicaSet',
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
        calls.push(...sd.calls.map((x) => ({ ...x, agent: 'otel-collector', ...(x.profile.resource === 'pods' ? { fix: PROM_NODE_FIX } : {}) })));
        notes.push(...sd.notes);
      } else if (type === 'k8s_cluster') {
        const elected = electedBy(id, r, base);
        for (const res of ['pods', 'nodes', 'namespaces', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'resourcequotas', 'services']) {
          calls.push({
            profile: callProfile(`${id}-${res}`, 'watch', res),
            at: y.loc(elected !== undefined ? [...base, 'k8s_leader_elector'] : base),
            because: `OpenTelemetry receiver ${id} (k8s_cluster) watches every ${res} of the cluster; ${elected !== undefined ? electedText(elected) : 'it is meant to run in one collector per cluster, and here nothing elects one'}`,
            agent: 'otel-collector',
            fix: clusterReceiverFix(id),
            ...(elected !== undefined ? { leaderOnly: true } : {}),
          });
        }
      } else if (type === 'k8s_events') {
        const elected = electedBy(id, r, base);
        const nss = Array.isArray(r.namespaces) ? r.namespaces.length : 0;
        calls.push({
          profile: callProfile(`${id}-events`, 'watch', 'events', { scope: nss > 0 ? 'namespace' : 'cluster' }),
          at: y.loc(base),
          because: `OpenTelemetry receiver ${id} watches events${elected !== undefined ? `; ${electedText(elected)}` : ''}`,
          agent: 'otel-collector',
          fix: clusterReceiverFix(id),
          ...(elected !== undefined ? { leaderOnly: true } : {}),
        });
      } else if (type === 'k8sobjects') {
        const elected = electedBy(id, r, base);
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
            because: `${mode === 'watch' ? `OpenTelemetry receiver ${id} watches ${ob.name}` : `OpenTelemetry receiver ${id} lists ${ob.name} every ${interval} s (pull mode)`}${elected !== undefined ? `; ${electedText(elected)}` : ''}`,
            agent: 'otel-collector',
            fix: clusterReceiverFix(id),
            ...(elected !== undefined ? { leaderOnly: true } : {}),
          });
        });
      }
    }

    // The k8s_observer extension (used by receiver_creator).
    for (const [id, ec] of Object.entries(exts)) {
      if (componentType(id) !== 'k8s_observer' || !extensions.has(id)) continue;
      const e = isObj(ec) ? ec : {};
      const base: DocPath = ['extensions', id];
      const { byNode } = nodeVar(e.node, [...base, 'node']);
      if (e.observe_pods !== false) calls.push({ profile: callProfile(`${id}-pods`, 'watch', 'pods', { scope: byNode ? 'node' : 'cluster' }), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches ${byNode ? 'its node\'s pods' : 'every pod (no `node` set)'}`, agent: 'otel-collector', fix: OBSERVER_NODE_FIX });
      if (e.observe_nodes === true) calls.push({ profile: callProfile(`${id}-nodes`, 'watch', 'nodes', { scope: byNode ? 'node' : 'cluster' }), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches nodes`, agent: 'otel-collector' });
      if (e.observe_services === true) calls.push({ profile: callProfile(`${id}-services`, 'watch', 'services'), at: y.loc(base), because: `OpenTelemetry extension ${id} (k8s_observer) watches services`, agent: 'otel-collector' });
    }
  }
  return found ? { agent: 'otel-collector', calls, notes } : undefined;
}

export const otelCollectorReader: AgentReader = {
  id: 'otel-collector',
  image: /otel|opentelemetry/,
  read: (ctx) => otelCollector(ctx.configs, ctx.container, ctx.workload.namespace),
  mayRead: (_image, _c, configs) => configHas(configs, 'service'),
};
