/**
 * A rehearsal's state database belongs to one rehearsal: a new store records
 * what made it (the compiled spec, the inputs' fingerprint, the seed, the
 * scenario) in one transaction; an existing one is resumed only when it was
 * made from the same inputs, and refused (`StateMismatch`, FB_STATE_MISMATCH)
 * otherwise.
 *
 * @example
 *   claimStore(store, spec, { seed: 1, scenario, fingerprint: '' }); // throws StateMismatch for another rehearsal's file
 */
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { Scenario } from '../twin/index.ts';
import type { EventStore } from './event-store.ts';

/** A state database that belongs to another rehearsal. */
export class StateMismatch extends Error {
  readonly code = 'FB_STATE_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'StateMismatch';
  }
}

/** What a rehearsal's state database must have been made from. */
export interface RehearsalIdentity {
  readonly seed: number;
  readonly scenario: Scenario;
  /** Identifies the inputs (plan, scenario and their files); '' when none given. */
  readonly fingerprint: string;
}

/** A new store gets what made it, in one transaction; an existing one must have been made from the same inputs. */
export function claimStore(store: EventStore, spec: RolloutSpec, made: RehearsalIdentity): void {
  const specJson = JSON.stringify(spec);
  const fingerprint = made.fingerprint;
  const wrote = store.initMeta('kind', {
    kind: 'rehearsal',
    spec: specJson,
    fingerprint,
    seed: String(made.seed),
    scenario: made.scenario.name,
    startMs: String(made.scenario.startMs),
    timeZone: made.scenario.timeZone,
  });
  if (wrote) return;
  const kind = store.getMeta('kind');
  if (kind !== 'rehearsal') throw new StateMismatch(`${store.path} holds a ${kind ?? 'store with no kind'}, not a rehearsal; use a new --state file`);
  const missing = ['spec', 'fingerprint', 'seed'].filter((k) => store.getMeta(k) === undefined);
  if (missing.length > 0) throw new StateMismatch(`${store.path} holds a rehearsal with no ${missing.join(', ')} (left half-written by an older firebreak); use a new --state file`);
  if (store.getMeta('fingerprint') !== fingerprint || store.getMeta('spec') !== specJson || store.getMeta('seed') !== String(made.seed)) {
    throw new StateMismatch(`${store.path} holds a rehearsal of other inputs (plan, scenario or seed differ); use a new --state file, or the same inputs to resume it`);
  }
}
