/**
 * src/core/number.ts: one function per meaning. Each is checked against the
 * expression the copies it replaced computed (written out here), over
 * arbitrary doubles, so that output stays byte-identical; and the two
 * meanings of the old `round6` are shown to differ.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { median, medianInPlace, percentOneDecimal, percentTwoOrFourDecimals, percentUpToOneDecimal, percentWhole, roundDecimals, roundSignificant4, significant6 } from '../../src/core/number.ts';

const anyDouble = fc.double({ noDefaultInfinity: false, noNaN: false });
const ratio = fc.double({ min: -2, max: 2, noNaN: true });
const same = (a: unknown, b: unknown): boolean => Object.is(a, b);

test('significant6 is the gates’, the runner’s and the rehearsal’s six significant digits (with or without a finite guard)', () => {
  fc.assert(
    fc.property(anyDouble, (x) => {
      const guarded = Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
      const plain = Number(x.toPrecision(6));
      return same(significant6(x), guarded) && same(significant6(x), plain);
    }),
    { numRuns: 5000 },
  );
});

test('significant6 of integers, zeros and values near a million is toPrecision(6) too (its fast path)', () => {
  const near = fc.oneof(
    fc.integer({ min: -2_000_000, max: 2_000_000 }),
    fc.constantFrom(0, -0, 1, -1, 999_999, -999_999, 1_000_000, -1_000_000, 999_999.5, 0.5, -0.5, 123_456.7),
    fc.integer({ min: -2_000_000, max: 2_000_000 }).map((n) => n + 0.25),
  );
  fc.assert(
    fc.property(near, (x) => same(significant6(x), Number(x.toPrecision(6)))),
    { numRuns: 5000 },
  );
});

test('roundDecimals(x, d) is Math.round(x × 10^d) / 10^d with the literal powers the copies used', () => {
  fc.assert(
    fc.property(anyDouble, (x) =>
      [
        same(roundDecimals(x, 2), Math.round(x * 100) / 100),
        same(roundDecimals(x, 3), Math.round(x * 1000) / 1000),
        same(roundDecimals(x, 4), Math.round(x * 1e4) / 1e4),
        same(roundDecimals(x, 6), Math.round(x * 1e6) / 1e6),
      ].every(Boolean),
    ),
    { numRuns: 5000 },
  );
  assert.throws(() => roundDecimals(1, 10), RangeError);
  assert.throws(() => roundDecimals(1, 1.5), RangeError);
});

test('six decimals and six significant digits are different functions (the two old round6)', () => {
  assert.equal(roundDecimals(1234.56789, 6), 1234.56789);
  assert.equal(significant6(1234.56789), 1234.57);
  assert.equal(roundDecimals(0.000001234, 6), 0.000001);
  assert.equal(significant6(0.000001234), 0.000001234);
});

test('roundSignificant4 keeps integers and gives other numbers four significant digits', () => {
  assert.equal(roundSignificant4(12345), 12345);
  assert.equal(roundSignificant4(1234.5678), 1235);
  assert.equal(roundSignificant4(0.00123456), 0.001235);
  assert.equal(roundSignificant4(1e-12), 0);
  assert.ok(Number.isNaN(roundSignificant4(Number.NaN)));
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (x) => {
      const r = roundSignificant4(x);
      return Number.isInteger(x) ? r === x : Math.abs(r - x) <= Math.abs(x) * 5e-4 + 1e-9;
    }),
  );
});

test('the percentages: whole, one decimal, up to one decimal, two or four decimals', () => {
  fc.assert(
    fc.property(ratio, (x) =>
      [
        percentWhole(x) === `${Math.round(x * 100)} %`,
        percentOneDecimal(x) === `${(x * 100).toFixed(1)} %`,
        percentUpToOneDecimal(x) === `${Math.round(x * 1000) / 10} %`,
        percentTwoOrFourDecimals(x) === `${(x * 100).toFixed(x < 0.001 ? 4 : 2)} %`,
      ].every(Boolean),
    ),
    { numRuns: 5000 },
  );
  assert.deepEqual([percentWhole(0.05), percentOneDecimal(0.05), percentUpToOneDecimal(0.05), percentTwoOrFourDecimals(0.05)], ['5 %', '5.0 %', '5 %', '5.00 %']);
});

test('median: the middle value, or the mean of the two middle ones; NaN for none; the input is left alone', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const xs = [5, 3, 9];
  median(xs);
  assert.deepEqual(xs, [5, 3, 9]);
  // The bench's copy (sort with a comparator, 0 for none) agreed on every non-empty list of finite numbers.
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1 }), (list) => {
      const s = [...list].sort((a, b) => a - b);
      const m = Math.floor(s.length / 2);
      const old = s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
      return same(median(list), old) || (median(list) === 0 && old === 0);
    }),
  );
});

test('medianInPlace sorts in place exactly as Float64Array.prototype.sort does (-0 before +0, NaN last) and takes the middle; median is it on a copy', () => {
  const value = fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY));
  fc.assert(
    fc.property(fc.array(value, { maxLength: 200 }), fc.nat({ max: 8 }), (values, extra) => {
      // The scratch buffer is longer than the values: only the first `count` are sorted.
      const buffer = new Float64Array(values.length + extra).fill(7);
      buffer.set(values);
      const expected = Float64Array.from(values).sort();
      const mid = values.length >> 1;
      const expectedMedian = values.length === 0 ? Number.NaN : values.length % 2 === 1 ? expected[mid] : ((expected[mid - 1] ?? 0) + (expected[mid] ?? 0)) / 2;
      assert.ok(Object.is(medianInPlace(buffer, values.length), expectedMedian));
      assert.ok(Object.is(median(values), expectedMedian));
      // Bit for bit the same order (Object.is tells -0 from +0 and NaN from NaN).
      for (let i = 0; i < values.length; i++) assert.ok(Object.is(buffer[i], expected[i]), `position ${i}`);
      for (let i = values.length; i < buffer.length; i++) assert.equal(buffer[i], 7);
    }),
    { numRuns: 3000 },
  );
});
