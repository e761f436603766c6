/**
 * The twin's Prometheus exposition of one cluster: Kubernetes' own metric
 * names, labels and buckets (1.29–1.32) carrying the twin's quantities —
 * the one mapping that the live `/metrics` of `twin serve`
 * (prometheus-text.ts) and the OpenMetrics history of `simulate
 * --openmetrics` (openmetrics.ts) both print (docs/metrics.md lists every
 * series and the twin quantity it carries).
 *
 * Counters and histograms accumulate the twin's per-step counts: call
 * `accumulate()` once after every twin step, so that `rate()` over them gives
 * back the twin's per-second figures and ratios. Gauges read the twin's state
 * at the time of the call. Deterministic: time is the twin's clock.
 *
 * - `apiserver()`: what the cluster's API server serves on `/metrics`
 *   (apiserver_*, etcd_*, process_* per replica with `pod`).
 * - `components()`: what does not die with the API server — CoreDNS,
 *   kube-state-metrics and the data plane (ingress-nginx names).
 *
 * @example
 *   const m = new ClusterMetrics(twin, 0);
 *   twin.step(); m.accumulate();
 *   const text = await prometheusText(m.apiserver());
 */
import type { TwinApi } from '../../twin/index.ts';
import { COREDNS_BUCKETS, ETCD_REQUEST_BUCKETS, NGINX_BUCKETS, REQUEST_DURATION_BUCKETS, REQUEST_SLI_BUCKETS } from './buckets.ts';
import { HistogramAcc, keyOf, type Family, type Labels, type Sample } from './families.ts';
import { flowSchemaOf, groupOf, metricScope, metricVerb, okCode } from './labels.ts';

export interface ClusterMetricsOptions {
  /**
   * kube_node_status_condition series per cluster: one per node up to this many nodes (default: every
   * node); above it, this many nodes stand for the cluster's (the NotReady share rounded to 1/cap).
   */
  readonly nodeSeriesCap?: number;
}

/**
 * Customer requests per second a cluster's ingress serves at an even share of the fleet's traffic: the
 * twin models the data plane's error ratio and traffic share, not its volume (docs/metrics.md).
 */
export const INGRESS_RPS_PER_CLUSTER = 100;
/** Latency the ingress reports for a served request and for one failed by DNS (twin assumptions, docs/metrics.md). */
export const INGRESS_OK_S = 0.05;
export const INGRESS_ERROR_S = 5;
/** Latency CoreDNS reports for an answered query, and for a query it fails (twin assumptions, docs/metrics.md). */
export const DNS_OK_S = 0.001;
export const DNS_FAIL_S = 2;

class Counters {
  readonly map = new Map<string, { labels: Labels; value: number }>();
  add(labels: Labels, n: number): void {
    const k = keyOf(labels);
    if (!(n > 0)) return;
    const e = this.map.get(k);
    // A series exists once something was counted in it, as client_golang's CounterVec creates it.
    if (e === undefined) this.map.set(k, { labels, value: n });
    else e.value += n;
  }
  samples(): Sample[] {
    return [...this.map.values()].map((e) => ({ labels: e.labels, value: e.value }));
  }
}

class Histograms {
  readonly map = new Map<string, HistogramAcc>();
  readonly bounds: readonly number[];
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
  }
  observe(labels: Labels, value: number, n: number): void {
    if (!(n > 0)) return;
    const k = keyOf(labels);
    let h = this.map.get(k);
    if (h === undefined) {
      h = new HistogramAcc(labels, this.bounds);
      this.map.set(k, h);
    }
    h.observe(value, n);
  }
  family(name: string, help: string): Family {
    return { kind: 'histogram', name, help, bounds: this.bounds, samples: [...this.map.values()].map((h) => h.sample()) };
  }
}

