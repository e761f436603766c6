/**
 * The decision core, path by path: every transition of the rollout's and the
 * clusters' state machines is driven by a test here, and the last test checks
 * that together they cover ROLLOUT_TRANSITIONS and CLUSTER_TRANSITIONS and
 * nothing else. A property test throws random worlds and people at it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CLUSTER_TRANSITIONS, decide, evaluateTargets, initialState, nextWake, ROLLOUT_TRANSITIONS, type RolloutCommand, type RolloutEvent, type RolloutState } from '../../src/orchestrator/core.ts';
import { issue, OK, phaseOf, REFUSED, run, smallPlan, specOf, T0, type Script, type Trace } from './harness.ts';

const seenRollout = new Set<string>();
const seenCluster = new Set<string>();
function note(t: Trace): Trace {
  for (const x of t.rollout) seenRollout.add(x);
  for (const x of t.cluster) seenCluster.add(x);
  assert.equal(t.idleTicks, 0, 'a tick that changed nothing: the shell would log it for nothing');
  return t;
}
const cmds = (t: Trace, kind: RolloutCommand['kind']): RolloutCommand[] => t.commands.filter((c) => c.kind === kind);
const at = (s: number): number => T0 + s * 1000;

test('a clean rollout goes wave by wave, batch by batch, and completes', () => {
  const spec = specOf(smallPlan());
  const t = note(run(spec));
  assert.equal(t.state.phase, 'completed');
  const applies = cmds(t, 'apply') as Extract<RolloutCommand, { kind: 'apply' }>[];
  assert.deepEqual(
    applies.map((c) => `${c.cluster}:${c.batch}`),
    // Inside a wave the largest cluster starts first (c: 120 nodes, b: 80).
    ['a:0', 'a:1', 'c:0', 'b:0', 'c:1', 'b:1'],
  );
  // Wave 2 starts only after wave 1's clusters are done and the wave bake (60 s) passed.
  const w = t.state.waveTimes;
  assert.ok((w[1]?.startedAt ?? 0) >= (w[0]?.endedAt ?? Infinity));
  const aDone = t.state.clusters[0]?.doneAt ?? 0;
  assert.ok((w[0]?.endedAt ?? 0) - aDone >= 60_000, 'the wave bakes after its last cluster is done');
  // Each batch bakes 60 s after its pods are ready (20 s after the apply) before the next one.
  const a0 = t.events.find((e) => e.kind === 'apply-result' && e.cluster === 'a' && e.batch === 0)?.at ?? 0;
  const a1 = t.events.find((e) => e.kind === 'apply-result' && e.cluster === 'a' && e.batch === 1)?.at ?? 0;
  assert.ok(a1 - a0 >= 80_000, `batch 2 ${(a1 - a0) / 1000} s after batch 1`);
  // Ids are unique; every command got exactly one result.
  assert.equal(new Set(t.commands.map((c) => c.id)).size, t.commands.length);
});

test('an evaluate command carries what judging needs: comparison start, the snapshot with the baselines and the levels before', () => {
  const spec = specOf(smallPlan());
  const t = note(run(spec));
  assert.equal(t.state.phase, 'completed');
  const snapshots = new Map((cmds(t, 'snapshot') as Extract<RolloutCommand, { kind: 'snapshot' }>[]).map((c) => [c.cluster, c]));
  // Applies answered before an evaluate command's own result (events are in decision order).
  const applied = (cluster: string, commandId: string): number[] => {
    const answered = t.events.findIndex((e) => e.kind === 'evaluation' && e.commandId === commandId);
    return t.events.slice(0, answered).flatMap((e) => (e.kind === 'apply-result' && e.cluster === cluster && e.outcome.ok ? [e.at] : []));
  };
  let judged = 0;
  for (const c of cmds(t, 'evaluate') as Extract<RolloutCommand, { kind: 'evaluate' }>[]) {
    for (const target of evaluateTargets(c)) {
      if (target.gates === 'none') {
        assert.equal(target.judged, undefined, 'a status-only cluster is not judged');
        continue;
      }
      const j = target.judged;
      assert.ok(j !== undefined, `${target.cluster} is judged at ${c.at} without its comparison`);
      judged++;
      const snapshot = snapshots.get(j.cluster);
      assert.ok(snapshot !== undefined);
      // The levels are the ones its own snapshot measured, against the baselines that snapshot measured too
      // (the snapshot command lists them; every cluster is snapshotted once).
      assert.equal(j.snapshot, snapshot.id);
      assert.equal(snapshot.cluster, j.cluster);
      assert.equal([...snapshots.values()].filter((s) => s.cluster === j.cluster).length, 1);
      assert.ok(t.events.some((e) => e.kind === 'snapshot-result' && e.commandId === snapshot.id && e.at <= c.at), 'the snapshot was answered before');
      // The comparison starts after the batch's apply (pods ready, or the apply itself), never in the future.
      const lastApply = Math.max(...applied(j.cluster, c.id));
      assert.ok(j.compareFrom >= lastApply && j.compareFrom <= c.at, `${j.cluster}: compareFrom ${j.compareFrom} outside [${lastApply}, ${c.at}]`);
      // Every gate is judged only once the batch has settled; its comparison starts when the pods were
      // ready (the scripted world readies them 20 s after the apply), not at the apply.
      if (target.gates === 'all') {
        assert.ok(c.at >= j.compareFrom + spec.evaluation.settleS * 1000);
        assert.ok(j.compareFrom >= lastApply + 20_000, `${j.cluster}: compareFrom ${j.compareFrom} is before its pods were ready`);
      }
    }
  }
  assert.ok(judged > 0);
});

test('decide is pure: frozen state and spec, same inputs give the same outputs', () => {
  const spec = specOf(smallPlan());
  const freeze = <T>(x: T): T => {
    if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
      Object.freeze(x);
      for (const v of Object.values(x)) freeze(v);
    }
    return x;
  };
  freeze(spec);
  let s: RolloutState = freeze(initialState(spec));
  const e: RolloutEvent = { kind: 'start', at: at(0) };
  const a = decide(spec, s, e);
  const b = decide(spec, s, e);
  assert.deepEqual(a, b);
  s = freeze(a.state);
  assert.doesNotThrow(() => decide(spec, s, { kind: 'tick', at: at(15) }));
});

test('manual approval: a wave waits for a person; approving the wrong wave is ignored', () => {
  const plan = smallPlan();
  const spec = specOf({ ...plan, waves: { kind: 'list', waves: [{ name: 'one', clusters: { names: ['a'] }, approval: true }, { name: 'two', clusters: { names: ['b', 'c'] }, approval: true }] } });
  const t = note(
    run(spec, {
      people: [
        { atS: 10, event: (x) => ({ kind: 'approve', at: x, by: 'bob', wave: 2 }) },
        { atS: 20, event: (x) => ({ kind: 'approve', at: x, by: 'alice', wave: 1 }) },
        { atS: 2000, event: (x) => ({ kind: 'approve', at: x, by: 'alice', wave: null }) },
      ],
    }),
  );
  assert.equal(t.state.phase, 'completed');
  assert.ok(t.rollout.has('pending->awaiting-approval') && t.rollout.has('awaiting-approval->running') && t.rollout.has('running->awaiting-approval'));
  assert.ok(cmds(t, 'notify').some((c) => c.kind === 'notify' && /approval by bob of wave 2 ignored/.test(c.message)));
  assert.equal(t.state.waveTimes[1]?.startedAt, at(2000));
});

test('pause and resume, from running and from awaiting approval; pausing a finished rollout is ignored', () => {
  const spec = specOf(smallPlan());
  const t = note(
    run(spec, {
      people: [
        { atS: 30, event: (x) => ({ kind: 'pause', at: x, by: 'carol', reason: 'lunch' }) },
        { atS: 600, event: (x) => ({ kind: 'resume', at: x, by: 'carol' }) },
      ],
    }, 6 * 3600, 10),
  );
  assert.equal(t.state.phase, 'completed');
  assert.ok(t.rollout.has('running->paused') && t.rollout.has('paused->running'));
  // Nothing was applied while paused.
  const applies = cmds(t, 'apply').map((c) => t.events.find((e) => 'commandId' in e && e.commandId === c.id)?.at ?? 0);
  assert.ok(applies.every((x) => x < at(30) || x >= at(600)));

  const spec2 = specOf({ ...smallPlan(), waves: { kind: 'list', waves: [{ name: 'one', clusters: { names: ['a'] }, approval: true }, { name: 'two', clusters: { names: ['b', 'c'] }, approval: false }] } });
  const t2 = note(
    run(spec2, {
      people: [
        { atS: 5, event: (x) => ({ kind: 'pause', at: x, by: 'dan', reason: '' }) },
        { atS: 6, event: (x) => ({ kind: 'approve', at: x, by: 'dan', wave: 1 }) },
        { atS: 7, event: (x) => ({ kind: 'resume', at: x, by: 'dan' }) },
        { atS: 8, event: (x) => ({ kind: 'approve', at: x, by: 'dan', wave: 1 }) },
      ],
    }),
  );
  assert.equal(t2.state.phase, 'completed');
  assert.ok(t2.rollout.has('awaiting-approval->paused') && t2.rollout.has('paused->awaiting-approval'));
  const done = run(spec, { people: [{ atS: 5000, event: (x) => ({ kind: 'pause', at: x, by: 'eve', reason: '' }) }] }, 6000, 5000);
  assert.equal(done.state.phase, 'completed');
  assert.ok(cmds(done, 'notify').some((c) => c.kind === 'notify' && /pause by eve ignored/.test(c.message)));
});

test('a critical gate failing halts at once and rolls back every changed cluster, newest first', () => {
  const spec = specOf(smallPlan());
  let halted = false;
  const t = note(
    run(spec, {
      gates: (cluster, _scope, s) => {
        if (cluster === 'b' && s > 400 && !halted) {
          halted = true;
          return [issue('apiserver-memory', 'fail', 'threshold', true, { value: 0.93, threshold: 0.8 })];
        }
        return [];
      },
    }),
  );
  assert.equal(t.state.phase, 'halted');
  assert.equal(t.state.halt?.gate, 'apiserver-memory');
  assert.equal(t.state.halt?.cluster, 'b');
  const deletes = (cmds(t, 'delete') as Extract<RolloutCommand, { kind: 'delete' }>[]).map((c) => c.cluster);
  // Newest change first: b's last batch came after c's, and a (wave 1) is the oldest.
  const last = (n: string): number => t.state.clusters[spec.clusters.findIndex((c) => c.name === n)]?.lastChangeAt ?? 0;
  assert.deepEqual(deletes, ['a', 'b', 'c'].sort((x, y) => last(y) - last(x)));
  assert.equal(deletes.at(-1), 'a');
  assert.ok(t.state.rollbackCompletedAt !== null);
  for (const n of ['a', 'b', 'c']) assert.equal(phaseOf(t, spec, n), 'rolled-back');
  assert.equal(cmds(t, 'kill-switch').length, 0, 'the ordinary delete worked: no kill switch needed');
});

test('a non-critical gate cannot fail before the batch has settled; once settled it halts', () => {
  const spec = specOf(smallPlan());
  const t = note(run(spec, { gates: (cluster, scope) => (cluster === 'a' && scope === 'all' ? [issue('etcd-latency', 'fail', 'regression', false, { effect: 0.03, allowed: 0.005, p: 0.001 })] : []) }));
  assert.equal(t.state.phase, 'halted');
  const readyAt = t.state.clusters[0]?.readyAt ?? 0;
  assert.ok((t.state.halt?.at ?? 0) >= readyAt + spec.evaluation.settleS * 1000, 'halted only after the settle time');
  // Before settling, the core asked for critical gates only.
  const scopes = (cmds(t, 'evaluate') as Extract<RolloutCommand, { kind: 'evaluate' }>[]).flatMap((c) => evaluateTargets(c).map((x) => x.gates));
  assert.ok(scopes.includes('critical') && scopes.includes('all'));
});

test('fleet-wide trouble holds the rollout without blaming the change; a long hold pauses it for a person', () => {
  const spec = specOf(smallPlan());
  const hold = [issue('api-latency-single-object', 'hold', 'fleet-wide', true, { value: 2, threshold: 1, baselineValue: 2 })];
  // Hold between 100 s and 400 s: the rollout waits, then goes on.
  const t = note(run(spec, { gates: (_c, _s, s) => (s >= 100 && s < 400 ? hold : []) }));
  assert.equal(t.state.phase, 'completed');
  assert.equal(t.state.halt, null);
  assert.ok(cmds(t, 'notify').some((c) => c.kind === 'notify' && /hold: .*fleet-wide/.test(c.message)));
  // Hold forever: paused after maxHold (30 min), resumed by a person, completes once the trouble is over.
  const t2 = note(
    run(spec, {
      gates: (_c, _s, s) => (s >= 100 && s < 3000 ? hold : []),
      people: [{ atS: 3100, event: (x) => ({ kind: 'resume', at: x, by: 'sre' }) }],
    }),
  );
  assert.ok(t2.rollout.has('running->paused'));
  assert.equal(t2.state.phase, 'completed');
});

test('missing metrics fail closed: halt by default, pause when the plan says so, ignored only when told', () => {
  const nodata = [issue('etcd-latency', 'nodata', 'stale', false, { value: null })];
  const gates: Script['gates'] = (c, _s, s) => (c === 'a' && s > 40 ? nodata : []);
  const halt = note(run(specOf(smallPlan()), { gates }));
  assert.equal(halt.state.phase, 'halted');
  assert.equal(halt.state.halt?.by, 'missing-data');
  const base = smallPlan();
  const pause = note(run(specOf({ ...base, evaluation: { ...base.evaluation, missingData: 'pause' } }), { gates }));
  assert.equal(pause.state.phase, 'paused');
  assert.match(pause.state.pauseReason ?? '', /stale/);
  const ignore = note(run(specOf({ ...base, evaluation: { ...base.evaluation, missingData: 'ignore' } }), { gates }));
  assert.equal(ignore.state.phase, 'completed');
});

test('failed applies are retried with seeded backoff and jitter; too many failures halt', () => {
  const spec = specOf(smallPlan());
  const t = note(run(spec, { apply: (c, b, attempt) => (c === 'b' && b === 0 && attempt <= 2 ? REFUSED : OK) }));
  assert.equal(t.state.phase, 'completed');
  const bApplies = t.events.filter((e) => e.kind === 'apply-result' && e.cluster === 'b' && e.batch === 0).map((e) => e.at);
  assert.equal(bApplies.length, 3);
  const gaps = bApplies.slice(1).map((x, i) => (x - (bApplies[i] ?? 0)) / 1000);
  // 1 s then 2 s base, ±25 % jitter, on whole-second ticks.
  assert.ok((gaps[0] ?? 0) >= 0.75 && (gaps[0] ?? 0) <= 2 && (gaps[1] ?? 0) >= 1.5 && (gaps[1] ?? 0) <= 3.5, `gaps ${gaps.join(', ')}`);
  // The same run again: the same times (the jitter is seeded, not random).
  const again = run(spec, { apply: (c, b, attempt) => (c === 'b' && b === 0 && attempt <= 2 ? REFUSED : OK) });
  assert.deepEqual(again.events, t.events);

  // Paused while a retry is pending: the retry waits for the resume, and no tick is wasted meanwhile.
  const failAt = t.events.find((e) => e.kind === 'apply-result' && !e.outcome.ok)?.at ?? 0;
  const p = (failAt - T0) / 1000 + 1;
  const paused = note(
    run(spec, {
      apply: (c, b, attempt) => (c === 'b' && b === 0 && attempt <= 2 ? REFUSED : OK),
      people: [
        { atS: p, event: (x) => ({ kind: 'pause', at: x, by: 'ops', reason: '' }) },
        { atS: p + 600, event: (x) => ({ kind: 'resume', at: x, by: 'ops' }) },
      ],
    }),
  );
  assert.equal(paused.state.phase, 'completed');
  const retried = paused.events.filter((e) => e.kind === 'apply-result' && e.cluster === 'b' && e.batch === 0).map((e) => e.at);
  assert.ok((retried[1] ?? 0) >= at(p + 600), 'no retry while paused');

  const never = note(run(spec, { apply: (c) => (c === 'a' ? REFUSED : OK) }));
  assert.equal(never.state.phase, 'halted');
  assert.equal(never.state.halt?.by, 'apply-failed');
  assert.ok(never.rollout.has('running->halted'), 'nothing was changed, so there is nothing to roll back');
});

test("the change's own gate: pods not ready by the progress deadline halt the rollout", () => {
  const spec = specOf(smallPlan());
  const t = note(run(spec, { readyAfterS: 100_000 }));
  assert.equal(t.state.phase, 'halted');
  assert.equal(t.state.halt?.gate, 'change-rollout');
  assert.match(t.state.halt?.message ?? '', /not ready after 10 min/);
});

test('rollback under a saturated API: ordinary delete fails, then kill switch and break-glass (on-failure)', () => {
  const spec = specOf(smallPlan());
  const fail: Script['gates'] = (c, _s, s) => (c === 'a' && s > 40 ? [issue('api-errors', 'fail', 'threshold', true, { value: 0, threshold: 0.99 })] : []);
  const saturated: Script = {
    gates: fail,
    remove: (_c, bg) => (bg ? { ok: true, reason: 'served by the break-glass API server', latencyS: 0.01 } : REFUSED),
    statusFails: (_c, bg) => !bg,
  };
  const t = note(run(spec, saturated));
  assert.equal(t.state.phase, 'halted');
  const d = cmds(t, 'delete') as Extract<RolloutCommand, { kind: 'delete' }>[];
  assert.deepEqual(d.map((c) => c.identity.breakGlass), [false, true]);
  assert.equal(cmds(t, 'kill-switch').length, 1);
  assert.ok((t.state.rollbackCompletedAt ?? Infinity) - (t.state.halt?.at ?? 0) <= 30_000);

  // Without break-glass and kill switch the rollback cannot finish while the API refuses.
  const base = smallPlan();
  const never = specOf({ ...base, rollback: { ...base.rollback, killSwitch: 'never', breakGlass: 'never' } });
  const t2 = note(run(never, saturated, 3 * 3600));
  assert.equal(t2.state.phase, 'rolling-back');
  assert.equal(t2.state.rollbackCompletedAt, null);
  assert.equal(cmds(t2, 'kill-switch').length, 0);
  const times = t2.events.filter((e) => e.kind === 'delete-result').map((e) => e.at);
  assert.ok(times.length > 5);
  assert.ok((times.at(-1) ?? 0) - (times.at(-2) ?? 0) <= 90_000, 'backoff is capped (60 s + jitter)');

  // The API comes back: the ordinary delete then goes through.
  const t3 = note(run(never, { gates: fail, remove: (_c, _bg, _n, s) => (s > 900 ? OK : REFUSED), statusFails: (_c, _bg, s) => s <= 900 }));
  assert.equal(t3.state.phase, 'halted');

  // 'always': kill switch and break-glass from the first moment.
  const always = specOf({ ...base, rollback: { ...base.rollback, killSwitch: 'always', breakGlass: 'always' } });
  const t4 = note(run(always, { gates: fail }));
  assert.equal(t4.state.phase, 'halted');
  assert.ok((cmds(t4, 'delete') as Extract<RolloutCommand, { kind: 'delete' }>[]).every((c) => c.identity.breakGlass));
  assert.equal(cmds(t4, 'kill-switch').length, 1);
});

test('people abort: with changes (rolled back), without, while paused or awaiting approval; after the end it is ignored', () => {
  const spec = specOf(smallPlan());
  const abort = (s: number) => ({ atS: s, event: (x: number): RolloutEvent => ({ kind: 'abort', at: x, by: 'ops', reason: 'bad idea' }) });
  const t = note(run(spec, { people: [abort(200)] }));
  assert.equal(t.state.phase, 'aborted');
  assert.ok(t.rollout.has('running->rolling-back') && t.rollout.has('rolling-back->aborted'));
  assert.equal(t.state.halt?.by, 'person');

  // Before anything changed: straight to aborted (pending, running, paused, awaiting approval).
  let s = initialState(spec);
  const before = s.phase;
  s = decide(spec, s, { kind: 'abort', at: at(0), by: 'ops', reason: '' }).state;
  seenRollout.add(`${before}->${s.phase}`);
  assert.equal(s.phase, 'aborted');
  const runningNoChange = decide(spec, decide(spec, initialState(spec), { kind: 'start', at: at(0) }).state, { kind: 'abort', at: at(0), by: 'ops', reason: '' }).state;
  assert.equal(runningNoChange.phase, 'aborted');
  seenRollout.add('running->aborted');
  const started = decide(spec, initialState(spec), { kind: 'start', at: at(0) }).state;
  const paused = decide(spec, started, { kind: 'pause', at: at(0), by: 'ops', reason: '' }).state;
  assert.equal(decide(spec, paused, { kind: 'abort', at: at(1), by: 'ops', reason: '' }).state.phase, 'aborted');
  seenRollout.add('paused->aborted');
  const specA = specOf({ ...smallPlan(), waves: { kind: 'list', waves: [{ name: 'one', clusters: { names: ['a'] }, approval: true }, { name: 'two', clusters: { names: ['b', 'c'] }, approval: false }] } });
  const waiting = decide(specA, initialState(specA), { kind: 'start', at: at(0) }).state;
  assert.equal(decide(specA, waiting, { kind: 'abort', at: at(1), by: 'ops', reason: '' }).state.phase, 'aborted');
  seenRollout.add('awaiting-approval->aborted');

  // Paused with changes, and awaiting approval with changes: rolled back.
  const t2 = note(run(spec, { people: [{ atS: 100, event: (x) => ({ kind: 'pause', at: x, by: 'a', reason: '' }) }, abort(150)] }));
  assert.ok(t2.rollout.has('paused->rolling-back'));
  assert.equal(t2.state.phase, 'aborted');
  const specB = specOf({ ...smallPlan(), waves: { kind: 'list', waves: [{ name: 'one', clusters: { names: ['a'] }, approval: false }, { name: 'two', clusters: { names: ['b', 'c'] }, approval: true }] } });
  const t3 = note(run(specB, { people: [abort(1500)] }));
  assert.ok(t3.rollout.has('awaiting-approval->rolling-back'));
  assert.equal(phaseOf(t3, specB, 'a'), 'rolled-back');

  const t4 = note(run(spec, { people: [abort(6000)] }, 7000, 7000));
  assert.equal(t4.state.phase, 'completed');
  assert.ok(cmds(t4, 'notify').some((c) => c.kind === 'notify' && /abort by ops ignored/.test(c.message)));
});

test('a cluster waiting to retry a later batch is rolled back with the rest', () => {
  const spec = specOf(smallPlan());
  const failing: Script['apply'] = (c, b, attempt) => (c === 'a' && b === 1 && attempt <= 4 ? REFUSED : OK);
  const probe = run(spec, { apply: failing });
  const firstFail = probe.events.find((e) => e.kind === 'apply-result' && e.cluster === 'a' && e.batch === 1 && !e.outcome.ok);
  assert.ok(firstFail !== undefined);
  const s = (firstFail.at - T0) / 1000 + 1;
  const t = note(run(spec, { apply: failing, people: [{ atS: s, event: (x) => ({ kind: 'abort', at: x, by: 'ops', reason: '' }) }] }));
  assert.ok(t.cluster.has('retry-wait->rolling-back'));
  assert.equal(t.state.phase, 'aborted');
});

/** Feeds events by hand, answering nothing: for the paths that need a command left outstanding. */
function step(spec: ReturnType<typeof specOf>, s: RolloutState, e: RolloutEvent): { s: RolloutState; c: readonly RolloutCommand[] } {
  const d = decide(spec, s, e);
  d.state.clusters.forEach((c, i) => {
    const b = s.clusters[i];
    if (b !== undefined && b.phase !== c.phase) seenCluster.add(`${b.phase}->${c.phase}`);
  });
  if (s.phase !== d.state.phase) seenRollout.add(`${s.phase}->${d.state.phase}`);
  return { s: d.state, c: d.commands };
}

