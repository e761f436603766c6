/**
 * A request to the served API and its answer, as the machinery sees them —
 * no sockets: the shell's HTTPS server turns an HTTP request into an
 * `ApiRequest` and writes the `ApiResult` back (waiting `delayS` simulated
 * seconds first, closing the listener for `refuse`, answering 504 after
 * `afterS` for `timeout`, streaming a watch's events).
 *
 * Large bodies (a LIST of 200,000 generated pods) are produced in chunks
 * (`Iterable<string>`), so that the server never holds them whole.
 *
 * @example
 *   const r = api.handle({ method: 'GET', path: '/api/v1/nodes', query: new URLSearchParams('limit=500'), accept: 'application/json', contentType: '', userAgent: 'kubectl/v1.31.4', token, body: '' }, nowMs);
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from './backend.ts';
import type { WatchEventType } from './store.ts';
import { badRequest, type StatusError } from './status.ts';

export interface ApiRequest {
  readonly method: string;
  /** The path without the query (`/apis/apps/v1/namespaces/default/daemonsets`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly accept: string;
  readonly contentType: string;
  readonly userAgent: string;
  /** The bearer token (undefined: none sent). */
  readonly token: string | undefined;
  readonly body: string;
  /** host:port the client reached (discovery's serverAddressByClientCIDRs). */
  readonly host?: string;
}

export interface ResponseResult {
  readonly kind: 'response';
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A Promise: the body is made asynchronously (the Prometheus text of `/metrics`, written by prom-client). */
  readonly body: string | Iterable<string> | Promise<string>;
  /** Simulated seconds to wait before answering (the cluster's latency). */
  readonly delayS: number;
}

/** An open watch: events already due (`initial`), then live ones once attached. */
export interface WatchStream {
  readonly contentType: string;
  readonly initial: Iterable<string>;
  /** Starts delivering live events (buffered since the request) to `send`. */
  attach(send: (line: string) => void): void;
  close(): void;
}

export type ApiResult =
  | ResponseResult
  | { readonly kind: 'watch'; readonly status: 200; readonly delayS: number; readonly timeoutS: number | undefined; readonly stream: WatchStream }
  /** No API server ready: close the listener (connection refused). */
  | { readonly kind: 'refuse'; readonly reason: string }
  /** No answer before the deadline: 504 after `afterS` simulated seconds. */
  | { readonly kind: 'timeout'; readonly afterS: number; readonly body: string };

export function respond(status: number, body: unknown, delayS = 0, headers: Readonly<Record<string, string>> = {}, contentType = 'application/json'): ResponseResult {
  return { kind: 'response', status, contentType, headers, body: typeof body === 'string' ? body : JSON.stringify(body), delayS };
}

export function respondError(e: StatusError, delayS = 0): ResponseResult {
  return respond(e.code, e.body, delayS, e.headers ?? {});
}

export function watchLine(type: WatchEventType, object: KubeObject): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/** Parses a request body as JSON or YAML (kubectl and client-node send JSON; `apply-patch+yaml` may be YAML). */
export function parseBody(body: string, contentType: string): unknown {
  if (body.trim() === '') throw new BodyError(badRequest('the request body is empty'));
  const yaml = contentType.includes('yaml');
  try {
    return yaml ? (parseYaml(body) as unknown) : (JSON.parse(body) as unknown);
  } catch (e) {
    try {
      return parseYaml(body) as unknown;
    } catch {
      throw new BodyError(badRequest(`the body of the request could not be decoded: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
}

/** A request that cannot be served as sent: answered with its Status. */
export class BodyError extends Error {
  readonly status: StatusError;
  constructor(status: StatusError) {
    super(String(status.body['message']));
    this.status = status;
  }
}
