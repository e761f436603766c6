/**
 * Evaluation: every `evaluation.every` the core asks the shell to judge the
 * gates of the clusters the current wave is changing (every gate once a
 * batch has settled, the critical ones before) and to read the change's
 * status where it is needed (while a batch's pods start, after, and while the
 * change is rolled back), within each cluster's API budget. The result
 * decides: a batch whose pods are ready starts baking; a failed gate halts
 * the rollout; missing data halts or pauses it by the plan; a hold that lasts
 * pauses it; clusters whose gates all passed may move on.
 *
 * @example
 *   if (issueEvaluate(draft)) draft.commands.at(-1)?.kind; // 'evaluate'
 */
import { doDueWork, progress } from './applies.ts';
import type { Draft } from './draft.ts';
import type { ClusterEvaluation, JudgedCluster, RolloutEvent } from './events.ts';
import { describeResult } from './gates.ts';
import { pause } from './people.ts';
import { beginHalt, checkRolledBack } from './rollback.ts';
import type { ClusterState, HaltInfo } from './state.ts';

const STATUS_ROLLING_OUT_MS = 30_000;
const STATUS_SETTLED_MS = 60_000;

/** A cluster done with its batches, waiting for the rest of its wave, is evaluated this often (every time during the wave bake). */
const DONE_EVAL_MS = 60_000;

/** Clusters the next evaluation looks at, in plan order (a plain loop: it runs over the whole fleet every 15 s). */
function evaluationTargets(draft: Draft): number[] {
  const targets: number[] = [];
  const clusters = draft.clusters;
  const planned = draft.spec.clusters;
  const wave = draft.state.wave;
  for (let index = 0; index < clusters.length; index++) {
    const cluster = clusters[index] as ClusterState;
    if (cluster.phase === 'rolling-back') targets.push(index);
    else if (planned[index]?.wave === wave && cluster.batch >= 0 && cluster.phase !== 'rolled-back') {
      const waiting = cluster.phase === 'done' && draft.state.waveBakeUntil === null && cluster.evaluatedAt !== null && draft.at - cluster.evaluatedAt < DONE_EVAL_MS;
      if (!waiting) targets.push(index);
    }
  }
  return targets;
}

/** Issues an evaluate command for the clusters that need one; false when none does. */
export function issueEvaluate(draft: Draft): boolean {
  const targets = evaluationTargets(draft);
  if (targets.length === 0) return false;
  const policy = draft.spec.evaluation;
  const all: JudgedCluster[] = [];
  const critical: JudgedCluster[] = [];
  const normal: string[] = [];
  const breakGlass: string[] = [];
  for (const index of targets) {
    const cluster = draft.cluster(index);
    const planned = draft.planned(index);
    const rollingBack = cluster.phase === 'rolling-back';
    // Status reads cost API budget: at every evaluation while the change is rolled back, every 30 s
    // while a batch's pods start, once a minute after.
    const age = cluster.status === null ? Number.POSITIVE_INFINITY : draft.at - cluster.status.at;
    const wantStatus =
      rollingBack ||
      (cluster.phase === 'rolling-out' && age >= STATUS_ROLLING_OUT_MS) ||
      (draft.state.wave === planned.wave && (cluster.phase === 'baking' || cluster.phase === 'done') && age >= STATUS_SETTLED_MS);
    if (wantStatus && draft.spendToken(index)) (rollingBack && cluster.rollback?.breakGlass === true ? breakGlass : normal).push(planned.name);
    if (rollingBack) continue;
    draft.update(index, { evaluatedAt: draft.at });
    const judged: JudgedCluster = {
      cluster: planned.name,
      compareFrom: cluster.readyAt ?? cluster.appliedAt ?? cluster.startedAt ?? draft.at,
      snapshot: cluster.levelsFrom,
    };
    (settled(draft, cluster) ? all : critical).push(judged);
  }
  draft.state.lastEvalAt = draft.at;
  draft.state.evalPending = true;
  draft.emit({ kind: 'evaluate', id: `evaluate:${draft.at}`, at: draft.at, fromMs: draft.at - policy.windowS * 1000, gates: { all, critical }, status: { normal, breakGlass } });
  return true;
}

/** A batch has settled: its pods are ready and the settle time has passed; every gate may fail now. */
function settled(draft: Draft, cluster: ClusterState): boolean {
  return (cluster.phase === 'baking' || cluster.phase === 'done') && cluster.readyAt !== null && draft.at >= cluster.readyAt + draft.spec.evaluation.settleS * 1000;
}

