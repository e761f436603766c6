/**
 * One request from outside the cluster (an operator, the orchestrator, a
 * client of the served API), decided against the cluster's current state:
 * through the load balancer to a replica its health checks pass, then APF at
 * the request's level, then service (docs/model.md, "The load balancer").
 *
 * @example
 *   tryRequest(s, 'workload-high'); // { ok, status, reason, latencyS, retryAfterS }
 */
import type { ClusterState, OperatorOutcome, Replica } from './state.ts';
import { readyCount } from './replicas.ts';
import { levelDrain } from './apf.ts';

/**
 * One request from an operator (or the orchestrator) at `level`, decided
 * against the current state: refused when no API server is ready, rejected
 * with 429 when the level has neither a free seat nor queue room within the
 * queue-wait limit, timed out when service would exceed the request timeout.
 * A small request: one seat, served in `(cpuPerRequestS × 3 + etcd latency) × CPU slowdown`.
 */
export function tryRequest(s: ClusterState, levelName: string): OperatorOutcome {
  return decideRequest(s, levelName, 1, (s.model.costs.cpuPerRequestS * 3 + s.etcdLatency) * s.slowdown);
}

/** What a request's APF flow has waiting at its level now. */
export interface FlowQueue {
  /** Requests of the flow queued. */
  readonly queued: number;
  /** How long they wait at the flow's drain rate, seconds. */
  readonly waitS: number;
}

function outcome(status: OperatorOutcome['status'], reason: string, latencyS: number, retryAfterS = 0): OperatorOutcome {
  return { ok: status === 'served', status, reason, latencyS, retryAfterS };
}

/**
 * A request of `seats` seats and `serviceS` seconds of service at `levelName`, decided now (no load
 * added). `flow`: what its APF flow already has waiting, and how long that waits; a flow holds at
 * most handSize queues of queueLengthLimit per ready server (shuffle sharding) and is served at its
 * fair share, so a request of a full or slow flow is rejected even when the level has room for
 * other flows.
 */
export function decideRequest(s: ClusterState, levelName: string, seats: number, serviceS: number, flow?: FlowQueue): OperatorOutcome {
  if (s.dedicated.has(levelName)) {
    // A break-glass API server: its own process, reachable only by break-glass identities, so no
    // agent traffic reaches its seats or its memory; it needs etcd to answer.
    const lat = s.etcdLatency + s.model.costs.cpuPerRequestS * 3;
    return lat < s.model.apiServer.requestTimeoutS
      ? outcome('served', `served by the break-glass API server`, lat)
      : outcome('timeout', '504 timeout: etcd too slow', s.model.apiServer.requestTimeoutS);
  }
  const ready = readyCount(s);
  // Through the load balancer: to one of the replicas its health checks pass, which lag the
  // replicas' real state both ways.
  let routable = 0;
  for (const r of s.replicas) if (r.lbHealthy) routable++;
  if (routable === 0) return outcome('refused', ready === 0 ? 'connection refused: no API server running' : 'connection refused: no API server has passed the load balancer health check yet', 0);
  let pick = Math.floor(s.lbRng.float() * routable);
  let target: Replica | undefined;
  for (const r of s.replicas) if (r.lbHealthy && pick-- === 0) target = r;
  if (target === undefined || target.state !== 'ready') return outcome('refused', 'connection refused: the load balancer sent it to an API server that is down', 0);
  const l = s.levelNames.indexOf(levelName);
  if (l < 0) return outcome('rejected', `no priority level ${levelName}`, 0, s.model.apiServer.retryAfterMinS);
  const timeout = s.model.apiServer.requestTimeoutS;
  if (!s.exempt[l]) {
    const cap = s.levelCap[l] ?? 0;
    const use = s.levelUse[l] ?? 0;
    const queued = s.levelQueued[l] ?? 0;
    if (use + seats > cap) {
      const retryAfterS = s.retryAfterS[l] ?? s.model.apiServer.retryAfterMinS;
      if (s.reject[l]) return outcome('rejected', '429 Too Many Requests (catch-all rejects)', 0, retryAfterS);
      // Wait behind what is queued at the level's drain rate.
      const drain = Math.max(1e-6, levelDrain(s, l));
      const waitS = Math.max(queued / drain, flow?.waitS ?? 0);
      if (waitS > s.model.apiServer.queueWaitS || queued >= (s.levelQueueCap[l] ?? 0) * ready || (flow !== undefined && flow.queued > 0 && flow.queued >= (s.flowQueueCap[l] ?? 0) * ready))
        return outcome('rejected', `429 Too Many Requests (priority level ${levelName} saturated, queue wait ${waitS.toFixed(0)} s)`, Math.min(waitS, s.model.apiServer.queueWaitS), retryAfterS);
      if (waitS + serviceS > timeout) return outcome('timeout', '504 timeout', timeout);
      return outcome('served', 'served after queueing', waitS + serviceS);
    }
  }
  if (serviceS > timeout) return outcome('timeout', '504 timeout (API server CPU saturated)', timeout);
  return outcome('served', 'served', serviceS);
}
