/**
 * Acceptance 4 of issue #12 with the real tools: `firebreak simulate
 * --openmetrics` of the two-cluster incident, loaded with the real `promtool
 * tsdb create-blocks-from openmetrics`, queried through a real Prometheus
 * started on the blocks: the counters at the end hold the twin's request
 * counts, the peak one-minute 429 ratio is the twin's, and the ready ratio
 * and p99 agree with the run's per-minute metrics (--metrics).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';
import { promtool, startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';

const SCENARIO = 'test/fixtures/serve/incident-two-simulated.yaml';
const INTERVAL_S = 15;
let dir: string;
let prom: TestPrometheus;
let endS: number;
let minutes: { cluster: string; ready: number; p99: number }[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firebreak-om-promtool-'));
  const om = join(dir, 'run.om');
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', 'simulate', SCENARIO, '--seed', '1', '--metrics', join(dir, 'run.ndjson'), '--openmetrics', om, '--openmetrics-interval', `${INTERVAL_S}s`], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(statSync(om).size > 0);
  const blocks = promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, join(dir, 'data')]);
  assert.equal(blocks.status, 0, `promtool: ${blocks.stderr}${blocks.stdout}`);
  // The blocks are of 2024: keep them (retention counts back from now).
  prom = await startPrometheus({ storage: join(dir, 'data'), retention: '100y' });
  const scenario = loadScenarioFile(SCENARIO);
  endS = scenario.startMs / 1000 + scenario.durationS;
  minutes = readFileSync(join(dir, 'run.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cluster: string; ready: number; p99: number });
});

after(async () => {
  await prom.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The twin's own request counts, step by step, from its classes (not from the exposition). */
function twinCounts(): { total: Map<string, { rejected: number; all: number }>; peak429: Map<string, number> } {
  const twin = new Twin(loadScenarioFile(SCENARIO), { seed: 1 });
  const names = twin.clusters().map((c) => c.name);
  const cum = names.map(() => ({ rejected: 0, all: 0 }));
  const samples = names.map(() => [{ rejected: 0, all: 0 }]);
  while (!twin.done) {
    twin.step();
    for (let i = 0; i < names.length; i++) {
      const c = cum[i] as { rejected: number; all: number };
      for (const k of twin.requestClassesAt(i)) {
        c.rejected += k.rejected;
        c.all += k.arrivals + k.failed;
      }
      if (Math.round(twin.t) % INTERVAL_S === 0) samples[i]?.push({ ...c });
    }
  }
  const peak429 = new Map<string, number>();
  const window = 60 / INTERVAL_S;
  names.forEach((name, i) => {
    const s = samples[i] ?? [];
    let peak = 0;
    for (let k = window; k < s.length; k++) {
      const a = s[k] as { rejected: number; all: number };
      const b = s[k - window] as { rejected: number; all: number };
      if (a.all - b.all > 0) peak = Math.max(peak, (a.rejected - b.rejected) / (a.all - b.all));
    }
    peak429.set(name, peak);
  });
  return { total: new Map(names.map((n, i) => [n, cum[i] as { rejected: number; all: number }])), peak429 };
}

const twin = twinCounts();

function byCluster(v: { labels: Record<string, string>; value: number }[]): Map<string, number> {
  return new Map(v.map((x) => [x.labels['cluster'] ?? '', x.value]));
}

test('the loaded counters at the end of the run hold the twin request counts (all, and 429)', async () => {
  const all = byCluster(await prom.query('sum by (cluster) (apiserver_request_total)', endS));
  const rejected = byCluster(await prom.query('sum by (cluster) (apiserver_request_total{code="429"})', endS));
  assert.deepEqual([...all.keys()].sort(), ['big', 'small']);
  for (const [name, c] of twin.total) {
    assert.ok(Math.abs((all.get(name) ?? NaN) - c.all) <= c.all * 1e-9, `${name}: ${all.get(name)} requests, the twin ${c.all}`);
    if (c.rejected > 0) assert.ok(Math.abs((rejected.get(name) ?? NaN) - c.rejected) <= c.rejected * 1e-9, `${name}: ${rejected.get(name)} 429s, the twin ${c.rejected}`);
  }
  assert.ok((twin.total.get('big')?.rejected ?? 0) > 0, 'the big cluster rejected requests');
});

test("the peak one-minute 429 ratio through PromQL is the twin's", async () => {
  const q = `max_over_time((sum by (cluster) (rate(apiserver_request_total{code="429"}[1m])) / sum by (cluster) (rate(apiserver_request_total[1m])))[40m:${INTERVAL_S}s])`;
  const peak = byCluster(await prom.query(q, endS));
  const big = twin.peak429.get('big') ?? 0;
  assert.ok(big > 0.05, `the incident's peak 429 ratio in the big cluster (${big})`);
  assert.ok(Math.abs((peak.get('big') ?? NaN) - big) < 1e-6, `PromQL ${peak.get('big')}, the twin ${big}`);
  assert.ok((peak.get('small') ?? 0) < 1e-9, 'the small cluster rejects nothing');
});

test('ready ratio and p99 through PromQL agree with the run per-minute metrics', async () => {
  const ready = byCluster(await prom.query(`min_over_time((sum by (cluster) (kube_pod_status_ready{namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"}) / count by (cluster) (kube_pod_status_ready{namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"}))[40m:${INTERVAL_S}s])`, endS));
  const p99 = byCluster(await prom.query(`max_over_time(histogram_quantile(0.99, sum by (cluster, le) (rate(apiserver_request_sli_duration_seconds_bucket[1m])))[40m:${INTERVAL_S}s])`, endS));
  for (const name of ['big', 'small']) {
    const rows = minutes.filter((m) => m.cluster === name);
    assert.equal(ready.get(name), Math.min(...rows.map((r) => r.ready)), `${name}: lowest ready ratio`);
    const maxP99 = Math.max(...rows.map((r) => r.p99));
    // histogram_quantile answers within the bucket of Kubernetes' SLI buckets that holds the twin's p99.
    const got = p99.get(name) ?? NaN;
    assert.ok(got >= maxP99 * 0.5 && got <= Math.max(maxP99 * 1.5, 0.05), `${name}: p99 ${got}, the run's per-minute peak ${maxP99}`);
  }
});
