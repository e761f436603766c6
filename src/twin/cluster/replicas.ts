/**
 * The API server replicas: each one ready, starting (filling its watch cache
 * from etcd) or down (crashed, waiting out kubelet's CrashLoopBackOff), with
 * its memory limit; a scale-up replacing them; and the external load
 * balancer's health-checked view of them, which lags their real state
 * (docs/model.md, "API servers and APF", "The load balancer").
 *
 * @example
 *   crash(s, r, 'oom'); // OOM kill: down, restart after the back-off
 *   stepReplicas(s, t); // restarts, start-ups, the load balancer's view
 */
import { WATCH_CACHE_WINDOW_S } from '../../model/kubernetes.ts';
import type { ClusterState, Replica } from './state.ts';
import { memoryLimitBytes } from '../../model/apiserver-memory.ts';
import { storeAsDoubles } from './doubles.ts';

export function newReplica(s: ClusterState, t: number, state: Replica['state']): Replica {
  const r: Replica = {
    state,
    until: t,
    readySince: t,
    memLimit: memoryLimitBytes(s.model.apiServer, s.tierMem * s.memFactor, s.rng.float()),
    restarts: 0,
    backoff: 0,
    lastCrash: -1e9,
    downSince: state === 'ready' ? -1e9 : t,
    lbHealthy: state === 'ready',
  };
  storeAsDoubles(r, REPLICA_FRACTIONAL_FIELDS);
  return r;
}

/** A replica's times and limit, fractional during a run (doubles.ts). */
const REPLICA_FRACTIONAL_FIELDS = ['until', 'readySince', 'memLimit', 'lastCrash', 'downSince'] as const satisfies readonly (keyof Replica)[];

/** Replicas ready now (kept by recountReady whenever a replica changes state). */
export function readyCount(s: ClusterState): number {
  return s.readyN;
}

export function recountReady(s: ClusterState): void {
  let n = 0;
  for (let i = 0; i < s.replicas.length; i++) if ((s.replicas[i] as Replica).state === 'ready') n++;
  s.readyN = n;
}

/** Start-up time of a replica: before serving, plus filling the watch cache from etcd. */
function startupS(s: ClusterState): number {
  const a = s.model.apiServer;
  return (a.startupS + s.storedBytes / a.startupBytesPerS) * (0.9 + 0.2 * s.rng.float());
}

/**
 * Why a replica restarted: `oom` — killed by the kernel for exceeding its memory limit (memory.ts);
 * `fault` — killed by an injected fault (the `kill-apiservers` action); `other` — any other cause.
 */
export type RestartCause = 'oom' | 'fault' | 'other';

/**
 * The replica crashes: down until its CrashLoopBackOff ends. The cluster counts its restarts by
 * cause; an OOM kill keeps the memory ratio that caused it (s.memRatio, set by checkMemory).
 */
export function crash(s: ClusterState, r: Replica, cause: RestartCause): void {
  const a = s.model.apiServer;
  if (cause === 'oom') {
    s.oomKills++;
    s.oomKillMemRatio = s.memRatio;
  } else if (cause === 'fault') s.faultKills++;
  else s.otherRestarts++;
  r.state = 'down';
  r.downSince = s.t;
  r.restarts++;
  r.backoff = r.backoff === 0 ? a.crashLoopInitialS : Math.min(a.crashLoopMaxS, r.backoff * 2);
  r.lastCrash = s.t;
  r.until = s.t + r.backoff * (0.9 + 0.2 * s.rng.float());
  s.restartsWindow.push(s.t);
  recountReady(s);
}

/** Share of ready replicas started within the watch-cache window (a watch resumed there gets 410). */
export function freshShare(s: ClusterState, t: number): number {
  let fresh = 0;
  let ready = 0;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state !== 'ready') continue;
    ready++;
    if (t - r.readySince < WATCH_CACHE_WINDOW_S) fresh++;
  }
  return ready === 0 ? 0 : fresh / ready;
}

/** Scale-up of the API servers lands: new machines replace the old ones one by one. */
export function landScaleUp(s: ClusterState, t: number): void {
  if (s.pendingScale !== null && t >= s.pendingScale.at) {
    const p = s.pendingScale;
    s.pendingScale = null;
    s.memFactor = p.memoryFactor;
    s.cpuFactor = p.cpuFactor;
    while (s.replicas.length < p.replicas) s.replicas.push(newReplica(s, t, 'starting'));
    for (const r of s.replicas) {
      r.memLimit = (r.memLimit * p.memoryFactor) / Math.max(1e-9, s.memFactorApplied);
      if (r.state !== 'ready') {
        r.state = 'starting';
        r.until = t + startupS(s);
        r.backoff = 0;
      }
    }
    s.memFactorApplied = p.memoryFactor;
  }
}

/** Replicas restart, start up and reset their back-off; the load balancer's view follows, lagging. */
export function stepReplicas(s: ClusterState, t: number): void {
  const a = s.model.apiServer;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state === 'down' && t >= r.until) {
      r.state = 'starting';
      r.until = t + startupS(s);
    } else if (r.state === 'starting' && t >= r.until) {
      r.state = 'ready';
      r.readySince = t;
    } else if (r.state === 'ready' && r.backoff > 0 && t - r.lastCrash > a.crashLoopResetS) {
      r.backoff = 0;
    }
    // The load balancer's view lags: healthy after passing checks for a while, unhealthy after
    // failing them for a while.
    if (r.state === 'ready') {
      if (!r.lbHealthy && t - r.readySince >= a.loadBalancer.healthyAfterS) r.lbHealthy = true;
    } else if (r.lbHealthy && t - r.downSince >= a.loadBalancer.unhealthyAfterS) r.lbHealthy = false;
  }
}

/** Restarts of every replica since the start. */
export function totalRestarts(s: ClusterState): number {
  let n = 0;
  for (let i = 0; i < s.replicas.length; i++) n += (s.replicas[i] as Replica).restarts;
  return n;
}
