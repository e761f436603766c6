/**
 * `firebreak simulate <scenario.yaml | ->`: runs the twin and prints a
 * summary, or the JSON report with --json; writes the HTML report and the
 * per-minute metrics when asked. The output paths are checked before the run
 * (a directory, a path under a file or an unwritable place is a usage error)
 * and written only after the run succeeded, atomically.
 */
import { Twin, type RunReport } from '../twin/index.ts';
import { progressBar } from './progress.ts';
import { readStdinFor, scenarioFrom } from './inputs.ts';
import { checkOutputFile, writeOutputFile } from './output.ts';

export interface SimulateOptions {
  readonly seed: number;
  readonly json: boolean;
  readonly report?: string;
  readonly metrics?: string;
  /** OpenMetrics history of the run (docs/metrics.md), sampled every openmetricsIntervalS simulated seconds. */
  readonly openmetrics?: string;
  readonly openmetricsIntervalS?: number;
}

/** Runs the scenario; returns what to print. */
export async function simulate(file: string, opts: SimulateOptions): Promise<string> {
  if (opts.report !== undefined) checkOutputFile(opts.report, '--report');
  if (opts.metrics !== undefined) checkOutputFile(opts.metrics, '--metrics');
  if (opts.openmetrics !== undefined) checkOutputFile(opts.openmetrics, '--openmetrics');
  const stdin = await readStdinFor([['<scenario>', file]]);
  const scenario = scenarioFrom(file, stdin);
  const twin = new Twin(scenario, { seed: opts.seed });
  const bar = progressBar(`simulating ${scenario.name}`);
  if (opts.openmetrics === undefined) twin.run((f) => bar.update(f));
  else {
    const { OpenMetricsRun } = await import('./openmetrics-run.ts');
    const om = new OpenMetricsRun(twin, { intervalS: opts.openmetricsIntervalS ?? 120 });
    try {
      let lastMinute = -1;
      while (!twin.done) {
        twin.step();
        om.afterStep();
        const minute = Math.floor(twin.t / 60);
        if (minute !== lastMinute) {
          lastMinute = minute;
          bar.update(twin.t / scenario.durationS);
        }
      }
      bar.update(1);
      om.write(opts.openmetrics);
    } finally {
      om.discard();
    }
  }
  bar.stop();
  const { report, series } = twin.result();
  if (opts.report !== undefined) {
    const { renderRunReport } = await import('../report/html.ts');
    const html = await renderRunReport(report, series);
    writeOutputFile(opts.report, html, '--report');
  }
  if (opts.metrics !== undefined) {
    const lines: string[] = [];
    for (const l of twin.metricLines()) lines.push(l);
    writeOutputFile(opts.metrics, lines.join('\n') + '\n', '--metrics');
  }
  return opts.json ? JSON.stringify(report, null, 2) + '\n' : summary(report, opts);
}

function hm(iso: string | null): string {
  return iso === null ? '—' : iso.slice(11, 16);
}

export function summary(r: RunReport, opts: { readonly report?: string; readonly metrics?: string; readonly openmetrics?: string }): string {
  const f = r.fleet;
  const lost = r.clusters.filter((c) => c.controlPlane.lostAt !== null);
  const recovered = lost.map((c) => c.controlPlane.recoveredAt).filter((x): x is string => x !== null).sort();
  const lines = [
    `${r.scenario.name} (seed ${r.seed}), ${r.scenario.start} → ${r.scenario.end}`,
    `  clusters ${f.clusters}, nodes ${f.nodes}; control planes lost: ${f.clustersLost}`,
    `  first alert ${hm(f.firstAlertAt)}  customer impact ${hm(f.firstCustomerImpactAt)}  max impact ${hm(f.maxImpactAt)}  first cluster back ${hm(recovered[0] ?? null)}  control planes back ${hm(f.controlPlanesRecoveredAt)}  full recovery ${hm(f.fullRecoveryAt)}`,
    `  peak fleet error rate ${(f.peakErrorRate * 100).toFixed(2)} %, availability ${(f.availability * 100).toFixed(4)} %`,
  ];
  const e = f.atEnd;
  const wrong: string[] = [];
  if (e.controlPlanesLost > 0) wrong.push(`${e.controlPlanesLost} control plane(s) still lost`);
  if (e.clustersDegraded > e.controlPlanesLost) wrong.push(`${e.clustersDegraded - e.controlPlanesLost} cluster(s) still degraded (the change still deployed on ${e.degradedWithChange})`);
  if (e.alertsFiring > 0) wrong.push(`${e.alertsFiring} alert(s) still firing`);
  if (wrong.length > 0) lines.push(`  at the end: ${wrong.join('; ')}${f.fullRecoveryAt === null && (f.clustersLost > 0 || f.firstCustomerImpactAt !== null) ? ' — not fully recovered' : ''}`);
  if (opts.report !== undefined) lines.push(`  report: ${opts.report}`);
  if (opts.metrics !== undefined) lines.push(`  metrics: ${opts.metrics}`);
  if (opts.openmetrics !== undefined) lines.push(`  openmetrics: ${opts.openmetrics}`);
  return lines.join('\n') + '\n';
}
