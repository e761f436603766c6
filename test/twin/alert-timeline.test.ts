/**
 * Alerts on the timeline: rules evaluated as Prometheus evaluates them
 * (`for`, `keep_firing_for`), and an alert that flaps on a cluster folded into
 * one entry with its counts, first and last times — nothing lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { AlertEvaluator, type AlertHost, type AlertTransition } from '../../src/twin/alerts.ts';
import { Twin, type AlertRule, type TimelineEntry } from '../../src/twin/index.ts';
import { foldTimeline, type RawEntry } from '../../src/twin/timeline.ts';
import { run } from '../helpers/runs.ts';

const RULE: AlertRule = { name: 'Down', metric: 'apiserver_success_ratio', op: '<', threshold: 0.9, forS: 30, severity: 'critical' };

/** Evaluates `rule` every 15 s over a condition given per evaluation (true: the metric breaks the threshold). */
function transitions(rule: AlertRule, holds: readonly boolean[]): string[] {
  const ev = new AlertEvaluator([rule], 1);
  const out: string[] = [];
  const host = {
    t: 0,
    clusters: () => [{ name: 'c' }],
    metricAt: (): number => (holds[host.t / 15] === true ? 0 : 1),
    log: (_k: 'alert', _c: string | null, _m: string, tr?: AlertTransition): void => {
      out.push(`${host.t}:${tr?.firing === true ? 'firing' : 'resolved'}`);
    },
  } satisfies AlertHost;
  for (let i = 0; i < holds.length; i++) {
    host.t = i * 15;
    ev.evaluate(host);
  }
  return out;
}

const T = true;
const F = false;

test('for: the condition must hold at every evaluation for `for`; one evaluation without it clears the pending alert', () => {
  // Holds at 0, 15, 30 → fires at 30 (30 s after it began); one miss at 45 resolves it at once.
  assert.deepEqual(transitions(RULE, [T, T, T, F, T, T, F]), ['30:firing', '45:resolved']);
  // A miss while pending restarts the clock: holds 0, 15, miss 30, holds 45..75 → fires at 75.
  assert.deepEqual(transitions(RULE, [T, T, F, T, T, T]), ['75:firing']);
});

test('keep_firing_for: a firing alert resolves only once the condition has been absent that long, and its return restarts the clock', () => {
  const keep = { ...RULE, keepFiringForS: 60 };
  // Fires at 30; absent at 45, 60 (under 60 s since 45), back at 75: keeps firing, no new firing.
  assert.deepEqual(transitions(keep, [T, T, T, F, F, T, T]), ['30:firing']);
  // Absent from 45 on: still firing at 45, 60, 75, 90 (< 60 s since 45); resolved at 105 (60 s since 45).
  assert.deepEqual(transitions(keep, [T, T, T, F, F, F, F, F, F]), ['30:firing', '105:resolved']);
  // It protects a firing alert only: a pending one is cleared by one miss, as without it.
  assert.deepEqual(transitions(keep, [T, T, F, T, T, T]), ['75:firing']);
});

function raw(t: number, seq: number, cluster: string, rule: string, firing: boolean): RawEntry {
  return { t, seq, kind: 'alert', cluster, message: firing ? `${rule} firing (critical): x` : `${rule} resolved`, alert: { rule, firing } };
}
const iso = (t: number): string => new Date(Date.UTC(2024, 11, 11, 22, 0, t)).toISOString().replace('.000Z', '+00:00');

