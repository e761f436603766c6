/**
 * The report's headline follows from its figures: "full recovery" only when
 * the report has one; otherwise what is still wrong at the end, in words. And
 * a folded alert shows its counts in the timeline figure and table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunReport } from '../../src/report/html.ts';
import type { RunReport, TimelineEntry } from '../../src/twin/index.ts';
import { baselineReport, baselineSeries, fixtureReport, fixtureSeries } from './fixture.ts';

const verdictOf = (html: string): string => /<p class="verdict[^"]*">[\s\S]*?<\/p>/.exec(html)?.[0] ?? '';

/** The fixture with its lost control planes back at 18:40 but three clusters still degraded, two of them running the change. */
function degraded(): RunReport {
  const r = fixtureReport();
  const names = new Set(['prod-med-3', 'prod-med-4', 'prod-large-2']);
  return {
    ...r,
    clusters: r.clusters.map((c) => (names.has(c.name) ? { ...c, atEnd: { degraded: true, alertsFiring: ['KubeAPITooManyRequests'], changeDeployed: c.name !== 'prod-med-4' } } : c)),
    fleet: { ...r.fleet, fullRecoveryAt: null, atEnd: { clustersDegraded: 3, controlPlanesLost: 0, alertsFiring: 4, changeDeployed: 10, degradedWithChange: 2 } },
  };
}

test('no full recovery: the headline gives the control planes’ recovery and what is still degraded, never "full recovery came"', async () => {
  const html = await renderRunReport(degraded(), fixtureSeries());
  const v = verdictOf(html);
  assert.match(v, /^<p class="verdict bad"><strong>Customers were affected\.<\/strong>/);
  assert.match(v, /control planes recovered at 18:40, but the fleet had <strong>not fully recovered<\/strong> by the end of the run: 3 clusters are still degraded; the change is still deployed on 2 of them; 4 alerts are still firing\./);
  assert.doesNotMatch(v, /full recovery came/);
  assert.match(html, /<dt>Control planes back<\/dt><dd><time datetime="2024-12-11T18:40:00-08:00" [^>]*>18:40<\/time><\/dd>/);
  assert.match(html, /<dt>Full recovery<\/dt><dd><span class="never">not recovered<\/span><\/dd>/);
  // The timeline marks the control planes' recovery, and no full recovery.
  const timeline = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  assert.match(timeline, />control planes back 18:40</);
  assert.doesNotMatch(timeline, />full recovery /);
});

test('full recovery: the headline names it and, when earlier, the control planes’ recovery', async () => {
  const v = verdictOf(await renderRunReport(fixtureReport(), fixtureSeries()));
  assert.match(v, /full recovery came at 18:52 \(every lost control plane back at 18:40\), 3 h 32 min after impact began\./);
});

test('control planes still lost: said so, with the clusters degraded besides them', async () => {
  const r = degraded();
  const out = await renderRunReport({ ...r, fleet: { ...r.fleet, controlPlanesRecoveredAt: null, atEnd: { ...r.fleet.atEnd, controlPlanesLost: 1, clustersDegraded: 4 } } }, fixtureSeries());
  const v = verdictOf(out);
  assert.match(v, /the fleet had <strong>not fully recovered<\/strong> by the end of the run: 1 control plane is still lost; 3 more clusters are still degraded; the change is still deployed on 2 of them; 4 alerts are still firing\./);
  assert.doesNotMatch(v, /control planes recovered at/);
  assert.match(out, /<dt>Control planes back<\/dt><dd><span class="never">not all back<\/span>/);
});

test('no customer impact but clusters degraded at the end: a warning, not an all-clear', async () => {
  const b = baselineReport();
  const out = await renderRunReport({ ...b, fleet: { ...b.fleet, atEnd: { clustersDegraded: 2, controlPlanesLost: 0, alertsFiring: 2, changeDeployed: 2, degradedWithChange: 2 } } }, baselineSeries());
  assert.match(verdictOf(out), /^<p class="verdict warn"><strong>No customer impact\.<\/strong>.* At the end of the run 2 clusters are still degraded: the change is still deployed there; 2 alerts are still firing\.<\/p>$/);
});

test('a folded alert shows its counts: in the table, and in the alert lane of the timeline', async () => {
  const r = fixtureReport();
  const at = (hhmm: string): string => `2024-12-11T${hhmm}:00-08:00`;
  const flapping: TimelineEntry[] = [
    { at: at('15:40'), kind: 'alert', cluster: 'prod-med-1', message: 'KubeAPILatencyHigh firing (warning): x' },
    {
      at: at('15:45'),
      kind: 'alert',
      cluster: 'prod-med-1',
      message: 'KubeAPILatencyHigh fired 12 times and resolved 12 times (15:40:00–17:10:00; resolved at the end): the 22 transitions between the first firing and the last resolution are folded into this entry',
      repeats: { rule: 'KubeAPILatencyHigh', firings: 12, resolutions: 12, firstAt: at('15:40'), lastAt: at('17:10'), folded: 22, firingAtEnd: false },
    },
    { at: at('17:10'), kind: 'alert', cluster: 'prod-med-1', message: 'KubeAPILatencyHigh resolved' },
    { at: at('16:00'), kind: 'alert', cluster: 'prod-med-3', message: 'KubeAPILatencyHigh firing (warning): x' },
  ];
  const timeline = [...r.timeline, ...flapping].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const html = await renderRunReport({ ...r, timeline }, fixtureSeries());
  const log = /<section id="log">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  assert.match(log, /are folded into this entry <span class="repeats" title="12 firings, 12 resolutions">×12<\/span><\/td><\/tr>/);
  const svg = /<svg id="chart-timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  // 12 firings on prod-med-1 and 1 on prod-med-3: the first firing of the rule, 12 more.
  assert.match(svg, /<title>15:40 prod-med-1: KubeAPILatencyHigh firing \(warning\): x \(12 more firings\)<\/title>/);
});
