/**
 * How the CLI ends: user mistakes (InputError, UsageError, commander's own
 * usage errors) print their message and exit 2, with no stack trace; anything
 * else is a bug and prints its stack with exit 1.
 */
import { InputError, UsageError } from '../core/errors.ts';

export function exitCodeFor(err: unknown): { code: number; message: string } {
  if (err instanceof InputError) return { code: 2, message: err.message };
  if (err instanceof UsageError) return { code: 2, message: `error: ${err.message}` };
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('commander.')) {
    return { code: 'exitCode' in err && err.exitCode === 0 ? 0 : 2, message: '' };
  }
  const e = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: 1, message: `firebreak: internal error (a bug; please report it):\n${e}` };
}
