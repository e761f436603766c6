/**
 * Issue #12 acceptance 2, the comparison itself (test/metrics/prometheus-agreement.test.ts
 * runs it): a scenario simulated with `firebreak simulate --openmetrics` (the
 * real CLI), loaded with the real `promtool tsdb create-blocks-from
 * openmetrics` into a real Prometheus, read through the Prometheus metric
 * source itself (every built-in gate's default query, src/adapters/prometheus/)
 * at a set of evaluation times, against the in-process twin source
 * (src/adapters/twin/metric-source.ts, what a rehearsal's gates read) of the
 * same scenario and seed at the same virtual times.
 *
 * The history's samples are `intervalS` apart, so Prometheus' rate window is
 * one interval (`[intervalS]`, two samples at a sample-aligned time:
 * prometheus/prometheus 2.x selects [t − w, t] inclusive) and every rate is
 * the average over the interval before t, a gauge its value at t. Tolerance
 * per gate, cluster and time: the change of the twin's own value over that
 * interval (max |v(s) − v(t)| over the twin's samples s in [t − interval, t],
 * taken every `twinScrapeS`), plus for a histogram quantile the width of the
 * bucket the twin's value falls in (src/apiserver/exposition/buckets.ts: the
 * quantile is interpolated within its bucket), plus for `nodes_not_ready_ratio`
 * 1/20 (the history writes 20 nodes' conditions standing for the cluster's),
 * plus 1e-9.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusClient } from '../../src/adapters/prometheus/client.ts';
import { PrometheusMetricSource } from '../../src/adapters/prometheus/metric-source.ts';
import { DEFAULT_QUERIES } from '../../src/adapters/prometheus/queries.ts';
import { TwinMetricSource } from '../../src/adapters/twin/metric-source.ts';
import { ETCD_REQUEST_BUCKETS, REQUEST_SLI_BUCKETS } from '../../src/apiserver/exposition/buckets.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { seriesName } from '../../src/orchestrator/ports.ts';
import { Twin } from '../../src/twin/index.ts';
import { promtool, startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';

/** Nodes per cluster in the history's kube_node_status_condition (src/cli/openmetrics-run.ts nodeSeriesCap default). */
const NODE_SERIES = 20;

/** Histogram-quantile gates and their buckets. */
const QUANTILE_BUCKETS: Readonly<Record<string, readonly number[]>> = {
  apiserver_p99_single_object_seconds: REQUEST_SLI_BUCKETS,
  apiserver_p99_seconds: REQUEST_SLI_BUCKETS,
  etcd_latency_seconds: ETCD_REQUEST_BUCKETS,
};

/** The width of the bucket `v` falls in (0 below the first bound's … first bound; +Inf bucket: Infinity). */
export function bucketWidth(v: number, bounds: readonly number[]): number {
  let lower = 0;
  for (const b of bounds) {
    if (v <= b) return b - lower;
    lower = b;
  }
  return Number.POSITIVE_INFINITY;
}

export interface Comparison {
  readonly cluster: string;
  readonly series: string;
  readonly atMs: number;
  readonly twin: number;
  readonly prometheus: number | null;
  readonly problem: string | null;
  readonly tolerance: number;
  readonly agrees: boolean;
}

export interface AgreementRun {
  readonly comparisons: readonly Comparison[];
  readonly prom: TestPrometheus;
  readonly dir: string;
  close(): Promise<void>;
}

export interface AgreementOptions {
  readonly scenario: string;
  readonly seed: number;
  readonly intervalS: number;
  /** Simulated seconds between the in-process source's samples (the tolerance's resolution). */
  readonly twinScrapeS: number;
  /** Clusters compared (default every one). */
  readonly clusters?: readonly string[];
  /** Evaluation times as simulated seconds since the scenario's start (multiples of intervalS). */
  readonly timesS: readonly number[];
  /** A TSDB already made from this scenario's `simulate --openmetrics` at `intervalS` (kept): skips simulate and promtool. */
  readonly storage?: string;
}

