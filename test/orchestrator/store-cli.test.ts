/**
 * The event store, `firebreak rollout status|history|pause|resume|approve|abort`
 * against a state database, `firebreak rehearse` as a command, and the
 * rollout sections of the HTML report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import { rehearseCommand } from '../../src/cli/rehearse.ts';
import { rolloutControl, rolloutHistory, rolloutStatus } from '../../src/cli/rollout.ts';
import { loadPlanFile } from '../../src/input/plan.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { renderRunReport } from '../../src/report/html.ts';
import { rolloutSections } from '../../src/report/rollout.ts';
import type { RolloutSpec } from '../../src/orchestrator/compile.ts';
import type { MetricSource, RolloutTarget } from '../../src/orchestrator/ports.ts';
import { EventStore, InjectedCrash } from '../../src/shell/event-store.ts';
import { rehearse } from '../../src/shell/rehearsal.ts';
import { RolloutShell } from '../../src/shell/runner.ts';
import type { RolloutCommand, RolloutEvent } from '../../src/orchestrator/core.ts';
import type { GateResult } from '../../src/orchestrator/gates.ts';
import { rehearsalOf } from './rehearsals.ts';

const F = 'test/fixtures/plans';
const dir = mkdtempSync(join(tmpdir(), 'firebreak-store-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('the event store: ordered records, unique command ids, meta, the inbox, the crash switch', () => {
  const path = join(dir, 'store.db');
  const s = EventStore.open(path);
  s.setMeta('kind', 'test');
  assert.deepEqual(
    s.appendAll([
      { type: 'event', at: 1000, kind: 'start', id: 'start:1000', body: '{}' },
      { type: 'command', at: 1000, kind: 'apply', id: 'apply:a:0:1', body: '{}' },
    ]),
    [1, 2],
  );
  // A transaction that fails stores nothing.
  assert.throws(() => s.appendAll([{ type: 'event', at: 1001, kind: 'tick', id: 'tick:1001', body: '{}' }, { type: 'command', at: 1001, kind: 'apply', id: 'apply:a:0:1', body: '{}' }]), /UNIQUE/);
  assert.equal(s.count(), 2);
  // Events may repeat ids (ticks at the same time cannot happen, results carry their command's id).
  s.append('event', 1001, 'apply-result', 'apply:a:0:1', '{}');
  const item = s.pushInbox('pause', '{"by":"x"}', '2024-12-11T00:00:00Z');
  assert.deepEqual(s.pendingInbox().map((i) => i.seq), [item]);
  const [pending] = s.pendingInbox();
  assert.ok(pending !== undefined);
  s.takeInbox(pending, [{ type: 'event', at: 1002, kind: 'pause', id: 'pause:1002', body: '{}' }]);
  assert.deepEqual(s.pendingInbox(), []);
  s.close();
  const again = EventStore.open(path, { crashAfter: 6 });
  assert.equal(again.getMeta('kind'), 'test');
  assert.deepEqual(again.records().map((r) => r.kind), ['start', 'apply', 'apply-result', 'pause']);
  again.append('event', 1003, 'tick', 'tick:1003', '{}');
  assert.throws(() => again.append('event', 1004, 'tick', 'tick:1004', '{}'), (e: unknown) => e instanceof InjectedCrash && e.seq === 6);
  again.close();
  assert.equal(EventStore.open(path, { readOnly: true }).count(), 6, 'the record was committed before the crash');
});

test('rollout status, history and approve on a stopped rehearsal; resuming it takes the approval', async () => {
  const path = join(dir, 'approve.db');
  const base = loadPlanFile(`${F}/valid/fast.yaml`).plan;
  const plan = { ...base, waves: { kind: 'generate' as const, firstWave: 1, growth: 2, largestClassBy: 2, largeCanary: 'largest' as const, maxWaveSize: 0, approvalBefore: [2] } };
  const scenario = loadScenarioFile(`${F}/scenarios/small-benign.yaml`);
  const first = await rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: path, approveAfterS: null, fingerprint: 'x' });
  assert.equal(first.result.outcome, 'incomplete');
  assert.equal(first.state.phase, 'awaiting-approval');

  const status = JSON.parse(rolloutStatus(path, { json: true })) as { phase: string; wave: number; clusters: Record<string, number> };
  assert.equal(status.phase, 'awaiting-approval');
  assert.equal(status.wave, 2);
  assert.equal(status.clusters.done, 1);
  assert.match(rolloutStatus(path, { json: false }), /^rollout fast \(rehearsal\): awaiting-approval, wave 2 of 3/);
  const history = rolloutHistory(path, { json: false });
  assert.match(history, /command apply +edge-a: batch 1 \(1 nodes\)/);
  assert.match(history, /waits for a manual approval/);
  assert.equal(rolloutHistory(path, { json: true, limit: 3 }).trim().split('\n').length, 3);

  assert.match(rolloutControl(path, 'approve', { by: 'alice', wave: 2 }), /^approve requested \(#1\) for rollout fast, now awaiting-approval/);
  assert.match(rolloutStatus(path, { json: false }), /pending request: approve/);

  const resumed = await rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: path, approveAfterS: null, fingerprint: 'x' });
  assert.equal(resumed.result.outcome, 'completed');
  const approved = resumed.report.timeline.find((e) => /wave 2 approved by alice/.test(e.message));
  assert.ok(approved !== undefined);
  assert.equal(Date.parse(approved.at), first.state.now, 'the approval is taken where the stopped run left off');
  assert.doesNotMatch(rolloutStatus(path, { json: false }), /pending request/);
});

test('rollout commands refuse what is not a rollout state database', () => {
  assert.throws(() => rolloutStatus(join(dir, 'nope.db'), { json: false }), (e: unknown) => e instanceof UsageError && /no rollout state database/.test(e.message));
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'not sqlite at all, just text');
  assert.throws(() => rolloutStatus(junk, { json: false }), (e: unknown) => e instanceof UsageError && /not a firebreak rollout state database/.test(e.message));
  const other = join(dir, 'other.db');
  EventStore.open(other).close();
  assert.throws(() => rolloutControl(other, 'pause', {}), UsageError);
});

test('firebreak rehearse: summary, JSON and the HTML report with the waves section', async () => {
  const report = join(dir, 'r.html');
  const text = await rehearseCommand({ scenario: `${F}/scenarios/small-incident.yaml`, plan: `${F}/valid/fast.yaml`, seed: 1, json: false, compare: true, report });
  assert.match(text, /^fast rehearsed on small-incident \(seed 1\): HALTED/);
  assert.match(text, /rollback complete at/);
  assert.match(text, /the naive pipeline: /);
  const html = readFileSync(report, 'utf8');
  for (const h of ['Rollout rehearsal', 'Waves on the timeline', 'Why the rollout stopped', 'firebreak vs the naive pipeline', 'id="chart-rollout"']) assert.ok(html.includes(h), h);
  const json = JSON.parse(await rehearseCommand({ scenario: `${F}/scenarios/small-incident.yaml`, plan: `${F}/valid/fast.yaml`, seed: 1, json: true, compare: false })) as Record<string, unknown>;
  for (const k of ['outcome', 'haltedAt', 'haltedInWave', 'haltReason', 'firstSloBreachAt', 'detectionSeconds', 'clustersChanged', 'clustersImpacted', 'rollbackCompletedAt', 'orchestratorApiShare', 'fleet']) assert.ok(k in json, k);
  assert.equal('baseline' in json, false);
  await assert.rejects(rehearseCommand({ scenario: `${F}/scenarios/small-incident.yaml`, plan: `${F}/invalid/semantic.yaml`, seed: 1, json: true, compare: false }), /semantic\.yaml:6:5: spec\.change/);
  assert.equal(existsSync(join(dir, 'none.html')), false);
});

test('the rollout sections render the same HTML for the same result', async () => {
  const out = await rehearse({ ...rehearsalOf(loadScenarioFile(`${F}/scenarios/small-incident.yaml`), loadPlanFile(`${F}/valid/fast.yaml`).plan, 1) });
  const a = await renderRunReport(out.report, out.series, { extraSections: await rolloutSections(out.result, out.report) });
  const b = await renderRunReport(out.report, out.series, { extraSections: await rolloutSections(out.result, out.report) });
  assert.equal(a, b);
  assert.match(a, /Rollout halted at <time[^>]*>14:48<\/time> in wave 2/);
});

test('resuming against real clusters: the log is folded and only commands without a recorded result run again', async () => {
  const path = join(dir, 'real.db');
  const scenario = loadScenarioFile(`${F}/scenarios/small-incident.yaml`);
  const plan = loadPlanFile(`${F}/valid/fast.yaml`).plan;
  // Crash right after a decision that issued an apply (its commands are stored, not yet carried out).
  const probe = await rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: join(dir, 'probe.db'), stopWhenDone: true });
  const probeStore = EventStore.open(join(dir, 'probe.db'), { readOnly: true });
  const applySeq = probeStore.records().find((r) => r.type === 'command' && r.kind === 'apply' && r.id.startsWith('apply:huge-a'))?.seq ?? 0;
  probeStore.close();
  assert.ok(applySeq > 0 && probe.result.outcome === 'halted');
  await assert.rejects(rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: path, crashAfter: applySeq }), InjectedCrash);

  const store = EventStore.open(path);
  const records = store.records();
  const answered = new Set(records.filter((r) => r.type === 'event').map((r) => r.id));
  const pending = records.filter((r) => r.type === 'command' && !answered.has(r.id)).map((r) => r.id);
  assert.ok(pending.some((id) => id.startsWith('apply:huge-a')), `pending: ${pending.join(', ')}`);
  const spec = JSON.parse(store.getMeta('spec') ?? '') as RolloutSpec;
  const ran: string[] = [];
  const ok = { ok: true, reason: 'served', latencyS: 0 };
  const target: RolloutTarget = {
    name: 'fake',
    apply: (r) => (ran.push(r.commandId), Promise.resolve(ok)),
    remove: (r) => (ran.push(r.commandId), Promise.resolve(ok)),
    killSwitch: (r) => (ran.push(r.commandId), Promise.resolve(ok)),
    status: () => Promise.resolve({ ok: true, reason: 'served', present: true, desired: 1, ready: 0 }),
  };
  const source: MetricSource = { name: 'fake', serves: () => true, levels: () => [], query: () => Promise.resolve({}) };
  const notified: string[] = [];
  const shell = RolloutShell.open({ spec, store, target, source, hooks: { notify: (c) => notified.push(c.id) }, replayEffects: false });
  assert.equal(shell.replaying, false);
  const folded = shell.state;
  assert.equal(folded.clusters[spec.clusters.findIndex((c) => c.name === 'huge-a')]?.applyPending, true, 'the state is where the crash left it');
  await shell.advance(folded.now);
  const after = store.records();
  for (const id of pending) assert.equal(after.filter((r) => r.type === 'event' && r.id === id).length, 1, `${id}: one result now`);
  assert.ok([...ran, ...notified].every((id) => !answered.has(id)), 'a command with a recorded result ran again');
  const mutating = pending.filter((id) => /^(apply|delete|kill-switch):/.test(id));
  assert.deepEqual(ran.slice(0, mutating.length), mutating, 'in the order they were decided');
  store.close();
});

test('resuming against real clusters: an evaluate command left unanswered is judged against the levels its snapshot recorded', async () => {
  const scenario = loadScenarioFile(`${F}/scenarios/small-incident.yaml`);
  const plan = loadPlanFile(`${F}/valid/fast.yaml`).plan;
  const probePath = join(dir, 'probe-evaluate.db');
  await rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: probePath, stopWhenDone: true });
  const probe = EventStore.open(probePath, { readOnly: true });
  // The first evaluate command that judges a cluster's gates.
  const record = probe.records().find((r) => r.type === 'command' && r.kind === 'evaluate' && (JSON.parse(r.body) as { gates: { critical: unknown[]; all: unknown[] } }).gates.critical.length > 0);
  probe.close();
  assert.ok(record !== undefined);
  const command = JSON.parse(record.body) as Extract<RolloutCommand, { kind: 'evaluate' }>;
  const path = join(dir, 'real-evaluate.db');
  await assert.rejects(rehearse({ ...rehearsalOf(scenario, plan, 1), statePath: path, crashAfter: record.seq }), InjectedCrash);

  const store = EventStore.open(path);
  const spec = JSON.parse(store.getMeta('spec') ?? '') as RolloutSpec;
  const snapshots = new Map(
    store
      .records()
      .filter((r) => r.kind === 'snapshot-result')
      .map((r) => JSON.parse(r.body) as Extract<RolloutEvent, { kind: 'snapshot-result' }>)
      .map((e) => [e.commandId, e]),
  );
  const snapshotCommands = new Map(
    store
      .records()
      .filter((r) => r.type === 'command' && r.kind === 'snapshot')
      .map((r) => JSON.parse(r.body) as Extract<RolloutCommand, { kind: 'snapshot' }>)
      .map((c) => [c.id, c]),
  );
  const ok = { ok: true, reason: 'served', latencyS: 0 };
  const target: RolloutTarget = {
    name: 'fake',
    apply: () => Promise.resolve(ok),
    remove: () => Promise.resolve(ok),
    killSwitch: () => Promise.resolve(ok),
    status: () => Promise.resolve({ ok: true, reason: 'served', present: true, desired: 1, ready: 0 }),
  };
  // Two fresh samples of every series: too few to compare, so each compared gate reports its level before the change.
  const source: MetricSource = {
    name: 'fake',
    serves: () => true,
    levels: () => [],
    query: (q) => Promise.resolve(Object.fromEntries(q.clusters.map((c) => [c, Object.fromEntries(q.series.map((s) => [s, { times: [q.toMs - 15_000, q.toMs], values: [0.5, 0.5] }]))]))),
  };
  const shell = RolloutShell.open({ spec, store, target, source, hooks: { notify: () => undefined }, replayEffects: false });
  await shell.advance(shell.state.now);
  const result = store
    .records()
    .filter((r) => r.kind === 'evaluation')
    .map((r) => JSON.parse(r.body) as Extract<RolloutEvent, { kind: 'evaluation' }>)
    .find((e) => e.commandId === command.id);
  store.close();
  assert.ok(result !== undefined, 'the evaluate command was carried out on resume');
  let compared = 0;
  for (const judged of command.gates.critical) {
    const levels = snapshots.get(judged.snapshot ?? '');
    const snapshot = snapshotCommands.get(judged.snapshot ?? '');
    assert.ok(levels !== undefined && snapshot !== undefined, `${judged.cluster}: its snapshot ${judged.snapshot ?? 'null'} is in the log`);
    const issues: readonly GateResult[] = result.clusters.find((c) => c.cluster === judged.cluster)?.issues ?? [];
    for (const issue of issues.filter((gate) => gate.reason !== 'ok')) {
      assert.notEqual(issue.reason, 'no-level-before', `${judged.cluster} ${issue.series}: judged without its levels before the change`);
      if (issue.reason !== 'warming-up') continue;
      assert.equal(issue.before, levels.canary[issue.series], `${judged.cluster} ${issue.series}: the level its snapshot recorded`);
      // Compared with the baselines its snapshot command named (every one has fresh samples here).
      assert.equal(issue.baselineClusters, snapshot.baselines.length, `${judged.cluster} ${issue.series}: its snapshot's baselines`);
      compared++;
    }
  }
  assert.ok(compared > 0);
});
