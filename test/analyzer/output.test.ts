/** Output: the JSON schema's fields, SARIF 2.1.0 (validated against the OASIS schema), determinism, exit codes, the benchmark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { analyzeCommand } from '../../src/cli/analyze.ts';
import { benchAnalyze } from '../../src/cli/bench-analyze.ts';
import { CORPUS, corpusFiles } from './helpers.ts';

const FLEET = 'fleets/openai-like.yaml';
// The corpus less the variants that reuse another file's workload names (analysing both at once is a duplicate-object error).
const ALL = corpusFiles().filter((f) => !/otel-agent-(node-filter|filter-env-missing)|calico-node-without-typha|otel-cluster-metrics-no-leader|vector-agent-apiserver-cache|promtail-2\.2-chart-3\.6|filebeat-scope-cluster|fluentd-daemonset-no-node-name|beyla-k8s-cache/.test(f));

/**
 * The SARIF 2.1.0 JSON Schema (draft-04) as the npm package @microsoft/jest-sarif
 * ships it, validated with the Ajv version that package uses (v6 reads draft-04;
 * the project's Ajv 8 does not).
 */
function sarifValidator(): (data: unknown) => { valid: boolean; errors: unknown } {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@microsoft/jest-sarif/package.json'));
  const schema: unknown = require(join(pkgDir, 'lib/schemas/sarif-2.1.0-rtm.5.json'));
  const req = createRequire(join(pkgDir, 'package.json'));
  type AjvLike = { addMetaSchema(s: unknown): void; compile(s: unknown): ((d: unknown) => boolean) & { errors?: unknown } };
  const Ajv = req('ajv') as new (o: object) => AjvLike;
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true, validateSchema: false });
  ajv.addMetaSchema(req('ajv/lib/refs/json-schema-draft-04.json'));
  const validate = ajv.compile(schema);
  return (data) => ({ valid: validate(data), errors: validate.errors });
}

test('SARIF output validates against the SARIF 2.1.0 schema and places findings on their lines', async () => {
  const r = await analyzeCommand({ paths: ALL, fleet: FLEET, format: 'sarif' });
  assert.equal(r.exitCode, 1);
  const log = JSON.parse(r.stdout) as { version: string; runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[]; tool: { driver: { rules: { id: string }[] } } }[] };
  const check = sarifValidator();
  const { valid, errors } = check(log);
  assert.ok(valid, JSON.stringify(errors, null, 2));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  assert.ok(run !== undefined && run.results.length > 10);
  const ids = new Set(run.tool.driver.rules.map((x) => x.id));
  for (const res of run.results) {
    assert.ok(ids.has(res.ruleId), res.ruleId);
    const loc = res.locations[0]?.physicalLocation;
    assert.ok(loc !== undefined && loc.artifactLocation.uri.startsWith('test/fixtures/manifests/') && loc.region.startLine >= 1);
  }
  assert.ok(run.results.some((x) => x.level === 'error' && x.locations[0]?.physicalLocation.artifactLocation.uri.endsWith('telemetry-agent-incident.yaml') && x.locations[0].physicalLocation.region.startLine === 51));
  // A corrupted log must not validate: the test can fail.
  assert.equal(check({ ...log, version: '2.0.0' }).valid, false);
});

test('JSON output carries the documented fields', async () => {
  const r = await analyzeCommand({ paths: [`${CORPUS}/telemetry-agent-incident.yaml`], fleet: FLEET, format: 'json' });
  assert.equal(r.exitCode, 1);
  const a = JSON.parse(r.stdout) as Record<string, unknown> & { findings: Record<string, unknown>[]; clusters: Record<string, unknown>[] };
  assert.equal(a.schemaVersion, 'firebreak.dev/analysis/v1');
  assert.equal(a.verdict, 'block');
  for (const k of ['rule', 'severity', 'file', 'line', 'workload', 'message', 'fix']) assert.ok(k in (a.findings[0] ?? {}), k);
  for (const k of ['name', 'nodes', 'verdict', 'addedRequestsPerSecond', 'addedSeats', 'peakListMemoryBytes', 'watchEventsPerSecond']) assert.ok(k in (a.clusters[0] ?? {}), k);
  assert.equal(a.clusters.length, 200);
});

