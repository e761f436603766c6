/**
 * A store that recognises its own files (issue #9): `--state` pointing at a
 * path in a missing directory, a directory, a file that is not SQLite, a
 * damaged SQLite file, another application's SQLite database, a store from
 * a newer firebreak or one whose log is in an older format is refused — exit
 * 2, one line saying what it is and what to do — and left exactly as it was (no file created, no table added, no
 * lock file beside it). Writes land whole or not at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { EventStore } from '../../src/shell/event-store.ts';
import { NotAStore, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION } from '../../src/shell/store-file.ts';
import { assertRefused, cli, rehearsalExit, rehearseArgs } from './procs.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-storefile-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every file under the test directory, to see that a refusal created none. */
function listing(): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

function sqlite(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
}

/** A finished firebreak store to copy from. */
const made = join(dir, 'made.db');
const first = cli(rehearseArgs('small-incident', made));
assert.equal(first.status, rehearsalExit(first), first.stderr);

const cases: { name: string; make: () => string; says: RegExp }[] = [
  { name: 'a path in a missing directory', make: () => join(dir, 'no-such-dir', 'r.db'), says: /the directory .*no-such-dir does not exist; create it first/ },
  {
    name: 'a directory',
    make: () => {
      const p = join(dir, 'a-directory');
      mkdirSync(p, { recursive: true });
      return p;
    },
    says: /is a directory, not a rollout state database; give --state a file path/,
  },
  {
    name: 'a text file',
    make: () => {
      const p = join(dir, 'notes.db');
      writeFileSync(p, 'not sqlite at all, just text\n');
      return p;
    },
    says: /is a text file .*not a firebreak rollout state database \(not SQLite\); firebreak leaves it untouched/,
  },
  {
    name: 'a damaged SQLite file',
    make: () => {
      const p = join(dir, 'damaged.db');
      const bytes = readFileSync(made);
      // The header survives, the pages after it do not.
      writeFileSync(p, Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(4096 * 3, 0x5a)]));
      return p;
    },
    says: /is a damaged SQLite database \(.*\); firebreak leaves it untouched/,
  },
  {
    name: "another application's SQLite database",
    make: () => {
      const p = join(dir, 'app.db');
      sqlite(p, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('ada');");
      return p;
    },
    says: /is an SQLite database that is not firebreak's \(tables: customers\), not a firebreak rollout state database; firebreak leaves it untouched/,
  },
  {
    name: 'an SQLite database with another application id',
    make: () => {
      const p = join(dir, 'other-app.db');
      sqlite(p, 'PRAGMA application_id = 1234; CREATE TABLE meta (key TEXT);');
      return p;
    },
    says: /is an SQLite database of another application \(application_id 0x4d2\)/,
  },
  {
    name: 'a store from a newer firebreak',
    make: () => {
      const p = join(dir, 'newer.db');
      copyFileSync(made, p);
      sqlite(p, `PRAGMA user_version = ${STORE_SCHEMA_VERSION + 1}`);
      return p;
    },
    says: new RegExp(`schema version ${STORE_SCHEMA_VERSION + 1}, newer than this firebreak knows \\(${STORE_SCHEMA_VERSION}\\)`),
  },
  {
    name: 'a store from an older firebreak (its log in format v1)',
    make: () => {
      const p = join(dir, 'older.db');
      copyFileSync(made, p);
      sqlite(p, "PRAGMA user_version = 1; UPDATE meta SET value = 'firebreak.dev/rollout-log/v1' WHERE key = 'format';");
      return p;
    },
    says: new RegExp(`schema version 1, older than this firebreak reads \\(${STORE_SCHEMA_VERSION}\\): its log format \\(rollout-log/v1\\) cannot be verified or resumed by this firebreak; firebreak leaves it untouched`),
  },
  {
    name: 'a store from an older firebreak (its log in format v2, evaluate commands repeating their baselines)',
    make: () => {
      const p = join(dir, 'older-v2.db');
      copyFileSync(made, p);
      sqlite(p, "PRAGMA user_version = 2; UPDATE meta SET value = 'firebreak.dev/rollout-log/v2' WHERE key = 'format';");
      return p;
    },
    says: new RegExp(`schema version 2, older than this firebreak reads \\(${STORE_SCHEMA_VERSION}\\): its log format \\(rollout-log/v2\\) cannot be verified or resumed by this firebreak; firebreak leaves it untouched`),
  },
  {
    name: 'a store from before the marker whose log is in format v1',
    make: () => {
      const p = join(dir, 'older-unmarked.db');
      copyFileSync(made, p);
      sqlite(p, "PRAGMA application_id = 0; PRAGMA user_version = 0; DROP TABLE writer; UPDATE meta SET value = 'firebreak.dev/rollout-log/v1' WHERE key = 'format';");
      return p;
    },
    says: new RegExp(`schema version 1, older than this firebreak reads \\(${STORE_SCHEMA_VERSION}\\): its log format \\(rollout-log/v1\\) cannot be verified or resumed`),
  },
  {
    name: 'a store from before the marker whose log is in format v2',
    make: () => {
      const p = join(dir, 'older-v2-unmarked.db');
      copyFileSync(made, p);
      sqlite(p, "PRAGMA application_id = 0; PRAGMA user_version = 0; DROP TABLE writer; UPDATE meta SET value = 'firebreak.dev/rollout-log/v2' WHERE key = 'format';");
      return p;
    },
    says: new RegExp(`schema version 2, older than this firebreak reads \\(${STORE_SCHEMA_VERSION}\\): its log format \\(rollout-log/v2\\) cannot be verified or resumed`),
  },
];

