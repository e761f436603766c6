/**
 * Number formats of the analyzer's messages (src/analyzer/text.ts): `num`
 * groups thousands with commas and keeps up to `digits` decimals, trailing
 * zeros dropped — checked against its definition (toFixed, then a comma
 * before every group of three digits up to the point) on generated numbers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { num } from '../../src/analyzer/text.ts';

function byDefinition(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  const fixed = Math.abs(x).toFixed(digits);
  const [int = '0', frac] = fixed.split('.');
  const f = frac !== undefined ? `.${frac}`.replace(/\.?0+$/, '') : '';
  return `${x < 0 ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${f}`;
}

test('num: thousands grouped, decimals to `digits` without trailing zeros (whole numbers, fractions, -0, large and non-finite numbers)', () => {
  const x = fc.oneof(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 999, 1000, 999_999, 1e15, 1e21, -1e21, Infinity, -Infinity, NaN));
  fc.assert(
    fc.property(x, fc.integer({ min: 0, max: 3 }), (v, d) => {
      assert.equal(num(v, d), byDefinition(v, d));
    }),
    { numRuns: 5000 },
  );
  assert.equal(num(1234567), '1,234,567');
  assert.equal(num(-1000.5, 1), '-1,000.5');
});
