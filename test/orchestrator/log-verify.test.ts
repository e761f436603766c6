/**
 * `rollout status` verifies the log (issue #9): every result answers a command
 * issued before it, each command is answered at most once, seq has no gap,
 * the log folds through the decision core. A log that does not verify is
 * named at its first bad record, exit 2 — never reported as a healthy
 * rollout (it used to be, while no run could resume it). `history` flags it,
 * requests and `rehearse` refuse it in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { UsageError } from '../../src/core/errors.ts';
import { rolloutControl, rolloutHistory, rolloutHistoryResult } from '../../src/cli/rollout.ts';
import { loadPlanFile } from '../../src/input/plan.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import type { RolloutSpec } from '../../src/orchestrator/compile.ts';
import { EventStore, type LogRecord } from '../../src/shell/event-store.ts';
import { foldLog, LogCorrupt } from '../../src/shell/log-check.ts';
import { rehearse } from '../../src/shell/rehearsal.ts';
import { assertRefused, cli, F, rehearsalExit, rehearseArgs } from './procs.ts';
import { rehearsalOf } from './rehearsals.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-verify-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** What `firebreak rehearse` records as its inputs' fingerprint (the plan's and the scenario's bytes). */
const cliFingerprint = createHash('sha256').update(readFileSync(`${F}/valid/fast.yaml`)).update('\0').update(readFileSync(`${F}/scenarios/small-incident.yaml`)).digest('hex');
const good = join(dir, 'good.db');
const made = cli(rehearseArgs('small-incident', good));
assert.equal(made.status, rehearsalExit(made), made.stderr);

interface Row {
  seq: number;
  at: number;
  type: string;
  kind: string;
  id: string;
  body: string;
}

function rows(path: string): Row[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('SELECT seq, at, type, kind, id, body FROM log ORDER BY seq').all() as unknown as Row[]).map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  } finally {
    db.close();
  }
}

