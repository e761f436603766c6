/**
 * Issue #13's report and alert fixes: the change's times at the step it was applied, restarts by
 * cause, the API server CPU metric and the per-minute APF saturation and etcd latency, one
 * KubeAPIServerUnavailable firing and resolution per outage, and an incident run that ends healthy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type Controller, type Scenario, type TwinApi } from '../../src/twin/index.ts';
import { minutes, run } from '../helpers/runs.ts';

test('changeAppliedAt and changeRemovedAt are the times of the timeline entries that apply and remove the change (seed 1)', () => {
  const { report } = run('openai-2024-12-11');
  let applied = 0;
  let removed = 0;
  for (const c of report.clusters) {
    const entries = report.timeline.filter((e) => e.kind === 'change' && e.cluster === c.name);
    const apply = entries.find((e) => / applied to /.test(e.message));
    assert.equal(c.changeAppliedAt, apply?.at ?? null, `${c.name}: applied`);
    if (c.changeAppliedAt !== null) applied++;
    const removals = entries.filter((e) => / removed via /.test(e.message));
    assert.equal(c.changeRemovedAt, removals.at(-1)?.at ?? null, `${c.name}: removed`);
    if (c.changeRemovedAt !== null) removed++;
  }
  assert.equal(applied, report.clusters.length);
  assert.equal(removed, report.clusters.length);
});

/** Kills every API server of `name` at `atS` through the twin's public face. */
function killer(name: string, atS: number): Controller {
  return {
    onStep(twin: TwinApi): void {
      if (twin.t === atS) twin.act(name, { kind: 'kill-apiservers' }, 'test');
    },
  };
}

test('an injected kill is counted and logged as such, not as an OOM kill', () => {
  const scenario = loadScenarioFile('scenarios/baseline-no-change.yaml');
  const name = scenario.clusters[0]?.name ?? '';
  const twin = new Twin({ ...scenario, durationS: 1800 }, { seed: 1 });
  twin.addController(killer(name, 300));
  twin.run();
  const { report } = twin.result();
  const c = report.clusters.find((x) => x.name === name);
  const replicas = scenario.model.apiServer.replicas;
  assert.deepEqual(
    { restarts: c?.controlPlane.apiServerRestarts, oom: c?.controlPlane.apiServerOomKills, injected: c?.controlPlane.apiServerInjectedKills },
    { restarts: replicas, oom: 0, injected: replicas },
  );
  const restarts = report.timeline.filter((e) => e.cluster === name && e.kind === 'control-plane');
  assert.ok(!restarts.some((e) => /OOM/.test(e.message)), restarts.map((e) => e.message).join('; '));
  const logged = restarts.filter((e) => /killed by an injected fault/.test(e.message));
  assert.equal(logged.length, 1);
  assert.equal(logged[0]?.at, twin.iso(300));
  assert.match(logged[0]?.message ?? '', new RegExp(`^${replicas} API servers killed by an injected fault \\(restarts 1–${replicas} of that cause\\)$`));
  // No other cluster restarted.
  for (const o of report.clusters) if (o.name !== name) assert.equal(o.controlPlane.apiServerRestarts, 0, o.name);
});

test('incident: every restart is an OOM kill, counted per cluster, and each crash loop starts with a logged OOM kill', () => {
  const { report } = run('openai-2024-12-11');
  for (const c of report.clusters) {
    const cp = c.controlPlane;
    assert.equal(cp.apiServerOomKills + cp.apiServerInjectedKills, cp.apiServerRestarts, c.name);
    assert.equal(cp.apiServerInjectedKills, 0, c.name);
    const oom = report.timeline.filter((e) => e.cluster === c.name && /^API server OOM-killed/.test(e.message));
    if (cp.apiServerOomKills === 0) assert.equal(oom.length, 0, c.name);
    else {
      assert.match(oom[0]?.message ?? '', /^API server OOM-killed \(memory at \d+ % of its limit before the kill\)$/, c.name);
      // Later entries only for a new crash loop (10 min or more after the last kill), never more than the kills.
      for (const e of oom.slice(1)) assert.match(e.message, /^API server OOM-killed again, (\d\d+) min after the last OOM kill/, c.name);
      assert.ok(oom.length <= cp.apiServerOomKills, c.name);
    }
    if (cp.lostAt !== null) assert.ok(cp.apiServerOomKills >= 10, `${c.name}: ${cp.apiServerOomKills} OOM kills`);
  }
});

