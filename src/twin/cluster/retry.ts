/**
 * What a client does with a failed or rejected request: it goes back to the
 * class's pending clients, who retry after a mean wait (client-go's
 * exponential backoff, or a 429's Retry-After); a broken watch reconnects.
 *
 * @example
 *   toRetry(c, failed, false); // failures grow the class's mean backoff
 */
import type { ClientClass, ClusterState } from './state.ts';

/** Failed or rejected requests go back to their clients, who retry after a wait. */
export function toRetry(c: ClientClass, x: number, rejected429: boolean): void {
  if (x <= 0) return;
  if (rejected429) {
    // 429 carries Retry-After; client-go honours it.
    c.pending += x;
    c.wait = Math.max(c.wait * 0.5, Math.min(c.retryMaxS, c.retryAfter));
    return;
  }
  c.pending += x;
  if (c.retryImmediate) {
    c.wait = 1;
    return;
  }
  // Exponential backoff: the population's mean wait grows by `factor` per round of failures, up
  // to the cap, with mean jitter (1 + jitter/2).
  const share = Math.min(1, x / Math.max(1e-9, c.n));
  const grown = c.wait * (1 + (c.retryFactor - 1) * share);
  c.wait = Math.min(c.retryWaitCapS, Math.max(c.retryInitialS, grown));
}

/** APF rejects `x` of the class's requests at level `l` (429 with Retry-After). */
export function rejectTo(s: ClusterState, c: ClientClass, x: number, l: number): void {
  s.levelRejected[l] = (s.levelRejected[l] ?? 0) + x;
  // Sustained drops double Retry-After up to its cap; calm halves it.
  const a = s.model.apiServer;
  c.retryAfter = Math.min(a.retryAfterMaxS, Math.max(a.retryAfterMinS, c.retryAfter * (x > 0.05 * c.n ? 1.2 : 1)));
  toRetry(c, x, true);
}

/** A share of the class's watches breaks at `t`: those watchers must reconnect. */
export function breakWatches(c: ClientClass, share: number, t: number): void {
  const b = c.watching * share;
  if (b <= 0) return;
  c.watching -= b;
  c.rewatch += b;
  c.brokenAt = t;
  c.rewatchWait = 1;
}
