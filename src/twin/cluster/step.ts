/**
 * One step of a cluster: skipped while it is quiescent, held inside a coarse
 * window while no API server is ready, otherwise the full step — the
 * infrastructure, the change's agents, client arrivals and reconnecting
 * watches, service on the ready replicas, the leases, CoreDNS and the step's
 * summary. An outside action wakes a held cluster first (`wake`).
 *
 * @example
 *   stepCluster(s, t, dt); // the engine calls this for every cluster, every step
 */
import type { ClientClass, ClusterState } from './state.ts';
import { stepInfrastructure } from './infrastructure.ts';
import { stepAgents } from './agents.ts';
import { readyCount } from './replicas.ts';
import { breakWatches } from './retry.ts';
import { issueArrivals, reconnectWatches } from './arrivals.ts';
import { serve } from './service.ts';
import { stepFaults } from './faults.ts';
import { stepLeader, stepNodesReady } from './leases.ts';
import { stepDns } from './coredns.ts';
import { summarise } from './observe.ts';
import { checkQuiet, openCoarseWindow } from './quiescence.ts';

export function stepCluster(s: ClusterState, t: number, dt: number): void {
  s.t = t;
  s.baseDt = dt;
  s.held = true;
  if (s.quiet) {
    s.dns.advanceQuiet(dt);
    return;
  }
  if (s.coarseEnd > 0) {
    // Inside a coarse window: hold the state until its last step, then simulate the window whole.
    if (t + dt < s.coarseEnd - 1e-9) {
      s.coarseLagS += dt;
      return;
    }
    s.held = false;
    const from = s.coarseFrom;
    const span = s.coarseLagS + dt;
    s.coarseEnd = 0;
    s.coarseLagS = 0;
    stepFull(s, from, span, dt);
    s.t = t;
  } else {
    s.held = false;
    stepFull(s, t, dt, dt);
  }
  checkQuiet(s);
  openCoarseWindow(s, t + dt, dt);
}

/** Any outside action wakes the cluster up; the part of a coarse window already past is simulated first. */
export function wake(s: ClusterState): void {
  s.quiet = false;
  s.calmSteps = 0;
  if (s.coarseEnd > 0) {
    const t = s.t;
    const lag = s.coarseLagS;
    s.coarseEnd = 0;
    s.coarseLagS = 0;
    if (lag > 0) stepFull(s, s.coarseFrom, lag, s.baseDt);
    s.held = false;
    s.t = t;
  }
}

/** One step of `dt` from `t`; `baseDt` is the engine's step (dt is a multiple of it in a coarse step). */
function stepFull(s: ClusterState, t: number, dt: number, baseDt: number): void {
  const m = s.model;
  stepFaults(s, t);
  stepInfrastructure(s, t, dt);
  stepAgents(s, dt);
  const ready = readyCount(s);
  const wasAllDown = s.allDown;
  s.allDown = ready === 0;
  if (s.allDown && !wasAllDown) {
    for (let ci = 0; ci < s.classes.length; ci++) {
      const c = s.classes[ci] as ClientClass;
      if (c.informer) breakWatches(c, 1, t);
    }
  }

  // Client-side arrivals.
  const timeout = m.apiServer.requestTimeoutS;
  issueArrivals(s, dt, ready);
  reconnectWatches(s, t, dt, ready);

  if (ready > 0) serve(s, t, dt, ready, timeout);
  else {
    // Nothing is served; queued and in-flight requests already failed when the last replica died.
    for (let l = 0; l < s.levelUse.length; l++) {
      s.levelUse[l] = 0;
      s.levelQueued[l] = 0;
      s.levelCap[l] = 0;
      s.levelRejected[l] = 0;
    }
    s.memRatio = 0;
  }

  stepLeader(s, t, ready);
  stepNodesReady(s, dt, baseDt);
  stepDns(s, t, dt, ready);
  summarise(s, ready);
}
