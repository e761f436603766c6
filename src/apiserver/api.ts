/**
 * The Kubernetes API of one served cluster, as a function from request to
 * answer over a ClusterBackend — deterministic, no sockets (the shell's HTTPS
 * server, src/shell/serve/, carries it). Each request goes, as through
 * kube-apiserver's handler chain (k8s.io/apiserver/pkg/server/config.go
 * DefaultBuildHandlerChain): authentication (bearer token → UserInfo; none or
 * unknown → 401), then the cluster's admission (backend.admit, APF and load:
 * served after its latency, 429 with Retry-After, 504 at the deadline, or
 * connection refused), then RBAC authorization (rbac.ts, 403), then the verb
 * (resource-ops.ts) or the non-resource document (version, health,
 * discovery, OpenAPI).
 *
 * @example
 *   const api = new KubeApi({ backend, tokens: new Map([[token, { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }]]), startMs });
 *   const result = api.handle(request, nowMs);
 */
import type { Admission, ClusterBackend, KubeObject, RequestInfo, UserInfo } from './backend.ts';
import { bootstrap } from './bootstrap.ts';
import { aggregatedDiscovery, AGGREGATED_V2, apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo, wantsAggregated } from './discovery.ts';
import { openapiDocument, openapiRoot } from './openapi.ts';
import { authorize } from './rbac.ts';
import { respond, respondError, type ApiRequest, type ApiResult } from './request.ts';
import { isWorkload, refreshWorkloads, runVerb, sourceOf } from './resource-ops.ts';
import { RESOURCES, resourceFor, type ResourceDef } from './resources.ts';
import { route } from './routing.ts';
import { parseFieldSelector, SelectorError } from './selectors.ts';
import { forbidden, methodNotAllowed, pathNotFound, status, timeout, tooManyRequests, unauthorized } from './status.ts';
import { ObjectStore } from './store.ts';
import { tokenRequest } from './token-request.ts';
import { PROMETHEUS_CONTENT_TYPE } from './exposition/prometheus-text.ts';

export interface KubeApiOptions {
  readonly backend: ClusterBackend;
  /** Bearer token → identity. */
  readonly tokens: ReadonlyMap<string, UserInfo>;
  /** Virtual epoch ms of the cluster's start: the creationTimestamp of what it bootstraps. */
  readonly startMs: number;
  /** Watch history kept, in events (default store.ts HISTORY). */
  readonly historyEvents?: number;
  /** A new bearer token, for the TokenRequest subresource (token-request.ts); without it the subresource is 404. */
  readonly mintToken?: () => string;
  /**
   * The cluster's Prometheus exposition, `GET /metrics` (src/apiserver/exposition/): its text, made when
   * the request is answered; without it /metrics is 404.
   */
  readonly metrics?: () => Promise<string>;
}

/** Which endpoint of the cluster received a request: its API servers, or its dedicated break-glass API server. */
export type Endpoint = 'main' | 'break-glass';

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const HEALTH = new Set(['/healthz', '/readyz', '/livez']);
const WORKLOADS = RESOURCES.filter(isWorkload);

export class KubeApi {
  readonly store: ObjectStore;
  readonly backend: ClusterBackend;
  readonly #tokens: ReadonlyMap<string, UserInfo>;
  /** Tokens of service accounts issued by TokenRequest on this cluster. */
  readonly #minted = new Map<string, UserInfo>();
  readonly #mint: (() => string) | undefined;
  readonly #metrics: (() => Promise<string>) | undefined;
  readonly #nodeRvs = new Map<number, number>();
  readonly #sampleBytes = new Map<string, number>();

  constructor(opts: KubeApiOptions) {
    this.backend = opts.backend;
    this.#tokens = opts.tokens;
    this.#mint = opts.mintToken;
    this.#metrics = opts.metrics;
    this.store = new ObjectStore(opts.backend.name, opts.historyEvents);
    bootstrap(this.store, new Date(opts.startMs).toISOString().replace(/\.\d+Z$/, 'Z'));
  }

  /** After each twin step: workload statuses from the backend (watchers of DaemonSets see them change). */
  tick(): void {
    refreshWorkloads(this.store, this.backend, WORKLOADS);
  }

