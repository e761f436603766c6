/**
 * Acceptance 3 of the fleet-twin issue: the conclusions hold for seeds 1–20
 * (the figures may move). Each seed runs the incident, serve-stale and
 * break-glass scenarios (~15 s per seed on this machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pst, run } from '../helpers/runs.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

for (const seed of SEEDS) {
  test(`seed ${seed}: large clusters lost, small ones not, customers hit; serve-stale and break-glass hold`, () => {
    const incident = run('openai-2024-12-11', seed).report;
    for (const c of incident.clusters) {
      if (c.nodes >= 2000) {
        const lost = Date.parse(c.controlPlane.lostAt ?? '');
        assert.ok(lost >= pst('14:51') && lost <= pst('15:30'), `seed ${seed}: ${c.name} (${c.nodes}) lost at ${c.controlPlane.lostAt}`);
      }
      if (c.nodes <= 300) assert.equal(c.controlPlane.lostAt, null, `seed ${seed}: ${c.name} (${c.nodes})`);
    }
    assert.ok(Date.parse(incident.fleet.firstAlertAt ?? '') <= pst('15:16'), `seed ${seed}: first alert ${incident.fleet.firstAlertAt}`);
    assert.ok(incident.fleet.peakErrorRate >= 0.01, `seed ${seed}: customers impacted`);

    const stale = run('openai-2024-12-11-serve-stale', seed).report.fleet;
    assert.ok(stale.clustersLost >= 10 && stale.peakErrorRate < 0.01, `seed ${seed}: serve-stale lost ${stale.clustersLost}, peak ${stale.peakErrorRate}`);

    const glass = run('openai-2024-12-11-break-glass', seed).report.fleet;
    assert.ok(glass.fullRecoveryAt !== null && Date.parse(glass.fullRecoveryAt) < pst('16:00'), `seed ${seed}: break-glass full recovery ${glass.fullRecoveryAt}`);
  });
}

test('operators are locked out: the first delete fails on ≥ 80 % of lost clusters, for seeds 1–20', () => {
  const misses: string[] = [];
  for (const seed of SEEDS) {
    const incident = run('openai-2024-12-11', seed).report;
    const lost = new Set(incident.clusters.filter((c) => c.controlPlane.lostAt !== null).map((c) => c.name));
    const firstTries = incident.timeline.filter((e) => e.kind === 'operator' && e.cluster !== null && lost.has(e.cluster) && e.message.includes('(attempt 1,'));
    const failed = firstTries.filter((e) => e.message.includes('failed')).length;
    if (!(firstTries.length >= 5 && failed / firstTries.length >= 0.8)) misses.push(`seed ${seed}: ${failed} of ${firstTries.length}`);
  }
  assert.deepEqual(misses, []);
});

test('every seed 1–20 reaches full recovery of the incident within the run', () => {
  const misses: string[] = [];
  for (const seed of SEEDS) {
    const { report } = run('openai-2024-12-11', seed);
    if (report.fleet.fullRecoveryAt === null || Date.parse(report.fleet.fullRecoveryAt) > Date.parse(report.scenario.end)) {
      const unrecovered = report.clusters.filter((c) => c.controlPlane.lostAt !== null && c.controlPlane.recoveredAt === null).map((c) => c.name);
      misses.push(`seed ${seed}: full recovery ${report.fleet.fullRecoveryAt}, not recovered: ${unrecovered.join(', ')}`);
    }
  }
  assert.deepEqual(misses, []);
});

test('baseline: no alert in 6 hours for seeds 1–20', () => {
  for (const seed of SEEDS) assert.equal(run('baseline-no-change', seed).report.fleet.firstAlertAt, null, `seed ${seed}`);
});
