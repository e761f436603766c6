/**
 * The break-glass endpoint the twin offers in a rehearsal when the plan's
 * rollback may use one (the plan itself is compiled once, in
 * src/input/rollout-spec.ts).
 *
 * @example
 *   const glass = rehearsalBreakGlass(spec.rollback); // { seats: 50 } or undefined
 */
import type { RollbackPolicy } from '../orchestrator/plan.ts';

/** The break-glass endpoint the twin offers when the plan may use one. */
export function rehearsalBreakGlass(rollback: RollbackPolicy): { readonly seats: number } | undefined {
  return rollback.breakGlass === 'never' ? undefined : { seats: rollback.breakGlassSeats };
}
