/**
 * One writer at a time per state database. The lock is an operating-system
 * file lock that dies with its process (SIGKILL included), taken through
 * SQLite so that no dependency is needed: a sidecar database `<db>-lock`
 * opened with `PRAGMA locking_mode = EXCLUSIVE` and written once keeps its
 * POSIX lock until the connection closes or the process ends. The attempt
 * does not wait (`busy_timeout = 0`): a second writer is refused at once.
 *
 * The holder records itself (pid, host, start time, command) in the main
 * database's `writer` table, which stays readable (the sidecar does not), so a
 * refused writer can name it (it gives the holder up to 2 s to do so: the
 * record follows the lock by milliseconds). The sidecar file is never deleted: removing a
 * lock file another process has open would let two writers lock two
 * different files.
 *
 * Readers (`rollout status`, `history`) and requests (`rollout pause` …,
 * written to the inbox in their own short transaction) never take this lock.
 *
 * @example
 *   const lock = WriterLock.acquire('out/rollout.db'); // throws WriterLocked when another process writes
 *   try { … } finally { lock.release(); }
 */
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describeError } from '../core/errors.ts';

/** Who holds (or last held) the writer lock of a state database. */
export interface WriterInfo {
  readonly pid: number;
  readonly host: string;
  /** Wall-clock start, ISO 8601. */
  readonly started: string;
  readonly command: string;
}

/** Another process writes this state database. */
export class WriterLocked extends Error {
  readonly code = 'FB_WRITER_LOCKED';
  readonly holder: WriterInfo | null;
  constructor(path: string, holder: WriterInfo | null) {
    const who =
      holder === null
        ? 'another process (it has not recorded itself yet)'
        : `another firebreak process: pid ${holder.pid} on ${holder.host}, running since ${holder.started} (${holder.command})`;
    super(`${path} is being written by ${who}; one process writes a state database at a time: wait for it to finish (or stop it), then run this again`);
    this.name = 'WriterLocked';
    this.holder = holder;
  }
}

/** The sidecar could not be used as a lock (unwritable directory, a foreign or damaged file). */
export class LockUnavailable extends Error {
  readonly code = 'FB_LOCK_UNAVAILABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockUnavailable';
  }
}

function isBusy(e: unknown): boolean {
  // SQLITE_BUSY (5) or SQLITE_LOCKED (6).
  return typeof e === 'object' && e !== null && 'errcode' in e && (e.errcode === 5 || e.errcode === 6);
}

/** This process, as recorded in the store. */
export function currentWriter(command: string): WriterInfo {
  return { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
}

/** This process's command line, as a person would type it (`firebreak rehearse …`). */
export function commandLine(): string {
  const script = process.argv[1] ?? 'node';
  const name = /src\/cli\/main\.ts$/.test(script) ? 'firebreak' : basename(script);
  return [name, ...process.argv.slice(2)].join(' ');
}

/** Is the recorded holder still alive? Unknown (true) on another host. */
function alive(w: WriterInfo): boolean {
  if (w.host !== hostname()) return true;
  try {
    process.kill(w.pid, 0);
    return true;
  } catch (e) {
    return !(typeof e === 'object' && e !== null && 'code' in e && e.code === 'ESRCH');
  }
}

/** The holder recorded in the main database, if it can be read and the process still runs. */
export function recordedWriter(path: string): WriterInfo | null {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 1000');
    const row = db.prepare('SELECT pid, host, started, command FROM writer WHERE id = 1').get() as { pid: number; host: string; started: string; command: string } | undefined;
    if (row === undefined) return null;
    const w = { pid: Number(row.pid), host: row.host, started: row.started, command: row.command };
    return alive(w) ? w : null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** How long a refused writer looks for the holder's record (it writes it milliseconds after taking the lock). */
const HOLDER_WAIT_MS = 2_000;

/** The holder, waiting briefly for it to record itself. */
function holderOf(path: string): WriterInfo | null {
  const until = Date.now() + HOLDER_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const w = recordedWriter(path);
    if (w !== null || Date.now() >= until) return w;
    Atomics.wait(pause, 0, 0, 25);
  }
}

export class WriterLock {
  readonly path: string;
  #db: DatabaseSync | null;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /** Takes the writer lock of the state database at `path`, or throws WriterLocked naming the holder. */
  static acquire(path: string, me: WriterInfo = currentWriter(commandLine())): WriterLock {
    const lockPath = `${path}-lock`;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(lockPath);
    } catch (e) {
      throw new LockUnavailable(`cannot create the writer lock ${lockPath}: ${describeError(e)}`, { cause: e });
    }
    try {
      db.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT NOT NULL, command TEXT NOT NULL)');
      // The write that makes SQLite take, and in EXCLUSIVE mode keep, the exclusive lock.
      db.prepare('INSERT OR REPLACE INTO holder (id, pid, host, started, command) VALUES (1, ?, ?, ?, ?)').run(me.pid, me.host, me.started, me.command);
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The lock was never ours; closing drops the attempt.
        }
      }
      db.close();
      if (isBusy(e)) throw new WriterLocked(path, holderOf(path));
      throw new LockUnavailable(`cannot use ${lockPath} as the writer lock of ${path} (${describeError(e)}); remove it if no firebreak process runs on ${path}`, { cause: e });
    }
    return new WriterLock(path, db);
  }

  get held(): boolean {
    return this.#db !== null;
  }

  /** Releases the lock (closing the sidecar drops its file lock). Idempotent. */
  release(): void {
    const db = this.#db;
    this.#db = null;
    if (db !== null && db.isOpen) db.close();
  }
}
