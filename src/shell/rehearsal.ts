/**
 * Rehearsal: the orchestrator runs against the fleet twin in virtual time —
 * the same decision core, the same shell and event store as against real
 * clusters, with the twin as target and metric source. The twin runs without
 * the scenario's own pipeline and operators; the orchestrator acts at the
 * start of every step (before the twin's scheduled events and controllers),
 * reading time from the twin's clock.
 *
 * Durable and resumable: with a state database, a rehearsal that crashed
 * (for tests: `crashAfter`, the CLI's FIREBREAK_CRASH_AT) is resumed by
 * running it again: the twin is rebuilt from the same scenario and seed, the
 * recorded commands are carried out again at their recorded times (checked
 * for identical results), and the rollout continues live from where it
 * stopped. The final result is the same as an uninterrupted run's.
 *
 * One process writes a state database at a time (the store's writer lock);
 * a rehearsal paused — by a person through `firebreak rollout pause`, or by
 * firebreak itself — is held where it stands until the run ends (nothing in
 * virtual time resumes it), and says so in `incomplete`; after
 * `firebreak rollout resume` the same rehearsal run again replays to the
 * pause and continues from there.
 *
 * Besides the rollout, the rehearsal measures what the issue asks for: the
 * first control-plane SLO breach in a changed cluster (1 s resolution), the
 * clusters with customer impact, and the orchestrator's share of each
 * cluster's API requests per minute.
 *
 * This file is the run loop and the composition root of the twin adapters
 * (src/adapters/twin/): the only place in the shell that names their classes.
 * Its rooms: rehearsal-break-glass.ts (the twin's break-glass endpoint),
 * rehearsal-state.ts (the state database's identity), rehearsal-observer.ts
 * (SLO breach, API share), rehearsal-summary.ts (the result).
 *
 * @example
 *   const spec = rehearsalSpec(loadPlanFile('plans/default.yaml'), scenario, 1, twinMetricCatalogue(scenario)); // src/input/rollout-spec.ts
 *   const r = await rehearse({ scenario, spec, compare: true });
 *   r.result.outcome; // 'halted'
 */
import { TwinMetricSource } from '../adapters/twin/metric-source.ts';
import { TwinTarget, type Effect } from '../adapters/twin/target.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { RolloutState } from '../orchestrator/core.ts';
import type { RehearsalResult } from '../orchestrator/report-types.ts';
import { Twin, type RunReport, type RunSeries, type Scenario } from '../twin/index.ts';
import { EventStore } from './event-store.ts';
import { RehearsalObserver } from './rehearsal-observer.ts';
import { rehearsalBreakGlass } from './rehearsal-break-glass.ts';
import { claimStore } from './rehearsal-state.ts';
import { summarise } from './rehearsal-summary.ts';
import { RolloutShell } from './runner.ts';
import type { WriterInfo } from './writer-lock.ts';

export interface RehearsalInput {
  readonly scenario: Scenario;
  /** The plan compiled for this scenario (src/input/rollout-spec.ts `rehearsalSpec`); its seed is the rehearsal's (the twin's and the backoff jitter's). */
  readonly spec: RolloutSpec;
  /** SQLite file of the rollout's state; default in memory. An existing file is resumed. */
  readonly statePath?: string;
  /** Also run the scenario's own naive pipeline, for the baseline fleet block. */
  readonly compare?: boolean;
  /** Fault injection: crash right after this persisted record (FIREBREAK_CRASH_AT). */
  readonly crashAfter?: number;
  /** A pending manual approval is granted after this long (seconds of virtual time); null: never. Default 300. */
  readonly approveAfterS?: number | null;
  /** When the rollout starts, seconds from the scenario start; default the scenario pipeline's start, else 10 min. */
  readonly startAtS?: number;
  /** Stop the twin once the rollout is over (benchmarks); the fleet figures then cover only that span. */
  readonly stopWhenDone?: boolean;
  /** Identifies the inputs (plan, scenario and their files); a state database made from others is refused. */
  readonly fingerprint?: string;
  readonly sync?: 'normal' | 'full';
  /** How the writer records itself in the state database (default: this process and its command line). */
  readonly writer?: WriterInfo;
  /** Gate metrics of these clusters stop arriving at this time (tests of fail-closed). */
  readonly dropMetrics?: { readonly clusters: readonly string[]; readonly atS: number };
  /** Called with the fraction of the run done, about once a simulated minute. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RehearsalOutput {
  readonly result: RehearsalResult;
  readonly report: RunReport;
  readonly series: RunSeries;
  readonly baseline?: { readonly report: RunReport; readonly series: RunSeries };
  readonly spec: RolloutSpec;
  readonly state: RolloutState;
  /** Every change the orchestrator made to the twin (command id, kind, cluster, time). */
  readonly effects: readonly Effect[];
  readonly counters: { readonly decisions: number; readonly commands: number; readonly replayed: number; readonly records: number };
}

