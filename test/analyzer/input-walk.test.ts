/**
 * What the reader does with the files it is given: symbolic links inside a
 * directory are followed (loops noted, dangling links an error), files it does
 * not read and files without objects are reported, and an input with no
 * Kubernetes object is an error, never a pass. Everything is written under
 * os.tmpdir().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError } from '../../src/core/errors.ts';
import { readManifestPaths, type ManifestReadReport } from '../../src/input/manifests.ts';
import { analyzeFiles, CORPUS, fleetOf } from './helpers.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'fb-walk-'));
const read = (paths: string[]): { docs: number; report: ManifestReadReport } => {
  const report: ManifestReadReport = { files: [], notes: [] };
  const docs = readManifestPaths(paths, { report }).length;
  return { docs, report };
};
const inputError = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
};

test('a symbolic link to a manifest inside a directory is followed (it was skipped without a word)', () => {
  const dir = tmp();
  symlinkSync(resolve(`${CORPUS}/otel-agent-no-filter.yaml`), join(dir, 'agent.yaml'));
  const { analysis } = analyzeFiles([dir], fleetOf(5000));
  assert.deepEqual(analysis.workloads.map((w) => w.workload), ['DaemonSet observability/otel-agent']);
  assert.equal(analysis.verdict, 'block');
});

test('a symbolic link to a directory is walked; one that loops back is noted, not followed; a file reached twice is read once', () => {
  const dir = tmp();
  const real = join(dir, 'real');
  mkdirSync(real);
  copyFileSync(`${CORPUS}/kube-state-metrics.yaml`, join(real, 'ksm.yaml'));
  symlinkSync(real, join(dir, 'alias')); // the same directory twice
  symlinkSync(dir, join(real, 'up')); // a loop
  const { docs, report } = read([dir]);
  assert.equal(docs, 4, 'kube-state-metrics.yaml read once');
  assert.deepEqual(report.files, [join(dir, 'alias', 'ksm.yaml')]);
  const msgs = report.notes.map((n) => `${n.rule} ${n.file}: ${n.message}`);
  assert.ok(msgs.some((m) => /input-skipped .*real\/up: symbolic link back to .* a loop, not followed/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /input-skipped .*real\/ksm\.yaml: the same file as .*alias\/ksm\.yaml/.test(m)), msgs.join('\n'));
});

test('a dangling symbolic link in a directory is a located input error', () => {
  const dir = tmp();
  copyFileSync(`${CORPUS}/kube-state-metrics.yaml`, join(dir, 'ksm.yaml'));
  symlinkSync(join(dir, 'gone.yaml'), join(dir, 'agent.yaml'));
  const e = inputError(() => read([dir]));
  assert.match(e.problems.map((p) => `${p.file}: ${p.message}`).join('\n'), /agent\.yaml: symbolic link to .*gone\.yaml, which does not exist \(a dangling link\)/);
});

test('files a directory walk does not read are reported: one that looks like a manifest on its own, the rest together', () => {
  const dir = tmp();
  copyFileSync(`${CORPUS}/kube-state-metrics.yaml`, join(dir, 'ksm.yaml'));
  copyFileSync(`${CORPUS}/otel-agent-no-filter.yaml`, join(dir, 'agent.yaml.tpl'));
  writeFileSync(join(dir, 'README.md'), '# notes\n');
  writeFileSync(join(dir, 'values.txt'), 'replicas: 3\n');
  const { analysis } = analyzeFiles([dir], fleetOf(100));
  const skipped = analysis.findings.filter((f) => f.rule === 'input-skipped');
  assert.deepEqual(skipped.map((f) => f.file).sort(), [dir, join(dir, 'agent.yaml.tpl')].sort());
  assert.ok(skipped.every((f) => f.severity === 'note' && f.line === 1));
  const own = skipped.find((f) => f.file.endsWith('agent.yaml.tpl'));
  assert.match(own?.message ?? '', /looks like a Kubernetes manifest/);
  const rest = skipped.find((f) => f.file === dir);
  assert.match(rest?.message ?? '', /2 files not named \*\.yaml, \*\.yml, \*\.json — .*README\.md, .*values\.txt/);
});

test('an empty file and a file of comments are noted; an input of only ConfigMaps notes that it has no workload', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a-empty.yaml'), '');
  writeFileSync(join(dir, 'b-comments.yaml'), '# rendered nothing\n---\n');
  writeFileSync(join(dir, 'c-cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\ndata: { a: "1" }\n');
  writeFileSync(join(dir, 'd-list.yaml'), 'apiVersion: v1\nkind: List\nitems: []\n');
  const { analysis } = analyzeFiles([dir], fleetOf(100));
  const notes = analysis.findings.map((f) => `${f.severity} ${f.rule} ${f.file.slice(dir.length + 1)}:${f.line}: ${f.message}`);
  assert.ok(notes.includes('note input-empty a-empty.yaml:1: empty file: no Kubernetes object in it'), notes.join('\n'));
  assert.ok(notes.includes('note input-empty b-comments.yaml:1: no Kubernetes object in this file (only comments or document markers)'), notes.join('\n'));
  assert.ok(notes.some((n) => /^note input-empty d-list\.yaml:1: this file holds no Kubernetes object \(an empty List\)/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /^note no-workload c-cm\.yaml:2: the input holds 1 Kubernetes object \(ConfigMap\) but no workload/.test(n)), notes.join('\n'));
  assert.equal(analysis.verdict, 'ok');
});

test('an input with no Kubernetes object at all (helm template that rendered nothing) is an input error, not a pass', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'rendered.yaml'), '---\n# Source: chart/templates/daemonset.yaml\n---\n');
  // Named on the command line: the file itself is the error.
  const named = inputError(() => analyzeFiles([join(dir, 'rendered.yaml')], fleetOf(100)));
  assert.match(named.problems[0]?.message ?? '', /holds no Kubernetes object/);
  // Reached through a directory: the whole input holds nothing.
  const e = inputError(() => analyzeFiles([dir], fleetOf(100)));
  assert.match(e.problems[0]?.message ?? '', /no Kubernetes object in the input \(read: .*rendered\.yaml\): nothing to analyze, which is not a pass/);
  assert.match(e.problems[0]?.hint ?? '', /helm template/);
  const list = join(dir, 'list.yaml');
  writeFileSync(list, 'apiVersion: v1\nkind: List\nitems: []\n');
  assert.match(inputError(() => analyzeFiles([list], fleetOf(100))).problems[0]?.message ?? '', /no Kubernetes object in the input/);
});
