/**
 * Synthetic Prometheus data for the gates' default queries (contract F of
 * issue #12): for each cluster, the raw series kube-apiserver, etcd's client,
 * CoreDNS, kube-state-metrics and ingress-nginx expose, with values chosen so
 * that every default query (src/adapters/prometheus/queries.ts) returns a
 * known figure (`expectedGateValues`), written as OpenMetrics text that the
 * real `promtool tsdb create-blocks-from openmetrics` loads. Used by
 * `firebreak bench gates` and the adapter's tests.
 *
 * Series carry the labels their exporters do (no `cluster` label of their
 * own: the cluster label is the one a Prometheus scrape adds, here written
 * under the fleet's label name). Histograms put every observation in one
 * bucket (le = `P_LOW`..`P_HIGH`), so `histogram_quantile(0.99, …)` is the
 * linear interpolation inside it (prometheus/prometheus
 * promql/quantile.go bucketQuantile): low + (high − low) × 0.99.
 *
 * @example
 *   const lines = openMetricsLines([{ label: 'a', ...DEFAULT_SHAPE }], { label: 'cluster', fromS, toS, stepS: 15 });
 */

/** What one cluster's series say. */
export interface ClusterShape {
  /** The cluster label's value. */
  readonly label: string;
  /** Requests per second by code. */
  readonly ok: number;
  readonly rejected: number;
  readonly errors: number;
  /** Executing / nominal seats per priority level. */
  readonly seats: Readonly<Record<string, readonly [number, number]>>;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  /** API server replicas, and how many are ready. */
  readonly replicas: number;
  readonly readyReplicas: number;
  /** Bucket [low, high] holding every observation of each histogram. */
  readonly apiLatency: readonly [number, number];
  readonly etcdLatency: readonly [number, number];
  readonly dnsLatency: readonly [number, number];
  readonly workloadLatency: readonly [number, number];
  readonly dnsPerS: number;
  readonly dnsServfailPerS: number;
  readonly nodes: number;
  readonly nodesReady: number;
  readonly ingressPerS: number;
  readonly ingress5xxPerS: number;
  readonly podsWanted: number;
  readonly podsReady: number;
  /** Set: the series stop this many seconds before `toS` (a stale cluster). */
  readonly stopsBeforeEndS?: number;
  /** Set: the 429 ratio's traffic is NaN (written as NaN samples). */
  readonly nanRequests?: boolean;
  /** Set: the rare events' series (code="429", rcode="SERVFAIL", status="503") do not exist, as before Kubernetes' first 429. */
  readonly noRareSeries?: boolean;
}

export const DEFAULT_SHAPE: Omit<ClusterShape, 'label'> = {
  ok: 90,
  rejected: 2,
  errors: 8,
  seats: { 'workload-low': [6, 24], global: [10, 40] },
  memoryBytes: 3e9,
  memoryLimitBytes: 8e9,
  replicas: 3,
  readyReplicas: 2,
  apiLatency: [0.1, 0.5],
  etcdLatency: [0.005, 0.025],
  dnsLatency: [0.001, 0.002],
  workloadLatency: [0.25, 0.5],
  dnsPerS: 100,
  dnsServfailPerS: 1,
  nodes: 4,
  nodesReady: 3,
  ingressPerS: 50,
  ingress5xxPerS: 5,
  podsWanted: 10,
  podsReady: 9,
};

/** The figure each default query returns for a shape (the rate of a steady counter is exact). */
export function expectedGateValues(s: Omit<ClusterShape, 'label'>): Record<string, number> {
  const q = (b: readonly [number, number]): number => b[0] + (b[1] - b[0]) * 0.99;
  const total = s.ok + s.rejected + s.errors;
  const out: Record<string, number> = {
    apiserver_p99_single_object_seconds: q(s.apiLatency),
    apiserver_p99_seconds: q(s.apiLatency),
    apiserver_429_ratio: s.rejected / total,
    apiserver_success_ratio: s.ok / total,
    apiserver_memory_ratio: s.memoryBytes / s.memoryLimitBytes,
    apiserver_restarts: 0,
    apiserver_ready_ratio: s.readyReplicas / s.replicas,
    etcd_latency_seconds: q(s.etcdLatency),
    dns_servfail_ratio: s.dnsServfailPerS / s.dnsPerS,
    dns_p99_seconds: q(s.dnsLatency),
    nodes_not_ready_ratio: 1 - s.nodesReady / s.nodes,
    workload_error_ratio: s.ingress5xxPerS / s.ingressPerS,
    workload_p99_seconds: q(s.workloadLatency),
    workload_pods_ready_ratio: s.podsReady / s.podsWanted,
    apiserver_requests_per_second: total,
  };
  for (const [level, [inUse, seats]] of Object.entries(s.seats)) out[`apf_seat_utilisation{${level}}`] = inUse / seats;
  return out;
}

export interface DataWindow {
  /** The cluster label's name. */
  readonly label: string;
  readonly fromS: number;
  readonly toS: number;
  readonly stepS: number;
}

/** One family's series: labels (without the cluster label) and value at time t (seconds since fromS). */
interface Family {
  readonly name: string;
  readonly series: (s: ClusterShape) => readonly { readonly labels: string; readonly at: (t: number) => number }[];
}

const API = 'job="apiserver",instance="10.0.0.1:6443"';

/** A histogram whose observations all fall in (low, high], `perS` per second: cumulative bucket counters. */
function histogram(labels: string, bucket: readonly [number, number], perS: number): { labels: string; at: (t: number) => number }[] {
  const les = [bucket[0], bucket[1], bucket[1] * 2, '+Inf'] as const;
  return les.map((le, i) => ({ labels: `${labels}${labels === '' ? '' : ','}le="${le}"`, at: (t: number) => (i === 0 ? 0 : perS * t) }));
}

