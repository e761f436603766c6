/**
 * One writer per state database (issue #9, "fail closed"): two `firebreak
 * rehearse` processes on one `--state` used to interleave their records
 * (`UNIQUE constraint failed`, `database is locked`, a log no run could
 * resume). Now the second is refused at once, exit 2, naming the first;
 * readers and people's requests need no lock; a killed writer's lock dies
 * with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '../../src/shell/event-store.ts';
import { assertRefused, cli, LOCKED, logCount, reference, rehearsalExit, rehearseArgs, start, waitUntil } from './procs.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-writers-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const benign = ['--scenario', 'scenarios/benign-node-scoped-agent.yaml', '--plan', 'plans/default.yaml', '--json'];
let cleanBenign: string | undefined;
/** The JSON of an uninterrupted run without a state database (computed once). */
function clean(): string {
  if (cleanBenign === undefined) {
    const r = cli(['rehearse', ...benign]);
    assert.equal(r.status, 0, r.stderr);
    cleanBenign = r.stdout;
  }
  return cleanBenign;
}

test('two `firebreak rehearse` on one --state started together: one writes, the other is refused naming it; the store verifies and resumes to the same JSON', async () => {
  const state = join(dir, 'together.db');
  const a = start(['rehearse', ...benign, '--state', state]);
  const b = start(['rehearse', ...benign, '--state', state]);
  const runs = await Promise.all([a.done, b.done]);
  const won = runs.filter((r) => r.status === 0);
  const refused = runs.filter((r) => r.status !== 0);
  assert.equal(won.length, 1, runs.map((r) => `exit ${r.status}: ${r.stderr}`).join('\n'));
  assert.equal(won[0]?.stdout, clean());
  assert.equal(refused.length, 1);
  const r = refused[0];
  assert.ok(r !== undefined);
  assertRefused(r, LOCKED, 'the second writer');
  assert.equal(Number(LOCKED.exec(r.stderr)?.[1]), runs[0] === r ? b.pid : a.pid, 'names the writer');
  assert.match(r.stderr, /firebreak rehearse --scenario scenarios\/benign-node-scoped-agent\.yaml/);
  const status = cli(['rollout', 'status', '--state', state]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /completed, wave 8 of 8/);
  assert.match(status.stdout, /log verified: \d+ records/);
  const again = cli(['rehearse', ...benign, '--state', state]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, clean(), 'the finished rehearsal replays to the same JSON');
});

test('a writer that starts while another holds the store is refused at once with its pid, host and start time, and changes nothing', () => {
  const state = join(dir, 'held.db');
  const first = cli(rehearseArgs('small-incident', state));
  assert.equal(first.status, rehearsalExit(first), first.stderr);
  assert.equal(first.status, 1, 'the incident halts: exit 1');
  const records = logCount(state);
  const started = '2024-12-11T22:00:00.000Z';
  const holder = EventStore.open(state, { writer: { pid: process.pid, host: hostname(), started, command: 'the test holding the lock' } });
  try {
    const second = cli(rehearseArgs('small-incident', state));
    assertRefused(second, LOCKED, 'a second writer');
    const m = LOCKED.exec(second.stderr);
    assert.deepEqual([Number(m?.[1]), m?.[2], m?.[3]], [process.pid, hostname(), started]);
    assert.match(second.stderr, /\(the test holding the lock\)/);
    assert.equal(logCount(state), records, 'nothing appended');
    // Readers and requests need no lock.
    const status = cli(['rollout', 'status', '--state', state]);
    assert.equal(status.status, 0, status.stderr);
    assert.equal(cli(['rollout', 'history', '--state', state, '--limit', '2']).status, 0);
  } finally {
    holder.close();
  }
  const after = cli(rehearseArgs('small-incident', state));
  assert.equal(after.status, rehearsalExit(after), 'the lock is free once its holder closed the store');
  assert.equal(after.stdout, first.stdout);
});

test("a person's request is queued while the orchestrator holds the writer lock, and the next run takes it", () => {
  const plan = join(dir, 'approval.yaml');
  writeFileSync(plan, 'apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata: { name: gated }\nspec:\n  change: { twin: {} }\n  waves: { generate: { approvalBefore: [2] } }\n  bake: { batch: 30s, wave: 30s }\n  gates: { evaluation: { settle: 30s } }\n');
  const state = join(dir, 'gated.db');
  const args = [...rehearseArgs('small-benign', state, plan), '--approve-after', 'never'];
  const stopped = cli(args);
  assert.equal(stopped.status, 1, `awaiting an approval is incomplete, exit 1: ${stopped.stderr}`);
  assert.equal((JSON.parse(stopped.stdout) as { phase: string }).phase, 'awaiting-approval');
  const holder = EventStore.open(state);
  try {
    const approve = cli(['rollout', 'approve', '--state', state, '--wave', '2', '--by', 'alice']);
    assert.equal(approve.status, 0, approve.stderr);
    assert.match(approve.stdout, /^approve requested \(#1\)/);
  } finally {
    holder.close();
  }
  const resumed = cli(args);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as { outcome: string }).outcome, 'completed');
});

test('the writer lock dies with its process: after a SIGKILL the next writer takes it at once and resumes to the same JSON', async () => {
  const want = clean();
  const state = join(dir, 'killed.db');
  const a = start(['rehearse', ...benign, '--state', state]);
  assert.ok(await waitUntil(() => logCount(state) >= 100), 'the writer got going');
  a.kill();
  const killed = await a.done;
  assert.equal(killed.signal, 'SIGKILL', `exit ${killed.status}: the run ended before the kill`);
  assert.ok(existsSync(`${state}-lock`), 'the lock file stays (it is never deleted)');
  const next = cli(['rehearse', ...benign, '--state', state]);
  assert.equal(next.status, 0, next.stderr);
  assert.equal(next.stdout, want);
  assert.match(cli(['rollout', 'status', '--state', state]).stdout, /log verified/);
});

test('the lock is per database: two rehearsals on two state files run side by side', async () => {
  const a = start(rehearseArgs('small-incident', join(dir, 'side-a.db')));
  const b = start(rehearseArgs('small-incident', join(dir, 'side-b.db')));
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.equal(ra.status, rehearsalExit(ra), ra.stderr);
  assert.equal(rb.status, rehearsalExit(rb), rb.stderr);
  assert.equal(ra.stdout, rb.stdout);
});

test('writers and a reader started at the same instant on a new --state: each ends cleanly (no "damaged", no stack trace)', async () => {
  const want = (await reference('small-incident')).json;
  for (let i = 0; i < 3; i++) {
    const state = join(dir, `instant-${i}.db`);
    const [a, b, s] = await Promise.all([start(rehearseArgs('small-incident', state)), start(rehearseArgs('small-incident', state)), start(['rollout', 'status', '--state', state])].map((r) => r.done));
    for (const e of [a, b]) {
      assert.ok(e !== undefined);
      if (e.status !== 2) {
        assert.equal(e.status, rehearsalExit(e), e.stderr);
        assert.equal(e.stdout, want);
      } else assertRefused(e, LOCKED, `writer ${i}`);
    }
    assert.ok(a?.status !== 2 || b?.status !== 2, 'one of them wrote it');
    // The reader finds nothing yet, a store with no rollout yet, or the rollout.
    assert.ok(s !== undefined);
    if (s.status !== 0) assertRefused(s, /no rollout state database at|holds no rollout spec|is an empty (SQLite database|file)/, `reader ${i}`);
  }
});
