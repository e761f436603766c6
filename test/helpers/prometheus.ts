/**
 * A real Prometheus for tests: data for the gates' default queries
 * (src/cli/prometheus-data.ts) loaded with the real `promtool tsdb
 * create-blocks-from openmetrics` into a temporary storage, then the real
 * `prometheus` started on 127.0.0.1 and a free port, ready at /-/ready, and
 * stopped (and its directory removed) by the test.
 *
 * @example
 *   const p = await prometheusWith([{ label: 'a', ...DEFAULT_SHAPE }]);
 *   p.url; // http://127.0.0.1:4xxxx
 *   await p.stop();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOpenMetrics, type ClusterShape } from '../../src/cli/prometheus-data.ts';
import { loadOpenMetrics, startPrometheus } from '../../src/cli/prometheus-process.ts';

export { freePort, startPrometheus } from '../../src/cli/prometheus-process.ts';

export interface TestPrometheus {
  readonly url: string;
  readonly dir: string;
  /** The newest sample's time (epoch s). */
  readonly nowS: number;
  stop(): Promise<void>;
}

/** Prometheus holding `spanS` seconds (default 20 min, up to now) of the clusters' series at `stepS` (default 15 s), under cluster label `label`. */
export async function prometheusWith(clusters: readonly ClusterShape[], o: { label?: string; spanS?: number; stepS?: number } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-'));
  const nowS = Math.floor(Date.now() / 1000);
  await loadOpenMetrics(dir, (out) => writeOpenMetrics(clusters, { label: o.label ?? 'cluster', fromS: nowS - (o.spanS ?? 1200), toS: nowS, stepS: o.stepS ?? 15 }, out));
  const prom = await startPrometheus({ dir });
  return {
    url: prom.url,
    dir,
    nowS,
    stop: async () => {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
