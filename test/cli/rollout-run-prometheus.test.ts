/**
 * `firebreak rollout run --prometheus URL` against a real `firebreak twin
 * serve` child (its Kubernetes API, reached through a kubeconfig WITHOUT the
 * twin extension: a fleet that is not twin-served is accepted once the gates
 * read Prometheus) and a real Prometheus loaded with promtool: a malformed
 * PromQL in the plan is refused before anything is sent (exit 2, Prometheus'
 * message at the plan's file:line); an unreachable Prometheus refuses the
 * run (exit 2); Prometheus stopped mid-run halts the rollout on missing data
 * naming the outcome, never lets it advance.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_SHAPE } from '../../src/cli/prometheus-data.ts';
import { startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli, logCount, start, waitUntil } from '../orchestrator/procs.ts';
import { freePort, prometheusWith, type TestPrometheus } from '../helpers/prometheus.ts';

const F = 'test/fixtures/rollout-run';
const FLEET = `${F}/fleet-small.yaml`;
const HEALTHY = { ...DEFAULT_SHAPE, rejected: 0, errors: 0, readyReplicas: 3, nodesReady: 4, dnsServfailPerS: 0, ingress5xxPerS: 0, podsReady: 10 };
let twin: ServedTwin;
let prom: TestPrometheus;
let plain = '';
let plan = '';

before(async () => {
  twin = await startServe(`${F}/scenario-small.yaml`, ['--speed', '30']);
  prom = await prometheusWith(['edge-a', 'edge-b', 'core-a'].map((label) => ({ label, ...HEALTHY })));
  plain = join(twin.dir, 'plain.kubeconfig');
  writeFileSync(plain, readFileSync(twin.kubeconfig, 'utf8').replace(/firebreak\.dev\/twin/g, 'example.com/other'));
  plan = join(twin.dir, 'plan.yaml');
  writeFileSync(plan, readFileSync(`${F}/plan-benign.yaml`, 'utf8').replace('file: benign-agent.yaml', `file: ${resolve(F, 'benign-agent.yaml')}`));
});
after(async () => {
  await prom.stop();
  await twin.stop();
});

test('rollout run --prometheus refuses a malformed PromQL (file:line, Prometheus’ message) and an unreachable Prometheus, before sending anything', async () => {
  const bad = join(twin.dir, 'bad-query.yaml');
  writeFileSync(bad, readFileSync(plan, 'utf8').replace('    change: true\n', '    change: true\n    overrides:\n      etcd-latency:\n        query: histogram_quantile(0.99, sum by ($cl, le) (rate(etcd_request_duration_seconds_bucket[$w]))\n'));
  const line = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.includes('query: histogram_quantile')) + 1;
  const state = join(twin.dir, 'refused.db');
  const r = cli(['rollout', 'run', '--plan', bad, '--fleet', FLEET, '--kubeconfig', plain, '--state', state, '--prometheus', prom.url]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`bad-query\\.yaml:${line}:\\d+: spec\\.gates\\.overrides\\.etcd-latency\\.query: Prometheus cannot parse this query: invalid parameter "query": .*parse error`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const port = await freePort();
  const down = cli(['rollout', 'run', '--plan', plan, '--fleet', FLEET, '--kubeconfig', plain, '--state', state, '--prometheus', `http://127.0.0.1:${port}`]);
  assert.equal(down.status, 2, down.stderr);
  assert.match(down.stderr, /cannot check the gates' queries: Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); a rollout does not start without its metrics/);
  assert.equal(logCount(state), 0, 'nothing was recorded');
});

test('Prometheus stopped mid-run: the rollout halts on missing data that names the outcome, never advances', async () => {
  const args = ['--plan', plan, '--fleet', FLEET, '--kubeconfig', plain];
  assert.equal(cli(['breakglass', 'install', ...args]).status, 0);
  const state = join(twin.dir, 'prom.db');
  const run = start(['rollout', 'run', ...args, '--state', state, '--prometheus', prom.url, '--json']);
  // Some decisions recorded with Prometheus up (snapshot, the canary's first batch, evaluations), then Prometheus goes.
  assert.ok(await waitUntil(() => logCount(state) >= 6, 60_000, 200), 'the rollout started');
  await prom.stop();
  const exit = await run.done;
  assert.equal(exit.status, 1, exit.stderr);
  const r = JSON.parse(exit.stdout) as { outcome: string; haltReason: { by: string; message: string } | null; haltedInWave: number | null; clustersChanged: string[] };
  assert.equal(r.outcome, 'halted', exit.stderr);
  assert.equal(r.haltReason?.by, 'missing-data');
  assert.match(r.haltReason?.message ?? '', /cannot read \w+ in cluster [\w-]+: Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\) \(metrics fail closed\)/);
  assert.equal(r.haltedInWave, 1, 'halted in the first wave: it did not advance');
});
