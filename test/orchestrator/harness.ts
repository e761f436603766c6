/**
 * A scripted world for the decision core: it answers every command the core
 * issues (snapshot, apply, evaluate, kill switch, delete, notify) from a
 * small script, advances time one second at a time, delivers ticks when
 * `nextWake` says so, and records every phase transition. No persistence,
 * no twin: the core alone.
 */
import { compileRollout, type RolloutSpec } from '../../src/orchestrator/compile.ts';
import {
  decide,
  initialState,
  isTerminal,
  nextWake,
  evaluateTargets,
  type ClusterEvaluation,
  type ClusterPhase,
  type GateScope,
  type RolloutCommand,
  type RolloutEvent,
  type RolloutPhase,
  type RolloutState,
} from '../../src/orchestrator/core.ts';
import type { GateResult } from '../../src/orchestrator/gates.ts';
import type { TargetOutcome } from '../../src/orchestrator/ports.ts';
import { defaultPlan, type RolloutPlan } from '../../src/orchestrator/plan.ts';
import { expandFleet, type Cluster } from '../../src/model/fleet.ts';

export const T0 = Date.parse('2024-12-11T22:00:00Z');

/** A small fleet: three small clusters, a medium and a large one. */
export function smallFleet(): Cluster[] {
  return expandFleet(
    {
      clusters: [
        { name: 'a', nodes: 50 },
        { name: 'b', nodes: 80 },
        { name: 'c', nodes: 120 },
        { name: 'm', nodes: 900 },
        { name: 'l', nodes: 3000 },
      ],
    },
    1,
  );
}

/** Two explicit waves over the small fleet: [a], then [b, c]; batches 1 node then 100 %. */
export function smallPlan(over: Partial<RolloutPlan> = {}): RolloutPlan {
  const p = defaultPlan('test');
  return {
    ...p,
    waves: {
      kind: 'list',
      waves: [
        { name: 'one', clusters: { names: ['a'] }, approval: false },
        { name: 'two', clusters: { names: ['b', 'c'] }, approval: false },
      ],
    },
    clusters: { names: ['a', 'b', 'c'] },
    nodeBatches: [{ nodes: 1 }, { percent: 100 }],
    bake: { batchS: 60, waveS: 60 },
    ...over,
  };
}