test('commands in flight when the rollout stops: a snapshot is dropped, an apply is rolled back too', () => {
  const base = smallPlan();
  const spec = specOf({ ...base, waves: { kind: 'list', waves: [{ name: 'all', clusters: {}, approval: false }] } });
  let { s, c } = step(spec, initialState(spec), { kind: 'start', at: at(0) });
  const snaps = c.filter((x): x is Extract<RolloutCommand, { kind: 'snapshot' }> => x.kind === 'snapshot');
  assert.equal(snaps.length, 3, 'the wave starts all three clusters');
  // Cluster 0's snapshot comes back: its first batch is applied; the apply is left in flight.
  const first = snaps[0];
  assert.ok(first !== undefined);
  ({ s, c } = step(spec, s, { kind: 'snapshot-result', at: at(1), commandId: first.id, cluster: first.cluster, canary: {}, baselines: {} }));
  const apply = c.find((x) => x.kind === 'apply') as Extract<RolloutCommand, { kind: 'apply' }>;
  // A person aborts: the in-flight apply's cluster is rolled back, the others drop their snapshots.
  ({ s } = step(spec, s, { kind: 'abort', at: at(2), by: 'ops', reason: '' }));
  assert.equal(s.phase, 'rolling-back');
  assert.deepEqual(s.clusters.map((x) => x.phase).sort(), ['pending', 'pending', 'rolling-back']);
  // The apply result arrives after the abort: it succeeded, so it is undone.
  ({ s } = step(spec, s, { kind: 'apply-result', at: at(3), commandId: apply.id, cluster: apply.cluster, batch: 0, outcome: OK }));
  assert.equal(s.clusters.find((x) => x.rollback !== null)?.batch, 0);
  // A late snapshot result of a dropped cluster changes nothing.
  const late = snaps[1] as Extract<RolloutCommand, { kind: 'snapshot' }>;
  const r = step(spec, s, { kind: 'snapshot-result', at: at(4), commandId: late.id, cluster: late.cluster, canary: {}, baselines: {} });
  assert.deepEqual(r.s.clusters, s.clusters);
});

