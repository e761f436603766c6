/**
 * Baselines for a canary: not-yet-changed clusters of its size class,
 * nearest in size, preferring those outside the current wave (they stay
 * unchanged longest); else of the nearest class; else clusters whose change
 * already passed every gate (controls for fleet-wide events).
 *
 * "Nearest" is one total order over candidates (`compareNearness`):
 * size-class distance, then same wave (outside first), then |log of the size
 * ratio|, then name. The canary's baselines are the first
 * `maxBaselineClusters` candidates of the pool in that order, among those of
 * the pool's nearest size class. They are chosen once per canary (at its
 * snapshot), with a bounded insertion (no sort of the whole fleet, no object
 * per candidate): a rollout over 1,000 clusters chooses a thousand times.
 *
 * @example
 *   chooseBaselines(spec.clusters, state.clusters, 3, 4); // ['prod-b', 'prod-e', …]
 */
import type { SizeClass } from '../model/fleet.ts';
import type { SpecCluster } from './compile.ts';
import type { ClusterState } from './state.ts';

const SIZE_RANK: Readonly<Record<SizeClass, number>> = { small: 0, medium: 1, large: 2, xlarge: 3 };

/** How near a candidate baseline is: size-class distance, same wave, size ratio, then name. */
type Nearness = readonly [classDistance: number, sameWave: number, logSizeRatio: number, name: string];

/** The order of candidates: nearer first. */
function compareNearness(a: Nearness, b: Nearness): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** A candidate's nearness to the canary. */
function nearness(canary: SpecCluster, other: SpecCluster): Nearness {
  return [Math.abs(SIZE_RANK[other.sizeClass] - SIZE_RANK[canary.sizeClass]), other.wave === canary.wave ? 1 : 0, Math.abs(Math.log(other.nodes / canary.nodes)), other.name];
}

const NONE = 0;
const UNCHANGED = 1;
const CONTROL = 2;

/** Whether a cluster may be a baseline of the canary: not yet changed, a control (its change passed, an earlier wave), or neither. */
function kindOf(state: ClusterState | undefined, other: SpecCluster, canary: SpecCluster): number {
  if (state === undefined) return NONE;
  if (state.phase === 'pending' && state.startedAt === null) return UNCHANGED;
  if (state.phase === 'done' && other.wave < canary.wave) return CONTROL;
  return NONE;
}

/** The canary's baseline clusters, nearest first (at most `max`). */
export function chooseBaselines(clusters: readonly SpecCluster[], states: readonly ClusterState[], canaryIndex: number, max: number): string[] {
  const canary = clusters[canaryIndex];
  if (canary === undefined) return [];
  // First pass: the nearest size class among unchanged clusters, and among controls.
  let unchangedClass = Number.POSITIVE_INFINITY;
  let controlClass = Number.POSITIVE_INFINITY;
  for (let index = 0; index < clusters.length; index++) {
    if (index === canaryIndex) continue;
    const other = clusters[index] as SpecCluster;
    const kind = kindOf(states[index], other, canary);
    if (kind === NONE) continue;
    const distance = Math.abs(SIZE_RANK[other.sizeClass] - SIZE_RANK[canary.sizeClass]);
    if (kind === UNCHANGED) unchangedClass = Math.min(unchangedClass, distance);
    else controlClass = Math.min(controlClass, distance);
  }
  // The pool: unchanged clusters if there is one, else the controls; only its nearest class.
  const pool = unchangedClass !== Number.POSITIVE_INFINITY ? UNCHANGED : CONTROL;
  const poolClass = pool === UNCHANGED ? unchangedClass : controlClass;
  if (poolClass === Number.POSITIVE_INFINITY) return [];
  // Second pass: the `max` nearest of them, kept in order by insertion.
  const best: Nearness[] = [];
  for (let index = 0; index < clusters.length; index++) {
    if (index === canaryIndex) continue;
    const other = clusters[index] as SpecCluster;
    if (kindOf(states[index], other, canary) !== pool || Math.abs(SIZE_RANK[other.sizeClass] - SIZE_RANK[canary.sizeClass]) !== poolClass) continue;
    const candidate = nearness(canary, other);
    const last = best[best.length - 1];
    if (best.length >= max && (last === undefined || compareNearness(candidate, last) >= 0)) continue;
    let at = best.length;
    while (at > 0 && compareNearness(candidate, best[at - 1] as Nearness) < 0) at--;
    best.splice(at, 0, candidate);
    if (best.length > max) best.pop();
  }
  return best.map((candidate) => candidate[3]);
}
