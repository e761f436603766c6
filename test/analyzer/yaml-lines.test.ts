/**
 * The line index the fast manifest path locates values with (YamlLines: line
 * offsets, indentation computed per line on demand) and the document ranges it
 * finds from the marker lines alone: checked against the plain definitions
 * (split at `\n`) and against the position-keeping `yaml` parser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { LineCounter, parseAllDocuments, isMap, isScalar } from 'yaml';
import { YamlLines } from '../../src/analyzer/yaml-locate.ts';
import { parseManifests } from '../../src/input/manifests.ts';

/** Indentation as the locator defines it: spaces before content, -1 for blank and comment-only lines (a CRLF's `\r` is not content). */
function referenceIndent(line: string): number {
  let k = 0;
  while (k < line.length && line.charCodeAt(k) === 32) k++;
  const rest = line.slice(k).replace(/\r$/, '');
  return rest === '' || rest.startsWith('#') ? -1 : k;
}

test('YamlLines: lines, offsets, the line of an offset and indentation agree with splitting the text at \\n', () => {
  const text = fc.array(fc.constantFrom(' ', '  ', '\n', '\r\n', '\r', '#', 'a: 1', '- x', '\t', '---', '...'), { maxLength: 40 }).map((xs) => xs.join(''));
  fc.assert(
    fc.property(text, (t) => {
      const y = new YamlLines(t);
      const ref = t.split('\n');
      assert.equal(y.lineCount, ref.length);
      assert.deepEqual(y.lines, ref);
      let offset = 0;
      ref.forEach((l, i) => {
        assert.equal(y.line(i), l);
        assert.equal(y.offset(i, 0), offset);
        assert.equal(y.indent(i), referenceIndent(l), `indent of line ${i} ${JSON.stringify(l)}`);
        for (let c = 0; c <= l.length; c++) assert.equal(y.lineAt(offset + c), i);
        offset += l.length + 1;
      });
      assert.equal(y.indent(ref.length), -1, 'past the last line');
    }),
    { numRuns: 500 },
  );
});

test('fast path: every document of a multi-document file is located where the position-keeping parser puts it', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  const doc = fc.record({ kind: fc.constantFrom('ConfigMap', 'ServiceAccount', 'DaemonSet'), name, labels: fc.dictionary(name, name, { maxKeys: 3 }), lines: fc.array(name, { maxLength: 3 }) });
  const separator = fc.constantFrom('---\n', '--- # next\n', '---\n# comment\n\n', '...\n---\n', '---   \n');
  fc.assert(
    fc.property(fc.array(fc.tuple(separator, doc), { minLength: 1, maxLength: 5 }), fc.boolean(), (docs, leadingComment) => {
      const text =
        (leadingComment ? '# rendered\n' : '') +
        docs
          // The first document: no separator, or a `---` one after the comment (a `...` there ends no document).
          .map(([sep, d], i) => (i === 0 ? (leadingComment ? sep.replace('...\n', '') : '') : sep) + dump({ apiVersion: 'v1', kind: d.kind, metadata: { name: d.name, labels: d.labels }, data: { text: d.lines.join('\n') + '\n' }, [`only${i}`]: i }))
          .join('');
      const fast = parseManifests(text, 'x.yaml');
      const lc = new LineCounter();
      const exact = parseAllDocuments(text, { lineCounter: lc }).filter((d) => d.contents !== null);
      assert.equal(fast.length, exact.length);
      fast.forEach((f, i) => {
        const contents = exact[i]?.contents;
        assert.ok(isMap(contents));
        const md = contents.get('metadata', true);
        assert.ok(isMap(md));
        const nameNode = md.get('name', true);
        assert.ok(isScalar(nameNode));
        const want = lc.linePos(nameNode.range?.[0] ?? 0);
        assert.deepEqual(f.locate(['metadata', 'name']), { line: want.line, column: want.col }, `document ${i} of ${JSON.stringify(text)}`);
        const kindKey = contents.items.find((p) => isScalar(p.key) && p.key.value === 'kind')?.key;
        assert.ok(isScalar(kindKey));
        const k = lc.linePos(kindKey.range?.[0] ?? 0);
        assert.deepEqual(f.locate(['kind'], 'key'), { line: k.line, column: k.col });
        // The document's first line, and nothing of the documents around it.
        const first = lc.linePos(contents.range[0]);
        assert.deepEqual(f.locate(['apiVersion'], 'key'), { line: first.line, column: first.col });
        assert.deepEqual(f.locate([]), { line: first.line, column: first.col });
        for (let j = 0; j < fast.length; j++) if (j !== i) assert.deepEqual(f.locate([`only${j}`]), { line: first.line, column: first.col }, `only${j} is not in document ${i}`);
      });
    }),
    { numRuns: 300 },
  );
});
