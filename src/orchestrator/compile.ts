/**
 * Compiles a RolloutPlan over a fleet into a RolloutSpec: the clusters it
 * covers, their waves and node batches, the gates expanded over the metric
 * source's priority levels (and the built-in gates the source cannot serve,
 * listed rather than silently dropped), the identities and budgets. The spec
 * is plain data (JSON): it is stored with the rollout's state so that a
 * restarted orchestrator, or `firebreak rollout status`, decides with exactly
 * the same plan.
 *
 * Problems are returned with their field path in the plan document
 * (`spec.waves.list[2].clusters.names[0]`); src/input/plan.ts locates them in
 * the YAML file.
 *
 * @example
 *   const r = compileRollout(plan, clusters, { change: { name: 'agent', kind: 'DaemonSet', namespace: 'telemetry' }, seed: 1 });
 *   if (r.spec !== undefined) r.spec.waves[1]?.clusters; // cluster indexes of wave 2
 */
import { selects, type Cluster, type ClusterSelector, type SizeClass } from '../model/fleet.ts';
import { seriesName, type GateSeries, type GateSpec } from './gates.ts';
import type { Identity } from './ports.ts';
import { BREAK_GLASS_LEVEL, type BudgetPolicy, type EvaluationPolicy, type RolloutPlan, type RollbackPolicy } from './plan.ts';
import { explicitWaves, generateWaves, resolveBatches, type ResolvedBatch } from './waves.ts';

export const ROLLOUT_SPEC_VERSION = 1;

export interface SpecCluster {
  readonly name: string;
  readonly nodes: number;
  readonly sizeClass: SizeClass;
  /** 0-based wave index. */
  readonly wave: number;
  readonly batches: readonly ResolvedBatch[];
}

export interface SpecWave {
  readonly name: string;
  /** Indexes into RolloutSpec.clusters, in start order. */
  readonly clusters: readonly number[];
  readonly approval: boolean;
  readonly bakeS: number;
  readonly maxConcurrency: number;
}

export interface UnavailableGate {
  readonly gate: string;
  readonly metric: string;
  readonly reason: string;
}

export interface RolloutSpec {
  readonly version: typeof ROLLOUT_SPEC_VERSION;
  readonly name: string;
  /** Seeds the backoff jitter. */
  readonly seed: number;
  readonly change: { readonly name: string; readonly kind: 'DaemonSet' | 'Deployment'; readonly namespace: string };
  readonly clusters: readonly SpecCluster[];
  readonly waves: readonly SpecWave[];
  readonly batchBakeS: number;
  readonly gates: readonly GateSeries[];
  readonly unavailableGates: readonly UnavailableGate[];
  readonly evaluation: EvaluationPolicy;
  readonly rollback: RollbackPolicy;
  readonly identity: Identity;
  readonly breakGlass: Identity;
  readonly budget: BudgetPolicy;
}

export interface PlanProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
}

export interface CompileContext {
  /** The workload being rolled out (from the twin's scenario or the plan's manifests). */
  readonly change: { readonly name: string; readonly kind: 'DaemonSet' | 'Deployment'; readonly namespace: string };
  readonly seed: number;
  /** What the metric source serves; without it every gate is assumed available (e.g. `plan show`). */
  readonly metrics?: { serves(metric: string): boolean; levels(): readonly string[]; readonly name: string };
  /** Priority levels the target knows, to check the plan's identity. */
  readonly priorityLevels?: readonly string[];
}

export type CompileResult = { readonly spec: RolloutSpec; readonly problems: readonly [] } | { readonly spec?: undefined; readonly problems: readonly PlanProblem[] };

function checkNames(sel: ClusterSelector, fleet: readonly Cluster[], path: readonly (string | number)[], problems: PlanProblem[]): void {
  const known = new Set(fleet.map((c) => c.name));
  (sel.names ?? []).forEach((n, i) => {
    if (!known.has(n)) problems.push({ path: [...path, 'names', i], message: `no cluster named \`${n}\` in the fleet`, hint: 'check the name against the fleet file' });
  });
}

