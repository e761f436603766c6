/**
 * The cluster's client classes: populations of identical clients (kubelets,
 * kube-proxy, controllers, CoreDNS, other workloads, the change's agents),
 * each with its call profile, priority level and per-request cost at the
 * cluster's current size (docs/model.md, "Clients").
 *
 * @example
 *   buildClasses(s); // kubelet-lease, kubelet-status, kubelet-pods, kube-proxy, ...
 *   recost(s);       // after the node count changed
 */
import type { CallProfile, ResourceStats } from '../../model/profile.ts';
import { requestCost, watchEventsPerClient, type RequestCost } from '../../model/cost.ts';
import { clusterResources, resolveResource, storedBytes } from '../../model/resources.ts';
import { ownClients } from '../../model/own-clients.ts';
import type { ClientClass, ClientGroup, ClusterState } from './state.ts';
import { storeAsDoubles } from './doubles.ts';

function levelIndex(s: ClusterState, name: string): number {
  const i = s.levelNames.indexOf(name);
  if (i < 0) throw new Error(`unknown priority level ${name}`);
  return i;
}

/** The cluster's objects (counts, sizes, event rates) at its current size, with the types its model states. */
export function computeResources(s: ClusterState): void {
  s.resources = clusterResources(s.nodes, s.cluster.pods, s.model.objects);
  s.storedBytes = storedBytes(s.resources);
}

export function addClass(
  s: ClusterState,
  name: string,
  group: ClientGroup,
  level: string,
  flows: number,
  profile: CallProfile,
  perNode: number,
  fixed: number,
  external = false,
): ClientClass {
  const n = perNode > 0 ? perNode * s.nodes : fixed;
  const c: ClientClass = {
    name,
    level: levelIndex(s, level),
    flows,
    group,
    ordinary: group !== 'change' && group !== 'operator',
    informer: profile.verb === 'watch',
    periodS: profile.periodS,
    singleObject: profile.verb !== 'list' && profile.verb !== 'watch',
    profile,
    resource: profile.resource,
    external,
    qps: profile.qps,
    retryImmediate: profile.retry.policy === 'immediate',
    retryInitialS: profile.retry.initialS,
    retryFactor: profile.retry.factor,
    retryMaxS: profile.retry.maxS,
    retryWaitCapS: profile.retry.maxS * (1 + profile.retry.jitter / 2),
    blockCode: group === 'nodes' ? 1 : group === 'change' ? 2 : group === 'workloads' ? 3 : 0,
    isCoredns: name === 'coredns',
    perNode,
    fixed,
    n,
    protobuf: group === 'nodes' || group === 'control',
    cost: requestCost(profile, res(s, profile.resource), s.nodes, group === 'nodes' || group === 'control' ? s.protobuf : s.model.costs),
    events: 0,
    pending: 0,
    wait: profile.retry.initialS,
    rewatch: 0,
    rewatchWait: 1,
    brokenAt: 0,
    queued: 0,
    inflight: 0,
    watching: 0,
    retryAfter: s.model.apiServer.retryAfterMinS,
    arrivals: 0,
    ok: 0,
    failed: 0,
    rejected: 0,
    latency: 0,
    exitRate: 0,
    arrivalsBoost: 0,
    memHeld: 0,
    seatShare: 1,
  };
  storeAsDoubles(c, CLASS_FRACTIONAL_FIELDS);
  storeAsDoubles(c.cost, COST_FIELDS);
  s.classes.push(c);
  return c;
}

/** A class's numbers that take fractional values during a run (doubles.ts). */
const CLASS_FRACTIONAL_FIELDS = [
  'flows', 'n', 'events', 'pending', 'wait', 'rewatch', 'rewatchWait', 'brokenAt', 'queued', 'inflight', 'watching',
  'retryAfter', 'arrivals', 'ok', 'failed', 'rejected', 'latency', 'exitRate', 'arrivalsBoost', 'memHeld', 'seatShare',
] as const satisfies readonly (keyof ClientClass)[];

/** A request's cost figures, fractional at some cluster size (doubles.ts). */
const COST_FIELDS = ['seats', 'cpuS', 'etcdBytes', 'etcdObjects', 'responseBytes', 'memoryBytes', 'transferS'] as const satisfies readonly (keyof RequestCost)[];

/** A call's type as the analyzer resolves it too: stated, modelled, derived or assumed (resources.ts). */
function res(s: ClusterState, name: string): ResourceStats {
  return resolveResource(s.resources, name, s.model.objects).stats;
}

/** The cluster's own clients and the change's, once, at construction. */
export function buildClasses(s: ClusterState): void {
  // The cluster's own clients (kubelets, kube-proxy, controllers, CoreDNS, other workloads): src/model/own-clients.ts.
  for (const k of ownClients(s.model, s.nodes, s.resources)) addClass(s, k.name, k.group, k.level, k.flows, k.profile, k.perNode, k.fixed);
  buildChangeClasses(s);
}

/** The change's client classes (none yet running), appended to the cluster's. */
export function buildChangeClasses(s: ClusterState): void {
  if (s.change === undefined) return;
  for (const p of s.change.calls) {
    const c = addClass(s, `change:${p.name}`, 'change', s.change.priorityLevel, 1, p, 0, 0);
    c.n = 0;
    s.changeClasses.push(c);
  }
}

/** The classes per priority level, after the classes changed. */
export function indexByLevel(s: ClusterState): void {
  s.byLevel = s.levelNames.map((_, l) => s.classes.filter((c) => c.level === l));
}

/** Recompute per-request costs after the cluster's size changed. */
export function recost(s: ClusterState): void {
  for (const c of s.classes) {
    // Submitted requests carry their own cost (external.ts).
    if (c.external) continue;
    const r = res(s, c.resource);
    // A new cost object takes the hidden class addClass's first one gave the literal (doubles.ts).
    c.cost = requestCost(c.profile, r, s.nodes, c.protobuf ? s.protobuf : s.model.costs);
    c.events = watchEventsPerClient(c.profile, r, s.nodes);
  }
}

/** Scale a class's populations by `k` (nodes removed, agents stopped). */
export function scaleClass(c: ClientClass, k: number): void {
  c.memHeld *= k;
  c.pending *= k;
  c.rewatch *= k;
  c.queued *= k;
  c.inflight *= k;
  c.watching *= k;
}
