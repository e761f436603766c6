/**
 * Errors made from other errors keep them as `cause` (src/core/errors.ts):
 * the output layer's write failures, and --debug shows the whole chain while
 * the one-line message stays the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SystemError, UsageError } from '../../src/core/errors.ts';
import { outputError } from '../../src/cli/output.ts';
import { exitCodeFor } from '../../src/cli/run-errors.ts';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, write`), { code, errno: -5, syscall: 'write' });
}

test('a write failure turned into a SystemError or UsageError keeps the file-system error as its cause, and its code in the message', () => {
  const full = errno('ENOSPC');
  const sys = outputError(full, 'out/r.html', '--report');
  assert.ok(sys instanceof SystemError);
  assert.equal(sys.cause, full);
  assert.match(sys.message, /\(ENOSPC\)$/);
  const denied = errno('EACCES');
  const usage = outputError(denied, 'out/r.html', '--report');
  assert.ok(usage instanceof UsageError);
  assert.equal(usage.cause, denied);
  assert.match(usage.message, /\(EACCES\)/);
});

test('--debug shows the stack of the error and of its cause; without it, one line', () => {
  const err = new SystemError('cannot write out/r.html (--report): no space left on device (ENOSPC)', { cause: errno('ENOSPC') });
  const plain = exitCodeFor(err, { debug: false });
  assert.equal(plain.code, 3);
  assert.equal(plain.message, 'firebreak: cannot write out/r.html (--report): no space left on device (ENOSPC)');
  const debug = exitCodeFor(err, { debug: true });
  assert.equal(debug.code, 3);
  assert.ok(debug.message.startsWith(`${plain.message}\nSystemError: `), debug.message);
  assert.match(debug.message, /\ncaused by:\nError: ENOSPC: failed, write\n {4}at /);
});
