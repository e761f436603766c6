/**
 * When a cluster may be advanced without recomputation: quiescence (its
 * state stopped changing: skipped until an action wakes it) and coarse steps
 * while no API server is ready (nothing is served, so it is advanced in one
 * step up to the next discrete event). docs/model.md, "Quiescence" and
 * "Coarse steps while the API is down".
 *
 * @example
 *   checkQuiet(s);               // after a full step
 *   openCoarseWindow(s, t + dt, dt);
 */
import type { ClientClass, ClusterState, Replica } from './state.ts';
import { desiredAgents, startingTotal } from './agents.ts';

/**
 * After a step that left no API server ready, the cluster's clients only fail and back off,
 * caches expire and nodes go NotReady: smooth processes with nothing served. Until the next
 * discrete event (a replica restarting or becoming ready, the load balancer changing its mind,
 * the controllers' leader lease running out, a scale-up landing, an etcd fault ending) the
 * cluster is advanced in one step of up to `coarseDownStepS`, and no longer than any pending
 * client's retry wait, so each client makes at most one retry round per step, as at 1 s.
 */
export function openCoarseWindow(s: ClusterState, te: number, dt: number): void {
  const maxS = s.model.engine.coarseDownStepS;
  if (maxS < 2 * dt || s.readyN !== 0 || s.quiet) return;
  let end = te + maxS;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state !== 'ready' && r.until < end) end = r.until;
    if (r.lbHealthy) end = Math.min(end, r.downSince + s.model.apiServer.loadBalancer.unhealthyAfterS);
  }
  if (s.pendingScale !== null) end = Math.min(end, s.pendingScale.at);
  end = Math.min(end, s.replaceAtS);
  if (s.etcdSlowdown !== 1) end = Math.min(end, s.etcdSlowUntil);
  if (s.leader) end = Math.min(end, s.lastRenew + s.model.clients.leaderElection.renewDeadlineS);
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (c.n > 0 && c.pending > 1e-12) end = Math.min(end, te + c.wait);
  }
  const steps = Math.floor((end - te) / dt + 1e-9);
  if (steps < 2) return;
  s.coarseFrom = te;
  s.coarseEnd = te + steps * dt;
  s.coarseLagS = 0;
}

/**
 * Quiescent: three consecutive steps changed no client population by more
 * than 1e-9 of the cluster's clients, every API server is ready, nothing is
 * ramping, starting or being deleted, and DNS is fully healthy. Stepping such
 * a cluster would reproduce the same state, so it is skipped until an action
 * wakes it (docs/model.md, "Quiescence").
 */
export function checkQuiet(s: ClusterState): void {
  if (s.readyN !== s.replicas.length) {
    // Not every replica ready: not settled, whatever the clients did (the next step's change is
    // measured from a step with every replica ready).
    s.prevState = NaN;
    s.calmSteps = 0;
    return;
  }
  let sig = 0;
  let total = 0;
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    sig += c.pending * 1.1 + c.queued * 1.3 + c.inflight * 1.7 + c.watching * 1.9 + c.rewatch * 2.3 + c.wait;
    total += c.n;
  }
  const delta = Math.abs(sig - s.prevState);
  s.prevState = sig;
  const settled =
    delta <= 1e-9 * Math.max(1, total) &&
    replicasSettled(s) &&
    s.pendingScale === null &&
    s.replaceAtS === Infinity &&
    s.nodes === s.nodeTarget &&
    s.block.nodes === s.blockTarget.nodes &&
    s.block.change === s.blockTarget.change &&
    s.block.workloads === s.blockTarget.workloads &&
    s.etcdSlowdown === 1 &&
    s.leader &&
    s.synced &&
    startingTotal(s) <= 1e-12 &&
    s.agentsToDelete <= 1e-12 &&
    s.deletedNotStopped <= 1e-12 &&
    (!s.changeDeployed || s.agentsCreated >= desiredAgents(s) - 1e-9) &&
    s.dns.isQuiet();
  s.calmSteps = settled ? s.calmSteps + 1 : 0;
  if (s.calmSteps >= 3) s.quiet = true;
}

function replicasSettled(s: ClusterState): boolean {
  for (let i = 0; i < s.replicas.length; i++) {
    const r = s.replicas[i] as Replica;
    if (!(r.state === 'ready' && r.backoff === 0)) return false;
  }
  return true;
}
