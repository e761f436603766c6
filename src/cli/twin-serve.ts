/**
 * `firebreak twin serve <scenario.yaml> [--speed N] [--port P] [--kubeconfig out] [--seed S]
 * [--prometheus-config out.yml [--scrape-interval 1s]]`:
 * checks its inputs (the scenario, the output path, the ports) before
 * anything is served — a bad one exits 2 — then serves the twin's clusters
 * (src/shell/serve/serve.ts) until SIGINT or SIGTERM, and exits 0.
 * Progress and the endpoints go to stderr.
 */
import { UsageError } from '../core/errors.ts';
import { readStdinFor, scenarioFrom } from './inputs.ts';
import { checkOutputFile } from './output.ts';

export interface TwinServeOptions {
  readonly seed: number;
  readonly speed: number;
  readonly port: number;
  readonly kubeconfig: string;
  /** Write a Prometheus config scraping every cluster (docs/metrics.md). */
  readonly prometheusConfig?: string;
  readonly scrapeInterval?: number;
}

export async function twinServe(file: string, opts: TwinServeOptions): Promise<void> {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed)) throw new UsageError(`--speed must be a positive number of simulated seconds per wall second, got ${opts.speed}`);
  checkOutputFile(opts.kubeconfig, '--kubeconfig');
  if (opts.prometheusConfig !== undefined) checkOutputFile(opts.prometheusConfig, '--prometheus-config');
  const stdin = await readStdinFor([['<scenario>', file]]);
  const scenario = scenarioFrom(file, stdin);
  const clusters = scenario.clusters.length;
  if (opts.port !== 0 && opts.port + clusters > 65535) throw new UsageError(`--port ${opts.port}: the ${clusters} cluster(s) and the control endpoint need ports ${opts.port}..${opts.port + clusters}, beyond 65535; choose a lower first port or 0 (any free port)`);
  const { serveTwin } = await import('../shell/serve/serve.ts');
  const log = (line: string): void => {
    process.stderr.write(`firebreak twin serve: ${line}\n`);
  };
  let served;
  try {
    served = await serveTwin(scenario, {
      seed: opts.seed,
      speed: opts.speed,
      port: opts.port,
      kubeconfig: opts.kubeconfig,
      log,
      ...(opts.prometheusConfig !== undefined ? { prometheusConfig: opts.prometheusConfig, scrapeIntervalS: opts.scrapeInterval ?? 15 } : {}),
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new UsageError(`--port ${opts.port}: ${code === 'EADDRINUSE' ? 'a port of the range is in use' : 'not allowed to listen on a port of the range'} (${e instanceof Error ? e.message : String(e)}); choose another first port or 0`);
    throw e;
  }
  const s = served;
  await new Promise<void>((resolve) => {
    const done = (signal: string): void => {
      log(`${signal}: stopping`);
      void s.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}
