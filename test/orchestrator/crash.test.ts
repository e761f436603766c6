/**
 * Crash safety (acceptance 4): a rehearsal that crashes right after any
 * persisted record, run again with the same inputs and state database,
 * resumes and ends with the same result as an uninterrupted run — every
 * command carried out exactly once in the twin that produced the result, and
 * exactly one recorded result per command. The sweeps cover a halted rollout
 * (rollback included) and a completed one: a sample of their records by
 * default, every record with FIREBREAK_SWEEP=1. One test goes through the CLI
 * with FIREBREAK_CRASH_AT in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from '../../src/input/plan.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { EventStore, InjectedCrash } from '../../src/shell/event-store.ts';
import { rehearse, type RehearsalInput, type RehearsalOutput } from '../../src/shell/rehearsal.ts';
import { StateMismatch } from '../../src/shell/rehearsal-state.ts';
import { rehearsalExit } from './procs.ts';
import { rehearsalOf } from './rehearsals.ts';

const F = 'test/fixtures/plans';
const plan = loadPlanFile(`${F}/valid/fast.yaml`).plan;
const dir = mkdtempSync(join(tmpdir(), 'firebreak-crash-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function inputs(name: string, statePath: string, extra: Partial<RehearsalInput> = {}, seed = 1): RehearsalInput {
  return { ...rehearsalOf(loadScenarioFile(`${F}/scenarios/${name}.yaml`), plan, seed), statePath, stopWhenDone: true, fingerprint: name, ...extra };
}

/** Every command id has exactly one recorded result, and appears once as a command. */
function assertOnce(path: string): void {
  const store = EventStore.open(path, { readOnly: true });
  try {
    const recs = store.records();
    const commands = recs.filter((r) => r.type === 'command').map((r) => r.id);
    assert.equal(new Set(commands).size, commands.length, 'a command recorded twice');
    const results = recs.filter((r) => r.type === 'event' && r.id.includes(':') && commands.includes(r.id)).map((r) => r.id);
    assert.equal(new Set(results).size, results.length, 'a command with two results');
    assert.deepEqual([...results].sort(), [...commands].sort(), 'a command without a result');
  } finally {
    store.close();
  }
}

async function sweep(name: string, pick: (n: number, total: number) => boolean): Promise<{ total: number; tried: number; base: RehearsalOutput }> {
  const base = await rehearse(inputs(name, join(dir, `${name}-base.db`)));
  const total = base.counters.records;
  const want = JSON.stringify(base.result);
  let tried = 0;
  for (let n = 1; n <= total; n++) {
    if (!pick(n, total)) continue;
    tried++;
    const path = join(dir, `${name}-${n}.db`);
    await assert.rejects(rehearse(inputs(name, path, { crashAfter: n })), (e: unknown) => e instanceof InjectedCrash && e.seq === n);
    // The same command again (the crash switch still set): it resumes and finishes.
    const again = await rehearse(inputs(name, path, { crashAfter: n }));
    assert.equal(JSON.stringify(again.result), want, `crash after record ${n}: a different result`);
    assert.deepEqual(again.effects, base.effects, `crash after record ${n}: different effects on the twin`);
    assert.equal(new Set(again.effects.map((e) => e.commandId)).size, again.effects.length, `crash after record ${n}: a command applied twice`);
    assert.equal(again.counters.records, total, `crash after record ${n}: a different log`);
    assertOnce(path);
    rmSync(path, { force: true });
  }
  return { total, tried, base };
}

/** FIREBREAK_SWEEP=1: every crash point; otherwise the first and last records and every seventh in between. */
const FULL = process.env.FIREBREAK_SWEEP === '1';

test('a halted rollout and its rollback: crash after every persisted record, resume, same result', async () => {
  const { total, tried, base } = await sweep('small-incident', (n, t) => FULL || n <= 10 || n % 7 === 0 || n > t - 10);
  assert.equal(base.result.outcome, 'halted');
  assert.ok(base.effects.some((e) => e.kind === 'delete'), 'the sweep covers the rollback');
  assert.ok(FULL ? tried === total : tried >= total / 6, `${tried} of ${total} crash points`);
  assert.ok(total > 50, `${total} records`);
});

test('a completed rollout: crash after a sample of its records, resume, same result', async () => {
  const { total, tried, base } = await sweep('small-benign', (n, t) => FULL || n <= 3 || n % 41 === 0 || n > t - 2);
  assert.equal(base.result.outcome, 'completed');
  assert.ok(tried >= 15 && total > 300);
});

test('a finished rehearsal run again replays to the same result; other inputs are refused', async () => {
  const path = join(dir, 'finished.db');
  const first = await rehearse(inputs('small-incident', path));
  const second = await rehearse(inputs('small-incident', path));
  assert.equal(JSON.stringify(second.result), JSON.stringify(first.result));
  assert.equal(second.counters.replayed, first.counters.records);
  await assert.rejects(rehearse(inputs('small-incident', path, {}, 2)), StateMismatch);
  await assert.rejects(rehearse(inputs('small-incident', path, { fingerprint: 'another plan' })), StateMismatch);
});

test('the CLI: FIREBREAK_CRASH_AT=N exits at once; the same command again resumes to the same JSON', () => {
  const script = 'src/cli/main.ts';
  const args = ['rehearse', '--scenario', `${F}/scenarios/small-incident.yaml`, '--plan', `${F}/valid/fast.yaml`, '--json'];
  const clean = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  assert.equal(clean.status, rehearsalExit(clean), clean.stderr);
  assert.equal(clean.status, 1, 'the incident halts: exit 1 by the contract');
  const state = join(dir, 'cli.db');
  for (const n of [1, 97]) {
    rmSync(state, { force: true });
    const env = { ...process.env, FIREBREAK_CRASH_AT: String(n) };
    const crashed = spawnSync(process.execPath, [script, ...args, '--state', state], { encoding: 'utf8', env });
    assert.equal(crashed.status, 75, crashed.stderr);
    assert.match(crashed.stderr, new RegExp(`injected crash after persisted record ${n}`));
    assert.equal(crashed.stdout, '');
    const resumed = spawnSync(process.execPath, [script, ...args, '--state', state], { encoding: 'utf8', env });
    assert.equal(resumed.status, clean.status, resumed.stderr);
    assert.equal(resumed.stdout, clean.stdout);
  }
  const bad = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, FIREBREAK_CRASH_AT: 'soon' } });
  assert.equal(bad.status, 2);
});
