/** Acceptance 5: the same scenario and seed give byte-identical output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';
import { run } from '../helpers/runs.ts';

function fresh(seed: number): { json: string; metrics: string } {
  const twin = new Twin(loadScenarioFile('scenarios/openai-2024-12-11.yaml'), { seed });
  twin.run();
  const json = JSON.stringify(twin.result().report);
  return { json, metrics: [...twin.metricLines()].join('\n') };
}

test('two runs with the same seed give byte-identical JSON and metrics', () => {
  const a = fresh(7);
  const b = fresh(7);
  assert.equal(a.json, b.json);
  assert.equal(a.metrics, b.metrics);
});

test('the cached seed-1 run equals a fresh seed-1 run', () => {
  assert.equal(fresh(1).json, run('openai-2024-12-11').json);
});

test('the seed matters: seeds 1 and 2 differ somewhere', () => {
  assert.notEqual(fresh(2).json, run('openai-2024-12-11').json);
});
