/**
 * Hosts of the control plane replaced one by one (a node-image upgrade or a
 * machine rotation, started by the `replace-hosts` action, actions.ts): each
 * replica stops and starts on a new host, so its watch cache starts cold —
 * filled from etcd again, replicas.ts — and its clients reconnect to the
 * others (affinity.ts). docs/model.md, "Faults".
 *
 * @example
 *   stepFaults(s, t); // every step: the next replacement when due
 */
import type { ClusterState } from './state.ts';
import { crash } from './replicas.ts';

/** The next host replacement when it is due. */
export function stepFaults(s: ClusterState, t: number): void {
  if (t < s.replaceAtS) return;
  const r = s.replicas[s.replaceNext];
  if (r !== undefined) {
    if (r.state !== 'down') crash(s, r, 'other');
    // A new host: no back-off; down until it runs the replica, then start-up with a cold cache.
    r.until = t + s.replaceDownS;
    r.backoff = 0;
  }
  s.replaceNext++;
  s.replaceAtS = s.replaceNext < s.replicas.length ? s.replaceAtS + s.replaceEveryS : Infinity;
}
