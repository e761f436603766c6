/**
 * The Prometheus metric source against a real Prometheus (data loaded with
 * the real promtool): every default query returns, per cluster, the value
 * the data implies, in one query per gate for all clusters; and each way a
 * series can be missing is its own outcome, never a value: no data (a
 * series that does not exist is not zero), NaN, stale, a cluster label that
 * matches nothing, Prometheus' own query error, an HTML page, a timeout,
 * Prometheus stopped.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.ts';
import { PrometheusMetricSource, type PrometheusSourceOptions } from '../../../src/adapters/prometheus/metric-source.ts';
import { DEFAULT_QUERIES, regexEscape, substitute } from '../../../src/adapters/prometheus/queries.ts';
import { DEFAULT_SHAPE, expectedGateValues } from '../../../src/cli/prometheus-data.ts';
import { GATE_METRICS } from '../../../src/orchestrator/gate-catalogue.ts';
import { seriesName, type MetricResult } from '../../../src/orchestrator/ports.ts';
import { prometheusWith, type TestPrometheus } from '../../helpers/prometheus.ts';

const B = { ...DEFAULT_SHAPE, rejected: 10, errors: 0, memoryBytes: 6e9, readyReplicas: 3, apiLatency: [0.5, 1] as const, seats: { 'workload-low': [12, 24], global: [1, 40] } as Record<string, readonly [number, number]>, nodesReady: 4, dnsServfailPerS: 0, ingress5xxPerS: 0, podsReady: 10 };
const LEVELS = ['global', 'workload-low'];
const ALL_SERIES = [...GATE_METRICS.filter((m) => m !== 'apf_seat_utilisation'), ...LEVELS.map((l) => seriesName('apf_seat_utilisation', l))];

function options(url: string, over: Partial<PrometheusSourceOptions> = {}): PrometheusSourceOptions {
  return {
    client: new PrometheusClient({ url, timeoutMs: 5000 }),
    clusterLabel: 'cluster',
    apiserverSelector: 'job="apiserver"',
    labelValues: new Map([['prod-a', 'prod-a'], ['prod-b', 'eu/prod.b'], ['nan', 'nan'], ['stale', 'stale'], ['ghost', 'ghost']]),
    rateWindowS: 60,
    stepS: 15,
    staleAfterS: 60,
    queries: DEFAULT_QUERIES,
    levels: LEVELS,
    ...over,
  };
}

function newest(r: MetricResult, cluster: string, series: string): number | undefined {
  const w = r[cluster]?.[series];
  assert.ok(w !== undefined, `${cluster} ${series} present`);
  assert.equal(w.problem, undefined, `${cluster} ${series}: ${w.problem?.message ?? ''}`);
  return w.values[w.values.length - 1];
}

void describe('Prometheus metric source (real Prometheus, promtool-loaded data)', () => {
  let prom: TestPrometheus;
  before(async () => {
    prom = await prometheusWith([
      { label: 'prod-a', ...DEFAULT_SHAPE },
      // A label value with regex metacharacters: the batched matcher must escape it.
      { label: 'eu/prod.b', ...B },
      { label: 'nan', ...DEFAULT_SHAPE, nanRequests: true },
      { label: 'stale', ...DEFAULT_SHAPE, stopsBeforeEndS: 600 },
      { label: 'quiet', ...DEFAULT_SHAPE, noRareSeries: true },
    ]);
  });
  after(async () => prom.stop());

  void it('returns the value the data implies for every default query and cluster, with one query per gate metric for all clusters', async () => {
    const source = new PrometheusMetricSource(options(prom.url));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['prod-a', 'prod-b'], series: ALL_SERIES, fromMs: toMs - 120_000, toMs });
    assert.equal(source.lastQueries, GATE_METRICS.length, 'one range query per gate metric (the per-level one included), not one per cluster');
    for (const [cluster, shape] of [['prod-a', DEFAULT_SHAPE], ['prod-b', B]] as const) {
      const want = expectedGateValues(shape);
      for (const series of ALL_SERIES) {
        if (series === 'apiserver_requests_per_second') continue;
        const got = newest(r, cluster, series);
        const expected = want[series];
        assert.ok(expected !== undefined && got !== undefined, series);
        assert.ok(Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${cluster} ${series}: got ${got}, the data implies ${expected}`);
      }
    }
    // The two clusters differ where their data does (the split by cluster label is not mixing them up).
    assert.notEqual(newest(r, 'prod-a', 'apiserver_429_ratio'), newest(r, 'prod-b', 'apiserver_429_ratio'));
    // A rare-event ratio at rate 0 is 0.
    assert.equal(newest(r, 'prod-b', 'dns_servfail_ratio'), 0);
  });

  void it('reports a series that does not exist as no data (not zero), naming the series and cluster', async () => {
    const source = new PrometheusMetricSource(options(prom.url, { queries: { ...DEFAULT_QUERIES, custom_metric: { query: 'sum by ($cl) (does_not_exist{$cl=~"$clusters"})', perLevel: false } } }));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['prod-a', 'ghost'], series: ['custom_metric', 'apiserver_429_ratio'], fromMs: toMs - 120_000, toMs });
    const w = r['prod-a']?.['custom_metric'];
    assert.equal(w?.values.length, 0);
    assert.equal(w?.problem?.kind, 'no-data');
    assert.match(w?.problem?.message ?? '', /^no data for custom_metric in cluster prod-a: query returned no series/);
    assert.equal(r['ghost']?.['apiserver_429_ratio']?.problem?.kind, 'no-data');
    assert.equal(r['ghost']?.['apiserver_429_ratio']?.problem?.message, 'no data for apiserver_429_ratio in cluster ghost: query returned no series');
    assert.equal(r['prod-a']?.['apiserver_429_ratio']?.problem, undefined);
  });

  void it("gives a rare-event ratio 0, not no data, where the event's series do not exist yet but the cluster's traffic does", async () => {
    const source = new PrometheusMetricSource(options(prom.url, { labelValues: new Map([['quiet', 'quiet']]) }));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['quiet'], series: ['apiserver_429_ratio', 'dns_servfail_ratio', 'workload_error_ratio'], fromMs: toMs - 120_000, toMs });
    for (const series of ['apiserver_429_ratio', 'dns_servfail_ratio', 'workload_error_ratio']) assert.equal(newest(r, 'quiet', series), 0, series);
  });

  void it('reports NaN as its own outcome', async () => {
    const source = new PrometheusMetricSource(options(prom.url));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['nan'], series: ['apiserver_429_ratio', 'apiserver_memory_ratio'], fromMs: toMs - 120_000, toMs });
    assert.equal(r['nan']?.['apiserver_429_ratio']?.problem?.kind, 'nan');
    assert.match(r['nan']?.['apiserver_429_ratio']?.problem?.message ?? '', /apiserver_429_ratio in cluster nan is NaN/);
    assert.equal(r['nan']?.['apiserver_memory_ratio']?.problem, undefined, 'the cluster\'s other series are fine');
  });

  void it('reports a series whose newest sample is older than staleAfter as stale', async () => {
    const source = new PrometheusMetricSource(options(prom.url));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['stale', 'prod-a'], series: ['apiserver_429_ratio', 'apiserver_memory_ratio'], fromMs: toMs - 900_000, toMs });
    for (const series of ['apiserver_429_ratio', 'apiserver_memory_ratio']) {
      assert.equal(r['stale']?.[series]?.problem?.kind, 'stale', series);
      assert.match(r['stale']?.[series]?.problem?.message ?? '', new RegExp(`${series} in cluster stale is stale: its newest sample is \\d+ s old \\(staleAfter 60 s\\)`));
      assert.equal(r['prod-a']?.[series]?.problem, undefined);
    }
  });

  void it('reports a cluster label that matches nothing as no data for every cluster, with a hint', async () => {
    const source = new PrometheusMetricSource(options(prom.url, { clusterLabel: 'k8s_cluster' }));
    const toMs = prom.nowS * 1000;
    const r = await source.query({ clusters: ['prod-a', 'prod-b'], series: ['apiserver_429_ratio'], fromMs: toMs - 120_000, toMs });
    for (const c of ['prod-a', 'prod-b']) {
      assert.equal(r[c]?.['apiserver_429_ratio']?.problem?.kind, 'no-data');
      assert.match(r[c]?.['apiserver_429_ratio']?.problem?.message ?? '', /for any cluster \(is `k8s_cluster` the label that names the clusters/);
    }
  });

  void it("reports Prometheus' own error for a query it refuses, and validate() returns its parse error", async () => {
    const client = new PrometheusClient({ url: prom.url, timeoutMs: 5000 });
    const source = new PrometheusMetricSource(options(prom.url, { client, queries: { bad: { query: 'sum by ($cl) (rate(up{$cl=~"$clusters"}[$w])', perLevel: false } } }));
    const r = await source.query({ clusters: ['prod-a'], series: ['bad'], fromMs: prom.nowS * 1000 - 60_000, toMs: prom.nowS * 1000 });
    assert.equal(r['prod-a']?.['bad']?.problem?.kind, 'query-error');
    assert.match(r['prod-a']?.['bad']?.problem?.message ?? '', /cannot read bad in cluster prod-a: Prometheus refused the query \(bad_data\): .*parse error/);
    await assert.rejects(client.validate('sum by (cluster ('), /Prometheus refused the query \(bad_data\): invalid parameter "query": 1:17: parse error/);
    await client.validate(substitute(DEFAULT_QUERIES.apiserver_429_ratio?.query ?? '', { cl: 'cluster', clusters: ['a.b', 'c|d'], w: '1m', apiserver: 'job="apiserver"' }));
  });

  void it('escapes cluster label values for the regex matcher', () => {
    assert.equal(regexEscape('eu/prod.b'), 'eu/prod\\\\.b');
    assert.equal(substitute('x{$cl=~"$clusters",$apiserver}[$w]', { cl: 'k', clusters: ['a', 'b+'], w: '30s', apiserver: 'job="api"' }), 'x{k=~"a|b\\\\+",job="api"}[30s]');
  });
});

void describe('Prometheus metric source: a server that is not a working Prometheus', () => {
  let server: Server;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/slow') === true) return; // never answers: the client's deadline must fire
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Sign in</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  void it('an HTML page is a query error naming it, never a value', async () => {
    const source = new PrometheusMetricSource(options(url));
    const r = await source.query({ clusters: ['prod-a', 'prod-b'], series: ['apiserver_429_ratio'], fromMs: 0, toMs: 60_000 });
    for (const c of ['prod-a', 'prod-b']) {
      assert.equal(r[c]?.['apiserver_429_ratio']?.problem?.kind, 'query-error');
      assert.match(r[c]?.['apiserver_429_ratio']?.problem?.message ?? '', /answered HTTP 200 with an HTML page, not its API's JSON/);
    }
  });

  void it('a slow server is a timeout', async () => {
    const source = new PrometheusMetricSource(options(`${url}/slow`, { client: new PrometheusClient({ url: `${url}/slow`, timeoutMs: 300 }) }));
    const r = await source.query({ clusters: ['prod-a'], series: ['apiserver_429_ratio'], fromMs: 0, toMs: 60_000 });
    assert.equal(r['prod-a']?.['apiserver_429_ratio']?.problem?.kind, 'timeout');
    assert.match(r['prod-a']?.['apiserver_429_ratio']?.problem?.message ?? '', /did not answer within 0\.3 s/);
  });
});

void it('Prometheus stopped: every series is unreachable', async () => {
  const prom = await prometheusWith([{ label: 'prod-a', ...DEFAULT_SHAPE }], { spanS: 300 });
  const source = new PrometheusMetricSource(options(prom.url));
  const toMs = prom.nowS * 1000;
  const before = await source.query({ clusters: ['prod-a'], series: ['apiserver_429_ratio'], fromMs: toMs - 120_000, toMs });
  assert.equal(before['prod-a']?.['apiserver_429_ratio']?.problem, undefined);
  await prom.stop();
  const r = await source.query({ clusters: ['prod-a'], series: ['apiserver_429_ratio', 'etcd_latency_seconds'], fromMs: toMs - 120_000, toMs });
  for (const series of ['apiserver_429_ratio', 'etcd_latency_seconds']) {
    assert.equal(r['prod-a']?.[series]?.problem?.kind, 'unreachable');
    assert.match(r['prod-a']?.[series]?.problem?.message ?? '', /is unreachable \(ECONNREFUSED\)/);
  }
});
