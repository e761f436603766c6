import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRunReport } from '../../src/report/html.ts';
import { formatClock } from '../../src/core/time.ts';
import type { RunReport } from '../../src/twin/index.ts';
import { EVIL_NAME, ZONE, baselineReport, baselineSeries, fixtureReport, fixtureSeries } from './fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const html = await renderRunReport(fixtureReport(), fixtureSeries());
// For a look in a browser; tests write nothing inside the working tree.
writeFileSync(join(tmpdir(), 'firebreak-report-fixture.html'), html);

function count(haystack: string, needle: string | RegExp): number {
  return (haystack.match(new RegExp(needle, 'g')) ?? []).length;
}

void test('is a single self-contained document with no script and no external reference', () => {
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.equal(count(html, '<html'), 1);
  assert.equal(count(html, '</html>'), 1);
  assert.equal(count(html, '<body'), 1);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b/i);
  assert.doesNotMatch(html, /@import|url\((?!#)/);
  const external = [...html.matchAll(/https?:\/\/[^"'\s)]*/g)].map((m) => m[0]);
  const namespaces = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);
  assert.deepEqual(external.filter((u) => !namespaces.has(u)), []);
});

void test('draws one accessible svg per chart', () => {
  const ids = ['chart-timeline', 'chart-p99', 'chart-429', 'chart-success', 'chart-memory', 'chart-cpu', 'chart-apf', 'chart-etcd', 'chart-dns-cache', 'chart-servfail', 'chart-customer'];
  assert.equal(count(html, '<svg '), ids.length);
  for (const id of ids) {
    assert.match(html, new RegExp(`<svg id="${id}" role="img" aria-labelledby="${id}-title[^"]*"`), id);
    assert.match(html, new RegExp(`<title id="${id}-title">[^<]+</title>`), id);
  }
  // svg ids are unique across the document (Vega's clip ids are renamed per chart).
  const allIds = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(allIds).size, allIds.length);
  for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(allIds.includes(m[1]), `dangling reference ${m[1]}`);
});

void test('escapes every string that comes from the report', () => {
  assert.ok(!html.includes(EVIL_NAME), 'raw cluster name leaked');
  assert.ok(html.includes('prod-large-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(html.includes('<h1>openai-2024-12-11 &lt;replay&gt;</h1>'));
  assert.ok(html.includes('LIST &amp; WATCH'));
  assert.ok(html.includes('block admin API for nodes &lt;&amp; workloads&gt;'));
  assert.doesNotMatch(html, /<replay>|<& workloads>/);
});

void test('writes times in the scenario zone: header, KPIs, timeline axis and tables', () => {
  assert.match(html, /2024-12-11 14:00 – 20:00/);
  assert.match(html, /America\/Los_Angeles \(UTC-08:00\)/);
  // KPI: local clock time, full ISO with offset on hover.
  assert.match(html, /<time datetime="2024-12-11T15:16:00-08:00" title="2024-12-11T15:16:00-08:00">15:16<\/time>/);
  // Timeline figure: axis labels are local times, and moment labels too.
  const timeline = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  for (const label of ['14:00', '15:00', '18:30', '20:00']) assert.match(timeline, new RegExp(`>${label}</text>`), label);
  assert.match(timeline, />first alert 15:16</);
  assert.match(timeline, />full recovery 18:52</);
  // UTC times of the same instants must not be used as labels.
  assert.doesNotMatch(timeline, />23:16<|>22:00</);
  // Operator ticks carry their message as a tooltip title.
  assert.match(timeline, /<title>15:52 prod-large-&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;: delete change via API: 429 Too Many Requests<\/title>/);
  // Every axis label that looks like a clock matches formatClock on a tick of the frame.
  const start = Date.parse('2024-12-11T14:00:00-08:00');
  const valid = new Set(Array.from({ length: 7 * 60 }, (_, i) => formatClock(start + i * 60_000, ZONE)));
  for (const m of html.matchAll(/class="mark-text role-axis-label"[^]*?<\/g>/g)) {
    for (const l of m[0].matchAll(/>(\d\d:\d\d)</g)) assert.ok(valid.has(l[1] ?? ''), `label ${l[1]}`);
  }
});

void test('shows the headline numbers', () => {
  assert.match(html, /<dt>Peak error rate<\/dt><dd>31\.20 %<\/dd>/);
  assert.match(html, /<dt>Availability<\/dt><dd>98\.77 %<\/dd>/);
  assert.match(html, /<dt>Clusters lost<\/dt><dd>2 \/ 12<\/dd>/);
  assert.match(html, /Customers were affected\./);
});

void test('lists lost clusters largest first, then one line for the rest', () => {
  const table = /<section id="lost">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const names = [...table.matchAll(/<td class="name">([^<]*)<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(names, ['prod-large-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', 'prod-med-2']);
  assert.match(table, /3 h 24 min/);
  assert.match(table, /Kept their control plane: 10 clusters \(6 small, 3 medium, 1 large\)/);
});

void test('puts the full timeline in a collapsible table', () => {
  const log = /<section id="log">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  assert.match(log, /<details><summary>Show all 32 entries<\/summary>/);
  assert.equal(count(log, '<tr>'), 33);
});

void test('draws one bar per lost cluster in the timeline, largest first', () => {
  const timeline = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  const bars = [...timeline.matchAll(/aria-roledescription="bar"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1] ?? '');
  assert.equal(bars.length, 2);
  assert.match(bars[0] ?? '', /^prod-large-.*lost 15:16, recovered 18:40 \(3 h 24 min\)$/);
  assert.match(bars[1] ?? '', /^prod-med-2 .*lost 15:24/);
});

void test('aggregates many lost clusters into a count over time', async () => {
  const r = fixtureReport();
  const start = Date.parse(r.scenario.start);
  const clusters = Array.from({ length: 50 }, (_, i) => ({
    ...r.clusters[0]!,
    name: `lost-${i}`,
    controlPlane: { ...r.clusters[0]!.controlPlane, lostAt: new Date(start + i * 60_000).toISOString(), recoveredAt: null },
  }));
  const big: RunReport = { ...r, clusters, fleet: { ...r.fleet, clusters: 50, clustersLost: 50 } };
  const out = await renderRunReport(big, fixtureSeries());
  const timeline = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(out)?.[0] ?? '';
  assert.doesNotMatch(timeline, /aria-roledescription="bar"/);
  assert.match(timeline, /Control plane lost \(50 clusters; count over time\)/);
  assert.match(out, /<td class="name">lost-49<\/td>/);
});

void test('is byte-identical across renders', async () => {
  const again = await renderRunReport(fixtureReport(), fixtureSeries());
  assert.equal(again, html);
});

void test('does not depend on the process time zone', () => {
  const script = `
    import { renderRunReport } from './src/report/html.ts';
    import { fixtureReport, fixtureSeries } from './test/report/fixture.ts';
    import { createHash } from 'node:crypto';
    const html = await renderRunReport(fixtureReport(), fixtureSeries());
    process.stdout.write(createHash('sha256').update(html).digest('hex'));
  `;
  const hashIn = (tz: string): string =>
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TZ: tz }, encoding: 'utf8' });
  const local = createHash('sha256').update(html).digest('hex');
  assert.equal(hashIn('Asia/Tokyo'), local);
  assert.equal(hashIn('America/New_York'), local);
});

void test('a quiet baseline renders and says plainly that nothing happened', async () => {
  const out = await renderRunReport(baselineReport(), baselineSeries());
  assert.match(out, /<p class="verdict ok"><strong>No customer impact\.<\/strong>[^<]*no cluster lost its control plane\.<\/p>/);
  assert.match(out, /None: every control plane stayed up\./);
  assert.match(out, /<dt>Clusters lost<\/dt><dd>0 \/ 12<\/dd>/);
  assert.match(out, /<dt>Availability<\/dt><dd>99\.9970 %<\/dd>/);
  assert.match(out, /no alert fired/);
  assert.match(out, /No timeline entries\./);
  // Only the size classes present in the series are drawn.
  const p99 = /<svg id="chart-p99"[\s\S]*?<\/svg>/.exec(out)?.[0] ?? '';
  assert.equal(count(p99, 'aria-roledescription="line mark"'), 2);
  assert.doesNotMatch(out, /large <span class="count">\(0\)/);
});

void test('appends extra sections, escaping their titles only', async () => {
  const out = await renderRunReport(fixtureReport(), fixtureSeries(), {
    title: 'Run <1>',
    extraSections: [{ title: 'Waves & gates', html: '<table class="waves"><tr><td>wave 1</td></tr></table>' }],
  });
  assert.match(out, /<title>Run &lt;1&gt; · firebreak twin report<\/title>/);
  assert.match(out, /<section id="extra-1">\n<h2>Waves &amp; gates<\/h2>\n<table class="waves"><tr><td>wave 1<\/td><\/tr><\/table>\n<\/section>/);
  assert.ok(out.indexOf('id="extra-1"') > out.indexOf('id="log"'));
});

void test('the lost-clusters table gives the causes of the API server restarts when any was not an OOM kill', () => {
  assert.match(html, /<th class="num">API restarts \(OOM \/ injected\)<\/th>/);
  // prod-med-2: 14 restarts, 2 of them injected kills; the EVIL cluster's 31 are all OOM kills.
  assert.match(html, /<td class="num">14 \(12 \/ 2\)<\/td>/);
  assert.match(html, /<td class="num">31<\/td>/);
});
