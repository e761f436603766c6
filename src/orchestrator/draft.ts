/**
 * The working copy `decide` edits while it decides one event: a mutable
 * copy of the rollout's state (cluster records are replaced, never changed
 * in place, so the state passed in stays as it was), the commands decided so
 * far, and the helpers every room of the core shares — the API budget (a
 * token bucket per cluster) and retry backoff with seeded jitter keyed by
 * what is retried, so that it needs no state.
 *
 * @example
 *   const draft = new Draft(spec, state, event.at);
 *   draft.notify('info', null, 'rollout started');
 *   draft.finish(); // { state, commands: [{ kind: 'notify', … }] }
 */
import { Random } from '../core/random.ts';
import type { RolloutSpec, SpecCluster } from './compile.ts';
import type { Decision, RolloutCommand, Severity } from './events.ts';
import type { ClusterState, RolloutState } from './state.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const indexCache = new WeakMap<RolloutSpec, ReadonlyMap<string, number>>();

/** Cluster name → index into the spec's clusters (built once per spec). */
function clusterIndex(spec: RolloutSpec): ReadonlyMap<string, number> {
  let index = indexCache.get(spec);
  if (index === undefined) {
    index = new Map(spec.clusters.map((cluster, i) => [cluster.name, i]));
    indexCache.set(spec, index);
  }
  return index;
}

export class Draft {
  readonly spec: RolloutSpec;
  /** The state being decided; `clusters` is the array below. */
  readonly state: Mutable<RolloutState>;
  readonly clusters: ClusterState[];
  readonly commands: RolloutCommand[] = [];
  /** The event's time (epoch ms). */
  readonly at: number;
  readonly #index: ReadonlyMap<string, number>;

  constructor(spec: RolloutSpec, state: RolloutState, at: number) {
    this.spec = spec;
    this.clusters = state.clusters.slice();
    this.state = { ...state, clusters: this.clusters, now: Math.max(state.now, at), decisions: state.decisions + 1 };
    this.at = at;
    this.#index = clusterIndex(spec);
  }

  /** Index of the named cluster in the spec, or -1. */
  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  /** The cluster's state. */
  cluster(index: number): ClusterState {
    const cluster = this.clusters[index];
    if (cluster === undefined) throw new Error(`no cluster ${index}`);
    return cluster;
  }

  /** The cluster as the spec describes it (name, size, wave, batches). */
  planned(index: number): SpecCluster {
    const cluster = this.spec.clusters[index];
    if (cluster === undefined) throw new Error(`no cluster ${index}`);
    return cluster;
  }

  /** Replaces the cluster's state with `patch` applied; returns the new state. */
  update(index: number, patch: Partial<ClusterState>): ClusterState {
    const next = { ...this.cluster(index), ...patch };
    this.clusters[index] = next;
    return next;
  }

  emit(command: RolloutCommand): void {
    this.commands.push(command);
  }

  notify(severity: Severity, cluster: string | null, message: string): void {
    this.emit({ kind: 'notify', id: `notify:${this.state.decisions}.${this.commands.length}`, severity, cluster, message });
  }

  /** Takes one token from the cluster's API budget; false when the budget is spent. */
  spendToken(index: number): boolean {
    const budget = this.spec.budget;
    const cluster = this.cluster(index);
    const refilled = cluster.tokensAt === Number.NEGATIVE_INFINITY ? budget.burst : ((this.at - cluster.tokensAt) / 1000) * budget.qps;
    const tokens = Math.min(budget.burst, cluster.tokens + refilled);
    if (tokens < 1) {
      this.update(index, { tokens, tokensAt: this.at });
      return false;
    }
    this.update(index, { tokens: tokens - 1, tokensAt: this.at });
    return true;
  }

  /** When the cluster's budget has a token again. */
  tokenAt(index: number): number {
    const cluster = this.cluster(index);
    return cluster.tokensAt + (Math.max(0, 1 - cluster.tokens) / this.spec.budget.qps) * 1000;
  }

  /** Backoff before attempt `attempt + 1` (attempt ≥ 1), with seeded jitter keyed by what is retried. */
  backoffMs(key: string, attempt: number, retryAfterS?: number): number {
    const budget = this.spec.budget;
    const base = Math.min(budget.backoffMaxS, budget.backoffInitialS * Math.pow(budget.backoffFactor, attempt - 1));
    const draw = Random.seeded(this.spec.seed).fork(`${key}:${attempt}`).float();
    const wait = base * (1 - budget.backoffJitter / 2 + budget.backoffJitter * draw);
    return Math.round(Math.max(wait, retryAfterS ?? 0) * 1000);
  }

  /** Ends the wave the rollout is in (for reports). */
  endWave(): void {
    const wave = this.state.wave;
    if (wave >= 0) this.state.waveTimes = this.state.waveTimes.map((times, k) => (k === wave ? { startedAt: times.startedAt, endedAt: this.at } : times));
  }

  finish(): Decision {
    return { state: this.state, commands: this.commands };
  }
}