const FAMILIES: readonly Family[] = [
  {
    name: 'apiserver_request_total',
    series: (s) => [
      { labels: `${API},verb="GET",resource="pods",scope="resource",code="200"`, at: (t) => (s.nanRequests === true ? Number.NaN : s.ok * t) },
      { labels: `${API},verb="LIST",resource="pods",scope="cluster",code="429"`, at: (t) => (s.nanRequests === true ? Number.NaN : s.rejected * t) },
      { labels: `${API},verb="GET",resource="pods",scope="resource",code="500"`, at: (t) => (s.nanRequests === true ? Number.NaN : s.errors * t) },
    ],
  },
  { name: 'apiserver_request_sli_duration_seconds_bucket', series: (s) => histogram(`${API},verb="GET",resource="pods",scope="resource"`, s.apiLatency, s.ok) },
  {
    name: 'apiserver_flowcontrol_current_executing_seats',
    series: (s) => Object.entries(s.seats).map(([level, [inUse]]) => ({ labels: `${API},priority_level="${level}"`, at: () => inUse })),
  },
  {
    name: 'apiserver_flowcontrol_nominal_limit_seats',
    series: (s) => Object.entries(s.seats).map(([level, [, seats]]) => ({ labels: `${API},priority_level="${level}"`, at: () => seats })),
  },
  { name: 'process_resident_memory_bytes', series: (s) => Array.from({ length: s.replicas }, (_, i) => ({ labels: `${API},pod="kube-apiserver-${i}"`, at: () => s.memoryBytes * (i === 0 ? 1 : 0.9) })) },
  { name: 'process_start_time_seconds', series: (s) => Array.from({ length: s.replicas }, (_, i) => ({ labels: `${API},pod="kube-apiserver-${i}"`, at: () => 1_700_000_000 + i })) },
  {
    name: 'kube_pod_container_resource_limits',
    series: (s) => [{ labels: 'job="kube-state-metrics",namespace="kube-system",pod="kube-apiserver-0",container="kube-apiserver",resource="memory",unit="byte"', at: () => s.memoryLimitBytes }],
  },
  {
    name: 'kube_pod_status_ready',
    series: (s) => Array.from({ length: s.replicas }, (_, i) => ({ labels: `job="kube-state-metrics",namespace="kube-system",pod="kube-apiserver-${i}",condition="true"`, at: () => (i < s.readyReplicas ? 1 : 0) })),
  },
  { name: 'etcd_request_duration_seconds_bucket', series: (s) => histogram(`${API},operation="get",type="/registry/pods"`, s.etcdLatency, s.ok) },
  {
    name: 'coredns_dns_responses_total',
    series: (s) => [
      { labels: 'job="coredns",server="dns://:53",zone=".",rcode="NOERROR"', at: (t) => (s.dnsPerS - s.dnsServfailPerS) * t },
      { labels: 'job="coredns",server="dns://:53",zone=".",rcode="SERVFAIL"', at: (t) => s.dnsServfailPerS * t },
    ],
  },
  { name: 'coredns_dns_request_duration_seconds_bucket', series: (s) => histogram('job="coredns",server="dns://:53",zone=".",type="A"', s.dnsLatency, s.dnsPerS) },
  {
    name: 'kube_node_status_condition',
    series: (s) => Array.from({ length: s.nodes }, (_, i) => ({ labels: `job="kube-state-metrics",node="node-${i}",condition="Ready",status="true"`, at: () => (i < s.nodesReady ? 1 : 0) })),
  },
  {
    name: 'nginx_ingress_controller_requests',
    series: (s) => [
      { labels: 'job="ingress-nginx",ingress="web",namespace="default",status="200"', at: (t) => (s.ingressPerS - s.ingress5xxPerS) * t },
      { labels: 'job="ingress-nginx",ingress="web",namespace="default",status="503"', at: (t) => s.ingress5xxPerS * t },
    ],
  },
  { name: 'nginx_ingress_controller_request_duration_seconds_bucket', series: (s) => histogram('job="ingress-nginx",ingress="web",namespace="default"', s.workloadLatency, s.ingressPerS) },
  { name: 'kube_deployment_spec_replicas', series: (s) => [{ labels: 'job="kube-state-metrics",namespace="default",deployment="web"', at: () => s.podsWanted }] },
  { name: 'kube_deployment_status_replicas_ready', series: (s) => [{ labels: 'job="kube-state-metrics",namespace="default",deployment="web"', at: () => s.podsReady }] },
];

function sample(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Number.POSITIVE_INFINITY ? '+Inf' : v === Number.NEGATIVE_INFINITY ? '-Inf' : String(v);
}

/** OpenMetrics text for `clusters` over the window, pushed to `out` a line at a time (families contiguous, samples in time order), ending with `# EOF`. */
export function writeOpenMetrics(clusters: readonly ClusterShape[], w: DataWindow, out: (line: string) => void): void {
  for (const family of FAMILIES) {
    out(`# TYPE ${family.name} unknown`);
    for (const c of clusters) {
      const end = w.toS - (c.stopsBeforeEndS ?? 0);
      for (const series of family.series(c)) {
        if (c.noRareSeries === true && /code="429"|rcode="SERVFAIL"|status="503"/.test(series.labels)) continue;
        const head = `${family.name}{${w.label}="${c.label}",${series.labels}} `;
        for (let t = w.fromS; t <= end; t += w.stepS) out(`${head}${sample(series.at(t - w.fromS))} ${t}`);
      }
    }
  }
  out('# EOF');
}
