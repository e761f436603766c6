/**
 * Actions on one cluster (the scenario's events, operators, the
 * orchestrator): apply or remove the change, shed it with a FlowSchema, scale
 * nodes or API servers, block network sources, slow etcd, kill the API
 * servers, restart CoreDNS. Each wakes the cluster first (step.ts).
 *
 * @example
 *   applyChange(s, 0.1);       // 10 % of the nodes
 *   removeChange(s, 'api');
 */
import type { BlockSource } from '../scenario.ts';
import type { ClusterState } from './state.ts';
import { wake } from './step.ts';
import type { Replica } from './state.ts';
import { crash } from './replicas.ts';

/**
 * Apply the change to `fraction` of the nodes (cumulative: node batches raise it) at `now`, the
 * engine's time of the action. Actions land between steps, where `s.t` still holds the start of
 * the step the cluster last ran (one step earlier), so the change's times are stamped with `now`.
 */
export function applyChange(s: ClusterState, fraction: number, now: number): void {
  wake(s);
  if (s.change === undefined) return;
  if (s.changeAppliedAtS === null) s.changeAppliedAtS = now;
  s.changeDeployed = true;
  s.killSwitch = false;
  s.killLeft = 0;
  s.killRate = 0;
  s.changeFraction = Math.max(s.changeFraction, Math.min(1, fraction));
}

/**
 * Remove the change. `api`: the workload and its pods are deleted in one call
 * (cascading delete / deletecollection), so the pods are gone from etcd at
 * once, but each agent keeps running until its kubelet sees the deletion
 * through its own watch. `kill-switch`: agents are told to stop out of band: those whose node
 * reaches the switch's endpoint (model.change.killSwitch.reach) stop at their guard's next poll,
 * spread over one poll interval (pollS); the others keep running until their kubelet sees the
 * pods' deletion, as after an API delete. `now`: the engine's time of the action (applyChange).
 */
export function removeChange(s: ClusterState, via: 'api' | 'kill-switch', now: number): void {
  wake(s);
  if (s.changeDeployed) s.changeRemovedAtS = now;
  s.changeDeployed = false;
  s.changeFraction = 0;
  s.starting.fill(0);
  if (via === 'kill-switch') {
    // Agents that reach the switch stop at their next poll, spread over one interval (agents.ts).
    const k = s.model.change.killSwitch;
    s.killSwitch = true;
    s.killLeft = s.agentsRunning * k.reach;
    s.killRate = s.killLeft / Math.max(1e-9, k.pollS);
  }
  s.deletedNotStopped = s.agentsCreated;
  s.agentsToDelete = 0;
}

/** The change's service account is routed to a rejecting priority level (an APF FlowSchema). */
export function shedChange(s: ClusterState): void {
  wake(s);
  s.changeShed = true;
}

export function scaleNodes(s: ClusterState, fraction: number, overS: number): void {
  wake(s);
  s.nodeTarget = Math.max(1, Math.round(s.originalNodes * fraction));
  s.nodeRate = Math.abs(s.nodeTarget - s.nodes) / Math.max(1, overS);
}

export function scaleApiServers(s: ClusterState, replicas: number, memoryFactor: number, cpuFactor: number, provisionS: number): void {
  wake(s);
  s.pendingScale = { at: s.t + provisionS, replicas, memoryFactor, cpuFactor };
}

export function block(s: ClusterState, sources: readonly BlockSource[], overS: number): void {
  wake(s);
  for (const k of sources) {
    s.blockTarget[k] = 1;
    s.blockRate[k] = 1 / Math.max(1, overS);
  }
}

export function unblock(s: ClusterState, overS: number): void {
  wake(s);
  for (const k of ['nodes', 'change', 'workloads'] as const) {
    s.blockTarget[k] = 0;
    s.blockRate[k] = 1 / Math.max(1, overS);
  }
}

export function etcdSlowdown(s: ClusterState, factor: number, durationS: number): void {
  wake(s);
  s.etcdSlowdown = factor;
  s.etcdSlowUntil = s.t + durationS;
}

export function killApiServers(s: ClusterState): void {
  wake(s);
  for (const r of s.replicas) if (r.state !== 'down') crash(s, r, 'fault');
}

/**
 * Fault: the control plane's hosts are lost. Every replica stops now and stays down for
 * `durationS`; then each starts (start-up, cold cache).
 */
export function controlPlaneDown(s: ClusterState, durationS: number): void {
  wake(s);
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state !== 'down') crash(s, r, 'fault');
    // Its host is gone: no CrashLoopBackOff restart until it is back, and none after (a fresh start).
    r.until = s.t + durationS;
    r.backoff = 0;
  }
}

/** Replace the hosts one by one, `everyS` apart, starting now; each replica is gone `downS`. */
export function replaceHosts(s: ClusterState, everyS: number, downS: number): void {
  wake(s);
  s.replaceNext = 0;
  s.replaceAtS = s.t;
  s.replaceEveryS = everyS;
  s.replaceDownS = downS;
}

export function restartCoreDns(s: ClusterState): void {
  wake(s);
  s.dns.restartAll(s.t);
}
