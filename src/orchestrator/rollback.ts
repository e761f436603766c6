/**
 * Halting and rolling back: a halt (a failed gate, missing data, applies that
 * keep failing, a person's abort) stops the waves and rolls back every
 * cluster the change reached, newest first. Each cluster's delete goes
 * through the ordinary identity (spending its API budget) or, by the plan's
 * `rollback.breakGlass`, through the break-glass identity; the out-of-band
 * kill switch is flipped by `rollback.killSwitch`. A cluster is rolled back
 * once a status read shows the change deleted and none of its pods running;
 * when every one is, the rollout is halted (or aborted, after a person's
 * abort).
 *
 * @example
 *   beginHalt(draft, { at: draft.at, wave: 0, cluster: 'prod-a', batch: 0, gate: 'etcd-latency', result, by: 'gate', message });
 *   draft.commands; // [notify, delete prod-a …]
 */
import type { Draft } from './draft.ts';
import type { RolloutEvent, StatusResult } from './events.ts';
import { ACTIVE_PHASES, isTerminal, type HaltInfo } from './state.ts';

/** Stops the rollout and starts rolling back every cluster the change reached (once). */
export function beginHalt(draft: Draft, info: HaltInfo): void {
  if (draft.state.halt !== null || isTerminal(draft.state)) return;
  draft.state.halt = info;
  draft.state.phase = 'rolling-back';
  draft.endWave();
  // Every cluster the change reached (or may have: an apply is out), newest first.
  const reached = draft.clusters
    .map((cluster, index) => ({ cluster, index }))
    .filter(({ cluster }) => cluster.batch >= 0 || cluster.applyPending)
    .sort((a, b) => (b.cluster.lastChangeAt ?? draft.at) - (a.cluster.lastChangeAt ?? draft.at) || b.index - a.index)
    .map(({ index }) => index);
  for (const index of draft.clusters.keys()) {
    const cluster = draft.cluster(index);
    if (!reached.includes(index) && ACTIVE_PHASES.includes(cluster.phase)) draft.update(index, { phase: 'pending', retryAt: null });
  }
  const verb = info.by === 'person' ? 'abort' : 'halt';
  const names = reached.length > 0 ? `: ${reached.map((index) => draft.planned(index).name).join(', ')}` : '';
  draft.notify('critical', info.cluster, `${verb}: ${info.message}; rolling back ${reached.length} cluster(s) newest first${names}`);
  for (const index of reached) beginClusterRollback(draft, index);
  if (reached.length === 0) finishRollback(draft);
}

export function beginClusterRollback(draft: Draft, index: number): void {
  const policy = draft.spec.rollback;
  draft.update(index, {
    phase: 'rolling-back',
    retryAt: null,
    rollback: { startedAt: draft.at, killSwitched: false, deleted: false, attempts: 0, retryAt: null, breakGlass: policy.breakGlass === 'always', killAttempts: 0, deletePending: false, killPending: false, completedAt: null },
  });
  if (policy.killSwitch === 'always') issueKillSwitch(draft, index);
  issueDelete(draft, index);
}

function issueKillSwitch(draft: Draft, index: number): void {
  const name = draft.planned(index).name;
  const rollback = draft.cluster(index).rollback;
  if (rollback === null || rollback.killSwitched || rollback.killPending) return;
  draft.update(index, { rollback: { ...rollback, killPending: true, killAttempts: rollback.killAttempts + 1 } });
  draft.emit({ kind: 'kill-switch', id: `kill-switch:${name}:${rollback.killAttempts + 1}`, cluster: name });
}

/** Deletes the change from the cluster, unless it is deleted or a delete is out; waits for a budget token when needed. */
export function issueDelete(draft: Draft, index: number): void {
  const rollback = draft.cluster(index).rollback;
  if (rollback === null || rollback.deleted || rollback.deletePending) return;
  // Break-glass requests go to their protected endpoint; the ordinary identity spends the budget.
  if (!rollback.breakGlass && !draft.spendToken(index)) {
    draft.update(index, { rollback: { ...rollback, retryAt: draft.tokenAt(index) } });
    return;
  }
  const name = draft.planned(index).name;
  draft.update(index, { rollback: { ...rollback, deletePending: true, retryAt: null } });
  draft.emit({ kind: 'delete', id: `delete:${name}:${rollback.attempts + 1}`, cluster: name, identity: rollback.breakGlass ? draft.spec.breakGlass : draft.spec.identity });
}

export function onKillSwitched(draft: Draft, event: Extract<RolloutEvent, { kind: 'kill-switch-result' }>): void {
  const index = draft.indexOf(event.cluster);
  const rollback = index < 0 ? null : draft.cluster(index).rollback;
  if (rollback === null) return;
  draft.update(index, { rollback: { ...rollback, killPending: false, killSwitched: event.outcome.ok || rollback.killSwitched } });
  draft.notify(event.outcome.ok ? 'info' : 'warning', event.cluster, event.outcome.ok ? 'kill switch: the agents were told to stop (out of band)' : `kill switch failed: ${event.outcome.reason}`);
}

export function onDeleted(draft: Draft, event: Extract<RolloutEvent, { kind: 'delete-result' }>): void {
  const index = draft.indexOf(event.cluster);
  const rollback = index < 0 ? null : draft.cluster(index).rollback;
  if (rollback === null) return;
  const policy = draft.spec.rollback;
  const via = event.breakGlass ? 'the break-glass identity' : 'the ordinary identity';
  if (event.outcome.ok) {
    draft.update(index, { rollback: { ...rollback, deletePending: false, deleted: true } });
    draft.notify('info', event.cluster, `deleted ${draft.spec.change.kind} ${draft.spec.change.name} through ${via} (${event.outcome.reason})`);
    return;
  }
  const attempts = rollback.attempts + 1;
  const retryAt = draft.at + draft.backoffMs(`delete:${event.cluster}`, attempts, event.outcome.retryAfterS);
  const breakGlass = rollback.breakGlass || policy.breakGlass === 'on-failure';
  const switching = breakGlass && !rollback.breakGlass;
  draft.update(index, { rollback: { ...rollback, deletePending: false, attempts, breakGlass, retryAt: switching ? draft.at : retryAt } });
  draft.notify('warning', event.cluster, `delete through ${via} failed (${event.outcome.reason})${switching ? '; retrying through the break-glass identity' : ''}`);
  if (policy.killSwitch === 'on-failure' && !rollback.killSwitched) issueKillSwitch(draft, index);
  if (switching) issueDelete(draft, index);
}

/** A status read of a cluster being rolled back: rolled back once the change is gone and none of its pods runs. */
export function checkRolledBack(draft: Draft, index: number, status: StatusResult | null): void {
  const rollback = draft.cluster(index).rollback;
  if (rollback === null || status === null || !status.ok) return;
  const gone = rollback.deleted || !status.present;
  if (!gone || status.ready > 0.5) return;
  draft.update(index, { phase: 'rolled-back', rollback: { ...rollback, deleted: true, completedAt: draft.at } });
  draft.notify('info', draft.planned(index).name, 'rolled back: the change is deleted and none of its pods runs');
  if (draft.clusters.every((cluster) => cluster.phase !== 'rolling-back')) finishRollback(draft);
}

function finishRollback(draft: Draft): void {
  draft.state.rollbackCompletedAt = draft.at;
  draft.state.phase = draft.state.halt?.by === 'person' ? 'aborted' : 'halted';
  draft.notify('critical', null, `rollout ${draft.spec.name} ${draft.state.phase}; rollback complete`);
}