test('a pause between a snapshot and its result holds the first batch until the resume', () => {
  const spec = specOf(smallPlan());
  let { s, c } = step(spec, initialState(spec), { kind: 'start', at: at(0) });
  const snap = c.find((x) => x.kind === 'snapshot') as Extract<RolloutCommand, { kind: 'snapshot' }>;
  ({ s } = step(spec, s, { kind: 'pause', at: at(0), by: 'ops', reason: '' }));
  ({ s, c } = step(spec, s, { kind: 'snapshot-result', at: at(1), commandId: snap.id, cluster: snap.cluster, canary: {}, baselines: {} }));
  assert.equal(c.filter((x) => x.kind === 'apply').length, 0);
  assert.equal(s.clusters[0]?.phase, 'retry-wait');
  ({ s } = step(spec, s, { kind: 'resume', at: at(5), by: 'ops' }));
  ({ c } = step(spec, s, { kind: 'tick', at: at(6) }));
  assert.equal(c.filter((x) => x.kind === 'apply').length, 1);
  // Halting while a cluster waits to retry its first batch drops it back to pending.
  const spec2 = specOf(smallPlan());
  let s2 = step(spec2, initialState(spec2), { kind: 'start', at: at(0) }).s;
  const snap2 = (decide(spec2, initialState(spec2), { kind: 'start', at: at(0) }).commands.find((x) => x.kind === 'snapshot') as Extract<RolloutCommand, { kind: 'snapshot' }>);
  const r = step(spec2, s2, { kind: 'snapshot-result', at: at(1), commandId: snap2.id, cluster: snap2.cluster, canary: {}, baselines: {} });
  s2 = r.s;
  const ap = r.c.find((x) => x.kind === 'apply') as Extract<RolloutCommand, { kind: 'apply' }>;
  s2 = step(spec2, s2, { kind: 'apply-result', at: at(2), commandId: ap.id, cluster: ap.cluster, batch: 0, outcome: REFUSED }).s;
  assert.equal(s2.clusters[0]?.phase, 'retry-wait');
  s2 = step(spec2, s2, { kind: 'abort', at: at(3), by: 'ops', reason: '' }).s;
  assert.equal(s2.clusters[0]?.phase, 'pending');
  assert.equal(s2.phase, 'aborted');
});

