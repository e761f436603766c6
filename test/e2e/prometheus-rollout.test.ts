/**
 * Issue #12 part 3, end to end with real processes only: `firebreak twin
 * serve` (20× speed, `--prometheus-config` with a 1 s scrape interval), the
 * real Prometheus scraping it (test/helpers/prometheus.ts), the real
 * `firebreak breakglass install`, `gates check` and `rollout run
 * --prometheus` (the Kubernetes target; the gates read through PromQL, the
 * rollout deciding in the twin's time: src/adapters/prometheus/time-base.ts),
 * and the real kubectl.
 *
 * - acceptance 3: every built-in gate's default query has data for every cluster of the served fleet
 *   (`gates check` exit 0); a custom gate on a series that does not exist is no data, not zero (exit 1);
 * - the incident's telemetry agent (test/fixtures/manifests/telemetry-agent-incident.yaml, as is: it hurts
 *   the 5,200-node size class of ../rollout-run/incident-served.yaml) halts on a control-plane gate read
 *   through Prometheus and is rolled back through break-glass: kubectl finds no DaemonSet;
 * - Prometheus killed mid-run: `missingData: halt` halts, `missingData: pause` pauses; neither lets the
 *   rollout start another batch or wave after the stop;
 * - the benign agent (node-problem-detector) completes.
 *
 * The plans (test/fixtures/prometheus-e2e/) have short bake (30 s / 1 m) and evaluation windows (2 m, every
 * 20 s); at 20× a 1 s scrape is 20 simulated seconds.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from '../apiserver/serve-helper.ts';
import { cli } from '../cli/spawn.ts';
import { start, waitUntil } from '../orchestrator/procs.ts';
import { startPrometheus, type TestPrometheus } from '../helpers/prometheus.ts';

const F = 'test/fixtures/prometheus-e2e';
const SPEED = '20';
const SMALL_FLEET = 'test/fixtures/rollout-run/fleet-small.yaml';
const SMALL = ['edge-a', 'edge-b', 'core-a'];
/** Control-plane gates (src/orchestrator/gate-catalogue.ts group `control-plane`). */
const CONTROL_PLANE = /^(api-latency|api-latency-single|api-rejections|api-errors|apf-seat-saturation|apiserver-memory|apiserver-restarts|apiserver-ready|etcd-latency|dns-servfail|dns-latency)$/;

const began = Date.now();
let incident: ServedTwin | undefined;
let small: ServedTwin;
const proms: TestPrometheus[] = [];

/** Where each twin's `--prometheus-config` went (the twin's own temp directory is made by startServe). */
const configs = new Map<ServedTwin, string>();
const configDirs: string[] = [];

async function served(scenario: string): Promise<ServedTwin> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prom-e2e-'));
  configDirs.push(dir);
  const config = join(dir, 'prometheus.yml');
  const twin = await startServe(scenario, ['--speed', SPEED, '--prometheus-config', config, '--scrape-interval', '1s']);
  configs.set(twin, config);
  return twin;
}

/** A Prometheus on the twin's generated config, ready once every target is up. */
async function scraping(twin: ServedTwin, clusters: number): Promise<TestPrometheus> {
  const prom = await startPrometheus({ config: configs.get(twin) as string });
  proms.push(prom);
  const up = await waitUntilAsync(async () => {
    const v = await prom.query('up');
    return v.length === 2 * clusters && v.every((x) => x.value === 1);
  }, 60_000);
  assert.ok(up, `every target of ${configs.get(twin) ?? ''} up: ${prom.output()}`);
  return prom;
}

async function waitUntilAsync(cond: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return cond();
}

/** `gates check` until every gate has data (a fresh Prometheus needs a few scrapes for a rate); the last run. */
async function gatesReady(plan: string, fleet: string, prom: TestPrometheus): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let last = await cli(['gates', 'check', '--plan', plan, '--fleet', fleet, '--prometheus', prom.url, '--json']);
  const until = Date.now() + 60_000;
  while (last.status !== 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    last = await cli(['gates', 'check', '--plan', plan, '--fleet', fleet, '--prometheus', prom.url, '--json']);
  }
  return last;
}

/** Batches (apply commands) and waves started, as recorded in a rollout's state database. */
function progress(state: string): { applies: number; waves: number } {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(state, { readOnly: true });
    const applies = Number((db.prepare("SELECT COUNT(*) AS n FROM log WHERE type = 'command' AND kind = 'apply'").get() as { n: number }).n);
    const waves = Number((db.prepare("SELECT COUNT(*) AS n FROM log WHERE type = 'command' AND kind = 'notify' AND body LIKE '%) started: %'").get() as { n: number }).n);
    return { applies, waves };
  } catch {
    return { applies: 0, waves: 0 };
  } finally {
    db?.close();
  }
}

interface RunResult {
  outcome: string;
  haltedInWave: number | null;
  haltedCluster: string | null;
  haltReason: { by: string; gate: string | null; source: string; message: string } | null;
  rollbackCompletedAt: string | null;
  cleanup: { cluster: string; left: number | null; objectsLeft: string[] }[];
}

