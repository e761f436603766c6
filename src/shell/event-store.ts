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
 * Fault injection for crash tests: `crashAfter: N` throws an InjectedCrash
 * right after the transaction holding the record with sequence number N is
 * committed (the CLI sets it from `FIREBREAK_CRASH_AT=N` and exits at once).
 *
 * @example
 *   const store = EventStore.open('rollout.db');
 *   store.appendAll([{ type: 'event', at: clock.now(), kind: 'start', id: 'start', body: '{"kind":"start"}' }]);
 *   for (const r of store.records()) console.log(r.seq, r.kind);
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export const STORE_FORMAT = 'firebreak.dev/rollout-log/v1';

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

export interface EventStoreOptions {
  readonly sync?: 'normal' | 'full';
  /** Crash (throw InjectedCrash) right after committing the record with this sequence number. */
  readonly crashAfter?: number;
  readonly readOnly?: boolean;
}

export class EventStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #crashAfter: number | undefined;
  readonly #insert: StatementSync;
  #pending: StatementSync | undefined;
  #appended = 0;

  private constructor(path: string, opts: EventStoreOptions) {
    this.path = path;
    this.#db = new DatabaseSync(path, { readOnly: opts.readOnly === true });
    this.#crashAfter = opts.crashAfter;
    if (opts.readOnly !== true) {
      this.#db.exec(`PRAGMA journal_mode = ${path === ':memory:' ? 'MEMORY' : 'WAL'}; PRAGMA synchronous = ${opts.sync === 'full' ? 'FULL' : 'NORMAL'};`);
      this.#db.exec(`
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
      `);
    }
    this.#insert = this.#db.prepare('INSERT INTO log (at, type, kind, id, body) VALUES (?, ?, ?, ?, ?)');
  }

  /** Opens (creating if needed) a store; `:memory:` keeps it in memory. */
  static open(path: string, opts: EventStoreOptions = {}): EventStore {
    return new EventStore(path, opts);
  }

  getMeta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Every record, in order. */
  records(): LogRecord[] {
    return (this.#db.prepare('SELECT seq, at, type, kind, id, body FROM log ORDER BY seq').all() as unknown as LogRecord[]).map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  }

  count(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number };
    return Number(row.n);
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
    const seqs: number[] = [];
    if (records.length > 1) this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of records) seqs.push(Number(this.#insert.run(r.at, r.type, r.kind, r.id, r.body).lastInsertRowid));
      if (records.length > 1) this.#db.exec('COMMIT');
    } catch (e) {
      if (records.length > 1 && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
    this.#appended += seqs.length;
    const crash = this.#crashAfter;
    if (crash !== undefined && seqs.includes(crash)) throw new InjectedCrash(crash);
    return seqs;
  }

  /** Records appended by this process. */
  get appended(): number {
    return this.#appended;
  }

  /** A person's request, for the running orchestrator to pick up. */
  pushInbox(kind: string, body: string, created: string): number {
    const r = this.#db.prepare('INSERT INTO inbox (kind, body, created) VALUES (?, ?, ?)').run(kind, body, created);
    return Number(r.lastInsertRowid);
  }

  /** Untaken inbox items, oldest first. */
  pendingInbox(): InboxItem[] {
    this.#pending ??= this.#db.prepare('SELECT seq, kind, body, created FROM inbox WHERE taken = 0 ORDER BY seq');
    return (this.#pending.all() as unknown as InboxItem[]).map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Marks an inbox item taken and appends its event and the commands decided from it, atomically. */
  takeInbox(item: InboxItem, records: readonly Omit<LogRecord, 'seq'>[]): number[] {
    const seqs: number[] = [];
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#db.prepare('UPDATE inbox SET taken = 1 WHERE seq = ?').run(item.seq);
      for (const r of records) seqs.push(Number(this.#insert.run(r.at, r.type, r.kind, r.id, r.body).lastInsertRowid));
      this.#db.exec('COMMIT');
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
    this.#appended += seqs.length;
    const crash = this.#crashAfter;
    if (crash !== undefined && seqs.includes(crash)) throw new InjectedCrash(crash);
    return seqs;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
