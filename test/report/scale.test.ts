/**
 * The HTML report scales: a synthetic worst case of 1,000 clusters over 2
 * days, every alert flapping every 15 s, gives a report under 10 MB in which
 * nothing is silently dropped (folded alerts keep their counts; the tables
 * count what they leave out). Charts are drawn at a resolution that fits
 * their width, keeping every peak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunReport } from '../../src/report/html.ts';
import { MAX_LOG_ROWS } from '../../src/report/run-log.ts';
import { MAX_LOST_ROWS } from '../../src/report/run-lost-clusters.ts';
import { MAX_LANE_TICKS, fitLane, resampleIndices } from '../../src/report/charts.ts';
import { FLAP_EVERY_S, WORST_CLUSTERS, WORST_HOURS, worstCase } from './worst-case.ts';

const MB = 1024 * 1024;
const worst = worstCase();
const html = await renderRunReport(worst.report, worst.series);

function section(id: string): string {
  return new RegExp(`<section id="${id}">[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
}

test(`a ${WORST_CLUSTERS}-cluster, ${WORST_HOURS}-hour report with every alert flapping every ${FLAP_EVERY_S} s stays under 10 MB`, () => {
  const bytes = Buffer.byteLength(html);
  assert.ok(bytes < 10 * MB, `${(bytes / MB).toFixed(2)} MB`);
  // The flapping itself is all there, folded: one entry per cluster with its counts.
  const folded = worst.report.timeline.filter((e) => e.repeats !== undefined);
  assert.equal(folded.length, WORST_CLUSTERS);
  for (const e of folded) {
    assert.equal((e.repeats?.firings ?? 0) + (e.repeats?.resolutions ?? 0), worst.transitionsPerCluster);
    assert.equal(e.repeats?.folded, worst.transitionsPerCluster - 2);
  }
});

test('the full-timeline table shows its first and last entries and every fleet-wide one, and counts the rest where they were', () => {
  const log = section('log');
  const entries = worst.report.timeline;
  assert.ok(entries.length > MAX_LOG_ROWS);
  const rows = [...log.matchAll(/<tr><td><span class="kind/g)].length;
  const fleetWide = entries.slice(MAX_LOG_ROWS / 2, entries.length - MAX_LOG_ROWS / 2).filter((e) => e.cluster === null).length;
  assert.equal(rows, MAX_LOG_ROWS + fleetWide);
  assert.match(log, new RegExp(`<summary>Show ${(rows).toLocaleString('en-US')} of ${entries.length.toLocaleString('en-US')} entries`));
  const gaps = [...log.matchAll(/<tr class="gap"><td colspan="4">… ([\d,]+) entries not shown/g)].map((m) => Number((m[1] ?? '').replaceAll(',', '')));
  assert.ok(gaps.length >= 1);
  assert.equal(gaps.reduce((a, b) => a + b, 0) + rows, entries.length, 'every entry is shown or counted');
});

test('the lost-clusters table lists the largest and counts the others', () => {
  const lost = section('lost');
  assert.equal([...lost.matchAll(/<tr><td class="name">/g)].length, MAX_LOST_ROWS);
  const more = /<tr class="more"><td colspan="9">and ([\d,]+) more \(/.exec(lost);
  assert.equal(Number((more?.[1] ?? '').replaceAll(',', '')), WORST_CLUSTERS - MAX_LOST_ROWS);
});

test('the incident timeline draws its ticks lanes at the plot resolution, each mark counting the entries it stands for', () => {
  const timeline = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  const ticks = [...timeline.matchAll(/aria-roledescription="tick"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1] ?? '');
  assert.ok(ticks.length < 2000, `${ticks.length} tick marks`);
  // The operator lane: 60 attempts on each of the 1,000 clusters, drawn as marks that count them.
  const counted = ticks.filter((l) => /delete daemonset/.test(l)).reduce((a, l) => a + Number(/^(\d+) marks /.exec(l)?.[1] ?? 1), 0);
  assert.equal(counted, 60 * WORST_CLUSTERS);
  // The alert lane counts every firing of the flapping alerts.
  assert.match(timeline, new RegExp(`\\(${(WORST_CLUSTERS * worst.transitionsPerCluster) / 2 - 1} more firings\\)`));
});

test('resampling keeps the lowest and highest sample of every 2-pixel slice, in time order', () => {
  const frame = { startMs: 0, endMs: 1000 * 60_000, zone: 'UTC' };
  const t = Array.from({ length: 1000 }, (_, i) => i * 60_000);
  const v = t.map((_, i) => (i === 123 ? 50 : i === 777 ? -50 : Math.sin(i)));
  const keep = resampleIndices(t, v, frame, 100);
  assert.ok(keep.length <= 100, `${keep.length} samples for 100 px`);
  assert.ok(keep.includes(123) && keep.includes(777), 'the extremes survive');
  assert.deepEqual(keep, [...keep].sort((a, b) => a - b));
  for (let b = 0; b < 50; b++) {
    const inSlice = t.map((_, i) => i).filter((i) => Math.floor(i / 20) === b);
    const vals = inSlice.map((i) => v[i] ?? 0);
    const kept = keep.filter((i) => Math.floor(i / 20) === b).map((i) => v[i] ?? 0);
    assert.equal(Math.max(...kept), Math.max(...vals));
    assert.equal(Math.min(...kept), Math.min(...vals));
  }
  // Few samples are all kept.
  assert.deepEqual(resampleIndices(t.slice(0, 50), v.slice(0, 50), frame, 100), Array.from({ length: 50 }, (_, i) => i));
  // A long ticks lane is binned with counts that add up; a short one is left alone.
  const lane = { type: 'ticks' as const, title: 'x', rows: ['a'], ticks: t.map((at) => ({ atMs: at, row: 'a', color: '#000', label: 'x' })) };
  const fitted = fitLane(lane, frame, 100);
  assert.ok(fitted.type === 'ticks' && fitted.ticks.length <= 50);
  const sum = fitted.type === 'ticks' ? fitted.ticks.reduce((a, k) => a + Number(/^(\d+) marks /.exec(k.label)?.[1] ?? 1), 0) : 0;
  assert.equal(sum, 1000);
  const short = { ...lane, ticks: lane.ticks.slice(0, MAX_LANE_TICKS) };
  assert.equal(fitLane(short, frame, 100), short);
});
