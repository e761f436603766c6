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
 * @example
 *   const spec = rehearsalSpec(loadPlanFile('plans/default.yaml'), scenario, 1, twinMetricCatalogue(scenario)); // src/input/rollout-spec.ts
 *   const r = await rehearse({ scenario, spec, compare: true });
 *   r.result.outcome; // 'halted'
 */
import { formatIso } from '../core/time.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { RolloutState } from '../orchestrator/core.ts';
import type { RollbackPolicy } from '../orchestrator/plan.ts';
import { REHEARSAL_SCHEMA_VERSION, type ApplyRecord, type IncompleteReason, type RehearsalOutcome, type RehearsalResult, type WaveReport } from '../orchestrator/report-types.ts';
import { Twin, type Controller } from '../twin/engine.ts';
import type { RunReport, RunSeries } from '../twin/report-types.ts';
import type { Scenario } from '../twin/scenario.ts';
import { EventStore } from './event-store.ts';
import type { WriterInfo } from './writer-lock.ts';
import { RolloutShell } from './runner.ts';
import { TwinMetricSource } from './twin-metrics.ts';
import { TwinTarget, type Effect } from './twin-target.ts';

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

/** A state database that belongs to another rehearsal. */
export class StateMismatch extends Error {
  readonly code = 'FB_STATE_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'StateMismatch';
  }
}

/** The break-glass endpoint the twin offers when the plan may use one. */
export function rehearsalBreakGlass(rollback: RollbackPolicy): { readonly seats: number } | undefined {
  return rollback.breakGlass === 'never' ? undefined : { seats: rollback.breakGlassSeats };
}

const SCRAPE_S = 15;

/** SLOs for "first SLO breach": the Kubernetes API latency SLOs, and 99 % of ordinary requests served. */
const SLOS: readonly { readonly name: string; readonly test: (m: ReturnType<Twin['observeAt']>) => number | null }[] = [
  { name: 'single-object API call p99 ≤ 1 s', test: (m) => (m.apiserver_p99_single_object_seconds > 1 ? m.apiserver_p99_single_object_seconds : null) },
  { name: 'LIST p99 ≤ 30 s', test: (m) => (m.apiserver_p99_seconds > 30 ? m.apiserver_p99_seconds : null) },
  { name: '99 % of API requests served', test: (m) => (m.apiserver_success_ratio < 0.99 ? m.apiserver_success_ratio : null) },
];

/** Watches changed clusters every step: first SLO breach, and the orchestrator's API share per minute. */
class Observer implements Controller {
  readonly #target: TwinTarget;
  readonly #source: TwinMetricSource;
  readonly #index: Map<string, number>;
  breach: { atS: number; cluster: string; slo: string; value: number } | null = null;
  peakShare = 0;
  peak: { cluster: string; minute: number } | null = null;

  constructor(twin: Twin, target: TwinTarget, source: TwinMetricSource) {
    this.#target = target;
    this.#source = source;
    this.#index = new Map(twin.sims.map((s, i) => [s.cluster.name, i]));
  }

  onStep(twin: Twin): void {
    const t = Math.round(twin.t);
    if (this.breach === null) {
      for (const [cluster, since] of this.#target.changed) {
        if (t < since) continue;
        const i = this.#index.get(cluster) ?? -1;
        const sim = twin.sims[i];
        if (sim === undefined || sim.quietFlag()) continue;
        // Cheap first: the ordinary p99 bounds the single-object p99.
        if (sim.p99() <= 1 && sim.successRatio() >= 0.99) continue;
        const m = twin.observeAt(i);
        for (const slo of SLOS) {
          const v = slo.test(m);
          if (v !== null && this.breach === null) this.breach = { atS: t, cluster, slo: slo.name, value: Number(v.toPrecision(6)) };
        }
        if (this.breach !== null) break;
      }
    }
    if (t % 60 === 0 && t > 0) this.#minute(twin, t / 60 - 1);
  }

  /** The orchestrator's share of each cluster's API requests in minute `m`. */
  #minute(twin: Twin, m: number): void {
    const from = twin.scenario.startMs + m * 60_000;
    for (const [cluster, minutes] of this.#target.apiRequests) {
      const n = minutes.get(m);
      if (n === undefined) continue;
      const w = this.#source.window(cluster, 'apiserver_requests_per_second', from, from + 60_000);
      const rps = w === undefined || w.values.length === 0 ? 0 : w.values.reduce((a, b) => a + b, 0) / w.values.length;
      const share = n / (n + rps * 60);
      if (share > this.peakShare) {
        this.peakShare = share;
        this.peak = { cluster, minute: m };
      }
    }
  }
}

