/**
 * The change's agents: the DaemonSet (or Deployment) controller creates their
 * pods at its rate while controller requests succeed, each starts after a
 * delay spread over [delay, delay + spread] and makes its first calls at
 * once; removal stops them through the kill switch within one poll interval
 * of its guard (on the nodes that reach its endpoint), or through the API as
 * the garbage collector deletes the pods and each kubelet sees it
 * (docs/model.md, "The change").
 *
 * @example
 *   stepAgents(s, dt);
 *   desiredAgents(s); // changeFraction × nodes for a DaemonSet
 */
import type { ClusterState } from './state.ts';
import { scaleClass } from './clients.ts';
import { controllerHealth } from './leases.ts';

export function stepAgents(s: ClusterState, dt: number): void {
  if (s.change === undefined) return;
  const ch = s.model.change;
  const slots = s.starting.length;
  // Pods created by the DaemonSet controller (or Deployment) start after a delay.
  if (s.changeDeployed) {
    const missing = desiredAgents(s) - s.agentsCreated;
    if (missing > 1e-9) {
      const created = Math.min(missing, ch.podCreationsPerS * dt * controllerHealth(s));
      s.agentsCreated += created;
      if (created > 0) scheduleStarts(s, created);
    }
  }
  for (let k = 0; k < dt; k++) {
    const started = s.starting[s.startHead] ?? 0;
    s.starting[s.startHead] = 0;
    s.startHead = (s.startHead + 1) % slots;
    if (started > 0) startAgents(s, started);
  }
  // Removal: the kill switch stops agents at once; an API delete needs the garbage collector to
  // delete the pods (controller QPS, through the API) and each kubelet to see it (its watch).
  if ((s.agentsToDelete > 1e-9 || s.deletedNotStopped > 1e-9) && s.agentsRunning > 1e-9) {
    let stop: number;
    if (s.killSwitch) {
      // Out of band: reachable agents stop at their next poll (killRate over one interval); the
      // rest keep running until their kubelet sees the deletion of their pod.
      const byGuard = Math.min(s.killLeft, s.killRate * dt, s.agentsRunning);
      s.killLeft -= byGuard;
      const unreachable = Math.max(0, s.agentsRunning - byGuard - s.killLeft);
      stop = Math.min(s.agentsRunning, byGuard + unreachable * kubeletSync(s));
    } else {
      const deleted = Math.min(s.agentsToDelete, s.model.clients.controllerQps * dt * controllerHealth(s));
      s.agentsToDelete -= deleted;
      s.deletedNotStopped += deleted;
      stop = Math.min(s.agentsRunning, s.deletedNotStopped * kubeletSync(s));
    }
    s.deletedNotStopped = Math.max(0, s.deletedNotStopped - stop);
    stopAgents(s, stop);
    s.agentsCreated = Math.max(0, s.agentsCreated - stop);
  } else if ((s.agentsToDelete > 0 || s.deletedNotStopped > 0) && s.agentsRunning <= 1e-9) {
    s.agentsToDelete = 0;
    s.deletedNotStopped = 0;
    s.agentsCreated = 0;
  }
}

/**
 * Pods created now start after a delay spread over [delay, delay + spread]. Many pods are a fluid:
 * spread uniformly. A Deployment of fewer pods than the spread has seconds starts pod by pod: each
 * created pod starts whole at one second of the spread (drawn from the cluster's agent stream), so
 * its first calls — all its informers' lists — reach the API server together, as one process's do.
 * A DaemonSet stays a fluid at any size (its few-node case is left as it was: it would change the
 * shipped scenarios' small clusters and the rehearsals' figures, which is not this change's aim).
 */
function scheduleStarts(s: ClusterState, created: number): void {
  const ch = s.model.change;
  const slots = s.starting.length;
  const d0 = Math.round(ch.startDelayS);
  const spread = Math.max(1, Math.round(ch.startSpreadS));
  if (s.change?.kind === 'Deployment' && desiredAgents(s) < spread) {
    const i = (s.startHead + d0 + Math.floor(s.agentRng.float() * spread)) % slots;
    s.starting[i] = (s.starting[i] ?? 0) + created;
    return;
  }
  for (let k = 0; k < spread; k++) {
    const i = (s.startHead + d0 + k) % slots;
    s.starting[i] = (s.starting[i] ?? 0) + created / spread;
  }
}

/** Agents the workload asks for now. */
export function desiredAgents(s: ClusterState): number {
  if (s.change === undefined) return 0;
  return s.change.kind === 'DaemonSet' ? s.changeFraction * s.nodes : s.changeFraction * s.change.replicas;
}

/** Agent pods created but not started yet. */
export function startingTotal(s: ClusterState): number {
  let n = 0;
  for (let i = 0; i < s.starting.length; i++) n += s.starting[i] ?? 0;
  return n;
}

/** Share of kubelets whose pod watch is synced and reachable. */
function kubeletSync(s: ClusterState): number {
  const c = s.kubeletPods;
  if (c === undefined || c.n <= 0) return 0;
  return (c.watching / c.n) * (1 - s.block.nodes);
}

function startAgents(s: ClusterState, k: number): void {
  s.agentsRunning += k;
  for (const c of s.changeClasses) {
    c.n += k;
    // A new agent makes its first call at once (informers list; periodic callers call).
    if (c.informer) {
      c.pending += k;
      c.wait = Math.min(c.wait, 1);
    } else c.arrivalsBoost += k;
  }
}

function stopAgents(s: ClusterState, k: number): void {
  if (k <= 0 || s.agentsRunning <= 0) return;
  const share = Math.min(1, k / s.agentsRunning);
  s.agentsRunning -= k;
  for (const c of s.changeClasses) {
    // In-flight requests of stopped agents are cancelled: their seats and memory are freed.
    scaleClass(c, 1 - share);
    c.n *= 1 - share;
  }
}
