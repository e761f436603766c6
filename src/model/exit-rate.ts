/**
 * How many requests in flight finish within a step: each holds its seat for
 * `heldS` (service-time.ts), so a fluid population of `inflight` requests
 * leaves at inflight / heldS per second, and no more than all of them in one
 * step. The twin applies it to each request class every step
 * (src/twin/cluster-sim.ts); the analyzer in its rollout steps
 * (src/analyzer/estimate.ts).
 *
 * @example
 *   const exits = exitsInStep(inflight, 1, heldS(service, 60));
 */

/** Requests of `inflight` that finish within a step of `dt` seconds when each is held `heldS` seconds. */
export function exitsInStep(inflight: number, dt: number, heldS: number): number {
  return Math.min(inflight, (inflight * dt) / Math.max(dt * 0.999, heldS));
}
