/** Acceptance 2 of the fleet-twin issue: serve-stale, break-glass and the baseline, seed 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pst, run } from '../helpers/runs.ts';

test('serve-stale keeps the fleet error rate under 1 % although control planes are lost', () => {
  const { fleet } = run('openai-2024-12-11-serve-stale').report;
  assert.ok(fleet.clustersLost >= 10, `control planes lost: ${fleet.clustersLost}`);
  assert.ok(fleet.peakErrorRate < 0.01, `peak error rate ${fleet.peakErrorRate}`);
});

test('break-glass brings full recovery before 16:00', () => {
  const { fleet } = run('openai-2024-12-11-break-glass').report;
  assert.ok(fleet.fullRecoveryAt !== null && Date.parse(fleet.fullRecoveryAt) < pst('16:00'), `full recovery ${fleet.fullRecoveryAt}`);
});

test('break-glass operators succeed on their first delete attempt', () => {
  const tl = run('openai-2024-12-11-break-glass').report.timeline;
  const first = tl.filter((e) => e.kind === 'operator' && e.message.includes('(attempt 1,'));
  assert.ok(first.length > 0);
  for (const e of first) assert.match(e.message, /succeeded/);
});

test('the baseline raises no alert in 6 hours', () => {
  const { report } = run('baseline-no-change');
  assert.equal(report.fleet.firstAlertAt, null);
  assert.equal(report.fleet.clustersLost, 0);
  assert.equal(report.timeline.filter((e) => e.kind === 'alert').length, 0);
  assert.equal(report.fleet.availability, 1);
});
