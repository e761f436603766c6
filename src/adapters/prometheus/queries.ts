/**
 * The default PromQL of every built-in gate metric (contract F of issue #12;
 * docs/orchestrator.md "Prometheus"), written from kubernetes-mixin's rules
 * (kubernetes-monitoring/kubernetes-mixin rules/kube_apiserver-*.libsonnet,
 * rules/kube_apiserver-histogram.libsonnet, alerts/kube_apiserver.libsonnet),
 * and the placeholders a query may use:
 *
 * - `$cl`: the label that names the cluster (the fleet's `spec.prometheus.clusterLabel`, default `cluster`);
 * - `$clusters`: a regex alternation of the queried clusters' label values, regex-escaped (`$cl=~"$clusters"`);
 * - `$w`: the rate window (`spec.metrics.prometheus.rateWindow`, default 1m);
 * - `$apiserver`: the API server's label matchers (the fleet's `spec.prometheus.apiserverSelector`, default `job="apiserver"`).
 *
 * Every query returns one series per cluster, labelled `$cl` (per-level: one
 * per `$cl` × `priority_level`). Ratios of a rare event (429s, 5xx,
 * SERVFAIL) put `or 0 * <total>` under the numerator — kubernetes-mixin's
 * `or vector(0)` (rules/kube_apiserver-burnrate.libsonnet), kept per cluster —
 * because Kubernetes creates a counter's `code="429"` series only on the
 * first 429: the ratio is then 0 where the cluster has traffic, and *no
 * data* only where the cluster has no series at all.
 *
 * @example
 *   substitute(DEFAULT_QUERIES.apiserver_429_ratio.query, { cl: 'cluster', clusters: ['a', 'b'], w: '1m', apiserver: 'job="apiserver"' });
 */

export interface GateQuery {
  readonly query: string;
  /** One series per `priority_level` (the APF gate). */
  readonly perLevel: boolean;
}

const SEL = '$apiserver,$cl=~"$clusters"';
const ALL = '$cl=~"$clusters"';

/** `num / den` where num counts a rare event: 0 (not no data) where the denominator has series. */
function rareRatio(num: string, den: string): string {
  return `(${num} or 0 * ${den}) / ${den}`;
}

const requests = `sum by ($cl) (rate(apiserver_request_total{${SEL}}[$w]))`;
const dnsAll = `sum by ($cl) (rate(coredns_dns_responses_total{${ALL}}[$w]))`;
const ingressAll = `sum by ($cl) (rate(nginx_ingress_controller_requests{${ALL}}[$w]))`;

/** Gate metric → its default PromQL (the metric names of src/orchestrator/gate-catalogue.ts GATE_METRICS). */
export const DEFAULT_QUERIES: Readonly<Record<string, GateQuery>> = {
  apiserver_p99_single_object_seconds: {
    query: `histogram_quantile(0.99, sum by ($cl, le) (rate(apiserver_request_sli_duration_seconds_bucket{${SEL},scope="resource",verb=~"GET|POST|PUT|PATCH|DELETE"}[$w])))`,
    perLevel: false,
  },
  apiserver_p99_seconds: {
    query: `histogram_quantile(0.99, sum by ($cl, le) (rate(apiserver_request_sli_duration_seconds_bucket{${SEL},verb=~"LIST|GET|POST|PUT|PATCH|DELETE"}[$w])))`,
    perLevel: false,
  },
  apiserver_429_ratio: { query: rareRatio(`sum by ($cl) (rate(apiserver_request_total{${SEL},code="429"}[$w]))`, requests), perLevel: false },
  apiserver_success_ratio: { query: `(sum by ($cl) (rate(apiserver_request_total{${SEL},code=~"2.."}[$w])) or 0 * ${requests}) / ${requests}`, perLevel: false },
  apf_seat_utilisation: {
    query: `max by ($cl, priority_level) (apiserver_flowcontrol_current_executing_seats{${SEL}}) / max by ($cl, priority_level) (apiserver_flowcontrol_nominal_limit_seats{${SEL}})`,
    perLevel: true,
  },
  apiserver_memory_ratio: {
    query: `max by ($cl) (process_resident_memory_bytes{${SEL}}) / max by ($cl) (kube_pod_container_resource_limits{${ALL},namespace="kube-system",container="kube-apiserver",resource="memory"})`,
    perLevel: false,
  },
  apiserver_restarts: { query: `sum by ($cl) (changes(process_start_time_seconds{${SEL}}[1m]))`, perLevel: false },
  apiserver_ready_ratio: {
    query: `sum by ($cl) (kube_pod_status_ready{${ALL},namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"}) / count by ($cl) (kube_pod_status_ready{${ALL},namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"})`,
    perLevel: false,
  },
  etcd_latency_seconds: { query: `histogram_quantile(0.99, sum by ($cl, le) (rate(etcd_request_duration_seconds_bucket{${SEL}}[$w])))`, perLevel: false },
  dns_servfail_ratio: { query: rareRatio(`sum by ($cl) (rate(coredns_dns_responses_total{${ALL},rcode="SERVFAIL"}[$w]))`, dnsAll), perLevel: false },
  dns_p99_seconds: { query: `histogram_quantile(0.99, sum by ($cl, le) (rate(coredns_dns_request_duration_seconds_bucket{${ALL}}[$w])))`, perLevel: false },
  nodes_not_ready_ratio: { query: `1 - avg by ($cl) (kube_node_status_condition{${ALL},condition="Ready",status="true"})`, perLevel: false },
  workload_error_ratio: { query: rareRatio(`sum by ($cl) (rate(nginx_ingress_controller_requests{${ALL},status=~"5.."}[$w]))`, ingressAll), perLevel: false },
  workload_p99_seconds: { query: `histogram_quantile(0.99, sum by ($cl, le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${ALL}}[$w])))`, perLevel: false },
  workload_pods_ready_ratio: { query: `sum by ($cl) (kube_deployment_status_replicas_ready{${ALL}}) / sum by ($cl) (kube_deployment_spec_replicas{${ALL}})`, perLevel: false },
  apiserver_requests_per_second: { query: requests, perLevel: false },
};

export interface Placeholders {
  readonly cl: string;
  /** The queried clusters' label values (escaped here). */
  readonly clusters: readonly string[];
  /** A Prometheus duration, e.g. `1m`, `30s`. */
  readonly w: string;
  readonly apiserver: string;
}

/** RE2 metacharacters escaped, then escaped again for a PromQL double-quoted string. */
export function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const PLACEHOLDER = /\$(clusters|apiserver|cl|w)(?![a-zA-Z0-9_])/g;

/** The query with its placeholders filled in, in one pass (a substituted value is never read again). */
export function substitute(template: string, p: Placeholders): string {
  const alternation = p.clusters.map(regexEscape).join('|');
  return template.replace(PLACEHOLDER, (_m, name: string) => (name === 'clusters' ? alternation : name === 'apiserver' ? p.apiserver : name === 'cl' ? p.cl : p.w));
}

/** Seconds as a Prometheus duration (`90` → `90s`, `60` → `1m`). */
export function promDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
