/** Wave strategy and node batches: the largest size class early, a small first wave, geometric growth, every cluster once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadFleetFile } from '../../src/input/fleet.ts';
import { expandFleet, SIZE_CLASSES, type Cluster } from '../../src/model/fleet.ts';
import { DEFAULT_WAVES } from '../../src/orchestrator/plan.ts';
import { explicitWaves, generateWaves, resolveBatches, stratifiedOrder } from '../../src/orchestrator/waves.ts';

const largestClass = (cs: readonly Cluster[]) => SIZE_CLASSES.filter((s) => cs.some((c) => c.sizeClass === s)).at(-1);

test('the default strategy on the incident fleet: 1 small cluster, then the largest xlarge cluster, then doubling', () => {
  const fleet = loadFleetFile('fleets/openai-like.yaml').clusters;
  const waves = generateWaves(fleet, DEFAULT_WAVES);
  assert.equal(waves[0]?.length, 1);
  assert.equal(waves[0]?.[0]?.sizeClass, 'small');
  assert.equal(waves[1]?.length, 2);
  const big = waves[1]?.[0];
  assert.equal(big?.sizeClass, 'xlarge');
  assert.equal(big?.nodes, Math.max(...fleet.map((c) => c.nodes)));
  assert.deepEqual(waves.map((w) => w.length), [1, 2, 4, 8, 16, 32, 64, 73]);
  assert.equal(new Set(waves.flat().map((c) => c.name)).size, fleet.length);
});

test('invariants for any fleet: first wave ≤ 2, a cluster of the largest class by wave 2, each cluster exactly once', () => {
  const arb = fc.record({
    count: fc.integer({ min: 1, max: 300 }),
    median: fc.integer({ min: 20, max: 3000 }),
    firstWave: fc.integer({ min: 1, max: 2 }),
    largestClassBy: fc.integer({ min: 1, max: 2 }),
    growth: fc.constantFrom(1.5, 2, 3),
    seed: fc.integer({ min: 1, max: 100 }),
  });
  fc.assert(
    fc.property(arb, (a) => {
      const fleet = expandFleet({ generate: { count: a.count, nodes: { min: 10, max: 8000, median: Math.min(a.median, 8000) } } }, a.seed);
      const waves = generateWaves(fleet, { ...DEFAULT_WAVES, firstWave: a.firstWave, largestClassBy: a.largestClassBy, growth: a.growth });
      assert.ok((waves[0]?.length ?? 0) >= 1 && (waves[0]?.length ?? 0) <= 2);
      const top = largestClass(fleet);
      const early = waves.slice(0, a.largestClassBy).flat();
      assert.ok(early.some((c) => c.sizeClass === top), `no ${top} cluster in waves 1..${a.largestClassBy}`);
      const names = waves.flat().map((c) => c.name);
      assert.equal(names.length, fleet.length);
      assert.equal(new Set(names).size, fleet.length);
      for (let i = 3; i < waves.length - 1; i++) assert.ok((waves[i]?.length ?? 0) >= (waves[i - 1]?.length ?? 0), 'waves grow');
    }),
    { numRuns: 150, seed: 5 },
  );
});

test('the stratified order mixes size classes in proportion', () => {
  const fleet = expandFleet({ clusters: [...Array.from({ length: 8 }, (_, i) => ({ name: `s${i}`, nodes: 100 + i })), { name: 'x0', nodes: 6000 }, { name: 'x1', nodes: 7000 }] }, 1);
  const order = stratifiedOrder(fleet).map((c) => c.name);
  assert.ok(order.indexOf('x0') < 5 && order.indexOf('x1') >= 5, order.join(' '));
});

test('explicit waves: selectors, counts, percentages; empty waves and left-over clusters are problems', () => {
  const fleet = loadFleetFile('fleets/openai-like.yaml').clusters;
  const { waves, problems } = explicitWaves(fleet, [
    { name: 'canary', clusters: { names: ['ap-south-07'] }, approval: false },
    { name: 'big', clusters: { sizeClasses: ['xlarge'] }, count: 1, approval: true },
    { name: 'ten', clusters: {}, percent: 10, approval: false },
    { name: 'rest', clusters: {}, approval: false },
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(waves.map((w) => w.length), [1, 1, 20, 178]);
  const r = explicitWaves(fleet, [{ name: 'a', clusters: { names: ['ap-south-07'] }, approval: false }, { name: 'b', clusters: { names: ['ap-south-07'] }, approval: false }]);
  assert.deepEqual(r.problems.map((p) => p.wave), [1, -1]);
});

test('node batches: rounded up, never beyond the cluster, growing, ending with every node', () => {
  const d = [{ nodes: 1 }, { percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }];
  assert.deepEqual(resolveBatches(7500, d).map((b) => b.nodes), [1, 75, 750, 3750, 7500]);
  assert.deepEqual(resolveBatches(50, d).map((b) => b.nodes), [1, 5, 25, 50]);
  assert.deepEqual(resolveBatches(1, d).map((b) => b.nodes), [1]);
  assert.deepEqual(resolveBatches(10, [{ nodes: 20 }]).map((b) => b.nodes), [10]);
  assert.deepEqual(resolveBatches(10, [{ percent: 30 }]).map((b) => b.nodes), [3, 10]);
  for (const n of [1, 2, 3, 7, 99, 100, 101, 4999]) {
    const b = resolveBatches(n, d);
    assert.equal(b.at(-1)?.fraction, 1);
    for (let i = 1; i < b.length; i++) assert.ok((b[i]?.nodes ?? 0) > (b[i - 1]?.nodes ?? 0));
  }
});
