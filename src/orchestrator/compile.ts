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
 * (`spec.waves.list[2].clusters.names[0]`); src/input/rollout-spec.ts, the
 * one place that compiles plans, locates them in the YAML file.
 *
 * @example
 *   const compiled = compileRollout(plan, clusters, { change: { name: 'agent', kind: 'DaemonSet', namespace: 'telemetry' }, seed: 1 });
 *   if (compiled.spec !== undefined) compiled.spec.waves[1]?.clusters; // cluster indexes of wave 2
 */
import { selects, type Cluster, type ClusterSelector, type SizeClass } from '../model/fleet.ts';
import type { GateSeries, GateSpec } from './gate-catalogue.ts';
import { seriesName, type Identity, type MetricCatalogue } from './ports.ts';
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
  readonly metrics?: MetricCatalogue;
  /** Priority levels the target knows, to check the plan's identity. */
  readonly priorityLevels?: readonly string[];
}

export type CompileResult = { readonly spec: RolloutSpec; readonly problems: readonly [] } | { readonly spec?: undefined; readonly problems: readonly PlanProblem[] };

function checkNames(selector: ClusterSelector, fleet: readonly Cluster[], path: readonly (string | number)[], problems: PlanProblem[]): void {
  const known = new Set(fleet.map((cluster) => cluster.name));
  (selector.names ?? []).forEach((name, i) => {
    if (!known.has(name)) problems.push({ path: [...path, 'names', i], message: `no cluster named \`${name}\` in the fleet`, hint: 'check the name against the fleet file' });
  });
}

/** Compiles `plan` over `fleet`. Never throws for plan mistakes: they come back as problems. */
export function compileRollout(plan: RolloutPlan, fleet: readonly Cluster[], ctx: CompileContext): CompileResult {
  const problems: PlanProblem[] = [];
  checkNames(plan.clusters, fleet, ['spec', 'clusters'], problems);
  const selected = fleet.filter((cluster) => selects(plan.clusters, cluster));
  if (selected.length === 0 && problems.length === 0) {
    problems.push({ path: ['spec', 'clusters'], message: `the selector matches none of the fleet's ${fleet.length} clusters`, hint: 'widen spec.clusters (an empty selector takes every cluster)' });
  }

  let waveLists: Cluster[][] = [];
  const waveMeta: { name: string; approval: boolean; bakeS: number; maxConcurrency: number }[] = [];
  if (plan.waves.kind === 'generate') {
    const strategy = plan.waves;
    waveLists = generateWaves(selected, strategy);
    waveLists.forEach((_, i) => waveMeta.push({ name: `wave-${i + 1}`, approval: strategy.approvalBefore.includes(i + 1), bakeS: plan.bake.waveS, maxConcurrency: plan.maxConcurrency }));
    strategy.approvalBefore.forEach((wave, i) => {
      if (wave > waveLists.length && selected.length > 0) {
        problems.push({ path: ['spec', 'waves', 'generate', 'approvalBefore', i], message: `wave ${wave} does not exist: the strategy makes ${waveLists.length} waves over these clusters`, hint: `use a wave number from 1 to ${waveLists.length}` });
      }
    });
  } else {
    const list = plan.waves.waves;
    list.forEach((wave, i) => checkNames(wave.clusters, fleet, ['spec', 'waves', 'list', i, 'clusters'], problems));
    if (selected.length > 0) {
      const explicit = explicitWaves(selected, list);
      waveLists = explicit.waves;
      for (const problem of explicit.problems) problems.push({ path: problem.wave < 0 ? ['spec', 'waves', 'list'] : ['spec', 'waves', 'list', problem.wave], message: problem.message, hint: problem.hint });
    }
    list.forEach((wave) => waveMeta.push({ name: wave.name, approval: wave.approval, bakeS: wave.bakeS ?? plan.bake.waveS, maxConcurrency: wave.maxConcurrency ?? plan.maxConcurrency }));
  }

  const daemonSet = ctx.change.kind === 'DaemonSet';
  const clusters: SpecCluster[] = [];
  const waves: SpecWave[] = waveLists.map((list, waveIndex) => {
    const indexes = list.map((cluster) => {
      clusters.push({ name: cluster.name, nodes: cluster.nodes, sizeClass: cluster.sizeClass, wave: waveIndex, batches: daemonSet ? resolveBatches(cluster.nodes, plan.nodeBatches) : [{ nodes: cluster.nodes, fraction: 1 }] });
      return clusters.length - 1;
    });
    const meta = waveMeta[waveIndex] ?? { name: `wave-${waveIndex + 1}`, approval: false, bakeS: plan.bake.waveS, maxConcurrency: plan.maxConcurrency };
    return { name: meta.name, clusters: indexes, approval: meta.approval, bakeS: meta.bakeS, maxConcurrency: meta.maxConcurrency };
  });

  // Gates: expand per-level gates over the source's levels; report what the source lacks.
  const gates: GateSeries[] = [];
  const unavailable: UnavailableGate[] = [];
  const source = ctx.metrics;
  plan.gates.forEach((gate: GateSpec, i) => {
    if (!gate.enabled) return;
    if (gate.kind === 'rollout') {
      gates.push({ gate, series: gate.name });
      return;
    }
    if (source !== undefined && !source.serves(gate.metric)) {
      if (gate.custom) {
        problems.push({ path: ['spec', 'gates', 'custom', customIndex(plan.gates, i), 'metric'], message: `the metric source \`${source.name}\` has no metric \`${gate.metric}\``, hint: 'use a metric the source serves, or disable the gate' });
      } else {
        unavailable.push({ gate: gate.name, metric: gate.metric, reason: `the metric source \`${source.name}\` has no ${gate.metric}` });
      }
      return;
    }
    if (gate.perLevel) {
      for (const level of source?.levels() ?? []) gates.push({ gate, series: seriesName(gate.metric, level) });
    } else {
      gates.push({ gate, series: gate.metric });
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
  let custom = 0;
  for (let j = 0; j < i; j++) if (gates[j]?.custom === true) custom++;
  return custom;
}