export function specOf(plan: RolloutPlan, fleet: readonly Cluster[] = smallFleet()): RolloutSpec {
  const r = compileRollout(plan, fleet, { change: { name: 'agent', kind: 'DaemonSet', namespace: 'default' }, seed: 7 });
  if (r.spec === undefined) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

/** How the scripted world answers. Every function gets the world's time in seconds since T0. */
export interface Script {
  /** Seconds from an apply to its pods being ready (default 20). */
  readyAfterS?: number;
  apply?: (cluster: string, batch: number, attempt: number, t: number) => TargetOutcome;
  remove?: (cluster: string, breakGlass: boolean, attempt: number, t: number) => TargetOutcome;
  killSwitch?: (cluster: string, t: number) => TargetOutcome;
  /** Gate issues of a cluster at time t (default none). */
  gates?: (cluster: string, scope: GateScope, t: number) => GateResult[];
  /** Status reads fail (API saturated) for this cluster at time t. */
  statusFails?: (cluster: string, breakGlass: boolean, t: number) => boolean;
  /** People's events at given seconds. */
  people?: readonly { readonly atS: number; readonly event: (at: number) => RolloutEvent }[];
}

export const OK: TargetOutcome = { ok: true, reason: 'served', latencyS: 0.01 };
export const REFUSED: TargetOutcome = { ok: false, reason: 'connection refused: no API server ready', latencyS: 0 };

export interface Trace {
  readonly state: RolloutState;
  readonly commands: RolloutCommand[];
  readonly events: RolloutEvent[];
  readonly rollout: Set<string>;
  readonly cluster: Set<string>;
  /** Seconds since T0 when the run stopped. */
  readonly endS: number;
  /** Ticks that changed nothing and asked for nothing (each would be a useless log record). */
  readonly idleTicks: number;
}

/** A gate issue, as the shell would report it. */
export function issue(gate: string, verdict: GateResult['verdict'], reason: GateResult['reason'], critical: boolean, extra: Partial<GateResult> = {}): GateResult {
  return { gate, series: gate, verdict, reason, critical, value: 1, threshold: null, before: 0, baselineValue: 0, effect: null, allowed: null, p: null, canarySamples: 8, baselineSamples: 32, baselineClusters: 4, ...extra };
}

/** Runs the core against the script for up to `maxS` seconds (or until terminal + `tailS`). */
export function run(spec: RolloutSpec, script: Script = {}, maxS = 6 * 3600, tailS = 0): Trace {
  let state = initialState(spec);
  const commands: RolloutCommand[] = [];
  const events: RolloutEvent[] = [];
  const rolloutT = new Set<string>();
  const clusterT = new Set<string>();
  const applied = new Map<string, { fraction: number; at: number }>();
  const present = new Set<string>();
  const killed = new Set<string>();
  const attempts = new Map<string, number>();
  const queue: RolloutCommand[] = [];
  const readyAfter = (script.readyAfterS ?? 20) * 1000;
  let idleTicks = 0;
  const feed = (e: RolloutEvent): void => {
    const before = state;
    const d = decide(spec, state, e);
    state = d.state;
    if (e.kind === 'tick' && d.commands.length === 0 && JSON.stringify({ ...d.state, now: 0, decisions: 0 }) === JSON.stringify({ ...before, now: 0, decisions: 0 })) idleTicks++;
    events.push(e);
    if (before.phase !== state.phase) rolloutT.add(`${before.phase}->${state.phase}`);
    state.clusters.forEach((c, i) => {
      const b = before.clusters[i];
      if (b !== undefined && b.phase !== c.phase) clusterT.add(`${b.phase}->${c.phase}`);
    });
    for (const c of d.commands) {
      commands.push(c);
      queue.push(c);
    }
  };
  const exec = (c: RolloutCommand, at: number): RolloutEvent => {
    const t = (at - T0) / 1000;
    const count = (k: string): number => {
      const n = (attempts.get(k) ?? 0) + 1;
      attempts.set(k, n);
      return n;
    };
    switch (c.kind) {
      case 'snapshot':
        return { kind: 'snapshot-result', at, commandId: c.id, cluster: c.cluster, canary: { m: 1 }, baselines: Object.fromEntries(c.baselines.map((b) => [b, { m: 1 }])) };
      case 'apply': {
        const out = script.apply?.(c.cluster, c.batch, count(`apply:${c.cluster}:${c.batch}`), t) ?? OK;
        if (out.ok) {
          applied.set(c.cluster, { fraction: c.nodeFraction, at });
          present.add(c.cluster);
          killed.delete(c.cluster);
        }
        return { kind: 'apply-result', at, commandId: c.id, cluster: c.cluster, batch: c.batch, outcome: out };
      }
      case 'evaluate': {
        const clusters: ClusterEvaluation[] = [];
        const clean: string[] = [];
        for (const x of evaluateTargets(c)) {
          const sc = spec.clusters.find((k) => k.name === x.cluster);
          const a = applied.get(x.cluster);
          const desired = present.has(x.cluster) && a !== undefined && sc !== undefined ? Math.max(1, Math.round(a.fraction * sc.nodes)) : 0;
          const ready = killed.has(x.cluster) || !present.has(x.cluster) || a === undefined ? 0 : at - a.at >= readyAfter ? desired : 0;
          const fails = x.status !== undefined && (script.statusFails?.(x.cluster, x.status === 'break-glass', t) ?? false);
          const status = x.status === undefined ? undefined : fails ? { ok: false, reason: 'refused', present: false, desired: 0, ready: 0 } : { ok: true, reason: 'served', present: present.has(x.cluster), desired, ready };
          const issues = x.gates === 'none' ? [] : (script.gates?.(x.cluster, x.gates, t) ?? []);
          if (x.gates !== 'none' && issues.length === 0 && status === undefined) clean.push(x.cluster);
          else clusters.push({ cluster: x.cluster, gates: x.gates, passed: 10, issues, ...(status !== undefined ? { status } : {}) });
        }
        return { kind: 'evaluation', at, commandId: c.id, clusters, clean };
      }
      case 'kill-switch': {
        const out = script.killSwitch?.(c.cluster, t) ?? OK;
        if (out.ok) killed.add(c.cluster);
        return { kind: 'kill-switch-result', at, commandId: c.id, cluster: c.cluster, outcome: out };
      }
      case 'delete': {
        const out = script.remove?.(c.cluster, c.identity.breakGlass, count(`delete:${c.cluster}`), t) ?? OK;
        if (out.ok) {
          present.delete(c.cluster);
          killed.add(c.cluster);
        }
        return { kind: 'delete-result', at, commandId: c.id, cluster: c.cluster, breakGlass: c.identity.breakGlass, outcome: out };
      }
      case 'notify':
        return { kind: 'notified', at, commandId: c.id };
    }
  };
  let endS = 0;
  let terminalAt: number | null = null;
  const people = [...(script.people ?? [])];
  for (let s = 0; s <= maxS; s++) {
    const now = T0 + s * 1000;
    endS = s;
    if (s === 0) feed({ kind: 'start', at: now });
    for (const p of people.filter((x) => x.atS === s)) feed(p.event(now));
    const w = nextWake(spec, state);
    if (w !== null && w <= now) feed({ kind: 'tick', at: now });
    while (queue.length > 0) feed(exec(queue.shift() as RolloutCommand, now));
    if (isTerminal(state)) {
      terminalAt ??= s;
      if (s - terminalAt >= tailS) break;
    }
  }
  return { state, commands, events, rollout: rolloutT, cluster: clusterT, endS, idleTicks };
}

export function phaseOf(t: Trace, spec: RolloutSpec, name: string): ClusterPhase | undefined {
  return t.state.clusters[spec.clusters.findIndex((c) => c.name === name)]?.phase;
}

export type { RolloutPhase };
