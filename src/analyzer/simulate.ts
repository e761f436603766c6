/**
 * `analyze --simulate`: the derived profiles become a change in the fleet
 * twin (through its public face, src/twin/index.ts), rolled out to every
 * cluster at once at +10 min and simulated for 2 hours, and the outcome is
 * compared with the estimate. The twin runs one change per scenario, so each
 * workload with API calls is simulated on its own (its estimate alone is what
 * it is compared with). ("Rehearse" is the orchestrator's word: a rollout
 * plan run against the twin; this runs only the change.)
 *
 * In danger, for the twin: the control plane was lost (report
 * `controlPlane.lostAt`, docs/report-format.md) or an API server was
 * OOM-killed. For the estimate: verdict block.
 *
 * @example
 *   const sim = simulateInTwin(result.profiles, result.planned, fleet.clusters);
 *   sim.disagreements; // clusters where the twin and the estimate disagree on danger
 */
import type { Cluster } from '../model/fleet.ts';
import { DEFAULT_MODEL } from '../model/defaults.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import { Twin, type ChangeSpec, type Scenario } from '../twin/index.ts';
import { estimate, type PlannedWorkload } from './estimate.ts';
import type { Verdict, WorkloadProfile } from './types.ts';
import { roundDecimals } from '../core/number.ts';

export const SIMULATION_APPLY_AT_S = 600;
export const SIMULATION_DURATION_S = 2 * 3600;

export interface SimulatedCluster {
  readonly name: string;
  readonly nodes: number;
  /** The estimate for this workload alone. */
  readonly estimate: Verdict;
  /** The estimate's largest memory ratio (steady, rollout, relist). */
  readonly estimateMemoryRatio: number;
  readonly lostAt: string | null;
  readonly apiServerRestarts: number;
  /** Highest instantaneous API-server memory / limit seen in the twin. */
  readonly peakMemoryRatio: number;
  readonly twinInDanger: boolean;
  readonly agree: boolean;
}

export interface SimulatedWorkload {
  readonly workload: string;
  /** Leader-only calls the twin could not run beside the workload's per-pod calls (present when any). */
  readonly notSimulated?: readonly string[];
  readonly clusters: readonly SimulatedCluster[];
  readonly lost: number;
  readonly oomKilled: number;
  readonly agree: number;
}

export interface TwinSimulation {
  readonly seed: number;
  readonly applyAtSeconds: number;
  readonly durationSeconds: number;
  readonly workloads: readonly SimulatedWorkload[];
  /** Clusters where the twin and the estimate disagree on danger, over all workloads. */
  readonly disagreements: number;
}

/**
 * The twin's change for one workload's profile. The twin's change runs every call on every pod.
 * Leader-only calls are one client per cluster: simulated as such when they are all the workload
 * does (a one-replica Deployment), else left out (reported in `notSimulated`).
 */
export function twinChange(p: WorkloadProfile, pw: PlannedWorkload): ChangeSpec {
  const w = p.workload;
  const leader = pw.leaderCalls ?? new Set<string>();
  const onlyLeader = leader.size > 0 && pw.calls.every((c) => leader.has(c.name));
  return {
    name: w.name,
    kind: w.perNode && !onlyLeader ? 'DaemonSet' : 'Deployment',
    namespace: w.namespace,
    serviceAccount: w.serviceAccount,
    replicas: onlyLeader ? 1 : Math.max(1, w.replicas),
    priorityLevel: pw.level,
    calls: onlyLeader ? pw.calls : pw.calls.filter((c) => !leader.has(c.name)),
  };
}

/** The twin scenario that simulates one workload's profile over the fleet. */
export function simulationScenario(p: WorkloadProfile, pw: PlannedWorkload, clusters: readonly Cluster[], model: ModelConfig = DEFAULT_MODEL): Scenario {
  const change = twinChange(p, pw);
  const w = p.workload;
  return {
    name: `simulate-${w.namespace}-${w.name}`,
    description: `firebreak analyze --simulate: ${w.id} applied to every cluster at +${SIMULATION_APPLY_AT_S / 60} min`,
    startMs: 0,
    timeZone: 'UTC',
    durationS: SIMULATION_DURATION_S,
    stepS: 1,
    clusters,
    model,
    clusterModels: [],
    change,
    events: [{ atS: SIMULATION_APPLY_AT_S, clusters: {}, action: { kind: 'apply-change', nodeFraction: 1 }, source: 'simulation' }],
    alerts: [],
  };
}

/** Simulates each workload with API calls in the twin over the fleet, and compares the outcome with its estimate. */
export function simulateInTwin(profiles: readonly WorkloadProfile[], planned: readonly PlannedWorkload[], clusters: readonly Cluster[], model: ModelConfig = DEFAULT_MODEL, seed = 1): TwinSimulation {
  const byKey = new Map(planned.map((pw) => [pw.key, pw]));
  const workloads: SimulatedWorkload[] = [];
  let disagreements = 0;
  for (const p of profiles) {
    const pw = byKey.get(p.workload.id);
    if (pw === undefined) continue;
    const twin = new Twin(simulationScenario(p, pw, clusters, model), { seed });
    const peak = new Float64Array(clusters.length);
    while (twin.step()) {
      for (let i = 0; i < clusters.length; i++) {
        const m = twin.memoryRatioAt(i);
        if (m > (peak[i] ?? 0)) peak[i] = m;
      }
    }
    const { report } = twin.result();
    const out: SimulatedCluster[] = report.clusters.map((c, i) => {
      const cl = clusters[i] as Cluster;
      const e = estimate([pw], cl.nodes, cl.pods, model);
      const danger = c.controlPlane.lostAt !== null || c.controlPlane.apiServerRestarts > 0;
      const agree = danger === (e.verdict === 'block');
      if (!agree) disagreements++;
      return {
        name: c.name,
        nodes: c.nodes,
        estimate: e.verdict,
        estimateMemoryRatio: roundDecimals(Math.max(e.ratios.memorySteady, e.ratios.memoryRollout, e.ratios.memoryRelist), 3),
        lostAt: c.controlPlane.lostAt,
        apiServerRestarts: c.controlPlane.apiServerRestarts,
        peakMemoryRatio: roundDecimals(peak[i] ?? 0, 3),
        twinInDanger: danger,
        agree,
      };
    });
    const leader = pw.leaderCalls ?? new Set<string>();
    const left = pw.calls.every((c) => leader.has(c.name)) ? [] : pw.calls.filter((c) => leader.has(c.name)).map((c) => c.name);
    workloads.push({
      workload: p.workload.id,
      ...(left.length > 0 ? { notSimulated: left } : {}),
      clusters: out,
      lost: out.filter((c) => c.lostAt !== null).length,
      oomKilled: out.filter((c) => c.apiServerRestarts > 0).length,
      agree: out.filter((c) => c.agree).length,
    });
  }
  return { seed, applyAtSeconds: SIMULATION_APPLY_AT_S, durationSeconds: SIMULATION_DURATION_S, workloads, disagreements };
}
