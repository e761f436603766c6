/**
 * A real Prometheus for the tests (the Debian package's /usr/bin/prometheus,
 * started by src/cli/prometheus-process.ts as the benchmark starts it): on
 * 127.0.0.1 and a free port, its storage in a temporary directory, ready at
 * /-/ready, stopped (and its directory removed) by the test. Three ways in:
 * - `startPrometheus({ config })`: scraping with a given config (e.g. `twin serve --prometheus-config`'s);
 * - `startPrometheus({ storage })` after `promtool(['tsdb', 'create-blocks-from', 'openmetrics', …])`: a loaded history;
 * - `prometheusWith(shapes)`: synthetic data for the gates' default queries (src/cli/prometheus-data.ts), loaded with promtool.
 * And a small instant-query client, and the real `promtool`.
 *
 * @example
 *   const p = await startPrometheus({ config: join(twin.dir, 'prometheus.yml') });
 *   await p.query('up'); // [{ labels: { job: 'apiserver', cluster: 'a', … }, value: 1 }, …]
 *   await p.stop();
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOpenMetrics, type ClusterShape } from '../../src/cli/prometheus-data.ts';
import { loadOpenMetrics, startPrometheus as startProcess, type RunningPrometheus } from '../../src/cli/prometheus-process.ts';

export { freePort } from '../../src/cli/prometheus-process.ts';

export interface TestPrometheus {
  readonly url: string;
  readonly dir: string;
  /** The Prometheus process (a test may kill it mid-run). */
  readonly process: RunningPrometheus['process'];
  /** For `prometheusWith`: the newest sample's time (epoch s); else the start time. */
  readonly nowS: number;
  /** The tail of Prometheus' log. */
  output(): string;
  /** An instant query at `time` (epoch seconds; default now): the vector's [labels, value] pairs. */
  query(expr: string, time?: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

/** The real promtool; never throws (status and output returned). */
export function promtool(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function wrap(prom: RunningPrometheus, nowS: number): TestPrometheus {
  return {
    url: prom.url,
    dir: prom.dir,
    process: prom.process,
    nowS,
    output: () => prom.output(),
    async query(expr, time) {
      const q = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
      const r = await fetch(`${prom.url}/api/v1/query?${q.toString()}`);
      const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr}: ${body.error ?? r.status}`);
      if (body.data.resultType !== 'vector') throw new Error(`query ${expr}: a ${body.data.resultType}, not a vector`);
      return body.data.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
    },
    async stop() {
      await prom.stop();
      rmSync(prom.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts Prometheus in a new temporary directory. `config`: a config file to use (default: one with no
 * scrape jobs); `storage`: a TSDB directory (default: in the temporary directory); `retention`: e.g. `100y`
 * for blocks of a simulated past.
 */
export async function startPrometheus(o: { config?: string; storage?: string; retention?: string } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-'));
  try {
    const prom = await startProcess({ dir, ...(o.config !== undefined ? { config: o.config } : {}), ...(o.storage !== undefined ? { storage: o.storage } : {}), ...(o.retention !== undefined ? { retention: o.retention } : {}) });
    return wrap(prom, Math.floor(Date.now() / 1000));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Prometheus holding `spanS` seconds (default 20 min, up to now) of the clusters' series at `stepS` (default 15 s), under cluster label `label`. */
export async function prometheusWith(clusters: readonly ClusterShape[], o: { label?: string; spanS?: number; stepS?: number } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-'));
  const nowS = Math.floor(Date.now() / 1000);
  await loadOpenMetrics(dir, (out) => writeOpenMetrics(clusters, { label: o.label ?? 'cluster', fromS: nowS - (o.spanS ?? 1200), toS: nowS, stepS: o.stepS ?? 15 }, out));
  return wrap(await startProcess({ dir }), nowS);
}
