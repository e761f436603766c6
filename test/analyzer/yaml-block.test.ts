/**
 * The block-style YAML reader (src/analyzer/yaml-block.ts) against js-yaml,
 * whose values it must give exactly: on generated YAML — block mappings and
 * sequences (compact too), plain, quoted, block and flow scalars, comments,
 * several documents, with tricky keys and scalars and random mutations — every
 * text the fast reader accepts, js-yaml accepts with the same values (same key
 * order, same numbers, -0 and NaN included), and every text js-yaml refuses,
 * the fast reader refuses. The same on every YAML file of the repository and
 * the benchmark's generated manifests, which it must also accept (the subset
 * covers what manifests are).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { loadAllYaml, loadYaml, readBlockYaml, readBlockYamlLines } from '../../src/analyzer/yaml-block.ts';
import { YamlLines } from '../../src/analyzer/yaml-locate.ts';
import { documentRanges } from '../../src/input/manifests.ts';
import { generateManifests } from '../../src/cli/bench-analyze.ts';

/** Deep equality as js-yaml's values must match: key order, prototypes, Object.is for numbers. */
function same(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? undefined : `${path}: ${a} ≠ ${b}`;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return `${path}: array ≠ ${JSON.stringify(b)}`;
    for (let i = 0; i < a.length; i++) {
      const d = same(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: object ≠ ${JSON.stringify(b)}`;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${JSON.stringify(ka)} ≠ ${JSON.stringify(kb)}`;
    for (const k of ka) {
      const d = same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

/** The fast reader agrees with js-yaml on `text`; returns whether it accepted it. */
function agrees(text: string): boolean {
  let want: unknown[] | undefined;
  let error: unknown;
  try {
    want = loadAll(text);
  } catch (e) {
    error = e;
  }
  const got = readBlockYaml(text);
  if (got === undefined) return false;
  assert.equal(error, undefined, `the fast reader accepted what js-yaml refuses: ${JSON.stringify(text)}`);
  const d = same(got, want);
  assert.equal(d, undefined, `${d ?? ''} in ${JSON.stringify(text)}`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Generated YAML: a tree rendered as block-style text at a random indentation step.

const plain = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b c', 'x:y', 'http://h:1/p', 'nginx:1.25', 'spec.nodeName', '/etc/x', 'v1', '0.116.0', '30s', 'a#b', 'x y', 'k8s.pod.name', '${env:NODE}') },
  { weight: 3, arbitrary: fc.constantFrom('true', 'True', 'false', 'False', 'TRUE', 'FALSE', 'NULL', 'null', 'Null', '~', '1', '-1', '0x1F', '0o17', '1e3', '.5', '1.0', '.inf', '-.Inf', '.nan', '012', '1_000', '-0', '+5', '99999999999999999999999', '1e400', '0b11', 'yes', 'on') },
  { weight: 1, arbitrary: fc.constantFrom('a #b', "it's", 'a "q"', '@x', '%x', '*x', '&x', '!x', '|', '>', '- x', '-x', '?x', '? x', ':x', ': x', '[x]', '{x}', 'x, y', 'é', '---', '...', '#c', 'a: b', 'a:', 'x y ', 'a]', 'b}') },
);
const quoted = fc.constantFrom('"a"', "'b'", '"x\\ny"', '"t\\tq"', '"\\u00e9\\x41"', '"\\\\"', '"\\""', "'it''s'", '""', "''", '"a #b"', '"\\z"', '"\\U0001F600"', '"\\U00110000"', '"open', "'open", '"\\/"', '"\\N\\_"', '"0"');
const scalar = fc.oneof({ weight: 6, arbitrary: plain }, { weight: 1, arbitrary: quoted });
const key = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('a', 'b', 'c', 'name', 'kind', 'apiVersion', 'metadata', 'image', 'k-1', 'a.b/c', 'x_y', 'x') },
  { weight: 1, arbitrary: fc.constantFrom('true', '1', '~', 'null', 'a b', '"q k"', "'s k'", 'a:b', '-k', '__proto__', '1.0', 'k #c', '? k', '[k]', '"a":', 'k ', '0x10', '"1"', "'it''s'", '"e\\u00e9"', 'constructor', ':k', '@k', '.nan', '-0') },
);
const flow: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      { weight: 8, arbitrary: fc.oneof(fc.constantFrom('a', 'b', '1', 'true', 'x y', 'k8s.pod.name', '""', "'q'", '"a,b"'), plain) },
      // What js-yaml reads (or refuses) differently in flow: pairs in sequences, keys alone, empty values, complex keys.
      { weight: 1, arbitrary: fc.constantFrom('[a: b]', '{a}', '{a: }', '{a:}', '{[a]: b}', '{? a: b}', '{a, b: c}', '[a, , b]', '[,]', '{"a":b}', "{'a':b}", '{a:b}', '[a #c]', '{a: b c: d}', '[a b]') },
    ),
    fc.tuple(fc.array(tie('f'), { maxLength: 3 }), fc.constantFrom(', ', ',', ' , '), fc.boolean()).map(([xs, sep, trailing]) => `[${xs.join(sep)}${trailing && xs.length > 0 ? ',' : ''}]`),
    fc.tuple(fc.array(fc.tuple(key, fc.constantFrom(': ', ':', ' : '), tie('f')), { maxLength: 3 }), fc.boolean()).map(([es, pad]) => `{${pad ? ' ' : ''}${es.map(([k, s, v]) => k + s + v).join(', ')}${pad ? ' ' : ''}}`),
  ),
})).f;