test('an alert firing more than once on a cluster is folded: first firing and last transition as they happened, the rest counted in one entry', () => {
  const entries: RawEntry[] = [];
  let seq = 0;
  // Flapping on a: fires at 0, 60, 120, 180 (4 firings), resolves at 30, 90, 150 (3); still firing at the end.
  for (let k = 0; k < 4; k++) {
    entries.push(raw(k * 60, seq++, 'a', 'Down', true));
    if (k < 3) entries.push(raw(k * 60 + 30, seq++, 'a', 'Down', false));
  }
  // One-off on b (fires, resolves) and on a for another rule; and a non-alert entry.
  entries.push(raw(45, seq++, 'b', 'Down', true), raw(200, seq++, 'b', 'Down', false), raw(100, seq++, 'a', 'Slow', true));
  entries.push({ t: 10, seq, kind: 'operator', cluster: 'a', message: 'delete: failed' });
  const out = foldTimeline(entries, iso);
  const onA = out.filter((e) => e.cluster === 'a' && e.message.startsWith('Down'));
  assert.deepEqual(onA.map((e) => e.at), [iso(0), iso(30), iso(180)], 'first firing, the folded entry at the first folded transition, the last firing');
  assert.equal(onA[0]?.message, 'Down firing (critical): x');
  assert.equal(onA[2]?.message, 'Down firing (critical): x');
  assert.deepEqual(onA[1]?.repeats, { rule: 'Down', firings: 4, resolutions: 3, firstAt: iso(0), lastAt: iso(180), folded: 5, firingAtEnd: true });
  assert.match(onA[1]?.message ?? '', /^Down fired 4 times and resolved 3 times \(22:00:00–22:03:00; still firing at the end\)/);
  // One-off entries and other kinds are untouched; the whole is in time order.
  assert.deepEqual(
    out.filter((e) => e.repeats === undefined && !(e.cluster === 'a' && e.message.startsWith('Down'))).map((e) => `${e.cluster} ${e.message}`),
    ['a delete: failed', 'b Down firing (critical): x', 'a Slow firing (critical): x', 'b Down resolved'],
  );
  const times = out.map((e) => Date.parse(e.at));
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  assert.equal(out.length, entries.length - 5 + 1);
});

/** The incident, seed 1, with the default rules but no keep_firing_for: the alert rules as they were before. */
function withoutKeepFiring(): { timeline: readonly TimelineEntry[]; logged: Map<string, { firings: number; resolutions: number; first: number; last: number }> } {
  const base = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const alerts = base.alerts.map(({ keepFiringForS: _keep, ...rule }) => rule);
  const twin = new Twin({ ...base, alerts }, { seed: 1 });
  // Count every transition the evaluator logs, to check the folded timeline against.
  const logged = new Map<string, { firings: number; resolutions: number; first: number; last: number }>();
  const log = twin.log.bind(twin);
  twin.log = (kind, cluster, message, transition) => {
    if (transition !== undefined) {
      const key = `${cluster}|${transition.rule}`;
      const c = logged.get(key) ?? { firings: 0, resolutions: 0, first: twin.t, last: twin.t };
      if (transition.firing) c.firings++;
      else c.resolutions++;
      c.last = twin.t;
      logged.set(key, c);
    }
    log(kind, cluster, message, transition);
  };
  twin.run();
  return { timeline: twin.result().report.timeline, logged };
}

test('a flapping alert of a real run keeps its counts, first and last times in the timeline', () => {
  const { timeline, logged } = withoutKeepFiring();
  const flapping = [...logged].filter(([, c]) => c.firings >= 2);
  assert.ok(flapping.length >= 10, `${flapping.length} alerts flap without keep_firing_for`);
  for (const [key, c] of flapping) {
    const [cluster, rule] = key.split('|');
    const folded = timeline.filter((e) => e.cluster === cluster && e.repeats?.rule === rule);
    assert.equal(folded.length, 1, key);
    const r = folded[0]?.repeats;
    assert.equal(r?.firings, c.firings, `${key} firings`);
    assert.equal(r?.resolutions, c.resolutions, `${key} resolutions`);
    assert.equal(r?.folded, c.firings + c.resolutions - 2, `${key} folded`);
    // Only the first firing and the last transition of it are left as entries of their own.
    const listed = timeline.filter((e) => e.cluster === cluster && e.repeats === undefined && e.kind === 'alert' && e.message.startsWith(`${rule} `));
    assert.equal(listed.length, 2, key);
    assert.equal(listed[0]?.at, r?.firstAt);
    assert.equal(listed[1]?.at, r?.lastAt);
  }
  const worst = Math.max(...flapping.map(([, c]) => c.firings));
  assert.ok(worst >= 10, `the worst alert fired ${worst} times`);
});

test('with keep_firing_for (the default rules), the crash-looping clusters’ KubeAPIServerUnavailable fires once each', () => {
  const { report } = run('openai-2024-12-11');
  const lost = report.clusters.filter((c) => c.controlPlane.lostAt !== null).map((c) => c.name);
  for (const name of lost) {
    const firings = report.timeline.filter((e) => e.cluster === name && e.kind === 'alert' && e.message.startsWith('KubeAPIServerUnavailable firing'));
    assert.equal(firings.length, 1, `${name}: ${firings.length} firings`);
    assert.ok(!report.timeline.some((e) => e.cluster === name && e.repeats?.rule === 'KubeAPIServerUnavailable'), name);
  }
});