function sig(x: number): number {
  return Number(x.toPrecision(6));
}

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
  const waveOf = new Map(spec.clusters.map((c) => [c.name, c.wave]));
  const target = new TwinTarget(twin, (b) => `firebreak batch ${b + 1}`);
  const observer = new Observer(twin, target, source);
  // The scrape of a step comes before the orchestrator's evaluation in that step (both see the state
  // after the previous step); the observer runs as a twin controller.
  twin.addController(observer);

  const store = EventStore.open(input.statePath ?? ':memory:', {
    sync: input.sync ?? 'normal',
    ...(input.crashAfter !== undefined ? { crashAfter: input.crashAfter } : {}),
    ...(input.writer !== undefined ? { writer: input.writer } : {}),
  });
  try {
    checkMeta(store, spec, input);
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
    const result = summarise(spec, shell.state, report, input, target, observer, waveOf, baseline?.report, twin.clock.now());
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

/** A new store gets what made it, in one transaction; an existing one must have been made from the same inputs. */
function checkMeta(store: EventStore, spec: RolloutSpec, input: RehearsalInput): void {
  const specJson = JSON.stringify(spec);
  const fingerprint = input.fingerprint ?? '';
  const wrote = store.initMeta('kind', {
    kind: 'rehearsal',
    spec: specJson,
    fingerprint,
    seed: String(spec.seed),
    scenario: input.scenario.name,
    startMs: String(input.scenario.startMs),
    timeZone: input.scenario.timeZone,
  });
  if (wrote) return;
  const kind = store.getMeta('kind');
  if (kind !== 'rehearsal') throw new StateMismatch(`${store.path} holds a ${kind ?? 'store with no kind'}, not a rehearsal; use a new --state file`);
  const missing = ['spec', 'fingerprint', 'seed'].filter((k) => store.getMeta(k) === undefined);
  if (missing.length > 0) throw new StateMismatch(`${store.path} holds a rehearsal with no ${missing.join(', ')} (left half-written by an older firebreak); use a new --state file`);
  if (store.getMeta('fingerprint') !== fingerprint || store.getMeta('spec') !== specJson || store.getMeta('seed') !== String(spec.seed)) {
    throw new StateMismatch(`${store.path} holds a rehearsal of other inputs (plan, scenario or seed differ); use a new --state file, or the same inputs to resume it`);
  }
}

/** Why the run ended with the rollout neither completed nor stopped: where it stood, since when, what moves it on. */
function incompleteReason(spec: RolloutSpec, state: RolloutState, scenario: Scenario, endMs: number): IncompleteReason {
  const iso = (ms: number | null): string | null => (ms === null ? null : formatIso(ms, scenario.timeZone));
  const clock = (ms: number | null): string => (ms === null ? '—' : formatIso(ms, scenario.timeZone).slice(11, 19));
  const ended = `the scenario ended at ${clock(endMs)}`;
  const wave = state.wave >= 0 ? state.wave + 1 : null;
  const waveName = wave === null ? '' : `wave ${wave} of ${spec.waves.length}${spec.waves[state.wave] !== undefined ? ` (${spec.waves[state.wave]?.name ?? ''})` : ''}`;
  const base = { phase: state.phase, wave, by: null, reason: null } as const;
  switch (state.phase) {
    case 'paused': {
      const why = state.pauseReason === null || state.pauseReason === '' ? '' : ` (${state.pauseReason})`;
      return {
        ...base,
        since: iso(state.pausedAt),
        by: state.pausedBy,
        reason: state.pauseReason,
        next: 'resume',
        message: `paused by ${state.pausedBy ?? 'someone'} at ${clock(state.pausedAt)}${why} and still paused when ${ended}`,
      };
    }
    case 'awaiting-approval':
      return { ...base, since: iso(state.awaitingSince), next: 'approve', message: `${waveName} waiting for a manual approval since ${clock(state.awaitingSince)}, and still waiting when ${ended}` };
    case 'pending':
      return { ...base, since: null, next: null, message: `${ended} before the rollout started` };
    default:
      return { ...base, since: iso(state.waveStartedAt ?? state.startedAt), next: null, message: `still ${state.phase}${wave === null ? '' : ` in ${waveName}`} when ${ended}; a longer scenario gives it time to finish` };
  }
}

function summarise(
  spec: RolloutSpec,
  state: RolloutState,
  report: RunReport,
  input: RehearsalInput,
  target: TwinTarget,
  observer: Observer,
  waveOf: ReadonlyMap<string, number>,
  baseline: RunReport | undefined,
  endMs: number,
): RehearsalResult {
  const s = input.scenario;
  const iso = (ms: number | null): string | null => (ms === null ? null : formatIso(ms, s.timeZone));
  const isoS = (sec: number): string => formatIso(s.startMs + sec * 1000, s.timeZone);
  const outcome: RehearsalOutcome =
    state.phase === 'completed' ? 'completed' : state.phase === 'aborted' ? 'aborted' : state.phase === 'halted' || (state.phase === 'rolling-back' && state.halt?.by !== 'person') ? 'halted' : state.phase === 'rolling-back' ? 'aborted' : 'incomplete';
  const halt = state.halt;
  const breach = observer.breach;
  const breachMs = breach === null ? null : s.startMs + breach.atS * 1000;
  const detection = halt === null ? null : breachMs === null || breachMs > halt.at ? 0 : (halt.at - breachMs) / 1000;
  const impacted = report.clusters.filter((c) => c.dataPlane.firstErrorsAt !== null).map((c) => c.name);
  const waves: WaveReport[] = spec.waves.map((w, i) => {
    const times = state.waveTimes[i];
    const started = times?.startedAt ?? null;
    const ended = times?.endedAt ?? null;
    const haltedHere = halt !== null && halt.wave === i;
    return {
      wave: i + 1,
      name: w.name,
      clusters: w.clusters.map((k) => spec.clusters[k]?.name ?? ''),
      startedAt: iso(started),
      endedAt: iso(ended),
      outcome: haltedHere ? 'halted' : started === null ? 'not-started' : ended === null ? 'in-progress' : 'completed',
    };
  });
  const applies: ApplyRecord[] = target.effects
    .filter((e) => e.kind === 'apply')
    .map((e) => {
      const batch = e.batch ?? 0;
      const sc = spec.clusters.find((c) => c.name === e.cluster);
      return { cluster: e.cluster, wave: (waveOf.get(e.cluster) ?? 0) + 1, batch: batch + 1, nodes: sc?.batches[batch]?.nodes ?? 0, at: isoS(e.atS) };
    });
  const peak = observer.peak;
  return {
    schemaVersion: REHEARSAL_SCHEMA_VERSION,
    plan: spec.name,
    scenario: s.name,
    seed: spec.seed,
    outcome,
    phase: state.phase,
    startedAt: iso(state.startedAt),
    completedAt: iso(state.completedAt),
    haltedAt: iso(halt?.at ?? null),
    haltedInWave: halt === null ? null : halt.wave + 1,
    haltReason:
      halt === null
        ? null
        : { by: halt.by, gate: halt.gate, cluster: halt.cluster, wave: halt.wave + 1, batch: halt.batch === null ? null : halt.batch + 1, message: halt.message, figures: halt.result },
    incomplete: outcome === 'incomplete' ? incompleteReason(spec, state, s, endMs) : null,
    firstSloBreachAt: breach === null ? null : isoS(breach.atS),
    firstSloBreach: breach === null ? null : { cluster: breach.cluster, slo: breach.slo, value: breach.value },
    detectionSeconds: detection,
    clustersChanged: target.changed.size,
    clustersImpacted: impacted.length,
    impactedClusters: impacted,
    rollbackCompletedAt: iso(state.rollbackCompletedAt),
    rollbackSeconds: halt === null || state.rollbackCompletedAt === null ? null : (state.rollbackCompletedAt - halt.at) / 1000,
    orchestratorApiShare: sig(observer.peakShare),
    orchestratorApi: {
      requests: target.totalRequests,
      breakGlassRequests: target.breakGlassRequests,
      peakCluster: peak?.cluster ?? null,
      peakAt: peak === null ? null : isoS(peak.minute * 60),
      budget: { qps: spec.budget.qps, burst: spec.budget.burst },
    },
    waves,
    applies,
    gatesUnavailable: spec.unavailableGates,
    fleet: report.fleet,
    ...(baseline !== undefined ? { baseline: baseline.fleet } : {}),
  };
}