test('same input, same bytes: JSON, SARIF and text are deterministic', async () => {
  for (const format of ['json', 'sarif', 'text']) {
    const a = await analyzeCommand({ paths: ALL, fleet: FLEET, format });
    const b = await analyzeCommand({ paths: ALL, fleet: FLEET, format });
    assert.equal(a.exitCode, 1, a.stderr);
    assert.equal(a.stdout, b.stdout, format);
    assert.doesNotMatch(a.stdout, /20\d\d-\d\d-\d\dT/, 'no timestamps');
  }
});

test('the same workload twice in the input is a located input error', async () => {
  const r = await analyzeCommand({ paths: [`${CORPUS}/calico-typha.yaml`, `${CORPUS}/calico-node-without-typha.yaml`], fleet: FLEET });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /calico-node-without-typha\.yaml:\d+:\d+: metadata\.name: DaemonSet kube-system\/calico-node appears twice/);
});

test('exit codes: 0 for ok and warn, 1 for block', async () => {
  assert.equal((await analyzeCommand({ paths: [`${CORPUS}/otel-agent-node-filter.yaml`], fleet: FLEET })).exitCode, 0);
  const warn = await analyzeCommand({ paths: [`${CORPUS}/peer-discovery-deployment.yaml`], fleet: 'test/fixtures/input/valid/fleet.yaml', format: 'json' });
  const v = (JSON.parse(warn.stdout) as { verdict: string }).verdict;
  assert.equal(warn.exitCode, v === 'block' ? 1 : 0);
  assert.equal((await analyzeCommand({ paths: [`${CORPUS}/otel-agent-no-filter.yaml`], fleet: FLEET })).exitCode, 1);
});

test('text output names the verdict, the findings with file:line and the clusters that are not ok', async () => {
  const r = await analyzeCommand({ paths: [`${CORPUS}/otel-agent-no-filter.yaml`], fleet: FLEET, simulate: true });
  assert.match(r.stdout, /^firebreak analyze: BLOCK/);
  assert.match(r.stdout, /otel-agent-no-filter\.yaml:\d+:\d+: block \[apiserver-memory-(rollout|relist)\]/);
  assert.match(r.stdout, /us-east-11 +7,500 +block/);
  assert.match(r.stdout, /Simulation in the fleet twin/);
  assert.match(r.stdout, /control plane lost on \d+ clusters/);
});

test('bench analyze prints {manifests, clusters, wallSeconds, manifestsPerSecond}', () => {
  const out = JSON.parse(benchAnalyze({ json: true, manifests: 200, clusters: 20 })) as Record<string, number>;
  assert.equal(out.manifests, 200);
  assert.equal(out.clusters, 20);
  assert.ok((out.wallSeconds ?? 0) > 0 && (out.manifestsPerSecond ?? 0) > 0);
});

test('SARIF: the rules list holds profile-unknown and the input rules; a profile-unknown result (block under --strict) validates', async () => {
  const r = await analyzeCommand({ paths: [`${CORPUS}/blind/antrea-agent-without-rbac.yaml`], fleet: FLEET, format: 'sarif', strict: true });
  assert.equal(r.exitCode, 1, r.stderr);
  const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string }[]; tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } } }[] };
  const { valid, errors } = sarifValidator()(log);
  assert.ok(valid, JSON.stringify(errors, null, 2));
  const rules = new Map(log.runs[0]?.tool.driver.rules.map((x) => [x.id, x.defaultConfiguration.level]));
  for (const id of ['profile-unknown', 'input-skipped', 'input-empty', 'no-workload', 'rbac-worst-case']) assert.ok(rules.has(id), id);
  assert.equal(rules.get('profile-unknown'), 'error', 'the most severe it gets (--strict)');
  assert.deepEqual(log.runs[0]?.results.map((x) => [x.ruleId, x.level]), [['profile-unknown', 'error']]);
});
