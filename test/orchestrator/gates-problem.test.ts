/**
 * A metric source's problems (SeriesWindow.problem: no data, NaN, stale,
 * unreachable, timeout, query error) through the gates and the decision
 * core: never a pass, whatever samples the window holds; the result keeps
 * the source's words; the halt (or pause) reason names the outcome; a
 * baseline cluster with a problem is left out of the comparison.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gateCatalogue, type GateSeries } from '../../src/orchestrator/gate-catalogue.ts';
import { describeResult, evaluateGates, type GateInput } from '../../src/orchestrator/gates.ts';
import type { SeriesProblemKind, SeriesWindow } from '../../src/orchestrator/ports.ts';
import { DEFAULT_EVALUATION } from '../../src/orchestrator/plan.ts';
import { issue, run, smallPlan, specOf } from './harness.ts';

const NOW = 1_000_000_000;
const rejections = gateCatalogue().find((g) => g.name === 'api-rejections');
assert.ok(rejections !== undefined);
const G: GateSeries = { gate: rejections, series: 'apiserver_429_ratio' };
const KINDS: readonly SeriesProblemKind[] = ['no-data', 'nan', 'stale', 'unreachable', 'query-error', 'timeout'];

function steady(value: number, n = 8): SeriesWindow {
  return { times: Array.from({ length: n }, (_, i) => NOW - (n - 1 - i) * 15_000), values: Array.from({ length: n }, () => value) };
}

function input(canary: SeriesWindow, baselines: readonly SeriesWindow[] = []): GateInput {
  return {
    now: NOW,
    canary: { apiserver_429_ratio: canary },
    canaryPre: { apiserver_429_ratio: 0 },
    baselines: baselines.map((w, i) => ({ cluster: `b${i}`, series: { apiserver_429_ratio: w }, pre: { apiserver_429_ratio: 0 } })),
    compareFrom: NOW - 200_000,
  };
}

test('a window with a problem is nodata with the source’s words, and the description names the outcome', () => {
  const message = 'no data for apiserver_429_ratio in cluster prod-a: query returned no series';
  const [r] = evaluateGates([G], input({ times: [], values: [], problem: { kind: 'no-data', message } }), DEFAULT_EVALUATION);
  assert.equal(r?.verdict, 'nodata');
  assert.equal(r?.reason, 'missing');
  assert.equal(r?.problem, message);
  assert.equal(describeResult('prod-a', r ?? issue('x', 'nodata', 'missing', true)), `api-rejections on prod-a: ${message}`);
  const [stale] = evaluateGates([G], input({ times: [], values: [], problem: { kind: 'stale', message: 'apiserver_429_ratio in cluster prod-a is stale: its newest sample is 300 s old (staleAfter 60 s)' } }), DEFAULT_EVALUATION);
  assert.equal(stale?.reason, 'stale');
  // Without a problem, results are as before: no `problem` field at all (the twin's outputs stay byte-identical).
  const [plain] = evaluateGates([G], input({ times: [], values: [] }), DEFAULT_EVALUATION);
  assert.equal('problem' in (plain ?? {}), false);
  assert.equal(describeResult('prod-a', plain ?? issue('x', 'nodata', 'missing', true)), 'api-rejections on prod-a: no samples of apiserver_429_ratio');
});

test('property: whatever its samples, a canary window with a problem never passes', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 0, maxLength: 12 }), fc.constantFrom(...KINDS), (values, kind) => {
      const w: SeriesWindow = { times: values.map((_, i) => NOW - (values.length - 1 - i) * 15_000), values, problem: { kind, message: kind } };
      const [r] = evaluateGates([G], input(w, [steady(0), steady(0)]), DEFAULT_EVALUATION);
      return r?.verdict === 'nodata' && r.problem === kind;
    }),
  );
});

test('a baseline cluster with a problem is left out of the baseline', () => {
  const canary = steady(0.5);
  const [withBad] = evaluateGates([G], input(canary, [steady(0.5), { ...steady(0.5), problem: { kind: 'timeout', message: 't' } }]), DEFAULT_EVALUATION);
  assert.equal(withBad?.baselineClusters, 1);
});

test('the halt and pause reasons name the source’s outcome', () => {
  const message = 'cannot read apiserver_429_ratio in cluster a: Prometheus at http://127.0.0.1:9 is unreachable (ECONNREFUSED)';
  const nodata = [issue('api-rejections', 'nodata', 'missing', true, { value: null, problem: message })];
  const halt = run(specOf(smallPlan()), { gates: (c, _s, s) => (c === 'a' && s > 40 ? nodata : []) });
  assert.equal(halt.state.phase, 'halted');
  assert.equal(halt.state.halt?.by, 'missing-data');
  assert.equal(halt.state.halt?.message, `api-rejections on a: ${message} (metrics fail closed)`);
  const base = smallPlan();
  const pause = run(specOf({ ...base, evaluation: { ...base.evaluation, missingData: 'pause' } }), { gates: (c, _s, s) => (c === 'a' && s > 40 ? nodata : []) });
  assert.equal(pause.state.phase, 'paused');
  assert.match(pause.state.pauseReason ?? '', /is unreachable \(ECONNREFUSED\)/);
});
