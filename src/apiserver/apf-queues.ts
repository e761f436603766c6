/**
 * Per-request APF admission of a served request in its priority level, as
 * kube-apiserver's queueset decides a lone request of a flow: against the
 * queues the twin's fluid model holds (TwinApi.apfQueuesAt), not against the
 * level as a whole.
 *
 * What is imitated (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/util/flowcontrol):
 * - the flow: FlowSchema name + flow distinguisher (ByUser: the user's name;
 *   ByNamespace: the request's namespace; none: ''), hashed as
 *   apf_controller.go hashFlowID does — sha256(fsName, 0x00, distinguisher),
 *   the first 8 bytes little-endian;
 * - its hand: shuffle sharding of that hash over the level's queues, dealt as
 *   pkg/util/shufflesharding/shufflesharding.go Deal does (handSize distinct
 *   queues); the request joins the shortest queue of its hand
 *   (fairqueuing/queueset/queueset.go shuffleShardLocked);
 * - queue-full: that queue already holds queueLengthLimit requests → 429
 *   at once (queueset.go rejectOrEnqueueToBoundLocked, reason "queue-full");
 * - time-out: a queued request not dispatched within the queue-wait limit is
 *   rejected with 429 when the limit passes (reason "time-out"; the limit is
 *   about a quarter of the 60 s request deadline, 15 s:
 *   ../shared/reference/kubernetes-control-plane.md). Fair queuing serves
 *   the level's backlogged queues in turn, so a request waits about its
 *   queue's length + 1 rounds of (non-empty queues / the level's drain per
 *   API server).
 * A request the level can seat at once is not queued at all; exempt levels,
 * the dedicated break-glass level and rejecting levels are left to the twin.
 *
 * The queues' occupancy comes from the fluid model: every API server replica
 * has its own queues (the load balancer spreads requests evenly), and a client
 * class's queued requests are its flows' — a class of few flows (the change's
 * agents: one service account, one flow) fills its flows' hands, dealt by the
 * same hash from the flow's user when the twin knows it (the change's
 * service account under the service-accounts FlowSchema), else from a name
 * seeded by the twin's seed (deterministic); a class of many flows (other
 * tenants' service accounts, one per namespace) covers every queue evenly.
 * Within a hand, requests go to the shortest queue (water-filling). The
 * fluid model reads after a step's dispatch, when the queues are one step's
 * drain below what arrivals see: a class whose arrivals were turned away last
 * step has more waiting to take every slot that frees, so what it was turned
 * away is poured too (an arrival then finds its queues full, as a queue under
 * sustained overload is).
 *
 * @example
 *   const d = admitInQueues(twin.apfQueuesAt(0, 'workload-low')!, 'service-accounts', 'system:serviceaccount:firebreak-system:firebreak', 1, 1);
 *   // { kind: 'reject', reason: '429 … queue-full', afterS: 0, retryAfterS: 4 } when every queue of its hand is full
 */
import { createHash } from 'node:crypto';
import type { ApfQueues } from '../twin/index.ts';

/** Classes of more flows than this cover every queue evenly (their hands are not dealt one by one). */
export const DEALT_FLOWS = 256;
/** The fluid queue of a full flow sits just under its bound: within this share of it counts as full (src/twin/cluster/external.ts FULL_QUEUE). */
const FULL = 0.99;

/** apf_controller.go hashFlowID: sha256(fsName ‖ 0x00 ‖ distinguisher), first 8 bytes little-endian. */
export function flowHash(flowSchema: string, distinguisher: string): bigint {
  const h = createHash('sha256').update(flowSchema, 'utf8').update(Buffer.from([0])).update(distinguisher, 'utf8').digest();
  return h.readBigUInt64LE(0);
}

/** shufflesharding.go Deal: handSize distinct queue indices out of numQueues from a hash. */
export function deal(hash: bigint, numQueues: number, handSize: number): number[] {
  const n = Math.min(handSize, numQueues);
  const remainders: number[] = [];
  let v = hash;
  for (let i = 0; i < n; i++) {
    const d = BigInt(numQueues - i);
    remainders.push(Number(v % d));
    v /= d;
  }
  const hand: number[] = [];
  for (let i = 0; i < n; i++) {
    let candidate = remainders[i] ?? 0;
    for (let j = i; j > 0; j--) if (candidate >= (remainders[j - 1] ?? 0)) candidate++;
    hand.push(candidate);
  }
  return hand;
}

