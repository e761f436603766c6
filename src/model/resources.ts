/**
 * Object counts and sizes of a cluster, from its node and pod counts: what a
 * LIST returns, what the watch cache holds, how many watch events a type
 * produces. Shared so that the analyzer estimates against exactly the objects
 * the twin simulates (src/twin/cluster/clients.ts computes the same map; the test
 * test/analyzer/resources.test.ts fails if the two drift apart).
 *
 * @example
 *   const r = clusterResources(5000, 150_000, DEFAULT_MODEL.objects);
 *   r.get('pods');   // { count: 150000, bytes: 12288, eventsPerSecond: 250, nodeScope: 'index' }
 */
import type { ObjectSizes } from './model-schema.ts';
import type { ResourceStats } from './profile.ts';

/** The object types the twin models, with their counts for a cluster of `nodes` nodes and `pods` pods. */
export function clusterResources(nodes: number, pods: number, o: ObjectSizes): Map<string, ResourceStats> {
  const n = nodes;
  const services = Math.max(10, Math.round((pods * o.servicesPer100Pods) / 100));
  const namespaces = Math.max(5, Math.round(pods / o.podsPerNamespace));
  const r = new Map<string, ResourceStats>();
  r.set('pods', { count: pods, bytes: o.podBytes, eventsPerSecond: pods * o.podEventsPerPodS, nodeScope: 'index' });
  r.set('nodes', { count: n, bytes: o.nodeBytes, eventsPerSecond: n * o.nodeEventsPerNodeS, nodeScope: 'name' });
  r.set('services', { count: services, bytes: o.serviceBytes, eventsPerSecond: services * o.serviceEventsPerServiceS, nodeScope: 'none' });
  r.set('endpointslices', { count: Math.round(services * 1.2), bytes: o.endpointSliceBytes, eventsPerSecond: pods * o.podEventsPerPodS * 0.5, nodeScope: 'none' });
  r.set('configmaps', { count: namespaces * o.configMapsPerNamespace, bytes: o.configMapBytes, eventsPerSecond: 0.1, nodeScope: 'none' });
  r.set('leases', { count: n + 50, bytes: 300, eventsPerSecond: n / 10, nodeScope: 'none' });
  r.set('events', { count: pods * 2, bytes: 800, eventsPerSecond: pods * o.podEventsPerPodS * 2, nodeScope: 'none' });
  r.set('namespaces', { count: namespaces, bytes: 500, eventsPerSecond: 0.01, nodeScope: 'none' });
  return r;
}

/** Bytes of all stored objects (what the watch cache holds). */
export function storedBytes(resources: ReadonlyMap<string, ResourceStats>): number {
  let s = 0;
  for (const x of resources.values()) s += x.count * x.bytes;
  return s;
}

/** What the twin assumes for a type it does not model (ClusterSim's fallback). */
export const UNMODELLED_RESOURCE: ResourceStats = { count: 100, bytes: 2048, eventsPerSecond: 0.1, nodeScope: 'none' };
