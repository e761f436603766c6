/**
 * API call profiles: how a client (a node agent, a controller, an operator)
 * talks to the API server. The twin turns profiles into load; the analyzer
 * derives them from manifests; the orchestrator rehearses changes made of them.
 *
 * `resourceVersion` semantics (ref: kubernetes-control-plane.md):
 * - `consistent`: unset resourceVersion, a quorum read served by etcd;
 * - `"0"`: served from the API server's watch cache (may be stale);
 * - `watch-list`: streaming list over a watch (KEP-3157), no large response buffer.
 * With verb `watch`, the client is an informer: an initial list with these
 * semantics, then a watch; it relists after errors and 410 Gone.
 */
export type Verb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';
export type Scope = 'cluster' | 'namespace' | 'node';
export type RvSemantics = 'consistent' | '0' | 'watch-list';
export type RetryPolicy = 'backoff' | 'immediate';

export interface RetrySpec {
  readonly policy: RetryPolicy;
  /** backoff: initial wait, factor, cap, jitter (client-go: 0.8 s, ×2, 30 s, 1.0). */
  readonly initialS: number;
  readonly factor: number;
  readonly maxS: number;
  readonly jitter: number;
}

export interface CallProfile {
  readonly name: string;
  readonly verb: Verb;
  readonly resource: string;
  readonly scope: Scope;
  readonly resourceVersion: RvSemantics;
  /** Seconds between calls of one client (list/get/write); informers: 0 (list once, then watch). */
  readonly periodS: number;
  /** Relative jitter of the period, 0..1. */
  readonly jitter: number;
  /** Page size (`limit`); 0 = unpaginated. Paginated consistent lists cost several round trips of smaller memory. */
  readonly pageSize: number;
  /** Client-side rate limit per client: QPS and burst (client-go: 5 / 10). */
  readonly qps: number;
  readonly burst: number;
  readonly retry: RetrySpec;
  /** Fraction of namespaced objects a namespace-scoped call covers. */
  readonly namespaceFraction: number;
  /**
   * A node-scoped call's field selector `<field>=<its node's name>`: the field
   * (`metadata.name`, `spec.nodeName`, …). Absent: the type's own node field
   * (ResourceStats.nodeScope). How each field narrows: node-scope.ts.
   */
  readonly nodeField?: string;
}

/**
 * How a node-scoped call narrows a type (node-scope.ts): `index`, `name` and
 * `none` as ResourceStats.nodeScope says; `filter`: a field selector the
 * watch cache has no index for — the node's share of the objects is returned,
 * every object is scanned.
 */
export type NodeScope = 'index' | 'name' | 'filter' | 'none';

/** Sizes of the object types the models know, per cluster. */
export interface ResourceStats {
  /** Number of stored objects of this type. */
  readonly count: number;
  /** Mean serialized size in bytes. */
  readonly bytes: number;
  /** Watch events per second for the whole type. */
  readonly eventsPerSecond: number;
  /**
   * What a node-scoped call (`scope: node`) of one node's client covers:
   * - `index`: the node's own objects through a field selector the watch cache
   *   indexes (pods, `spec.nodeName=<node>`): count / nodes returned; the cache
   *   scans only those, etcd (a consistent read) still reads every object;
   * - `name`: the node's own object by name (nodes, `metadata.name=<node>`):
   *   one object, which the API server serves as a single-key read from etcd or
   *   the watch cache, one APF seat (apiserver list_work_estimator.go: "Requests
   *   with metadata.name specified are usually executed as get requests in
   *   storage layer so their width should be 1");
   * - `none`: the type has no per-node subset: a node-scoped call costs a
   *   cluster-wide one.
   * This is the type's own node field, used when a call names none; a call's
   * `nodeField` decides otherwise (node-scope.ts).
   */
  readonly nodeScope: NodeScope;
}
