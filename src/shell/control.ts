/**
 * Reading and steering a rollout through its state database, for
 * `firebreak rollout status|history|pause|resume|approve|abort`. The state is
 * rebuilt by folding the logged events through the decision core with the
 * spec stored beside them; requests from people go to the inbox, which the
 * running (or next resumed) orchestrator moves into the log.
 *
 * @example
 *   const view = readRollout('rollout.db');
 *   view.state.phase; // 'halted'
 *   requestControl('rollout.db', 'approve', { by: 'alice', wave: 3 }, new Date().toISOString());
 */
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { decide, initialState, type RolloutEvent, type RolloutState } from '../orchestrator/core.ts';
import { EventStore, type InboxItem, type LogRecord } from './event-store.ts';

export interface RolloutView {
  readonly spec: RolloutSpec;
  readonly state: RolloutState;
  readonly records: readonly LogRecord[];
  readonly pendingRequests: readonly InboxItem[];
  readonly meta: { readonly kind: string; readonly timeZone: string; readonly scenario: string | null; readonly seed: string | null };
}

/** A database that is not a firebreak rollout's. */
export class NotARollout extends Error {
  readonly code = 'FB_NOT_A_ROLLOUT';
  constructor(path: string, why: string) {
    super(`${path} is not a firebreak rollout state database: ${why}`);
    this.name = 'NotARollout';
  }
}

function openExisting(path: string, readOnly: boolean): EventStore {
  let store: EventStore;
  try {
    store = EventStore.open(path, { readOnly });
  } catch (e) {
    throw new NotARollout(path, e instanceof Error ? e.message : String(e));
  }
  try {
    if (store.getMeta('spec') === undefined) throw new NotARollout(path, 'it holds no rollout spec');
  } catch (e) {
    store.close();
    if (e instanceof NotARollout) throw e;
    throw new NotARollout(path, e instanceof Error ? e.message : String(e));
  }
  return store;
}

/** The rollout in `path`: its spec, the state its events fold to, its log. */
export function readRollout(path: string): RolloutView {
  const store = openExisting(path, true);
  try {
    const spec = JSON.parse(store.getMeta('spec') ?? '{}') as RolloutSpec;
    const records = store.records();
    let state = initialState(spec);
    for (const r of records) if (r.type === 'event') state = decide(spec, state, JSON.parse(r.body) as RolloutEvent).state;
    return {
      spec,
      state,
      records,
      pendingRequests: store.pendingInbox(),
      meta: { kind: store.getMeta('kind') ?? 'rollout', timeZone: store.getMeta('timeZone') ?? 'UTC', scenario: store.getMeta('scenario') ?? null, seed: store.getMeta('seed') ?? null },
    };
  } finally {
    store.close();
  }
}

export type ControlAction = 'pause' | 'resume' | 'approve' | 'abort';

/** Queues a person's request for the orchestrator; returns the inbox sequence number. */
export function requestControl(path: string, action: ControlAction, body: { readonly by: string; readonly reason?: string; readonly wave?: number }, createdIso: string): number {
  const store = openExisting(path, false);
  try {
    return store.pushInbox(action, JSON.stringify(body), createdIso);
  } finally {
    store.close();
  }
}
