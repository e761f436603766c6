/**
 * What a rehearsal rolls out: the plan compiled for the scenario's fleet and
 * change (`rehearsalSpec`), after checking that the plan's change is the
 * scenario's, and the break-glass endpoint the twin offers when the plan may
 * use one.
 *
 * @example
 *   const spec = rehearsalSpec(plan, scenario, 1); // throws PlanCompileError, located-able
 */
import { compileRollout, PlanCompileError, type PlanProblem, type RolloutSpec } from '../orchestrator/compile.ts';
import type { RolloutPlan } from '../orchestrator/plan.ts';
import type { MetricSource } from '../orchestrator/ports.ts';
import type { Scenario } from '../twin/index.ts';

/** The break-glass endpoint the twin offers when the plan may use one. */
export function rehearsalBreakGlass(plan: RolloutPlan): { readonly seats: number } | undefined {
  return plan.rollback.breakGlass === 'never' ? undefined : { seats: plan.rollback.breakGlassSeats };
}

/** Compiles the plan for this scenario's fleet and change; throws PlanCompileError with located-able problems. */
export function rehearsalSpec(plan: RolloutPlan, scenario: Scenario, seed: number, source?: MetricSource): RolloutSpec {
  const ch = scenario.change;
  const problems: PlanProblem[] = [];
  if (ch === undefined) throw new PlanCompileError([{ path: ['spec', 'change'], message: `the scenario \`${scenario.name}\` has no spec.change to rehearse`, hint: 'rehearse with a scenario that defines the change' }]);
  const pc = plan.change;
  if (pc.source === 'twin' && pc.name !== undefined && pc.name !== ch.name) {
    problems.push({ path: ['spec', 'change', 'twin', 'name'], message: `the scenario's change is \`${ch.name}\`, not \`${pc.name}\``, hint: `name the scenario's change, or leave out the name` });
  }
  if (pc.source === 'manifests') {
    const w = pc.objects.find((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
    if (w === undefined) problems.push({ path: ['spec', 'change', 'manifests'], message: 'no DaemonSet or Deployment among the manifests: the twin rehearses a workload', hint: 'add the workload manifest' });
    else if (w.name !== ch.name || w.kind !== ch.kind) {
      problems.push({ path: ['spec', 'change', 'manifests'], message: `the manifests' workload is ${w.kind} ${w.name}, but the scenario rehearses ${ch.kind} ${ch.name}`, hint: 'rehearse the plan with the scenario that models this workload' });
    }
  }
  const levels = scenario.model.apf.levels.map((l) => l.name);
  const r = compileRollout(plan, scenario.clusters, {
    change: { name: ch.name, kind: ch.kind, namespace: ch.namespace },
    seed,
    ...(source !== undefined ? { metrics: source } : {}),
    priorityLevels: levels,
  });
  if (problems.length > 0 || r.spec === undefined) throw new PlanCompileError([...problems, ...r.problems]);
  return r.spec;
}
