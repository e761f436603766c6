/**
 * How long one API request is in service, and so holds its APF seats and its
 * memory: its CPU time stretched by processor sharing of the API servers'
 * CPU, its transfer time stretched by the square root of that slowdown
 * (streaming a response needs the CPU only in part), and its time in
 * etcd — the latency of a small request, plus for a range read its bytes at
 * its share of etcd's read bandwidth. The twin serves every request class with
 * it at every step (src/twin/cluster-sim.ts); the analyzer's estimate with it
 * in its unloaded form and in the rollout's steps (src/analyzer/estimate.ts).
 * See docs/model.md, "API servers and APF".
 *
 * @example
 *   const etcdS = etcdTimeS(cost, 0.005, etcdRangeRate(400e6, rangeReadsInFlight));
 *   const hold = heldS(serviceTimeS(cost, slowdown, etcdS), 60);
 */
import type { RequestCost } from './cost.ts';

/** A range read: more than one object from etcd. Range reads share etcd's read bandwidth. */
export function readsRange(cost: RequestCost): boolean {
  return cost.etcdObjects > 1;
}

/** etcd's read bandwidth, bytes per second, that each of `rangeReads` range reads in flight gets: an even share. */
export function etcdRangeRate(readBytesPerS: number, rangeReads: number): number {
  return readBytesPerS / Math.max(1, rangeReads);
}

/**
 * A request's time in etcd, seconds: for a range read, the latency of a small
 * request plus its bytes at `bytesPerS` (its share of the read bandwidth) and
 * within that a `share` of it (1 unless the caller stretches it further); for a
 * single-object read or a write, the latency; nothing for a request the watch
 * cache answers.
 */
export function etcdTimeS(cost: RequestCost, latencyS: number, bytesPerS: number, share = 1): number {
  if (readsRange(cost)) return latencyS + cost.etcdBytes / bytesPerS / share;
  return cost.etcdObjects > 0 || cost.mutating ? latencyS : 0;
}

/**
 * Service time of a request, seconds: CPU × slowdown + transfer × √slowdown +
 * etcd time (`slowdown` ≥ 1 is the API servers' CPU processor-sharing factor,
 * cpu-sharing.ts; 1 when unloaded).
 */
export function serviceTimeS(cost: RequestCost, slowdown: number, etcdS: number): number {
  return cost.cpuS * slowdown + cost.transferS * Math.sqrt(slowdown) + etcdS;
}

/** How long a request holds its seats and memory: its service time, at most the request timeout (then it fails). */
export function heldS(serviceS: number, timeoutS: number): number {
  return Math.min(serviceS, timeoutS);
}
