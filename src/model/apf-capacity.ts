/**
 * What API Priority and Fairness lets each priority level hold, per API
 * server: its nominal seats (its shares of the server's seats), the seats it
 * lends when idle, its queue room, and how much it can borrow. The twin
 * shares the lendable seats of under-used levels among over-used ones every
 * step (`borrowSeats`, src/twin/cluster-sim.ts); the analyzer takes the most
 * a level can reach — every other level idle — as its capacity
 * (`maxLevelSeats`, src/analyzer/capacity.ts). "ref" =
 * ../shared/reference/kubernetes-control-plane.md.
 *
 * @example
 *   const nominal = nominalSeats(DEFAULT_PRIORITY_LEVELS, 600);
 *   const lendable = lendableSeats(DEFAULT_PRIORITY_LEVELS, nominal);
 *   maxLevelSeats(DEFAULT_PRIORITY_LEVELS, nominal, lendable)[5]; // workload-low: 245 nominal + 123 others lend = 368
 */
import type { PriorityLevelSpec } from './model-schema.ts';

/** Nominal seats of each level: ceil(seats × shares_i / Σ shares) (ref). */
export function nominalSeats(levels: readonly PriorityLevelSpec[], serverSeats: number): number[] {
  const total = levels.reduce((s, l) => s + (l.exempt ? 0 : l.shares), 0);
  return levels.map((l) => (l.exempt ? 0 : Math.ceil((serverSeats * l.shares) / total)));
}

/** Lendable seats of each level: round(nominal × lendablePercent / 100) (ref). */
export function lendableSeats(levels: readonly PriorityLevelSpec[], nominal: readonly number[]): number[] {
  return levels.map((l, i) => Math.round(((nominal[i] ?? 0) * l.lendablePercent) / 100));
}

/** Requests a level's queues hold per server: queues × queue length (ref). */
export function levelQueueRoom(l: PriorityLevelSpec): number {
  return l.queues * l.queueLengthLimit;
}

/** A level's queues as APF shuffle-shards them: how many, the hand a flow is dealt, the length of each (the served API's per-flow admission). */
export function queueShape(l: PriorityLevelSpec): { readonly queues: number; readonly handSize: number; readonly queueLengthLimit: number } {
  return { queues: l.queues, handSize: l.handSize, queueLengthLimit: l.queueLengthLimit };
}

/** Requests one flow's queues hold per server: hand size × queue length (ref: shuffle sharding). */
export function flowQueueRoom(l: PriorityLevelSpec): number {
  return l.handSize * l.queueLengthLimit;
}

/**
 * The most seats each level can use per server: nominal plus every seat the
 * other limited levels lend when idle (unbounded for an exempt level).
 */
export function maxLevelSeats(levels: readonly PriorityLevelSpec[], nominal: readonly number[], lendable: readonly number[]): number[] {
  let lendTotal = 0;
  levels.forEach((l, i) => {
    if (!l.exempt) lendTotal += lendable[i] ?? 0;
  });
  return levels.map((l, i) => (l.exempt ? Infinity : (nominal[i] ?? 0) + (lendTotal - (lendable[i] ?? 0))));
}

/**
 * Seats of each level this instant, over `ready` servers, into `cap`: a level
 * that wants fewer than its nominal seats lends what it does not use, up to
 * its lendable seats; the pool goes to the levels that want more than their
 * nominal seats, in proportion to their excess demand, none getting more than
 * it wants. Exempt levels are not limited.
 */
export function borrowSeats(nominal: readonly number[], lendable: readonly number[], exempt: readonly boolean[], demand: Float64Array, ready: number, cap: Float64Array): void {
  const L = cap.length;
  let pool = 0;
  let excessSum = 0;
  for (let l = 0; l < L; l++) {
    const nom = (nominal[l] ?? 0) * ready;
    const d = demand[l] ?? 0;
    if (d < nom) pool += Math.min((lendable[l] ?? 0) * ready, nom - d);
    else excessSum += d - nom;
  }
  for (let l = 0; l < L; l++) {
    const nom = (nominal[l] ?? 0) * ready;
    const d = demand[l] ?? 0;
    if (exempt[l] === true) cap[l] = Infinity;
    else if (d > nom && excessSum > 0) cap[l] = nom + Math.min(d - nom, (pool * (d - nom)) / excessSum);
    else cap[l] = nom;
  }
}
