/**
 * Requests submitted from outside through the API the twin serves
 * (TwinApi.submit): each is decided like an operator's request (request.ts)
 * and, when the API server takes it (served, or timed out after holding its
 * seats), becomes load through the same APF, service and memory model as the
 * modelled clients. They join an "external" client class of their priority
 * level and kind — no clients of its own (n = 0), so it issues nothing by
 * itself and retries nothing: its arrivals are the requests submitted (the
 * outside client decides its own retries), its cost the mean of the requests
 * it holds now. A request's cost is the shared cost model's
 * (src/model/cost.ts requestCost): a LIST of `objects` objects of `bytes`
 * bytes is a consistent, unpaginated cluster-scoped LIST of a type with that
 * many stored objects (an unset resourceVersion, what kubectl sends), a write
 * a create of one object, anything else a GET.
 *
 * Classes are keyed by level, kind (list, get, write) and, for a LIST, the
 * objects and object size in half-powers of two, so requests of very
 * different cost do not share a mean; at most MAX_EXTERNAL_CLASSES per
 * cluster (then the nearest class of the level and kind takes it).
 *
 * @example
 *   submitRequest(s, 'workload-low', { objects: 200_000, bytes: 200_000 * 12_288, write: false }, t);
 */
import type { CallProfile, ResourceStats } from '../../model/profile.ts';
import { blendCosts, requestCost, type RequestCost } from '../../model/cost.ts';
import { etcdTimeS, serviceTimeS } from '../../model/service-time.ts';
import type { ClientClass, ClusterState, OperatorOutcome } from './state.ts';
import { addClass, indexByLevel } from './clients.ts';
import { decideRequest } from './request.ts';
import { dropAt } from './retry-after.ts';
import { wake } from './step.ts';
import { TwinError } from '../errors.ts';

/** What a submitted request returns or scans and writes. */
export interface SubmittedCost {
  /** Objects it returns or scans (a LIST: the objects it covers; a GET or a write: 1). */
  readonly objects: number;
  /** Bytes of the response (a write: of the request body). */
  readonly bytes: number;
  readonly write: boolean;
  /**
   * `namespace/name` of the service account that sends it, when it is one: a request of the
   * change's own service account at the change's level is in the agents' APF flow (one flow per
   * user, and the agents share one service account), so it finds their queues.
   */
  readonly serviceAccount?: string;
}

/** The fluid queue of a full flow sits just under its bound: within this share of it counts as full. */
const FULL_QUEUE = 0.99;

/** Upper bound of external classes per cluster (the classes are stepped like any other). */
export const MAX_EXTERNAL_CLASSES = 48;

type Kind = 'list' | 'get' | 'write';

function kindOf(c: SubmittedCost): Kind {
  return c.write ? 'write' : c.objects > 1 ? 'list' : 'get';
}

function profileOf(kind: Kind): CallProfile {
  return {
    name: `external-${kind}`,
    verb: kind === 'write' ? 'create' : kind,
    resource: 'external',
    scope: 'cluster',
    resourceVersion: 'consistent',
    periodS: 1,
    jitter: 0,
    pageSize: 0,
    qps: 1e9,
    burst: 1e9,
    retry: { policy: 'backoff', initialS: 1, factor: 2, maxS: 32, jitter: 1 },
    namespaceFraction: 1,
  };
}

/** The shared cost model's cost of one submitted request on this cluster (JSON encoding). */
export function submittedCost(s: ClusterState, c: SubmittedCost): RequestCost {
  const kind = kindOf(c);
  const objects = Math.max(1, c.objects);
  const stats: ResourceStats = { count: kind === 'list' ? objects : 1, bytes: Math.max(0, c.bytes) / (kind === 'list' ? objects : 1), eventsPerSecond: 0, nodeScope: 'none' };
  return requestCost(profileOf(kind), stats, s.nodes, s.model.costs);
}

function bucket(x: number): number {
  return Math.round(2 * Math.log2(Math.max(1, x)));
}

