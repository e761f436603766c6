/**
 * The exposition mapping (src/apiserver/exposition/cluster-metrics.ts) over a
 * real twin run — the two-cluster incident of test/fixtures/serve: the
 * request counters give back the twin's 429 ratio at every step; the SLI
 * histogram's p99 over one step falls in the bucket of the twin's p99; the
 * counters never decrease; the per-replica series exist only for live
 * replicas; the APF and memory families carry the twin's state; and the
 * prom-client text holds every sample of the families.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type TwinApi } from '../../src/twin/index.ts';
import { ClusterMetrics } from '../../src/apiserver/exposition/cluster-metrics.ts';
import type { Family, HistogramSample, Sample } from '../../src/apiserver/exposition/families.ts';
import { prometheusText } from '../../src/apiserver/exposition/prometheus-text.ts';

const SCENARIO = 'test/fixtures/serve/incident-two-simulated.yaml';

function family(fams: readonly Family[], name: string): Family {
  const f = fams.find((x) => x.name === name);
  assert.ok(f !== undefined, `family ${name}`);
  return f;
}

function counterSamples(f: Family): readonly Sample[] {
  assert.notEqual(f.kind, 'histogram');
  return f.kind === 'histogram' ? [] : f.samples;
}

function histogramSamples(f: Family): readonly HistogramSample[] {
  assert.equal(f.kind, 'histogram');
  return f.kind === 'histogram' ? f.samples : [];
}

/** The bucket (lower, upper] where histogram_quantile(q) of the per-step increments lands. */
function quantileBucket(bounds: readonly number[], inc: readonly number[], q: number): [number, number] | undefined {
  const total = inc[bounds.length] ?? 0;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let b = 0;
  while (b < bounds.length && (inc[b] ?? 0) < rank) b++;
  return [b === 0 ? 0 : (bounds[b - 1] ?? 0), b < bounds.length ? (bounds[b] ?? Infinity) : Infinity];
}

interface RunFigures {
  steps: number;
  worst429: number;
  p99Checks: number;
  p99Hits: number;
  singleChecks: number;
  singleHits: number;
  decreases: number;
  peak429: number;
  /** Distinct (pod, process_start_time_seconds) pairs seen per cluster. */
  starts: Set<string>[];
}

function runIncident(): { twin: TwinApi; metrics: ClusterMetrics[]; figures: RunFigures } {
  const twin = new Twin(loadScenarioFile(SCENARIO), { seed: 1 });
  const metrics = twin.clusters().map((_, i) => new ClusterMetrics(twin, i));
  const prevCounts = metrics.map(() => new Map<string, number>());
  const prevSli = metrics.map(() => new Map<string, number[]>());
  const f: RunFigures = { steps: 0, worst429: 0, p99Checks: 0, p99Hits: 0, singleChecks: 0, singleHits: 0, decreases: 0, peak429: 0, starts: metrics.map(() => new Set<string>()) };
  while (!twin.done) {
    twin.step();
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i] as ClusterMetrics;
      m.accumulate();
      const fams = m.apiserver();
      let r429 = 0;
      let all = 0;
      for (const s of counterSamples(family(fams, 'apiserver_request_total'))) {
        const k = JSON.stringify(s.labels);
        const d = s.value - (prevCounts[i]?.get(k) ?? 0);
        if (d < -1e-9) f.decreases++;
        prevCounts[i]?.set(k, s.value);
        all += d;
        if (s.labels['code'] === '429') r429 += d;
      }
      for (const s of counterSamples(family(fams, 'process_start_time_seconds'))) f.starts[i]?.add(`${s.labels['pod'] ?? ''}@${s.value}`);
      const twin429 = twin.metricAt(i, 'apiserver_429_ratio');
      f.peak429 = Math.max(f.peak429, twin429);
      f.worst429 = Math.max(f.worst429, Math.abs((all > 0 ? r429 / all : 0) - twin429));
      f.steps++;
      const sli = family(fams, 'apiserver_request_sli_duration_seconds');
      const bounds = sli.kind === 'histogram' ? sli.bounds : [];
      const incAll = new Array<number>(bounds.length + 1).fill(0);
      const incSingle = new Array<number>(bounds.length + 1).fill(0);
      for (const s of histogramSamples(sli)) {
        const k = JSON.stringify(s.labels);
        const cur = [...s.cumulative, s.count];
        const prev = prevSli[i]?.get(k) ?? [];
        for (let b = 0; b <= bounds.length; b++) {
          const d = (cur[b] ?? 0) - (prev[b] ?? 0);
          if (d < -1e-9) f.decreases++;
          incAll[b] = (incAll[b] ?? 0) + d;
          if (s.labels['scope'] === 'resource') incSingle[b] = (incSingle[b] ?? 0) + d;
        }
        prevSli[i]?.set(k, cur);
      }
      const inBucket = (bucket: [number, number] | undefined, v: number): boolean => bucket !== undefined && v > bucket[0] - 1e-12 && v <= bucket[1] + 1e-12;
      const all99 = quantileBucket(bounds, incAll, 0.99);
      if (all99 !== undefined) {
        f.p99Checks++;
        if (inBucket(all99, twin.metricAt(i, 'apiserver_p99_seconds'))) f.p99Hits++;
      }
      const single99 = quantileBucket(bounds, incSingle, 0.99);
      if (single99 !== undefined && twin.metricAt(i, 'apiserver_p99_single_object_seconds') > 0) {
        f.singleChecks++;
        if (inBucket(single99, twin.metricAt(i, 'apiserver_p99_single_object_seconds'))) f.singleHits++;
      }
    }
  }
  return { twin, metrics, figures: f };
}

