/**
 * Issue #12 part 1 with real processes: a real `firebreak twin serve` child
 * with `--prometheus-config`, the real kubectl reading `/metrics`
 * (`kubectl get --raw /metrics`), the real `promtool check metrics` and
 * `promtool check config` accepting what is served and written, and a real
 * Prometheus started on the written config (127.0.0.1, a free port, temporary
 * storage, 1 s scrapes) finding every target up and answering contract F's
 * default queries with one series per cluster. Then the incident: a cluster
 * whose API servers are lost refuses its scrapes (`up == 0`) while its
 * components stay up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kubectl, startServe } from './serve-helper.ts';
import { promtool, startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';

function get(url: string, ca: string, token: string | undefined): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${last instanceof Error ? last.message : String(last)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `promtool check metrics`: parses and lints. ingress-nginx's own counter nginx_ingress_controller_requests
 * has no `_total` (kubernetes/ingress-nginx internal/ingress/metric/collectors/socket.go): that one lint
 * finding is the real component's and is allowed; anything else fails.
 */
function checkMetrics(text: string): { ok: boolean; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  const findings = out.split('\n').filter((l) => l.trim() !== '');
  const ok = r.status === 0 || (r.status === 3 && findings.every((l) => l.startsWith('nginx_ingress_controller_requests counter metrics should have "_total" suffix')));
  return { ok, out: `exit ${r.status}: ${out}` };
}

