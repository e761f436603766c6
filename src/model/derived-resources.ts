/**
 * Objects of the types a scenario does not state, for calls on them: the
 * built-in types beyond the eight modelled ones (ReplicaSets, Secrets, …) and
 * the custom resources of the networking agents the analyzer reads, with
 * counts derived from the modelled types by stated ratios. The twin and the
 * analyzer both use them (resources.ts `resolveResource`), so a call on such
 * a type costs the same in both; both say that the figure is derived, not
 * stated (docs/model.md, "Objects").
 *
 * @example
 *   derivedResources(clusterResources(5000, 150_000, DEFAULT_MODEL.objects), DEFAULT_MODEL.objects).get('replicasets');
 *   // { count: 22500, bytes: 3072, eventsPerSecond: 2.08…, nodeScope: 'none' }
 */
import type { ObjectSizes } from './model-schema.ts';
import type { ResourceStats } from './profile.ts';

/** What the twin and the analyzer assume for a type no table knows and no scenario states. */
export const UNMODELLED_RESOURCE: ResourceStats = { count: 100, bytes: 2048, eventsPerSecond: 0.1, nodeScope: 'none' };

/**
 * Built-in types beyond the eight modelled ones, for calls on them when the
 * scenario does not state them: counts derived from the modelled ones with
 * stated ratios (docs/analyzer.md, "Objects"). They are not added to the
 * watch cache (what is not stated is not held).
 */
function extraResources(base: ReadonlyMap<string, ResourceStats>): Map<string, ResourceStats> {
  const pods = base.get('pods')?.count ?? 30;
  const services = base.get('services')?.count ?? 10;
  const namespaces = base.get('namespaces')?.count ?? 5;
  const slices = base.get('endpointslices') ?? UNMODELLED_RESOURCE;
  const x = new Map<string, ResourceStats>();
  const add = (name: string, count: number, bytes: number, eventsPerSecond: number): void => {
    x.set(name, { count: Math.max(1, Math.round(count)), bytes, eventsPerSecond, nodeScope: 'none' });
  };
  // One Endpoints object per Service, about the size of its slices.
  add('endpoints', services, slices.bytes * 1.2, slices.eventsPerSecond);
  // About one Deployment per Service; 3 ReplicaSets kept per Deployment (current and old revisions); pod templates ~3 KiB.
  add('deployments', services, 3072, services / 3600);
  add('replicasets', services * 3, 3072, services / 3600);
  add('statefulsets', services / 10, 3072, services / 36_000);
  add('daemonsets', Math.max(10, namespaces / 10), 3072, 0.01);
  add('jobs', services / 5, 2048, services / 18_000);
  add('cronjobs', services / 20, 2048, 0.01);
  add('secrets', namespaces * 10, 4096, 0.1);
  add('serviceaccounts', namespaces * 3, 500, 0.01);
  add('ingresses', services / 10, 1536, 0.01);
  add('networkpolicies', namespaces * 2, 1024, 0.01);
  add('persistentvolumeclaims', pods / 10, 1024, pods / 6_000_000);
  add('persistentvolumes', pods / 10, 1024, pods / 6_000_000);
  add('resourcequotas', namespaces, 500, 0.01);
  add('limitranges', namespaces, 500, 0.01);
  add('roles', namespaces * 3, 1024, 0.01);
  add('rolebindings', namespaces * 3, 1024, 0.01);
  add('clusterroles', 100, 1536, 0.01);
  add('clusterrolebindings', 100, 1024, 0.01);
  add('customresourcedefinitions', 50, 20_480, 0.01);
  add('horizontalpodautoscalers', services / 10, 1024, services / 600);
  add('poddisruptionbudgets', services / 5, 700, 0.01);
  add('storageclasses', 5, 500, 0);
  add('csinodes', 1, 800, 0);
  add('volumeattachments', pods / 10, 800, pods / 6_000_000);
  return x;
}

