/**
 * How the CLI ends: the one exit-code contract of every command.
 *
 *   0  success (analyze: verdict ok or warn; rehearse: the rollout completed)
 *   1  a negative verdict (analyze: block; rehearse: the rollout halted, was
 *      aborted, or did not finish)
 *   2  a usage or input error: the message (located for input), no stack trace
 *   3  an internal error: one line, and a pointer to --debug / FIREBREAK_DEBUG=1
 *      for the stack; or a failure of the machine (a full disk, an I/O error):
 *      one line
 *
 * User mistakes (InputError, UsageError, commander's own usage errors, and
 * file-system errors left over from paths the user gave: not found, a
 * directory, permission denied) exit 2; SystemError and file-system errors
 * of the machine (ENOSPC, EIO) exit 3 with one line; anything else is a bug:
 * exit 3, its stack only with the debug flag.
 *
 * @example
 *   const { code, message } = exitCodeFor(err, { debug: false });
 */
import { InputError, SystemError, UsageError } from '../core/errors.ts';

export const EXIT = { ok: 0, negative: 1, usage: 2, internal: 3 } as const;

/** The exit codes as `--help` and the README show them. */
export const EXIT_CODES_HELP = `Exit codes (every command):
  0  success (analyze: verdict ok or warn; rehearse: the rollout completed)
  1  a negative verdict (analyze: block; rehearse: the rollout halted, was aborted,
     or did not finish — paused or awaiting an approval)
  2  a usage or input error: bad arguments, a file that is missing, unreadable,
     too large, not UTF-8, or not valid (every problem located); an output path
     that cannot be written
  3  an internal error (one line; --debug or FIREBREAK_DEBUG=1 shows the stack),
     or a failure of the machine such as a full disk
  Output cut short by a closed pipe (e.g. | head) ends quietly with the code above.`;

export const DEBUG_HINT = 're-run with --debug (or FIREBREAK_DEBUG=1) for the stack trace';

/** Errno codes of the file system that are the user's to fix (a path they gave): exit 2. */
const USER_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ETXTBSY: 'file busy',
};

/** Errno codes of a machine that failed: exit 3 with one line. */
const SYSTEM_ERRNO: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large for the file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOMEM: 'out of memory',
};

/** SQLite primary result codes (https://www.sqlite.org/rescode.html) that are the user's to fix: a wrong --state path or file. */
const SQLITE_USER = new Set([3 /* PERM */, 8 /* READONLY */, 11 /* CORRUPT */, 14 /* CANTOPEN */, 23 /* AUTH */, 26 /* NOTADB */]);

function errnoOf(err: unknown): { code: string; syscall?: string; path?: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown; errno?: unknown };
  if (typeof e.code !== 'string' || typeof e.errno !== 'number') return undefined;
  return { code: e.code, ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}), ...(typeof e.path === 'string' ? { path: e.path } : {}) };
}

function oneLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** For --debug: the stack of `err`, then that of each error it was made from (its `cause` chain). */
function stacks(err: unknown): string {
  let out = '';
  let e = err;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    if (depth > 0) out += '\ncaused by:';
    out += `\n${e.stack ?? `${e.name}: ${e.message}`}`;
    e = e.cause;
  }
  return out;
}

/** The exit code and what to print (to stderr) for an error that ended a command. */
export function exitCodeFor(err: unknown, opts: { readonly debug?: boolean } = {}): { code: number; message: string } {
  const debug = opts.debug === true;
  const stack = (e: unknown): string => (debug ? stacks(e) : '');
  if (err instanceof InputError) return { code: EXIT.usage, message: err.message };
  if (err instanceof UsageError) return { code: EXIT.usage, message: `error: ${err.message}` };
  if (err instanceof SystemError) return { code: EXIT.internal, message: `firebreak: ${err.message}${stack(err)}` };
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('commander.')) {
    // commander has printed its message (and the help) already.
    return { code: 'exitCode' in err && err.exitCode === 0 ? EXIT.ok : EXIT.usage, message: '' };
  }
  const errno = errnoOf(err);
  if (errno !== undefined) {
    const where = errno.path !== undefined ? ` ${errno.path}` : '';
    const what = `${errno.syscall ?? 'access'}${where}`;
    const user = USER_ERRNO[errno.code];
    if (user !== undefined) return { code: EXIT.usage, message: `error: cannot ${what}: ${user} (${errno.code})\n    fix: check the path and its permissions${stack(err)}` };
    const sys = SYSTEM_ERRNO[errno.code];
    if (sys !== undefined) return { code: EXIT.internal, message: `firebreak: cannot ${what}: ${sys} (${errno.code})${stack(err)}` };
  }
  if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ERR_SQLITE_ERROR') {
    const e = err as { errcode?: unknown; errstr?: unknown; message?: unknown };
    const rc = typeof e.errcode === 'number' ? e.errcode & 0xff : -1;
    const text = typeof e.errstr === 'string' ? e.errstr : String(e.message);
    if (SQLITE_USER.has(rc)) {
      return { code: EXIT.usage, message: `error: the state database cannot be used: ${text} (SQLite error ${rc})\n    fix: give --state a firebreak state database, or a new file in a writable directory${stack(err)}` };
    }
    return { code: EXIT.internal, message: `firebreak: the state database failed: ${text} (SQLite error ${rc})${stack(err)}` };
  }
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${oneLine(err.message)}` : oneLine(String(err));
  return {
    code: EXIT.internal,
    message: debug ? `firebreak: internal error (a bug; please report it): ${text}${stack(err)}` : `firebreak: internal error (a bug; please report it): ${text}; ${DEBUG_HINT}`,
  };
}
