/**
 * Assertions on the problems an input function reports: the complete list,
 * in order, each with its exact file, line, column and path.
 */
import assert from 'node:assert/strict';
import { formatProblem, InputError, type Problem } from '../../src/core/errors.ts';

/** [file, line, column, path, message]: a string message must match exactly, a RegExp must match. */
export type ExpectedProblem = readonly [file: string, line: number, column: number, path: string, message: string | RegExp];

/** The problems of the InputError `fn` throws; fails if it returns or throws anything else. */
export function problemsOf(fn: () => unknown): readonly Problem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  assert.fail('expected an InputError, but the input was accepted');
}

export function assertProblems(actual: readonly Problem[], expected: readonly ExpectedProblem[]): void {
  const shown = actual.map(formatProblem).join('\n');
  assert.equal(actual.length, expected.length, `expected ${expected.length} problem(s), got ${actual.length}:\n${shown}`);
  expected.forEach(([file, line, column, path, message], i) => {
    const p = actual[i];
    assert.ok(p !== undefined);
    assert.deepEqual({ file: p.file, line: p.line, column: p.column, path: p.path }, { file, line, column, path }, `problem ${i}:\n${shown}`);
    if (typeof message === 'string') assert.equal(p.message, message, `problem ${i}`);
    else assert.match(p.message, message, `problem ${i}`);
  });
}
