/**
 * Memory per ready API server replica — resident memory, the watch cache, and
 * its share of in-flight request memory and watches with GC headroom — and
 * the OOM kill of the replica whose limit it exceeds: its share of queued and
 * in-flight requests fails, its watches break (docs/model.md, "API servers
 * and APF", step 5).
 *
 * @example
 *   checkMemory(s, t, ready); // after service, with s.memTemp and s.watchers of this step
 */
import type { ClientClass, ClusterState, Replica } from './state.ts';
import { breakWatches, toRetry } from './retry.ts';
import { crash } from './replicas.ts';
import { replicaMemoryBytes, watchBytes } from '../../model/apiserver-memory.ts';

/** 5. Memory per ready replica: resident + watch cache + its share of in-flight requests and watches. */
export function checkMemory(s: ClusterState, t: number, ready: number): void {
  const m = s.model;
  const memTemp = s.memTemp;
  const watchers = s.watchers;
  const perReplica = replicaMemoryBytes(m.apiServer, s.storedBytes, memTemp + watchBytes(watchers, m.costs), ready);
  let worst = 0;
  let victim: Replica | null = null;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state !== 'ready') continue;
    const ratio = perReplica / r.memLimit;
    if (ratio > worst) {
      worst = ratio;
      victim = r;
    }
  }
  s.memRatio = worst;
  if (worst > 1 && victim !== null) {
    // OOM kill: the victim's share of queued and in-flight requests fails; its watches break.
    const share = 1 / ready;
    for (let ci = 0; ci < s.classes.length; ci++) {
      const c = s.classes[ci] as ClientClass;
      const lost = (c.inflight + c.queued) * share;
      c.memHeld *= 1 - share;
      c.inflight *= 1 - share;
      c.queued *= 1 - share;
      c.failed += lost;
      toRetry(c, lost, false);
      if (c.informer && ready > 1) breakWatches(c, share, t);
    }
    crash(s, victim, 'oom');
  }
}
