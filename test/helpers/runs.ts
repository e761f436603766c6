/** Runs scenarios once per test process and caches the results (a 6-hour fleet run takes seconds). */
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type RunReport, type RunSeries } from '../../src/twin/index.ts';

const cache = new Map<string, { report: RunReport; series: RunSeries; json: string }>();

export function run(scenario: string, seed = 1): { report: RunReport; series: RunSeries; json: string } {
  const key = `${scenario}#${seed}`;
  let r = cache.get(key);
  if (r === undefined) {
    const twin = new Twin(loadScenarioFile(`scenarios/${scenario}.yaml`), { seed });
    twin.run();
    const { report, series } = twin.result();
    r = { report, series, json: JSON.stringify(report) };
    cache.set(key, r);
  }
  return r;
}

/** Minutes between two ISO times (b − a). */
export function minutes(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 60_000;
}

/** The incident day at a local PST time, as epoch ms. */
export function pst(hhmm: string): number {
  return Date.parse(`2024-12-11T${hhmm}:00-08:00`);
}