  #bytesPer(def: ResourceDef): number {
    const key = `${def.group}/${def.plural}`;
    let b = this.#sampleBytes.get(key);
    if (b === undefined) {
      const sample = def.plural === 'nodes' && def.group === '' ? (this.backend.nodeCount() > 0 ? this.backend.node(0) : undefined) : def.plural === 'pods' && def.group === '' ? (this.backend.podCount() > 0 ? this.backend.pod(0) : undefined) : undefined;
      b = sample === undefined ? 0 : JSON.stringify(sample).length;
      if (sample !== undefined) this.#sampleBytes.set(key, b);
    }
    return b;
  }

  /** Objects and bytes a resource request covers (the admission's cost): a LIST scans every object of its scope. */
  #cost(def: ResourceDef, verb: string, namespace: string | undefined, query: URLSearchParams, bodyBytes: number): { objects: number; bytes: number } {
    if (verb !== 'list' && verb !== 'watch' && verb !== 'deletecollection') {
      const per = def.generated ? this.#bytesPer(def) : 0;
      return { objects: 1, bytes: Math.max(bodyBytes, per, 1) };
    }
    let fields;
    try {
      fields = parseFieldSelector(query.get('fieldSelector') ?? '', def.group, def.plural);
    } catch (e) {
      if (e instanceof SelectorError) fields = [] as const;
      else throw e;
    }
    const source = sourceOf(this.store, this.backend, this.#nodeRvs, def, { fields, namespace: def.namespaced ? namespace : undefined });
    const objects = Math.max(1, source.size);
    const limit = Number(query.get('limit') ?? '0');
    const returned = limit > 0 ? Math.min(limit, objects) : objects;
    let per = this.#bytesPer(def);
    if (!def.generated) {
      let total = 0;
      for (const [, o] of source.from(undefined)) total += JSON.stringify(o).length;
      per = source.size > 0 ? total / source.size : 0;
    }
    return { objects, bytes: Math.max(1, Math.round(returned * per)) };
  }

  #authenticate(req: ApiRequest): UserInfo | undefined {
    if (req.token === undefined || req.token === '') return undefined;
    return this.#tokens.get(req.token) ?? this.#minted.get(req.token);
  }

  /**
   * Answers one request at the cluster's virtual time `nowMs`, received by the cluster's ordinary
   * endpoint or by its dedicated break-glass API server (`break-glass`: backend.admitBreakGlass;
   * the same objects).
   */
  handle(req: ApiRequest, nowMs: number, endpoint: Endpoint = 'main'): ApiResult {
    const r = route(req.method, req.path, req.query);
    const isHealth = r.kind === 'nonresource' && (HEALTH.has(r.path) || [...HEALTH].some((h) => r.path.startsWith(`${h}/`)));
    const user = this.#authenticate(req) ?? (isHealth ? ANONYMOUS : undefined);
    if (user === undefined) return respondError(unauthorized());
    if (r.kind === 'bad-method') return this.#admitted(endpoint, { user, verb: 'get', apiGroup: '', resource: req.path, nonResource: true, objects: 1, bytes: 1024 }, () => respondError(methodNotAllowed()));

    let info: RequestInfo;
    let def: ResourceDef | undefined;
    if (r.kind === 'nonresource') {
      info = { user, verb: 'get', apiGroup: '', resource: r.path, nonResource: true, objects: 1, bytes: 1024 };
    } else {
      def = resourceFor(r.group, r.plural);
      const sub = r.subresource;
      const tokenSub = sub === 'token' && def !== undefined && def.group === '' && def.plural === 'serviceaccounts' && r.verb === 'create' && this.#mint !== undefined;
      if (def === undefined || def.version !== r.version || (sub !== undefined && !(sub === 'status' && def.status) && !tokenSub) || (def.namespaced && r.namespace === undefined && r.name !== undefined) || (!def.namespaced && r.namespace !== undefined)) {
        return this.#admitted(endpoint, { user, verb: r.verb, apiGroup: r.group, resource: r.plural, objects: 1, bytes: 1024 }, () => respondError(pathNotFound()));
      }
      const cost = this.#cost(def, r.verb, r.namespace, req.query, req.body.length);
      info = { user, verb: r.verb, apiGroup: def.group, resource: def.plural, ...(r.namespace === undefined ? {} : { namespace: r.namespace }), ...(r.name === undefined ? {} : { name: r.name }), objects: cost.objects, bytes: cost.bytes };
    }

    const a = this.#admit(endpoint, info);
    if (a.kind === 'refuse') return { kind: 'refuse', reason: a.reason };
    if (a.kind === 'reject') return respondError(tooManyRequests(a.retryAfterS), a.afterS ?? 0);
    if (a.kind === 'timeout') return { kind: 'timeout', afterS: a.afterS, body: JSON.stringify(timeout().body) };
    const delayS = a.latencyS;

    if (r.kind === 'nonresource') return this.#nonResource(r.path, req, delayS);
    if (def === undefined) return respondError(pathNotFound(), delayS);
    const decision = authorize(this.store, user, { verb: r.verb, group: def.group, resource: def.plural, ...(r.subresource === undefined ? {} : { subresource: r.subresource }), ...(r.namespace === undefined ? {} : { namespace: r.namespace }), ...(r.name === undefined ? {} : { name: r.name }) });
    if (!decision.allowed) return respondError(forbidden(decision.message, def, r.name), delayS);
    if (r.subresource === 'token' && this.#mint !== undefined && r.namespace !== undefined && r.name !== undefined)
      return tokenRequest(this.store, r.namespace, r.name, req.body, req.contentType, nowMs, this.#mint, this.#minted, delayS);
    return runVerb({ store: this.store, backend: this.backend, nodeRvs: this.#nodeRvs, nowMs, user, req, def, namespace: r.namespace, name: r.name, subresource: r.subresource, delayS }, r.verb);
  }

  #admit(endpoint: Endpoint, info: RequestInfo): Admission {
    if (endpoint === 'main') return this.backend.admit(info, this.store);
    return this.backend.admitBreakGlass?.(info, this.store) ?? { kind: 'refuse', reason: 'no break-glass API server in this cluster' };
  }

  /** A request answered without touching objects (a bad path or method), after the cluster's admission like any other. */
  #admitted(endpoint: Endpoint, info: RequestInfo, answer: () => ApiResult): ApiResult {
    const a = this.#admit(endpoint, info);
    if (a.kind === 'refuse') return { kind: 'refuse', reason: a.reason };
    if (a.kind === 'reject') return respondError(tooManyRequests(a.retryAfterS), a.afterS ?? 0);
    if (a.kind === 'timeout') return { kind: 'timeout', afterS: a.afterS, body: JSON.stringify(timeout().body) };
    const r = answer();
    return r.kind === 'response' ? { ...r, delayS: a.latencyS } : r;
  }

  #nonResource(path: string, req: ApiRequest, delayS: number): ApiResult {
    if (req.method !== 'GET' && req.method !== 'HEAD') return respondError(methodNotAllowed(), delayS);
    if (HEALTH.has(path) || [...HEALTH].some((h) => path.startsWith(`${h}/`))) return respond(200, 'ok', delayS, {}, 'text/plain; charset=utf-8');
    if (path === '/version') return respond(200, versionInfo(), delayS);
    // kube-apiserver serves its metrics at /metrics (a nonResourceURL; system:monitoring may read it), text format 0.0.4.
    if (path === '/metrics' && this.#metrics !== undefined) return { kind: 'response', status: 200, contentType: PROMETHEUS_CONTENT_TYPE, headers: {}, body: this.#metrics(), delayS };
    if (path === '/api' || path === '/apis') {
      if (wantsAggregated(req.accept)) return respond(200, aggregatedDiscovery(path === '/api'), delayS, { Vary: 'Accept' }, AGGREGATED_V2);
      return respond(200, path === '/api' ? apiVersions(req.host ?? '127.0.0.1:443') : apiGroupList(), delayS, { Vary: 'Accept' });
    }
    if (path === '/api/v1') return found(apiResourceList('', 'v1'), delayS);
    const g = /^\/apis\/([^/]+)$/.exec(path);
    if (g !== null) return found(apiGroup(g[1] ?? ''), delayS);
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv !== null) return found(apiResourceList(gv[1] ?? '', gv[2] ?? ''), delayS);
    if (path === '/openapi/v3') return respond(200, openapiRoot(), delayS);
    if (path.startsWith('/openapi/v3/')) return found(openapiDocument(path.slice('/openapi/v3/'.length)), delayS, { 'Cache-Control': 'public, immutable' });
    if (path === '/openapi/v2') return respondError(status(404, 'NotFound', 'the twin serves /openapi/v3 only'), delayS);
    return respondError(pathNotFound(), delayS);
  }
}

function found(doc: KubeObject | undefined, delayS: number, headers: Readonly<Record<string, string>> = {}): ApiResult {
  return doc === undefined ? respondError(pathNotFound(), delayS) : respond(200, doc, delayS, headers);
}
