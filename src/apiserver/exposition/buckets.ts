/**
 * Kubernetes' and its components' own histogram bucket boundaries, seconds,
 * as of Kubernetes 1.29–1.32, so that `histogram_quantile` over the twin's
 * series has the resolution it has over a real cluster's.
 *
 * @example
 *   REQUEST_DURATION_BUCKETS.at(-1); // 60
 */

/**
 * apiserver_request_duration_seconds: kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go (requestLatencies, since 1.23).
 */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/**
 * apiserver_request_sli_duration_seconds: same file (requestSliLatencies, since 1.26 under this name).
 */
export const REQUEST_SLI_BUCKETS: readonly number[] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/**
 * etcd_request_duration_seconds: kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/storage/etcd3/metrics/metrics.go (etcdRequestLatency).
 */
export const ETCD_REQUEST_BUCKETS: readonly number[] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/**
 * coredns_dns_request_duration_seconds: coredns/coredns plugin/metrics/vars/vars.go, `plugin.TimeBuckets`
 * = prometheus.ExponentialBuckets(0.00025, 2, 16) (plugin/plugin.go): 0.25 ms … 8.192 s.
 */
export const COREDNS_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/**
 * nginx_ingress_controller_request_duration_seconds: kubernetes/ingress-nginx
 * internal/ingress/metric/collectors/socket.go uses prometheus.DefBuckets
 * (prometheus/client_golang prometheus/histogram.go).
 */
export const NGINX_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