test('twin serve: /metrics through kubectl, /twin/v1/metrics, --prometheus-config accepted by promtool and scraped by a real Prometheus', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-serve-'));
  const config = join(dir, 'prometheus.yml');
  const t = await startServe('test/fixtures/serve/small.yaml', ['--speed', '5', '--prometheus-config', config, '--scrape-interval', '1s']);
  let prom: TestPrometheus | undefined;
  try {
    // The API server's own families, as kubectl reads them.
    const raw = await kubectl(t, ['--context', 'alpha', 'get', '--raw', '/metrics']);
    assert.equal(raw.status, 0, raw.stderr);
    for (const family of ['apiserver_request_total', 'apiserver_request_duration_seconds', 'apiserver_request_sli_duration_seconds', 'apiserver_flowcontrol_current_executing_seats', 'apiserver_flowcontrol_nominal_limit_seats', 'apiserver_flowcontrol_current_inqueue_requests', 'etcd_request_duration_seconds', 'process_resident_memory_bytes', 'process_start_time_seconds', 'apiserver_storage_objects'])
      assert.match(raw.stdout, new RegExp(`^# TYPE ${family} (counter|gauge|histogram)$`, 'm'), family);
    assert.match(raw.stdout, /^process_resident_memory_bytes\{pod="kube-apiserver-0"\} \d/m);
    assert.match(raw.stdout, /^apiserver_request_sli_duration_seconds_bucket\{.*le="0\.05"\}/m, "Kubernetes' SLI buckets");
    assert.doesNotMatch(raw.stdout, /cluster="/, 'no cluster label in an exposition');
    const checked = checkMetrics(raw.stdout);
    assert.ok(checked.ok, checked.out);

    // The components of the control endpoint.
    const token = readFileSync(join(dir, 'prometheus.token'), 'utf8');
    const comps = await get(`${t.config.control}/twin/v1/metrics?cluster=beta`, t.config.ca, token);
    assert.equal(comps.status, 200);
    assert.match(comps.type, /^text\/plain; version=0\.0\.4/);
    for (const family of ['coredns_dns_responses_total', 'coredns_dns_request_duration_seconds', 'kube_node_status_condition', 'kube_pod_status_ready', 'kube_pod_container_resource_limits', 'kube_deployment_spec_replicas', 'kube_deployment_status_replicas_ready', 'nginx_ingress_controller_requests', 'nginx_ingress_controller_request_duration_seconds'])
      assert.match(comps.body, new RegExp(`^# TYPE ${family} (counter|gauge|histogram)$`, 'm'), family);
    const compsChecked = checkMetrics(comps.body);
    assert.ok(compsChecked.ok, compsChecked.out);
    assert.equal((await get(`${t.config.control}/twin/v1/metrics?cluster=nope`, t.config.ca, token)).status, 404);
    assert.equal((await get(`${t.config.control}/twin/v1/metrics?cluster=beta`, t.config.ca, undefined)).status, 401);

    // The config: valid for promtool, and a real Prometheus scrapes every target.
    const cfg = promtool(['check', 'config', config]);
    assert.equal(cfg.status, 0, cfg.stdout + cfg.stderr);
    prom = await startPrometheus({ config });
    const p = prom;
    const up = await waitFor('every target up', 60_000, async () => {
      const v = await p.query('up');
      return v.length === 4 && v.every((x) => x.value === 1) ? v : undefined;
    });
    assert.deepEqual(up.map((x) => `${x.labels['job']}/${x.labels['cluster']}`).sort(), ['apiserver/alpha', 'apiserver/beta', 'twin-components/alpha', 'twin-components/beta']);
    // Contract F's default queries ($cl = cluster, $apiserver = job="apiserver", $w = 5s).
    const queries = {
      apiserver_ready_ratio: 'sum by (cluster) (kube_pod_status_ready{cluster=~"alpha|beta",namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"}) / count by (cluster) (kube_pod_status_ready{cluster=~"alpha|beta",namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"})',
      apiserver_requests_per_second: 'sum by (cluster) (rate(apiserver_request_total{job="apiserver",cluster=~"alpha|beta"}[5s]))',
      apiserver_memory_ratio: 'max by (cluster) (process_resident_memory_bytes{job="apiserver",cluster=~"alpha|beta"}) / max by (cluster) (kube_pod_container_resource_limits{cluster=~"alpha|beta",namespace="kube-system",container="kube-apiserver",resource="memory"})',
      nodes_not_ready_ratio: '1 - avg by (cluster) (kube_node_status_condition{cluster=~"alpha|beta",condition="Ready",status="true"})',
      workload_error_ratio: 'sum by (cluster) (rate(nginx_ingress_controller_requests{cluster=~"alpha|beta",status=~"5.."}[5s])) / sum by (cluster) (rate(nginx_ingress_controller_requests{cluster=~"alpha|beta"}[5s])) or sum by (cluster) (rate(nginx_ingress_controller_requests{cluster=~"alpha|beta"}[5s])) * 0',
    };
    for (const [gate, q] of Object.entries(queries)) {
      const v = await waitFor(`${gate} for both clusters`, 30_000, async () => {
        const r = await p.query(q);
        return r.length === 2 ? r : undefined;
      });
      assert.deepEqual(v.map((x) => x.labels['cluster']).sort(), ['alpha', 'beta'], gate);
      for (const x of v) assert.ok(Number.isFinite(x.value) && x.value >= 0, `${gate} ${x.labels['cluster']}: ${x.value}`);
    }
    const ready = await p.query(queries.apiserver_ready_ratio);
    assert.ok(ready.every((x) => x.value === 1), 'healthy clusters: every API server ready');
    const rps = await p.query(queries.apiserver_requests_per_second);
    assert.ok(rps.every((x) => x.value > 0), 'requests flow');
  } finally {
    await prom?.stop();
    assert.equal(await t.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lost API server refuses its scrapes (up == 0) while the control endpoint still serves its components', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-serve-'));
  const config = join(dir, 'prometheus.yml');
  const t = await startServe('test/fixtures/serve/incident-two-simulated.yaml', ['--speed', '30', '--prometheus-config', config, '--scrape-interval', '1s']);
  let prom: TestPrometheus | undefined;
  try {
    prom = await startPrometheus({ config });
    const p = prom;
    const down = await waitFor('the big cluster API server scrape failing', 150_000, async () => {
      const v = await p.query('up{cluster="big"}');
      const api = v.find((x) => x.labels['job'] === 'apiserver');
      const comps = v.find((x) => x.labels['job'] === 'twin-components');
      return api?.value === 0 && comps?.value === 1 ? v : undefined;
    });
    assert.equal(down.length, 2);
    // The small cluster's scrapes keep succeeding: at least one in the last 5 s per job (one 1 s scrape may time out
    // on a loaded host while the twin at speed 30 steps the big cluster).
    const small = await p.query('max_over_time(up{cluster="small"}[5s])');
    assert.ok(small.length === 2 && small.every((x) => x.value === 1), `the small cluster stays scraped (${JSON.stringify(small)})`);
    const notReady = await p.query('sum by (cluster) (kube_pod_status_ready{cluster="big",namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"}) / count by (cluster) (kube_pod_status_ready{cluster="big",namespace="kube-system",pod=~"kube-apiserver-.*",condition="true"})');
    assert.ok(notReady.length === 1 && (notReady[0]?.value ?? 1) < 1, `kube-state-metrics reports the big cluster API servers not ready (${notReady[0]?.value})`);
  } finally {
    await prom?.stop();
    assert.equal(await t.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});
