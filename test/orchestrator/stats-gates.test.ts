/** Statistics (median, Mann-Whitney U) and gate verdicts: thresholds, baseline comparison, fleet-wide events, missing data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gateCatalogue, type GateSeries } from '../../src/orchestrator/gate-catalogue.ts';
import { evaluateGates, gateIssues, type GateInput } from '../../src/orchestrator/gates.ts';
import type { SeriesWindow } from '../../src/orchestrator/ports.ts';
import { DEFAULT_EVALUATION } from '../../src/orchestrator/plan.ts';
import { median } from '../../src/core/number.ts';
import { mannWhitneyU, upperTail } from '../../src/orchestrator/stats.ts';

test('median of odd, even and empty lists; the input is left alone', () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

/** Exact one-sided p of U ≥ u by enumerating every split of the pooled values (small samples). */
function exactP(x: readonly number[], y: readonly number[]): number {
  const all = [...x, ...y];
  const n1 = x.length;
  const u0 = mannWhitneyU(x, y).u;
  let hits = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === n1) {
      const xs = chosen.map((i) => all[i] ?? 0);
      const ys = all.filter((_, i) => !chosen.includes(i));
      total++;
      if (mannWhitneyU(xs, ys).u >= u0 - 1e-9) hits++;
      return;
    }
    for (let i = start; i < all.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return hits / total;
}

test('Mann-Whitney U: U counts the pairs the canary wins; p tracks the exact permutation test', () => {
  const r = mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4]);
  assert.equal(r.u, 16);
  assert.ok(r.pGreater < 0.03);
  assert.equal(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).u, 0);
  assert.ok(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).pGreater > 0.97);
  // Ties count one half; all tied: no evidence.
  assert.equal(mannWhitneyU([1, 1], [1, 1]).u, 2);
  assert.equal(mannWhitneyU([1, 1], [1, 1]).pGreater, 1);
  assert.equal(mannWhitneyU([], [1]).pGreater, 1);
  // Normal approximation with continuity correction against exact p-values, moderate samples.
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 7 }), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 7 }), (x, y) => {
      const approx = mannWhitneyU(x, y).pGreater;
      const exact = exactP(x, y);
      assert.ok(Math.abs(approx - exact) < 0.05, `approx ${approx} exact ${exact}`);
    }),
    { numRuns: 40, seed: 7 },
  );
  assert.ok(Math.abs(upperTail(1.959964) - 0.025) < 1e-6);
});

const NOW = 1_000_000;
function series(values: readonly number[], stepMs = 15_000, end = NOW): SeriesWindow {
  return { times: values.map((_, i) => end - (values.length - 1 - i) * stepMs), values: [...values] };
}
const gate = (name: string): GateSeries => {
  const g = gateCatalogue().find((x) => x.name === name);
  if (g === undefined) throw new Error(name);
  return { gate: g, series: g.metric };
};
function input(metric: string, canary: readonly number[], canaryPre: number, baselines: readonly (readonly [readonly number[], number])[]): GateInput {
  return {
    now: NOW,
    canary: { [metric]: series(canary) },
    canaryPre: { [metric]: canaryPre },
    baselines: baselines.map(([v, pre], i) => ({ cluster: `b${i}`, series: { [metric]: series(v) }, pre: { [metric]: pre } })),
    compareFrom: 0,
  };
}
const P = DEFAULT_EVALUATION;

test('a canary-only regression under every threshold fails (etcd latency 4× its level, baseline flat)', () => {
  const g = gate('etcd-latency');
  const flat = [0.0057, 0.0057, 0.0057, 0.0057, 0.0057, 0.0057, 0.0057, 0.0057];
  const [r] = evaluateGates([g], input(g.series, [0.02, 0.021, 0.02, 0.022, 0.02, 0.021, 0.02, 0.02], 0.0057, [[flat, 0.0057], [flat, 0.0057], [flat, 0.0057]]), P);
  assert.equal(r?.verdict, 'fail');
  assert.equal(r?.reason, 'regression');
  assert.ok((r?.p ?? 1) < 0.02 && (r?.effect ?? 0) > (r?.allowed ?? 1));
});

