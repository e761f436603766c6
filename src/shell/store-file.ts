/**
 * What a `--state` path holds, found out before firebreak writes anything to
 * it. A firebreak state database marks itself: SQLite's `application_id`
 * header field is `STORE_APPLICATION_ID` ("FBRK") and `user_version` is the
 * store's schema version. Anything else — a path in a missing directory, a
 * directory, a file that is not SQLite, a damaged SQLite file, another
 * application's SQLite database, a store from a newer firebreak, a store
 * whose log is in an older format — is refused with a `NotAStore` that says
 * what the path is and what to do, and is left as it was (no file created,
 * no table added).
 *
 * The schema version is also the version of the log's format (the JSON of
 * events and commands, `STORE_FORMAT`): version 3 is the format in which an
 * evaluate command names each judged cluster's comparison start and snapshot
 * command (whose baselines and levels the comparison uses); in version 2 it
 * also repeated the snapshot's baselines; in version 1 it named only the
 * clusters. A log of an older version cannot be verified by this decision
 * core (it re-decides every command and compares the JSON), so such a store
 * is refused in one line, not reported as corrupt.
 *
 * An empty file (0 bytes) or an SQLite database with no tables at all is
 * taken as a new store. A store written before the marker existed (tables
 * `meta`, `log`, `inbox` and the meta row `format`) is recognised by its
 * format: the current one is stamped by its next writer, an older one is
 * refused.
 *
 * @example
 *   const found = inspectStorePath('out/rollout.db'); // 'missing' | 'empty' | 'store'
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { describeError } from '../core/errors.ts';

/** `PRAGMA application_id` of a firebreak state database: the bytes "FBRK". */
export const STORE_APPLICATION_ID = 0x4642524b;
/** `PRAGMA user_version`: the store's schema version this code writes and reads (the log format's version). */
export const STORE_SCHEMA_VERSION = 3;
/** The `meta` row `format` of every store (also in stores from before the marker). */
export const STORE_FORMAT = `firebreak.dev/rollout-log/v${STORE_SCHEMA_VERSION}`;
/** Formats of older firebreak stores, by schema version: recognised, and refused. */
const OLDER_FORMATS: ReadonlyMap<string, number> = new Map([
  ['firebreak.dev/rollout-log/v1', 1],
  ['firebreak.dev/rollout-log/v2', 2],
]);

/** A path firebreak will not use as a state database; the message says why and what to do. */
export class NotAStore extends Error {
  readonly code = 'FB_NOT_A_STORE';
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotAStore';
    this.path = path;
  }
}

/** What a path holds: nothing yet, an empty database, or a firebreak store (possibly from before the marker). */
export type StoreFile = { readonly kind: 'missing' } | { readonly kind: 'empty' } | { readonly kind: 'store'; readonly marked: boolean };

/** The marker and tables of an open database: a store, an empty database, or something else (described). */
export type StoreSchema =
  | { readonly kind: 'store'; readonly marked: boolean }
  | { readonly kind: 'empty' }
  | { readonly kind: 'foreign'; readonly what: string }
  | { readonly kind: 'newer'; readonly version: number }
  | { readonly kind: 'older'; readonly version: number };

const SQLITE_HEADER = 'SQLite format 3\0';
const NEW_STORE = 'give --state a new file (it is created) or an existing firebreak rollout state database';

