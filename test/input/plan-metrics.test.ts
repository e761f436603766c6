/**
 * The plan's metric source and gate queries (src/input/plan-metrics.ts):
 * compiled with defaults and each query's field path (for file:line when
 * Prometheus refuses it); bad values are located input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.ts';
import { parsePlan } from '../../src/input/plan.ts';
import { problemAt } from '../../src/input/validate.ts';

const HEAD = 'apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata: { name: p }\nspec:\n  change: { twin: {} }\n';

test('metrics.prometheus and gate queries compile with defaults and their paths', () => {
  const none = parsePlan(HEAD, 'none.yaml');
  assert.deepEqual(none.metrics, { queries: [] });
  const text = `${HEAD}  metrics:\n    prometheus: { url: "http://prom:9090", rateWindow: 30s }\n  gates:\n    overrides:\n      api-rejections:\n        query: "sum by ($cl) (x{$cl=~\\"$clusters\\"})"\n    custom:\n      - { name: mine, metric: my_ratio, worse: higher, threshold: 1, query: "my_ratio" }\n`;
  const l = parsePlan(text, 'p.yaml');
  assert.deepEqual(l.metrics.prometheus, { url: 'http://prom:9090', rateWindowS: 30, timeoutS: 10, stepS: 15 });
  assert.deepEqual(
    l.metrics.queries.map((q) => [q.gate, q.metric, q.path.join('.')]),
    [
      ['api-rejections', 'apiserver_429_ratio', 'spec.gates.overrides.api-rejections.query'],
      ['mine', 'my_ratio', 'spec.gates.custom.0.query'],
    ],
  );
  // The path locates the query's line in the file (where a refused query is reported).
  assert.equal(problemAt(l.doc, l.metrics.queries[0]?.path ?? [], 'x').line, 11);
});

test('bad metrics settings are located input errors', () => {
  const bad = (extra: string, pattern: RegExp): void => {
    assert.throws(
      () => parsePlan(HEAD + extra, 'bad.yaml'),
      (e: unknown) => e instanceof InputError && pattern.test(e.message),
    );
  };
  bad('  metrics:\n    prometheus: { url: "prom:9090" }\n', /bad\.yaml:7:\d+: spec\.metrics\.prometheus\.url:/);
  bad('  metrics:\n    prometheus: { rateWindow: 2h }\n', /bad\.yaml:7:\d+: spec\.metrics\.prometheus\.rateWindow: expected a duration between 1s and 1h, got "2h"/);
  bad('  metrics:\n    prometheus: { timeout: 0s }\n', /spec\.metrics\.prometheus\.timeout: expected a duration between 1s and 5m/);
  bad(
    '  gates:\n    custom:\n      - { name: a, metric: m, worse: higher, threshold: 1, query: "m" }\n      - { name: b, metric: m, worse: higher, threshold: 2, query: "m * 2" }\n',
    /spec\.gates\.custom\[1\]\.query: another gate already gives metric `m` a query \(spec\.gates\.custom\[0\]\)/,
  );
  bad('  gates:\n    overrides:\n      api-rejections: { query: "" }\n', /spec\.gates\.overrides\.api-rejections\.query/);
});
