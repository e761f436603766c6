/**
 * The served twin's control endpoint (contract C of issue #11): HTTPS with
 * the same CA, any kubeconfig user's bearer token, and not an API server —
 * it stays up while a cluster's API refuses connections.
 *
 *   GET /twin/v1/clock                    { t, epochMs, speed, done }
 *   GET /twin/v1/clusters                 [{ name, nodes, pods, sizeClass }]
 *   GET /twin/v1/series?cluster&metric&from&to   { times, values }
 *   GET /twin/v1/levels?cluster           LevelSample[]
 *   GET /twin/v1/workload?cluster         ChangeWorkload | null
 *   GET /twin/v1/metrics?cluster          Prometheus text: the cluster's CoreDNS, kube-state-metrics and
 *                                         data-plane series (docs/metrics.md; contract F of issue #12)
 *
 * Unknown cluster or metric: 404 Status; no or unknown token: 401.
 *
 * @example
 *   const port = await startControl(twin, series, pki, tokens, speed, 0);
 */
import { createServer, type Server } from 'node:https';
import type { TwinApi } from '../../twin/index.ts';
import type { Pki } from './certs.ts';
import type { SeriesRings } from './series.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../../apiserver/exposition/prometheus-text.ts';

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export interface ControlOptions {
  readonly twin: TwinApi;
  readonly series: SeriesRings;
  readonly pki: Pki;
  readonly tokens: ReadonlySet<string>;
  readonly speed: number;
  /** Pods of a cluster now (the served API's count: the backend's). */
  readonly podsOf: (cluster: string) => number;
  /** The Prometheus text of a cluster's components (by index). */
  readonly metricsOf?: (index: number) => Promise<string>;
}

export function startControl(o: ControlOptions, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: o.pki.serverCertPem, key: o.pki.serverKeyPem }, (req, res) => {
    const send = (code: number, body: string): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (m === null || !o.tokens.has(m[1]?.trim() ?? '')) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (req.method !== 'GET') return send(405, status(405, 'MethodNotAllowed', 'the control endpoint answers GET only'));
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const q = url.searchParams;
    const cluster = q.get('cluster') ?? '';
    const index = o.twin.indexOf(cluster);
    const unknownCluster = (): void => send(404, status(404, 'NotFound', `cluster "${cluster}" not found`));
    switch (url.pathname) {
      case '/twin/v1/clock':
        return send(200, JSON.stringify({ t: o.twin.t, epochMs: o.twin.clock.now(), speed: o.speed, done: o.twin.done }));
      case '/twin/v1/clusters':
        return send(200, JSON.stringify(o.twin.clusters().map((c) => ({ name: c.name, nodes: c.nodes, pods: o.podsOf(c.name), sizeClass: c.sizeClass }))));
      case '/twin/v1/series': {
        if (index < 0) return unknownCluster();
        const metric = q.get('metric') ?? '';
        const from = Number(q.get('from') ?? '0');
        const to = Number(q.get('to') ?? String(Number.MAX_SAFE_INTEGER));
        const r = o.series.range(cluster, metric, Number.isFinite(from) ? from : 0, Number.isFinite(to) ? to : Number.MAX_SAFE_INTEGER);
        if (r === undefined) return send(404, status(404, 'NotFound', `metric "${metric}" not found`));
        return send(200, JSON.stringify(r));
      }
      case '/twin/v1/levels':
        if (index < 0) return unknownCluster();
        return send(200, JSON.stringify(o.twin.levelsAt(index)));
      case '/twin/v1/metrics': {
        if (index < 0) return unknownCluster();
        if (o.metricsOf === undefined) return send(404, status(404, 'NotFound', 'this twin serves no metrics'));
        o.metricsOf(index).then(
          (body) => {
            res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE });
            res.end(body);
          },
          (e: unknown) => send(500, status(500, 'InternalError', `metrics of cluster "${cluster}": ${e instanceof Error ? e.message : String(e)}`)),
        );
        return;
      }
      case '/twin/v1/workload':
        if (index < 0) return unknownCluster();
        return send(200, JSON.stringify(o.twin.changeWorkload(cluster) ?? null));
      default:
        return send(404, status(404, 'NotFound', `no such control path ${url.pathname}`));
    }
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a !== null ? a.port : port });
    });
  });
}
