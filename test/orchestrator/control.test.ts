/**
 * People's requests checked against the rollout's state (issue #9, "fail
 * closed"): `rollout pause|resume|abort` and `approve --wave 99` on a finished
 * rollout used to answer "the orchestrator takes it at its next step" and sit
 * in the inbox forever. Now a request that would change nothing is refused,
 * exit 2, with the reason; the others are queued as before. A paused
 * rehearsal says so (who, when, what to do) and resumes after
 * `firebreak rollout resume`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rehearseCommand } from '../../src/cli/rehearse.ts';
import { rolloutControl, rolloutStatus, type RolloutControlOptions } from '../../src/cli/rollout.ts';
import { UsageError } from '../../src/core/errors.ts';
import type { ControlAction } from '../../src/shell/control.ts';
import type { RehearsalResult } from '../../src/orchestrator/report-types.ts';
import { assertRefused, cli, F, logCount, rehearseArgs } from './procs.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-control-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function pending(state: string): number {
  const s = JSON.parse(rolloutStatus(state, { json: true })) as { pendingRequests: unknown[] };
  return s.pendingRequests.length;
}

/** The same refusal as `firebreak rollout <action>` (a UsageError: exit 2), in-process. */
function refused(state: string, action: ControlAction, opts: RolloutControlOptions, says: RegExp): void {
  assert.throws(() => rolloutControl(state, action, opts), (e: unknown) => e instanceof UsageError && says.test(e.message), `${action} ${JSON.stringify(opts)}`);
}

/** `firebreak rehearse` in-process. */
async function rehearseIn(scenario: string, state: string, extra: { plan?: string; approveAfter?: string; json?: boolean } = {}): Promise<string> {
  return rehearseCommand({ scenario: `${F}/scenarios/${scenario}.yaml`, plan: extra.plan ?? `${F}/valid/fast.yaml`, seed: 1, json: extra.json ?? true, compare: false, state, ...(extra.approveAfter !== undefined ? { approveAfter: extra.approveAfter } : {}) });
}

test('requests on a completed rollout are refused with the reason (exit 2) and nothing is queued', async () => {
  const state = join(dir, 'completed.db');
  await rehearseIn('small-benign', state);
  const at = '2024-12-11T15:19:15-08:00';
  assertRefused(cli(['rollout', 'pause', '--state', state, '--by', 'alice']), new RegExp(`rollout fast completed at ${at}; nothing to pause`), 'firebreak rollout pause');
  refused(state, 'resume', {}, new RegExp(`rollout fast completed at ${at}; nothing to resume`));
  refused(state, 'abort', { reason: 'too late' }, new RegExp(`rollout fast completed at ${at}; nothing to abort`));
  refused(state, 'approve', {}, new RegExp(`rollout fast completed at ${at}; nothing to approve`));
  assertRefused(cli(['rollout', 'approve', '--state', state, '--wave', '99']), /rollout fast has 3 waves; there is no wave 99 to approve/, 'approve --wave 99');
  assert.equal(pending(state), 0, 'nothing queued');
});

test('requests on a halted rollout are refused: it was rolled back, nothing to pause or abort', async () => {
  const state = join(dir, 'halted.db');
  await rehearseIn('small-incident', state);
  refused(state, 'pause', {}, /rollout fast halted at 2024-12-11T14:48:15-08:00 \(etcd-latency on huge-a: .*\) and was rolled back by 2024-12-11T14:48:30-08:00; nothing to pause/);
  refused(state, 'abort', {}, /halted at .*; nothing to abort/);
  assert.equal(pending(state), 0);
});

