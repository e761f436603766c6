/**
 * Waves and applies: the rollout starts, enters each wave (or waits for its
 * approval), starts the wave's clusters up to its concurrency — each with a
 * pre-change snapshot of itself and its baseline clusters — and applies
 * their node batches one after the other, retrying failed applies with
 * backoff within the API budget. A batch whose bake passed with every gate
 * green moves on to the next; a wave whose clusters are all done bakes, then
 * the next wave starts; after the last one the rollout is complete.
 *
 * @example
 *   onStart(draft); // enters wave 1: a snapshot command for its first cluster
 */
import { chooseBaselines } from './baselines.ts';
import type { Draft } from './draft.ts';
import type { RolloutEvent } from './events.ts';
import { beginClusterRollback, beginHalt, issueDelete } from './rollback.ts';
import { ACTIVE_PHASES, isTerminal } from './state.ts';

export function onStart(draft: Draft): void {
  if (draft.state.phase !== 'pending') return;
  draft.state.startedAt = draft.at;
  draft.notify('info', null, `rollout ${draft.spec.name} started: ${draft.spec.clusters.length} clusters in ${draft.spec.waves.length} waves`);
  if (draft.spec.waves.length === 0) {
    complete(draft);
    return;
  }
  enterWave(draft, 0);
}

function enterWave(draft: Draft, waveIndex: number): void {
  draft.state.wave = waveIndex;
  draft.state.waveBakeUntil = null;
  const wave = draft.spec.waves[waveIndex];
  if (wave === undefined) {
    complete(draft);
    return;
  }
  if (wave.approval) {
    draft.state.phase = 'awaiting-approval';
    draft.state.awaitingSince = draft.at;
    draft.notify('warning', null, `wave ${waveIndex + 1} (${wave.name}, ${wave.clusters.length} clusters) waits for a manual approval`);
    return;
  }
  startWave(draft, waveIndex);
}

export function startWave(draft: Draft, waveIndex: number): void {
  const wave = draft.spec.waves[waveIndex];
  if (wave === undefined) return;
  draft.state.phase = 'running';
  draft.state.awaitingSince = null;
  draft.state.waveStartedAt = draft.at;
  draft.state.waveTimes = draft.state.waveTimes.map((times, k) => (k === waveIndex ? { startedAt: draft.at, endedAt: null } : times));
  draft.notify('info', null, `wave ${waveIndex + 1} (${wave.name}) started: ${wave.clusters.map((index) => draft.planned(index).name).join(', ')}`);
  fill(draft);
}

function complete(draft: Draft): void {
  draft.state.phase = 'completed';
  draft.state.completedAt = draft.at;
  draft.notify('info', null, `rollout ${draft.spec.name} completed: every wave passed its gates`);
}

/** Starts clusters of the current wave up to the wave's concurrency (running only). */
export function fill(draft: Draft): void {
  if (draft.state.phase !== 'running') return;
  const wave = draft.spec.waves[draft.state.wave];
  if (wave === undefined) return;
  let active = wave.clusters.filter((index) => ACTIVE_PHASES.includes(draft.cluster(index).phase)).length;
  for (const index of wave.clusters) {
    if (active >= wave.maxConcurrency) break;
    if (draft.cluster(index).phase !== 'pending') continue;
    startCluster(draft, index);
    active++;
  }
}

function startCluster(draft: Draft, index: number): void {
  const baselines = chooseBaselines(draft.spec.clusters, draft.clusters, index, draft.spec.evaluation.maxBaselineClusters);
  const name = draft.planned(index).name;
  draft.update(index, { phase: 'snapshot', baselines, startedAt: draft.at });
  draft.emit({ kind: 'snapshot', id: `snapshot:${name}`, cluster: name, baselines, fromMs: draft.at - draft.spec.evaluation.preWindowS * 1000, toMs: draft.at });
}

export function onSnapshot(draft: Draft, event: Extract<RolloutEvent, { kind: 'snapshot-result' }>): void {
  const index = draft.indexOf(event.cluster);
  if (index < 0 || draft.cluster(index).phase !== 'snapshot') return;
  draft.update(index, { levelsFrom: event.commandId, phase: 'applying', target: 0, attempts: 0 });
  // Paused meanwhile: the first batch waits for the resume.
  if (draft.state.phase === 'running') issueApply(draft, index);
  else draft.update(index, { phase: 'retry-wait', retryAt: draft.at });
}

