/**
 * The clients every cluster has before any change: kubelets (lease renewals,
 * node status, their pod watch), kube-proxy, the controllers' informers and
 * writes, CoreDNS, and other workloads' service accounts — each a population
 * of identical clients with its call profile, priority level (the default
 * FlowSchemas, kubernetes.ts) and APF flows. The twin simulates exactly these
 * (src/twin/cluster-sim.ts builds its client classes from this list); the
 * analyzer counts their open watches into an API server's memory before the
 * change (src/analyzer/capacity.ts). See docs/model.md, "Clients".
 *
 * @example
 *   const clients = ownClients(DEFAULT_MODEL, 5000, clusterResources(5000, 150_000, DEFAULT_MODEL.objects));
 *   ownWatchers(clients, 5000); // 10317: a kubelet and a kube-proxy watch per node, 4 controller informers, 313 CoreDNS
 */
import { corednsReplicas } from './coredns.ts';
import { KUBELET_QPS } from './kubernetes.ts';
import type { ModelConfig } from './model-schema.ts';
import type { CallProfile, ResourceStats } from './profile.ts';
import { UNMODELLED_RESOURCE } from './resources.ts';

/**
 * nodes: kubelets and kube-proxy (a block of the nodes' network cuts them);
 * control: the controllers and CoreDNS; workloads: other workloads. Both
 * nodes and control talk protobuf.
 */
export type OwnClientGroup = 'nodes' | 'control' | 'workloads';

/** A population of identical clients of the cluster. */
export interface OwnClients {
  readonly name: string;
  readonly group: OwnClientGroup;
  /** Priority level of its requests. */
  readonly level: string;
  /** APF flows it spreads over (one per distinct user or service account). */
  readonly flows: number;
  readonly profile: CallProfile;
  /** Clients per node; 0 for a fixed count. */
  readonly perNode: number;
  /** Number of clients when perNode is 0. */
  readonly fixed: number;
}

/** A profile of the cluster's own clients: client-go's defaults, retrying with the model's backoff. */
function ownProfile(p: Partial<CallProfile> & Pick<CallProfile, 'name' | 'verb' | 'resource'>, m: ModelConfig): CallProfile {
  return {
    scope: 'cluster',
    resourceVersion: p.verb === 'watch' ? '0' : 'consistent',
    periodS: 0,
    jitter: 0.1,
    pageSize: 0,
    qps: 5,
    burst: 10,
    retry: { policy: 'backoff', initialS: m.clients.backoffInitialS, factor: m.clients.backoffFactor, maxS: m.clients.backoffMaxS, jitter: m.clients.backoffJitter },
    namespaceFraction: 0.05,
    ...p,
  };
}

/** The clients of a cluster of `nodes` nodes holding `resources` (resources.ts), in the twin's order. */
export function ownClients(m: ModelConfig, nodes: number, resources: ReadonlyMap<string, ResourceStats>): OwnClients[] {
  const cl = m.clients;
  const res = (name: string): ResourceStats => resources.get(name) ?? UNMODELLED_RESOURCE;
  const podEvents = res('pods').eventsPerSecond;
  const namespaces = res('namespaces').count;
  return [
    // Kubelets: node-high for leases and node status; their pod watch (node-scoped, RV=0, indexed) at system.
    { name: 'kubelet-lease', group: 'nodes', level: 'node-high', flows: nodes, profile: ownProfile({ name: 'kubelet-lease', verb: 'update', resource: 'leases', periodS: cl.leasePeriodS, qps: KUBELET_QPS, burst: 100 }, m), perNode: 1, fixed: 0 },
    { name: 'kubelet-status', group: 'nodes', level: 'node-high', flows: nodes, profile: ownProfile({ name: 'kubelet-status', verb: 'patch', resource: 'nodes', periodS: cl.nodeStatusPeriodS, qps: KUBELET_QPS, burst: 100 }, m), perNode: 1, fixed: 0 },
    { name: 'kubelet-pods', group: 'nodes', level: 'system', flows: nodes, profile: ownProfile({ name: 'kubelet-pods', verb: 'watch', resource: 'pods', scope: 'node', qps: KUBELET_QPS, burst: 100 }, m), perNode: 1, fixed: 0 },
    // kube-proxy: endpointslices cluster-wide from the cache; a service account in kube-system → workload-high.
    { name: 'kube-proxy', group: 'nodes', level: 'workload-high', flows: 1, profile: ownProfile({ name: 'kube-proxy', verb: 'watch', resource: 'endpointslices' }, m), perNode: 1, fixed: 0 },
    // Controllers and scheduler: informers on pods (and more), plus writes proportional to churn.
    { name: 'controller-informers', group: 'control', level: 'workload-high', flows: 2, profile: ownProfile({ name: 'controller-informers', verb: 'watch', resource: 'pods' }, m), perNode: 0, fixed: cl.controllerInformers },
    { name: 'controller-writes', group: 'control', level: 'workload-high', flows: 2, profile: ownProfile({ name: 'controller-writes', verb: 'update', resource: 'pods', periodS: 1, qps: 1e9, burst: 1e9 }, m), perNode: 0, fixed: Math.max(1, podEvents * cl.controllerWritesPerPodEvent) },
    // CoreDNS informers (kube-system service account → workload-high).
    { name: 'coredns', group: 'control', level: 'workload-high', flows: 1, profile: ownProfile({ name: 'coredns', verb: 'watch', resource: 'endpointslices' }, m), perNode: 0, fixed: corednsReplicas(m.dns, nodes) },
    // Other workloads' service accounts: namespace-scoped gets/lists, many flows, workload-low.
    { name: 'workloads', group: 'workloads', level: 'workload-low', flows: Math.max(1, namespaces), profile: ownProfile({ name: 'workloads', verb: 'get', resource: 'configmaps', periodS: 1 }, m), perNode: 0, fixed: Math.max(1, namespaces * cl.workloadCallsPerNamespaceS) },
  ];
}

/** Open watches of the cluster's own informers, all in sync, in a cluster of `nodes` nodes. */
export function ownWatchers(clients: readonly OwnClients[], nodes: number): number {
  let n = 0;
  for (const c of clients) if (c.profile.verb === 'watch') n += c.perNode > 0 ? c.perNode * nodes : c.fixed;
  return n;
}