/** A copy of the good store with its log rewritten by `edit` (plain SQLite, as a second writer or a bad disk would). */
function corrupted(name: string, edit: (log: Row[]) => Row[]): string {
  const path = join(dir, `${name}.db`);
  copyFileSync(good, path);
  const log = edit(rows(good));
  const db = new DatabaseSync(path);
  try {
    db.exec('BEGIN; DELETE FROM log');
    const put = db.prepare('INSERT INTO log (seq, at, type, kind, id, body) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of log) put.run(r.seq, r.at, r.type, r.kind, r.id, r.body);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
  return path;
}

/** Renumbers 1, 2, 3 … (the damage is in the content, not in seq). */
const renumber = (log: Row[]): Row[] => log.map((r, i) => ({ ...r, seq: i + 1 }));

const log0 = rows(good);
const firstEval = log0.findIndex((r) => r.type === 'event' && r.kind === 'evaluation');
const evalRow = log0[firstEval];
assert.ok(evalRow !== undefined);
/** An event that decided two or more commands, and the next event after them. */
const split = log0.findIndex((r, k) => r.type === 'event' && log0[k + 1]?.type === 'command' && log0[k + 2]?.type === 'command');
const nextEvent = log0.findIndex((r, k) => k > split && r.type === 'event');
assert.ok(split >= 0 && nextEvent > split + 2);

const cases: { name: string; edit: (log: Row[]) => Row[]; seq: number; says: RegExp }[] = [
  {
    // What two interleaved writers left: a result of a command this log never issued.
    name: 'a result of a command never issued',
    edit: (log) => renumber([...log.slice(0, firstEval + 1), { ...evalRow, id: 'evaluate:1', body: evalRow.body.replace(/"commandId":"[^"]+"/, '"commandId":"evaluate:1"') }, ...log.slice(firstEval + 1)]),
    seq: firstEval + 2,
    says: /result of evaluate:1, which was never issued/,
  },
  {
    name: 'a command answered twice',
    edit: (log) => renumber([...log.slice(0, firstEval + 1), evalRow, ...log.slice(firstEval + 1)]),
    seq: firstEval + 2,
    says: /a second result of evaluate:\d+, already answered at record \d+/,
  },
  {
    name: 'a gap in seq',
    edit: (log) => log.filter((r) => r.seq !== 40),
    seq: 41,
    says: /comes after record 39: records 40–40 are missing/,
  },
  {
    name: 'a command the decision core does not decide',
    edit: (log) => log.map((r) => (r.type === 'command' && r.kind === 'apply' ? { ...r, body: r.body.replace(/"nodes":\d+/, '"nodes":9999') } : r)),
    seq: (log0.find((r) => r.type === 'command' && r.kind === 'apply')?.seq ?? 0),
    says: /command apply:\S+ is not what the decision core decides/,
  },
  {
    // A decision's commands torn apart: the next event lands between them.
    name: 'an event between a decision and its commands',
    edit: (log) => renumber([...log.slice(0, split + 2), ...log.slice(nextEvent, nextEvent + 1), ...log.slice(split + 2, nextEvent), ...log.slice(nextEvent + 1)]),
    seq: split + 3,
    says: /comes where the command \S+ decided at record \d+ should be/,
  },
];

cases.forEach((c, k) => {
  test(`a log with ${c.name}: status names the record (exit 2), history flags it, requests and rehearse refuse it`, async () => {
    const path = corrupted(c.name.replace(/\W+/g, '-'), c.edit);
    const status = cli(['rollout', 'status', '--state', path]);
    const named = new RegExp(`record ${c.seq}: `);
    assertRefused(status, named, 'status');
    assert.match(status.stderr, c.says);
    assert.match(status.stderr, /the log does not verify/);
    assert.doesNotMatch(status.stdout, /halted|completed/, 'no healthy-looking report');
    if (k === 0) {
      // The same through real processes once; in-process for the other cases (the same functions).
      const history = cli(['rollout', 'history', '--state', path]);
      assert.equal(history.status, 2);
      assert.match(history.stdout, new RegExp(`^!! ${named.source}`, 'm'), 'the bad record is flagged');
      assert.match(history.stderr, c.says);
      assertRefused(cli(['rollout', 'pause', '--state', path, '--by', 'x']), c.says, 'pause');
      assertRefused(cli(rehearseArgs('small-incident', path)), /cannot be resumed: its log is corrupt at record \d+: /, 'rehearse');
      return;
    }
    const history = rolloutHistoryResult(path, { json: false });
    assert.match(history.stdout, new RegExp(`^!! ${named.source}`, 'm'));
    assert.match(history.problem ?? '', c.says);
    assert.throws(() => rolloutHistory(path, { json: true }), (e: unknown) => e instanceof UsageError && c.says.test(e.message));
    assert.throws(() => rolloutControl(path, 'abort', { by: 'x' }), (e: unknown) => e instanceof UsageError && c.says.test(e.message));
    await assert.rejects(
      rehearse({ ...rehearsalOf(loadScenarioFile(`${F}/scenarios/small-incident.yaml`), loadPlanFile(`${F}/valid/fast.yaml`).plan, 1), statePath: path, fingerprint: cliFingerprint }),
      (e: unknown) => e instanceof LogCorrupt && e.seq === c.seq,
    );
  });
});

test('a good log: status says "log verified: N records" with N its length; folding it gives the state rehearse ended with', async () => {
  const status = cli(['rollout', 'status', '--state', good]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`log verified: ${log0.length} records`));
  const json = JSON.parse(cli(['rollout', 'status', '--state', good, '--json']).stdout) as { verified: boolean; records: number };
  assert.deepEqual([json.verified, json.records], [true, log0.length]);
  const store = EventStore.open(good, { readOnly: true });
  const spec = JSON.parse(store.getMeta('spec') ?? '') as RolloutSpec;
  const records: LogRecord[] = store.records();
  store.close();
  const out = await rehearse({ ...rehearsalOf(loadScenarioFile(`${F}/scenarios/small-incident.yaml`), loadPlanFile(`${F}/valid/fast.yaml`).plan, 1) });
  assert.deepEqual(foldLog(spec, records).state, out.state);
  // Every prefix that ends on a whole decision verifies; cutting a decision short does not.
  const lastCmd = records.findLastIndex((r) => r.type === 'command');
  assert.throws(() => foldLog(spec, records.slice(0, lastCmd)), (e: unknown) => e instanceof LogCorrupt && /never recorded/.test(e.message));
});

test('a log that verifies but does not replay (a recorded result the twin does not give again): rehearse refuses it in one line, exit 2', () => {
  const path = corrupted('replay', (log) => log.map((r) => (r.type === 'event' && r.kind === 'apply-result' ? { ...r, body: r.body.replace(/"reason":"[^"]*"/, '"reason":"served by another twin"') } : r)));
  const status = cli(['rollout', 'status', '--state', path]);
  assert.equal(status.status, 0, 'the log itself is consistent');
  const resume = cli(rehearseArgs('small-incident', path));
  assertRefused(resume, /cannot be resumed with these inputs: record \d+: apply:\S+ gave a different result on replay/, 'rehearse');
});
