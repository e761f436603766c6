/**
 * One request from outside the cluster (an operator, the orchestrator),
 * decided against the cluster's current state: through the load balancer to
 * a replica its health checks pass, then APF at the request's level, then
 * service (docs/model.md, "The load balancer").
 *
 * @example
 *   tryRequest(s, 'workload-high'); // { ok, reason, latencyS }
 */
import type { ClusterState, OperatorOutcome, Replica } from './state.ts';
import { readyCount } from './replicas.ts';
import { levelDrain } from './apf.ts';

/**
 * One request from an operator (or the orchestrator) at `level`, decided
 * against the current state: refused when no API server is ready, rejected
 * with 429 when the level has neither a free seat nor queue room within the
 * queue-wait limit, timed out when service would exceed the request timeout.
 */
export function tryRequest(s: ClusterState, levelName: string): OperatorOutcome {
  if (s.dedicated.has(levelName)) {
    // A break-glass API server: its own process, reachable only by break-glass identities, so no
    // agent traffic reaches its seats or its memory; it needs etcd to answer.
    const lat = s.etcdLatency + s.model.costs.cpuPerRequestS * 3;
    return lat < s.model.apiServer.requestTimeoutS
      ? { ok: true, reason: `served by the break-glass API server`, latencyS: lat }
      : { ok: false, reason: '504 timeout: etcd too slow', latencyS: s.model.apiServer.requestTimeoutS };
  }
  const ready = readyCount(s);
  // Through the load balancer: to one of the replicas its health checks pass, which lag the
  // replicas' real state both ways.
  let routable = 0;
  for (const r of s.replicas) if (r.lbHealthy) routable++;
  if (routable === 0) return { ok: false, reason: ready === 0 ? 'connection refused: no API server running' : 'connection refused: no API server has passed the load balancer health check yet', latencyS: 0 };
  let pick = Math.floor(s.lbRng.float() * routable);
  let target: Replica | undefined;
  for (const r of s.replicas) if (r.lbHealthy && pick-- === 0) target = r;
  if (target === undefined || target.state !== 'ready') return { ok: false, reason: 'connection refused: the load balancer sent it to an API server that is down', latencyS: 0 };
  const l = s.levelNames.indexOf(levelName);
  if (l < 0) return { ok: false, reason: `no priority level ${levelName}`, latencyS: 0 };
  const timeout = s.model.apiServer.requestTimeoutS;
  const serviceS = (s.model.costs.cpuPerRequestS * 3 + s.etcdLatency) * s.slowdown;
  if (!s.exempt[l]) {
    const cap = s.levelCap[l] ?? 0;
    const use = s.levelUse[l] ?? 0;
    const queued = s.levelQueued[l] ?? 0;
    if (use + 1 > cap) {
      if (s.reject[l]) return { ok: false, reason: '429 Too Many Requests (catch-all rejects)', latencyS: 0 };
      // Wait behind what is queued at the level's drain rate.
      const drain = Math.max(1e-6, levelDrain(s, l));
      const waitS = queued / drain;
      if (waitS > s.model.apiServer.queueWaitS || queued >= (s.levelQueueCap[l] ?? 0) * ready)
        return { ok: false, reason: `429 Too Many Requests (priority level ${levelName} saturated, queue wait ${waitS.toFixed(0)} s)`, latencyS: Math.min(waitS, s.model.apiServer.queueWaitS) };
      if (waitS + serviceS > timeout) return { ok: false, reason: '504 timeout', latencyS: timeout };
      return { ok: true, reason: 'served after queueing', latencyS: waitS + serviceS };
    }
  }
  if (serviceS > timeout) return { ok: false, reason: '504 timeout (API server CPU saturated)', latencyS: timeout };
  return { ok: true, reason: 'served', latencyS: serviceS };
}
