/**
 * People's requests and the pauses firebreak makes itself: a pause holds the
 * rollout where it stands (running or waiting for an approval), a resume
 * continues it from there (holds restart their clocks), an approval starts
 * the wave waiting for it, an abort rolls back like a halt. A request that
 * would change nothing is noted and ignored (the CLI refuses such requests
 * before queueing them: src/shell/control.ts).
 *
 * @example
 *   onPause(draft, 'alice', 'lunch'); // phase 'paused', pausedBy 'alice'
 */
import { fill, startWave } from './applies.ts';
import type { Draft } from './draft.ts';
import { beginHalt } from './rollback.ts';
import { isTerminal } from './state.ts';

/** Pauses the rollout (by a person, or by 'firebreak' itself on missing data or a long hold). */
export function pause(draft: Draft, by: string, reason: string): void {
  draft.state.pausedFrom = draft.state.phase;
  draft.state.phase = 'paused';
  draft.state.pauseReason = reason;
  draft.state.pausedBy = by;
  draft.state.pausedAt = draft.at;
  draft.notify('warning', null, `paused by ${by}: ${reason}`);
}

export function onPause(draft: Draft, by: string, reason: string): void {
  if (draft.state.phase !== 'running' && draft.state.phase !== 'awaiting-approval') {
    draft.notify('info', null, `pause by ${by} ignored: the rollout is ${draft.state.phase}`);
    return;
  }
  pause(draft, by, reason);
}

export function onResume(draft: Draft, by: string): void {
  if (draft.state.phase !== 'paused') {
    draft.notify('info', null, `resume by ${by} ignored: the rollout is ${draft.state.phase}`);
    return;
  }
  draft.state.phase = draft.state.pausedFrom ?? 'running';
  draft.state.pausedFrom = null;
  draft.state.pauseReason = null;
  draft.state.pausedBy = null;
  draft.state.pausedAt = null;
  draft.clusters.forEach((cluster, index) => {
    if (cluster.holdSince !== null) draft.update(index, { holdSince: draft.at });
  });
  draft.notify('info', null, `resumed by ${by}`);
  fill(draft);
}

/** `wave`: the 1-based wave the person approves, or null for whichever is waiting. */
export function onApprove(draft: Draft, by: string, wave: number | null): void {
  const waiting = draft.state.wave;
  if (draft.state.phase !== 'awaiting-approval' || (wave !== null && wave !== waiting + 1)) {
    const why = draft.state.phase === 'awaiting-approval' ? `wave ${waiting + 1} is the one waiting` : `the rollout is ${draft.state.phase}`;
    draft.notify('info', null, `approval by ${by}${wave === null ? '' : ` of wave ${wave}`} ignored: ${why}`);
    return;
  }
  draft.notify('info', null, `wave ${waiting + 1} approved by ${by}`);
  startWave(draft, waiting);
}

export function onAbort(draft: Draft, by: string, reason: string): void {
  if (isTerminal(draft.state) || draft.state.phase === 'rolling-back') {
    draft.notify('info', null, `abort by ${by} ignored: the rollout is ${draft.state.phase}`);
    return;
  }
  beginHalt(draft, { at: draft.at, wave: Math.max(0, draft.state.wave), cluster: null, batch: null, gate: null, result: null, by: 'person', message: `aborted by ${by}${reason === '' ? '' : `: ${reason}`}` });
}