/**
 * A request submitted now at `levelName`: decided against the cluster's state (its seats and its
 * service time at the current CPU slowdown and etcd latency), then, when taken, added to the load.
 * A rejection counts as a drop for the level's Retry-After (retry-after.ts).
 */
export function submitRequest(s: ClusterState, levelName: string, c: SubmittedCost, t: number): OperatorOutcome {
  const l = s.levelNames.indexOf(levelName);
  if (l < 0) throw new TwinError('unknown-level', `cluster ${s.cluster.name} has no priority level ${levelName}`);
  const cost = submittedCost(s, c);
  const etcdRate = s.etcdRate > 0 ? s.etcdRate : s.model.etcd.readBytesPerS / s.etcdSlowdown;
  const serviceS = serviceTimeS(cost, s.slowdown, etcdTimeS(cost, s.etcdLatency, etcdRate));
  const key = classKey(levelName, kindOf(c), c);
  const held = s.externalClasses.get(key);
  // The request's APF flow: its own class, and the agents' when it is the change's service account.
  const flow = { queued: 0, waitS: 0 };
  if (held !== undefined) addFlow(flow, held.queued + held.arrivalsBoost, held.exitRate);
  const ch = s.change;
  if (c.serviceAccount !== undefined && ch !== undefined && c.serviceAccount === `${ch.namespace}/${ch.serviceAccount}` && ch.priorityLevel === levelName) {
    for (const k of s.changeClasses) addFlow(flow, k.queued / FULL_QUEUE, k.exitRate);
  }
  const out = decideRequest(s, levelName, cost.seats, serviceS, flow);
  if (out.status === 'rejected') dropAt(s, l, Math.floor(t), 1);
  if ((out.status === 'served' || out.status === 'timeout') && !s.dedicated.has(levelName)) {
    wake(s);
    const k = held ?? externalClass(s, key, levelName, kindOf(c), c);
    const w = 1 / (1 + k.inflight + k.queued + k.arrivalsBoost);
    k.cost = blendCosts(k.cost, cost, w);
    k.arrivalsBoost += 1;
    // The outside client retries by itself: nothing waits in the class for a retry.
    k.pending = 0;
  }
  return out;
}

/** A class of the flow: the flow's queue is the fullest of its classes', its wait the longest. */
function addFlow(flow: { queued: number; waitS: number }, queued: number, exitRate: number): void {
  flow.queued = Math.max(flow.queued, queued);
  if (queued > 1e-9) flow.waitS = Math.max(flow.waitS, queued / Math.max(1e-9, exitRate));
}

/** The class key of a request: level, kind and, in half-powers of two, objects (LIST) and object size. */
function classKey(levelName: string, kind: Kind, c: SubmittedCost): string {
  const objects = kind === 'list' ? bucket(c.objects) : 0;
  const size = bucket(c.bytes / Math.max(1, kind === 'list' ? c.objects : 1));
  return `${levelName}|${kind}|${objects}|${size}`;
}

function externalClass(s: ClusterState, key: string, levelName: string, kind: Kind, c: SubmittedCost): ClientClass {
  const [, , objects, size] = key.split('|').map(Number) as [number, number, number, number];
  if (s.externalClasses.size >= MAX_EXTERNAL_CLASSES) {
    // The nearest class of the same level and kind (by objects, then size); a new one if none.
    let best: ClientClass | undefined;
    let bestD = Infinity;
    for (const [k, cls] of s.externalClasses) {
      const [lv, kd, o, z] = k.split('|');
      if (lv !== levelName || kd !== kind) continue;
      const d = Math.abs(Number(o) - objects) * 64 + Math.abs(Number(z) - size);
      if (d < bestD) {
        bestD = d;
        best = cls;
      }
    }
    if (best !== undefined) return best;
  }
  const k = addClass(s, `external:${key}`, 'operator', levelName, 1, profileOf(kind), 0, 0, true);
  k.n = 0;
  k.cost = submittedCost(s, c);
  s.externalClasses.set(key, k);
  indexByLevel(s);
  return k;
}
