/**
 * The fleet's customer traffic: each cluster's base share (by nodes) and its
 * current share, and the fleet's error rate (shares × each cluster's
 * data-plane error ratio). Once an operator shifts traffic, clusters whose
 * data-plane error exceeds the threshold hand their traffic to healthy
 * clusters' headroom over `overS`; clusters calm for 5 minutes take theirs
 * back at the same pace.
 *
 * One object of typed arrays, stepped once per engine step (a hot loop: no
 * allocation, no Maps).
 *
 * @example
 *   const traffic = new CustomerTraffic(scenario.clusters);
 *   traffic.step(states, t, dt, scenario.model.dataPlane.headroom); // states: each ClusterSim's state
 *   traffic.errorRate; // the fleet's customer error rate
 */
import type { Cluster } from '../model/fleet.ts';
import type { ClusterState } from './cluster/state.ts';
import { dataPlaneErrorRatio } from './cluster/observe.ts';

/** Seconds a cluster must be calm before traffic returns to it. */
const CALM_BEFORE_RETURN_S = 300;

export class CustomerTraffic {
  /** Each cluster's base share (by nodes) and current share. */
  readonly base: Float64Array;
  readonly share: Float64Array;
  /** Shifting away from clusters with errors, once an operator turned it on. */
  shift: { overS: number; threshold: number } | null = null;
  /** The fleet's customer error rate after the last step. */
  errorRate = 0;
  readonly #calmSince: Float64Array;
  readonly #err: Float64Array;
  readonly #give: Float64Array;
  /** The cluster's error ratio has been read (err holds it while the cluster is held). */
  readonly #seen: Uint8Array;

  constructor(clusters: readonly Cluster[]) {
    const total = clusters.reduce((s, c) => s + c.nodes, 0) || 1;
    this.base = Float64Array.from(clusters, (c) => c.nodes / total);
    this.share = Float64Array.from(this.base);
    this.#calmSince = new Float64Array(clusters.length);
    this.#err = new Float64Array(clusters.length);
    this.#give = new Float64Array(clusters.length);
    this.#seen = new Uint8Array(clusters.length);
  }

  /** One step of `dt` seconds at time `t`; `headroom` is the share above its base a healthy cluster can take. */
  step(states: readonly ClusterState[], t: number, dt: number, headroom: number): void {
    const n = states.length;
    const err = this.#err;
    const base = this.base;
    const share = this.share;
    // A held cluster's observable values are those of its last step (cluster/step.ts), as the
    // recorder also relies on: its error ratio is read again only once it changes.
    const seen = this.#seen;
    for (let i = 0; i < n; i++) {
      const st = states[i] as ClusterState;
      if (st.held && seen[i] === 1) continue;
      err[i] = dataPlaneErrorRatio(st);
      seen[i] = 1;
    }
    const sh = this.shift;
    if (sh !== null) {
      let spare = 0;
      for (let i = 0; i < n; i++) {
        const e = err[i] ?? 0;
        if (e < sh.threshold / 2) this.#calmSince[i] = this.#calmSince[i] === 0 ? t + 1e-9 : (this.#calmSince[i] ?? 0);
        else this.#calmSince[i] = 0;
        if (e < sh.threshold / 2) spare += Math.max(0, (base[i] ?? 0) * (1 + headroom) - (share[i] ?? 0));
      }
      let want = 0;
      const give = this.#give.fill(0);
      for (let i = 0; i < n; i++) {
        if ((err[i] ?? 0) >= sh.threshold && (share[i] ?? 0) > 0) {
          give[i] = Math.min(share[i] ?? 0, ((base[i] ?? 0) * dt) / sh.overS);
          want += give[i] ?? 0;
        }
      }
      const moved = Math.min(want, spare);
      if (moved > 0) {
        const k = moved / want;
        for (let i = 0; i < n; i++) share[i] = (share[i] ?? 0) - (give[i] ?? 0) * k;
        for (let i = 0; i < n; i++) {
          if ((err[i] ?? 0) >= sh.threshold / 2) continue;
          const room = Math.max(0, (base[i] ?? 0) * (1 + headroom) - (share[i] ?? 0));
          share[i] = (share[i] ?? 0) + (moved * room) / spare;
        }
      }
      // Return traffic to clusters calm for 5 minutes. The fleet's surplus only changes when traffic
      // moves, so it is summed again (same terms, same order) only after a move.
      let surplus = 0;
      let surplusStale = true;
      for (let i = 0; i < n; i++) {
        const calm = this.#calmSince[i] ?? 0;
        const deficit = (base[i] ?? 0) - (share[i] ?? 0);
        if (calm > 0 && t - calm >= CALM_BEFORE_RETURN_S && deficit > 1e-12) {
          const back = Math.min(deficit, ((base[i] ?? 0) * dt) / sh.overS);
          if (surplusStale) {
            surplus = 0;
            for (let j = 0; j < n; j++) surplus += Math.max(0, (share[j] ?? 0) - (base[j] ?? 0));
            surplusStale = false;
          }
          if (surplus <= 1e-12) continue;
          const take = Math.min(back, surplus);
          for (let j = 0; j < n; j++) {
            const s = Math.max(0, (share[j] ?? 0) - (base[j] ?? 0));
            share[j] = (share[j] ?? 0) - (take * s) / surplus;
          }
          share[i] = (share[i] ?? 0) + take;
          surplusStale = true;
        }
      }
    }
    let fe = 0;
    for (let i = 0; i < n; i++) fe += (share[i] ?? 0) * (err[i] ?? 0);
    this.errorRate = fe;
  }
}
