import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFleetFile } from '../../src/input/fleet.ts';
import { expandFleet } from '../../src/model/fleet.ts';
import { assertProblems, problemsOf } from './problems.ts';

const VALID = 'test/fixtures/input/valid';
const INVALID = 'test/fixtures/input/invalid';

void describe('loadFleetFile', () => {
  void it('loads explicit clusters with defaults, then the generated ones', () => {
    const fleet = loadFleetFile(`${VALID}/fleet.yaml`);
    assert.equal(fleet.name, 'example-fleet');
    assert.equal(fleet.clusters.length, 23);
    assert.deepEqual(fleet.clusters[0], { name: 'prod-a', nodes: 5000, pods: 120_000, labels: { region: 'us-east-1', tier: 'prod' }, sizeClass: 'xlarge' });
    // pods default to nodes × 30
    assert.deepEqual(fleet.clusters[2], { name: 'staging', nodes: 40, pods: 1200, labels: { tier: 'staging' }, sizeClass: 'small' });
    const generated = fleet.clusters.slice(3);
    assert.deepEqual(generated.map((c) => c.name).slice(0, 2), ['tail-01', 'tail-02']);
    assert.ok(generated.every((c) => c.nodes >= 50 && c.nodes <= 7500 && c.labels.tier === 'prod'));
  });

  void it('generates with generate.seed, independently of anything else', () => {
    const fleet = loadFleetFile(`${VALID}/fleet.yaml`);
    const g = { count: 20, nodes: { min: 50, max: 7500, median: 600 }, namePrefix: 'tail', labels: { tier: 'prod' } };
    assert.deepEqual(fleet.clusters.slice(3), expandFleet({ generate: g }, 7));
    assert.notDeepEqual(fleet.clusters.slice(3), expandFleet({ generate: g }, 1));
  });

  void it('reports every schema problem, located, with suggestions', () => {
    const file = `${INVALID}/fleet-schema.yaml`;
    const problems = problemsOf(() => loadFleetFile(file));
    assertProblems(problems, [
      [file, 8, 7, 'spec.clusters[0].nodez', 'unknown field `nodez`'],
      [file, 10, 14, 'spec.clusters[1].nodes', 'expected an integer between 1 and 100000, got -5'],
      [file, 11, 23, 'spec.clusters[1].labels.tier', 'expected a string, got 1'],
      [file, 14, 12, 'spec.generate.nodes.median', 'missing required field `median`'],
    ]);
    // The misspelt field is named with its likely meaning, and the required `nodes` it stands for is not reported twice.
    assert.equal(problems[0]?.hint, 'did you mean `nodes`? fields allowed here: name, nodes, pods, labels, kubeconfig, prometheus');
    assert.equal(problems[2]?.hint, 'quote it to make it a string: "1"');
  });

  void it('reports duplicate names and min > max', () => {
    const file = `${INVALID}/fleet-semantic.yaml`;
    assertProblems(problemsOf(() => loadFleetFile(file)), [
      [file, 9, 15, 'spec.clusters[2].name', 'duplicate cluster name `prod-a` (also spec.clusters[0])'],
      [file, 12, 29, 'spec.generate.nodes.max', 'max (600) is less than min (800)'],
    ]);
  });

  void it('refuses a scenario passed as a fleet', () => {
    const file = `${VALID}/scenario-minimal.yaml`;
    assertProblems(problemsOf(() => loadFleetFile(file)), [[file, 3, 7, 'kind', 'this is a Scenario document, expected a Fleet']]);
  });

  void it('reports a missing file without a location', () => {
    const problems = problemsOf(() => loadFleetFile('no/such/fleet.yaml'));
    assert.equal(problems.length, 1);
    assert.deepEqual([problems[0]?.file, problems[0]?.line, problems[0]?.path], ['no/such/fleet.yaml', undefined, '']);
    assert.match(problems[0]?.message ?? '', /^file not found/);
  });
});
