/**
 * One cluster's Kubernetes API as one identity, through
 * @kubernetes/client-node: the kubeconfig is loaded by client-node's
 * `KubeConfig` (contexts, users, client certificates, tokens, exec plugins,
 * the CA), which also authenticates each request
 * (`applySecurityAuthentication`) and sends it (its fetch library). Requests
 * are raw paths with JSON bodies, so that a manifest is applied exactly as
 * written: client-node's typed `KubernetesObjectApi` re-serialises objects
 * through its models and drops fields they do not know, which a server-side
 * apply of arbitrary manifests must not do.
 *
 * Every request waits for a token of the cluster's budget (budget.ts), has a
 * deadline (`timeoutMs`, wall time), and fails with client-node's
 * `ApiException` (status, Status body, headers — so Retry-After is kept) or
 * the fetch error; failure.ts turns either into words.
 *
 * Resource paths: the resource (plural) of a kind comes from the server's
 * discovery document of its group-version (`GET /apis/<group>/<version>`,
 * once per group-version and client, as kubectl's RESTMapper does —
 * k8s.io/client-go/restmapper).
 *
 * @example
 *   const api = ApiClient.fromKubeconfig(text, { context: 'prod-a', user: 'firebreak' }, { bucket, timeoutMs: 30_000 });
 *   await api.request('GET', '/api/v1/nodes', { query: { limit: '500' } });
 */
import { ApiException, createConfiguration, HttpMethod, KubeConfig, RequestContext, ServerConfiguration, type Configuration } from '@kubernetes/client-node';
import type { TokenBucket } from './budget.ts';
import { RequestTimeout } from './failure.ts';

/** Who requests are sent as: the context's own user, another kubeconfig user, or a bearer token. */
export type ClientIdentity = ({ readonly user: string; readonly name: string } | { readonly token: string; readonly name: string }) & {
  /** The kubeconfig context whose API server this identity's requests go to (default: the cluster's own). */
  readonly context?: string;
};

export interface ClientOptions {
  readonly bucket: TokenBucket;
  /** Deadline of one request, wall milliseconds. */
  readonly timeoutMs: number;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Take no budget token (the budget is spent by the caller, e.g. tryTake). */
  readonly unbudgeted?: boolean;
}

/** An object's identity for a request. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** A kubeconfig loaded for one context, with the identity swapped in when it is not the context's own user. */
export function kubeConfigFor(text: string, context: string, identity: ClientIdentity | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  const ctx = kc.getContextObject(context);
  if (ctx === null) throw new Error(`no context ${context} in the kubeconfig`);
  if (identity === undefined || ('user' in identity && identity.user === ctx.user)) {
    kc.setCurrentContext(context);
    return kc;
  }
  const user = 'user' in identity ? identity.user : `firebreak-token:${context}`;
  if ('token' in identity) kc.addUser({ name: user, token: identity.token });
  const name = `firebreak:${context}:${user}`;
  kc.addContext({ name, cluster: ctx.cluster, user, ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}) });
  kc.setCurrentContext(name);
  return kc;
}

export class ApiClient {
  readonly identity: string;
  readonly server: string;
  readonly #kc: KubeConfig;
  readonly #config: Configuration;
  readonly #options: ClientOptions;
  readonly #resources = new Map<string, Promise<ReadonlyMap<string, { readonly name: string; readonly namespaced: boolean }>>>();
  /** Requests sent (for the orchestrator's API share). */
  sent = 0;

