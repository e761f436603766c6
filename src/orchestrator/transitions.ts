/**
 * The two state machines of the decision core as data: every transition of
 * the rollout's phase and of a cluster's phase that `decide` makes.
 * docs/orchestrator.md draws them; the core's tests check that every listed
 * transition is exercised and that no other one happens.
 *
 * @example
 *   ROLLOUT_TRANSITIONS.some(([from, to]) => from === 'running' && to === 'paused'); // true
 */
import type { ClusterPhase, RolloutPhase } from './state.ts';

/** Every transition of the rollout's phase that `decide` makes. */
export const ROLLOUT_TRANSITIONS: readonly (readonly [RolloutPhase, RolloutPhase])[] = [
  ['pending', 'running'],
  ['pending', 'awaiting-approval'],
  ['running', 'awaiting-approval'],
  ['awaiting-approval', 'running'],
  ['running', 'paused'],
  ['awaiting-approval', 'paused'],
  ['paused', 'running'],
  ['paused', 'awaiting-approval'],
  ['running', 'completed'],
  ['running', 'rolling-back'],
  ['paused', 'rolling-back'],
  ['awaiting-approval', 'rolling-back'],
  ['pending', 'aborted'],
  ['running', 'aborted'],
  ['paused', 'aborted'],
  ['awaiting-approval', 'aborted'],
  ['running', 'halted'],
  ['rolling-back', 'halted'],
  ['rolling-back', 'aborted'],
];

/** Every transition of a cluster's phase that `decide` makes. */
export const CLUSTER_TRANSITIONS: readonly (readonly [ClusterPhase, ClusterPhase])[] = [
  ['pending', 'snapshot'],
  ['snapshot', 'applying'],
  ['snapshot', 'retry-wait'],
  ['snapshot', 'pending'],
  ['applying', 'rolling-out'],
  ['applying', 'retry-wait'],
  ['applying', 'pending'],
  ['retry-wait', 'applying'],
  ['retry-wait', 'pending'],
  ['rolling-out', 'baking'],
  ['baking', 'applying'],
  ['baking', 'retry-wait'],
  ['baking', 'done'],
  ['applying', 'rolling-back'],
  ['retry-wait', 'rolling-back'],
  ['rolling-out', 'rolling-back'],
  ['baking', 'rolling-back'],
  ['done', 'rolling-back'],
  ['rolling-back', 'rolled-back'],
];
