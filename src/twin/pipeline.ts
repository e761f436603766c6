/**
 * The twin's schedule of discrete events: the scenario's own events (faults,
 * actions) and, when it runs, the scenario's naive pipeline — the change
 * applied to the selected clusters one after another, evenly spaced between
 * `startS` and `endS`, in the pipeline's order.
 *
 * @example
 *   const events = scheduleEvents(scenario, rng, { pipeline: true });
 *   events[0]?.atS; // the earliest
 */
import type { Random } from '../core/random.ts';
import { selects, type Cluster } from '../model/fleet.ts';
import type { Scenario, ScheduledEvent } from './scenario.ts';

/** Every event of the run, by time, then as listed (the scenario's events before the pipeline's). */
export function scheduleEvents(scenario: Scenario, rng: Random, opts: { readonly pipeline: boolean }): ScheduledEvent[] {
  const events = [...scenario.events];
  if (opts.pipeline && scenario.pipeline !== undefined) events.push(...pipelineEvents(scenario, rng));
  // Stable order: by time, then as listed.
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atS - b.e.atS || a.i - b.i).map((x) => x.e);
}

/** The pipeline's apply-change events, one per selected cluster; `rng` is the run's (the shuffle forks its own stream). */
export function pipelineEvents(scenario: Scenario, rng: Random): ScheduledEvent[] {
  const p = scenario.pipeline;
  if (p === undefined) return [];
  let cs = scenario.clusters.filter((c) => selects(p.clusters, c));
  switch (p.order) {
    case 'listed':
      if (p.clusters.names !== undefined) {
        const order = p.clusters.names;
        cs = [...cs].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
      }
      break;
    case 'by-name':
      cs = [...cs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      break;
    case 'smallest-first':
      cs = [...cs].sort((a, b) => a.nodes - b.nodes || (a.name < b.name ? -1 : 1));
      break;
    case 'largest-first':
      cs = [...cs].sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1));
      break;
    case 'shuffled': {
      const shuffle = rng.fork('pipeline');
      cs = [...cs];
      for (let i = cs.length - 1; i > 0; i--) {
        const j = shuffle.int(0, i);
        const tmp = cs[i] as Cluster;
        cs[i] = cs[j] as Cluster;
        cs[j] = tmp;
      }
      break;
    }
  }
  const n = cs.length;
  return cs.map((c, i) => ({
    atS: Math.round(n <= 1 ? p.startS : p.startS + ((p.endS - p.startS) * i) / (n - 1)),
    clusters: { names: [c.name] },
    action: { kind: 'apply-change', nodeFraction: 1 },
    source: 'pipeline',
  }));
}
