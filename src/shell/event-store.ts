/**
 * The rollout's durable state: an append-only log of events (what happened)
 * and commands (what the decision core decided to do), in SQLite through
 * Node's built-in `node:sqlite`. State is never stored, only derived: folding
 * the events through the decision core rebuilds it exactly.
 *
 * Tables:
 * - `meta(key, value)`: the format version, the compiled rollout spec, and
 *   what made the log (for a rehearsal: the plan, scenario and seed), so a
 *   restarted orchestrator checks it resumes the same rollout;
 * - `log(seq, at, type, kind, id, body)`: events and commands in the order
 *   they were decided; command ids are unique, which keeps each command
 *   recorded once;
 * - `inbox(seq, kind, body, created, taken)`: requests from people
 *   (`firebreak rollout pause|resume|approve|abort`), moved into the log by the
 *   running orchestrator in the same transaction that marks them taken.
 *
 * An event and the commands decided from it are committed together, before
 * any of them is acted on (WAL journal), so a process that dies after a commit
 * finds all of it on restart, and one that dies before finds none of it. `synchronous=NORMAL` (the
 * default here) survives a process crash; pass `sync: 'full'` to survive a
 * power loss as well.
 *
 * The file marks itself (SQLite `application_id` "FBRK" and `user_version`,
 * src/shell/store-file.ts): anything else at the path is refused untouched.
 * Access comes in three kinds:
 * - `write` (the default): the one orchestrator running the rollout. It takes
 *   the writer lock (src/shell/writer-lock.ts) before touching the file,
 *   creates the store when the path is new (tables, marker and format in one
 *   transaction) and records itself in `writer(pid, host, started, command)`;
 * - `read`: `rollout status` and `history`, no lock, nothing written;
 * - `request`: `rollout pause|resume|approve|abort`, no lock; only adds to
 *   the inbox, each request in its own short transaction.
 * Every write is one transaction that lands whole or not at all.
 *
 * Fault injection for crash tests: `crashAfter: N` throws an InjectedCrash
 * right after the transaction holding the record with sequence number N is
 * committed (the CLI sets it from `FIREBREAK_CRASH_AT=N` and exits at once).
 *
 * @example
 *   const store = EventStore.open('rollout.db'); // throws NotAStore, WriterLocked
 *   store.appendAll([{ type: 'event', at: clock.now(), kind: 'start', id: 'start', body: '{"kind":"start"}' }]);
 *   for (const r of store.records()) console.log(r.seq, r.kind);
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { describeError } from '../core/errors.ts';
import { inspectStorePath, NotAStore, readSchema, schemaProblem, STORE_APPLICATION_ID, STORE_FORMAT, STORE_SCHEMA_VERSION } from './store-file.ts';
import { commandLine, currentWriter, WriterLock, type WriterInfo } from './writer-lock.ts';

export { STORE_FORMAT };

export interface LogRecord {
  readonly seq: number;
  readonly at: number;
  readonly type: 'event' | 'command';
  readonly kind: string;
  readonly id: string;
  readonly body: string;
}

export interface InboxItem {
  readonly seq: number;
  readonly kind: string;
  readonly body: string;
  readonly created: string;
}

/** Where the log and the inbox stood when read: a request is added only if neither moved since. */
export interface StoreMark {
  readonly log: number;
  readonly inbox: number;
}

/** Thrown right after the record chosen by `crashAfter` is committed. */
export class InjectedCrash extends Error {
  readonly code = 'FB_INJECTED_CRASH';
  readonly seq: number;
  constructor(seq: number) {
    super(`injected crash after persisted record ${seq} (FIREBREAK_CRASH_AT=${seq})`);
    this.name = 'InjectedCrash';
    this.seq = seq;
  }
}

export type StoreAccess = 'write' | 'read' | 'request';

export interface EventStoreOptions {
  readonly sync?: 'normal' | 'full';
  /** Crash (throw InjectedCrash) right after committing the record with this sequence number. */
  readonly crashAfter?: number;
  /** Same as `access: 'read'`. */
  readonly readOnly?: boolean;
  /** Default 'write' (takes the writer lock). */
  readonly access?: StoreAccess;
  /** How the writer records itself (default: this process, its command line). */
  readonly writer?: WriterInfo;
}

/** How long a statement waits for another connection's transaction (they are short: one decision, one request). */
const BUSY_TIMEOUT_MS = 10_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('event', 'command')),
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS log_command_id ON log (id) WHERE type = 'command';
  CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created TEXT NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS writer (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT NOT NULL, command TEXT NOT NULL);
