/**
 * A live rollout's state database belongs to one rollout: a new store
 * records the spec compiled at the start and the inputs' fingerprint (the
 * plan and its manifests) in one transaction; an existing one is resumed
 * with the spec it stored — the clusters, waves and batches fixed at the
 * start — and only when the plan and manifests are the same (otherwise
 * `StateMismatch`, as a rehearsal's). The fleet file may change between
 * runs (clusters joining or leaving); the stored spec decides.
 *
 * @example
 *   const { spec, resumed } = claimRolloutStore(store, compiled, fingerprint);
 */
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { EventStore } from './event-store.ts';
import { StateMismatch } from './rehearsal-state.ts';

export function claimRolloutStore(store: EventStore, spec: RolloutSpec, fingerprint: string): { readonly spec: RolloutSpec; readonly resumed: boolean } {
  const wrote = store.initMeta('kind', { kind: 'rollout', spec: JSON.stringify(spec), fingerprint, timeZone: 'UTC' });
  if (wrote) return { spec, resumed: false };
  const kind = store.getMeta('kind');
  if (kind !== 'rollout') throw new StateMismatch(`${store.path} holds a ${kind ?? 'store with no kind'}, not a live rollout; use a new --state file`);
  const stored = store.getMeta('spec');
  if (stored === undefined) throw new StateMismatch(`${store.path} holds a rollout with no spec (left half-written); use a new --state file`);
  if (store.getMeta('fingerprint') !== fingerprint) throw new StateMismatch(`${store.path} holds a rollout of another plan or other manifests; use a new --state file, or the same plan and manifests to resume it`);
  return { spec: JSON.parse(stored) as RolloutSpec, resumed: true };
}
