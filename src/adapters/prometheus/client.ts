/**
 * A small client of Prometheus' HTTP API (prometheus/prometheus
 * docs/querying/api.md): range queries (`/api/v1/query_range`), instant
 * queries (`/api/v1/query`) and query validation, with plain `fetch`, a
 * deadline per request, and every failure turned into a `PromFailure` that
 * says which of three it is: Prometheus could not be reached
 * (`unreachable`), it did not answer in time (`timeout`), or it answered
 * with an error (`query-error`: its own `error` JSON, an HTTP status, an
 * HTML page or anything that is not its JSON envelope).
 *
 * Validation uses `/api/v1/format_query` (Prometheus ≥ 2.31, present in the
 * Debian 2.42 this project tests with; `/api/v1/parse_query` arrived only
 * in 2.45): it parses the query without running it and answers Prometheus'
 * own parse error (`bad_data`).
 *
 * @example
 *   const client = new PrometheusClient({ url: 'http://127.0.0.1:9090', timeoutMs: 10_000 });
 *   const matrix = await client.queryRange('up', fromS, toS, 15); // throws PromFailure
 */

export type PromFailureKind = 'unreachable' | 'timeout' | 'query-error';

export class PromFailure extends Error {
  readonly kind: PromFailureKind;
  constructor(kind: PromFailureKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PromFailure';
    this.kind = kind;
  }
}

/** One series of a matrix: its labels and [seconds, "value"] pairs. */
export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

/** One series of an instant vector. */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface PrometheusClientOptions {
  readonly url: string;
  readonly timeoutMs: number;
}

/** Longest error body quoted in a message. */
const QUOTE = 200;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class PrometheusClient {
  readonly url: string;
  readonly #timeoutMs: number;
  /** Requests sent (the benchmark counts queries per evaluation). */
  requests = 0;

  constructor(o: PrometheusClientOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.#timeoutMs = o.timeoutMs;
  }

  /** POSTs a form to `path` and returns the envelope's `data`; throws PromFailure. */
  async #call(path: string, form: Record<string, string>): Promise<unknown> {
    this.requests++;
    const where = `${this.url}${path}`;
    let response: Response;
    let text: string;
    try {
      // POST with a form body: long batched queries (1,000 clusters' regex) exceed URL limits (docs/querying/api.md allows POST for both).
      response = await fetch(where, { method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(this.#timeoutMs) });
      text = await response.text();
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') throw new PromFailure('timeout', `Prometheus at ${this.url} did not answer within ${this.#timeoutMs / 1000} s`, { cause: e });
      const cause = e instanceof Error && isRecord(e.cause) && typeof e.cause.code === 'string' ? e.cause.code : e instanceof Error ? e.message : String(e);
      throw new PromFailure('unreachable', `Prometheus at ${this.url} is unreachable (${cause})`, { cause: e });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const kind = /^\s*</.test(text) ? 'an HTML page' : 'a body that is not JSON';
      throw new PromFailure('query-error', `Prometheus at ${this.url} answered HTTP ${response.status} with ${kind}, not its API's JSON (is the URL the Prometheus server? ${JSON.stringify(text.slice(0, QUOTE))})`);
    }
    if (!isRecord(body) || (body.status !== 'success' && body.status !== 'error')) {
      throw new PromFailure('query-error', `Prometheus at ${this.url} answered HTTP ${response.status} with JSON that is not its API's envelope (no "status")`);
    }
    if (body.status === 'error' || !response.ok) {
      const type = typeof body.errorType === 'string' ? body.errorType : `HTTP ${response.status}`;
      const error = typeof body.error === 'string' ? body.error : 'no message';
      throw new PromFailure('query-error', `Prometheus refused the query (${type}): ${error}`);
    }
    return body.data;
  }

  /** A range query; the result must be a matrix. */
  async queryRange(query: string, startS: number, endS: number, stepS: number): Promise<MatrixSeries[]> {
    const data = await this.#call('/api/v1/query_range', { query, start: String(startS), end: String(endS), step: String(stepS), timeout: `${Math.ceil(this.#timeoutMs / 1000)}s` });
    if (!isRecord(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) throw new PromFailure('query-error', `Prometheus answered the range query with ${isRecord(data) ? String(data.resultType) : 'no data'}, not a matrix`);
    return data.result as MatrixSeries[];
  }

  /** An instant query at `timeS`; the result must be a vector. */
  async query(query: string, timeS: number): Promise<VectorSample[]> {
    const data = await this.#call('/api/v1/query', { query, time: String(timeS), timeout: `${Math.ceil(this.#timeoutMs / 1000)}s` });
    if (!isRecord(data) || data.resultType !== 'vector' || !Array.isArray(data.result)) throw new PromFailure('query-error', `Prometheus answered the query with ${isRecord(data) ? String(data.resultType) : 'no data'}, not an instant vector`);
    return data.result as VectorSample[];
  }

  /** Parses a query without running it; throws PromFailure (`query-error` with Prometheus' own message when malformed). */
  async validate(query: string): Promise<void> {
    await this.#call('/api/v1/format_query', { query });
  }
}
