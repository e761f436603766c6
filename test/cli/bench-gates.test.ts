/**
 * `firebreak bench gates` (the real CLI, real promtool and Prometheus) on a
 * small wave: one range query per gate metric for all clusters, whatever
 * their number, and every cluster's every gate series answered. No timing
 * goal here (the figure is the benchmark's, docs/performance.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../orchestrator/procs.ts';

test('bench gates batches: 15 queries per evaluation for 3 clusters as for 40, each cluster answered', () => {
  for (const clusters of [3, 40]) {
    const r = cli(['bench', 'gates', '--clusters', String(clusters), '--rounds', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { queriesPerEvaluation: number; seriesPerCluster: number; seriesWithoutData: number; clusters: number };
    assert.equal(out.clusters, clusters);
    assert.equal(out.queriesPerEvaluation, 15, 'one per gate metric (14 plus the per-level APF gate), not one per cluster');
    assert.equal(out.seriesPerCluster, 16, '14 gate series plus APF seat utilisation for 2 priority levels');
    assert.equal(out.seriesWithoutData, 0);
  }
});