/** Pours `amount` requests into the shortest queues of `hand` (each capped at `cap`): what APF's shortest-queue choice does to a flow's requests. */
function pour(occ: Float64Array, hand: readonly number[], amount: number, cap: number): void {
  let left = amount;
  for (let round = 0; round < hand.length && left > 1e-12; round++) {
    let low = Infinity;
    let second = Infinity;
    let count = 0;
    for (const q of hand) {
      const x = occ[q] ?? 0;
      if (x >= cap) continue;
      if (x < low - 1e-12) {
        second = low;
        low = x;
        count = 1;
      } else if (Math.abs(x - low) <= 1e-12) count++;
      else if (x < second) second = x;
    }
    if (count === 0) return;
    const raise = Math.min(left / count, Math.min(second, cap) - low);
    for (const q of hand) if (Math.abs((occ[q] ?? 0) - low) <= 1e-12) occ[q] = low + raise;
    left -= raise * count;
  }
}

/** Requests waiting in each queue of one API server replica, from the fluid model's classes. */
export function queueOccupancy(q: ApfQueues, seed: number): Float64Array {
  const occ = new Float64Array(q.queues);
  const ready = Math.max(1, q.ready);
  const waiting = (c: ApfQueues['classes'][number]): number => c.queued + Math.max(0, c.rejected);
  const many = q.classes.filter((c) => waiting(c) > 1e-9 && c.flows > DEALT_FLOWS);
  const few = q.classes.filter((c) => waiting(c) > 1e-9 && c.flows <= DEALT_FLOWS);
  for (const c of many) {
    const per = waiting(c) / ready / q.queues;
    for (let i = 0; i < q.queues; i++) occ[i] = Math.min(q.queueLengthLimit, (occ[i] ?? 0) + per);
  }
  for (const c of few) {
    const flows = Math.max(1, Math.round(c.flows));
    const per = waiting(c) / ready / flows;
    for (let f = 0; f < flows; f++) {
      const hash = c.user !== undefined && flows === 1 ? flowHash('service-accounts', c.user) : flowHash(`twin:${seed}:${c.name}`, String(f));
      pour(occ, deal(hash, q.queues, q.handSize), per, q.queueLengthLimit);
    }
  }
  return occ;
}

export type QueueDecision =
  /** Not decided here: a free seat, or a level the twin decides alone (exempt, dedicated, rejecting, no queues). */
  | { readonly kind: 'pass' }
  /** 429 with Retry-After after `afterS` (0: queue-full at once; the queue-wait limit: time-out in queue). */
  | { readonly kind: 'reject'; readonly reason: string; readonly afterS: number; readonly retryAfterS: number };

/** How APF treats one request of `seats` seats of the flow (flowSchema, distinguisher) in level `q` now. */
export function admitInQueues(q: ApfQueues, flowSchema: string, distinguisher: string, seats: number, seed: number): QueueDecision {
  if (q.exempt || q.dedicated || q.reject || q.queues <= 0 || q.handSize <= 0 || q.ready <= 0) return { kind: 'pass' };
  if (q.inUse + seats <= q.seats) return { kind: 'pass' };
  const occ = queueOccupancy(q, seed);
  const hand = deal(flowHash(flowSchema, distinguisher), q.queues, q.handSize);
  let shortest = Infinity;
  for (const i of hand) shortest = Math.min(shortest, occ[i] ?? 0);
  if (shortest >= q.queueLengthLimit * FULL)
    return { kind: 'reject', reason: `429 Too Many Requests (priority level ${q.level}: every queue of the flow's hand holds ${q.queueLengthLimit} requests, queue-full)`, afterS: 0, retryAfterS: q.retryAfterS };
  let active = 0;
  for (let i = 0; i < occ.length; i++) if ((occ[i] ?? 0) > 1e-9) active++;
  if (shortest <= 1e-9) active++;
  const drain = q.drainPerS / Math.max(1, q.ready);
  // Nothing leaving the level (the twin before its first step): no turn to estimate; the twin decides the wait.
  if (drain <= 1e-9) return { kind: 'pass' };
  const waitS = ((shortest + 1) * active) / drain;
  if (waitS > q.queueWaitS)
    return { kind: 'reject', reason: `429 Too Many Requests (priority level ${q.level}: not dispatched within the queue-wait limit of ${q.queueWaitS} s, time-out)`, afterS: q.queueWaitS, retryAfterS: q.retryAfterS };
  return { kind: 'pass' };
}