/** The real `simulate --openmetrics` of the run, loaded into `data` by the real promtool. */
function loadHistory(o: AgreementOptions, om: string, data: string): void {
  const sim = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', 'simulate', o.scenario, '--seed', String(o.seed), '--openmetrics', om, '--openmetrics-interval', `${o.intervalS}s`], { encoding: 'utf8', timeout: 1_800_000 });
  if (sim.status !== 0) throw new Error(`simulate --openmetrics exited ${sim.status}: ${sim.stderr}`);
  const blocks = promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, data]);
  if (blocks.status !== 0) throw new Error(`promtool: ${blocks.stderr}${blocks.stdout}`);
  rmSync(om, { force: true });
}

export async function agreement(o: AgreementOptions): Promise<AgreementRun> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-agreement-'));
  if (o.storage === undefined) loadHistory(o, join(dir, 'run.om'), join(dir, 'data'));
  // The blocks are of the scenario's (past) time: keep them.
  const prom = await startPrometheus({ storage: o.storage ?? join(dir, 'data'), retention: '100y' });

  // The in-process source over the whole run, as a rehearsal reads the twin.
  const scenario = loadScenarioFile(o.scenario);
  const twin = new Twin(scenario, { seed: o.seed });
  const source = new TwinMetricSource(twin, { scrapeS: o.twinScrapeS, retentionS: scenario.durationS + 2 * o.twinScrapeS });
  twin.addController(source);
  while (!twin.done) twin.step();
  const clusters = o.clusters ?? twin.clusters().map((c) => c.name);
  const levels = source.levels();
  const series = [...Object.keys(DEFAULT_QUERIES).filter((m) => m !== 'apf_seat_utilisation' && source.serves(m)), ...levels.map((l) => seriesName('apf_seat_utilisation', l))];

  // The Prometheus source on the same (virtual) clock: the blocks carry simulated timestamps, so the time base is the identity.
  const prometheus = new PrometheusMetricSource({
    client: new PrometheusClient({ url: prom.url, timeoutMs: 60_000 }),
    clusterLabel: 'cluster',
    apiserverSelector: 'job="apiserver"',
    labelValues: new Map(),
    rateWindowS: o.intervalS,
    stepS: o.intervalS,
    staleAfterS: 2 * o.intervalS,
    queries: DEFAULT_QUERIES,
    levels,
  });
  const comparisons: Comparison[] = [];
  for (const tS of o.timesS) {
    const atMs = scenario.startMs + tS * 1000;
    const fromMs = atMs - o.intervalS * 1000;
    const [p, t] = await Promise.all([prometheus.query({ clusters, series, fromMs: atMs, toMs: atMs }), source.query({ clusters, series, fromMs, toMs: atMs })]);
    for (const cluster of clusters) {
      for (const s of series) {
        const tw = t[cluster]?.[s];
        if (tw === undefined || tw.values.length === 0) continue;
        const twinNow = tw.values[tw.values.length - 1] as number;
        let change = 0;
        for (const v of tw.values) change = Math.max(change, Math.abs(v - twinNow));
        const metric = s.includes('{') ? s.slice(0, s.indexOf('{')) : s;
        const bounds = QUANTILE_BUCKETS[metric];
        // kube_node_status_condition is written for NODE_SERIES nodes standing for the cluster's (docs/metrics.md): a resolution of 1/NODE_SERIES.
        const resolution = metric === 'nodes_not_ready_ratio' ? 1 / NODE_SERIES : 0;
        const tolerance = change + (bounds !== undefined ? bucketWidth(twinNow, bounds) : 0) + resolution + 1e-9 * Math.max(1, Math.abs(twinNow));
        const pw = p[cluster]?.[s];
        const value = pw === undefined || pw.problem !== undefined || pw.values.length === 0 ? null : (pw.values[pw.values.length - 1] as number);
        comparisons.push({ cluster, series: s, atMs, twin: twinNow, prometheus: value, problem: pw?.problem?.message ?? null, tolerance, agrees: value !== null && Math.abs(value - twinNow) <= tolerance });
      }
    }
  }
  return {
    comparisons,
    prom,
    dir,
    close: async () => {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