before(async () => {
  // Both twins start together: each must reach the plans' pre-change window (10 simulated minutes) before a rollout starts.
  [incident, small] = await Promise.all([served(`test/fixtures/rollout-run/incident-served.yaml`), served(`test/fixtures/rollout-run/scenario-small.yaml`)]);
});
after(async () => {
  for (const p of proms) await p.stop();
  await incident?.stop();
  await small.stop();
  for (const d of configDirs) rmSync(d, { recursive: true, force: true });
  process.stderr.write(`prometheus end-to-end: ${((Date.now() - began) / 1000).toFixed(0)} s wall\n`);
});

test('gates check on the twin-served fleet scraped by Prometheus: every built-in gate has data for every cluster; a series that does not exist is no data, not zero', async () => {
  const prom = await scraping(small, SMALL.length);
  const plan = `${F}/plan-benign.yaml`;
  const r = await gatesReady(plan, SMALL_FLEET, prom);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; gates: { gate: string; series: string; clusters: { cluster: string; outcome: string; value: number | null }[] }[] };
  assert.equal(out.ok, true);
  assert.ok(out.gates.length >= 15, `${out.gates.length} gate series`);
  for (const g of out.gates) {
    assert.deepEqual(g.clusters.map((c) => c.cluster), SMALL, g.series);
    for (const c of g.clusters) assert.ok(c.outcome === 'ok' && c.value !== null && Number.isFinite(c.value), `${g.series} ${c.cluster}: ${c.outcome} ${c.value}`);
  }
  const ghost = join(small.dir, 'ghost.yaml');
  writeFileSync(
    ghost,
    `apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata:\n  name: ghost\nspec:\n  change:\n    twin: {}\n  gates:\n    controlPlane: false\n    workload: false\n    custom:\n      - { name: ghost, metric: ghost_ratio, worse: higher, threshold: 0.5, query: "sum by ($cl) (firebreak_no_such_series_total{$cl=~\\"$clusters\\"})" }\n`,
  );
  const none = await cli(['gates', 'check', '--plan', ghost, '--fleet', SMALL_FLEET, '--prometheus', prom.url, '--json']);
  assert.equal(none.status, 1, none.stdout + none.stderr);
  const g = JSON.parse(none.stdout) as { ok: boolean; gates: { gate: string; clusters: { cluster: string; outcome: string; value: number | null }[] }[] };
  assert.equal(g.ok, false);
  assert.deepEqual(
    g.gates.flatMap((x) => x.clusters.map((c) => [x.gate, c.cluster, c.outcome, c.value])),
    SMALL.map((c) => ['ghost', c, 'no-data', null]),
  );
});

