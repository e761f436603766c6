/**
 * `firebreak twin serve`: the twin in wall-clock time behind one Kubernetes
 * API endpoint per simulated cluster. Builds the twin, a backend and an API
 * machinery per cluster, the PKI and identities, the listeners (127.0.0.1;
 * `port` 0: free ports, else clusters on port, port+1, … and the control
 * endpoint after them, then the dedicated break-glass API servers of the
 * clusters whose scenario models one), writes the kubeconfig, then drives the twin: every
 * 50 ms it steps until the simulated time reaches wall-clock × speed (no
 * drift: the target is computed from the start, not accumulated), records
 * the metrics, refreshes the served workloads' status and opens or closes
 * each listener as its API server is ready or not. Runs until SIGINT/SIGTERM;
 * after the scenario's end it keeps serving the final state.
 *
 * @example
 *   const served = await serveTwin(scenario, { seed: 1, speed: 10, port: 0, kubeconfig: 'out/twin.kubeconfig', log });
 *   await served.stop();
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:https';
import { KubeApi } from '../../apiserver/api.ts';
import type { ClusterBackend } from '../../apiserver/backend.ts';
import { TwinBackend } from '../../apiserver/twin-backend.ts';
import { Twin, type Scenario, type TwinApi } from '../../twin/index.ts';
import { makePki } from './certs.ts';
import { startControl } from './control.ts';
import { makeIdentities, type Identity } from './identities.ts';
import { kubeconfigText, writeKubeconfig } from './kubeconfig.ts';
import { ClusterListener } from './listener.ts';
import { SeriesRings } from './series.ts';
import { KillSwitchPoller } from './killswitch-poller.ts';
import { ClusterMetrics } from '../../apiserver/exposition/cluster-metrics.ts';
import { prometheusText } from '../../apiserver/exposition/prometheus-text.ts';
import { writePrometheusConfig } from './prometheus-config.ts';

export interface ServeOptions {
  readonly seed: number;
  readonly speed: number;
  readonly port: number;
  readonly kubeconfig: string;
  readonly log: (line: string) => void;
  /** Writes a Prometheus config scraping every cluster here (docs/metrics.md), with the CA and token files beside it. */
  readonly prometheusConfig?: string;
  /** Scrape interval of that config, seconds (default 15). */
  readonly scrapeIntervalS?: number;
  /** Builds a cluster's backend (default: TwinBackend, src/apiserver/twin-backend.ts). */
  readonly backend?: (twin: TwinApi, index: number) => ClusterBackend;
}

export interface Served {
  readonly twin: TwinApi;
  readonly listeners: readonly ClusterListener[];
  /** The dedicated break-glass API servers' listeners (clusters whose scenario models one), in cluster order. */
  readonly breakGlassListeners: readonly ClusterListener[];
  readonly controlPort: number;
  readonly identities: readonly Identity[];
  stop(): Promise<void>;
}

const TICK_MS = 50;

