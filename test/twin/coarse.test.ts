/**
 * Coarse steps of clusters whose API servers are all down (docs/model.md) are
 * an engine shortcut, not part of the model: the incident with every step 1 s
 * (`engine.coarseDownStepS: 0`) and with the default must tell the same story.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type RunReport, type Scenario } from '../../src/twin/index.ts';
import { minutes, run } from '../helpers/runs.ts';

function withCoarse(s: Scenario, coarseDownStepS: number): Scenario {
  return { ...s, model: { ...s.model, engine: { coarseDownStepS } } };
}

function simulate(s: Scenario, seed: number): RunReport {
  const twin = new Twin(s, { seed });
  twin.run();
  return twin.result().report;
}

function earliestRecovery(r: RunReport): string {
  const times = r.clusters.map((c) => c.controlPlane.recoveredAt).filter((x): x is string => x !== null);
  assert.ok(times.length > 0, 'some control plane recovers');
  return times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

test('coarse steps while the API is down: the incident tells the same story as 1 s steps (seed 1)', () => {
  const scenario = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  assert.ok(scenario.model.engine.coarseDownStepS >= 2, 'the shipped scenario uses coarse steps');
  const fine = simulate(withCoarse(scenario, 0), 1);
  const coarse = run('openai-2024-12-11', 1).report;
  const lost = (r: RunReport): string[] => r.clusters.filter((c) => c.controlPlane.lostAt !== null).map((c) => c.name);
  assert.deepEqual(lost(coarse), lost(fine), 'the same clusters lose their control plane');
  const f = fine.fleet;
  const c = coarse.fleet;
  for (const k of ['firstAlertAt', 'firstCustomerImpactAt', 'maxImpactAt', 'fullRecoveryAt'] as const) {
    const a = f[k];
    const b = c[k];
    assert.ok(a !== null && b !== null, `${k}: ${a} / ${b}`);
    assert.ok(Math.abs(minutes(a, b)) <= 2, `${k}: 1 s steps ${a}, coarse ${b}`);
  }
  assert.ok(Math.abs(minutes(earliestRecovery(fine), earliestRecovery(coarse))) <= 2, 'first recovery');
  assert.ok(Math.abs(f.peakErrorRate - c.peakErrorRate) <= 0.02, `peak error ${f.peakErrorRate} / ${c.peakErrorRate}`);
  assert.ok(Math.abs(f.availability - c.availability) <= 0.005, `availability ${f.availability} / ${c.availability}`);
});

test('a large cluster crash-looping alone for an hour: lost at the same minute, as many API server restarts within 20 %, with or without coarse steps', () => {
  const base = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const big = base.clusters.reduce((a, b) => (b.nodes > a.nodes ? b : a));
  const rest: Scenario = { ...base };
  delete (rest as { operators?: unknown }).operators;
  delete (rest as { pipeline?: unknown }).pipeline;
  const alone: Scenario = { ...rest, clusters: [big], durationS: 3600, events: [{ atS: 60, clusters: { names: [big.name] }, action: { kind: 'apply-change', nodeFraction: 1 } }] };
  const fine = simulate(withCoarse(alone, 0), 3).clusters[0];
  const coarse = simulate(withCoarse(alone, 10), 3).clusters[0];
  assert.ok(fine !== undefined && coarse !== undefined);
  assert.ok(fine.controlPlane.lostAt !== null && coarse.controlPlane.lostAt !== null, 'the cluster is lost');
  assert.ok(Math.abs(minutes(fine.controlPlane.lostAt, coarse.controlPlane.lostAt)) <= 1, `lost at ${fine.controlPlane.lostAt} / ${coarse.controlPlane.lostAt}`);
  const a = fine.controlPlane.apiServerRestarts;
  const b = coarse.controlPlane.apiServerRestarts;
  assert.ok(a >= 5 && Math.abs(a - b) <= 0.2 * a, `restarts ${a} / ${b}`);
});
