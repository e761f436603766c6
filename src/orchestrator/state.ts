/**
 * The rollout's state as the decision core keeps it: the rollout's phase,
 * wave and pause, and one record per cluster of the spec (its phase, batch,
 * retries, bake and hold times, API budget and rollback). State is never
 * stored: folding the logged events through `decide` rebuilds it exactly.
 *
 * Rollout phases: pending → running ⇄ awaiting-approval, running ⇄ paused,
 * running → completed; any live phase → rolling-back → halted (a gate
 * failed) or aborted (a person aborted). Cluster phases: pending → snapshot →
 * applying (⇄ retry-wait) → rolling-out → baking → applying (next batch) … →
 * done; any changed cluster → rolling-back → rolled-back (transitions.ts
 * lists every transition; docs/orchestrator.md draws both machines).
 *
 * @example
 *   const state = initialState(spec);
 *   state.clusters[0]?.phase; // 'pending'
 */
import type { RolloutSpec } from './compile.ts';
import type { GateResult } from './gates.ts';

export type RolloutPhase = 'pending' | 'running' | 'awaiting-approval' | 'paused' | 'rolling-back' | 'completed' | 'halted' | 'aborted';
export type ClusterPhase = 'pending' | 'snapshot' | 'applying' | 'retry-wait' | 'rolling-out' | 'baking' | 'done' | 'rolling-back' | 'rolled-back';

export const TERMINAL_PHASES: readonly RolloutPhase[] = ['completed', 'halted', 'aborted'];

/** Cluster phases that count against a wave's concurrency: the change is on its way in. */
export const ACTIVE_PHASES: readonly ClusterPhase[] = ['snapshot', 'applying', 'retry-wait', 'rolling-out', 'baking'];

/** The change's status in a cluster, as last read through its API. */
export interface StatusView {
  readonly at: number;
  readonly present: boolean;
  readonly desired: number;
  readonly ready: number;
}

export interface RollbackState {
  readonly startedAt: number;
  readonly killSwitched: boolean;
  readonly deleted: boolean;
  readonly attempts: number;
  readonly retryAt: number | null;
  /** Deletes go through the break-glass identity. */
  readonly breakGlass: boolean;
  readonly killAttempts: number;
  /** A delete command is out. */
  readonly deletePending: boolean;
  readonly killPending: boolean;
  readonly completedAt: number | null;
}

export interface ClusterState {
  readonly phase: ClusterPhase;
  /** Last batch applied (0-based), -1 before the first. */
  readonly batch: number;
  /** Batch being applied (applying, retry-wait). */
  readonly target: number;
  readonly attempts: number;
  readonly retryAt: number | null;
  /** An apply command is out. */
  readonly applyPending: boolean;
  /** When the first batch was started: the end of the pre-change window. */
  readonly startedAt: number | null;
  readonly appliedAt: number | null;
  readonly readyAt: number | null;
  readonly bakeUntil: number | null;
  readonly holdSince: number | null;
  readonly lastChangeAt: number | null;
  readonly doneAt: number | null;
  readonly baselines: readonly string[];
  /** The snapshot command whose result delivered the levels before the change (the canary's and its baselines'). */
  readonly levelsFrom: string | null;
  readonly status: StatusView | null;
  /** Gate issues at the last evaluation (failing, holding or missing), for status displays. */
  readonly issues: readonly GateResult[];
  /** When its gates were last asked for. */
  readonly evaluatedAt: number | null;
  /** API budget: tokens left at `tokensAt`. */
  readonly tokens: number;
  readonly tokensAt: number;
  readonly rollback: RollbackState | null;
}

export interface HaltInfo {
  readonly at: number;
  /** 0-based wave index. */
  readonly wave: number;
  readonly cluster: string | null;
  /** Batch (0-based) the cluster was at. */
  readonly batch: number | null;
  readonly gate: string | null;
  readonly result: GateResult | null;
  readonly message: string;
  readonly by: 'gate' | 'person' | 'missing-data' | 'apply-failed' | 'rollout-stuck';
}

/** Start and end of a wave, for reports. */
export interface WaveTimes {
  readonly startedAt: number | null;
  readonly endedAt: number | null;
}

export interface RolloutState {
  readonly phase: RolloutPhase;
  readonly now: number;
  readonly startedAt: number | null;
  /** Current wave (0-based), -1 before the start. */
  readonly wave: number;
  readonly waveStartedAt: number | null;
  readonly waveBakeUntil: number | null;
  /** Wave start and end times, for reports. */
  readonly waveTimes: readonly WaveTimes[];
  readonly awaitingSince: number | null;
  readonly pausedFrom: RolloutPhase | null;
  readonly pauseReason: string | null;
  /** Who paused the rollout ('firebreak' for its own pauses) and when; null unless paused. */
  readonly pausedBy: string | null;
  readonly pausedAt: number | null;
  readonly lastEvalAt: number | null;
  readonly evalPending: boolean;
  readonly clusters: readonly ClusterState[];
  readonly halt: HaltInfo | null;
  readonly rollbackCompletedAt: number | null;
  readonly completedAt: number | null;
  /** Events decided so far. */
  readonly decisions: number;
}

export function initialState(spec: RolloutSpec): RolloutState {
  return {
    phase: 'pending',
    now: 0,
    startedAt: null,
    wave: -1,
    waveStartedAt: null,
    waveBakeUntil: null,
    waveTimes: spec.waves.map(() => ({ startedAt: null, endedAt: null })),
    awaitingSince: null,
    pausedFrom: null,
    pauseReason: null,
    pausedBy: null,
    pausedAt: null,
    lastEvalAt: null,
    evalPending: false,
    clusters: spec.clusters.map(() => ({
      phase: 'pending',
      batch: -1,
      target: 0,
      attempts: 0,
      retryAt: null,
      applyPending: false,
      startedAt: null,
      appliedAt: null,
      readyAt: null,
      bakeUntil: null,
      holdSince: null,
      lastChangeAt: null,
      doneAt: null,
      baselines: [],
      levelsFrom: null,
      status: null,
      issues: [],
      evaluatedAt: null,
      tokens: spec.budget.burst,
      tokensAt: Number.NEGATIVE_INFINITY,
      rollback: null,
    })),
    halt: null,
    rollbackCompletedAt: null,
    completedAt: null,
    decisions: 0,
  };
}

export function isTerminal(state: RolloutState): boolean {
  return TERMINAL_PHASES.includes(state.phase);
}