const run = runIncident();

test('rate(apiserver_request_total{code="429"}) / rate(apiserver_request_total) over one step is the twin apiserver_429_ratio, every step', () => {
  const f = run.figures;
  assert.equal(f.steps, 2 * 40 * 60);
  assert.ok(f.peak429 > 0.5, `the incident rejects most requests of the big cluster at its peak (${f.peak429})`);
  assert.ok(f.worst429 < 1e-9, `largest difference ${f.worst429}`);
});

test('counters and cumulative histogram buckets never decrease', () => {
  assert.equal(run.figures.decreases, 0);
});

test("histogram_quantile(0.99) of the SLI histogram over one step lands in the bucket of the twin's p99 (all and single-object), in at least 97 % of steps", () => {
  const f = run.figures;
  assert.ok(f.p99Checks > 4000, `checked ${f.p99Checks}`);
  assert.ok(f.p99Hits / f.p99Checks >= 0.97, `apiserver_p99_seconds: ${f.p99Hits}/${f.p99Checks}`);
  assert.ok(f.singleChecks > 4000, `checked ${f.singleChecks}`);
  assert.ok(f.singleHits / f.singleChecks >= 0.97, `apiserver_p99_single_object_seconds: ${f.singleHits}/${f.singleChecks}`);
});

test('APF gauges carry the twin levels; per-replica series exist for live replicas only; kube-state-metrics carries the ready ratio', () => {
  const { twin, metrics } = run;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as ClusterMetrics;
    const fams = m.apiserver();
    const levels = twin.levelsAt(i);
    const seats = counterSamples(family(fams, 'apiserver_flowcontrol_nominal_limit_seats'));
    const executing = counterSamples(family(fams, 'apiserver_flowcontrol_current_executing_seats'));
    for (const l of levels) {
      assert.equal(seats.find((s) => s.labels['priority_level'] === l.level)?.value, l.seats);
      assert.equal(executing.find((s) => s.labels['priority_level'] === l.level)?.value, l.inUse);
    }
    const replicas = twin.replicasAt(i);
    const live = replicas.flatMap((r, k) => (r.state === 'down' ? [] : [`kube-apiserver-${k}`]));
    assert.deepEqual(counterSamples(family(fams, 'process_resident_memory_bytes')).map((s) => s.labels['pod']), live);
    assert.deepEqual(counterSamples(family(fams, 'process_start_time_seconds')).map((s) => s.labels['pod']), live);
    const comps = m.components();
    const ready = counterSamples(family(comps, 'kube_pod_status_ready')).filter((s) => s.labels['condition'] === 'true');
    const ratio = ready.reduce((a, s) => a + s.value, 0) / ready.length;
    assert.equal(ratio, twin.readyRatioAt(i));
    const nodes = counterSamples(family(comps, 'kube_node_status_condition')).filter((s) => s.labels['status'] === 'true');
    assert.equal(nodes.length, twin.nodesAt(i), 'one Ready series per node');
    const notReady = 1 - nodes.reduce((a, s) => a + s.value, 0) / nodes.length;
    assert.ok(Math.abs(notReady - twin.metricAt(i, 'nodes_not_ready_ratio')) <= 0.5 / nodes.length + 1e-12);
  }
});

test('each restart gives process_start_time_seconds a new value (changes() counts it); a cluster without restarts keeps one per replica', () => {
  const { twin, figures } = run;
  for (let i = 0; i < twin.clusters().length; i++) {
    const replicas = twin.replicasAt(i).length;
    const restarts = twin.restartsAt(i);
    // A replica killed again before it came back (still down) adds a restart but no new start.
    assert.ok((figures.starts[i]?.size ?? 0) >= replicas, `cluster ${i}: starts`);
    assert.ok((figures.starts[i]?.size ?? 0) <= replicas + restarts, `cluster ${i}: ${figures.starts[i]?.size} starts for ${replicas} replicas and ${restarts} restarts`);
    if (restarts === 0) assert.equal(figures.starts[i]?.size, replicas);
  }
  const big = twin.indexOf('big');
  assert.ok(twin.restartsAt(big) > 0 && (figures.starts[big]?.size ?? 0) > twin.replicasAt(big).length, 'the big cluster restarted API servers and their start times moved');
});

test('the prom-client text holds every sample of the families, under their names', async () => {
  const m = run.metrics[0] as ClusterMetrics;
  for (const fams of [m.apiserver(), m.components()]) {
    const text = await prometheusText(fams);
    for (const f of fams) {
      if (f.samples.length === 0) continue;
      assert.ok(text.includes(`# TYPE ${f.name} ${f.kind}`), `${f.name} typed`);
      const lines = text.split('\n').filter((l) => l.startsWith(`${f.name}{`) || l.startsWith(`${f.name} `) || l.startsWith(`${f.name}_bucket{`));
      const expected = f.kind === 'histogram' ? f.samples.length * (f.bounds.length + 1) : f.samples.length;
      assert.equal(lines.length, expected, `${f.name}: ${lines.length} lines`);
    }
  }
});
