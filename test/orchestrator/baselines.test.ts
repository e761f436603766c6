/**
 * Choosing a canary's baselines (src/orchestrator/baselines.ts) by bounded
 * insertion gives exactly what sorting the whole pool by nearness and taking
 * the first of its nearest size class gives (the decision core's rule before
 * the selection was made cheap), on random fleets and rollout states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chooseBaselines } from '../../src/orchestrator/baselines.ts';
import type { SpecCluster } from '../../src/orchestrator/compile.ts';
import type { ClusterPhase, ClusterState } from '../../src/orchestrator/state.ts';

const SIZE_RANK = { small: 0, medium: 1, large: 2, xlarge: 3 } as const;
type Nearness = readonly [classDistance: number, sameWave: number, logSizeRatio: number, name: string];
function compareNearness(a: Nearness, b: Nearness): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** The rule written the plain way (the decision core's code before): sort every candidate of the pool, keep the nearest class's first `max`. */
function reference(clusters: readonly SpecCluster[], states: readonly ClusterState[], canaryIndex: number, max: number): string[] {
  const canary = clusters[canaryIndex] as SpecCluster;
  const unchanged: { name: string; nearness: Nearness }[] = [];
  const controls: { name: string; nearness: Nearness }[] = [];
  clusters.forEach((other, index) => {
    if (index === canaryIndex) return;
    const state = states[index] as ClusterState;
    const near: Nearness = [Math.abs(SIZE_RANK[other.sizeClass] - SIZE_RANK[canary.sizeClass]), other.wave === canary.wave ? 1 : 0, Math.abs(Math.log(other.nodes / canary.nodes)), other.name];
    if (state.phase === 'pending' && state.startedAt === null) unchanged.push({ name: other.name, nearness: near });
    else if (state.phase === 'done' && other.wave < canary.wave) controls.push({ name: other.name, nearness: near });
  });
  const pool = unchanged.length > 0 ? unchanged : controls;
  pool.sort((a, b) => compareNearness(a.nearness, b.nearness));
  const nearestClass = pool[0]?.nearness[0];
  return pool
    .filter((candidate) => candidate.nearness[0] === nearestClass)
    .slice(0, max)
    .map((candidate) => candidate.name);
}

const PHASES: readonly ClusterPhase[] = ['pending', 'snapshot', 'applying', 'retry-wait', 'rolling-out', 'baking', 'done', 'rolling-back', 'rolled-back'];

const world = fc
  .array(
    fc.record({
      sizeClass: fc.constantFrom('small', 'medium', 'large', 'xlarge'),
      // Few distinct sizes and waves: ties on every key but the name.
      nodes: fc.oneof(fc.constantFrom(50, 100, 400, 1000, 7500), fc.integer({ min: 1, max: 8000 })),
      wave: fc.integer({ min: 0, max: 4 }),
      phase: fc.constantFrom(...PHASES),
      started: fc.boolean(),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .chain((rows) => fc.record({ rows: fc.constant(rows), canary: fc.integer({ min: 0, max: rows.length - 1 }), max: fc.integer({ min: 1, max: 8 }), order: fc.shuffledSubarray(rows.map((_, i) => i), { minLength: rows.length, maxLength: rows.length }) }));

test('bounded insertion chooses the same baselines, in the same order, as sorting the pool', () => {
  fc.assert(
    fc.property(world, ({ rows, canary, max, order }) => {
      // Names in a shuffled order, so that the spec's order is not the names' order.
      const clusters: SpecCluster[] = rows.map((row, i) => ({ name: `c${String(order[i]).padStart(3, '0')}`, nodes: row.nodes, sizeClass: row.sizeClass, wave: row.wave, batches: [{ nodes: row.nodes, fraction: 1 }] }));
      const states = rows.map((row) => ({ phase: row.phase, startedAt: row.started ? 1 : null }) as unknown as ClusterState);
      assert.deepEqual(chooseBaselines(clusters, states, canary, max), reference(clusters, states, canary, max));
    }),
    { numRuns: 2000 },
  );
});

test('a canary with no unchanged cluster is compared with controls of earlier waves; with neither, with none', () => {
  const spec = (name: string, wave: number, nodes: number): SpecCluster => ({ name, nodes, sizeClass: 'medium', wave, batches: [{ nodes, fraction: 1 }] });
  const clusters = [spec('a', 0, 100), spec('b', 0, 120), spec('c', 1, 110), spec('d', 1, 500)];
  const state = (phase: ClusterPhase, startedAt: number | null): ClusterState => ({ phase, startedAt }) as unknown as ClusterState;
  assert.deepEqual(chooseBaselines(clusters, [state('done', 1), state('done', 1), state('snapshot', 2), state('pending', null)], 2, 4), ['d']);
  assert.deepEqual(chooseBaselines(clusters, [state('done', 1), state('done', 1), state('snapshot', 2), state('baking', 2)], 2, 4), ['b', 'a']);
  assert.deepEqual(chooseBaselines(clusters, [state('done', 1), state('done', 1), state('snapshot', 2), state('baking', 2)], 2, 1), ['b']);
  assert.deepEqual(chooseBaselines(clusters, [state('rolling-back', 1), state('baking', 1), state('snapshot', 2), state('baking', 2)], 2, 4), []);
});