test('a fleet-wide event does not fail the canary: the baseline moved the same way', () => {
  const g = gate('etcd-latency');
  const slow = [0.2, 0.21, 0.2, 0.2, 0.22, 0.2, 0.21, 0.2];
  const [r] = evaluateGates([g], input(g.series, slow, 0.0057, [[slow, 0.0057], [slow.map((x) => x + 0.001), 0.0058]]), P);
  assert.equal(r?.verdict, 'pass');
  // The same canary judged only against its own past would have been blamed.
  const [alone] = evaluateGates([g], input(g.series, slow, 0.0057, []), P);
  assert.equal(alone?.verdict, 'fail');
});

test('thresholds: beyond while the baseline is fine fails; beyond together with the baseline holds', () => {
  const g = gate('api-latency-single-object');
  const high = [2, 2.2, 2.1, 2.3];
  const fine = [0.04, 0.04, 0.04, 0.04];
  const [fail] = evaluateGates([g], input(g.series, high, 0.04, [[fine, 0.04], [fine, 0.04]]), P);
  assert.deepEqual([fail?.verdict, fail?.reason], ['fail', 'threshold']);
  const [hold] = evaluateGates([g], input(g.series, high, 0.04, [[high, 0.04], [high, 0.04]]), P);
  assert.deepEqual([hold?.verdict, hold?.reason], ['hold', 'fleet-wide']);
  // One sample beyond is not a breach (breachSamples = 2).
  const [once] = evaluateGates([g], input(g.series, [0.04, 0.04, 0.04, 1.5], 0.04, [[fine, 0.04]]), P);
  assert.equal(once?.verdict, 'pass');
});

test('lower-is-worse metrics (API success ratio) are judged the same way, downwards', () => {
  const g = gate('api-errors');
  const [r] = evaluateGates([g], input(g.series, [0.95, 0.94, 0.93, 0.9], 1, [[[1, 1, 1, 1], 1]]), P);
  assert.deepEqual([r?.verdict, r?.reason], ['fail', 'threshold']);
  const [ok] = evaluateGates([g], input(g.series, [1, 1, 0.999, 1], 1, [[[1, 1, 1, 1], 1]]), P);
  assert.equal(ok?.verdict, 'pass');
});

test('missing and stale series are nodata, not a pass', () => {
  const g = gate('apiserver-memory');
  const missing: GateInput = { now: NOW, canary: {}, canaryPre: {}, baselines: [], compareFrom: 0 };
  assert.equal(evaluateGates([g], missing, P)[0]?.reason, 'missing');
  const stale: GateInput = { ...input(g.series, [0.1, 0.1], 0.1, []), canary: { [g.series]: series([0.1, 0.1], 15_000, NOW - 120_000) } };
  assert.equal(evaluateGates([g], stale, P)[0]?.reason, 'stale');
});

test('the fast path agrees with the full evaluation on random inputs', () => {
  const gates = gateCatalogue().filter((g) => g.kind === 'metric').map((g) => ({ gate: g, series: g.metric }));
  const vals = fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 9 });
  fc.assert(
    fc.property(vals, fc.double({ min: 0, max: 2, noNaN: true }), fc.array(fc.tuple(vals, fc.double({ min: 0, max: 2, noNaN: true })), { maxLength: 4 }), (c, pre, bs) => {
      const inp: GateInput = {
        now: NOW,
        canary: Object.fromEntries(gates.map((g) => [g.series, series(c)])),
        canaryPre: Object.fromEntries(gates.map((g) => [g.series, pre])),
        baselines: bs.map(([v, p], i) => ({ cluster: `b${i}`, series: Object.fromEntries(gates.map((g) => [g.series, series(v)])), pre: Object.fromEntries(gates.map((g) => [g.series, p])) })),
        compareFrom: 0,
      };
      const full = evaluateGates(gates, inp, P);
      const fast = gateIssues(gates, inp, P);
      assert.deepEqual(fast.issues, full.filter((r) => r.verdict !== 'pass'));
      assert.equal(fast.passed, full.filter((r) => r.verdict === 'pass').length);
    }),
    { numRuns: 200, seed: 11 },
  );
});
