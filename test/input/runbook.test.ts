/**
 * The operators' fleet-wide revert and the alert rules' keepFiringFor in
 * scenario files: compiled with their defaults, bad values located.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALERTS } from '../../src/input/alerts.ts';
import { loadScenarioFile, parseScenario } from '../../src/input/scenario.ts';
import { assertProblems, problemsOf } from './problems.ts';
import { INLINE, inlineScenario } from './inline-scenario.ts';

const scenario = inlineScenario;
const operators = (...fields: string[]): string[] => ['  operators:', '    respondAt: "15:16"', ...fields];

void describe('operators.revert', () => {
  void it('is absent unless given, and `{}` takes every default: from respondAt, one cluster every 10 s', () => {
    assert.equal(parseScenario(scenario(...operators()), INLINE).operators?.revert, undefined);
    assert.deepEqual(parseScenario(scenario(...operators('    revert: {}')), INLINE).operators?.revert, { atS: 76 * 60, everyS: 10 });
    assert.deepEqual(parseScenario(scenario(...operators('    revert: { at: "15:30", every: 9s }')), INLINE).operators?.revert, { atS: 90 * 60, everyS: 9 });
  });

  void it('refuses a zero pace, an unknown field and a time outside the run, located', () => {
    assertProblems(problemsOf(() => parseScenario(scenario(...operators('    revert: { every: 0s }')), INLINE)), [[INLINE, 11, 22, 'spec.operators.revert.every', 'expected a duration > 0, got 0s']]);
    assertProblems(problemsOf(() => parseScenario(scenario(...operators('    revert: { pace: 9s }')), INLINE)), [[INLINE, 11, 15, 'spec.operators.revert.pace', /unknown field `pace`/]]);
    assertProblems(problemsOf(() => parseScenario(scenario(...operators('    revert: { at: "19:00" }')), INLINE)), [[INLINE, 11, 19, 'spec.operators.revert.at', /after the end of the run/]]);
  });

  void it('is on in the shipped incident scenarios, at the pipeline’s pace, from the root cause', () => {
    for (const name of ['openai-2024-12-11', 'openai-2024-12-11-serve-stale', 'openai-2024-12-11-break-glass']) {
      const s = loadScenarioFile(`scenarios/${name}.yaml`);
      assert.deepEqual(s.operators?.revert, { atS: s.operators?.respondAtS, everyS: 9 }, name);
    }
  });
});

void describe('alerts[].keepFiringFor', () => {
  const rule = (extra: string): string[] => ['  alerts:', `    - { name: Down, metric: apiserver_success_ratio, op: "<", threshold: 0.9, for: 2m${extra} }`];

  void it('is 0 (absent) unless given, and a duration when given', () => {
    assert.equal(parseScenario(scenario(...rule('')), INLINE).alerts[0]?.keepFiringForS, undefined);
    assert.equal(parseScenario(scenario(...rule(', keepFiringFor: 5m')), INLINE).alerts[0]?.keepFiringForS, 300);
  });

  void it('refuses what is not a duration, located', () => {
    assertProblems(problemsOf(() => parseScenario(scenario(...rule(', keepFiringFor: soon')), INLINE)), [[INLINE, 10, 103, 'spec.alerts[0].keepFiringFor', /^expected a duration such as/]]);
  });

  void it('is 5 minutes on every default rule (Prometheus keep_firing_for)', () => {
    for (const a of DEFAULT_ALERTS) assert.equal(a.keepFiringForS, 300, a.name);
  });
});
