/**
 * What went wrong with one request to a cluster's API, in words a person can
 * act on, from what @kubernetes/client-node throws: an `ApiException` (the
 * server answered with an HTTP status and usually a `Status` object), a
 * network error from undici's fetch (`fetch failed` with the system error as
 * `cause`: connection refused, no route, DNS, TLS), or the request's own
 * deadline. Never a stack trace: the orchestrator records `reason` in its
 * log, and the CLI prints it.
 *
 * Kinds: `unreachable` (no connection: the API server is down or refuses
 * connections), `unauthorized` (401: the credentials are expired or wrong),
 * `forbidden` (403: the identity lacks RBAC for the request), `not-found`,
 * `conflict` (409, e.g. a server-side apply conflict), `throttled` (429,
 * with the server's Retry-After — APF rejected the request), `timeout` (the
 * request's deadline, or 504), `server` (other 5xx). Only throttled, timeout,
 * unreachable and server failures are worth retrying.
 *
 * @example
 *   failureOf(e, 'firebreak', 'patch nodes/prod-a-node-00001'); // { kind: 'forbidden', reason: '403 Forbidden: firebreak may not patch nodes/… (RBAC): …', … }
 */

export type FailureKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'throttled' | 'timeout' | 'server' | 'invalid' | 'other';

export interface Failure {
  readonly kind: FailureKind;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  readonly reason: string;
  readonly retryAfterS?: number;
  readonly retryable: boolean;
}

/** A request that passed its deadline (thrown by the adapter's own timer). */
export class RequestTimeout extends Error {
  readonly code = 'FB_REQUEST_TIMEOUT';
  constructor(seconds: number) {
    super(`no answer within ${seconds} s`);
    this.name = 'RequestTimeout';
  }
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

/** The message of a Kubernetes `Status` in an ApiException's body (a string of JSON, or the object). */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 300);
    }
  }
  const message = field(value, 'message');
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** Retry-After in seconds from response headers (an integer of seconds, as kube-apiserver sends it). */
export function retryAfterOf(headers: unknown): number | undefined {
  const raw = field(headers, 'retry-after') ?? field(headers, 'Retry-After');
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const s = Number(raw);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'name not found (DNS)',
  EAI_AGAIN: 'name lookup failed (DNS)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is not trusted (self-signed)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name this host',
};

/** The system error code somewhere in an error's cause chain. */
function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur !== undefined && cur !== null; depth++) {
    const code = field(cur, 'code');
    if (typeof code === 'string' && code in NETWORK_CODES) return code;
    cur = field(cur, 'cause');
  }
  return undefined;
}

/** `e` (thrown by a client-node call made as `who`, doing `what`) as a Failure. */
export function failureOf(e: unknown, who: string, what: string): Failure {
  if (e instanceof RequestTimeout) return { kind: 'timeout', reason: `timeout: ${what} as ${who}: ${e.message}`, retryable: true };
  const status = field(e, 'code');
  if (typeof status === 'number' && status >= 100 && status < 600) {
    const message = statusMessage(field(e, 'body'));
    const said = message !== undefined ? `: ${message}` : '';
    switch (true) {
      case status === 401:
        return { kind: 'unauthorized', status, reason: `401 Unauthorized: the credentials of ${who} were refused (expired or wrong); renew them in the kubeconfig${said}`, retryable: false };
      case status === 403:
        return { kind: 'forbidden', status, reason: `403 Forbidden: ${who} may not ${what} (missing RBAC)${said}`, retryable: false };
      case status === 404:
        return { kind: 'not-found', status, reason: `404 Not Found: ${what}${said}`, retryable: false };
      case status === 409:
        return { kind: 'conflict', status, reason: `409 Conflict: ${what}${said}`, retryable: false };
      case status === 422 || status === 400 || status === 415:
        return { kind: 'invalid', status, reason: `${status} ${status === 422 ? 'Unprocessable Entity' : 'Bad Request'}: ${what}${said}`, retryable: false };
      case status === 429: {
        const retryAfterS = retryAfterOf(field(e, 'headers'));
        return { kind: 'throttled', status, reason: `429 Too Many Requests: ${what}${retryAfterS !== undefined ? ` (Retry-After ${retryAfterS} s)` : ''}${said}`, ...(retryAfterS !== undefined ? { retryAfterS } : {}), retryable: true };
      }
      case status === 504:
        return { kind: 'timeout', status, reason: `504 Gateway Timeout: ${what}${said}`, retryable: true };
      case status >= 500:
        return { kind: 'server', status, reason: `${status} server error: ${what}${said}`, retryable: true };
      default:
        return { kind: 'other', status, reason: `${status}: ${what}${said}`, retryable: false };
    }
  }
  const code = networkCode(e);
  if (code !== undefined) {
    const tls = code.includes('CERT') || code.includes('SIGNATURE');
    return { kind: 'unreachable', reason: `unreachable: ${what}: ${NETWORK_CODES[code] ?? code} (${code})`, retryable: !tls };
  }
  const message = e instanceof Error ? e.message : String(e);
  if (field(e, 'name') === 'AbortError' || field(e, 'name') === 'TimeoutError') return { kind: 'timeout', reason: `timeout: ${what}: ${message}`, retryable: true };
  if (message === 'fetch failed' || field(e, 'name') === 'FetchError') return { kind: 'unreachable', reason: `unreachable: ${what}: ${message}`, retryable: true };
  return { kind: 'other', reason: `${what}: ${message.split('\n')[0] ?? message}`, retryable: false };
}
