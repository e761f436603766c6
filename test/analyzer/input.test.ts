/** Bad input: located messages and exit code 2, never a stack trace; unknown kinds reported and skipped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { analyzeCommand } from '../../src/cli/analyze.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { readFileSync } from 'node:fs';
import { corpusFiles, fleetOf, analyzeFiles } from './helpers.ts';

const BAD = 'test/fixtures/manifests/invalid';
const FLEET = 'fleets/openai-like.yaml';

test('YAML syntax errors: every problem located (file:line:column), exit 2, no stack trace', async () => {
  const r = await analyzeCommand({ paths: [`${BAD}/yaml-error.yaml`], fleet: FLEET });
  assert.equal(r.exitCode, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /yaml-error\.yaml:11:3: duplicate key `name`/);
  assert.match(r.stderr, /yaml-error\.yaml:\d+:\d+: invalid YAML/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a bad profile annotation: located at the line inside the annotation, with the field path', async () => {
  const r = await analyzeCommand({ paths: [`${BAD}/bad-annotation.yaml`], fleet: FLEET });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /bad-annotation\.yaml:11:\d+: metadata\.annotations\["firebreak\.dev\/api-profile"\] → calls\[0\]\.scope: expected a scope \(cluster, namespace, node\), got "everywhere"/);
  assert.match(r.stderr, /bad-annotation\.yaml:12:\d+: .*calls\[0\]\.period: expected a duration like 30s or 5m/);
  assert.match(r.stderr, /bad-annotation\.yaml:14:\d+: .*calls\[1\]\.resourse: unknown field `resourse`/);
});

test('fields of the wrong type and documents that are not objects: located, exit 2', async () => {
  const r = await analyzeCommand({ paths: [`${BAD}/wrong-types.yaml`], fleet: FLEET });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /wrong-types\.yaml:7:13: spec\.replicas: expected a whole number ≥ 0, got "three"/);
  assert.match(r.stderr, /wrong-types\.yaml:12:27: spec\.template\.spec\.serviceAccountName: expected a string, got a list/);
  assert.match(r.stderr, /wrong-types\.yaml:15:1: expected a Kubernetes object/);
});

test('unknown kinds are reported as notes and skipped; List items are read', () => {
  const { analysis } = analyzeFiles([`${BAD}/unknown-kinds.yaml`], fleetOf(100));
  assert.equal(analysis.verdict, 'ok');
  const notes = analysis.findings.filter((f) => f.rule === 'unknown-kind');
  assert.deepEqual(notes.map((f) => [f.line, f.severity]), [[3, 'note'], [12, 'note']]);
  assert.match(notes[0]?.message ?? '', /ServiceMonitor shop\/api/);
});

test('usage errors: no fleet, unknown format, no paths, missing files — exit 2 with a message', async () => {
  for (const args of [{ paths: ['x.yaml'] }, { paths: ['x.yaml'], fleet: FLEET, format: 'xml' }, { paths: [], fleet: FLEET }]) {
    const r = await analyzeCommand(args);
    assert.equal(r.exitCode, 2, JSON.stringify(args));
    assert.match(r.stderr, /^error: /);
  }
  const missing = await analyzeCommand({ paths: ['no/such/dir'], fleet: FLEET });
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /no\/such\/dir: file or directory not found/);
  const badFleet = await analyzeCommand({ paths: [`${BAD}/unknown-kinds.yaml`], fleet: 'test/fixtures/input/invalid/fleet-schema.yaml' });
  assert.equal(badFleet.exitCode, 2);
  assert.match(badFleet.stderr, /fleet-schema\.yaml:\d+:\d+/);
});

test('the fast locator and the exact parser agree on every position of the corpus', () => {
  for (const file of corpusFiles()) {
    const text = readFileSync(file, 'utf8');
    const fast = parseManifests(text, file);
    // A .json name forces the exact, position-keeping parser on the same text.
    const exact = parseManifests(text, file.replace(/\.yaml$/, '.json'));
    assert.equal(fast.length, exact.length);
    fast.forEach((d, i) => {
      const e = exact[i];
      if (e === undefined) throw new Error('missing document');
      assert.deepEqual(d.value, e.value, `${file} document ${d.index}`);
      for (const path of leafPaths(d.value)) assert.deepEqual(d.locate(path), e.locate(path), `${file} document ${d.index} ${JSON.stringify(path)}`);
    });
  }
});

function leafPaths(v: unknown, base: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [base, ...v.flatMap((x, i) => leafPaths(x, [...base, i]))];
  if (typeof v === 'object' && v !== null) return [base, ...Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...base, k]))];
  return [base];
}

test('property: random mutations of corpus manifests never crash — a result or located input errors', async () => {
  const files = corpusFiles();
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'fb-analyze-'));
  const mutation = fc.record({
    file: fc.nat({ max: texts.length - 1 }),
    at: fc.nat(),
    kind: fc.constantFrom('delete-line', 'duplicate-line', 'insert', 'indent', 'truncate', 'swap-lines'),
    text: fc.constantFrom('  ', '- ', ': ', '{', ']', '"', 'kind: Widget', 'replicas: -1', 'verbs: [list, watch]', '  resources: ["*"]', '\t', '---', 'period: 0s', 'firebreak.dev/api-profile: "[{verb: list}]"', '&a', '*b', 'scope: node', '0'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
      const first = ms[0];
      if (first === undefined) return true;
      let lines = (texts[first.file] ?? '').split('\n');
      for (const m of ms) {
        const i = m.at % Math.max(1, lines.length);
        switch (m.kind) {
          case 'delete-line': lines.splice(i, 1); break;
          case 'duplicate-line': lines.splice(i, 0, lines[i] ?? ''); break;
          case 'insert': lines.splice(i, 0, m.text); break;
          case 'indent': lines[i] = `${m.text}${lines[i] ?? ''}`; break;
          case 'truncate': lines = lines.slice(0, i + 1); break;
          case 'swap-lines': { const j = (i + 1) % lines.length; const t = lines[i] ?? ''; lines[i] = lines[j] ?? ''; lines[j] = t; break; }
        }
      }
      const path = join(dir, 'm.yaml');
      writeFileSync(path, lines.join('\n'));
      let r;
      try {
        r = await analyzeCommand({ paths: [path], fleet: FLEET, format: 'json' });
      } catch (e) {
        throw new Error(`crashed on:\n${lines.join('\n')}`, { cause: e });
      }
      if (r.exitCode === 2) return /m\.yaml(:\d+:\d+)?/.test(r.stderr) && !/\n\s+at /.test(r.stderr);
      return (r.exitCode === 0 || r.exitCode === 1) && r.stdout.startsWith('{');
    }),
    { numRuns: 120 },
  );
});