export async function serveTwin(scenario: Scenario, opts: ServeOptions): Promise<Served> {
  const twin = new Twin(scenario, { seed: opts.seed });
  const startMs = twin.clock.now();
  const pki = await makePki(Date.now());
  const identities = makeIdentities();
  const tokens = new Map(identities.map((i) => [i.token, i.info]));
  const mintToken = (): string => randomBytes(32).toString('base64url');
  const makeBackend = opts.backend ?? ((t: TwinApi, index: number) => new TwinBackend(t, index));
  const listeners: ClusterListener[] = [];
  const clusters = twin.clusters();
  // Each cluster's Prometheus exposition, accumulated after every step (src/apiserver/exposition/).
  const exposition = clusters.map((_, index) => new ClusterMetrics(twin, index));
  for (let index = 0; index < clusters.length; index++) {
    const m = exposition[index] as ClusterMetrics;
    const api = new KubeApi({ backend: makeBackend(twin, index), tokens, startMs: startMs - 86_400_000, mintToken, metrics: () => prometheusText(m.apiserver()) });
    listeners.push(new ClusterListener(api, pki, { speed: opts.speed, now: () => twin.clock.now(), log: opts.log }));
  }
  // A dedicated break-glass API server per cluster when the scenario models one: the same objects, its own endpoint.
  const breakGlass: ClusterListener[] = listeners
    .filter((l) => l.api.backend.hasBreakGlassEndpoint?.() === true)
    .map((l) => new ClusterListener(l.api, pki, { speed: opts.speed, now: () => twin.clock.now(), log: opts.log, endpoint: 'break-glass' }));
  let control: Server | undefined;
  try {
    for (let i = 0; i < listeners.length; i++) await listeners[i]?.listen(opts.port === 0 ? 0 : opts.port + i);
    // Ports: the clusters', the control endpoint's, then the break-glass servers'.
    for (let i = 0; i < breakGlass.length; i++) await breakGlass[i]?.listen(opts.port === 0 ? 0 : opts.port + listeners.length + 1 + i);
    const series = new SeriesRings(twin);
    series.record();
    const podsOf = (name: string): number => listeners.find((l) => l.api.backend.name === name)?.api.backend.podCount() ?? 0;
    const metricsOf = (index: number): Promise<string> => prometheusText(exposition[index]?.components() ?? []);
    const ctl = await startControl({ twin, series, pki, tokens: new Set(tokens.keys()), speed: opts.speed, podsOf, metricsOf }, opts.port === 0 ? 0 : opts.port + listeners.length);
    control = ctl.server;
    const breakGlassPort = (l: ClusterListener): number | undefined => breakGlass.find((b) => b.api === l.api)?.port;
    writeKubeconfig(opts.kubeconfig, kubeconfigText({ clusters: listeners.map((l) => {
          const bg = breakGlassPort(l);
          return { name: l.api.backend.name, port: l.port, ...(bg === undefined ? {} : { breakGlassPort: bg }) };
        }), caPem: pki.caPem, identities, controlUrl: `https://127.0.0.1:${ctl.port}` }));
    if (opts.prometheusConfig !== undefined) {
      const scraper = identities.find((i) => i.user === 'firebreak') ?? identities[0];
      const written = writePrometheusConfig(opts.prometheusConfig, { clusters: listeners.map((l) => ({ name: l.api.backend.name, port: l.port })), controlPort: ctl.port, caPem: pki.caPem, token: scraper?.token ?? '', scrapeIntervalS: opts.scrapeIntervalS ?? 15 });
      opts.log(`prometheus config: ${written.config} (CA ${written.caFile}, token ${written.tokenFile})`);
    }
    for (const l of listeners) opts.log(`${l.api.backend.name}: https://127.0.0.1:${l.port} (${l.api.backend.nodeCount()} nodes)${breakGlassPort(l) === undefined ? '' : `; break-glass API server https://127.0.0.1:${String(breakGlassPort(l))}`}`);
    opts.log(`control: https://127.0.0.1:${ctl.port}; kubeconfig: ${opts.kubeconfig}; speed ${opts.speed}× — ready`);

    const backends = listeners.map((l) => l.api.backend);
    const poller = new KillSwitchPoller({ twin, speed: opts.speed, guarded: () => backends.flatMap((b) => (b instanceof TwinBackend ? b.guardedChanges() : [])), log: opts.log });
    const wallStart = performance.now();
    let stepping = false;
    let announcedDone = false;
    const timer = setInterval(() => {
      if (stepping) return;
      stepping = true;
      try {
        const target = ((performance.now() - wallStart) / 1000) * opts.speed;
        let stepped = false;
        while (!twin.done && twin.t < target) {
          twin.step();
          series.record();
          for (const m of exposition) m.accumulate();
          stepped = true;
        }
        if (stepped) {
          for (const l of listeners) {
            l.api.tick();
            if (l.api.backend.accepting()) void l.accept().catch((e: unknown) => opts.log(`${l.api.backend.name}: cannot listen again: ${e instanceof Error ? e.message : String(e)}`));
            else l.refuse();
          }
        }
        poller.tick();
        if (twin.done && !announcedDone) {
          announcedDone = true;
          opts.log(`the scenario's ${twin.t} s are over; serving its final state`);
        }
      } finally {
        stepping = false;
      }
    }, TICK_MS);
    return {
      twin,
      listeners,
      breakGlassListeners: breakGlass,
      controlPort: ctl.port,
      identities,
      async stop() {
        clearInterval(timer);
        await Promise.all([...listeners, ...breakGlass].map((l) => l.close()));
        await new Promise<void>((r) => ctl.server.close(() => r()));
      },
    };
  } catch (e) {
    await Promise.all([...listeners, ...breakGlass].map((l) => l.close()));
    control?.close();
    throw e;
  }
}
