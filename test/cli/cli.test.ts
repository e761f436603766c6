/** The CLI as a user meets it: exit codes, located errors, no stack traces, no partial output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const cli = (...args: string[]) => spawnSync(process.execPath, ['src/cli/main.ts', ...args], { encoding: 'utf8' });

test('validate accepts the shipped scenarios', () => {
  for (const s of ['openai-2024-12-11', 'openai-2024-12-11-serve-stale', 'openai-2024-12-11-break-glass', 'baseline-no-change', 'benign-node-scoped-agent']) {
    const r = cli('scenario', 'validate', `scenarios/${s}.yaml`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid Scenario/);
  }
});

test('bad input: exit 2, file:line:column and field path, no stack trace, no report written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: firebreak.dev/v1alpha1\nkind: Scenario\nmetadata: { name: x }\nspec:\n  start: "2024-12-11T14:00:00"\n  duration: 6h\n  fleet:\n    clusters:\n      - { name: a, nodes: -5 }\n');
  const out = join(dir, 'r.html');
  const r = cli('simulate', bad, '--report', out);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.yaml:9:\d+: spec\.fleet\.clusters\[0\]\.nodes/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(existsSync(out), false);
});

test('usage errors exit 2', () => {
  assert.equal(cli('simulate').status, 2);
  assert.equal(cli('simulate', 'scenarios/baseline-no-change.yaml', '--seed', 'abc').status, 2);
  assert.equal(cli('no-such-command').status, 2);
});

test('a missing file is a located input error', () => {
  const r = cli('scenario', 'validate', 'nope.yaml');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope\.yaml/);
});

test('plan validate and plan show work on the shipped plan', () => {
  const v = cli('plan', 'validate', 'plans/default.yaml');
  assert.equal(v.status, 0, v.stderr);
  const s = cli('plan', 'show', 'plans/default.yaml', '--fleet', 'fleets/openai-like.yaml', '--json');
  assert.equal(s.status, 0, s.stderr);
  assert.ok(JSON.parse(s.stdout) !== null);
});
