/**
 * `firebreak bench twin`: simulates a reference fleet (by default 200 clusters
 * of 50 to 7,500 nodes, about 300,000 nodes) for 6 simulated hours with the
 * incident's change rolled out across it, and reports the speed-up over real
 * time. This is a shell: it reads the wall clock, which the twin never does.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../input/scenario.ts';
import { expandFleet } from '../model/fleet.ts';
import { Twin, type Scenario } from '../twin/index.ts';
import { roundDecimals } from '../core/number.ts';

const INCIDENT = fileURLToPath(new URL('../../scenarios/openai-2024-12-11.yaml', import.meta.url));

export interface TwinBenchResult {
  readonly clusters: number;
  readonly nodes: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly speedup: number;
  readonly peakRssMB: number;
  readonly scaling?: readonly { readonly clusters: number; readonly nodes: number; readonly wallSeconds: number }[];
}

/** The reference fleet: log-normal sizes, median 1,150, clipped to [50, 7500] (≈ 1,500 nodes mean, ≈ 300,000 nodes). */
export function referenceScenario(clusters: number, hours: number): Scenario {
  const base = loadScenarioFile(INCIDENT);
  const fleet = expandFleet({ generate: { count: clusters, nodes: { min: 50, max: 7500, median: 1150 }, namePrefix: 'ref' } }, 1);
  const pipeline = base.pipeline === undefined ? undefined : { ...base.pipeline, clusters: {} };
  return { ...base, name: `reference-${clusters}`, clusters: fleet, durationS: hours * 3600, ...(pipeline !== undefined ? { pipeline } : {}) };
}

function runOnce(s: Scenario): { wall: number; rss: number } {
  const t0 = performance.now();
  const twin = new Twin(s, { seed: 1 });
  let rss = process.memoryUsage().rss;
  let i = 0;
  while (twin.step()) if (++i % 600 === 0) rss = Math.max(rss, process.memoryUsage().rss);
  twin.result();
  rss = Math.max(rss, process.memoryUsage().rss);
  return { wall: (performance.now() - t0) / 1000, rss };
}

export function benchTwin(o: { json: boolean; clusters: number; hours: number; scaling: boolean }): string {
  const s = referenceScenario(o.clusters, o.hours);
  const { wall, rss } = runOnce(s);
  const nodes = s.clusters.reduce((a, c) => a + c.nodes, 0);
  let scaling: TwinBenchResult['scaling'];
  if (o.scaling) {
    scaling = [50, 100, 200, 400].map((n) => {
      const sc = referenceScenario(n, o.hours);
      return { clusters: n, nodes: sc.clusters.reduce((a, c) => a + c.nodes, 0), wallSeconds: roundDecimals(runOnce(sc).wall, 2) };
    });
  }
  const r: TwinBenchResult = {
    clusters: s.clusters.length,
    nodes,
    simulatedSeconds: s.durationS,
    wallSeconds: roundDecimals(wall, 2),
    speedup: Math.round(s.durationS / wall),
    peakRssMB: Math.round(rss / 1024 / 1024),
    ...(scaling !== undefined ? { scaling } : {}),
  };
  if (o.json) return JSON.stringify(r) + '\n';
  const lines = [`twin: ${r.clusters} clusters, ${r.nodes} nodes, ${r.simulatedSeconds / 3600} h simulated in ${r.wallSeconds} s: ${r.speedup}× real time, peak RSS ${r.peakRssMB} MB`];
  for (const x of scaling ?? []) lines.push(`  ${x.clusters} clusters (${x.nodes} nodes): ${x.wallSeconds} s`);
  return lines.join('\n') + '\n';
}

