import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAvailability, formatDuration, formatInt, formatPercent } from '../../src/report/format.ts';
import { escapeHtml } from '../../src/report/escape.ts';

void test('availability keeps its nines distinguishable and never rounds up to 100 %', () => {
  assert.equal(formatAvailability(0.9912), '99.12 %');
  assert.equal(formatAvailability(0.999), '99.90 %');
  assert.equal(formatAvailability(0.9999), '99.990 %');
  assert.equal(formatAvailability(0.99991234), '99.9912 %');
  assert.equal(formatAvailability(0.99995), '99.9950 %');
  assert.notEqual(formatAvailability(0.9999), formatAvailability(0.99995));
  assert.equal(formatAvailability(0.9999999), '99.999990 %');
  assert.equal(formatAvailability(1), '100 %');
  assert.equal(formatAvailability(0.5), '50.00 %');
  assert.equal(formatAvailability(0), '0.00 %');
});

void test('percentages, integers and durations', () => {
  assert.equal(formatPercent(0.312), '31.20 %');
  assert.equal(formatPercent(0), '0 %');
  assert.equal(formatPercent(0.000012), '0.0012 %');
  assert.equal(formatInt(13910), '13,910');
  assert.equal(formatInt(1234567), '1,234,567');
  assert.equal(formatInt(999), '999');
  assert.equal(formatDuration(30_000), '30 s');
  assert.equal(formatDuration(100), '100 ms');
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(45 * 60_000), '45 min');
  assert.equal(formatDuration(76 * 60_000), '1 h 16 min');
  assert.equal(formatDuration(6 * 3_600_000), '6 h');
  assert.equal(formatDuration(27 * 3_600_000), '1 d 3 h');
});

void test('escapeHtml covers content and attribute contexts', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  assert.equal(escapeHtml('plain'), 'plain');
});
