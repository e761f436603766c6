/**
 * API Priority and Fairness in the fluid model: arrivals join their level's
 * queues (bounded per flow and per level, per ready replica; beyond → 429),
 * each level gets its nominal seats plus what it borrows from levels with
 * spare lendable seats, free seats go to queued requests max-min fairly
 * across flows, and queued requests that would wait past the queue-wait limit
 * are rejected (docs/model.md, "API servers and APF", steps 1–3).
 *
 * @example
 *   enqueueArrivals(s, ready);
 *   shareSeats(s, ready);
 *   admitQueued(s);
 */
import type { ClientClass, ClusterState } from './state.ts';
import { rejectTo } from './retry.ts';
import { borrowSeats } from '../../model/apf-capacity.ts';

/**
 * 1. Enqueue arrivals (APF): each class may hold up to flows × handSize × queueLength per
 *    ready server; the level up to queues × queueLength. Beyond → 429.
 */
export function enqueueArrivals(s: ClusterState, ready: number): void {
  const L = s.levelNames.length;
  const levelQueued = s.levelQueued;
  for (let l = 0; l < L; l++) {
    s.levelRejected[l] = 0;
    levelQueued[l] = 0;
  }
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    levelQueued[c.level] = (levelQueued[c.level] ?? 0) + c.queued;
  }
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    const a = c.arrivals + c.arrivalsBoost;
    c.arrivalsBoost = 0;
    c.arrivals = a;
    if (a <= 0) continue;
    const l = c.level;
    if (s.changeShed && c.group === 'change') {
      // Rejected by APF before any work: 429 with Retry-After.
      c.rejected += a;
      rejectTo(s, c, a, l);
      continue;
    }
    if (s.exempt[l]) {
      c.queued += a;
      continue;
    }
    const flowCap = Math.min(c.flows, 1e6) * (s.flowQueueCap[l] ?? 0) * ready;
    const levelCap = (s.levelQueueCap[l] ?? 0) * ready;
    const room = Math.max(0, Math.min(flowCap - c.queued, levelCap - (levelQueued[l] ?? 0)));
    // Requests that find a free seat do not queue; approximate by letting the seat capacity absorb
    // them below and only bounding what must wait.
    const admitNow = a;
    const fits = Math.min(admitNow, room + seatsFreeEstimate(s, l, ready) / Math.max(1e-9, c.cost.seats * c.seatShare));
    const rej = a - fits;
    if (rej > 0) {
      c.rejected += rej;
      rejectTo(s, c, rej, l);
    }
    c.queued += fits;
    levelQueued[l] = (levelQueued[l] ?? 0) + fits;
  }
}

function seatsFreeEstimate(s: ClusterState, l: number, ready: number): number {
  const cap = s.exempt[l] ? Infinity : (s.levelCap[l] ?? (s.nominal[l] ?? 0) * ready);
  return Math.max(0, Math.min(1e12, cap - (s.levelUse[l] ?? 0)));
}

/** 2. Seats per level, with borrowing of lendable seats by levels whose demand exceeds nominal. */
export function shareSeats(s: ClusterState, ready: number): void {
  const L = s.levelNames.length;
  const cap = s.levelCap;
  const use = s.levelUse;
  const demand = s.demand;
  for (let l = 0; l < L; l++) {
    use[l] = 0;
    demand[l] = 0;
  }
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    use[c.level] = (use[c.level] ?? 0) + c.inflight * c.cost.seats;
    demand[c.level] = (demand[c.level] ?? 0) + (c.inflight + c.queued * c.seatShare) * c.cost.seats;
  }
  borrowSeats(s.nominal, s.lendable, s.exempt, demand, ready, cap);
}

/** 3. Admit from queues into free seats, max-min fair across flows (weighted water-filling). */
export function admitQueued(s: ClusterState): void {
  const L = s.levelNames.length;
  const cap = s.levelCap;
  const use = s.levelUse;
  for (let l = 0; l < L; l++) {
    let free = (cap[l] ?? 0) - (use[l] ?? 0);
    if (free <= 1e-9) continue;
    const members = s.members;
    let nActive = 0;
    const byLevel = s.byLevel[l] ?? [];
    for (let ci = 0; ci < byLevel.length; ci++) {
      const c = byLevel[ci] as ClientClass;
      if (c.queued > 1e-12) members[nActive++] = c;
    }
    if (nActive === 0) continue;
    if (!Number.isFinite(free)) {
      for (let i = 0; i < nActive; i++) {
        const c = members[i] as ClientClass;
        c.inflight += c.queued;
        c.queued = 0;
      }
      continue;
    }
    let active = members;
    let next = s.next;
    for (let iter = 0; iter < 4 && free > 1e-9 && nActive > 0; iter++) {
      let weight = 0;
      for (let i = 0; i < nActive; i++) {
        const c = active[i] as ClientClass;
        weight += Math.min(c.flows, c.queued);
      }
      let nNext = 0;
      let used = 0;
      for (let i = 0; i < nActive; i++) {
        const c = active[i] as ClientClass;
        const shareSeats = (free * Math.min(c.flows, c.queued)) / Math.max(1e-12, weight);
        // Seat-seconds within this step: a request shorter than the step frees its seats early.
        const seats = c.cost.seats * c.seatShare;
        const want = c.queued * seats;
        const give = Math.min(want, shareSeats);
        const admitted = give / seats;
        c.queued -= admitted;
        c.inflight += admitted;
        used += give;
        if (c.queued > 1e-12) next[nNext++] = c;
      }
      free -= used;
      use[l] = (use[l] ?? 0) + used;
      const swap = active;
      active = next;
      next = swap;
      nActive = nNext;
    }
  }
}

/**
 * After service: what is still queued where nothing of the class is in service waits at most the
 * queue-wait limit; then the levels' queues are recounted (for the seat-saturation metric).
 */
export function expireQueued(s: ClusterState, dt: number, queueWait: number): void {
  const L = s.levelNames.length;
  const levelQueued = s.levelQueued;
  // What still waits in the queues after admission and service (for the seat-saturation metric).
  for (let l = 0; l < L; l++) levelQueued[l] = 0;
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (c.inflight <= 1e-12 && c.queued > 0 && c.exitRate === 0) {
      // Nothing in service yet: queued requests wait at most the queue-wait limit.
      const drop = (c.queued * dt) / queueWait;
      c.queued -= drop;
      c.rejected += drop;
      rejectTo(s, c, drop, c.level);
    }
    levelQueued[c.level] = (levelQueued[c.level] ?? 0) + c.queued;
  }
}

/** Requests per second leaving level `l` (its classes' exit rates). */
export function levelDrain(s: ClusterState, l: number): number {
  let d = 0;
  for (const c of s.classes) if (c.level === l) d += c.exitRate;
  return d;
}
