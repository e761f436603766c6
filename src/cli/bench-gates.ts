/**
 * `firebreak bench gates [--clusters 1000] [--rounds 5] [--json]`: gate
 * evaluation against a real Prometheus for a wave of `--clusters` clusters
 * (issue #12's benchmark). Loads every cluster's contract-F series
 * (src/cli/prometheus-data.ts; 6 minutes at 15 s) with the real promtool,
 * starts the real Prometheus on 127.0.0.1 (src/cli/prometheus-process.ts),
 * and times one evaluation's queries as the shell sends them
 * (src/shell/runner.ts: the critical gates' series, then the others', each a
 * `MetricSource.query` for all clusters): the number of range queries per
 * evaluation (one per gate metric, the per-level gate included — never one
 * per cluster) and the wall time per evaluation (median of `--rounds`,
 * after one warm-up). A shell: it reads the wall clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrometheusClient } from '../adapters/prometheus/client.ts';
import { PrometheusMetricSource } from '../adapters/prometheus/metric-source.ts';
import { DEFAULT_QUERIES } from '../adapters/prometheus/queries.ts';
import { roundDecimals } from '../core/number.ts';
import { gateCatalogue } from '../orchestrator/gate-catalogue.ts';
import { seriesName } from '../orchestrator/ports.ts';
import { DEFAULT_SHAPE, writeOpenMetrics } from './prometheus-data.ts';
import { loadOpenMetrics, startPrometheus } from './prometheus-process.ts';

export interface GatesBenchResult {
  readonly clusters: number;
  readonly rounds: number;
  /** Range queries one evaluation sends (all clusters of the wave at once). */
  readonly queriesPerEvaluation: number;
  /** Gate series judged per cluster (per-level ones expanded). */
  readonly seriesPerCluster: number;
  readonly evaluationMedianS: number;
  readonly evaluationMaxS: number;
  /** Cluster × series without a usable sample (0: every query returned every cluster's data). */
  readonly seriesWithoutData: number;
  readonly loadS: number;
  readonly samplesLoaded: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export async function benchGates(o: { clusters: number; rounds: number; json: boolean }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-gates-'));
  try {
    const labels = Array.from({ length: o.clusters }, (_, i) => `c-${String(i + 1).padStart(5, '0')}`);
    const nowS = Math.floor(Date.now() / 1000);
    let samples = 0;
    const t0 = performance.now();
    await loadOpenMetrics(dir, (out) =>
      writeOpenMetrics(
        labels.map((label) => ({ label, ...DEFAULT_SHAPE })),
        { label: 'cluster', fromS: nowS - 360, toS: nowS, stepS: 15 },
        (line) => {
          samples++;
          out(line);
        },
      ),
    );
    const loadS = (performance.now() - t0) / 1000;
    const prom = await startPrometheus({ dir });
    try {
      const client = new PrometheusClient({ url: prom.url, timeoutMs: 120_000 });
      const base = { client, clusterLabel: 'cluster', apiserverSelector: 'job="apiserver"', labelValues: new Map(labels.map((l) => [l, l])), rateWindowS: 60, stepS: 15, staleAfterS: 3600, queries: DEFAULT_QUERIES };
      const levels = await new PrometheusMetricSource({ ...base, levels: [] }).discoverLevels(labels, nowS * 1000);
      const source = new PrometheusMetricSource({ ...base, levels });
      const gates = gateCatalogue().filter((g) => g.kind === 'metric' && g.enabled);
      const expand = (critical: boolean): string[] => gates.filter((g) => g.critical === critical).flatMap((g) => (g.perLevel ? levels.map((l) => seriesName(g.metric, l)) : [g.metric]));
      const critical = expand(true);
      const others = expand(false);
      const times: number[] = [];
      let queries = 0;
      let missing = 0;
      for (let round = 0; round <= o.rounds; round++) {
        const toMs = nowS * 1000;
        const start = performance.now();
        client.requests = 0;
        const a = await source.query({ clusters: labels, series: critical, fromMs: toMs - 120_000, toMs });
        const b = await source.query({ clusters: labels, series: others, fromMs: toMs - 120_000, toMs });
        const s = (performance.now() - start) / 1000;
        queries = client.requests;
        missing = 0;
        for (const label of labels) for (const r of [a, b]) for (const w of Object.values(r[label] ?? {})) if (w.problem !== undefined || w.values.length === 0) missing++;
        if (round > 0) times.push(s);
      }
      const r: GatesBenchResult = {
        clusters: o.clusters,
        rounds: o.rounds,
        queriesPerEvaluation: queries,
        seriesPerCluster: critical.length + others.length,
        evaluationMedianS: roundDecimals(median(times), 3),
        evaluationMaxS: roundDecimals(Math.max(...times), 3),
        seriesWithoutData: missing,
        loadS: roundDecimals(loadS, 1),
        samplesLoaded: samples,
      };
      return o.json
        ? JSON.stringify({ bench: 'gates', ...r }, null, 2) + '\n'
        : `gate evaluation against Prometheus for ${r.clusters} clusters: ${r.queriesPerEvaluation} range queries per evaluation (one per gate metric, ${r.seriesPerCluster} series per cluster), ` +
            `${r.evaluationMedianS} s median (max ${r.evaluationMaxS} s) over ${r.rounds} rounds; ${r.seriesWithoutData} series without data; ${r.samplesLoaded} lines loaded with promtool in ${r.loadS} s\n`;
    } finally {
      await prom.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
