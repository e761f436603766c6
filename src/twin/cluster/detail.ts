/**
 * The detail behind a cluster's metrics, read on demand (never in the step
 * loop): the last step's requests of each client class by outcome, the API
 * server replicas with their memory, and the stored objects by resource — what
 * a Prometheus exposition of the cluster (src/apiserver/exposition/) counts.
 *
 * @example
 *   requestClasses(s); // [{ name: 'kubelet-node-get', verb: 'get', resource: 'nodes', ... }, ...]
 */
import type { ReplicaSample, RequestClassSample, StoredObjects } from '../metrics.ts';
import type { ClientClass, ClusterState, Replica } from './state.ts';

/** Every client class's figures of the last step (counts in the step, not per second). */
export function requestClasses(s: ClusterState): RequestClassSample[] {
  const out: RequestClassSample[] = [];
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    out.push({
      name: c.name,
      group: c.group,
      level: s.levelNames[c.level] ?? '',
      verb: c.profile.verb,
      resource: c.resource,
      scope: c.profile.scope,
      singleObject: c.singleObject,
      ordinary: c.ordinary,
      arrivals: c.arrivals,
      ok: c.ok,
      failed: c.failed,
      rejected: c.rejected,
      latencyS: c.failed > c.ok ? s.model.apiServer.requestTimeoutS : c.latency,
      inflight: c.inflight,
      queued: c.queued,
    });
  }
  return out;
}

/**
 * The replicas: state, restarts, memory limit, and the memory each ready replica holds (the twin
 * gives every ready replica the same share: memory.ts; memRatio is that over the smallest limit).
 */
export function replicaSamples(s: ClusterState): ReplicaSample[] {
  let minLimit = Infinity;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state === 'ready' && r.memLimit < minLimit) minLimit = r.memLimit;
  }
  const perReplica = Number.isFinite(minLimit) ? s.memRatio * minLimit : 0;
  return s.replicas.map((r) => ({ state: r.state, restarts: r.restarts, memoryLimitBytes: r.memLimit, memoryBytes: r.state === 'ready' ? perReplica : 0 }));
}

/** Stored objects by resource (the twin's object counts). */
export function storedObjects(s: ClusterState): StoredObjects[] {
  return [...s.resources].map(([resource, st]) => ({ resource, count: st.count }));
}
