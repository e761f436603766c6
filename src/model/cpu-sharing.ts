/**
 * Processor sharing of the API servers' CPU: every request in flight wants
 * CPU in proportion to the share of its unloaded service time spent on CPU,
 * every watch event delivered costs CPU, and when what is wanted exceeds the
 * cores every request's CPU time stretches by the same factor (the slowdown,
 * which service-time.ts applies). The twin sums these over its request
 * classes every step (src/twin/cluster-sim.ts); the analyzer over the
 * change's calls in its rollout steps and steady state
 * (src/analyzer/estimate.ts).
 *
 * @example
 *   let want = watchCpuS(watchers, eventsPerWatcher, model.costs);
 *   want += cpuWanted(inflight, cost, etcdLatencyS);
 *   const slowdown = cpuSlowdown(want, cores);
 */
import type { RequestCost } from './cost.ts';
import type { CostParams } from './model-schema.ts';

/**
 * CPU cores that `inflight` requests of one kind want: each wants its CPU time
 * over its unloaded service time (CPU, transfer, and the etcd latency when it
 * goes to etcd; at least 1 ms).
 */
export function cpuWanted(inflight: number, cost: RequestCost, etcdLatencyS: number): number {
  return (inflight * cost.cpuS) / Math.max(1e-3, cost.cpuS + cost.transferS + (cost.etcdObjects > 0 || cost.mutating ? etcdLatencyS : 0));
}

/** CPU cores that delivering watch events takes: one delivery per event per watcher. */
export function watchCpuS(watchers: number, eventsPerWatcher: number, costs: CostParams): number {
  return watchers * eventsPerWatcher * costs.cpuPerWatchEventS;
}

/** The factor (≥ 1) by which every request's CPU time stretches when `wanted` cores exceed `cores`. */
export function cpuSlowdown(wanted: number, cores: number): number {
  return Math.max(1, wanted / Math.max(1, cores));
}
