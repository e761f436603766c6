/**
 * `firebreak gates check` (the real CLI) against a real Prometheus loaded
 * with promtool: per gate and cluster what the query returned, exit 0 when
 * every gate has data for every cluster, 1 when some does not (no data, a
 * cluster label that matches nothing, Prometheus down), 2 for a malformed
 * PromQL in the plan — with Prometheus' own message and the plan's
 * file:line — or no Prometheus named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SHAPE } from '../../src/cli/prometheus-data.ts';
import { freePort, prometheusWith, type TestPrometheus } from '../helpers/prometheus.ts';
import { cli } from './spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-gates-check-'));
const at = (name: string): string => join(dir, name);

function plan(name: string, extra = ''): string {
  const file = at(name);
  writeFileSync(file, `apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata:\n  name: check\nspec:\n  change:\n    twin: {}\n${extra}`);
  return file;
}

function fleet(name: string, clusters: readonly string[], extra = ''): string {
  const file = at(name);
  writeFileSync(file, `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: f\nspec:\n${extra}  clusters:\n${clusters.map((c) => `    - { name: ${c}, nodes: 100 }\n`).join('')}`);
  return file;
}

void describe('gates check (real CLI, real Prometheus)', () => {
  let prom: TestPrometheus;
  before(async () => {
    prom = await prometheusWith([
      { label: 'prod-a', ...DEFAULT_SHAPE },
      { label: 'prod-b', ...DEFAULT_SHAPE, rejected: 20 },
      { label: 'k-west', ...DEFAULT_SHAPE },
    ]);
  });
  after(async () => {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('prints each gate per cluster and exits 0 when every gate has data for every cluster', async () => {
    // prod-west is named `k-west` in Prometheus: the fleet's per-cluster label value.
    const f = at('fleet-ok.yaml');
    writeFileSync(f, 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: f\nspec:\n  clusters:\n    - { name: prod-a, nodes: 100 }\n    - { name: prod-b, nodes: 200 }\n    - { name: prod-west, nodes: 50, prometheus: { label: k-west } }\n');
    const r = await cli(['gates', 'check', '--plan', plan('p.yaml'), '--fleet', f, '--prometheus', prom.url, '--json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { ok: boolean; queries: number; gates: { gate: string; series: string; clusters: { cluster: string; outcome: string; value: number | null }[] }[] };
    assert.equal(out.ok, true);
    assert.equal(out.queries, 15, 'one query per enabled gate metric (15 built-in metric gates, the per-level one once)');
    const rejections = out.gates.find((g) => g.gate === 'api-rejections');
    assert.deepEqual(rejections?.clusters.map((c) => [c.cluster, c.outcome]), [['prod-a', 'ok'], ['prod-b', 'ok'], ['prod-west', 'ok']]);
    assert.ok((rejections?.clusters[1]?.value ?? 0) > (rejections?.clusters[0]?.value ?? 1), 'prod-b rejects more');
    assert.deepEqual(out.gates.filter((g) => g.gate === 'apf-seat-saturation').map((g) => g.series), ['apf_seat_utilisation{global}', 'apf_seat_utilisation{workload-low}']);
    const text = await cli(['gates', 'check', '--plan', plan('p.yaml'), '--fleet', f, '--prometheus', prom.url]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /^api-rejections \(apiserver_429_ratio\): data for every cluster$/m);
    assert.match(text.stdout, /every gate has data for every cluster/);
  });

  void it('exits 1 and names the outcome for a cluster without data', async () => {
    const r = await cli(['gates', 'check', '--plan', plan('p.yaml'), '--fleet', fleet('f-ghost.yaml', ['prod-a', 'ghost']), '--prometheus', prom.url]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^ {2}ghost +NO DATA: no data for apiserver_429_ratio in cluster ghost: query returned no series$/m);
    assert.match(r.stdout, /^ {2}prod-a +0\.02$/m);
    assert.match(r.stdout, /lack data for some cluster: a rollout would fail closed on them/);
  });

  void it('exits 1 when the fleet names its clusters with a label Prometheus does not have', async () => {
    const r = await cli(['gates', 'check', '--plan', plan('p.yaml'), '--fleet', fleet('f-label.yaml', ['prod-a'], '  prometheus: { clusterLabel: k8s_cluster }\n'), '--prometheus', prom.url]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /NO DATA: no data for apiserver_429_ratio in cluster prod-a: query returned no series for any cluster \(is `k8s_cluster` the label/);
  });

  void it('exits 1 with every gate unreachable when nothing listens at the URL', async () => {
    const port = await freePort();
    const r = await cli(['gates', 'check', '--plan', plan('p.yaml'), '--fleet', fleet('f1.yaml', ['prod-a']), '--prometheus', `http://127.0.0.1:${port}`, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { gates: { clusters: { outcome: string }[] }[] };
    assert.ok(out.gates.length > 0);
    for (const g of out.gates) assert.deepEqual(g.clusters.map((c) => c.outcome), ['unreachable']);
  });

  void it("exits 2 for a malformed PromQL in the plan, with Prometheus' message at the plan's file:line", async () => {
    const p = plan('bad.yaml', '  gates:\n    overrides:\n      api-rejections:\n        query: sum by ($cl) (rate(apiserver_request_total{$cl=~"$clusters"}[$w])\n');
    const r = await cli(['gates', 'check', '--plan', p, '--fleet', fleet('f1.yaml', ['prod-a']), '--prometheus', prom.url]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, new RegExp(`${p.replaceAll('.', '\\.')}:11:\\d+: spec\\.gates\\.overrides\\.api-rejections\\.query: Prometheus cannot parse this query: invalid parameter "query": .*parse error`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  void it('a custom gate with a query reads its metric through it; exits 2 without a Prometheus named', async () => {
    const p = plan('custom.yaml', '  gates:\n    controlPlane: false\n    workload: false\n    custom:\n      - { name: mem, metric: my_mem_ratio, worse: higher, threshold: 0.9, query: "max by ($cl) (process_resident_memory_bytes{$apiserver,$cl=~\\"$clusters\\"}) / 8e9" }\n');
    const r = await cli(['gates', 'check', '--plan', p, '--fleet', fleet('f1.yaml', ['prod-a']), '--prometheus', prom.url, '--json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { queries: number; gates: { gate: string; clusters: { value: number }[] }[] };
    assert.deepEqual(out.gates.map((g) => g.gate), ['mem']);
    assert.equal(out.gates[0]?.clusters[0]?.value, 0.375);
    const none = await cli(['gates', 'check', '--plan', p, '--fleet', fleet('f1.yaml', ['prod-a'])]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give --prometheus URL, or spec\.metrics\.prometheus\.url/);
  });
});
