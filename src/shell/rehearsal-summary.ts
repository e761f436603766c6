/**
 * The rehearsal's result (`firebreak rehearse --json`, schema
 * `firebreak.dev/rehearsal/v1`, docs/orchestrator.md "Rehearsal output"):
 * the rollout's outcome from the decision core's final state, its waves and
 * applies, the halt and its detection time against the first SLO breach, the
 * clusters with customer impact, the orchestrator's API share, and — for an
 * incomplete rollout — where it stood and what moves it on.
 *
 * @example
 *   const result = summarise({ spec, state, report, scenario, seed: 1, target, observed, endMs });
 *   result.outcome; // 'halted'
 */
import { formatIso } from '../core/time.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { RolloutState } from '../orchestrator/core.ts';
import { REHEARSAL_SCHEMA_VERSION, type ApplyRecord, type IncompleteReason, type RehearsalOutcome, type RehearsalResult, type WaveReport } from '../orchestrator/report-types.ts';
import type { RunReport, Scenario } from '../twin/index.ts';
import type { SloBreach } from './rehearsal-observer.ts';
import { significant6 } from '../core/number.ts';

/** What the rehearsal's target did: the applies that succeeded, the clusters it changed, its API requests. */
export interface TargetRecord {
  readonly applies: readonly { readonly commandId: string; readonly cluster: string; readonly atS: number; readonly batch?: number }[];
  readonly clustersChanged: number;
  /** Requests to the clusters' ordinary API servers, and to the break-glass endpoint. */
  readonly requests: number;
  readonly breakGlassRequests: number;
}

/** What the observer measured. */
export interface Observed {
  readonly breach: SloBreach | null;
  readonly peakShare: number;
  readonly peak: { readonly cluster: string; readonly minute: number } | null;
}

export interface SummaryInput {
  readonly spec: RolloutSpec;
  readonly state: RolloutState;
  readonly report: RunReport;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly target: TargetRecord;
  readonly observed: Observed;
  /** The naive pipeline's run, for the baseline fleet block (`--compare`). */
  readonly baseline?: RunReport;
  /** When the run ended (epoch ms, virtual). */
  readonly endMs: number;
}


export function summarise(input: SummaryInput): RehearsalResult {
  const { spec, state, report, target, observed: observer, baseline, endMs } = input;
  const s = input.scenario;
  const waveOf = new Map(spec.clusters.map((c) => [c.name, c.wave]));
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
  const applies: ApplyRecord[] = target.applies.map((e) => {
    const batch = e.batch ?? 0;
    const sc = spec.clusters.find((c) => c.name === e.cluster);
    return { cluster: e.cluster, wave: (waveOf.get(e.cluster) ?? 0) + 1, batch: batch + 1, nodes: sc?.batches[batch]?.nodes ?? 0, at: isoS(e.atS) };
  });
  const peak = observer.peak;
  return {
    schemaVersion: REHEARSAL_SCHEMA_VERSION,
    plan: spec.name,
    scenario: s.name,
    seed: input.seed,
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
    clustersChanged: target.clustersChanged,
    clustersImpacted: impacted.length,
    impactedClusters: impacted,
    rollbackCompletedAt: iso(state.rollbackCompletedAt),
    rollbackSeconds: halt === null || state.rollbackCompletedAt === null ? null : (state.rollbackCompletedAt - halt.at) / 1000,
    orchestratorApiShare: significant6(observer.peakShare),
    orchestratorApi: {
      requests: target.requests,
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
