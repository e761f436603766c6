/**
 * The decision core: `decide(spec, state, event) → { state, commands }`, a
 * pure function. Events are what happened (the rollout started, a tick of
 * the clock, a command's result, a person's pause, approval or abort);
 * commands are what to do next (take a pre-change snapshot, apply a node
 * batch, evaluate gates, flip the kill switch, delete the change, notify).
 * The shell persists every event and command before acting on them and
 * executes the commands; replaying the events through `decide` rebuilds the
 * state exactly, which is how a restarted orchestrator resumes.
 *
 * Nothing here reads a clock: every event carries its time (`at`, epoch ms),
 * and `nextWake` says when the shell should deliver the next tick. Jitter
 * comes from a seeded Random keyed by what is being retried, so it needs no
 * state.
 *
 * The core's rooms, one concept each: state.ts (the state and its phases),
 * events.ts (events and commands), draft.ts (the working copy a decision
 * edits, the API budget, backoff), applies.ts (waves and applies),
 * evaluation.ts (gates and status reads), rollback.ts (halt and rollback),
 * people.ts (pauses, resumes, approvals, aborts), wake.ts (ticks),
 * transitions.ts (both state machines as data). This file is their entry.
 *
 * @example
 *   let state = initialState(spec);
 *   ({ state, commands } = decide(spec, state, { kind: 'start', at: t0 }));
 *   // commands: [{ kind: 'snapshot', cluster: 'ap-south-07', … }]
 */
import { onApplied, onSnapshot, onStart } from './applies.ts';
import type { RolloutSpec } from './compile.ts';
import { Draft } from './draft.ts';
import { onEvaluation } from './evaluation.ts';
import type { Decision, RolloutEvent } from './events.ts';
import { onAbort, onApprove, onPause, onResume } from './people.ts';
import { onDeleted, onKillSwitched } from './rollback.ts';
import type { RolloutState } from './state.ts';
import { onTick } from './wake.ts';

export { evaluateTargets } from './events.ts';
export type { ClusterEvaluation, Decision, EvaluatePlan, EvaluateTarget, GateScope, JudgedCluster, RolloutCommand, RolloutEvent, Severity, StatusResult } from './events.ts';
export { initialState, isTerminal, TERMINAL_PHASES } from './state.ts';
export type { ClusterPhase, ClusterState, HaltInfo, RollbackState, RolloutPhase, RolloutState, StatusView, WaveTimes } from './state.ts';
export { CLUSTER_TRANSITIONS, ROLLOUT_TRANSITIONS } from './transitions.ts';
export { nextWake } from './wake.ts';

/** The decision core. Pure: the same spec, state and event give the same result. */
export function decide(spec: RolloutSpec, state: RolloutState, event: RolloutEvent): Decision {
  const draft = new Draft(spec, state, event.at);
  switch (event.kind) {
    case 'start':
      onStart(draft);
      break;
    case 'tick':
      onTick(draft);
      break;
    case 'snapshot-result':
      onSnapshot(draft, event);
      break;
    case 'apply-result':
      onApplied(draft, event);
      break;
    case 'evaluation':
      onEvaluation(draft, event);
      break;
    case 'kill-switch-result':
      onKillSwitched(draft, event);
      break;
    case 'delete-result':
      onDeleted(draft, event);
      break;
    case 'notified':
      break;
    case 'pause':
      onPause(draft, event.by, event.reason);
      break;
    case 'resume':
      onResume(draft, event.by);
      break;
    case 'approve':
      onApprove(draft, event.by, event.wave);
      break;
    case 'abort':
      onAbort(draft, event.by, event.reason);
      break;
  }
  return draft.finish();
}
