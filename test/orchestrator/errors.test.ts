/**
 * Errors that wrap others keep them: the wrapped error is the `cause`, and
 * its code (firebreak's FB_…, Node's and SQLite's) stays in the message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, UsageError } from '../../src/core/errors.ts';
import { storeRefusal } from '../../src/cli/rehearse.ts';
import { LogCorrupt } from '../../src/shell/log-check.ts';
import { ReplayDivergence } from '../../src/shell/runner.ts';
import { inspectStorePath, NotAStore } from '../../src/shell/store-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-errors-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

test('describeError adds the code a message does not already say', () => {
  assert.equal(describeError(new LogCorrupt(7, 'a gap')), 'record 7: a gap (FB_LOG_CORRUPT)');
  const enoent = thrown(() => statSync(join(dir, 'missing')));
  assert.ok(enoent instanceof Error);
  assert.equal(describeError(enoent), enoent.message, 'ENOENT is in the message already');
  assert.match(describeError(enoent), /^ENOENT: /);
  assert.equal(describeError('a string'), 'a string');
  assert.equal(describeError(new Error('plain')), 'plain');
});

test('the state database refusals keep what they wrap: cause and code', () => {
  const corrupt = new LogCorrupt(3, 'command apply:a:0:1 was already issued');
  const refused = storeRefusal(corrupt, 'r.db');
  assert.ok(refused instanceof UsageError);
  assert.equal(refused.cause, corrupt);
  assert.match(refused.message, /^r\.db cannot be resumed: its log is corrupt at record 3: command apply:a:0:1 was already issued \(FB_LOG_CORRUPT\); /);
  const diverged = new ReplayDivergence('record 9: apply:a:0:1 gave a different result on replay');
  const again = storeRefusal(diverged, 'r.db');
  assert.equal(again?.cause, diverged);
  assert.match(again?.message ?? '', /\(FB_REPLAY_DIVERGENCE\)$/);
  assert.equal(storeRefusal(new Error('other'), 'r.db'), null);
});

test('a damaged SQLite file: the refusal names SQLite\'s error code and keeps the error as its cause', () => {
  const path = join(dir, 'damaged.db');
  // A valid SQLite header, then pages of garbage.
  writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from([0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]), Buffer.alloc(76, 0), Buffer.alloc(4096 * 3, 0x5a)]));
  const e = thrown(() => inspectStorePath(path, false));
  assert.ok(e instanceof NotAStore, String(e));
  assert.match(e.message, /is a damaged SQLite database \(.*ERR_SQLITE_ERROR, SQLite \d+\)/);
  assert.ok(e.cause instanceof Error && 'errcode' in e.cause, 'the SQLite error is the cause');
});
