/**
 * The cluster's infrastructure moving toward what actions asked for: an API
 * server scale-up landing, replicas restarting, nodes added or removed at a
 * rate (their clients and agents with them), network blocks ramping in or
 * out, an etcd fault ending. The first part of every full step.
 *
 * @example
 *   stepInfrastructure(s, t, dt);
 */
import type { BlockSource } from '../scenario.ts';
import type { ClusterState } from './state.ts';
import { landScaleUp, recountReady, stepReplicas } from './replicas.ts';
import { recost, scaleClass } from './clients.ts';

const BLOCK_SOURCES = ['nodes', 'change', 'workloads'] as const;

export function stepInfrastructure(s: ClusterState, t: number, dt: number): void {
  landScaleUp(s, t);
  stepReplicas(s, t);
  // Node count moving toward its target.
  if (s.nodes !== s.nodeTarget) {
    const step = s.nodeRate * dt;
    const before = s.nodes;
    s.nodes = s.nodes < s.nodeTarget ? Math.min(s.nodeTarget, s.nodes + step) : Math.max(s.nodeTarget, s.nodes - step);
    resizeNodeClients(s, before, s.nodes);
  }
  const b = s.block;
  const bt = s.blockTarget;
  if (b.nodes !== bt.nodes || b.change !== bt.change || b.workloads !== bt.workloads) {
    for (let i = 0; i < BLOCK_SOURCES.length; i++) {
      const k = BLOCK_SOURCES[i] as BlockSource;
      const cur = b[k];
      const target = bt[k];
      if (cur !== target) b[k] = cur < target ? Math.min(target, cur + s.blockRate[k] * dt) : Math.max(target, cur - s.blockRate[k] * dt);
    }
  }
  if (s.etcdSlowdown !== 1 && t >= s.etcdSlowUntil) s.etcdSlowdown = 1;
  recountReady(s);
}

function resizeNodeClients(s: ClusterState, before: number, after: number): void {
  const k = after / Math.max(1e-9, before);
  for (const c of s.classes) {
    if (c.perNode <= 0) continue;
    scaleClass(c, k);
    c.n = c.perNode * after;
  }
  // Agents on removed nodes go with them.
  const kk = Math.min(1, k);
  s.agentsRunning *= kk;
  s.agentsCreated *= kk;
  s.agentsToDelete *= kk;
  // Pods created but not started yet were on nodes too: the removed nodes' share goes with them.
  if (kk < 1) for (let i = 0; i < s.starting.length; i++) s.starting[i] = (s.starting[i] ?? 0) * kk;
  for (const c of s.changeClasses) {
    scaleClass(c, kk);
    c.n *= kk;
  }
  recost(s);
}
