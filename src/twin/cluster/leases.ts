/**
 * Leases the control plane lives by: the controllers' leader lease
 * (kube-controller-manager, kube-scheduler) and the kubelets' node leases.
 * Controllers act only while they hold the lease and their caches are
 * synced; a node is NotReady when none of its lease renewals in the grace
 * period succeeded (docs/model.md, "Controllers", "Nodes").
 *
 * @example
 *   stepLeader(s, t, ready);
 *   controllerHealth(s); // 0 while no synced leader can reach an API server
 */
import type { ClusterState } from './state.ts';
import { readyCount } from './replicas.ts';

/**
 * Controllers keep their leader lease while an API server answers; one that
 * cannot renew for the renew deadline exits, and its successor (or itself,
 * restarted) takes the lease once it has expired, then lists everything again
 * before acting (WaitForCacheSync). So controllers act again only after the
 * API has served long enough to complete their lists — not in the few seconds
 * a crash-looping API server lives.
 */
export function stepLeader(s: ClusterState, t: number, ready: number): void {
  const le = s.model.clients.leaderElection;
  const inf = s.controllerInformerClass;
  if (s.leader) {
    if (ready > 0) s.lastRenew = t;
    else if (t - s.lastRenew > le.renewDeadlineS) {
      s.leader = false;
      s.synced = false;
      if (inf !== undefined) {
        // "leaderelection lost": the process exits; its informer caches are gone.
        inf.pending += inf.watching + inf.rewatch;
        inf.watching = 0;
        inf.rewatch = 0;
        inf.wait = Math.min(inf.wait, inf.retryInitialS);
      }
    }
  } else if (ready > 0 && t - s.lastRenew >= le.leaseDurationS) {
    s.leader = true;
    s.lastRenew = t;
  }
  if (s.leader && !s.synced && (inf === undefined || inf.watching >= 0.99 * inf.n)) s.synced = true;
}

/** Share of controller requests that succeed (workload-high); 0 when no API server is ready or the controllers have no synced leader. */
export function controllerHealth(s: ClusterState): number {
  const c = s.controllerWrites;
  if (c === undefined || readyCount(s) === 0 || !s.leader || !s.synced) return 0;
  const done = c.ok + c.failed + c.rejected;
  return done <= 0 ? 1 : c.ok / done;
}

/** Node leases: the lease success ratio smoothed over the grace period gives the NotReady share. */
export function stepNodesReady(s: ClusterState, dt: number, baseDt: number): void {
  const c = s.classes[0];
  if (c === undefined) return;
  const done = c.ok + c.failed + c.rejected;
  const okShare = done > 0 ? c.ok / done : readyCount(s) > 0 ? 1 : 0;
  const g = s.model.clients.nodeMonitorGraceS;
  // A coarse step is the same average taken once per engine step.
  for (let k = Math.max(1, Math.round(dt / baseDt)); k > 0; k--) s.leaseOkEma += ((okShare - s.leaseOkEma) * baseDt) / g;
  // A node is NotReady when none of its lease renewals in the grace period succeeded.
  const tries = g / s.model.clients.leasePeriodS;
  if (s.leaseOkEma !== s.notReadyEma) {
    s.notReadyEma = s.leaseOkEma;
    s.notReady = Math.pow(Math.max(0, 1 - s.leaseOkEma), tries);
  }
}
