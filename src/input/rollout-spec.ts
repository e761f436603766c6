/**
 * The one place a loaded plan is compiled into the RolloutSpec the
 * orchestrator runs (src/orchestrator/compile.ts: plan × fleet → spec): over
 * the plan's own fleet when it is loaded (src/input/plan.ts keeps that spec),
 * over another fleet (`plan show --fleet`), or over a scenario's fleet and
 * change for a rehearsal, against what the metric source serves. The spec
 * then travels on — to the shell, the store and the decision core — and is
 * never compiled again.
 *
 * Problems come back located in the plan file (file:line:column, field
 * path), like the loader's own: a scenario whose change is not the plan's, an
 * identity's priority level the clusters do not have, a custom gate on a
 * metric the source lacks, wave selectors naming clusters the fleet lacks.
 *
 * @example
 *   const loaded = loadPlanFile('plans/default.yaml');
 *   const spec = rehearsalSpec(loaded, scenario, 1, twinMetricCatalogue(scenario)); // throws a located InputError
 */
import { InputError } from '../core/errors.ts';
import type { Cluster } from '../model/fleet.ts';
import { compileRollout, type CompileContext, type CompileResult, type PlanProblem, type RolloutSpec } from '../orchestrator/compile.ts';
import type { MetricCatalogue } from '../orchestrator/ports.ts';
import type { ManifestObject, PlanChange, RolloutPlan } from '../orchestrator/plan.ts';
import type { Scenario } from '../twin/index.ts';
import { problemAt, sortProblems } from './validate.ts';
import type { YamlDocument } from './yaml.ts';

/** A plan and the document it was read from (a LoadedPlan), to locate problems in. */
export interface PlanWithSource {
  readonly plan: RolloutPlan;
  readonly doc: YamlDocument;
}

/** The workload of a manifests change (the first DaemonSet or Deployment). */
export function workloadOf(change: PlanChange): ManifestObject | undefined {
  return change.source === 'manifests' ? change.objects.find((object) => object.kind === 'DaemonSet' || object.kind === 'Deployment') : undefined;
}

/** The change as far as the plan alone says (no scenario): its manifests' workload, else the scenario's change by name. */
export function planChange(plan: RolloutPlan): CompileContext['change'] {
  const workload = workloadOf(plan.change);
  const name = workload?.name ?? (plan.change.source === 'twin' ? (plan.change.name ?? 'the scenario’s change') : 'change');
  return { name, kind: workload?.kind === 'Deployment' ? 'Deployment' : 'DaemonSet', namespace: workload?.namespace ?? 'default' };
}

/** Problems found against a fleet or a scenario, located in the plan file. */
export function planInputError(loaded: PlanWithSource, problems: readonly PlanProblem[]): InputError {
  return new InputError(sortProblems(problems.map((problem) => problemAt(loaded.doc, problem.path, problem.message, problem.hint))));
}

/** The plan compiled over `clusters` (its own fleet, or `plan show --fleet`'s); throws a located InputError. */
export function specOverFleet(loaded: PlanWithSource, clusters: readonly Cluster[]): RolloutSpec {
  const compiled = compileRollout(loaded.plan, clusters, { change: planChange(loaded.plan), seed: 1 });
  if (compiled.spec === undefined) throw planInputError(loaded, compiled.problems);
  return compiled.spec;
}

/**
 * The plan compiled for a live rollout over `clusters` (`rollout run`): the
 * change is the plan's manifests (a plan naming the twin's change has
 * nothing to apply), the gates those the metric source serves, the identity's
 * priority level one the clusters have. Throws an InputError located in the
 * plan file.
 */
export function liveSpec(loaded: PlanWithSource, clusters: readonly Cluster[], metrics: MetricCatalogue, priorityLevels: readonly string[]): RolloutSpec {
  if (loaded.plan.change.source !== 'manifests') {
    throw planInputError(loaded, [{ path: ['spec', 'change'], message: '`rollout run` applies the change’s manifests, and this plan names the twin’s change (`twin`)', hint: 'give `change: { manifests: [{ file: … }] }` (a rehearsal takes the same plan)' }]);
  }
  const compiled = compileRollout(loaded.plan, clusters, { change: planChange(loaded.plan), seed: 1, metrics, priorityLevels });
  if (compiled.spec === undefined) throw planInputError(loaded, compiled.problems);
  return compiled.spec;
}

/**
 * The plan compiled for a rehearsal on `scenario`: its fleet, its change
 * (which the plan's change must name), its priority levels, and the gates
 * the metric source serves (without `metrics`, every gate is taken as served).
 * Problems carry their field paths; nothing is located (rehearsalSpec does).
 */
export function compileForScenario(plan: RolloutPlan, scenario: Scenario, seed: number, metrics?: MetricCatalogue): CompileResult {
  const change = scenario.change;
  if (change === undefined) return { problems: [{ path: ['spec', 'change'], message: `the scenario \`${scenario.name}\` has no spec.change to rehearse`, hint: 'rehearse with a scenario that defines the change' }] };
  const problems: PlanProblem[] = [];
  const planned = plan.change;
  if (planned.source === 'twin' && planned.name !== undefined && planned.name !== change.name) {
    problems.push({ path: ['spec', 'change', 'twin', 'name'], message: `the scenario's change is \`${change.name}\`, not \`${planned.name}\``, hint: `name the scenario's change, or leave out the name` });
  }
  if (planned.source === 'manifests') {
    const workload = workloadOf(planned);
    if (workload === undefined) problems.push({ path: ['spec', 'change', 'manifests'], message: 'no DaemonSet or Deployment among the manifests: the twin rehearses a workload', hint: 'add the workload manifest' });
    else if (workload.name !== change.name || workload.kind !== change.kind) {
      problems.push({ path: ['spec', 'change', 'manifests'], message: `the manifests' workload is ${workload.kind} ${workload.name}, but the scenario rehearses ${change.kind} ${change.name}`, hint: 'rehearse the plan with the scenario that models this workload' });
    }
  }
  const compiled = compileRollout(plan, scenario.clusters, {
    change: { name: change.name, kind: change.kind, namespace: change.namespace },
    seed,
    ...(metrics !== undefined ? { metrics } : {}),
    priorityLevels: scenario.model.apf.levels.map((level) => level.name),
  });
  if (problems.length > 0 || compiled.spec === undefined) return { problems: [...problems, ...compiled.problems] };
  return compiled;
}

/** The plan compiled for a rehearsal on `scenario` (compileForScenario); throws an InputError located in the plan file. */
export function rehearsalSpec(loaded: PlanWithSource, scenario: Scenario, seed: number, metrics?: MetricCatalogue): RolloutSpec {
  const compiled = compileForScenario(loaded.plan, scenario, seed, metrics);
  if (compiled.spec === undefined) throw planInputError(loaded, compiled.problems);
  return compiled.spec;
}
