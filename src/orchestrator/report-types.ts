/**
 * The rehearsal result (`firebreak rehearse --json`), schema version
 * `firebreak.dev/rehearsal/v1`. Times are ISO 8601 with the scenario's UTC
 * offset; `null` means "never". Fields are only added within a version.
 * Definitions: docs/orchestrator.md, "Rehearsal output".
 */
import type { FleetReport } from '../twin/index.ts';
import type { UnavailableGate } from './compile.ts';
import type { RolloutPhase } from './core.ts';
import type { GateResult } from './gates.ts';

export const REHEARSAL_SCHEMA_VERSION = 'firebreak.dev/rehearsal/v1';

export type RehearsalOutcome = 'completed' | 'halted' | 'aborted' | 'incomplete';

export interface WaveReport {
  /** 1-based. */
  readonly wave: number;
  readonly name: string;
  readonly clusters: readonly string[];
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly outcome: 'completed' | 'halted' | 'in-progress' | 'not-started';
}

export interface HaltReason {
  /** What stopped the rollout: a gate, missing data (fail closed), an apply that kept failing, a person. */
  readonly by: 'gate' | 'person' | 'missing-data' | 'apply-failed' | 'rollout-stuck';
  readonly gate: string | null;
  readonly cluster: string | null;
  /** 1-based, like the waves. */
  readonly wave: number;
  readonly batch: number | null;
  readonly message: string;
  /** The gate's figures (value, threshold, baseline, effect, p-value…). */
  readonly figures: GateResult | null;
}

/** Why a rehearsal ended with the rollout neither completed nor stopped, and what moves it on. */
export interface IncompleteReason {
  /** Where the rollout stood when the run ended: paused, awaiting-approval, running or pending. */
  readonly phase: RolloutPhase;
  /** Since when: the pause, the wait for an approval, the current wave's start. */
  readonly since: string | null;
  /** Who paused it (`firebreak` for its own pauses); null unless paused. */
  readonly by: string | null;
  /** The pause's reason; null unless paused. */
  readonly reason: string | null;
  /** 1-based: the wave waiting for an approval, or running. */
  readonly wave: number | null;
  /** What moves it on: `firebreak rollout resume` or `approve` and the same rehearsal run again; null: nothing but a longer scenario. */
  readonly next: 'resume' | 'approve' | null;
  readonly message: string;
}

export interface ApplyRecord {
  readonly cluster: string;
  readonly wave: number;
  /** 1-based. */
  readonly batch: number;
  readonly nodes: number;
  readonly at: string;
}

export interface RehearsalResult {
  readonly schemaVersion: typeof REHEARSAL_SCHEMA_VERSION;
  readonly plan: string;
  readonly scenario: string;
  readonly seed: number;
  readonly outcome: RehearsalOutcome;
  /** The decision core's phase at the end of the run. */
  readonly phase: RolloutPhase;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly haltedAt: string | null;
  readonly haltedInWave: number | null;
  readonly haltReason: HaltReason | null;
  /** Outcome `incomplete`: why, and what moves it on; null otherwise. */
  readonly incomplete: IncompleteReason | null;
  /** First control-plane SLO breach in a changed cluster (after its change). */
  readonly firstSloBreachAt: string | null;
  readonly firstSloBreach: { readonly cluster: string; readonly slo: string; readonly value: number } | null;
  /** First SLO breach → halt decision, seconds; 0 when the halt came before any breach; null without a halt. */
  readonly detectionSeconds: number | null;
  readonly clustersChanged: number;
  /** Clusters whose data plane had customer impact (≥ 1 % errors in a minute). */
  readonly clustersImpacted: number;
  readonly impactedClusters: readonly string[];
  readonly rollbackCompletedAt: string | null;
  /** Halt decision → rollback complete, seconds. */
  readonly rollbackSeconds: number | null;
  /** Highest share, over clusters and minutes, of a cluster's API requests that were the orchestrator's. */
  readonly orchestratorApiShare: number;
  readonly orchestratorApi: {
    readonly requests: number;
    readonly breakGlassRequests: number;
    readonly peakCluster: string | null;
    readonly peakAt: string | null;
    readonly budget: { readonly qps: number; readonly burst: number };
  };
  readonly waves: readonly WaveReport[];
  readonly applies: readonly ApplyRecord[];
  readonly gatesUnavailable: readonly UnavailableGate[];
  /** The twin's fleet block for the rehearsal (docs/report-format.md). */
  readonly fleet: FleetReport;
  /** With --compare: the fleet block of the scenario's own naive pipeline. */
  readonly baseline?: FleetReport;
}
