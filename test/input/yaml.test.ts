import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath, parseYaml, readYamlFile } from '../../src/input/yaml.ts';
import { assertProblems, problemsOf } from './problems.ts';

const INVALID = 'test/fixtures/input/invalid';

void describe('parseYaml', () => {
  const text = ['spec:', '  clusters:', '    - name: a', '      nodes: 5', '    - name: b', '      nodes:', '  other: { p: [1, 2] }', ''].join('\n');
  const doc = parseYaml(text, 'f.yaml');

  void it('returns plain data', () => {
    assert.deepEqual(doc.value, { spec: { clusters: [{ name: 'a', nodes: 5 }, { name: 'b', nodes: null }], other: { p: [1, 2] } } });
  });

  void it('locates values and keys by path', () => {
    assert.deepEqual(doc.locate(['spec', 'clusters', 0, 'nodes']), { line: 4, column: 14 });
    assert.deepEqual(doc.locate(['spec', 'clusters', 0, 'nodes'], 'key'), { line: 4, column: 7 });
    assert.deepEqual(doc.locate(['spec', 'other', 'p', 1]), { line: 7, column: 19 });
  });

  void it('points at the key of an empty value', () => {
    assert.deepEqual(doc.locate(['spec', 'clusters', 1, 'nodes']), { line: 6, column: 7 });
  });

  void it('falls back to the deepest existing ancestor for a missing path', () => {
    assert.deepEqual(doc.locate(['spec', 'clusters', 1, 'pods']), { line: 5, column: 7 });
    assert.deepEqual(doc.locate(['spec', 'clusters', 9]), { line: 3, column: 5 });
  });

  void it('reports malformed YAML at the position the parser gives', () => {
    assertProblems(problemsOf(() => readYamlFile(`${INVALID}/malformed.yaml`)), [
      [`${INVALID}/malformed.yaml`, 9, 3, '', /^invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
    ]);
  });

  void it('rejects duplicate keys, naming the key', () => {
    assertProblems(problemsOf(() => readYamlFile(`${INVALID}/duplicate-key.yaml`)), [
      [`${INVALID}/duplicate-key.yaml`, 8, 7, '', 'duplicate key `nodes`: a key may appear once in a mapping'],
    ]);
  });

  void it('rejects a second document', () => {
    assertProblems(problemsOf(() => readYamlFile(`${INVALID}/two-documents.yaml`)), [
      [`${INVALID}/two-documents.yaml`, 5, 1, '', 'expected one YAML document, found 2; a second document starts here'],
    ]);
  });

  void it('accepts a trailing document separator', () => {
    assert.deepEqual(parseYaml('a: 1\n---\n', 'f.yaml').value, { a: 1 });
  });

  void it('rejects an empty file', () => {
    assertProblems(problemsOf(() => parseYaml('# nothing here\n', 'e.yaml')), [['e.yaml', 1, 1, '', 'the file is empty, expected a YAML document']]);
  });

  void it('rejects tabs, unknown tags, undefined aliases and complex keys, all at once', () => {
    const bad = ['a: !secret x', 'b: *nowhere', '? [k]', ': 1', 'c:', '\t- 1', ''].join('\n');
    assertProblems(problemsOf(() => parseYaml(bad, 'b.yaml')), [
      ['b.yaml', 1, 4, '', 'unknown tag !secret'],
      ['b.yaml', 2, 4, '', 'alias *nowhere refers to no anchor defined before it'],
      ['b.yaml', 3, 3, '', 'mapping keys must be plain strings, not lists or mappings'],
      ['b.yaml', 6, 1, '', 'tabs are not allowed as indentation in YAML'],
    ]);
  });

  void it('reports an unreadable file with the resolved path', () => {
    const problems = problemsOf(() => readYamlFile('test/fixtures/input/does-not-exist.yaml'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.file, 'test/fixtures/input/does-not-exist.yaml');
    assert.match(problems[0]?.message ?? '', /^file not found \(looked for \/.*test\/fixtures\/input\/does-not-exist\.yaml\)$/);
    assert.match(problemsOf(() => readYamlFile('test/fixtures/input'))[0]?.message ?? '', /^is a directory/);
  });
});

void describe('formatPath', () => {
  void it('writes fields with dots, indexes in brackets, odd keys quoted', () => {
    assert.equal(formatPath(['spec', 'clusters', 3, 'nodes']), 'spec.clusters[3].nodes');
    assert.equal(formatPath(['labels', 'app.kubernetes.io/name']), 'labels["app.kubernetes.io/name"]');
    assert.equal(formatPath([]), '');
  });
});