type Node =
  | { readonly t: 'scalar'; readonly s: string }
  | { readonly t: 'block'; readonly head: string; readonly lines: readonly { readonly rel: number; readonly text: string }[] }
  | { readonly t: 'map'; readonly entries: readonly { readonly k: string; readonly sep: string; readonly trail: string; readonly before: string | null; readonly v: Node }[] }
  | { readonly t: 'seq'; readonly compact: boolean; readonly items: readonly { readonly before: string | null; readonly v: Node }[] };

/** Mostly what manifests hold, sometimes anything (weights 9 : 1). */
const mostly = <T,>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: rare });
const blockLine = fc.record({
  rel: mostly(fc.constant(0), fc.integer({ min: -1, max: 3 })),
  text: mostly(fc.constantFrom('', 'line', 'a: b', '# c', 'x  y', '[a]'), fc.constantFrom('---', 'more', '- item', '   ', '  indented')),
});
const between = fc.option(fc.constantFrom('', '# comment', '  # indented comment', '   '), { freq: 5 });
const node: fc.Arbitrary<Node> = fc.letrec<{ n: Node }>((tie) => ({
  n: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(scalar, flow).map((s): Node => ({ t: 'scalar', s })),
    fc.record({ head: mostly(fc.constantFrom('|', '|-', '|+', '>', '>-', '>+', '| # c'), fc.constantFrom('|2', '|#c', '|-+', '> x')), lines: fc.array(blockLine, { maxLength: 5 }) }).map((b): Node => ({ t: 'block', ...b })),
    fc
      .tuple(
        fc.array(fc.record({ k: key, sep: mostly(fc.constant(': '), fc.constantFrom(':  ', ' : ', ':')), trail: mostly(fc.constant(''), fc.constantFrom(' # t', '#t')), before: between, v: tie('n') }), { minLength: 1, maxLength: 7 }),
        fc.nat(9),
      )
      // Keys are mostly distinct (a duplicate is an error js-yaml reports).
      .map(([es, dup]): Node => ({ t: 'map', entries: dup === 0 ? es : es.filter((e, i) => es.findIndex((x) => x.k === e.k) === i) })),
    fc.record({ compact: fc.boolean(), items: fc.array(fc.record({ before: between, v: tie('n') }), { minLength: 1, maxLength: 4 }) }).map((s): Node => ({ t: 'seq', ...s })),
  ),
})).n;

const pad = (n: number): string => ' '.repeat(Math.max(0, n));

/** Lines of `n` as the value of a key or item at indentation `ind`: [what follows `key: ` (null: nothing), lines below]. */
function render(n: Node, ind: number, step: number): [string | null, string[]] {
  switch (n.t) {
    case 'scalar':
      return [n.s, []];
    case 'block':
      return [n.head, n.lines.map((l) => (l.text.trim() === '' ? pad(ind + 1 + l.rel) + l.text : pad(ind + 2 + l.rel) + l.text))];
    case 'map':
      return [null, mapLines(n, ind + step, step)];
    case 'seq':
      return [null, seqLines(n, n.compact ? ind : ind + step, step)];
  }
}

function mapLines(n: Node & { t: 'map' }, ind: number, step: number): string[] {
  const out: string[] = [];
  for (const e of n.entries) {
    if (e.before !== null) out.push(e.before);
    const [inline, lines] = render(e.v, ind, step);
    out.push(inline !== null ? `${pad(ind)}${e.k}${e.sep}${inline}${e.trail}` : `${pad(ind)}${e.k}:${e.trail}`, ...lines);
  }
  return out;
}

function seqLines(n: Node & { t: 'seq' }, ind: number, step: number): string[] {
  const out: string[] = [];
  for (const it of n.items) {
    if (it.before !== null) out.push(it.before);
    if (it.v.t === 'map' || (it.v.t === 'seq' && !it.v.compact)) {
      // A compact collection: its first line follows the `- `.
      const lines = it.v.t === 'map' ? mapLines(it.v, ind + 2, step) : seqLines(it.v, ind + 2, step);
      const first = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      out.push(...lines.slice(0, Math.max(0, first)), `${pad(ind)}- ${(lines[first] ?? '').slice(ind + 2)}`, ...lines.slice(first + 1));
      continue;
    }
    const [inline, lines] = render(it.v, ind, step);
    out.push(inline !== null ? `${pad(ind)}- ${inline}` : `${pad(ind)}-`, ...lines);
  }
  return out;
}

