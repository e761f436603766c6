/**
 * Acceptance 1 of the fleet-twin issue: scenarios/openai-2024-12-11.yaml,
 * seed 1, reproduces the published timeline (docs/twin-calibration.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pst, run } from '../helpers/runs.ts';

const r = () => run('openai-2024-12-11').report;
const at = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));

test('every cluster with ≥ 2,000 nodes loses its control plane between 14:51 and 15:30', () => {
  const large = r().clusters.filter((c) => c.nodes >= 2000);
  assert.ok(large.length >= 10, 'the fleet has large clusters');
  for (const c of large) {
    const lost = at(c.controlPlane.lostAt);
    assert.ok(lost >= pst('14:51') && lost <= pst('15:30'), `${c.name} (${c.nodes} nodes) lost at ${c.controlPlane.lostAt}`);
  }
});

test('no cluster with ≤ 300 nodes loses its control plane', () => {
  const small = r().clusters.filter((c) => c.nodes <= 300);
  assert.ok(small.length >= 50);
  for (const c of small) assert.equal(c.controlPlane.lostAt, null, `${c.name} (${c.nodes} nodes)`);
});

test('operators fail to delete the DaemonSet at first in most lost clusters (the lockout)', () => {
  const tl = r().timeline;
  const lost = r().clusters.filter((c) => c.controlPlane.lostAt !== null);
  let lockedOut = 0;
  let worked = 0;
  for (const c of lost) {
    const first = tl.find((e) => e.cluster === c.name && e.kind === 'operator' && e.message.includes('kubectl delete'));
    if (first === undefined) continue;
    worked++;
    if (/failed/.test(first.message)) lockedOut++;
  }
  assert.ok(worked >= 5, `operators worked on ${worked} clusters`);
  assert.ok(lockedOut / worked >= 0.8, `first attempt failed on ${lockedOut} of ${worked} clusters`);
});

test('the first alert fires by 15:16', () => {
  assert.ok(at(r().fleet.firstAlertAt) <= pst('15:16'), `first alert ${r().fleet.firstAlertAt}`);
});

test('customer impact begins at 15:16 ± 4 min', () => {
  const t = at(r().fleet.firstCustomerImpactAt);
  assert.ok(Math.abs(t - pst('15:16')) <= 4 * 60_000, `impact at ${r().fleet.firstCustomerImpactAt}`);
});

test('maximum impact at 15:40 ± 8 min', () => {
  const t = at(r().fleet.maxImpactAt);
  assert.ok(Math.abs(t - pst('15:40')) <= 8 * 60_000, `max impact at ${r().fleet.maxImpactAt}`);
});

test('operators cannot delete the DaemonSet while the API is overloaded, and can once remedies take hold', () => {
  const tl = r().timeline;
  const lost = r().clusters.filter((c) => c.controlPlane.lostAt !== null);
  let checked = 0;
  for (const c of lost) {
    const attempts = tl.filter((e) => e.cluster === c.name && e.kind === 'operator' && e.message.includes('kubectl delete'));
    const firstOk = attempts.findIndex((e) => e.message.includes('succeeded'));
    if (attempts.length === 0) continue;
    checked++;
    assert.ok(firstOk > 0, `${c.name}: the first attempt must fail (got ${attempts[0]?.message})`);
    const okAt = Date.parse(attempts[firstOk]?.at ?? '');
    const remedy = tl.find((e) => e.cluster === c.name && e.kind === 'operator' && e.message.startsWith('block network access'));
    assert.ok(remedy !== undefined && Date.parse(remedy.at) < okAt, `${c.name}: the delete succeeds only after the remedies`);
  }
  assert.ok(checked >= 5, `operators worked on ${checked} clusters`);
});

test('the first control plane recovers at 16:36 ± 15 min', () => {
  const first = Math.min(...r().clusters.map((c) => at(c.controlPlane.recoveredAt)).filter((x) => !Number.isNaN(x)));
  assert.ok(Math.abs(first - pst('16:36')) <= 15 * 60_000, `first recovery ${new Date(first).toISOString()}`);
});

test('full recovery at 19:38 ± 20 min', () => {
  const t = at(r().fleet.fullRecoveryAt);
  assert.ok(Math.abs(t - pst('19:38')) <= 20 * 60_000, `full recovery ${r().fleet.fullRecoveryAt}`);
});
