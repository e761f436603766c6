/**
 * What flows between the decision core and its shell: events (what
 * happened — the rollout started, a tick of the clock, a command's result, a
 * person's pause, approval or abort) and commands (what to do next — take a
 * pre-change snapshot, apply a node batch, evaluate gates, flip the kill
 * switch, delete the change, notify). Both are plain data, logged as JSON in
 * the rollout's state database (docs/orchestrator.md, "Persistence"): their
 * shape is part of the log format.
 *
 * @example
 *   const command: RolloutCommand = { kind: 'kill-switch', id: 'kill-switch:prod-a:1', cluster: 'prod-a' };
 *   const result: RolloutEvent = { kind: 'kill-switch-result', at, commandId: command.id, cluster: 'prod-a', outcome };
 */
import type { GateResult, Levels } from './gates.ts';
import type { Identity, TargetOutcome } from './ports.ts';
import type { RolloutState } from './state.ts';

export interface StatusResult {
  readonly ok: boolean;
  readonly reason: string;
  readonly present: boolean;
  readonly desired: number;
  readonly ready: number;
}

/**
 * Which gates to judge: all of them once a batch has settled; only the
 * critical ones before (the others cannot fail then); none while the change
 * is rolled back (only its status matters).
 */
export type GateScope = 'all' | 'critical' | 'none';

/** One cluster's evaluation, when it has something to report (a gate that did not pass, or a status read). */
export interface ClusterEvaluation {
  readonly cluster: string;
  readonly gates: GateScope;
  /** Gate results that are not a pass; `passed` counts the others. */
  readonly passed: number;
  readonly issues: readonly GateResult[];
  readonly status?: StatusResult;
}

export type RolloutEvent =
  | { readonly kind: 'start'; readonly at: number }
  | { readonly kind: 'tick'; readonly at: number }
  | { readonly kind: 'snapshot-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly canary: Levels; readonly baselines: Readonly<Record<string, Levels>> }
  | { readonly kind: 'apply-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly batch: number; readonly outcome: TargetOutcome }
  /** `clusters`: those with something to report; `clean`: judged, every gate passed, no status read. */
  | { readonly kind: 'evaluation'; readonly at: number; readonly commandId: string; readonly clusters: readonly ClusterEvaluation[]; readonly clean: readonly string[] }
  | { readonly kind: 'kill-switch-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly outcome: TargetOutcome }
  | { readonly kind: 'delete-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly breakGlass: boolean; readonly outcome: TargetOutcome }
  | { readonly kind: 'notified'; readonly at: number; readonly commandId: string }
  | { readonly kind: 'pause'; readonly at: number; readonly by: string; readonly reason: string }
  | { readonly kind: 'resume'; readonly at: number; readonly by: string }
  | { readonly kind: 'approve'; readonly at: number; readonly by: string; readonly wave: number | null }
  | { readonly kind: 'abort'; readonly at: number; readonly by: string; readonly reason: string };

/**
 * A cluster whose gates an evaluate command judges, with everything the
 * comparison with its baselines needs, so that the shell judges from the
 * command alone. The baselines and the levels before the change are named,
 * not repeated: they belong to the cluster's `snapshot` command (decided once
 * per cluster, which lists the baseline clusters) and its result (their
 * levels and the canary's). An evaluate command is logged every 15 s with
 * every cluster being changed, so repeating the baseline list in each made it
 * the largest command of the log (rollout-log/v2; v3 names the snapshot).
 */
export interface JudgedCluster {
  readonly cluster: string;
  /** Samples from this time on are compared (epoch ms): its batch's pods were ready then (before that: the batch's apply). */
  readonly compareFrom: number;
  /**
   * The snapshot command of this cluster: its baselines (the not-yet-changed
   * clusters nearest in size) are the clusters compared with, and its result
   * holds the levels before the change, the canary's and its baselines'. The
   * shell keeps the snapshot commands and results it recorded (rebuilt from
   * the log on resume); a snapshot never seen means no baseline and no level
   * before, which fails closed.
   */
  readonly snapshot: string | null;
}

export interface EvaluateTarget {
  readonly cluster: string;
  readonly gates: GateScope;
  /** With gates to judge: what the comparison needs. */
  readonly judged?: JudgedCluster;
  /** Read the change's status through the API, and as whom (absent: not this time, e.g. out of budget). */
  readonly status?: 'normal' | 'break-glass';
}

/** The clusters of an evaluate command, by what to do with them (compact: it is logged every 15 s). */
export interface EvaluatePlan {
  /** Judge every gate / only the critical gates. */
  readonly gates: { readonly all: readonly JudgedCluster[]; readonly critical: readonly JudgedCluster[] };
  /** Read the change's status as the ordinary / the break-glass identity. */
  readonly status: { readonly normal: readonly string[]; readonly breakGlass: readonly string[] };
}

/** An evaluate command's clusters one by one, in the order the command lists them (gates first, then status-only). */
export function evaluateTargets(command: EvaluatePlan): EvaluateTarget[] {
  const statusBy = new Map<string, 'normal' | 'break-glass'>();
  for (const name of command.status.normal) statusBy.set(name, 'normal');
  for (const name of command.status.breakGlass) statusBy.set(name, 'break-glass');
  const targets: EvaluateTarget[] = [];
  const seen = new Set<string>();
  const add = (cluster: string, gates: GateScope, judged?: JudgedCluster): void => {
    if (seen.has(cluster)) return;
    seen.add(cluster);
    const status = statusBy.get(cluster);
    targets.push({ cluster, gates, ...(judged !== undefined ? { judged } : {}), ...(status !== undefined ? { status } : {}) });
  };
  for (const judged of command.gates.all) add(judged.cluster, 'all', judged);
  for (const judged of command.gates.critical) add(judged.cluster, 'critical', judged);
  for (const name of statusBy.keys()) add(name, 'none');
  return targets;
}

export type Severity = 'info' | 'warning' | 'critical';

export type RolloutCommand =
  | { readonly kind: 'snapshot'; readonly id: string; readonly cluster: string; readonly baselines: readonly string[]; readonly fromMs: number; readonly toMs: number }
  | { readonly kind: 'apply'; readonly id: string; readonly cluster: string; readonly batch: number; readonly nodes: number; readonly nodeFraction: number; readonly identity: Identity }
  /** Judge gates over samples in [fromMs, at] (each judged cluster says against what), read statuses. */
  | ({ readonly kind: 'evaluate'; readonly id: string; readonly at: number; readonly fromMs: number } & EvaluatePlan)
  | { readonly kind: 'kill-switch'; readonly id: string; readonly cluster: string }
  | { readonly kind: 'delete'; readonly id: string; readonly cluster: string; readonly identity: Identity }
  | { readonly kind: 'notify'; readonly id: string; readonly severity: Severity; readonly cluster: string | null; readonly message: string };

/** What `decide` returns: the next state and the commands to carry out, in order. */
export interface Decision {
  readonly state: RolloutState;
  readonly commands: readonly RolloutCommand[];
}