/** Compiles `plan` over `fleet`. Never throws for plan mistakes: they come back as problems. */
export function compileRollout(plan: RolloutPlan, fleet: readonly Cluster[], ctx: CompileContext): CompileResult {
  const problems: PlanProblem[] = [];
  checkNames(plan.clusters, fleet, ['spec', 'clusters'], problems);
  const selected = fleet.filter((c) => selects(plan.clusters, c));
  if (selected.length === 0 && problems.length === 0) {
    problems.push({ path: ['spec', 'clusters'], message: `the selector matches none of the fleet's ${fleet.length} clusters`, hint: 'widen spec.clusters (an empty selector takes every cluster)' });
  }

  let waveLists: Cluster[][] = [];
  const waveMeta: { name: string; approval: boolean; bakeS: number; maxConcurrency: number }[] = [];
  if (plan.waves.kind === 'generate') {
    const g = plan.waves;
    waveLists = generateWaves(selected, g);
    waveLists.forEach((_, i) => waveMeta.push({ name: `wave-${i + 1}`, approval: g.approvalBefore.includes(i + 1), bakeS: plan.bake.waveS, maxConcurrency: plan.maxConcurrency }));
    g.approvalBefore.forEach((w, i) => {
      if (w > waveLists.length && selected.length > 0) {
        problems.push({ path: ['spec', 'waves', 'generate', 'approvalBefore', i], message: `wave ${w} does not exist: the strategy makes ${waveLists.length} waves over these clusters`, hint: `use a wave number from 1 to ${waveLists.length}` });
      }
    });
  } else {
    const list = plan.waves.waves;
    list.forEach((w, i) => checkNames(w.clusters, fleet, ['spec', 'waves', 'list', i, 'clusters'], problems));
    if (selected.length > 0) {
      const r = explicitWaves(selected, list);
      waveLists = r.waves;
      for (const p of r.problems) problems.push({ path: p.wave < 0 ? ['spec', 'waves', 'list'] : ['spec', 'waves', 'list', p.wave], message: p.message, hint: p.hint });
    }
    list.forEach((w) => waveMeta.push({ name: w.name, approval: w.approval, bakeS: w.bakeS ?? plan.bake.waveS, maxConcurrency: w.maxConcurrency ?? plan.maxConcurrency }));
  }

  const daemonSet = ctx.change.kind === 'DaemonSet';
  const clusters: SpecCluster[] = [];
  const waves: SpecWave[] = waveLists.map((list, wi) => {
    const idx = list.map((c) => {
      clusters.push({ name: c.name, nodes: c.nodes, sizeClass: c.sizeClass, wave: wi, batches: daemonSet ? resolveBatches(c.nodes, plan.nodeBatches) : [{ nodes: c.nodes, fraction: 1 }] });
      return clusters.length - 1;
    });
    const m = waveMeta[wi] ?? { name: `wave-${wi + 1}`, approval: false, bakeS: plan.bake.waveS, maxConcurrency: plan.maxConcurrency };
    return { name: m.name, clusters: idx, approval: m.approval, bakeS: m.bakeS, maxConcurrency: m.maxConcurrency };
  });

  // Gates: expand per-level gates over the source's levels; report what the source lacks.
  const gates: GateSeries[] = [];
  const unavailable: UnavailableGate[] = [];
  const src = ctx.metrics;
  plan.gates.forEach((g: GateSpec, i) => {
    if (!g.enabled) return;
    if (g.kind === 'rollout') {
      gates.push({ gate: g, series: g.name });
      return;
    }
    if (src !== undefined && !src.serves(g.metric)) {
      if (g.custom) {
        problems.push({ path: ['spec', 'gates', 'custom', customIndex(plan.gates, i), 'metric'], message: `the metric source \`${src.name}\` has no metric \`${g.metric}\``, hint: 'use a metric the source serves, or disable the gate' });
      } else {
        unavailable.push({ gate: g.name, metric: g.metric, reason: `the metric source \`${src.name}\` has no ${g.metric}` });
      }
      return;
    }
    if (g.perLevel) {
      const levels = src?.levels() ?? [];
      for (const l of levels) gates.push({ gate: g, series: seriesName(g.metric, l) });
    } else {
      gates.push({ gate: g, series: g.metric });
    }
  });

  const levels = ctx.priorityLevels;
  if (levels !== undefined && !levels.includes(plan.identity.priorityLevel)) {
    problems.push({ path: ['spec', 'identity', 'priorityLevel'], message: `priority level \`${plan.identity.priorityLevel}\` is not a level of the target clusters (${levels.join(', ')})`, hint: 'use one of the levels, e.g. workload-low for a service account outside kube-system' });
  }

  if (problems.length > 0) return { problems };
  return {
    problems: [],
    spec: {
      version: ROLLOUT_SPEC_VERSION,
      name: plan.name,
      seed: ctx.seed,
      change: ctx.change,
      clusters,
      waves,
      batchBakeS: plan.bake.batchS,
      gates,
      unavailableGates: unavailable,
      evaluation: plan.evaluation,
      rollback: plan.rollback,
      identity: { name: plan.identity.name, priorityLevel: plan.identity.priorityLevel, breakGlass: false },
      breakGlass: { name: plan.rollback.breakGlassIdentity, priorityLevel: BREAK_GLASS_LEVEL, breakGlass: true },
      budget: plan.budget,
    },
  };
}

/** Index of the i-th gate among the plan's custom gates (they follow the built-in ones). */
function customIndex(gates: readonly GateSpec[], i: number): number {
  let k = 0;
  for (let j = 0; j < i; j++) if (gates[j]?.custom === true) k++;
  return k;
}

/** Plan mistakes found when compiling against a fleet; src/input/plan.ts turns them into located problems. */
export class PlanCompileError extends Error {
  readonly code = 'FB_PLAN';
  readonly problems: readonly PlanProblem[];
  constructor(problems: readonly PlanProblem[]) {
    super(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));
    this.name = 'PlanCompileError';
    this.problems = problems;
  }
}
