/**
 * Client-side arrivals: what each class issues in a step (periodic calls,
 * pending retries after their backoff, new agents' first calls), capped by
 * its client-side rate limit and cut by network blocks; and broken watches
 * reconnecting, which must relist when their resourceVersion is gone.
 *
 * @example
 *   issueArrivals(s, t, dt, ready);
 *   reconnectWatches(s, t, dt, ready);
 */
import { WATCH_CACHE_WINDOW_S } from '../../model/kubernetes.ts';
import type { ClientClass, ClusterState } from './state.ts';
import { toRetry } from './retry.ts';
import { freshShare } from './replicas.ts';

export function issueArrivals(s: ClusterState, dt: number, ready: number): void {
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    c.arrivals = 0;
    c.ok = 0;
    c.failed = 0;
    c.rejected = 0;
    if (c.n <= 0) continue;
    let a = 0;
    if (c.informer) {
      // Clients that must list issue after their backoff; rewatches are cheap and handled below.
      const emit = c.pending * Math.min(1, dt / Math.max(dt, c.wait));
      c.pending -= emit;
      a += emit;
    } else {
      const active = Math.max(0, c.n - c.pending - c.queued - c.inflight);
      a += (active * dt) / Math.max(dt, c.periodS);
      const emit = c.pending * Math.min(1, dt / Math.max(dt, c.wait));
      c.pending -= emit;
      a += emit;
    }
    // Client-side rate limit (per client QPS).
    const cap = c.n * c.qps * dt;
    if (a > cap) {
      if (c.informer) c.pending += a - cap;
      a = cap;
    }
    const blocked = blockedShareOf(s, c.blockCode);
    if (blocked > 0) {
      const b = a * blocked;
      a -= b;
      c.failed += b;
      toRetry(c, b, false);
    }
    if (ready === 0) {
      c.failed += a;
      toRetry(c, a, false);
      a = 0;
    }
    c.arrivals = a;
  }
}

/**
 * Rewatches: reconnecting watchers. Against a fresh replica, or after an outage longer than the
 * watch-cache window, the resourceVersion is gone (410) and the client must relist.
 */
export function reconnectWatches(s: ClusterState, t: number, dt: number, ready: number): void {
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (!c.informer || c.rewatch <= 0) continue;
    if (ready === 0 || blockedShareOf(s, c.blockCode) >= 1) continue;
    const go = c.rewatch * Math.min(1, dt / Math.max(dt, c.rewatchWait));
    c.rewatch -= go;
    const relist = t - c.brokenAt > WATCH_CACHE_WINDOW_S || freshShare(s, t) > 0.5 ? 1 : freshShare(s, t);
    c.pending += go * relist;
    c.watching += go * (1 - relist);
    if (c.pending > 0 && relist > 0) c.wait = Math.min(c.wait, c.retryInitialS);
  }
}

/** Share of a class's requests cut off by a network block (ClientClass.blockCode). */
function blockedShareOf(s: ClusterState, code: number): number {
  if (code === 0) return 0;
  if (code === 1) return s.block.nodes;
  if (code === 2) return Math.max(s.block.change, s.block.nodes);
  return s.block.workloads;
}
