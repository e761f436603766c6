/**
 * `firebreak bench rehearse [--clusters 1000] [--json]`: rehearses the default
 * plan (plans/default.yaml) over a generated fleet — log-normal sizes from 50
 * to 7,500 nodes, median 900 — with the well-behaved node agent of
 * scenarios/benign-node-scoped-agent.yaml, so the rollout goes through every
 * wave, and reports `{clusters, waves, wallSeconds, decisionsPerSecond}`.
 * The state lives in a temporary SQLite file, as in a durable rollout. The
 * twin stops once the rollout is over. A shell: it reads the wall clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { expandFleet } from '../model/fleet.ts';
import { loadPlanFile } from '../input/plan.ts';
import { rehearsalSpec } from '../input/rollout-spec.ts';
import { loadScenarioFile } from '../input/scenario.ts';
import { rehearse } from '../shell/rehearsal.ts';
import { twinMetricCatalogue } from '../adapters/twin/metric-source.ts';
import type { Scenario } from '../twin/index.ts';
import { roundDecimals } from '../core/number.ts';

const BENIGN = fileURLToPath(new URL('../../scenarios/benign-node-scoped-agent.yaml', import.meta.url));
const PLAN = fileURLToPath(new URL('../../plans/default.yaml', import.meta.url));

export interface RehearseBenchResult {
  readonly clusters: number;
  readonly waves: number;
  readonly wallSeconds: number;
  readonly decisionsPerSecond: number;
  readonly outcome: string;
  readonly decisions: number;
  readonly logRecords: number;
  readonly simulatedHours: number;
}

/** The benchmark scenario: the benign agent over a generated fleet, 24 h long, no pipeline, no operators. */
export function benchScenario(clusters: number): Scenario {
  const base = loadScenarioFile(BENIGN);
  const fleet = expandFleet({ generate: { count: clusters, nodes: { min: 50, max: 7500, median: 900 }, namePrefix: 'bench' } }, 1);
  const rest: Scenario = { ...base };
  delete (rest as { pipeline?: unknown }).pipeline;
  delete (rest as { operators?: unknown }).operators;
  return { ...rest, name: `bench-${clusters}`, clusters: fleet, durationS: 24 * 3600, events: [] };
}

export async function benchRehearse(o: { readonly json: boolean; readonly clusters: number }): Promise<string> {
  const scenario = benchScenario(o.clusters);
  const loaded = loadPlanFile(PLAN);
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-'));
  try {
    const t0 = performance.now();
    const spec = rehearsalSpec(loaded, scenario, 1, twinMetricCatalogue(scenario));
    const out = await rehearse({ scenario, spec, statePath: join(dir, 'rollout.db'), stopWhenDone: true, startAtS: spec.evaluation.preWindowS + 30 });
    const wall = (performance.now() - t0) / 1000;
    const endMs = out.state.completedAt ?? out.state.rollbackCompletedAt ?? out.state.now;
    const r: RehearseBenchResult = {
      clusters: scenario.clusters.length,
      waves: out.spec.waves.length,
      wallSeconds: roundDecimals(wall, 2),
      decisionsPerSecond: Math.round(out.counters.decisions / wall),
      outcome: out.result.outcome,
      decisions: out.counters.decisions,
      logRecords: out.counters.records,
      simulatedHours: roundDecimals((endMs - scenario.startMs) / 3_600_000, 2),
    };
    if (o.json) return JSON.stringify(r) + '\n';
    return `rehearse: default plan over ${r.clusters} clusters, ${r.waves} waves, ${r.outcome} after ${r.simulatedHours} simulated hours in ${r.wallSeconds} s (${r.decisionsPerSecond} decisions/s, ${r.logRecords} log records)\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