test('apiserver_cpu_ratio: in [0, 1], 0 with no API server ready, the same as the observed sample, and halved by API servers with twice the CPU', () => {
  const scenario = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const big = scenario.clusters.findIndex((c) => c.nodes >= 5000);
  const name = scenario.clusters[big]?.name ?? '';
  const replicas = scenario.model.apiServer.replicas;
  let atFull = -1;
  let atDouble = -1;
  let samples = 0;
  const watch: Controller = {
    onStep(twin: TwinApi): void {
      if (twin.t === 0) return;
      const cpu = twin.metricAt(big, 'apiserver_cpu_ratio');
      assert.ok(cpu >= 0 && cpu <= 1, `cpu ${cpu}`);
      assert.equal(cpu, twin.observeAt(big).apiserver_cpu_ratio);
      if (twin.readyRatioAt(big) === 0) assert.equal(cpu, 0);
      samples++;
      if (twin.t === 600) {
        atFull = cpu;
        twin.act(name, { kind: 'scale-apiservers', replicas, memoryFactor: 1, cpuFactor: 2, provisionS: 60 }, 'test');
      }
      if (twin.t === 1200) atDouble = cpu;
      if (twin.t === 1800) twin.act(name, { kind: 'kill-apiservers' }, 'test');
    },
  };
  // No change: a steady cluster, its API servers' CPU doubled at 10 min, then killed at 30 min.
  const steady: { -readonly [K in keyof Scenario]: Scenario[K] } = { ...scenario, durationS: 2400, events: [] };
  delete steady.pipeline;
  delete steady.operators;
  const twin = new Twin(steady, { seed: 1, pipeline: false });
  twin.addController(watch);
  twin.run();
  assert.ok(samples > 2000);
  assert.ok(atFull > 0.01 && atFull < 0.5, `steady: ${atFull}`);
  assert.ok(Math.abs(atDouble / atFull - 0.5) < 0.02, `twice the CPU: ${atFull} → ${atDouble}`);
});

test('per-minute metrics carry cpu, APF saturation and etcd latency; they rise on a lost cluster before its loss', () => {
  const scenario = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const twin = new Twin(scenario, { seed: 1 });
  twin.run();
  const { report, series } = twin.result();
  const lines = [...twin.metricLines()].map((l) => JSON.parse(l) as Record<string, number | string>);
  assert.deepEqual(Object.keys(lines[0] ?? {}), ['at', 'cluster', 'success', 'p99', 'rate429', 'memory', 'dnsValid', 'servfail', 'error', 'notReady', 'ready', 'rps', 'cpu', 'apfSaturation', 'etcdLatency', 'fleetErrorRate']);
  const lost = report.clusters.filter((c) => c.controlPlane.lostAt !== null);
  for (const c of lost) {
    const rows = lines.filter((l) => l['cluster'] === c.name);
    const lostMin = minutes(report.scenario.start, c.controlPlane.lostAt ?? '');
    const appliedMin = Math.floor(minutes(report.scenario.start, c.changeAppliedAt ?? ''));
    const quiet = rows.slice(0, appliedMin);
    const leadUp = rows.slice(appliedMin, lostMin + 1);
    const max = (rs: typeof rows, k: string): number => Math.max(...rs.map((r) => r[k] as number));
    assert.ok(max(quiet, 'apfSaturation') < 0.5, `${c.name}: APF saturation before the change ${max(quiet, 'apfSaturation')}`);
    assert.ok(max(leadUp, 'apfSaturation') >= 0.9, `${c.name}: APF saturation before the loss ${max(leadUp, 'apfSaturation')}`);
    assert.ok(max(quiet, 'cpu') > 0 && max(rows, 'cpu') <= 1, `${c.name}: cpu ${max(quiet, 'cpu')}`);
    assert.ok(max(leadUp, 'etcdLatency') > 2 * max(quiet, 'etcdLatency'), `${c.name}: etcd ${max(quiet, 'etcdLatency')} → ${max(leadUp, 'etcdLatency')}`);
  }
  const large = series.bySizeClass.large;
  assert.ok(large !== undefined);
  assert.equal(large.cpuRatio.length, series.t.length);
  assert.ok(Math.max(...large.apfSaturation) >= 0.9 && Math.min(...large.apfSaturation) < 0.5);
  assert.ok(Math.max(...large.etcdLatencySeconds) > 0);
});

