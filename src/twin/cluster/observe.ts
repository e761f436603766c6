/**
 * What a cluster shows: the step's summary (ordinary success, the p99 proxy,
 * 429s, requests) and the metrics read from it — the alert rules', the
 * recorder's, the controllers' — without changing anything.
 *
 * @example
 *   summarise(s, ready);                          // at the end of a full step
 *   metricValue(s, 'apiserver_p99_seconds', 0.2);
 */
import { METRIC_NAMES, type LevelSample, type MetricName, type MetricSample } from '../metrics.ts';
import type { ClientClass, ClusterState } from './state.ts';
import { readyCount } from './replicas.ts';

const ORDINARY_MIN_SHARE = 0.01;

/**
 * The step's control-plane health from ordinary requests (all classes but the change and
 * operators), and the restarts of the last minute.
 */
export function summarise(s: ClusterState, ready: number): void {
  let ordOk = 0;
  let ordAll = 0;
  let all = 0;
  let rejected = 0;
  let p99 = 0;
  let p99Single = 0;
  let totalOrd = 0;
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (c.ordinary) totalOrd += c.arrivals + c.failed;
  }
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    const done = c.ok + c.failed + c.rejected;
    all += c.arrivals + (c.failed - 0);
    rejected += c.rejected;
    if (!c.ordinary) continue;
    ordOk += c.ok;
    ordAll += done;
    // p99 proxy: the slowest class carrying at least 1 % of ordinary requests.
    if (totalOrd > 0 && (c.arrivals + c.failed) / totalOrd >= ORDINARY_MIN_SHARE) {
      const lat = c.failed > c.ok ? s.model.apiServer.requestTimeoutS : c.latency;
      p99 = Math.max(p99, lat);
      if (c.singleObject) p99Single = Math.max(p99Single, lat);
    }
  }
  if (ready === 0) {
    p99 = s.model.apiServer.requestTimeoutS;
    p99Single = p99;
  }
  s.ordinaryOk = ordOk;
  s.ordinaryAll = ordAll;
  s.rejectedTotal = rejected;
  s.arrivalsTotal = all;
  s.p99 = p99;
  s.p99Single = p99Single;
  while (s.restartsWindow.length > 0 && (s.restartsWindow[0] ?? 0) < s.t - 60) s.restartsWindow.shift();
}

export function readyRatio(s: ClusterState): number {
  return readyCount(s) / Math.max(1, s.replicas.length);
}

export function successRatio(s: ClusterState): number {
  return s.ordinaryAll > 0 ? s.ordinaryOk / s.ordinaryAll : readyCount(s) > 0 ? 1 : 0;
}

function rejectedRatio(s: ClusterState): number {
  return s.arrivalsTotal > 0 ? Math.min(1, s.rejectedTotal / s.arrivalsTotal) : 0;
}

export function dataPlaneErrorRatio(s: ClusterState): number {
  return s.dns.errorRatio() * s.model.dataPlane.dnsDependentShare;
}

export function metrics(s: ClusterState, trafficShare: number): MetricSample {
  const o: Partial<Record<MetricName, number>> = {};
  for (const name of METRIC_NAMES) o[name] = metricValue(s, name, trafficShare);
  return o as MetricSample;
}

/** One metric of metrics(), computed alone (alert rules read a few of them every evaluation). */
export function metricValue(s: ClusterState, name: MetricName, trafficShare: number): number {
  switch (name) {
    case 'apiserver_success_ratio':
      return successRatio(s);
    case 'apiserver_429_ratio':
      return rejectedRatio(s);
    case 'apiserver_p99_seconds':
      return s.p99;
    case 'apiserver_p99_single_object_seconds':
      return s.p99Single;
    case 'apiserver_ready_ratio':
      return readyRatio(s);
    case 'apiserver_restarts':
      return s.restartsWindow.length;
    case 'apiserver_memory_ratio':
      return s.memRatio;
    case 'apf_seat_saturation':
      return apfSaturation(s);
    case 'apiserver_requests_per_second':
      return s.requests;
    case 'etcd_latency_seconds':
      return s.etcdLatency;
    case 'dns_servfail_ratio':
      return s.dns.servfailRatio();
    case 'dns_cache_valid_ratio':
      return s.dns.validRatio();
    case 'nodes_not_ready_ratio':
      return s.notReady;
    case 'dataplane_error_ratio':
      return dataPlaneErrorRatio(s);
    case 'traffic_share':
      return trafficShare;
    case 'apiserver_cpu_ratio':
      return cpuRatio(s);
  }
}

