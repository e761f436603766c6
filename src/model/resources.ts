/**
 * Object counts and sizes of a cluster, from its node and pod counts and the
 * types its scenario states: what a LIST returns, what the watch cache holds,
 * how many watch events a type produces. Shared so that the analyzer
 * estimates against exactly the objects the twin simulates
 * (src/twin/cluster/clients.ts computes the same map; the test
 * test/analyzer/estimate.test.ts fails if the two drift apart).
 *
 * Four sources, in this order (docs/model.md, "Objects"):
 * - **stated**: `model.objects.resources` names the type (a key) (any built-in or
 *   custom type, with an absolute count or a ratio, its object size and event
 *   rate); stated types are held in the watch cache;
 * - **modelled**: the eight types every cluster has (pods, nodes, services,
 *   endpointslices, configmaps, leases, events, namespaces), from ratios;
 * - **derived**: other built-in types and the networking agents' custom
 *   types, from stated ratios of the modelled ones (derived-resources.ts);
 *   not held in the watch cache;
 * - **assumed**: anything else, UNMODELLED_RESOURCE (100 objects of 2 KiB).
 * The twin and the analyzer resolve a call's type with `resolveResource`; the
 * analyzer reports derived and assumed types in a finding, a scenario must
 * state every type its change calls beyond the eight (src/input/change.ts).
 *
 * @example
 *   const r = clusterResources(5000, 150_000, DEFAULT_MODEL.objects);
 *   r.get('pods');   // { count: 150000, bytes: 12288, eventsPerSecond: 250, nodeScope: 'index' }
 */
import { derivedResources, UNMODELLED_RESOURCE } from './derived-resources.ts';
import type { ObjectSizes, ResourceDecl } from './model-schema.ts';
import type { ResourceStats } from './profile.ts';
import { isGroupVersionResource, resourceBase, resourcePlural } from './resource-name.ts';

export { UNMODELLED_RESOURCE } from './derived-resources.ts';

/** The eight types every cluster has, with counts from the model's ratios. */
export const MODELLED_RESOURCES: readonly string[] = ['pods', 'nodes', 'services', 'endpointslices', 'configmaps', 'leases', 'events', 'namespaces'];

/** Types whose count comes from the fleet (a cluster's nodes and pods), never from a statement. */
export const FLEET_COUNTED_RESOURCES: readonly string[] = ['pods', 'nodes'];

/** The eight modelled types, from ratios. */
function modelledResources(nodes: number, pods: number, o: ObjectSizes): Map<string, ResourceStats> {
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

/** One stated type over what is known of it (a modelled or derived type's figures, else nothing). */
function statedStats(d: ResourceDecl, known: ResourceStats | undefined, nodes: number, pods: number, fleetCounted: boolean): ResourceStats {
  const count = fleetCounted
    ? (known?.count ?? 0)
    : d.count ?? (d.perNode !== undefined ? Math.round(d.perNode * nodes) : d.perPod !== undefined ? Math.round(d.perPod * pods) : (known?.count ?? UNMODELLED_RESOURCE.count));
  return {
    count,
    bytes: d.bytes ?? known?.bytes ?? UNMODELLED_RESOURCE.bytes,
    eventsPerSecond: d.eventsPerSecond ?? known?.eventsPerSecond ?? 0,
    nodeScope: known?.nodeScope ?? 'none',
  };
}

/**
 * The types of a cluster of `nodes` nodes and `pods` pods: the eight modelled
 * ones and every type `o.resources` states (which the watch cache holds).
 * A stated type keeps what it does not state from its modelled or derived
 * figures; the count of pods and nodes is always the fleet's.
 */
export function clusterResources(nodes: number, pods: number, o: ObjectSizes): Map<string, ResourceStats> {
  const r = modelledResources(nodes, pods, o);
  const stated = Object.entries(o.resources);
  if (stated.length === 0) return r;
  const derived = derivedResources(r, o);
  for (const [type, d] of stated) {
    const key = resourceBase(type);
    const plural = resourcePlural(key);
    const known = r.get(key) ?? derived.get(key) ?? (isGroupVersionResource(key) ? (r.get(plural) ?? derived.get(plural)) : undefined);
    // `apps/v1/replicasets` states the built-in `replicasets`: keep one key per type.
    const name = isGroupVersionResource(key) && (r.has(plural) || derived.has(plural)) ? plural : key;
    r.set(name, statedStats(d, r.get(name) ?? known, nodes, pods, FLEET_COUNTED_RESOURCES.includes(name)));
  }
  return r;
}

/** Bytes of all stored objects (what the watch cache holds). */
export function storedBytes(resources: ReadonlyMap<string, ResourceStats>): number {
  let s = 0;
  for (const x of resources.values()) s += x.count * x.bytes;
  return s;
}

/** Where a type's figures come from (see the module comment). */
export type ResourceSource = 'stated' | 'modelled' | 'derived' | 'assumed';

export interface ResolvedResource {
  readonly stats: ResourceStats;
  readonly source: ResourceSource;
  /** The type's name in the cluster's map (or the derived table); the base type for a subresource. */
  readonly name: string;
}

const DERIVED = new WeakMap<ReadonlyMap<string, ResourceStats>, Map<string, ResourceStats>>();

function derivedOf(resources: ReadonlyMap<string, ResourceStats>, o: ObjectSizes): Map<string, ResourceStats> {
  let d = DERIVED.get(resources);
  if (d === undefined) {
    d = derivedResources(resources, o);
    DERIVED.set(resources, d);
  }
  return d;
}

/**
 * The figures a call on `name` is costed with, in a cluster whose types are
 * `resources` (clusterResources with the same `o`): a subresource costs as its
 * object; a custom type may be named by its plural or by group/version/plural.
 * Computed at build time by the twin, never per step.
 */
export function resolveResource(resources: ReadonlyMap<string, ResourceStats>, name: string, o: ObjectSizes): ResolvedResource {
  // Remembered per map (made from `o`): the twin asks again whenever its node count changes.
  let known = RESOLVED.get(resources);
  if (known === undefined) {
    known = new Map();
    RESOLVED.set(resources, known);
  }
  let r = known.get(name);
  if (r === undefined) {
    r = resolve(resources, name, o);
    known.set(name, r);
  }
  return r;
}

const RESOLVED = new WeakMap<ReadonlyMap<string, ResourceStats>, Map<string, ResolvedResource>>();

function resolve(resources: ReadonlyMap<string, ResourceStats>, name: string, o: ObjectSizes): ResolvedResource {
  const base = resourceBase(name);
  const plural = resourcePlural(base);
  const source = (key: string): ResourceSource => (MODELLED_RESOURCES.includes(key) && !Object.keys(o.resources).some((t) => resourcePlural(t) === key) ? 'modelled' : 'stated');
  const own = resources.get(base) ?? (base !== plural ? resources.get(plural) : undefined);
  if (own !== undefined) return { stats: own, source: source(resources.has(base) ? base : plural), name: resources.has(base) ? base : plural };
  if (!isGroupVersionResource(base)) {
    // A plural naming a stated custom type (`widgets` for example.com/v1/widgets).
    for (const [key, stats] of resources) if (isGroupVersionResource(key) && resourcePlural(key) === base) return { stats, source: 'stated', name: key };
  }
  const derived = derivedOf(resources, o).get(plural);
  if (derived !== undefined) return { stats: derived, source: 'derived', name: plural };
  return { stats: UNMODELLED_RESOURCE, source: 'assumed', name: base };
}
