import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { expandFleet, selects, sizeClass } from '../../src/model/fleet.ts';

test('property: a generated fleet has the asked count, sizes within bounds, and is the same for the same seed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 5000 }), fc.integer(), (count, min, span, seed) => {
      const max = min + span;
      const median = Math.round((min + max) / 2);
      const spec = { generate: { count, nodes: { min, max, median } } };
      const a = expandFleet(spec, seed);
      assert.equal(a.length, count);
      for (const c of a) assert.ok(c.nodes >= min && c.nodes <= max && c.pods === c.nodes * 30);
      assert.deepEqual(expandFleet(spec, seed), a);
    }),
    { seed: 7, numRuns: 100 },
  );
});

test('selectors combine names, labels and sizes', () => {
  const [c] = expandFleet({ clusters: [{ name: 'a', nodes: 2500, labels: { region: 'x' } }] }, 1);
  assert.ok(c !== undefined);
  assert.equal(c.sizeClass, sizeClass(2500));
  assert.ok(selects({ matchLabels: { region: 'x' }, minNodes: 2000 }, c));
  assert.ok(!selects({ matchLabels: { region: 'y' } }, c));
  assert.ok(!selects({ names: ['b'] }, c));
  assert.ok(!selects({ sizeClasses: ['small'] }, c));
});