/** Highest APF seat utilisation over limited priority levels ((in use + queued) / capacity); 1 with no server ready. */
export function apfSaturation(s: ClusterState): number {
  if (readyCount(s) === 0) return 1;
  let sat = 0;
  for (let l = 0; l < s.levelNames.length; l++) {
    if (s.exempt[l]) continue;
    const cap = s.levelCap[l] ?? 0;
    if (cap > 0) sat = Math.max(sat, ((s.levelUse[l] ?? 0) + (s.levelQueued[l] ?? 0)) / cap);
  }
  return sat;
}

/** apiserver_cpu_ratio: the ready servers' cores in use over their cores (service.ts); 0 with none ready. */
export function cpuRatio(s: ClusterState): number {
  return readyCount(s) === 0 ? 0 : s.cpuRatio;
}

/** Writes the recorded metrics (Recorder.RECORDED order) without allocating. */
export function sampleInto(s: ClusterState, out: Float64Array): void {
  out[0] = successRatio(s);
  out[1] = s.p99;
  out[2] = rejectedRatio(s);
  out[3] = s.memRatio;
  out[4] = s.dns.validRatio();
  out[5] = s.dns.servfailRatio();
  out[6] = dataPlaneErrorRatio(s);
  out[7] = s.notReady;
  out[8] = readyRatio(s);
  out[9] = s.requests;
  out[10] = cpuRatio(s);
  out[11] = apfSaturation(s);
  out[12] = s.etcdLatency;
}

export function levels(s: ClusterState): LevelSample[] {
  return s.levelNames.map((name, l) => ({
    level: name,
    seats: s.levelCap[l] ?? 0,
    inUse: s.levelUse[l] ?? 0,
    queued: s.levelQueued[l] ?? 0,
    rejectedPerS: s.levelRejected[l] ?? 0,
  }));
}

/** Requests per second a class sent last step (for API-share accounting). */
export function classRate(s: ClusterState, name: string): number {
  return s.classes.find((c) => c.name === name)?.arrivals ?? 0;
}

/**
 * One metric of metricValue() for every cluster at once, into `out[offset + i]` (`shares[i]`: cluster
 * i's traffic share). The metric is chosen once, outside the loop over the clusters, so each loop is
 * a tight monomorphic one: the alert evaluator reads its rules' metrics this way.
 */
export function metricColumn(states: readonly ClusterState[], name: MetricName, shares: Float64Array, out: Float64Array, offset: number): void {
  const n = states.length;
  switch (name) {
    case 'apiserver_success_ratio':
      for (let i = 0; i < n; i++) out[offset + i] = successRatio(states[i] as ClusterState);
      return;
    case 'apiserver_429_ratio':
      for (let i = 0; i < n; i++) out[offset + i] = rejectedRatio(states[i] as ClusterState);
      return;
    case 'apiserver_p99_single_object_seconds':
      for (let i = 0; i < n; i++) out[offset + i] = (states[i] as ClusterState).p99Single;
      return;
    case 'apiserver_memory_ratio':
      for (let i = 0; i < n; i++) out[offset + i] = (states[i] as ClusterState).memRatio;
      return;
    case 'dns_servfail_ratio':
      for (let i = 0; i < n; i++) out[offset + i] = (states[i] as ClusterState).dns.servfailRatio();
      return;
    case 'dataplane_error_ratio':
      for (let i = 0; i < n; i++) out[offset + i] = dataPlaneErrorRatio(states[i] as ClusterState);
      return;
    default:
      for (let i = 0; i < n; i++) out[offset + i] = metricValue(states[i] as ClusterState, name, shares[i] ?? 0);
  }
}