const separator = mostly(fc.constantFrom('---\n', '--- # c\n', '---\n\n', '---  \n', '# between\n---\n'), fc.constantFrom('...\n---\n', '--- x\n'));
const yamlText = fc
  .tuple(
    fc.array(fc.tuple(separator, node, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 3 }),
    mostly(fc.constantFrom('', '# head\n', '---\n'), fc.constantFrom(' ', '  ', ' --- ', ' ---\n', '...\n')),
    mostly(fc.constantFrom('', '\n', '---\n', '# tail\n'), fc.constant('...\n')),
  )
  .map(([docs, head, tail]) => head + docs.map(([sep, n, step], i) => (i > 0 ? sep : '') + (n.t === 'map' ? mapLines(n, 0, step) : n.t === 'seq' ? seqLines(n, 0, step) : [render(n, -1, step)[0] ?? '']).join('\n') + '\n').join('') + tail);

const mutation = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'indent', 'dedent'), ch: fc.constantFrom(':', '-', '#', "'", '"', '[', ']', '{', '}', '|', '>', '&', '*', '!', '\t', '\n', ' ', '?', ',', '%', '\r', '\\', 'a', '---\n', '\uFEFF', '\u0085', '\u2028') });

function mutate(text: string, ms: readonly { at: number; kind: string; ch: string }[]): string {
  let t = text;
  for (const m of ms) {
    const i = m.at % (t.length + 1);
    if (m.kind === 'insert') t = t.slice(0, i) + m.ch + t.slice(i);
    else if (m.kind === 'delete') t = t.slice(0, i) + t.slice(i + 1);
    else {
      const lines = t.split('\n');
      const j = m.at % lines.length;
      lines[j] = m.kind === 'indent' ? ' ' + (lines[j] ?? '') : (lines[j] ?? '').replace(/^ /, '');
      t = lines.join('\n');
    }
  }
  return t;
}

test('generated block YAML: what the fast reader accepts, js-yaml reads the same; what js-yaml refuses, it refuses', () => {
  let accepted = 0;
  fc.assert(
    fc.property(yamlText, (t) => {
      if (agrees(t)) accepted++;
    }),
    { numRuns: 3000 },
  );
  // Not vacuous: a good share of the generated texts is inside the subset.
  assert.ok(accepted > 300, `only ${accepted} of 3000 generated texts were read by the fast reader`);
});

test('flat mappings with repeated keys, quoted keys and flow values: duplicates refused as js-yaml refuses them', () => {
  const entry = fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', '"a"', "'b'", '"c d"', '1', '01', '1.0', 'true', 'True', '~', 'null', '0x1', '1e0'), mostly(fc.constant(': '), fc.constantFrom(':', ' :', ' : ')), fc.oneof(scalar, flow));
  fc.assert(
    fc.property(fc.array(entry, { minLength: 1, maxLength: 10 }), fc.boolean(), (es, asFlow) => {
      agrees(asFlow ? `m: {${es.map(([k, sep, v]) => `${k}${sep}${v}`).join(', ')}}\n` : es.map(([k, sep, v]) => `${k}${sep}${v}\n`).join(''));
    }),
    { numRuns: 2000 },
  );
});

test('edge cases js-yaml reads in its own way: the fast reader agrees or leaves them to it', () => {
  const cases = [
    'a: b\n    # c\nd: 1\n', 'key:\n  a #b: c\n', 'a: 1\n---\n', '---\n', '# c\n', '', '---\n# x\n---\n', 'a:\n---\nb: 1', '---#x\n', '--- # c\na: 1', 'x\n',
    '  a: 1\n  b: 2\n', ' ---  null\n', ' --- a\n', 'a: |\n  x\n # c\nb: 1', 'a: |\n\n   \n  x\n\n', 'a: |\n   \n x\n', 'a: |+\n  x\n\n', 'a: >\n  x\n  y\n\n   z\n  w\n', 'a: >-\n  x\n\n  y\n',
    'a: |-\n  x\n   \n', 'a: |\n  x\n  ', 'a: |\n', 'a: |', '- |\n x\n- y\n', '~: 1\n1.0: 2\n0x1F: 3\ntrue: 4\n', 'a: -0\nb: .5\nc: 1e3\nd: 0o17\ne: +12\nf: 1_000\ng: 012\nh: .inf\n',
    '{"a":b}\n', '[a, b,]\n', 'a: "x\\u00e9\\x41\\ty"\n', 'a: [a:b, c]\n', 'k: v #c\nl: v#c\n', '- a: 1\n  b: 2\n- - x\n  - y\n', 'a:\n- x\n- y\nb: 1\n', '-\n  a: 1\n',
    'a: b: c\n', 'a: [x] #c\n', 'a: [x]#c\n', 'a: {}\nb: []\nc: { }\n', 'a:   \nb: 1\n', '"a b": 1\n\'c\'\'d\': 2\n', '"a":b\n', 'constructor: 1\n', 'a: 1\nconstructor: 2\n', '__proto__: 1\n', 'a: - x\n', 'a: -\n', 'a: 1\na: 2\n', 'm: {a: 1, a: 2}\n',
  ];
  for (const t of cases) agrees(t);
});