export function onEvaluation(draft: Draft, event: Extract<RolloutEvent, { kind: 'evaluation' }>): void {
  draft.state.evalPending = false;
  const policy = draft.spec.evaluation;
  let failure: HaltInfo | null = null;
  let missing: HaltInfo | null = null;
  let stuck: string | null = null;
  const clean = new Set<number>();
  // In plan order, so that "the first failure" does not depend on how the result lists clusters.
  const reports = [...event.clusters, ...event.clean.map((cluster): ClusterEvaluation => ({ cluster, gates: 'critical', passed: 0, issues: [] }))]
    .map((report) => ({ report, index: draft.indexOf(report.cluster) }))
    .filter((entry) => entry.index >= 0)
    .sort((a, b) => a.index - b.index);
  for (const { report, index } of reports) {
    let cluster = draft.cluster(index);
    const planned = draft.planned(index);
    const status = report.status ?? null;
    if (status !== null && status.ok) cluster = draft.update(index, { status: { at: draft.at, present: status.present, desired: status.desired, ready: status.ready } });
    if (cluster.phase === 'rolling-back') {
      checkRolledBack(draft, index, status);
      continue;
    }
    if (report.gates === 'none') continue;
    draft.update(index, { issues: report.issues });
    const inWave = planned.wave === draft.state.wave;
    // The change's own gate: pods of the batch ready, within the progress deadline.
    if (cluster.phase === 'rolling-out' && status !== null && status.ok) {
      const want = planned.batches[cluster.batch]?.nodes ?? 0;
      if (status.desired >= want && status.ready >= status.desired) {
        cluster = draft.update(index, { phase: 'baking', readyAt: draft.at, bakeUntil: draft.at + draft.spec.batchBakeS * 1000 });
      }
    }
    if (cluster.phase === 'rolling-out' && cluster.appliedAt !== null && draft.at - cluster.appliedAt > policy.progressDeadlineS * 1000 && failure === null) {
      const last = cluster.status;
      failure = {
        at: draft.at,
        wave: draft.state.wave,
        cluster: planned.name,
        batch: cluster.batch,
        gate: 'change-rollout',
        result: null,
        by: 'gate',
        message: `change-rollout on ${planned.name}: batch ${cluster.batch + 1} is not ready after ${Math.round(policy.progressDeadlineS / 60)} min (${last === null ? 'no status' : `${Math.floor(last.ready)} of ${Math.round(last.desired)} pods ready`})`,
      };
    }
    const isSettled = settled(draft, cluster);
    // Critical gates first, then the plan's order.
    const fails = report.issues.filter((result) => result.verdict === 'fail' && (result.critical || isSettled)).sort((a, b) => Number(b.critical) - Number(a.critical));
    const first = fails[0];
    if (first !== undefined && failure === null) {
      failure = { at: draft.at, wave: draft.state.wave, cluster: planned.name, batch: cluster.batch, gate: first.gate, result: first, by: 'gate', message: describeResult(planned.name, first) };
    }
    const nodata = report.issues.find((result) => result.verdict === 'nodata');
    if (nodata !== undefined && policy.missingData !== 'ignore' && missing === null) {
      missing = { at: draft.at, wave: draft.state.wave, cluster: planned.name, batch: cluster.batch, gate: nodata.gate, result: nodata, by: 'missing-data', message: `${describeResult(planned.name, nodata)} (metrics fail closed)` };
    }
    const soft = report.issues.some((result) => result.verdict === 'hold' || (result.verdict === 'fail' && !result.critical && !isSettled));
    if (soft) {
      const since = cluster.holdSince ?? draft.at;
      if (cluster.holdSince === null) {
        const why = report.issues.find((result) => result.verdict === 'hold') ?? report.issues.find((result) => result.verdict === 'fail');
        if (why !== undefined) draft.notify('warning', planned.name, `hold: ${describeResult(planned.name, why)}`);
      }
      draft.update(index, { holdSince: since });
      if (draft.at - since > policy.maxHoldS * 1000 && stuck === null) {
        const issues = report.issues.filter((result) => result.verdict !== 'pass').map((result) => describeResult(planned.name, result));
        stuck = `${planned.name} has held for over ${Math.round(policy.maxHoldS / 60)} min: ${issues.join('; ')}`;
      }
    } else {
      draft.update(index, { holdSince: null });
      const warming = report.issues.some((result) => result.verdict === 'wait');
      if (inWave && (nodata === undefined || policy.missingData === 'ignore') && first === undefined && !warming) clean.add(index);
    }
  }
  if (draft.state.phase === 'rolling-back') {
    doDueWork(draft);
    return;
  }
  if (failure !== null) {
    beginHalt(draft, failure);
    return;
  }
  if (missing !== null && policy.missingData === 'halt') {
    beginHalt(draft, missing);
    return;
  }
  if (missing !== null && draft.state.phase !== 'paused') {
    pause(draft, 'firebreak', missing.message);
    return;
  }
  if (stuck !== null && draft.state.phase === 'running') {
    pause(draft, 'firebreak', stuck);
    return;
  }
  if (draft.state.phase === 'running') progress(draft, clean);
  doDueWork(draft);
}
