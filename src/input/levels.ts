/**
 * The APF priority levels a scenario's requests may use (the change's and
 * the operators'): the levels of spec.model.apf.levels, of every
 * clusterModels override that replaces them, and break-glass when
 * spec.operators.breakGlass adds it.
 *
 * @example
 *   checkPriorityLevel(ctx, 'workload-hgh', ['spec', 'change', 'priorityLevel'], 'service account default/agent', false);
 *   // problem: "priority level `workload-hgh` is not defined in model.apf.levels", fix: "did you mean `workload-high`?"
 */
import type { ModelConfig } from '../model/model-schema.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { nearest } from './validate.ts';
import type { Path } from './yaml.ts';

/** The priority level operators.breakGlass adds. */
export const BREAK_GLASS = 'break-glass';

/**
 * Reports `level` when a request of `who` could not use it: not defined in
 * the scenario's model, or in the levels of a clusterModels override.
 * `defaulted`: the level was not written but is the default for `who`.
 */
export function checkPriorityLevel(ctx: ScenarioContext, level: string, path: Path, who: string, defaulted: boolean): void {
  const breakGlass = ctx.breakGlass;
  const check = (model: ModelConfig, where: Path, scope: string): boolean => {
    const names = model.apf.levels.map((l) => l.name);
    if (names.includes(level) || (breakGlass && level === BREAK_GLASS)) return true;
    const near = nearest(level, names);
    const how = defaulted ? ` (the default for ${who})` : '';
    const glass = level === BREAK_GLASS && !breakGlass ? '; break-glass exists only with spec.operators.breakGlass' : '';
    ctx.add(where, `priority level \`${level}\`${how} is not defined${scope}${glass}`, near !== undefined ? `did you mean \`${near}\`?` : `defined levels: ${names.join(', ')}`);
    return false;
  };
  if (!check(ctx.model, path, ' in model.apf.levels')) return;
  ctx.clusterModels.forEach((cm, i) => {
    if (cm.model.apf.levels !== ctx.model.apf.levels) check(cm.model, ['spec', 'clusterModels', i, 'model', 'apf', 'levels'], ` in these levels, used by ${who}`);
  });
}
