import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIZE_CLASS_COLORS, lineChart, timeTicks, timelineChart } from '../../src/report/charts.ts';
import { formatClock } from '../../src/core/time.ts';

const start = Date.parse('2024-12-11T14:00:00-08:00');
const frame = { startMs: start, endMs: start + 6 * 3_600_000, zone: 'America/Los_Angeles' };
const t = Array.from({ length: 360 }, (_, i) => start + i * 60_000);

void test('time ticks fall on round local times and carry local labels', () => {
  const ticks = timeTicks(frame, 10);
  assert.deepEqual(ticks.labels, ['14:00', '15:00', '16:00', '17:00', '18:00', '19:00', '20:00']);
  ticks.values.forEach((v, i) => assert.equal(formatClock(v, frame.zone), ticks.labels[i]));
  const fine = timeTicks(frame, 13);
  assert.equal(fine.labels[1], '14:30');
  // A zone with a 30-minute offset still gets ticks on its own round hours.
  const india = timeTicks({ ...frame, zone: 'Asia/Kolkata' }, 10);
  assert.ok(india.labels.every((l) => l.endsWith(':00')), india.labels.join());
  assert.ok(india.values.every((v) => v >= frame.startMs && v <= frame.endMs));
});

void test('midnight ticks are labelled with the date', () => {
  const day = Date.parse('2024-12-11T00:00:00Z');
  const ticks = timeTicks({ startMs: day, endMs: day + 2 * 86_400_000, zone: 'UTC' }, 10);
  assert.ok(ticks.labels.includes('12-12'), ticks.labels.join());
});

void test('line charts are deterministic SVG with stable, prefixed clip ids', async () => {
  const opts = {
    id: 'c1',
    title: 'p99',
    frame,
    t,
    yTitle: 'p99',
    yFormat: 'seconds' as const,
    yScale: 'log' as const,
    series: [{ name: 'large', color: SIZE_CLASS_COLORS.large, values: t.map((_, i) => 0.1 + i / 10) }],
    thresholds: [{ value: 1, label: 'SLO' }],
  };
  const a = await lineChart(opts);
  const b = await lineChart(opts);
  assert.equal(a, b);
  assert.match(a, /^<svg id="c1" role="img" aria-labelledby="c1-title" [^>]*><title id="c1-title">p99<\/title>/);
  assert.doesNotMatch(a, /id="clip\d+"/);
  assert.match(a, /id="c1-1"/);
  assert.match(a, /clip-path="url\(#c1-1\)"/);
  // log axis labelled in ms / s
  assert.match(a, />100 ms</);
  assert.match(a, />10 s</);
  // the line has a hover title naming its series
  assert.match(a, /<title>large<\/title>/);
});

void test('timeline lanes keep their rows and show empty lanes', async () => {
  const svg = await timelineChart({
    id: 'tl',
    title: 'timeline',
    frame,
    moments: [{ atMs: start + 76 * 60_000, label: 'first alert 15:16' }],
    lanes: [
      { type: 'ticks', title: 'Alerts (none fired)', rows: [], ticks: [] },
      { type: 'bars', title: 'Lost', rows: ['b-big', 'a-small'], bars: [
        { fromMs: start + 3_600_000, toMs: start + 7_200_000, row: 'a-small', color: '#000', label: 'a lost', open: false },
        { fromMs: start + 3_000_000, toMs: frame.endMs, row: 'b-big', color: '#000', label: 'b lost', open: true },
      ] },
    ],
  });
  assert.match(svg, />Alerts \(none fired\)</);
  assert.match(svg, />first alert 15:16</);
  const rowLabels = [...svg.matchAll(/>(b-big|a-small)</g)].map((m) => m[1]);
  assert.deepEqual(rowLabels, ['b-big', 'a-small']);
  assert.match(svg, /<title>a lost<\/title>/);
});

void test('chart titles are escaped and taken literally', async () => {
  const svg = await lineChart({ id: 'x y', title: 'a <b> $1 $&', description: 'd & e', frame, t, yTitle: 'v', yFormat: 'count', series: [] });
  assert.match(svg, /^<svg id="x-y" role="img" aria-labelledby="x-y-title x-y-desc" /);
  assert.match(svg, /<title id="x-y-title">a &lt;b&gt; \$1 \$&amp;<\/title><desc id="x-y-desc">d &amp; e<\/desc>/);
});
