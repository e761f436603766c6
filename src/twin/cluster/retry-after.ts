/**
 * The Retry-After a 429 carries, per priority level, as kube-apiserver
 * computes it: its dropped-requests tracker
 * (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/util/flowcontrol/dropped_requests_tracker.go,
 * used by staging/src/k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go, which answers a
 * rejected request with `Retry-After: GetRetryAfter(priorityLevel)`). It starts at 1 s; on the
 * first drop of a new second it looks at the drops of the last `retryAfter` seconds: at least
 * 3 × retryAfter (and retryAfter seconds since the last raise) doubles it, up to maxRetryAfter
 * 32 s; fewer than retryAfter lowers it by 1 s. Nothing changes it while nothing is dropped.
 * The bounds are the model's (apiServer.retryAfterMinS/MaxS; defaults RETRY_AFTER_MIN_S 1 and
 * RETRY_AFTER_MAX_S 32, model/kubernetes.ts, the tracker's 1 and maxRetryAfter).
 *
 * The fluid model's drops are fractional counts per step; they are recorded at the step's
 * second, from the first request submitted through the served API on (before that nothing reads
 * them, and the twin's batch runs do not pay for it). This feeds nothing back into the physics (the modelled clients keep their own
 * retry model, retry.ts): it is what a request submitted from outside is told (request.ts).
 *
 * @example
 *   recordDrops(s, t);     // after service, from s.levelRejected
 *   s.retryAfterS[level];  // what a 429 at that level says now
 */
import { DROP_HISTORY, type ClusterState } from './state.ts';

/** Records the step's drops per level (s.levelRejected) at second floor(t). */
export function recordDrops(s: ClusterState, t: number): void {
  const rej = s.levelRejected;
  for (let l = 0; l < rej.length; l++) {
    const x = rej[l] ?? 0;
    if (x > 0) dropAt(s, l, Math.floor(t), x);
  }
}

/** `x` requests dropped at level `l` in second `sec` (dropped_requests_tracker.go recordDroppedRequest). */
export function dropAt(s: ClusterState, l: number, sec: number, x: number): void {
  if ((s.dropSecond[l] ?? -Infinity) === sec) {
    s.dropCount[l] = (s.dropCount[l] ?? 0) + x;
    return;
  }
  // A new second: the finished one joins the history, and Retry-After is reconsidered.
  const prev = s.dropSecond[l] ?? -Infinity;
  if (prev > -Infinity) {
    const slot = l * DROP_HISTORY + (((prev % DROP_HISTORY) + DROP_HISTORY) % DROP_HISTORY);
    s.dropHistSecond[slot] = prev;
    s.dropHistCount[slot] = s.dropCount[l] ?? 0;
  }
  s.dropSecond[l] = sec;
  s.dropCount[l] = x;
  updateRetryAfter(s, l, sec);
}

/** dropped_requests_tracker.go updateRetryAfterIfNeededLocked, over [sec - retryAfter, sec). */
function updateRetryAfter(s: ClusterState, l: number, sec: number): void {
  const a = s.model.apiServer;
  let ra = s.retryAfterS[l] ?? a.retryAfterMinS;
  let dropped = 0;
  for (let k = 0; k < DROP_HISTORY; k++) {
    const hs = s.dropHistSecond[l * DROP_HISTORY + k] ?? -Infinity;
    if (hs < sec && sec - hs <= ra) dropped += s.dropHistCount[l * DROP_HISTORY + k] ?? 0;
  }
  if (sec - (s.retryAfterUpdateS[l] ?? -Infinity) >= ra && dropped >= 3 * ra) {
    ra = Math.min(a.retryAfterMaxS, ra * 2);
    s.retryAfterS[l] = ra;
    s.retryAfterUpdateS[l] = sec;
    return;
  }
  if (dropped < ra && ra > a.retryAfterMinS) s.retryAfterS[l] = Math.max(a.retryAfterMinS, ra - 1);
}