function issueApply(draft: Draft, index: number): void {
  const cluster = draft.cluster(index);
  const planned = draft.planned(index);
  const batch = planned.batches[cluster.target];
  if (batch === undefined) return;
  if (!draft.spendToken(index)) {
    draft.update(index, { phase: 'retry-wait', retryAt: draft.tokenAt(index) });
    return;
  }
  draft.update(index, { phase: 'applying', applyPending: true, retryAt: null });
  draft.emit({
    kind: 'apply',
    id: `apply:${planned.name}:${cluster.target}:${cluster.attempts + 1}`,
    cluster: planned.name,
    batch: cluster.target,
    nodes: batch.nodes,
    nodeFraction: batch.fraction,
    identity: draft.spec.identity,
  });
}

export function onApplied(draft: Draft, event: Extract<RolloutEvent, { kind: 'apply-result' }>): void {
  const index = draft.indexOf(event.cluster);
  if (index < 0) return;
  const cluster = draft.update(index, { applyPending: false });
  const planned = draft.planned(index);
  if (cluster.phase === 'rolling-back' || cluster.phase === 'rolled-back' || draft.state.phase === 'rolling-back' || isTerminal(draft.state)) {
    // The rollout stopped while this apply was out: whatever it did must be undone.
    if (event.outcome.ok) {
      draft.update(index, { batch: Math.max(cluster.batch, event.batch), lastChangeAt: draft.at });
      if (cluster.phase !== 'rolling-back') beginClusterRollback(draft, index);
      if (isTerminal(draft.state)) draft.state.phase = 'rolling-back';
    }
    return;
  }
  if (cluster.phase !== 'applying') return;
  if (event.outcome.ok) {
    draft.update(index, { phase: 'rolling-out', batch: event.batch, attempts: 0, appliedAt: draft.at, readyAt: null, bakeUntil: null, lastChangeAt: draft.at, holdSince: null });
    return;
  }
  const attempts = cluster.attempts + 1;
  if (attempts >= draft.spec.budget.maxApplyAttempts) {
    draft.update(index, { attempts });
    beginHalt(draft, {
      at: draft.at,
      wave: draft.state.wave,
      cluster: planned.name,
      batch: event.batch,
      gate: null,
      result: null,
      by: 'apply-failed',
      message: `could not apply batch ${event.batch + 1} to ${planned.name} after ${attempts} attempts: ${event.outcome.reason}`,
    });
    return;
  }
  draft.update(index, { phase: 'retry-wait', attempts, retryAt: draft.at + draft.backoffMs(`apply:${planned.name}:${event.batch}`, attempts, event.outcome.retryAfterS) });
  draft.notify('warning', planned.name, `apply of batch ${event.batch + 1} failed (${event.outcome.reason}); retry ${attempts + 1} of ${draft.spec.budget.maxApplyAttempts}`);
}

/** Retries whose time has come (applies while running, deletes while rolling back), and new clusters within the concurrency. */
export function doDueWork(draft: Draft): void {
  draft.clusters.forEach((cluster, index) => {
    if (cluster.phase === 'retry-wait' && cluster.retryAt !== null && cluster.retryAt <= draft.at && draft.state.phase === 'running') issueApply(draft, index);
    const rollback = cluster.rollback;
    if (cluster.phase === 'rolling-back' && rollback !== null && !rollback.deletePending && !rollback.deleted && rollback.retryAt !== null && rollback.retryAt <= draft.at) issueDelete(draft, index);
  });
  fill(draft);
}

/**
 * After an evaluation: batches whose bake passed with every gate green (`clean`) move on; a wave whose
 * clusters are all done bakes, then the next wave starts (or the rollout completes).
 */
export function progress(draft: Draft, clean: ReadonlySet<number>): void {
  const wave = draft.spec.waves[draft.state.wave];
  if (wave === undefined) return;
  for (const index of wave.clusters) {
    const cluster = draft.cluster(index);
    if (cluster.phase !== 'baking' || cluster.bakeUntil === null || draft.at < cluster.bakeUntil || !clean.has(index)) continue;
    if (cluster.batch + 1 < draft.planned(index).batches.length) {
      draft.update(index, { phase: 'applying', target: cluster.batch + 1, attempts: 0 });
      issueApply(draft, index);
    } else {
      draft.update(index, { phase: 'done', doneAt: draft.at });
    }
  }
  if (!wave.clusters.every((index) => draft.cluster(index).phase === 'done')) return;
  if (draft.state.waveBakeUntil === null) {
    draft.state.waveBakeUntil = draft.at + wave.bakeS * 1000;
    return;
  }
  if (draft.at < draft.state.waveBakeUntil || !wave.clusters.every((index) => clean.has(index))) return;
  const waveIndex = draft.state.wave;
  draft.endWave();
  draft.notify('info', null, `wave ${waveIndex + 1} (${wave.name}) passed: ${wave.clusters.length} clusters changed, every gate green after the wave bake`);
  if (waveIndex + 1 >= draft.spec.waves.length) complete(draft);
  else enterWave(draft, waveIndex + 1);
}
