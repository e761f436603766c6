/**
 * When the core wants to be woken, and what a wake-up does. The core reads
 * no clock: `nextWake` tells the shell when to deliver the next tick (the
 * next evaluation, a retry whose backoff ends), and a tick evaluates the
 * gates when an evaluation is due, else carries out the retries whose time
 * has come and starts clusters within the wave's concurrency.
 *
 * @example
 *   const wake = nextWake(spec, state); // epoch ms, or null: only a person or a result moves it
 *   if (wake !== null && wake <= now) decide(spec, state, { kind: 'tick', at: now });
 */
import { doDueWork } from './applies.ts';
import type { RolloutSpec } from './compile.ts';
import type { Draft } from './draft.ts';
import { issueEvaluate } from './evaluation.ts';
import { isTerminal, type RolloutState } from './state.ts';

/** When the shell should deliver the next tick (epoch ms), or null when only a person or a result can move the rollout. */
export function nextWake(spec: RolloutSpec, state: RolloutState): number | null {
  if (state.phase === 'pending' || isTerminal(state)) return null;
  let next = Number.POSITIVE_INFINITY;
  const every = spec.evaluation.everyS * 1000;
  let evaluate = false;
  state.clusters.forEach((cluster, index) => {
    const planned = spec.clusters[index];
    if (planned === undefined) return;
    if (cluster.phase === 'rolling-back') {
      evaluate = true;
      const rollback = cluster.rollback;
      if (rollback !== null && !rollback.deletePending && !rollback.deleted && rollback.retryAt !== null) next = Math.min(next, rollback.retryAt);
    } else if (planned.wave === state.wave && cluster.batch >= 0 && cluster.phase !== 'rolled-back') {
      evaluate = true;
    }
    // Applies are retried only while running (a pause holds them until the resume).
    if (cluster.phase === 'retry-wait' && cluster.retryAt !== null && state.phase === 'running') next = Math.min(next, cluster.retryAt);
  });
  if (evaluate) next = Math.min(next, state.lastEvalAt === null ? state.now : state.lastEvalAt + every);
  return Number.isFinite(next) ? next : null;
}

export function onTick(draft: Draft): void {
  if (isTerminal(draft.state) || draft.state.phase === 'pending') return;
  const every = draft.spec.evaluation.everyS * 1000;
  const due = draft.state.lastEvalAt === null || draft.at >= draft.state.lastEvalAt + every;
  if (due && !draft.state.evalPending && issueEvaluate(draft)) return;
  doDueWork(draft);
}
