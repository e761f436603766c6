/**
 * One served cluster's HTTPS listener on 127.0.0.1: HTTP in, the API
 * machinery's answer out (src/apiserver/api.ts), in wall-clock time. A served
 * answer waits the cluster's latency / speed; a timeout answers 504 after the
 * deadline / speed; `refuse` closes the listener (connection refused, open
 * connections reset, watches ended, as when the last API server behind the
 * load balancer goes) until `accept()` opens it again on the same port; a
 * watch stays open, fed by the store, until the client goes, its
 * `timeoutSeconds` passes, or the listener closes. Large bodies are written
 * in chunks, respecting back-pressure.
 *
 * @example
 *   const l = new ClusterListener(api, pki, { speed: 10, now: () => twin.clock.now(), onRefuse: () => l.refuse() });
 *   const port = await l.listen(0);
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoint, KubeApi } from '../../apiserver/api.ts';
import type { ApiRequest, ApiResult } from '../../apiserver/request.ts';
import type { Pki } from './certs.ts';

export interface ListenerOptions {
  /** Simulated seconds per wall second. */
  readonly speed: number;
  /** The cluster's virtual time, epoch ms. */
  readonly now: () => number;
  readonly log: (line: string) => void;
  /**
   * The endpoint this listener is (default `main`): `break-glass` is the cluster's dedicated
   * break-glass API server (KubeApi.handle's endpoint); it never closes for the ordinary replicas'
   * state, and a request it does not serve has its connection reset.
   */
  readonly endpoint?: Endpoint;
}

const MAX_BODY = 16 * 1024 * 1024;

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function writeChunks(res: ServerResponse, body: Iterable<string>): Promise<void> {
  for (const chunk of body) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', () => r()).once('close', () => r()));
  }
}

export class ClusterListener {
  readonly api: KubeApi;
  readonly #pki: Pki;
  readonly #opts: ListenerOptions;
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #watches = new Set<() => void>();
  #open = false;

  constructor(api: KubeApi, pki: Pki, opts: ListenerOptions) {
    this.api = api;
    this.#pki = pki;
    this.#opts = opts;
  }

  get port(): number {
    return this.#port;
  }

  /** The cluster's name, with `-breakglass` for its break-glass endpoint (for logs). */
  get #name(): string {
    return this.#opts.endpoint === 'break-glass' ? `${this.api.backend.name}-breakglass` : this.api.backend.name;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Starts listening (port 0: any free port); resolves to the port. */
  listen(port: number): Promise<number> {
    const server = createServer({ cert: this.#pki.serverCertPem, key: this.#pki.serverKeyPem }, (req, res) => {
      this.#serve(req, res).catch((e: unknown) => {
        this.#opts.log(`${this.api.backend.name}: internal error answering ${req.method ?? ''} ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'internal error', reason: 'InternalError', code: 500 }));
        } else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    server.on('secureConnection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('tlsClientError', () => undefined);
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const addr = server.address();
        this.#port = typeof addr === 'object' && addr !== null ? addr.port : port;
        this.#open = true;
        resolve(this.#port);
      });
    });
  }

  /** Connection refused from now on: the listener closes, open connections and watches end. */
  refuse(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#server?.close();
    for (const stop of this.#watches) stop();
    for (const s of this.#sockets) s.destroy();
    this.#opts.log(`${this.#name}: API server not ready — refusing connections on port ${this.#port}`);
  }

  /** Listens again on the same port. */
  async accept(): Promise<void> {
    if (this.#open) return;
    await this.listen(this.#port);
    this.#opts.log(`${this.#name}: API server ready again — accepting connections on port ${this.#port}`);
  }

  async close(): Promise<void> {
    this.refuse();
    await new Promise<void>((r) => (this.#server?.listening === true ? this.#server.close(() => r()) : r()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 16 MiB', reason: 'RequestEntityTooLarge', code: 413 }));
      return;
    }
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      accept: req.headers.accept ?? 'application/json',
      contentType: req.headers['content-type'] ?? '',
      userAgent: req.headers['user-agent'] ?? '',
      token: m?.[1]?.trim(),
      body,
      host: req.headers.host ?? `127.0.0.1:${this.#port}`,
    };
    const endpoint = this.#opts.endpoint ?? 'main';
    const result: ApiResult = this.api.handle(request, this.#opts.now(), endpoint);
    const wallMs = (simS: number): number => (simS * 1000) / this.#opts.speed;
    switch (result.kind) {
      case 'refuse':
        // This connection is refused (reset); the listener closes only when no API server is ready at all.
        req.socket.destroy();
        if (endpoint === 'main' && !this.api.backend.accepting()) this.refuse();
        return;
      case 'timeout':
        await sleep(wallMs(result.afterS));
        if (res.destroyed) return;
        res.writeHead(504, { 'Content-Type': 'application/json' });
        res.end(result.body);
        return;
      case 'response': {
        // An asynchronous body (/metrics) is made at the request's instant, written after its latency.
        const made = result.body instanceof Promise ? await result.body : result.body;
        await sleep(wallMs(result.delayS));
        if (res.destroyed) return;
        res.writeHead(result.status, { 'Content-Type': result.contentType, 'Cache-Control': 'no-cache, private', ...result.headers });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        if (typeof made === 'string') res.end(made);
        else {
          await writeChunks(res, made);
          res.end();
        }
        return;
      }
      case 'watch': {
        const stream = result.stream;
        await sleep(wallMs(result.delayS));
        if (res.destroyed) {
          stream.close();
          return;
        }
        res.writeHead(200, { 'Content-Type': stream.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        let ended = false;
        const stop = (): void => {
          if (ended) return;
          ended = true;
          stream.close();
          this.#watches.delete(stop);
          if (!res.destroyed) res.end();
        };
        this.#watches.add(stop);
        res.on('close', stop);
        await writeChunks(res, stream.initial);
        if (ended) return;
        stream.attach((line) => {
          if (!ended && !res.destroyed) res.write(line);
        });
        if (result.timeoutS !== undefined && result.timeoutS > 0) setTimeout(stop, result.timeoutS * 1000).unref();
        return;
      }
    }
  }
}
