import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIso, resolveTime } from '../../src/core/time.ts';
import { formatDuration, parseDuration } from '../../src/core/duration.ts';
import { Random } from '../../src/core/random.ts';
import { SimulatedClock } from '../../src/core/clock.ts';

test('ISO times carry the zone offset, across DST', () => {
  assert.equal(formatIso(Date.parse('2024-12-11T23:16:00Z'), 'America/Los_Angeles'), '2024-12-11T15:16:00-08:00');
  assert.equal(formatIso(Date.parse('2024-07-01T12:00:00Z'), 'America/Los_Angeles'), '2024-07-01T05:00:00-07:00');
  assert.equal(formatIso(0, 'UTC'), '1970-01-01T00:00:00+00:00');
  assert.equal(formatIso(0, '+05:30'), '1970-01-01T05:30:00+05:30');
});

test('local HH:MM resolves on the start day, rolling past midnight', () => {
  const start = Date.parse('2024-12-11T14:30:00-08:00');
  assert.equal(resolveTime('15:16', start, 'America/Los_Angeles'), Date.parse('2024-12-11T15:16:00-08:00'));
  assert.equal(resolveTime('01:00', start, 'America/Los_Angeles'), Date.parse('2024-12-12T01:00:00-08:00'));
  assert.equal(resolveTime('25:00', start, 'UTC'), undefined);
});

test('property: durations round-trip through formatDuration', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 86400 }), (s) => assert.equal(parseDuration(formatDuration(s)), s)), { seed: 3 });
  // Milliseconds too: nothing under a second is shown as 0s.
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 86400 * 1000 }), (ms) => assert.equal(Math.round((parseDuration(formatDuration(ms / 1000)) ?? Number.NaN) * 1000), ms)), { seed: 4 });
  assert.equal(formatDuration(0.1), '100ms');
  assert.equal(formatDuration(0.0004), '0s');
  assert.equal(formatDuration(1.5), '1s500ms');
  assert.equal(formatDuration(5400), '1h30m');
  assert.equal(formatDuration(0), '0s');
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('250ms'), 0.25);
  assert.equal(parseDuration('5 minutes'), undefined);
});

test('seeded random streams are reproducible and forks independent', () => {
  const a = Random.seeded(1);
  const b = Random.seeded(1);
  const xs = Array.from({ length: 5 }, () => a.float());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.float()));
  assert.notDeepEqual(Random.seeded(1).fork('x').float(), Random.seeded(1).fork('y').float());
  for (const x of xs) assert.ok(x >= 0 && x < 1);
});

test('the simulated clock refuses to go back in time', () => {
  const c = new SimulatedClock(1000);
  c.advance(500);
  assert.equal(c.now(), 1500);
  assert.throws(() => c.advance(-1), /back in time/);
  assert.throws(() => c.set(0), /back in time/);
});