/** Reads the marker, the schema version and the tables of an open database. */
export function readSchema(db: DatabaseSync): StoreSchema {
  const appId = Number((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id);
  const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  if (appId === STORE_APPLICATION_ID) {
    if (version > STORE_SCHEMA_VERSION) return { kind: 'newer', version };
    if (version < STORE_SCHEMA_VERSION) return { kind: 'older', version };
    return { kind: 'store', marked: true };
  }
  if (appId !== 0) return { kind: 'foreign', what: `an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16)})` };
  if (tables.length === 0) return { kind: 'empty' };
  if (['inbox', 'log', 'meta'].every((t) => tables.includes(t))) {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
    if (row?.value === STORE_FORMAT) return { kind: 'store', marked: false };
    const older = row === undefined ? undefined : OLDER_FORMATS.get(row.value);
    if (older !== undefined) return { kind: 'older', version: older };
  }
  const shown = tables.slice(0, 6).join(', ') + (tables.length > 6 ? `, … (${tables.length} tables)` : '');
  return { kind: 'foreign', what: `an SQLite database that is not firebreak's (tables: ${shown})` };
}

/** The refusal for a schema that is not a store, or null. */
export function schemaProblem(path: string, s: StoreSchema): NotAStore | null {
  if (s.kind === 'foreign') return new NotAStore(path, `${path} is ${s.what}, not a firebreak rollout state database; firebreak leaves it untouched: ${NEW_STORE}`);
  if (s.kind === 'newer') {
    return new NotAStore(path, `${path} is a firebreak state database of schema version ${s.version}, newer than this firebreak knows (${STORE_SCHEMA_VERSION}); use the firebreak that wrote it`);
  }
  if (s.kind === 'older') {
    return new NotAStore(
      path,
      `${path} is a firebreak state database of schema version ${s.version}, older than this firebreak reads (${STORE_SCHEMA_VERSION}): its log format (rollout-log/v${s.version}) cannot be verified or resumed by this firebreak; firebreak leaves it untouched: inspect or finish it with the firebreak that wrote it, or ${NEW_STORE}`,
    );
  }
  return null;
}

/** How long the inspection waits for another connection's transaction (a writer creating the store, a request). */
const INSPECT_BUSY_MS = 10_000;

function isBusy(e: unknown): boolean {
  // SQLITE_BUSY (5), SQLITE_LOCKED (6), with or without extended codes.
  return typeof e === 'object' && e !== null && 'errcode' in e && typeof e.errcode === 'number' && ((e.errcode & 0xff) === 5 || (e.errcode & 0xff) === 6);
}

function readAt(target: string | URL): StoreSchema {
  const db = new DatabaseSync(target, { readOnly: true });
  try {
    db.exec(`PRAGMA busy_timeout = ${INSPECT_BUSY_MS}`);
    return readSchema(db);
  } finally {
    db.close();
  }
}

/**
 * The schema of the SQLite file at `path`. With no write-ahead log beside it
 * the file holds everything: it is read as immutable, which creates no
 * -shm/-wal files next to a database that may not be ours. With one, or when
 * the file changed while it was read (a writer is creating it), it is read
 * through SQLite's locks, waiting for the other connection's transaction.
 */
function inspectDatabase(path: string, size: number, mtimeMs: number): StoreSchema {
  const wal = `${path}-wal`;
  const locked = (): StoreSchema => {
    try {
      return readAt(path);
    } catch (e) {
      if (isBusy(e)) throw new NotAStore(path, `${path} is locked by another process for over ${INSPECT_BUSY_MS / 1000} s (${describeError(e)}); try again when it is done`, { cause: e });
      throw damaged(path, e);
    }
  };
  if (existsSync(wal)) return locked();
  const url = pathToFileURL(resolve(path));
  url.searchParams.set('immutable', '1');
  try {
    return readAt(url);
  } catch (e) {
    let changed = existsSync(wal);
    try {
      const now = statSync(path);
      changed ||= now.size !== size || now.mtimeMs !== mtimeMs;
    } catch {
      changed = true;
    }
    if (changed) return locked();
    throw damaged(path, e);
  }
}

function damaged(path: string, e: unknown): NotAStore {
  return new NotAStore(path, `${path} is a damaged SQLite database (${describeError(e)}); firebreak leaves it untouched: restore it from a copy, or ${NEW_STORE}`, { cause: e });
}

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

/** A few words on what a file that is not SQLite looks like. */
function describeBytes(buf: Buffer): string {
  if (buf.length === 0) return 'an empty file';
  const text = buf.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const printable = !/[\x00-\x08\x0e-\x1f]/.test(text);
  return printable ? `a text file (it starts with ${JSON.stringify(text.slice(0, 24))})` : 'a binary file that is not an SQLite database';
}

/**
 * What `path` holds, checked without writing anything. `mustExist`: readers
 * and requests need an existing store. Throws NotAStore for anything firebreak
 * must not open.
 */
export function inspectStorePath(path: string, mustExist: boolean): StoreFile {
  if (path === ':memory:') return { kind: 'missing' };
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOENT') {
      if (mustExist) throw new NotAStore(path, `no rollout state database at ${path}`);
      const dir = dirname(resolve(path));
      let d;
      try {
        d = statSync(dir);
      } catch {
        throw new NotAStore(path, `cannot create ${path}: the directory ${dir} does not exist; create it first, or give --state a path in an existing directory`);
      }
      if (!d.isDirectory()) throw new NotAStore(path, `cannot create ${path}: ${dir} is not a directory`);
      return { kind: 'missing' };
    }
    if (code === 'ENOTDIR') throw new NotAStore(path, `cannot use ${path}: a part of the path is a file, not a directory`);
    if (code === 'EACCES') throw new NotAStore(path, `cannot use ${path}: permission denied`);
    throw new NotAStore(path, `cannot use ${path}: ${describeError(e)}`, { cause: e });
  }
  if (st.isDirectory()) throw new NotAStore(path, `${path} is a directory, not a rollout state database; give --state a file path, e.g. ${path.replace(/\/+$/, '')}/rollout.db`);
  if (!st.isFile()) throw new NotAStore(path, `${path} is not a regular file; give --state a file path`);
  if (st.size === 0) {
    if (mustExist) throw new NotAStore(path, `${path} is an empty file, not a rollout state database`);
    return { kind: 'empty' };
  }
  const head = Buffer.alloc(Math.min(st.size, 100));
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    throw new NotAStore(path, `cannot read ${path}: ${errno(e) === 'EACCES' ? 'permission denied' : describeError(e)}`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head.length < 100 || head.toString('latin1', 0, 16) !== SQLITE_HEADER) {
    throw new NotAStore(path, `${path} is ${describeBytes(head)}, not a firebreak rollout state database (not SQLite); firebreak leaves it untouched: ${NEW_STORE}`);
  }
  const schema = inspectDatabase(path, st.size, st.mtimeMs);
  const problem = schemaProblem(path, schema);
  if (problem !== null) throw problem;
  if (schema.kind === 'empty') {
    if (mustExist) throw new NotAStore(path, `${path} is an empty SQLite database, not a rollout state database`);
    return { kind: 'empty' };
  }
  return { kind: 'store', marked: schema.kind === 'store' && schema.marked };
}