export class ClusterMetrics {
  readonly #twin: TwinApi;
  readonly #index: number;
  readonly #nodeCap: number;
  readonly #requests = new Counters();
  readonly #duration = new Histograms(REQUEST_DURATION_BUCKETS);
  readonly #sli = new Histograms(REQUEST_SLI_BUCKETS);
  readonly #etcd = new Histograms(ETCD_REQUEST_BUCKETS);
  readonly #apfRejected = new Counters();
  readonly #dnsResponses = new Counters();
  readonly #dnsDuration = new Histograms(COREDNS_BUCKETS);
  readonly #ingress = new Counters();
  readonly #ingressDuration = new Histograms(NGINX_BUCKETS);
  /** Per replica: the restarts seen and the process start, epoch seconds. */
  readonly #started: { restarts: number; startS: number; live: boolean }[] = [];

  constructor(twin: TwinApi, index: number, opts: ClusterMetricsOptions = {}) {
    this.#twin = twin;
    this.#index = index;
    this.#nodeCap = Math.max(1, opts.nodeSeriesCap ?? Infinity);
    this.#trackReplicas();
  }

  #nowS(): number {
    return this.#twin.clock.now() / 1000;
  }

  /** Keeps each replica's process start: the start of the run, then when it comes back after being down. */
  #trackReplicas(): void {
    const reps = this.#twin.replicasAt(this.#index);
    const now = this.#nowS();
    for (let i = 0; i < reps.length; i++) {
      const r = reps[i];
      if (r === undefined) continue;
      const live = r.state !== 'down';
      const seen = this.#started[i];
      if (seen === undefined) this.#started[i] = { restarts: r.restarts, startS: this.#twin.scenario.startMs / 1000, live };
      else {
        if (live && (!seen.live || r.restarts !== seen.restarts)) seen.startS = now;
        seen.live = live;
        seen.restarts = r.restarts;
      }
    }
  }

  /** Adds the last step's counts (call once after each twin step). */
  accumulate(): void {
    const twin = this.#twin;
    const i = this.#index;
    const dt = twin.scenario.stepS;
    const etcdS = twin.metricAt(i, 'etcd_latency_seconds');
    const classes = twin.requestClassesAt(i);
    // Served requests are counted when they arrive: arrivals − rejections (a class's rejections can
    // include requests queued in an earlier step, so the shortfall is taken from the others), so that
    // the cluster's 429 share of all requests is the twin's apiserver_429_ratio, rejected / (arrivals +
    // failed) (src/twin/cluster/observe.ts summarise).
    let arrivals = 0;
    let rejected = 0;
    let positive = 0;
    for (const c of classes) {
      arrivals += c.arrivals;
      rejected += c.rejected;
      positive += Math.max(0, c.arrivals - c.rejected);
    }
    const servedScale = positive > 0 ? Math.max(0, arrivals - rejected) / positive : 0;
    for (const c of classes) {
      const verb = metricVerb(c.verb);
      const resource = c.resource === 'external' ? '' : c.resource;
      const group = groupOf(c.resource);
      const scope = metricScope(c.verb, c.scope);
      const base = { verb, dry_run: '', group, version: 'v1', resource, subresource: '', scope, component: 'apiserver' };
      this.#requests.add({ ...base, code: '429' }, c.rejected);
      this.#requests.add({ ...base, code: '504' }, c.failed);
      this.#requests.add({ ...base, code: okCode(c.verb) }, Math.max(0, c.arrivals - c.rejected) * servedScale);
      if (c.verb !== 'watch') {
        this.#duration.observe(base, c.latencyS, c.ok + c.failed);
        // The SLI histogram carries what the twin's p99s are of: ordinary requests, each class weighted
        // by its requests of the step (arrivals + failed), at its latency (docs/metrics.md).
        if (c.ordinary) this.#sli.observe({ verb, group, version: 'v1', resource, subresource: '', scope, component: 'apiserver' }, c.latencyS, c.arrivals + c.failed);
        if (c.ok > 0 && c.resource !== 'external') this.#etcd.observe({ operation: etcdOperation(c.verb), type: c.resource }, etcdS, c.ok);
      }
      if (c.rejected > 0) this.#apfRejected.add({ flow_schema: flowSchemaOf(c.level), priority_level: c.level, reason: 'queue-full' }, c.rejected);
    }
    // CoreDNS: the lookups reaching it (the model's steady-state rate), SERVFAIL at the twin's failing share.
    const dnsModel = twin.scenario.model.dns;
    const queries = twin.nodesAt(i) * dnsModel.lookupsPerNodeS * dt;
    const servfail = Math.min(1, Math.max(0, twin.metricAt(i, 'dns_servfail_ratio')));
    const dnsLabels = { server: 'dns://:53', zone: '.', view: '' };
    this.#dnsResponses.add({ ...dnsLabels, rcode: 'NOERROR', plugin: 'cache' }, queries * (1 - servfail));
    this.#dnsResponses.add({ ...dnsLabels, rcode: 'SERVFAIL', plugin: '' }, queries * servfail);
    this.#dnsDuration.observe({ ...dnsLabels, type: 'A' }, DNS_OK_S, queries * (1 - servfail));
    this.#dnsDuration.observe({ ...dnsLabels, type: 'A' }, DNS_FAIL_S, queries * servfail);
    // The data plane: its share of the fleet's customer requests, failing at the twin's error ratio.
    const clusters = twin.clusters().length;
    const customers = INGRESS_RPS_PER_CLUSTER * clusters * twin.metricAt(i, 'traffic_share') * dt;
    const err = Math.min(1, Math.max(0, twin.metricAt(i, 'dataplane_error_ratio')));
    // ingress-nginx's labels, less the per-request ones the twin has no value for (host, path, method, canary).
    const ing = { ingress: 'customer', namespace: 'default', service: 'customer' };
    this.#ingress.add({ ...ing, status: '200' }, customers * (1 - err));
    this.#ingress.add({ ...ing, status: '503' }, customers * err);
    this.#ingressDuration.observe({ ...ing, status: '200' }, INGRESS_OK_S, customers * (1 - err));
    this.#ingressDuration.observe({ ...ing, status: '503' }, INGRESS_ERROR_S, customers * err);
    this.#trackReplicas();
  }

  /** The API server's own families (its `/metrics`). */
  apiserver(): Family[] {
    const twin = this.#twin;
    const i = this.#index;
    const levels = twin.levelsAt(i);
    const replicas = twin.replicasAt(i);
    const mem: Sample[] = [];
    const start: Sample[] = [];
    for (let r = 0; r < replicas.length; r++) {
      const rep = replicas[r];
      if (rep === undefined || rep.state === 'down') continue;
      const pod = `kube-apiserver-${r}`;
      mem.push({ labels: { pod }, value: rep.memoryBytes });
      start.push({ labels: { pod }, value: this.#started[r]?.startS ?? twin.scenario.startMs / 1000 });
    }
    return [
      { kind: 'counter', name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', samples: this.#requests.samples() },
      this.#duration.family('apiserver_request_duration_seconds', 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.'),
      this.#sli.family('apiserver_request_sli_duration_seconds', 'Response latency distribution (not counting webhook duration and priority & fairness queue wait times) in seconds for each verb, group, version, resource, subresource, scope and component.'),
      { kind: 'counter', name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Number of requests rejected by API Priority and Fairness subsystem', samples: this.#apfRejected.samples() },
      { kind: 'gauge', name: 'apiserver_flowcontrol_current_inqueue_requests', help: 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', samples: levels.map((l) => ({ labels: { flow_schema: flowSchemaOf(l.level), priority_level: l.level }, value: l.queued })) },
      { kind: 'gauge', name: 'apiserver_flowcontrol_current_executing_seats', help: 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem', samples: levels.map((l) => ({ labels: { flow_schema: flowSchemaOf(l.level), priority_level: l.level }, value: l.inUse })) },
      { kind: 'gauge', name: 'apiserver_flowcontrol_nominal_limit_seats', help: 'Nominal number of execution seats configured for each priority level', samples: levels.map((l) => ({ labels: { priority_level: l.level }, value: l.seats })) },
      this.#etcd.family('etcd_request_duration_seconds', 'Etcd request latency in seconds for each operation and object type.'),
      { kind: 'gauge', name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.', samples: twin.storedObjectsAt(i).map((o) => ({ labels: { resource: groupOf(o.resource) === '' ? o.resource : `${o.resource}.${groupOf(o.resource)}` }, value: o.count })) },
      { kind: 'gauge', name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', samples: mem },
      { kind: 'gauge', name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', samples: start },
    ];
  }

  /** CoreDNS, kube-state-metrics and the data plane (the control endpoint's `/twin/v1/metrics`). */
  components(): Family[] {
    const twin = this.#twin;
    const i = this.#index;
    const cluster = twin.clusters()[i]?.name ?? '';
    const replicas = twin.replicasAt(i);
    const ready: Sample[] = [];
    const limits: Sample[] = [];
    for (let r = 0; r < replicas.length; r++) {
      const rep = replicas[r];
      if (rep === undefined) continue;
      const pod = `kube-apiserver-${r}`;
      const uid = `${cluster}-kube-apiserver-${r}`;
      const isReady = rep.state === 'ready';
      ready.push({ labels: { namespace: 'kube-system', pod, uid, condition: 'true' }, value: isReady ? 1 : 0 });
      ready.push({ labels: { namespace: 'kube-system', pod, uid, condition: 'false' }, value: isReady ? 0 : 1 });
      ready.push({ labels: { namespace: 'kube-system', pod, uid, condition: 'unknown' }, value: 0 });
      limits.push({ labels: { namespace: 'kube-system', pod, uid, container: 'kube-apiserver', node: `${cluster}-control-plane-${r}`, resource: 'memory', unit: 'byte' }, value: rep.memoryLimitBytes });
    }
    const nodes = twin.nodesAt(i);
    const shown = Math.max(1, Math.min(nodes, this.#nodeCap));
    const notReady = Math.round(Math.min(1, Math.max(0, twin.metricAt(i, 'nodes_not_ready_ratio'))) * shown);
    const cond: Sample[] = [];
    for (let n = 0; n < shown; n++) {
      const node = `${cluster}-node-${n}`;
      const ok = n >= notReady;
      // A node whose lease lapsed: the node lifecycle controller marks Ready Unknown. The twin has no
      // node reporting Ready=False, so that series (always 0) is left out.
      cond.push({ labels: { node, condition: 'Ready', status: 'true' }, value: ok ? 1 : 0 });
      cond.push({ labels: { node, condition: 'Ready', status: 'unknown' }, value: ok ? 0 : 1 });
    }
    const pods = twin.podsAt(i);
    const podsReady = Math.round(pods * (1 - Math.min(1, Math.max(0, twin.metricAt(i, 'nodes_not_ready_ratio')))));
    const dep = { namespace: 'default', deployment: 'customer-workloads' };
    return [
      { kind: 'counter', name: 'coredns_dns_responses_total', help: 'Counter of response status codes.', samples: this.#dnsResponses.samples() },
      this.#dnsDuration.family('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.'),
      { kind: 'gauge', name: 'kube_node_status_condition', help: 'The condition of a cluster node.', samples: cond },
      { kind: 'gauge', name: 'kube_pod_status_ready', help: 'Describes whether the pod is ready to serve requests.', samples: ready },
      { kind: 'gauge', name: 'kube_pod_container_resource_limits', help: 'The number of requested limit resource by a container.', samples: limits },
      { kind: 'gauge', name: 'kube_deployment_spec_replicas', help: 'Number of desired pods for a deployment.', samples: [{ labels: dep, value: pods }] },
      { kind: 'gauge', name: 'kube_deployment_status_replicas_ready', help: 'The number of ready replicas per deployment.', samples: [{ labels: dep, value: podsReady }] },
      { kind: 'counter', name: 'nginx_ingress_controller_requests', help: 'The total number of client requests', samples: this.#ingress.samples() },
      this.#ingressDuration.family('nginx_ingress_controller_request_duration_seconds', 'The request processing time in milliseconds'),
    ];
  }
}

/** etcd3 storage operation of a verb (metrics.go RecordEtcdRequest: get, list, create, update, delete). */
function etcdOperation(verb: string): string {
  switch (verb) {
    case 'list':
      return 'listWithCount';
    case 'get':
      return 'get';
    case 'create':
      return 'create';
    case 'delete':
      return 'delete';
    default:
      return 'update';
  }
}
