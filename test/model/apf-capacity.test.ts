/** APF level capacity: nominal and lendable seats, queue room, and borrowing within its bound. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { borrowSeats, flowQueueRoom, lendableSeats, levelQueueRoom, maxLevelSeats, nominalSeats } from '../../src/model/apf-capacity.ts';
import { DEFAULT_PRIORITY_LEVELS } from '../../src/model/kubernetes.ts';
import type { PriorityLevelSpec } from '../../src/model/model-schema.ts';

const byName = (xs: readonly number[]): Record<string, number | undefined> => Object.fromEntries(DEFAULT_PRIORITY_LEVELS.map((l, i) => [l.name, xs[i]]));

test('nominal seats at 600 match the reference table', () => {
  assert.deepEqual(byName(nominalSeats(DEFAULT_PRIORITY_LEVELS, 600)), { exempt: 0, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49, 'catch-all': 13 });
});

test('lendable seats follow lendablePercent', () => {
  const l = byName(lendableSeats(DEFAULT_PRIORITY_LEVELS, nominalSeats(DEFAULT_PRIORITY_LEVELS, 600)));
  assert.equal(l['workload-low'], Math.round(245 * 0.9));
  assert.equal(l['leader-election'], 0);
});

test('queue room: queues × queue length per level, hand size × queue length per flow', () => {
  const wl = DEFAULT_PRIORITY_LEVELS.find((l) => l.name === 'workload-low');
  assert.ok(wl !== undefined);
  assert.equal(levelQueueRoom(wl), 128 * 50);
  assert.equal(flowQueueRoom(wl), 6 * 50);
});

test('the most a level can hold: its nominal seats plus what every other limited level lends', () => {
  const nominal = nominalSeats(DEFAULT_PRIORITY_LEVELS, 600);
  const most = byName(maxLevelSeats(DEFAULT_PRIORITY_LEVELS, nominal, lendableSeats(DEFAULT_PRIORITY_LEVELS, nominal)));
  // Lendable: system 24, node-high 25, workload-high 49, workload-low 221, global-default 25 (344 in all).
  assert.equal(most['workload-low'], 245 + 344 - 221);
  assert.equal(most['leader-election'], 25 + 344);
  assert.equal(most.exempt, Infinity);
});

const level = fc.record({
  name: fc.string(),
  shares: fc.integer({ min: 0, max: 200 }),
  lendablePercent: fc.integer({ min: 0, max: 100 }),
  exempt: fc.boolean(),
  queues: fc.constant(64),
  handSize: fc.constant(6),
  queueLengthLimit: fc.constant(50),
  reject: fc.constant(false),
});

test('property: borrowing never takes a level past its bound, gives an idle level its nominal seats, and reaches the bound when every other level is idle', () => {
  fc.assert(
    fc.property(
      fc.array(level, { minLength: 1, maxLength: 8 }).filter((ls) => ls.some((l) => !l.exempt && l.shares > 0)),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 2000 }),
      fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 8, maxLength: 8 }),
      (levels: PriorityLevelSpec[], ready, seats, wants) => {
        const nominal = nominalSeats(levels, seats);
        const lendable = lendableSeats(levels, nominal);
        const most = maxLevelSeats(levels, nominal, lendable);
        const exempt = levels.map((l) => l.exempt);
        const demand = Float64Array.from(levels.map((_, i) => wants[i] ?? 0));
        const cap = new Float64Array(levels.length);
        borrowSeats(nominal, lendable, exempt, demand, ready, cap);
        levels.forEach((l, i) => {
          const c = cap[i] ?? NaN;
          if (l.exempt) return assert.equal(c, Infinity);
          assert.ok(c <= (most[i] ?? 0) * ready + 1e-6, `level ${i}: ${c} > ${(most[i] ?? 0) * ready}`);
          assert.ok(c >= (nominal[i] ?? 0) * ready - 1e-9);
          if ((demand[i] ?? 0) <= (nominal[i] ?? 0) * ready) assert.equal(c, (nominal[i] ?? 0) * ready);
        });
        // One level wants far more than it could ever get, the others nothing: it gets its bound.
        const k = levels.findIndex((l) => !l.exempt);
        const alone = new Float64Array(levels.length);
        alone[k] = 1e12;
        borrowSeats(nominal, lendable, exempt, alone, ready, cap);
        const bound = (most[k] ?? 0) * ready;
        assert.ok(Math.abs((cap[k] ?? 0) - bound) <= 1e-9 * Math.max(1, bound), `${cap[k]} vs ${bound}`);
      },
    ),
  );
});
