/** The one reader of input files (src/input/read.ts): regular files only, a size cap, UTF-8 text, located errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeInput, DEFAULT_MAX_INPUT_BYTES, firstInvalidUtf8, formatByteSize, maxInputBytes, parseByteSize, readInputFile, setMaxInputBytes } from '../../src/input/read.ts';
import { readManifestPaths } from '../../src/input/manifests.ts';
import { InputError, type Problem } from '../../src/core/errors.ts';
import { assertProblems, problemsOf } from './problems.ts';

/** The one problem `fn` reports, unlocated (a whole file), in `file`, with a message matching `message`. */
function onlyProblem(fn: () => unknown, file: string, message: RegExp): Problem {
  const problems = problemsOf(fn);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  const [p] = problems;
  assert.ok(p !== undefined);
  assert.equal(p.file, file);
  assert.equal(p.line, undefined);
  assert.match(p.message, message);
  return p;
}

const dir = mkdtempSync(join(tmpdir(), 'firebreak-read-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a regular file is read as text; a leading byte order mark is dropped', () => {
  const f = join(dir, 'ok.yaml');
  writeFileSync(f, '\uFEFFkind: Fleet\nname: café\n');
  assert.equal(readInputFile(f), 'kind: Fleet\nname: café\n');
});

test('a FIFO is refused at once, without waiting for a writer; a device is refused without being read', () => {
  const fifo = join(dir, 'fifo.yaml');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  onlyProblem(() => readInputFile(fifo), fifo, /^is a FIFO \(named pipe\), not a regular file/);
  const p = onlyProblem(() => readInputFile('/dev/zero'), '/dev/zero', /^is a character device, not a regular file/);
  assert.match(p.hint ?? '', /pass it on standard input instead: use `-`/);
});

test('missing files, directories and paths through a file are located input errors', () => {
  mkdirSync(join(dir, 'd'));
  writeFileSync(join(dir, 'f'), 'x');
  for (const [path, message] of [
    [join(dir, 'nope.yaml'), /^file not found \(looked for /],
    [join(dir, 'd'), /^is a directory, expected a file/],
    [join(dir, 'f', 'x.yaml'), /^file not found: a part of the path is a file/],
  ] as const) {
    onlyProblem(() => readInputFile(path), path, message);
  }
});

test('an error made from a file-system or decoding error keeps it as its cause', () => {
  const missing = join(dir, 'absent.yaml');
  const caught = (fn: () => unknown): InputError => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e;
    }
    assert.fail('expected an InputError');
  };
  const notFound = caught(() => readInputFile(missing));
  assert.equal((notFound.cause as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
  const notUtf8 = caught(() => decodeInput(new Uint8Array([0x61, 0xff]), 'x.yaml'));
  assert.ok(notUtf8.cause instanceof TypeError, String(notUtf8.cause));
});

test('the size cap: 16 MiB by default; a larger file is refused before it is read, whatever the cap is set to', () => {
  assert.equal(maxInputBytes(), DEFAULT_MAX_INPUT_BYTES);
  assert.equal(DEFAULT_MAX_INPUT_BYTES, 16 * 1024 * 1024);
  const f = join(dir, 'sized.yaml');
  writeFileSync(f, 'a: 1\n'.repeat(100)); // 500 bytes
  try {
    setMaxInputBytes(499);
    const p = onlyProblem(() => readInputFile(f), f, /^is 500 bytes, more than the 499 bytes an input file may hold$/);
    assert.match(p.hint ?? '', /--max-input-size <size>.*FIREBREAK_MAX_INPUT_SIZE/);
    setMaxInputBytes(500);
    assert.equal(readInputFile(f).length, 500);
  } finally {
    setMaxInputBytes(DEFAULT_MAX_INPUT_BYTES);
  }
  assert.throws(() => setMaxInputBytes(0), RangeError);
});

test('sizes: parsed in bytes, binary and decimal units; shown in the largest binary unit', () => {
  assert.equal(parseByteSize('16Mi'), 16 * 1024 ** 2);
  assert.equal(parseByteSize('16MiB'), 16 * 1024 ** 2);
  assert.equal(parseByteSize('64M'), 64e6);
  assert.equal(parseByteSize('1048576'), 1048576);
  assert.equal(parseByteSize('1.5Ki'), 1536);
  for (const bad of ['', 'lots', '-1', '0', '16 parsecs', '1e300']) assert.equal(parseByteSize(bad), undefined, bad);
  assert.equal(formatByteSize(16 * 1024 ** 2), '16 MiB');
  assert.equal(formatByteSize(17 * 1024 ** 2), '17 MiB');
  assert.equal(formatByteSize(1), '1 byte');
});

test('text that is not UTF-8 is refused with the line, column and byte offset of the first bad byte', () => {
  const bytes = Buffer.concat([Buffer.from('a: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  assertProblems(problemsOf(() => decodeInput(bytes, 'latin1.yaml')), [['latin1.yaml', 2, 10, '', 'not UTF-8 text: byte 0xE9 at byte offset 14 does not start a valid UTF-8 character']]);
  // Columns count characters, not bytes.
  const after = Buffer.concat([Buffer.from('é: '), Buffer.from([0xff])]);
  assertProblems(problemsOf(() => decodeInput(after, 'x')), [['x', 1, 4, '', /byte 0xFF at byte offset 4/]]);
});

test('NUL and other control characters (binary files) are refused, located', () => {
  assertProblems(problemsOf(() => decodeInput(Buffer.from('a: 1\n\u0000\u0001'), 'bin')), [['bin', 2, 1, '', /^a NUL byte: this is not YAML text \(a binary file\?\)/]]);
  assertProblems(problemsOf(() => decodeInput(Buffer.from('a: "x\u001by"'), 'esc')), [['esc', 1, 6, '', /^the control character U\+001B/]]);
  assert.equal(decodeInput(Buffer.from('a:\tb\r\n'), 'ok'), 'a:\tb\r\n');
});

test('property: firstInvalidUtf8 agrees with a fatal TextDecoder, and the bytes before it decode', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const valid = (b: Uint8Array): boolean => {
    try {
      fatal.decode(b);
      return true;
    } catch {
      return false;
    }
  };
  // Mostly-text byte strings with the odd high byte: every kind of broken sequence turns up.
  const bytes = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0)), { maxLength: 24 });
  fc.assert(
    fc.property(bytes, (arr) => {
      const b = Uint8Array.from(arr);
      const at = firstInvalidUtf8(b);
      assert.equal(at === b.length, valid(b));
      assert.ok(valid(b.subarray(0, at)));
    }),
    { seed: 9, numRuns: 3000 },
  );
});

test('manifests: every file goes through the reader; a named empty file holds nothing to analyze; firebreak documents are not manifests', () => {
  const empty = join(dir, 'empty.yaml');
  writeFileSync(empty, '# nothing\n---\n');
  onlyProblem(() => readManifestPaths([empty]), empty, /^holds no Kubernetes object/);
  onlyProblem(() => readManifestPaths(['/dev/zero']), '/dev/zero', /^is a character device/);
  assertProblems(problemsOf(() => readManifestPaths(['fleets/openai-like.yaml'])), [['fleets/openai-like.yaml', 5, 7, 'kind', 'this is a firebreak Fleet, not a Kubernetes manifest']]);
  const docs = readManifestPaths(['-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n' });
  assert.deepEqual(docs.map((d) => [d.file, (d.value as { kind: string }).kind]), [['<stdin>', 'ConfigMap']]);
});
