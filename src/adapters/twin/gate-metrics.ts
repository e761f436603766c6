/**
 * The gate metrics the twin serves, as the twin's own metrics
 * (`MetricName`, src/twin/index.ts): the one table the rehearsal's metric
 * source (metric-source.ts) and the twin-served fleet's
 * (src/adapters/twin-served/) read, so that gates see the same numbers in a
 * rehearsal and against `firebreak twin serve`.
 *
 * `workload_error_ratio` is the data-plane error ratio;
 * `workload_pods_ready_ratio` is 1 − the NotReady share of nodes (pods on a
 * NotReady node are reported not ready); `apf_seat_utilisation` per level is
 * seats in use / seats of the level (`LevelSample`). The twin has no DNS or
 * workload latency: `dns_p99_seconds` and `workload_p99_seconds` are not
 * served.
 *
 * @example
 *   GATE_METRICS.workload_error_ratio; // { twin: 'dataplane_error_ratio', complement: false }
 */
import type { LevelSample, MetricName } from '../../twin/index.ts';

export const APF_UTILISATION = 'apf_seat_utilisation';

/** Gate metric → the twin's metric it is read from (`complement`: 1 − that value). */
export const GATE_METRICS: Readonly<Record<string, { readonly twin: MetricName; readonly complement: boolean }>> = {
  apiserver_p99_single_object_seconds: { twin: 'apiserver_p99_single_object_seconds', complement: false },
  apiserver_p99_seconds: { twin: 'apiserver_p99_seconds', complement: false },
  apiserver_429_ratio: { twin: 'apiserver_429_ratio', complement: false },
  apiserver_success_ratio: { twin: 'apiserver_success_ratio', complement: false },
  apiserver_memory_ratio: { twin: 'apiserver_memory_ratio', complement: false },
  apiserver_restarts: { twin: 'apiserver_restarts', complement: false },
  apiserver_ready_ratio: { twin: 'apiserver_ready_ratio', complement: false },
  etcd_latency_seconds: { twin: 'etcd_latency_seconds', complement: false },
  dns_servfail_ratio: { twin: 'dns_servfail_ratio', complement: false },
  nodes_not_ready_ratio: { twin: 'nodes_not_ready_ratio', complement: false },
  workload_error_ratio: { twin: 'dataplane_error_ratio', complement: false },
  workload_pods_ready_ratio: { twin: 'nodes_not_ready_ratio', complement: true },
  apiserver_requests_per_second: { twin: 'apiserver_requests_per_second', complement: false },
};

/** Whether the twin serves this gate metric. */
export function servedByTwin(metric: string): boolean {
  return metric === APF_UTILISATION || metric in GATE_METRICS;
}

/** A level's seat utilisation: seats in use / seats (0 for a level with no seats). */
export function levelUtilisation(level: LevelSample | undefined): number {
  return level === undefined || !(level.seats > 0) ? 0 : level.inUse / level.seats;
}