test('the incident agent halts on a control-plane gate read through Prometheus and is rolled back through break-glass: no DaemonSet left', async () => {
  const twin = incident as ServedTwin;
  const prom = await scraping(twin, 3);
  const plan = `${F}/plan-incident.yaml`;
  const fleet = `${F}/incident-fleet.yaml`;
  const install = await cli(['breakglass', 'install', '--plan', plan, '--fleet', fleet, '--kubeconfig', twin.kubeconfig]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const run = await start(['rollout', 'run', '--plan', plan, '--fleet', fleet, '--kubeconfig', twin.kubeconfig, '--state', join(twin.dir, 'incident.db'), '--prometheus', prom.url, '--json']).done;
  assert.equal(run.status, 1, run.stderr.slice(-3000));
  const r = JSON.parse(run.stdout) as RunResult;
  assert.equal(r.outcome, 'halted', run.stderr.slice(-3000));
  assert.equal(r.haltReason?.by, 'gate', run.stderr.slice(-3000));
  assert.match(r.haltReason?.gate ?? '', CONTROL_PLANE, `a control-plane gate: ${r.haltReason?.message ?? ''}`);
  assert.equal(r.haltReason?.source, 'prometheus', 'the gate was read through Prometheus');
  assert.equal(r.haltedCluster, 'big', 'the size class the agent hurts');
  assert.ok(r.rollbackCompletedAt !== null, 'the rollback completed');
  assert.match(run.stderr, /deleted DaemonSet telemetry-agent through the break-glass identity/, run.stderr.slice(-3000));
  for (const c of r.cleanup) assert.deepEqual([c.cluster, c.left, c.objectsLeft], [c.cluster, 0, []]);
  for (const cluster of ['small-a', 'small-b', 'big']) {
    const ds = await kubectl(twin, ['--context', `${cluster}-admin`, '-n', 'telemetry', 'get', 'ds', 'telemetry-agent']);
    assert.match(ds.stderr, /NotFound/, `${cluster}: ${ds.stdout}${ds.stderr}`);
  }
  // The big twin is done with: its CPU goes to the rest of the test.
  await prom.stop();
  proms.splice(proms.indexOf(prom), 1);
  await twin.stop();
  incident = undefined;
});

/** Starts the benign rollout on the small twin, kills Prometheus once the first batches are in, and returns what was recorded at the stop. */
async function stopMidRun(plan: string, state: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<{ run: ReturnType<typeof start>; atStop: { applies: number; waves: number } }> {
  await installKit(plan);
  const prom = await scraping(small, SMALL.length);
  assert.equal((await gatesReady(plan, SMALL_FLEET, prom)).status, 0, 'the gates have data before the run');
  // The pre-change window (4 simulated minutes = 12 s here) of history.
  await new Promise((r) => setTimeout(r, 13_000));
  const run = start(['rollout', 'run', '--plan', plan, '--fleet', SMALL_FLEET, '--kubeconfig', small.kubeconfig, '--state', state, '--prometheus', prom.url, '--json']);
  let ended: string | null = null;
  void run.done.then((e) => (ended = `the run ended first (${e.status}): ${e.stderr.slice(-2000)}`));
  assert.ok(await waitUntil(() => progress(state).applies >= 2 || ended !== null, 120_000, 100) && ended === null, ended ?? 'two batches applied with Prometheus up');
  prom.process.kill(signal);
  await prom.stop();
  proms.splice(proms.indexOf(prom), 1);
  return { run, atStop: progress(state) };
}

/** The break-glass kit for the benign change (again after a rollback: its clean-up deletes the change's namespace, where the kit's Role lives). */
async function installKit(plan: string): Promise<void> {
  const install = await cli(['breakglass', 'install', '--plan', plan, '--fleet', SMALL_FLEET, '--kubeconfig', small.kubeconfig]);
  assert.equal(install.status, 0, install.stdout + install.stderr);
}

test('Prometheus killed mid-run with missingData: halt — the rollout halts on missing data naming Prometheus, no batch or wave after the stop', async () => {
  const state = join(small.dir, 'halt.db');
  const { run, atStop } = await stopMidRun(`${F}/plan-benign.yaml`, state, 'SIGKILL');
  const exit = await run.done;
  assert.equal(exit.status, 1, exit.stderr.slice(-3000));
  const r = JSON.parse(exit.stdout) as RunResult;
  assert.equal(r.outcome, 'halted');
  assert.equal(r.haltReason?.by, 'missing-data', exit.stderr.slice(-3000));
  assert.match(r.haltReason?.message ?? '', /Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  const end = progress(state);
  assert.deepEqual(end, atStop, 'no batch applied and no wave started after Prometheus stopped');
  for (const c of r.cleanup) assert.equal(c.left, 0, `${c.cluster}: labels left`);
});

test('Prometheus stopped mid-run with missingData: pause — the rollout pauses and does not advance; aborted, it rolls back', async () => {
  const state = join(small.dir, 'pause.db');
  const { run, atStop } = await stopMidRun(`${F}/plan-benign-pause.yaml`, state, 'SIGTERM');
  const paused = await waitUntilAsync(async () => {
    const s = await cli(['rollout', 'status', '--state', state, '--json']);
    return s.status !== null && (JSON.parse(s.stdout || '{}') as { phase?: string }).phase === 'paused';
  }, 60_000);
  assert.ok(paused, 'paused on missing data');
  const status = JSON.parse((await cli(['rollout', 'status', '--state', state, '--json'])).stdout) as { pauseReason: string | null };
  assert.match(status.pauseReason ?? '', /Prometheus|unreachable|cannot read/, String(status.pauseReason));
  // Paused, it stays put: 5 wall seconds (100 simulated) later still nothing new.
  await new Promise((r) => setTimeout(r, 5000));
  assert.deepEqual(progress(state), atStop, 'no batch applied and no wave started after Prometheus stopped');
  const abort = await cli(['rollout', 'abort', '--state', state, '--reason', 'Prometheus is down']);
  assert.equal(abort.status, 0, abort.stdout + abort.stderr);
  const exit = await run.done;
  assert.equal(exit.status, 1, exit.stderr.slice(-3000));
  const r = JSON.parse(exit.stdout) as RunResult;
  assert.equal(r.outcome, 'aborted', exit.stderr.slice(-3000));
  assert.deepEqual(progress(state), atStop);
});

test('the benign agent completes with its gates read through Prometheus', async () => {
  const prom = await scraping(small, SMALL.length);
  const plan = `${F}/plan-benign.yaml`;
  await installKit(plan);
  assert.equal((await gatesReady(plan, SMALL_FLEET, prom)).status, 0);
  await new Promise((r) => setTimeout(r, 13_000));
  const run = await start(['rollout', 'run', '--plan', plan, '--fleet', SMALL_FLEET, '--kubeconfig', small.kubeconfig, '--state', join(small.dir, 'benign.db'), '--prometheus', prom.url, '--json']).done;
  assert.equal(run.status, 0, run.stderr.slice(-3000));
  const r = JSON.parse(run.stdout) as RunResult;
  assert.equal(r.outcome, 'completed');
  for (const cluster of SMALL) {
    const ds = await kubectl(small, ['--context', `${cluster}-admin`, '-n', 'node-problem-detector', 'get', 'ds', 'node-problem-detector', '-o', 'name']);
    assert.equal(ds.status, 0, `${cluster}: ${ds.stderr}`);
  }
});
