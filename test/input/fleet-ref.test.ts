/**
 * Scenarios and plans load the fleet their spec.fleet.file names through one
 * loader (src/input/fleet-ref.ts): the same problems, at the same place, for
 * a missing file, a directory, a document of another kind and an invalid
 * Fleet — only the hint on where a relative path starts names the referring
 * kind of file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatProblem } from '../../src/core/errors.ts';
import { parsePlan } from '../../src/input/plan.ts';
import { parseScenario } from '../../src/input/scenario.ts';
import { problemsOf } from './problems.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-fleet-ref-'));
mkdirSync(join(dir, 'fleets', 'subdir'), { recursive: true });
writeFileSync(join(dir, 'fleets', 'ok.yaml'), 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: ok }\nspec:\n  clusters:\n    - { name: a, nodes: 10 }\n    - { name: b, nodes: 2000 }\n');
writeFileSync(join(dir, 'fleets', 'bad.yaml'), 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: bad }\nspec:\n  clusters:\n    - { name: a, nodes: -5 }\n');
writeFileSync(join(dir, 'fleets', 'plan.yaml'), 'apiVersion: firebreak.dev/v1alpha1\nkind: RolloutPlan\nmetadata: { name: p }\nspec:\n  change: { twin: {} }\n');

/** A scenario and a plan in `dir/inputs/`, both naming `ref` in spec.fleet.file on line 6, column 18. */
function referring(ref: string): { scenario: string; plan: string } {
  const fleet = `  fleet: { file: ${JSON.stringify(ref)} }`;
  return {
    scenario: ['apiVersion: firebreak.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: s }', 'spec:', '  start: "2024-12-11T14:00:00"', fleet, '  duration: 2h', ''].join('\n'),
    plan: ['apiVersion: firebreak.dev/v1alpha1', 'kind: RolloutPlan', 'metadata: { name: p }', 'spec:', '  change: { twin: {} }', fleet, ''].join('\n'),
  };
}

const SCENARIO_FILE = join(dir, 'inputs', 'scenario.yaml');
const PLAN_FILE = join(dir, 'inputs', 'plan.yaml');

function both(ref: string): { scenario: string[]; plan: string[] } {
  const texts = referring(ref);
  return {
    scenario: problemsOf(() => parseScenario(texts.scenario, SCENARIO_FILE)).map(formatProblem),
    plan: problemsOf(() => parsePlan(texts.plan, PLAN_FILE)).map(formatProblem),
  };
}

void describe('the fleet a scenario or plan references', () => {
  void it('loads the same clusters for both', () => {
    const texts = referring('../fleets/ok.yaml');
    const scenario = parseScenario(texts.scenario, SCENARIO_FILE);
    const plan = parsePlan(texts.plan, PLAN_FILE);
    assert.deepEqual(scenario.clusters.map((c) => c.name), ['a', 'b']);
    assert.deepEqual(plan.fleet, scenario.clusters);
  });

  void it('reports a missing file at spec.fleet.file, with a hint naming the referring kind', () => {
    const { scenario, plan } = both('../fleets/nowhere.yaml');
    const message = `spec.fleet.file: fleet file not found: "../fleets/nowhere.yaml" (resolved to ${resolve(dir, 'fleets', 'nowhere.yaml')})`;
    assert.deepEqual(scenario, [`${SCENARIO_FILE}:6:18: ${message}\n    fix: the path is relative to this scenario file's directory`]);
    assert.deepEqual(plan, [`${PLAN_FILE}:6:18: ${message}\n    fix: the path is relative to this plan file's directory`]);
  });

  void it('gives the same problem for a directory, a document of another kind and an invalid Fleet', () => {
    for (const ref of ['../fleets/subdir', '../fleets/plan.yaml', '../fleets/bad.yaml']) {
      const { scenario, plan } = both(ref);
      assert.equal(scenario.length, 1, scenario.join('\n'));
      assert.deepEqual(
        plan.map((p) => p.replace(PLAN_FILE, 'REFERRER')),
        scenario.map((p) => p.replace(SCENARIO_FILE, 'REFERRER')),
        ref,
      );
    }
  });

  void it('locates a plan’s fleet of the wrong kind at its spec.fleet.file, as a scenario’s', () => {
    const { plan } = both('../fleets/plan.yaml');
    assert.deepEqual(plan, [
      `${PLAN_FILE}:6:18: spec.fleet.file: fleet file "../fleets/plan.yaml" (${resolve(dir, 'fleets', 'plan.yaml')}): this is a RolloutPlan document, expected a Fleet\n    fix: spec.fleet.file must name a Fleet document (kind: Fleet)`,
    ]);
  });

  void it("reports the fleet file's own problems in the fleet file", () => {
    const { plan } = both('../fleets/bad.yaml');
    assert.deepEqual(plan, [`${join(dir, 'fleets', 'bad.yaml')}:6:25: spec.clusters[0].nodes: expected an integer between 1 and 100000, got -5`]);
  });
});