test('a paused rehearsal says who paused it and what to do, and resumes after `rollout resume`', async () => {
  const state = join(dir, 'paused.db');
  const args = rehearseArgs('small-benign', state);
  // A rehearsal stopped part-way (its process died after record 150): still running.
  const crashed = cli(args, { FIREBREAK_CRASH_AT: '150' });
  assert.equal(crashed.status, 75, crashed.stderr);
  refused(state, 'resume', {}, /rollout fast is running wave \d+ \(wave-\d\), not paused; nothing to resume/);
  const pause = cli(['rollout', 'pause', '--state', state, '--by', 'alice', '--reason', 'lunch']);
  assert.equal(pause.status, 0, pause.stderr);
  assert.match(pause.stdout, /^pause requested \(#1\) for rollout fast, now running \(paused once taken\)/);
  refused(state, 'pause', { by: 'bob' }, /already paused by alice .*: lunch \(after the requests already queued\); nothing to pause/);

  const r = JSON.parse(await rehearseIn('small-benign', state)) as RehearsalResult;
  assert.equal(r.outcome, 'incomplete');
  assert.equal(r.incomplete?.phase, 'paused');
  assert.equal(r.incomplete?.by, 'alice');
  assert.equal(r.incomplete?.reason, 'lunch');
  assert.equal(r.incomplete?.next, 'resume');
  assert.match(r.incomplete?.message ?? '', /^paused by alice at \d\d:\d\d:\d\d \(lunch\) and still paused when the scenario ended at 16:00:00$/);
  const text = cli(args.filter((a) => a !== '--json'));
  assert.equal(text.status, 1, `an incomplete rehearsal exits 1: ${text.stderr}`);
  assert.match(text.stdout, /: INCOMPLETE\n {2}paused by alice at .* and still paused when the scenario ended at 16:00:00; resume it with `firebreak rollout resume --state .*paused\.db` and run the same command again\n/);
  const held = logCount(state);
  const status = rolloutStatus(state, { json: false });
  assert.match(status, /: paused, wave \d of 3/);
  assert.match(status, /paused by alice at 2024-12-11T.*: lunch/);

  assert.match(rolloutControl(state, 'resume', { by: 'bob' }), /^resume requested \(#2\)/);
  const done = JSON.parse(await rehearseIn('small-benign', state)) as RehearsalResult;
  assert.equal(done.outcome, 'completed', 'the paused rehearsal resumed and finished');
  assert.equal(done.incomplete, null);
  assert.ok(logCount(state) > held);
  assert.match(cli(['rollout', 'history', '--state', state]).stdout, /event {3}resume {13}by bob/);
  refused(state, 'resume', {}, /completed at .*; nothing to resume/);
});

test('approvals: only of the wave that waits; a resume of a rollout that waits for an approval is refused', async () => {
  const plan = join(dir, 'gated.yaml');
  writeFileSync(plan, 'apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata: { name: gated }\nspec:\n  change: { twin: {} }\n  waves: { generate: { approvalBefore: [2] } }\n  bake: { batch: 30s, wave: 30s }\n  gates: { evaluation: { settle: 30s } }\n');
  const state = join(dir, 'gated.db');
  const r = JSON.parse(await rehearseIn('small-benign', state, { plan, approveAfter: 'never' })) as RehearsalResult;
  assert.equal(r.incomplete?.phase, 'awaiting-approval');
  assert.equal(r.incomplete?.next, 'approve');
  assert.equal(r.incomplete?.wave, 2);
  refused(state, 'approve', { wave: 3 }, /wave 3 of rollout gated is not waiting for an approval; wave 2 \(wave-2\) is/);
  refused(state, 'approve', { wave: 1 }, /wave 1 of rollout gated started at .*; wave 2 \(wave-2\) is the one waiting/);
  refused(state, 'resume', {}, /waiting for an approval of wave 2 \(wave-2\), not paused; nothing to resume/);
  assert.match(rolloutControl(state, 'approve', { wave: 2, by: 'carol' }), /^approve requested/);
  refused(state, 'approve', { wave: 2 }, /running wave 2 \(wave-2\) \(after the requests already queued\); no wave is waiting for an approval/);
  const done = JSON.parse(await rehearseIn('small-benign', state, { plan, approveAfter: 'never' })) as RehearsalResult;
  assert.equal(done.outcome, 'completed');
});