/**
 * Custom resources of the networking agents the analyzer reads (agents/cilium.ts,
 * agents/aws-vpc-cni.ts, agents/kube-proxy.ts), sized from the objects they mirror.
 * Not part of KNOWN_RESOURCES: they exist only where their agent is installed,
 * so a wildcard RBAC grant's worst case does not include them.
 */
function agentResources(base: ReadonlyMap<string, ResourceStats>, o: ObjectSizes): Map<string, ResourceStats> {
  const pods = base.get('pods');
  const nodes = base.get('nodes');
  const services = base.get('services')?.count ?? 10;
  const namespaces = base.get('namespaces')?.count ?? 5;
  const podCount = pods?.count ?? 30;
  const podEvents = pods?.eventsPerSecond ?? 0.05;
  const x = new Map<string, ResourceStats>();
  const add = (name: string, count: number, bytes: number, eventsPerSecond: number, nodeScope: ResourceStats['nodeScope'] = 'none'): void => {
    x.set(name, { count: Math.max(1, Math.round(count)), bytes, eventsPerSecond, nodeScope });
  };
  // Cilium: one CiliumEndpoint per pod (docs.cilium.io "EndpointSlice CRD": "Cilium will create a
  // CRD of Kind CiliumEndpoint (CEP) for each pod managed by Cilium"), written about as often as
  // its pod (a create and two updates per pod start, cilium/cilium#15153); ~2 KiB: identity,
  // addressing, named ports, owner reference (no status.policy unless endpoint-status is set).
  add('ciliumendpoints', podCount, 2048, podEvents);
  // CiliumEndpointSlices batch up to 100 slim CEPs each (operator --ces-max-ciliumendpoints-per-ces,
  // default 100) of ~200 B, one identity per slice in the default identity slicing mode (so at least
  // one slice per identity); the operator writes them at most 10 times a second
  // (--ces-write-qps-limit, default 10; cilium/cilium#24675), so agents see at most that many events.
  const slices = Math.max(podCount / 100, services);
  add('ciliumendpointslices', slices, 512 + (podCount / slices) * 200, Math.min(podEvents, 10));
  // About one security identity per workload label set: about one per Service; rarely written.
  add('ciliumidentities', services, 1024, services / 3600);
  // One CiliumNode per node (IPAM pool, addresses, health IPs), updated as often as the Node is
  // assumed to be; the agent reads its own by metadata.name.
  add('ciliumnodes', nodes?.count ?? 1, 4096, (nodes?.count ?? 1) * o.nodeEventsPerNodeS, 'name');
  // Cilium's policy types: a few per namespace, rarely written.
  add('ciliumnetworkpolicies', namespaces * 2, 2048, 0.01);
  add('ciliumclusterwidenetworkpolicies', 20, 2048, 0.01);
  add('ciliumcidrgroups', 10, 1024, 0.01);
  // AWS VPC CNI: one CNINode per node (vpcresources.k8s.aws), read by name; ENIConfigs: one per
  // subnet / availability zone used for custom networking (a handful).
  add('cninodes', nodes?.count ?? 1, 1024, (nodes?.count ?? 1) / 3600, 'name');
  add('eniconfigs', 10, 512, 0.001);
  // AWS network policy agent: PolicyEndpoints, about one per NetworkPolicy (resolved pod IPs: ~4 KiB).
  add('policyendpoints', namespaces * 2, 4096, 0.01);
  add('clusterpolicyendpoints', 10, 4096, 0.01);
  // kube-proxy >= 1.33: ServiceCIDRs (networking.k8s.io/v1), usually the one named "kubernetes".
  add('servicecidrs', 1, 512, 0);
  return x;
}

/** The derived types of a cluster whose modelled types are `base`. */
export function derivedResources(base: ReadonlyMap<string, ResourceStats>, o: ObjectSizes): Map<string, ResourceStats> {
  const out = extraResources(base);
  for (const [k, v] of agentResources(base, o)) out.set(k, v);
  return out;
}

/** The built-in types of the derived table (a wildcard RBAC grant's worst case lists them; agents' CRDs are not among them). */
export function derivedBuiltInNames(): string[] {
  return [...extraResources(new Map()).keys()];
}
