/**
 * The architecture (docs/architecture.md), checked on every import of src/ —
 * type-only and dynamic imports included:
 * - the dependency direction between layers (core → model → twin →
 *   analyzer/orchestrator → input/report → adapters → shell → cli);
 * - the twin's public face: outside src/twin only src/twin/index.ts is
 *   imported (the analyzer included); adapters know the orchestrator only
 *   through its ports; the shell names the adapters only where it builds them;
 * - no import cycle among src files;
 * - the deterministic layers read no wall clock or unseeded randomness, and
 *   only the shell and the CLI write to the file system;
 * - no src file is longer than 600 lines.
 * The rule functions also run on small made-up graphs, so a test shows each of
 * them firing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMPOSITION_ROOTS, faceProblems, importCycles, importGraph, layerProblems, type ImportGraph } from './helpers/import-graph.ts';

/**
 * Twin internals allowed to be imported from outside while they move out of the twin (none now:
 * ModelConfig moved to src/model). An entry that nothing needs any more fails the test.
 */
const TRANSITIONAL_TWIN_IMPORTS: readonly string[] = [];

/**
 * Import cycles allowed while one is being broken (none now). Each must still exist: once it is gone,
 * this test says to remove the entry.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

const graph = importGraph('src');

test('layers import only what they may', () => {
  assert.deepEqual(layerProblems(graph), []);
});

test('outside src/twin only the twin\'s public face is imported; adapters see the ports; the shell names adapters only where it builds them', () => {
  assert.deepEqual(faceProblems(graph, TRANSITIONAL_TWIN_IMPORTS), []);
});

test('no import cycles among src files', () => {
  const cycles = importCycles(graph).map((c) => c.join(' ↔ '));
  const known = KNOWN_CYCLES.map((c) => [...c].sort().join(' ↔ '));
  assert.deepEqual(cycles.filter((c) => !known.includes(c)), [], 'import cycles');
  assert.deepEqual(known.filter((c) => !cycles.includes(c)), [], 'known cycles that are gone: remove them from KNOWN_CYCLES');
});

test('the rules fire: a made-up graph with a cycle, a twin internal imported, a wrong-way import, an adapter reaching past the ports', () => {
  const g: ImportGraph = new Map([
    ['src/twin/index.ts', ['src/twin/engine.ts']],
    ['src/twin/engine.ts', ['src/twin/operators.ts', 'src/core/clock.ts']],
    ['src/twin/operators.ts', ['src/twin/engine.ts']],
    ['src/twin/config.ts', []],
    ['src/core/clock.ts', []],
    ['src/analyzer/simulate.ts', ['src/twin/engine.ts', 'src/twin/config.ts']],
    ['src/analyzer/ok.ts', ['src/twin/index.ts']],
    ['src/orchestrator/ports.ts', []],
    ['src/orchestrator/gates.ts', ['src/orchestrator/ports.ts']],
    ['src/adapters/twin/target.ts', ['src/twin/index.ts', 'src/orchestrator/ports.ts', 'src/orchestrator/gates.ts']],
    ['src/shell/runner.ts', ['src/orchestrator/ports.ts', 'src/adapters/twin/target.ts']],
    ['src/shell/rehearsal.ts', ['src/adapters/twin/target.ts', 'src/twin/index.ts']],
    ['src/model/x.ts', ['src/twin/index.ts']],
    ['src/cli/self.ts', ['src/cli/self.ts']],
    ['src/web/server.ts', []],
  ]);
  assert.deepEqual(importCycles(g), [['src/cli/self.ts'], ['src/twin/engine.ts', 'src/twin/operators.ts']]);
  assert.deepEqual(faceProblems(g), [
    "src/analyzer/simulate.ts imports src/twin/engine.ts: outside src/twin, import only the twin's public face src/twin/index.ts (analyzer → twin)",
    "src/analyzer/simulate.ts imports src/twin/config.ts: outside src/twin, import only the twin's public face src/twin/index.ts (analyzer → twin)",
    'src/adapters/twin/target.ts imports src/orchestrator/gates.ts: an adapter knows the orchestrator only through src/orchestrator/ports.ts',
    `src/shell/runner.ts imports src/adapters/twin/target.ts: the shell knows the ports, not the adapters, except where it builds them (${COMPOSITION_ROOTS.join(', ')})`,
  ]);
  // A transitional exception covers its file, and is reported once nothing needs it.
  assert.deepEqual(
    faceProblems(g, ['src/twin/config.ts', 'src/twin/dns.ts']).filter((p) => p.includes('config.ts') || p.includes('dns.ts')),
    ['the transitional exception for src/twin/dns.ts is stale (nothing outside src/twin imports it): remove it'],
  );
  assert.deepEqual(layerProblems(g), [
    'src/model/x.ts imports src/twin/index.ts (model → twin)',
    'src/web/server.ts: unknown layer `web` (add it to docs/architecture.md and test/helpers/import-graph.ts)',
  ]);
});

test('the graph holds every kind of import (type-only, export-from, dynamic), not comments', () => {
  // Known edges of the real tree: a type-only import, a re-export, a dynamic import.
  assert.ok(graph.get('src/twin/operators.ts')?.includes('src/twin/api.ts'), 'import type');
  assert.ok(graph.get('src/twin/index.ts')?.includes('src/twin/report-types.ts'), 'export … from');
  assert.ok(graph.get('src/cli/main.ts')?.includes('src/cli/analyze.ts'), "import('…')");
  // src/twin/index.ts shows `import … from '../twin/index.ts'` in its doc comment: not an edge.
  assert.ok(!(graph.get('src/twin/index.ts') ?? []).includes('src/twin/index.ts'));
});

function srcFiles(): string[] {
  return [...graph.keys()];
}

test('deterministic layers do not read the wall clock or unseeded randomness', () => {
  const bad: string[] = [];
  for (const f of srcFiles().filter((x) => /^src\/(core|model|twin|analyzer|orchestrator|killswitch|apiserver)\//.test(x))) {
    const text = readFileSync(f, 'utf8');
    for (const p of [/Date\.now\(/, /Math\.random\(/, /performance\.now\(/, /new Date\(\)/, /setTimeout\(/, /setInterval\(/]) if (p.test(text)) bad.push(`${f}: ${p}`);
  }
  assert.deepEqual(bad, []);
});

test('only the shell (the state database) and the CLI (output files) write to the file system', () => {
  const WRITES = /\b(writeFileSync|writeFile|appendFileSync|appendFile|renameSync|rename|mkdirSync|mkdir|rmSync|unlinkSync|unlink|createWriteStream|copyFileSync|symlinkSync|truncateSync|ftruncateSync|writeSync|mkdtempSync)\(/;
  const bad: string[] = [];
  for (const f of srcFiles().filter((x) => !/^src\/(shell|cli)\//.test(x))) {
    const text = readFileSync(f, 'utf8');
    if (/from 'node:sqlite'/.test(text)) bad.push(`${f}: node:sqlite`);
    if (/from 'node:fs(\/promises)?'/.test(text) && WRITES.test(text)) bad.push(`${f}: ${WRITES.exec(text)?.[1] ?? ''}`);
  }
  assert.deepEqual(bad, []);
});

/** Longest a src file may be (issue #10: rooms of one concept each; a longer file holds several). */
const MAX_LINES = 600;

test(`no src file is longer than ${MAX_LINES} lines`, () => {
  const lines = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  // The rule fires: a file one line too long is reported.
  assert.equal(lines('x\n'.repeat(MAX_LINES + 1)) > MAX_LINES, true);
  const long = srcFiles()
    .map((f) => ({ f, n: lines(readFileSync(f, 'utf8')) }))
    .filter((x) => x.n > MAX_LINES)
    .map((x) => `${x.f}: ${x.n} lines (split it into files of one concept each)`);
  assert.deepEqual(long, []);
});
