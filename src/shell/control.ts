/**
 * Reading and steering a rollout through its state database, for
 * `firebreak rollout status|history|pause|resume|approve|abort`. The state is
 * rebuilt by folding the logged events through the decision core with the
 * spec stored beside them, which also verifies the log (src/shell/log-check.ts).
 *
 * Requests from people are checked against the state they will meet — the
 * folded log, then the requests already queued — by asking the decision core
 * what the request would do there: one that would change nothing (a pause of
 * a completed rollout, a resume of one that is not paused, an approval of a
 * wave that does not exist or is not waiting) is refused with the reason in
 * words (`RequestRefused`). The others go to the inbox, in a short transaction
 * of their own (no writer lock), which the running (or next resumed)
 * orchestrator moves into the log.
 *
 * @example
 *   const view = readRollout('rollout.db');
 *   view.state.phase; // 'halted'
 *   requestControl('rollout.db', 'approve', { by: 'alice', wave: 3 }, new Date().toISOString());
 */
import { describeError } from '../core/errors.ts';
import { formatIso } from '../core/time.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { decide, initialState, type RolloutEvent, type RolloutState } from '../orchestrator/core.ts';
import { EventStore, type InboxItem, type LogRecord, type StoreMark } from './event-store.ts';
import { foldLog, LogCorrupt } from './log-check.ts';
import { inboxEvent } from './runner.ts';
import { NotAStore } from './store-file.ts';

export interface RolloutMeta {
  readonly kind: string;
  readonly timeZone: string;
  readonly scenario: string | null;
  readonly seed: string | null;
}

export interface RolloutView {
  readonly spec: RolloutSpec;
  readonly state: RolloutState;
  readonly records: readonly LogRecord[];
  readonly pendingRequests: readonly InboxItem[];
  readonly meta: RolloutMeta;
  /** The log verified (every record); the first bad record otherwise, with `state` folded up to it. */
  readonly problem: LogCorrupt | null;
}

/** A database that is not a firebreak rollout's. */
export class NotARollout extends Error {
  readonly code = 'FB_NOT_A_ROLLOUT';
  constructor(path: string, why: string, options?: ErrorOptions) {
    super(`${path} is not a firebreak rollout state database: ${why}`, options);
    this.name = 'NotARollout';
  }
}

/** A person's request that would change nothing; the message says why. */
export class RequestRefused extends Error {
  readonly code = 'FB_REQUEST_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'RequestRefused';
  }
}

function openExisting(path: string, access: 'read' | 'request'): EventStore {
  let store: EventStore;
  try {
    store = EventStore.open(path, { access });
  } catch (e) {
    if (e instanceof NotAStore) throw e;
    throw new NotARollout(path, describeError(e), { cause: e });
  }
  try {
    if (store.getMeta('spec') === undefined) throw new NotARollout(path, 'it holds no rollout spec (its writer never got as far as starting a rollout)');
  } catch (e) {
    store.close();
    if (e instanceof NotARollout) throw e;
    throw new NotARollout(path, describeError(e), { cause: e });
  }
  return store;
}

function metaOf(store: EventStore): RolloutMeta {
  return { kind: store.getMeta('kind') ?? 'rollout', timeZone: store.getMeta('timeZone') ?? 'UTC', scenario: store.getMeta('scenario') ?? null, seed: store.getMeta('seed') ?? null };
}

function specOf(path: string, store: EventStore): RolloutSpec {
  try {
    return JSON.parse(store.getMeta('spec') ?? '') as RolloutSpec;
  } catch (e) {
    throw new NotARollout(path, `its rollout spec is not JSON (${describeError(e)})`, { cause: e });
  }
}

/** Folds `records`: the state, or the first bad record (then the state before anything). */
function fold(spec: RolloutSpec, records: readonly LogRecord[]): { state: RolloutState; problem: LogCorrupt | null } {
  try {
    return { state: foldLog(spec, records).state, problem: null };
  } catch (e) {
    if (!(e instanceof LogCorrupt)) throw e;
    return { state: initialState(spec), problem: e };
  }
}

/** The rollout in `path`: its spec, the state its events fold to, its log and whether it verifies. */
export function readRollout(path: string): RolloutView {
  const store = openExisting(path, 'read');
  try {
    const spec = specOf(path, store);
    return store.snapshot(() => {
      const records = store.records();
      const { state, problem } = fold(spec, records);
      return { spec, state, records, pendingRequests: store.pendingInbox(), meta: metaOf(store), problem };
    });
  } finally {
    store.close();
  }
}

export type ControlAction = 'pause' | 'resume' | 'approve' | 'abort';

export interface ControlBody {
  readonly by: string;
  readonly reason?: string;
  readonly wave?: number;
}

export interface RequestAccepted {
  /** Inbox sequence number. */
  readonly seq: number;
  /** The rollout's phase now, and the one the request leads to. */
  readonly phase: RolloutState['phase'];
  readonly leadsTo: RolloutState['phase'];
}

/**
 * Checks a person's request against the rollout's state and queues it for the
 * orchestrator; throws RequestRefused (with the reason) when it would change
 * nothing, LogCorrupt when the log does not verify.
 */