`;

export class EventStore {
  readonly path: string;
  readonly access: StoreAccess;
  readonly #db: DatabaseSync;
  readonly #lock: WriterLock | null;
  readonly #writer: WriterInfo | null;
  readonly #crashAfter: number | undefined;
  #insert: StatementSync | undefined;
  #pending: StatementSync | undefined;
  #appended = 0;

  private constructor(path: string, access: StoreAccess, db: DatabaseSync, lock: WriterLock | null, writer: WriterInfo | null, crashAfter: number | undefined) {
    this.path = path;
    this.access = access;
    this.#db = db;
    this.#lock = lock;
    this.#writer = writer;
    this.#crashAfter = crashAfter;
  }

  /**
   * Opens a store; `:memory:` keeps it in memory. Writers create it when the
   * path is new. Throws NotAStore (not a store, or none there for readers and
   * requests) and WriterLocked (another process writes it), having changed
   * nothing.
   */
  static open(path: string, opts: EventStoreOptions = {}): EventStore {
    const access: StoreAccess = opts.readOnly === true ? 'read' : (opts.access ?? 'write');
    if (path === ':memory:') {
      const db = new DatabaseSync(':memory:');
      db.exec('PRAGMA journal_mode = MEMORY');
      initialise(db, path);
      return new EventStore(path, access, db, null, null, opts.crashAfter);
    }
    inspectStorePath(path, access !== 'write');
    if (access !== 'write') {
      const db = new DatabaseSync(path, { readOnly: access === 'read' });
      try {
        db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      } catch (e) {
        db.close();
        throw e;
      }
      return new EventStore(path, access, db, null, null, opts.crashAfter);
    }
    const writer = opts.writer ?? currentWriter(commandLine());
    const lock = WriterLock.acquire(path, writer);
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${opts.sync === 'full' ? 'FULL' : 'NORMAL'};`);
      initialise(db, path, writer);
      return new EventStore(path, access, db, lock, writer, opts.crashAfter);
    } catch (e) {
      db?.close();
      lock.release();
      throw e;
    }
  }

  #mustWrite(): void {
    if (this.access !== 'write') throw new Error(`${this.path} is open for ${this.access === 'read' ? 'reading' : 'requests'}: only its writer appends to the log`);
  }

  getMeta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#mustWrite();
    this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * Writes `entries` into meta in one transaction, unless meta already has
   * `guard` (then nothing is written). Returns whether it wrote.
   */
  initMeta(guard: string, entries: Readonly<Record<string, string>>): boolean {
    this.#mustWrite();
    return this.#transaction(() => {
      if (this.getMeta(guard) !== undefined) return false;
      const put = this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      for (const [k, v] of Object.entries(entries)) put.run(k, v);
      return true;
    });
  }

  /** Runs `fn` over one consistent snapshot of the database (a read transaction). */
  snapshot<T>(fn: () => T): T {
    if (this.#db.isTransaction) return fn();
    this.#db.exec('BEGIN');
    try {
      return fn();
    } finally {
      if (this.#db.isTransaction) this.#db.exec('COMMIT');
    }
  }

  /** Every record, in order. */
  records(): LogRecord[] {
    return (this.#db.prepare('SELECT seq, at, type, kind, id, body FROM log ORDER BY seq').all() as unknown as LogRecord[]).map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  }

  count(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number };
    return Number(row.n);
  }

  /** Where the log and the inbox stand. */
  mark(): StoreMark {
    const row = this.#db.prepare('SELECT (SELECT COALESCE(MAX(seq), 0) FROM log) AS log, (SELECT COALESCE(MAX(seq), 0) FROM inbox) AS inbox').get() as { log: number; inbox: number };
    return { log: Number(row.log), inbox: Number(row.inbox) };
  }

  /** Appends one record (its own transaction); returns its sequence number. */
  append(type: 'event' | 'command', at: number, kind: string, id: string, body: string): number {
    return this.appendAll([{ type, at, kind, id, body }])[0] ?? 0;
  }

  /**
   * Appends records in one transaction (an event and the commands decided from
   * it): all or none are stored. The crash switch fires after the commit that
   * stored its record.
   */
  appendAll(records: readonly Omit<LogRecord, 'seq'>[]): number[] {
    this.#mustWrite();
    const insert = (this.#insert ??= this.#db.prepare('INSERT INTO log (at, type, kind, id, body) VALUES (?, ?, ?, ?, ?)'));
    const seqs = this.#transaction(() => records.map((r) => Number(insert.run(r.at, r.type, r.kind, r.id, r.body).lastInsertRowid)));
    return this.#committed(seqs);
  }

  /** Records appended by this process. */
  get appended(): number {
    return this.#appended;
  }

  /** A person's request, for the running orchestrator to pick up (one transaction). */
  pushInbox(kind: string, body: string, created: string): number {
    if (this.access === 'read') throw new Error(`${this.path} is open for reading`);
    const r = this.#db.prepare('INSERT INTO inbox (kind, body, created) VALUES (?, ?, ?)').run(kind, body, created);
    return Number(r.lastInsertRowid);
  }

  /**
   * Adds a request only if neither the log nor the inbox moved since `seen`
   * (what the request was checked against still holds); returns its inbox
   * sequence number, or null when something was added meanwhile.
   */
  pushInboxIfUnchanged(seen: StoreMark, kind: string, body: string, created: string): number | null {
    if (this.access === 'read') throw new Error(`${this.path} is open for reading`);
    return this.#transaction(() => {
      const now = this.mark();
      if (now.log !== seen.log || now.inbox !== seen.inbox) return null;
      return Number(this.#db.prepare('INSERT INTO inbox (kind, body, created) VALUES (?, ?, ?)').run(kind, body, created).lastInsertRowid);
    });
  }

  /** Untaken inbox items, oldest first. */
  pendingInbox(): InboxItem[] {
    this.#pending ??= this.#db.prepare('SELECT seq, kind, body, created FROM inbox WHERE taken = 0 ORDER BY seq');
    return (this.#pending.all() as unknown as InboxItem[]).map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Marks an inbox item taken and appends its event and the commands decided from it, atomically. */
  takeInbox(item: InboxItem, records: readonly Omit<LogRecord, 'seq'>[]): number[] {
    this.#mustWrite();
    const insert = (this.#insert ??= this.#db.prepare('INSERT INTO log (at, type, kind, id, body) VALUES (?, ?, ?, ?, ?)'));
    const seqs = this.#transaction(() => {
      this.#db.prepare('UPDATE inbox SET taken = 1 WHERE seq = ?').run(item.seq);
      return records.map((r) => Number(insert.run(r.at, r.type, r.kind, r.id, r.body).lastInsertRowid));
    });
    return this.#committed(seqs);
  }

  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.#db.exec('COMMIT');
      return out;
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  #committed(seqs: number[]): number[] {
    this.#appended += seqs.length;
    const crash = this.#crashAfter;
    if (crash !== undefined && seqs.includes(crash)) throw new InjectedCrash(crash);
    return seqs;
  }

  /** Closes the database; a writer clears its record and releases the writer lock. */
  close(): void {
    if (this.#db.isOpen) {
      const w = this.#writer;
      if (w !== null && this.#lock?.held === true) {
        try {
          if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
          this.#db.prepare('DELETE FROM writer WHERE id = 1 AND pid = ? AND started = ?').run(w.pid, w.started);
        } catch {
          // Best effort: a stale record names a process that no longer holds the lock.
        }
      }
      this.#db.close();
    }
    this.#lock?.release();
  }
}

/**
 * Under the writer lock (or in memory): creates the store in an empty
 * database, stamps one from before the marker, and records the writer — one
 * transaction. Refuses (NotAStore) anything that is not a store.
 */
function initialise(db: DatabaseSync, path: string, writer?: WriterInfo): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const schema = readSchema(db);
    const problem = schemaProblem(path, schema);
    if (problem !== null) throw problem;
    if (schema.kind === 'empty' || (schema.kind === 'store' && !schema.marked)) {
      db.exec(SCHEMA);
      db.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}; PRAGMA user_version = ${STORE_SCHEMA_VERSION};`);
      db.prepare("INSERT INTO meta (key, value) VALUES ('format', ?) ON CONFLICT (key) DO NOTHING").run(STORE_FORMAT);
    }
    if (writer !== undefined) db.prepare('INSERT OR REPLACE INTO writer (id, pid, host, started, command) VALUES (1, ?, ?, ?, ?)').run(writer.pid, writer.host, writer.started, writer.command);
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e instanceof NotAStore ? e : new NotAStore(path, `${path} cannot be opened as a state database: ${describeError(e)}`, { cause: e });
  }
}