  /** `server`: another address served with the cluster's CA and credentials (the twin's control endpoint). */
  constructor(kc: KubeConfig, identity: string, options: ClientOptions, server?: string) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig context names no cluster');
    this.#kc = kc;
    this.identity = identity;
    this.server = (server ?? cluster.server).replace(/\/+$/, '');
    this.#options = options;
    this.#config = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: kc } });
  }

  static fromKubeconfig(text: string, context: string, identity: ClientIdentity | undefined, options: ClientOptions): ApiClient {
    return new ApiClient(kubeConfigFor(text, context, identity), identity?.name ?? 'the context’s user', options);
  }

  /** One request; resolves with the answer (2xx), throws ApiException (other statuses) or the network error. */
  async request(method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT', path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    if (opts.unbudgeted !== true) await this.#options.bucket.take();
    const ctx = new RequestContext(this.server + path, HttpMethod[method]);
    for (const [k, v] of Object.entries(opts.query ?? {})) ctx.setQueryParam(k, v);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', 'firebreak');
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(opts.body));
    }
    await this.#kc.applySecurityAuthentication(ctx);
    const controller = new AbortController();
    ctx.setSignal(controller.signal);
    this.sent++;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new RequestTimeout(Math.round(this.#options.timeoutMs / 100) / 10));
      }, this.#options.timeoutMs);
    });
    try {
      const res = await Promise.race([this.#config.httpApi.send(ctx).toPromise(), deadline]);
      const text = await Promise.race([res.body.text(), deadline]);
      let body: unknown = text;
      try {
        body = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        body = text;
      }
      if (res.httpStatusCode >= 400) throw new ApiException<unknown>(res.httpStatusCode, `HTTP ${res.httpStatusCode}`, text, res.headers);
      return { status: res.httpStatusCode, body };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The resource of `kind` in `apiVersion` (discovery, cached); throws ApiException 404 for an unknown kind. */
  async resourceOf(apiVersion: string, kind: string): Promise<{ readonly name: string; readonly namespaced: boolean }> {
    let list = this.#resources.get(apiVersion);
    if (list === undefined) {
      list = this.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`).then((res) => {
        const out = new Map<string, { name: string; namespaced: boolean }>();
        const resources = (res.body as { resources?: { name?: unknown; kind?: unknown; namespaced?: unknown }[] } | null)?.resources ?? [];
        for (const r of resources) if (typeof r.name === 'string' && typeof r.kind === 'string' && !r.name.includes('/')) out.set(r.kind, { name: r.name, namespaced: r.namespaced === true });
        return out;
      });
      this.#resources.set(apiVersion, list);
      list.catch(() => this.#resources.delete(apiVersion));
    }
    const found = (await list).get(kind);
    if (found === undefined) throw new ApiException<string>(404, 'not found', JSON.stringify({ kind: 'Status', message: `the server has no ${kind} in ${apiVersion}` }), {});
    return found;
  }

  /** The path of an object (or of its collection, without a name). */
  async pathOf(ref: Omit<ObjectRef, 'name'> & { readonly name?: string }): Promise<string> {
    const resource = await this.resourceOf(ref.apiVersion, ref.kind);
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
    return `${base}${ns}/${resource.name}${ref.name !== undefined ? `/${encodeURIComponent(ref.name)}` : ''}`;
  }

  /**
   * Server-side apply of `object` with field manager `firebreak`, forcing
   * conflicts: the controller case of the Kubernetes docs ("Using Server-Side
   * Apply in a controller": controllers should force conflicts —
   * kubernetes.io/docs/reference/using-api/server-side-apply/).
   */
  async apply(object: Readonly<Record<string, unknown>> & ObjectRefBody): Promise<unknown> {
    const path = await this.pathOf({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}) });
    const res = await this.request('PATCH', path, { query: { fieldManager: 'firebreak', force: 'true' }, body: object, contentType: 'application/apply-patch+yaml' });
    return res.body;
  }

  /** The object, or undefined when it does not exist (404). */
  async read(ref: ObjectRef): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.request('GET', await this.pathOf(ref))).body as Record<string, unknown>;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Deletes the object with background propagation (its pods are garbage-collected); false when it was already gone. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.request('DELETE', await this.pathOf(ref), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
      return true;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return false;
      throw e;
    }
  }
}

/** The fields every manifest has (apiVersion, kind, metadata.name and namespace). */
export interface ObjectRefBody {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
}
