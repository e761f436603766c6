/**
 * What the served Kubernetes API asks of the cluster behind it. The API
 * machinery (objects, resourceVersions, selectors, apply, watch, RBAC,
 * discovery, tables) is the same for every cluster; the cluster behind it —
 * the twin's, through twin-backend.ts — decides each request's fate from its
 * own state (APF, latency, a ready API server), generates its nodes and pods
 * instead of storing them, and turns the workloads written through the API
 * into load.
 *
 * @example
 *   const a = backend.admit({ user, verb: 'list', apiGroup: '', resource: 'pods', objects: 200_000, bytes: 4e8 });
 *   if (a.kind === 'reject') respond429(a.retryAfterS);
 */

/** The authenticated identity of a request (kubeconfig user: bearer token). */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A request as the cluster behind the API sees it: who, what, and how much it returns or scans. */
export interface RequestInfo {
  readonly user: UserInfo;
  readonly verb: RequestVerb;
  /** '' for core/v1. */
  readonly apiGroup: string;
  /** Plural resource (`pods`); for a non-resource request (`/version`, discovery, openapi), the path. */
  readonly resource: string;
  readonly nonResource?: boolean;
  readonly namespace?: string;
  readonly name?: string;
  /** Objects the request returns or scans (a LIST: the objects it covers; a write or GET: 1). */
  readonly objects: number;
  /** Bytes of the response (or of the request body for writes), for memory and transfer. */
  readonly bytes: number;
}

/** How the cluster answers a request now. */
export type Admission =
  /** Served after `latencyS` (simulated seconds; the server waits that long in wall time / speed). */
  | { readonly kind: 'serve'; readonly latencyS: number; readonly level: string }
  /** 429 Too Many Requests with `Retry-After`, answered after `afterS` (default 0: at once; a time-out in an APF queue: the queue-wait limit). */
  | { readonly kind: 'reject'; readonly retryAfterS: number; readonly reason: string; readonly level: string; readonly afterS?: number }
  /** No answer before the request deadline: 504 after `afterS`. */
  | { readonly kind: 'timeout'; readonly afterS: number; readonly reason: string; readonly level: string }
  /** No API server ready: the connection is refused (the listener is closed). */
  | { readonly kind: 'refuse'; readonly reason: string };

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown>;

/** Read access to the objects stored by the API machinery (FlowSchemas, PriorityLevelConfigurations, RBAC, …). */
export interface ObjectReader {
  list(apiGroup: string, resource: string, namespace?: string): readonly KubeObject[];
  get(apiGroup: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
}

export interface ClusterBackend {
  readonly name: string;
  /** Decides a request against the cluster now and, when admitted, adds its cost to the cluster's load. */
  admit(request: RequestInfo, objects: ObjectReader): Admission;
  /**
   * A request to the cluster's dedicated break-glass API server endpoint, when it has one
   * (twin-backend.ts); without this method the cluster has none.
   */
  admitBreakGlass?(request: RequestInfo, objects: ObjectReader): Admission;
  /** The cluster has a dedicated break-glass API server endpoint (serve a second listener for it). */
  hasBreakGlassEndpoint?(): boolean;
  /** The API server accepts connections now (some replica is ready behind the load balancer). */
  accepting(): boolean;
  /** Nodes, generated on demand: how many, the i-th, and the index of a name (-1: none). */
  nodeCount(): number;
  node(index: number): KubeObject;
  nodeIndex(name: string): number;
  /** Labels written on a generated node through the API (patch/apply); kept as overrides by the backend. */
  setNodeLabels(index: number, labels: Readonly<Record<string, string>>): void;
  /** Pods, generated on demand (the workloads' and the change's agents). */
  podCount(): number;
  pod(index: number): KubeObject;
  podIndex(namespace: string, name: string): number;
  /** A DaemonSet or Deployment was written (object) or deleted (null): the backend turns it into load. */
  workloadWritten(apiGroup: string, resource: string, namespace: string, name: string, object: KubeObject | null, objects: ObjectReader): void;
  /** The status the cluster reports for a workload object now (DaemonSet, Deployment); undefined: keep the stored one. */
  workloadStatus(object: KubeObject): KubeObject | undefined;
}
