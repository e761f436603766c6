/**
 * Named errors with stable codes. User mistakes (bad input, bad usage) are
 * `InputError`s and `UsageError`s: the CLI prints their messages and exits 2,
 * with no stack trace. A failure of the machine rather than of the user or
 * of firebreak (a full disk, an I/O error) is a `SystemError`: one line, exit
 * 3. Anything else is a bug: exit 3, its stack shown with --debug.
 *
 * An error made from another (a file-system error turned into a located
 * problem, a write failure turned into a SystemError) keeps the original as
 * its `cause`: the message says what it means to the user, the cause what
 * the system said (its code, errno and stack, shown with --debug).
 *
 * @example
 *   try { openSync(file, 'r'); } catch (e) { throw new InputError([problem], { cause: e }); }
 */

/** One located problem in an input file. */
export interface Problem {
  /** File the problem is in ('<inline>' when not from a file). */
  readonly file: string;
  /** 1-based line and column, when known. */
  readonly line?: number;
  readonly column?: number;
  /** JSON-pointer-like field path, e.g. `spec.clusters[3].nodes`. */
  readonly path: string;
  /** What is wrong and what is expected. */
  readonly message: string;
  /** How to fix it, when there is something specific to say. */
  readonly hint?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  const path = p.path === '' ? '' : ` ${p.path}:`;
  const hint = p.hint !== undefined ? `\n    fix: ${p.hint}` : '';
  return `${where}:${path} ${p.message}${hint}`;
}

export class InputError extends Error {
  readonly code = 'FB_INPUT';
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options?: ErrorOptions) {
    super(problems.map(formatProblem).join('\n'), options);
    this.name = 'InputError';
    this.problems = problems;
  }
}

export class UsageError extends Error {
  readonly code = 'FB_USAGE';
  /** `options.cause`: the error this one reports (kept for --debug and callers). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The environment failed, not the user and not firebreak: a full disk, an I/O error. One line, exit 3. */
export class SystemError extends Error {
  readonly code = 'FB_SYSTEM';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SystemError';
  }
}

/**
 * A caught error in words, for the message of the error that wraps it (which
 * also keeps it as `cause`): its message, with its code when the message
 * does not already say it — `file is not a database (ERR_SQLITE_ERROR, SQLite 26)`,
 * `record 7: … (FB_LOG_CORRUPT)`; Node's system errors name theirs
 * (`ENOENT: no such file or directory …`).
 */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const codes: string[] = [];
  if ('code' in e && typeof e.code === 'string' && e.code !== '' && !e.message.includes(e.code)) codes.push(e.code);
  if ('errcode' in e && typeof e.errcode === 'number') codes.push(`SQLite ${e.errcode}`);
  return codes.length === 0 ? e.message : `${e.message} (${codes.join(', ')})`;
}