test('mutated block YAML: the fast reader never accepts what js-yaml refuses, never reads it differently', () => {
  fc.assert(
    fc.property(yamlText, fc.array(mutation, { minLength: 1, maxLength: 3 }), (t, ms) => {
      agrees(mutate(t, ms));
    }),
    { numRuns: 3000 },
  );
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });
}

test("every YAML file of the repository (manifests, agents' configurations, scenarios, plans, fleets): js-yaml's values", () => {
  const files = ['test/fixtures', 'scenarios', 'plans', 'fleets'].flatMap(yamlFiles);
  let accepted = 0;
  for (const f of files) if (agrees(readFileSync(f, 'utf8'))) accepted++;
  // The manifests of the corpus are what the subset is for: all but those with anchors or syntax errors.
  const manifests = yamlFiles('test/fixtures/manifests');
  const refused = manifests.filter((f) => readBlockYaml(readFileSync(f, 'utf8')) === undefined);
  assert.ok(refused.length <= 6, `the fast reader refuses ${refused.length} manifests of the corpus: ${refused.join(', ')}`);
  assert.ok(accepted >= files.length - 10, `accepted ${accepted} of ${files.length}`);
});

test("the benchmark's generated manifests and their configuration texts: read by the fast reader, js-yaml's values", () => {
  for (const { text } of generateManifests(300, 7)) {
    assert.ok(agrees(text), 'a generated manifest is outside the subset');
    for (const d of readBlockYaml(text) ?? []) {
      const data = (d as { data?: Record<string, unknown> }).data;
      for (const v of Object.values(data ?? {})) if (typeof v === 'string') assert.doesNotThrow(() => agrees(v));
    }
  }
});

/** The reader's line offsets and document lines are those the manifest reader finds on its own (YamlLines, documentRanges). */
function sameLines(text: string): boolean {
  const r = readBlockYamlLines(text);
  if (r === undefined) return false;
  const y = new YamlLines(text);
  assert.equal(r.lineStarts.length, y.lineCount, `line count of ${JSON.stringify(text)}`);
  r.lineStarts.forEach((o, i) => assert.equal(o, y.offset(i, 0), `line ${i} of ${JSON.stringify(text)}`));
  const ranges = documentRanges(text);
  assert.ok(ranges !== undefined, `documentRanges refuses ${JSON.stringify(text)}`);
  const line = (o: number): number => (o > text.length ? y.lineCount : y.lineAt(o));
  assert.deepEqual(r.docLines, ranges.map((d) => ({ from: line(d.from), to: line(d.to) })), `documents of ${JSON.stringify(text)}`);
  assert.equal(r.docLines.length, r.docs.length);
  return true;
}

test("the reader's line offsets and document lines: those YamlLines and the document ranges give (generated, mutated, repository and benchmark files)", () => {
  fc.assert(
    fc.property(yamlText, fc.array(mutation, { maxLength: 2 }), (t, ms) => {
      sameLines(mutate(t, ms));
    }),
    { numRuns: 2000 },
  );
  for (const f of ['test/fixtures', 'scenarios', 'plans', 'fleets'].flatMap(yamlFiles)) sameLines(readFileSync(f, 'utf8'));
  for (const { text } of generateManifests(100, 3)) assert.ok(sameLines(text));
});

test('loadAllYaml / loadYaml: js-yaml for what the fast reader leaves, with its errors', () => {
  assert.deepEqual(loadAllYaml('a: &x 1\nb: *x\n'), [{ a: 1, b: 1 }]);
  assert.deepEqual(loadYaml('a: [1, {b: c}]\n'), { a: [1, { b: 'c' }] });
  assert.throws(() => loadAllYaml('a: 1\na: 2\n'), /duplicated mapping key/);
  assert.throws(() => loadYaml('a: 1\n---\nb: 2\n'), /single document/);
  assert.throws(() => loadYaml(''), /empty/);
  assert.equal(readBlockYaml('a: 1\na: 2\n'), undefined);
});
