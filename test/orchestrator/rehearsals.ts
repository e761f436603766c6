/**
 * Rehearsal inputs for tests: a plan compiled for a scenario the way the CLI
 * compiles it (src/input/rollout-spec.ts), against what the twin's metric
 * source serves — for plans built or changed in code, which have no file to
 * locate problems in.
 */
import { compileForScenario } from '../../src/input/rollout-spec.ts';
import type { RolloutSpec } from '../../src/orchestrator/compile.ts';
import type { RolloutPlan } from '../../src/orchestrator/plan.ts';
import { twinMetricCatalogue } from '../../src/adapters/twin/metric-source.ts';
import type { Scenario } from '../../src/twin/index.ts';

/** `{ scenario, spec }` for `rehearse`; throws with the problems when the plan does not compile for the scenario. */
export function rehearsalOf(scenario: Scenario, plan: RolloutPlan, seed = 1): { readonly scenario: Scenario; readonly spec: RolloutSpec } {
  const compiled = compileForScenario(plan, scenario, seed, twinMetricCatalogue(scenario));
  if (compiled.spec === undefined) throw new Error(`the plan does not compile for ${scenario.name}: ${compiled.problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`).join('; ')}`);
  return { scenario, spec: compiled.spec };
}
