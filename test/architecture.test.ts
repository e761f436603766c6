/** The dependency direction shown by the folder layout (docs/architecture.md), checked on every import. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  model: ['core'],
  twin: ['core', 'model'],
  analyzer: ['core', 'model', 'twin'],
  orchestrator: ['core', 'model', 'twin'],
  input: ['core', 'model', 'twin', 'analyzer', 'orchestrator'],
  report: ['core', 'model', 'twin', 'orchestrator', 'analyzer'],
  shell: ['core', 'model', 'twin', 'analyzer', 'orchestrator', 'input', 'report'],
  cli: ['core', 'model', 'twin', 'analyzer', 'orchestrator', 'input', 'report', 'shell'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('layers import only what they may', () => {
  const bad: string[] = [];
  for (const f of files('src')) {
    const layer = relative('src', f).split('/')[0] ?? '';
    assert.ok(layer in ALLOWED, `unknown layer ${layer} (add it to docs/architecture.md and this test)`);
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative('src', resolve(dirname(f), m[1] ?? '')).split('/')[0] ?? '';
      if (target !== layer && !(ALLOWED[layer] ?? []).includes(target)) bad.push(`${f} imports ${m[1]} (${layer} → ${target})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('deterministic layers do not read the wall clock or unseeded randomness', () => {
  const bad: string[] = [];
  for (const f of files('src').filter((x) => /src\/(core|model|twin|analyzer|orchestrator)\//.test(x))) {
    const text = readFileSync(f, 'utf8');
    for (const p of [/Date\.now\(/, /Math\.random\(/, /performance\.now\(/, /new Date\(\)/, /setTimeout\(/, /setInterval\(/]) if (p.test(text)) bad.push(`${f}: ${p}`);
  }
  assert.deepEqual(bad, []);
});