test('the API budget: with no token left, applies wait and status reads are skipped', () => {
  const base = smallPlan();
  const spec = specOf({ ...base, budget: { ...base.budget, qps: 0.02, burst: 1 } });
  const t = note(run(spec, {}, 6 * 3600));
  assert.equal(t.state.phase, 'completed');
  assert.ok(t.cluster.has('snapshot->retry-wait') || t.cluster.has('baking->retry-wait'));
  // At most one request per 50 s per cluster, after the first.
  for (const name of ['a', 'b', 'c']) {
    const times = t.commands
      .flatMap((c) => (c.kind === 'apply' && c.cluster === name ? [c.id] : c.kind === 'evaluate' ? evaluateTargets(c).filter((x) => x.cluster === name && x.status !== undefined).map(() => c.id) : []))
      .map((id) => t.events.find((e) => 'commandId' in e && e.commandId === id)?.at ?? 0);
    for (let i = 2; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 49_000 || (times[i] ?? 0) - (times[i - 2] ?? 0) >= 49_000, `${name}: requests too close`);
  }
});

test('nextWake: nothing before the start, ticks while clusters change, nothing when only a person can move it', () => {
  const spec = specOf({ ...smallPlan(), waves: { kind: 'list', waves: [{ name: 'one', clusters: { names: ['a'] }, approval: true }, { name: 'two', clusters: { names: ['b', 'c'] }, approval: false }] } });
  const s0 = initialState(spec);
  assert.equal(nextWake(spec, s0), null);
  const s1 = decide(spec, s0, { kind: 'start', at: at(0) }).state;
  assert.equal(s1.phase, 'awaiting-approval');
  assert.equal(nextWake(spec, s1), null);
});