for (const c of cases) {
  test(`--state on ${c.name}: rehearse and rollout refuse it (exit 2, one line) and leave it as it was`, () => {
    const path = c.make();
    const before = existsSync(path) && !path.endsWith('a-directory') ? sha(path) : null;
    const files = listing();
    assertRefused(cli(rehearseArgs('small-incident', path)), c.says, 'rehearse');
    assert.deepEqual(listing(), files, 'no file created (no database, no lock file, no journal)');
    if (before !== null) assert.equal(sha(path), before, 'the file is unchanged');
    const status = cli(['rollout', 'status', '--state', path]);
    assert.equal(status.status, 2, status.stderr);
    assert.doesNotMatch(status.stderr, /\n\s+at /);
    assert.throws(() => EventStore.open(path), NotAStore);
    assert.throws(() => EventStore.open(path, { access: 'request' }), NotAStore);
    if (before !== null) assert.equal(sha(path), before, 'the file is unchanged');
  });
}

test('a new store is marked (application_id "FBRK", user_version) and an empty file is taken as a new store', () => {
  const db = new DatabaseSync(made, { readOnly: true });
  assert.equal(Number((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id), STORE_APPLICATION_ID);
  assert.equal(Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version), STORE_SCHEMA_VERSION);
  db.close();
  assert.equal(Buffer.from([0x46, 0x42, 0x52, 0x4b]).readUInt32BE(0), STORE_APPLICATION_ID);
  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  const r = cli(rehearseArgs('small-incident', empty));
  assert.equal(r.status, rehearsalExit(r), r.stderr);
  assert.equal(r.stdout, first.stdout);
});

test('a store written before the marker is read and resumed, and its next writer marks it', () => {
  const old = join(dir, 'old.db');
  copyFileSync(made, old);
  sqlite(old, 'PRAGMA application_id = 0; PRAGMA user_version = 0; DROP TABLE writer;');
  const status = cli(['rollout', 'status', '--state', old]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /log verified/);
  const again = cli(rehearseArgs('small-incident', old));
  assert.equal(again.status, rehearsalExit(again), again.stderr);
  assert.equal(again.stdout, first.stdout);
  const db = new DatabaseSync(old, { readOnly: true });
  assert.equal(Number((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id), STORE_APPLICATION_ID);
  db.close();
});

test('meta is written whole or not at all: a failure part-way leaves none of it', () => {
  const path = join(dir, 'meta.db');
  const s = EventStore.open(path);
  try {
    // A NULL value breaks the third row's NOT NULL: the first two must not stay.
    assert.throws(() => s.initMeta('kind', { kind: 'rehearsal', seed: '1', spec: null as unknown as string }), /NOT NULL/);
    assert.equal(s.getMeta('kind'), undefined);
    assert.equal(s.getMeta('seed'), undefined);
    assert.equal(s.initMeta('kind', { kind: 'rehearsal', seed: '1' }), true);
    assert.equal(s.initMeta('kind', { kind: 'other', seed: '2' }), false, 'written once');
    assert.equal(s.getMeta('seed'), '1');
  } finally {
    s.close();
  }
});

test('readers and requests never write the log; only the writer does', () => {
  const r = EventStore.open(made, { readOnly: true });
  const q = EventStore.open(made, { access: 'request' });
  try {
    assert.throws(() => r.append('event', 1, 'tick', 'tick:1', '{}'));
    assert.throws(() => q.append('event', 1, 'tick', 'tick:1', '{}'), /only its writer appends/);
    assert.throws(() => q.setMeta('kind', 'x'), /only its writer/);
  } finally {
    r.close();
    q.close();
  }
});
