/**
 * The control endpoint of a served twin (`firebreak twin serve`, contracts
 * C): HTTPS with the same CA as the served clusters and the bearer token of
 * any kubeconfig user; not an API server, so it answers while a cluster's
 * API refuses connections. Read-only: the clock, the clusters, a cluster's
 * metric series and its APF levels now.
 *
 * Requests go through the same client as the clusters' (api-client.ts:
 * client-node's KubeConfig authenticates them), aimed at the control
 * address instead of the cluster's server; they spend no cluster budget.
 *
 * @example
 *   const control = TwinControl.fromKubeconfig(text, 'prod-a', 'https://127.0.0.1:4431');
 *   (await control.clock()).t; // simulated seconds since the start
 */
import { ApiClient, kubeConfigFor } from '../kubernetes/api-client.ts';
import { TokenBucket, type LiveTime } from '../kubernetes/budget.ts';

export interface TwinClock {
  /** Simulated seconds since the start. */
  readonly t: number;
  /** Virtual epoch ms now. */
  readonly epochMs: number;
  /** Simulated seconds per wall second. */
  readonly speed: number;
  /** The scenario has ended. */
  readonly done: boolean;
}

export interface TwinCluster {
  readonly name: string;
  readonly nodes: number;
  readonly pods: number;
  readonly sizeClass: string;
}

export interface TwinLevel {
  readonly level: string;
  readonly seats: number;
  readonly inUse: number;
  readonly queued: number;
  readonly rejectedPerS: number;
}

/** Control requests are not the cluster's: an effectively unlimited bucket, in wall time. */
const WALL: LiveTime = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`the twin's control endpoint sent no number for ${what}`);
  return v;
}

export class TwinControl {
  readonly url: string;
  readonly #api: ApiClient;

  constructor(api: ApiClient, url: string) {
    this.#api = api;
    this.url = url;
  }

  /** A client of `control` authenticated as the context's user of the kubeconfig `text`. */
  static fromKubeconfig(text: string, context: string, control: string, timeoutMs = 30_000): TwinControl {
    const kc = kubeConfigFor(text, context, undefined);
    const api = new ApiClient(kc, 'the twin control client', { bucket: new TokenBucket({ qps: 1e6, burst: 1e6 }, WALL), timeoutMs }, control);
    return new TwinControl(api, control);
  }

  async #get(path: string, query: Record<string, string> = {}): Promise<unknown> {
    return (await this.#api.request('GET', path, { query })).body;
  }

  async clock(): Promise<TwinClock> {
    const body = (await this.#get('/twin/v1/clock')) as Record<string, unknown> | null;
    return { t: num(body?.t, 'the clock’s t'), epochMs: num(body?.epochMs, 'the clock’s epochMs'), speed: num(body?.speed, 'the clock’s speed'), done: body?.done === true };
  }

  async clusters(): Promise<TwinCluster[]> {
    const body = await this.#get('/twin/v1/clusters');
    if (!Array.isArray(body)) throw new Error('the twin’s control endpoint sent no cluster list');
    return body.map((c: Record<string, unknown>) => ({ name: String(c.name), nodes: num(c.nodes, 'nodes'), pods: num(c.pods, 'pods'), sizeClass: String(c.sizeClass) }));
  }

  /** Samples of one metric of one cluster in [fromMs, toMs]. */
  async series(cluster: string, metric: string, fromMs: number, toMs: number): Promise<{ times: number[]; values: number[] }> {
    const body = (await this.#get('/twin/v1/series', { cluster, metric, from: String(Math.floor(fromMs)), to: String(Math.ceil(toMs)) })) as { times?: unknown; values?: unknown } | null;
    const times = Array.isArray(body?.times) ? (body.times as unknown[]) : [];
    const values = Array.isArray(body?.values) ? (body.values as unknown[]) : [];
    const n = Math.min(times.length, values.length);
    const out = { times: [] as number[], values: [] as number[] };
    for (let i = 0; i < n; i++) {
      const t = times[i];
      const v = values[i];
      if (typeof t === 'number' && typeof v === 'number' && Number.isFinite(v)) {
        out.times.push(t);
        out.values.push(v);
      }
    }
    return out;
  }

  async levels(cluster: string): Promise<TwinLevel[]> {
    const body = await this.#get('/twin/v1/levels', { cluster });
    if (!Array.isArray(body)) throw new Error(`the twin’s control endpoint sent no levels for ${cluster}`);
    // An unlimited level (exempt) has infinite seats, which JSON writes as null.
    return body.map((l: Record<string, unknown>) => ({ level: String(l.level), seats: l.seats === null ? Number.POSITIVE_INFINITY : num(l.seats, 'seats'), inUse: num(l.inUse, 'inUse'), queued: num(l.queued ?? 0, 'queued'), rejectedPerS: num(l.rejectedPerS ?? 0, 'rejectedPerS') }));
  }
}
