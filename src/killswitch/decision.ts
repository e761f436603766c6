/**
 * The guard's decision, pure: from what it knows of its switch, whether the
 * endpoint is reachable, and the unreachable policy, whether the agent runs.
 *
 * | known switch | endpoint    | policy        | agent |
 * |--------------|-------------|---------------|-------|
 * | off          | any         | any           | stop  |
 * | on / unknown | reachable   | any           | run   |
 * | on / unknown | unreachable | keep-running  | run   |
 * | on / unknown | unreachable | stop          | stop  |
 * | unknown      | a read failed | stop        | stop  |
 *
 * "Known" includes what the guard remembered across its own restarts (its
 * marker): an "off" stays off until a newer signed document says "on".
 * Unreachable means UNREACHABLE_AFTER_FAILURES consecutive reads without a
 * valid document (refused connection, timeout, a bad status, a document
 * refused as forged or stale). With policy `stop` the agent runs only once
 * a valid document has been read (a guard that starts while the endpoint is
 * down does not start the agent).
 *
 * @example
 *   decide({ known: 'on', failures: 3, policy: 'stop' }); // { action: 'stop', reason: 'switch endpoint unreachable (3 failed reads); policy stop' }
 */
import { UNREACHABLE_AFTER_FAILURES, type UnreachablePolicy } from './defaults.ts';
import type { SwitchState } from './document.ts';

export type GuardAction = 'run' | 'stop';

export interface GuardView {
  /** The effective switch state of the newest accepted document (undefined: none yet). */
  readonly known: SwitchState | undefined;
  /** Consecutive reads that gave no valid document (0 after a good read). */
  readonly failures: number;
  readonly policy: UnreachablePolicy;
}

/** Whether the endpoint counts as unreachable after `failures` consecutive failed reads. */
export function isUnreachable(failures: number): boolean {
  return failures >= UNREACHABLE_AFTER_FAILURES;
}

export function decide(v: GuardView): { readonly action: GuardAction; readonly reason: string } {
  if (v.known === 'off') return { action: 'stop', reason: 'switched off' };
  if (isUnreachable(v.failures)) {
    const why = `switch endpoint unreachable (${v.failures} failed reads)`;
    return v.policy === 'stop' ? { action: 'stop', reason: `${why}; policy stop` } : { action: 'run', reason: `${why}; policy keep-running` };
  }
  if (v.known === undefined && v.failures > 0 && v.policy === 'stop') return { action: 'stop', reason: 'no switch document read yet; policy stop' };
  return { action: 'run', reason: v.known === 'on' ? 'switched on' : 'no switch document read yet' };
}