const SCRAPE_S = 15;

/** Runs a rehearsal (resuming it when `statePath` holds one). */
export async function rehearse(input: RehearsalInput): Promise<RehearsalOutput> {
  const { spec, scenario } = input;
  const seed = spec.seed;
  const glass = rehearsalBreakGlass(spec.rollback);
  const twin = new Twin(scenario, { seed, pipeline: false, operators: false, ...(glass !== undefined ? { breakGlass: glass } : {}) });
  const ev = spec.evaluation;
  const source = new TwinMetricSource(twin, {
    scrapeS: SCRAPE_S,
    retentionS: Math.max(ev.preWindowS, ev.windowS) + 120,
    ...(input.dropMetrics !== undefined ? { dropAfter: input.dropMetrics } : {}),
  });
  const target = new TwinTarget(twin, (b) => `firebreak batch ${b + 1}`);
  const observer = new RehearsalObserver(twin, target, source);
  // The scrape of a step comes before the orchestrator's evaluation in that step (both see the state
  // after the previous step); the observer runs as a twin controller.
  twin.addController(observer);

  const store = EventStore.open(input.statePath ?? ':memory:', {
    sync: input.sync ?? 'normal',
    ...(input.crashAfter !== undefined ? { crashAfter: input.crashAfter } : {}),
    ...(input.writer !== undefined ? { writer: input.writer } : {}),
  });
  try {
    claimStore(store, spec, { seed, scenario, fingerprint: input.fingerprint ?? '' });
    const approveAfterMs = input.approveAfterS === undefined ? 300_000 : input.approveAfterS === null ? null : input.approveAfterS * 1000;
    const shell = RolloutShell.open({
      spec,
      store,
      target,
      source,
      replayEffects: true,
      holdWhilePaused: true,
      hooks: {
        // Logged on replay too: the twin's timeline must come out the same as in the run that crashed.
        notify: (c) => twin.log('operator', c.cluster, `firebreak: ${c.message}`),
        autoApprove: (state, now) => (approveAfterMs !== null && state.awaitingSince !== null && now - state.awaitingSince >= approveAfterMs ? 'rehearsal auto-approver' : null),
      },
    });
    const startAtS = input.startAtS ?? input.scenario.pipeline?.startS ?? Math.max(600, ev.preWindowS + 60);
    let lastMinute = -1;
    for (;;) {
      if (twin.done) break;
      source.onStep(twin);
      if (twin.t >= startAtS) await shell.advance(twin.clock.now());
      if (input.stopWhenDone === true && shell.finished) break;
      twin.step();
      const minute = Math.floor(twin.t / 60);
      if (input.onProgress !== undefined && minute !== lastMinute) {
        lastMinute = minute;
        input.onProgress(twin.t / scenario.durationS);
      }
    }
    const { report, series } = twin.result();
    let baseline: RehearsalOutput['baseline'];
    if (input.compare === true) {
      const naive = new Twin(input.scenario, { seed });
      naive.run();
      baseline = naive.result();
    }
    const result = summarise({
      spec,
      state: shell.state,
      report,
      scenario,
      seed,
      target: {
        applies: target.effects.filter((e) => e.kind === 'apply'),
        clustersChanged: target.changed.size,
        requests: target.totalRequests,
        breakGlassRequests: target.breakGlassRequests,
      },
      observed: observer,
      ...(baseline !== undefined ? { baseline: baseline.report } : {}),
      endMs: twin.clock.now(),
    });
    return {
      result,
      report,
      series,
      ...(baseline !== undefined ? { baseline } : {}),
      spec,
      state: shell.state,
      effects: target.effects,
      counters: { ...shell.counters, records: store.count() },
    };
  } finally {
    store.close();
  }
}