test('random worlds and people: no exception, only documented transitions, consistent ends', () => {
  const spec = specOf(smallPlan());
  const arb = fc.record({
    applyFail: fc.double({ min: 0, max: 0.6, noNaN: true }),
    deleteFail: fc.double({ min: 0, max: 0.9, noNaN: true }),
    gateAt: fc.option(fc.integer({ min: 0, max: 3000 })),
    gateKind: fc.constantFrom('fail-critical', 'fail-soft', 'hold', 'nodata'),
    gateCluster: fc.constantFrom('a', 'b', 'c'),
    people: fc.array(fc.record({ atS: fc.integer({ min: 0, max: 4000 }), kind: fc.constantFrom('pause', 'resume', 'approve', 'abort') }), { maxLength: 4 }),
    seed: fc.integer({ min: 1, max: 1000 }),
  });
  const allowedR = new Set(ROLLOUT_TRANSITIONS.map(([a, b]) => `${a}->${b}`));
  const allowedC = new Set(CLUSTER_TRANSITIONS.map(([a, b]) => `${a}->${b}`));
  fc.assert(
    fc.property(arb, (w) => {
      let k = w.seed;
      const rnd = (): number => {
        k = (k * 1103515245 + 12345) % 2147483648;
        return k / 2147483648;
      };
      const g = w.gateKind;
      const t = run(
        spec,
        {
          apply: () => (rnd() < w.applyFail ? REFUSED : OK),
          remove: () => (rnd() < w.deleteFail ? REFUSED : OK),
          gates: (c, scope, s) => {
            if (w.gateAt === null || c !== w.gateCluster || s < w.gateAt) return [];
            if (g === 'fail-critical') return [issue('api-errors', 'fail', 'threshold', true)];
            if (g === 'fail-soft') return scope === 'all' ? [issue('etcd-latency', 'fail', 'regression', false)] : [];
            if (g === 'hold') return [issue('dns-servfail', 'hold', 'fleet-wide', true)];
            return [issue('etcd-latency', 'nodata', 'missing', false)];
          },
          people: w.people.map((p) => ({ atS: p.atS, event: (x: number): RolloutEvent => (p.kind === 'approve' ? { kind: 'approve', at: x, by: 'p', wave: null } : p.kind === 'resume' ? { kind: 'resume', at: x, by: 'p' } : { kind: p.kind, at: x, by: 'p', reason: '' }) })),
        },
        4 * 3600,
      );
      for (const x of t.rollout) assert.ok(allowedR.has(x), `undocumented rollout transition ${x}`);
      for (const x of t.cluster) assert.ok(allowedC.has(x), `undocumented cluster transition ${x}`);
      note(t);
      assert.equal(new Set(t.commands.map((c) => c.id)).size, t.commands.length, 'command ids are unique');
      const s = t.state;
      if (s.phase === 'completed') assert.ok(s.clusters.every((c) => c.phase === 'done'));
      if (s.phase === 'halted' || s.phase === 'aborted') {
        assert.ok(s.clusters.every((c) => c.phase !== 'rolling-back' && c.phase !== 'applying' && c.phase !== 'baking'));
        assert.notEqual(s.rollbackCompletedAt, null);
      }
      if (s.halt !== null) {
        // Nothing new is applied after the halt decision.
        const late = t.commands.filter((c) => c.kind === 'apply').map((c) => t.events.find((e) => 'commandId' in e && e.commandId === c.id)?.at ?? 0);
        assert.ok(late.every((x) => x <= (s.halt?.at ?? 0)));
      }
    }),
    { numRuns: 60, seed: 20241211 },
  );
});

test('every documented transition is exercised, and no other', () => {
  const r = ROLLOUT_TRANSITIONS.map(([a, b]) => `${a}->${b}`);
  const c = CLUSTER_TRANSITIONS.map(([a, b]) => `${a}->${b}`);
  assert.deepEqual(r.filter((x) => !seenRollout.has(x)), [], 'rollout transitions never exercised');
  assert.deepEqual(c.filter((x) => !seenCluster.has(x)), [], 'cluster transitions never exercised');
  assert.deepEqual([...seenRollout].filter((x) => !r.includes(x)), [], 'rollout transitions not documented');
  assert.deepEqual([...seenCluster].filter((x) => !c.includes(x)), [], 'cluster transitions not documented');
});