export function requestControl(path: string, action: ControlAction, body: ControlBody, createdIso: string): RequestAccepted {
  const store = openExisting(path, 'request');
  try {
    const spec = specOf(path, store);
    const meta = metaOf(store);
    // Optimistic: check against a snapshot, add only if nothing was appended since (else check again).
    for (let attempt = 0; ; attempt++) {
      const seen = store.snapshot((): { mark: StoreMark; records: LogRecord[]; pending: InboxItem[] } => ({ mark: store.mark(), records: store.records(), pending: store.pendingInbox() }));
      const folded = foldLog(spec, seen.records);
      let state = folded.state;
      for (const item of seen.pending) state = decide(spec, state, inboxEvent(item, state.now)).state;
      const event = inboxEvent({ kind: action, body: JSON.stringify(body) }, state.now);
      const after = decide(spec, state, event).state;
      const refusal = explainRefusal(spec, state, event, after, meta.timeZone, seen.pending.length > 0);
      if (refusal !== null) throw new RequestRefused(refusal);
      const seq = store.pushInboxIfUnchanged(seen.mark, action, JSON.stringify(body), createdIso);
      if (seq !== null) return { seq, phase: folded.state.phase, leadsTo: after.phase };
      if (attempt >= 20) throw new Error(`${path}: the log kept moving while the request was checked (20 attempts)`);
    }
  } finally {
    store.close();
  }
}

/**
 * Why a request changes nothing, in words, or null when it takes effect. The
 * decision core is the judge (`after` is what it makes of the request); this
 * only explains its answer.
 */
export function explainRefusal(spec: RolloutSpec, state: RolloutState, e: RolloutEvent, after: RolloutState, timeZone: string, queued: boolean): string | null {
  const waves = spec.waves.length;
  if (e.kind === 'approve' && e.wave !== null && (e.wave < 1 || e.wave > waves)) {
    return `rollout ${spec.name} has ${waves} wave${waves === 1 ? '' : 's'}; there is no wave ${e.wave} to approve`;
  }
  if (after.phase !== state.phase) return null;
  const t = (ms: number | null): string => (ms === null ? '—' : formatIso(ms, timeZone));
  const name = `rollout ${spec.name}`;
  const verb = e.kind;
  const nothing = `nothing to ${verb}`;
  const after_ = queued ? ' (after the requests already queued)' : '';
  const halt = state.halt;
  const waveName = (w: number): string => `wave ${w + 1}${spec.waves[w] !== undefined ? ` (${spec.waves[w].name})` : ''}`;
  switch (state.phase) {
    case 'completed':
      return `${name} completed at ${t(state.completedAt)}; ${nothing}`;
    case 'halted':
      return `${name} halted at ${t(halt?.at ?? null)} (${halt?.message ?? 'no reason recorded'}) and was rolled back${state.rollbackCompletedAt === null ? '' : ` by ${t(state.rollbackCompletedAt)}`}; ${nothing}`;
    case 'aborted':
      return `${name} was aborted at ${t(halt?.at ?? null)} (${halt?.message ?? 'no reason recorded'}); ${nothing}`;
    case 'rolling-back':
      return `${name} is rolling back since ${t(halt?.at ?? null)} (${halt?.message ?? 'no reason recorded'})${verb === 'abort' ? '; the rollback is already under way' : `; it can no longer be ${verb === 'pause' ? 'paused' : verb === 'resume' ? 'resumed' : 'approved'}`}`;
    case 'pending':
      return `${name} has not started yet${after_}; ${nothing}`;
    case 'paused': {
      const by = `paused by ${state.pausedBy ?? 'someone'} at ${t(state.pausedAt)}${state.pauseReason === null || state.pauseReason === '' ? '' : `: ${state.pauseReason}`}`;
      if (verb === 'pause') return `${name} is already ${by}${after_}; ${nothing}`;
      if (verb === 'approve') {
        return state.pausedFrom === 'awaiting-approval'
          ? `${name} is ${by}${after_}; resume it first (\`firebreak rollout resume\`), then approve ${waveName(state.wave)}`
          : `${name} is ${by}${after_} and no wave is waiting for an approval`;
      }
      break;
    }
    case 'running':
      if (verb === 'resume') return `${name} is running ${waveName(state.wave)}, not paused${after_}; ${nothing}`;
      if (verb === 'approve') return `${name} is running ${waveName(state.wave)}${after_}; no wave is waiting for an approval`;
      break;
    case 'awaiting-approval':
      if (verb === 'resume') return `${name} is waiting for an approval of ${waveName(state.wave)}, not paused${after_}; ${nothing} (approve it with \`firebreak rollout approve --wave ${state.wave + 1}\`)`;
      if (verb === 'approve' && e.kind === 'approve' && e.wave !== null) {
        return e.wave <= state.wave
          ? `wave ${e.wave} of ${name} started at ${t(state.waveTimes[e.wave - 1]?.startedAt ?? null)}; ${waveName(state.wave)} is the one waiting for an approval`
          : `wave ${e.wave} of ${name} is not waiting for an approval; ${waveName(state.wave)} is`;
      }
      break;
  }
  return `${name} is ${state.phase}${after_}; a ${verb} would change nothing`;
}