for (const seed of [1, 2, 3, 4, 5]) {
  test(`seed ${seed}: KubeAPIServerUnavailable fires once per lost control plane, near its loss, and resolves once, after its recovery; never on the others`, () => {
    const { report } = run('openai-2024-12-11', seed);
    const keepS = 300;
    for (const c of report.clusters) {
      const tl = report.timeline.filter((e) => e.cluster === c.name && e.kind === 'alert' && (e.message.startsWith('KubeAPIServerUnavailable ') || e.repeats?.rule === 'KubeAPIServerUnavailable'));
      const { lostAt, recoveredAt } = c.controlPlane;
      if (lostAt === null) {
        assert.deepEqual(tl, [], c.name);
        continue;
      }
      assert.deepEqual(tl.map((e) => e.message.split(' ')[1]), ['firing', 'resolved'], `${c.name}: ${tl.map((e) => e.message).join('; ')}`);
      const fired = minutes(lostAt, tl[0]?.at ?? '');
      assert.ok(fired >= -5 && fired <= 15, `${c.name}: lost ${lostAt}, fired ${tl[0]?.at}`);
      assert.ok(recoveredAt !== null, c.name);
      const resolved = minutes(recoveredAt, tl[1]?.at ?? '');
      // Resolved once the condition has been absent for keep_firing_for: after the first healthy minutes, within keep + 5 min of them.
      assert.ok(resolved >= 0 && resolved <= keepS / 60 + 5, `${c.name}: recovered ${recoveredAt}, resolved ${tl[1]?.at}`);
    }
  });
}

test('the incident ends healthy: the change removed from every cluster it reached, none rejecting requests or near its memory limit in the last minute (seed 1)', () => {
  const twin = new Twin(loadScenarioFile('scenarios/openai-2024-12-11.yaml'), { seed: 1 });
  twin.run();
  const { report } = twin.result();
  const last = report.scenario.end.slice(0, 16);
  const end = [...twin.metricLines()].map((l) => JSON.parse(l) as Record<string, number | string>).filter((l) => typeof l['at'] === 'string' && Date.parse(l['at']) === Date.parse(`${last}:00${report.scenario.end.slice(19)}`) - 60_000);
  assert.equal(end.length, report.clusters.length);
  for (const l of end) {
    assert.ok((l['rate429'] as number) < 0.01, `${l['cluster']}: 429 ratio ${l['rate429']}`);
    assert.ok((l['memory'] as number) < 0.9, `${l['cluster']}: memory ${l['memory']}`);
    assert.ok((l['success'] as number) >= 0.99, `${l['cluster']}: success ${l['success']}`);
  }
  for (const c of report.clusters) {
    assert.ok(c.changeAppliedAt !== null && c.changeRemovedAt !== null && !c.atEnd.changeDeployed, `${c.name}: applied ${c.changeAppliedAt}, removed ${c.changeRemovedAt}`);
  }
  assert.deepEqual(report.fleet.atEnd, { clustersDegraded: 0, controlPlanesLost: 0, alertsFiring: 0, changeDeployed: 0, degradedWithChange: 0 });
});
