/**
 * Whatever a user does to a valid scenario, loading it either succeeds or
 * throws an InputError whose problems all name a file and say something:
 * never a TypeError from deep inside the compiler, never a raw parser error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import YAML from 'yaml';
import { InputError } from '../../src/core/errors.ts';
import { parseScenario } from '../../src/input/scenario.ts';

const FIXTURES = ['test/fixtures/input/valid/scenario-full.yaml', 'test/fixtures/input/valid/scenario-minimal.yaml'];
const TEXTS = FIXTURES.map((f) => readFileSync(f, 'utf8'));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Segment = string | number;

/** Paths of every node of a JSON value, root first. */
function paths(v: Json, at: Segment[] = []): Segment[][] {
  const out: Segment[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('insert' as const), pick: fc.nat(), key: fc.string({ minLength: 1, maxLength: 12 }), value: fc.jsonValue({ maxDepth: 1 }) }),
  fc.record({ op: fc.constant('truncate' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), pick: fc.nat(), shift: fc.integer({ min: -4, max: 4 }), swap: fc.boolean() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies one mutation to YAML text; structural ones go through the parsed value (skipped when the text no longer parses). */
function mutate(text: string, m: Mutation): string {
  if (m.op === 'truncate') return text.slice(0, m.pick % (text.length + 1));
  if (m.op === 'indent') {
    // Shift one line's indentation, or swap it with the next line's.
    const lines = text.split('\n');
    const i = m.pick % lines.length;
    const line = lines[i] ?? '';
    const next = lines[i + 1];
    if (m.swap && next !== undefined) {
      const indent = (s: string): string => /^ */.exec(s)?.[0] ?? '';
      lines[i] = indent(next) + line.trimStart();
      lines[i + 1] = indent(line) + next.trimStart();
    } else {
      lines[i] = m.shift >= 0 ? ' '.repeat(m.shift) + line : line.replace(new RegExp(`^ {0,${-m.shift}}`), '');
    }
    return lines.join('\n');
  }
  let root: Json;
  try {
    root = YAML.parse(text) as Json;
  } catch {
    return text;
  }
  const all = paths(root);
  const path = all[m.pick % all.length] ?? [];
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const get = (p: Segment[]): Json => p.reduce<Json>((node, seg) => (node as Record<string, Json>)[seg as string] as Json, root);
  switch (m.op) {
    case 'delete': {
      if (last === undefined) return '';
      const parent = get(parentPath);
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as Record<string, Json>)[last];
      break;
    }
    case 'replace': {
      // A value of another type: same-typed values are wrapped in a list.
      const value = (kindOf(m.value) === kindOf(get(path)) ? [m.value] : m.value) as Json;
      if (last === undefined) root = value;
      else (get(parentPath) as Record<string, Json>)[last] = value;
      break;
    }
    case 'insert': {
      const target = get(path);
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value as Json;
      break;
    }
  }
  return YAML.stringify(root);
}

void describe('scenario input under random mutations', () => {
  void it('either loads or throws an InputError with located, non-empty problems', () => {
    fc.assert(
      fc.property(fc.nat({ max: FIXTURES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const text = mutations.reduce(mutate, TEXTS[which] ?? '');
        try {
          const s = parseScenario(text, FIXTURES[which] ?? '');
          assert.ok(s.durationS > 0 && s.stepS > 0 && s.clusters.length > 0);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          assert.ok(e.problems.length > 0);
          for (const p of e.problems) {
            assert.ok(p.file !== '', 'problem without a file');
            assert.ok(p.message.trim() !== '', 'problem without a message');
          }
        }
      }),
      { numRuns: 300, seed: 20241211 },
    );
  });
});
