/**
 * `rollout run`: the orchestrator against real clusters — the same decision
 * core, shell (src/shell/runner.ts), event store and writer lock as a
 * rehearsal, with the Kubernetes target (src/adapters/kubernetes/) and a
 * metric source: Prometheus when the plan or `--prometheus` names one
 * (src/adapters/prometheus/, built by prometheus-source.ts; any fleet will
 * do: on a real one the core decides in wall time, the time of Prometheus'
 * samples; on a twin-served one in the twin's virtual time, the source
 * translating to and from wall time), else — the default for a twin-served fleet — the twin's metrics and
 * clock (src/adapters/twin-served/; rollout-run-served.ts refuses a fleet
 * that is not twin-served). On the twin's clock the core decides in its
 * virtual time; the loop steps one simulated second at a time, which takes
 * 1/speed of a wall second.
 *
 * Persisted and resumable like a rehearsal: every decision is stored before
 * it is carried out; a run killed at any point (SIGKILL included) is resumed
 * by running the same command again — the log is folded back into the state
 * (nothing is replayed against the clusters: what was done is done) and only
 * the commands with no recorded result are carried out again, which the
 * target recognises by the command id on the objects (never applied twice).
 * `firebreak rollout status|history|pause|resume|approve|abort --state <db>`
 * work while it runs (people's requests are taken from the store's inbox).
 *
 * The set of clusters is fixed when the rollout starts (the spec stored in
 * the state database): a cluster added to the fleet file later is ignored
 * (reported in `joined`); a cluster removed from it is no longer reachable —
 * its commands fail ("not in the fleet file any more") and the rollout fails
 * closed on it, by its plan (reported in `left`).
 *
 * After the rollout ends, every cluster it rolled back is cleaned up: the
 * batch label removed from its nodes and the change's other objects deleted,
 * within the plan's budget and a cap; what is left is reported.
 *
 * This file is a composition root: it builds the Kubernetes target and the
 * twin-served metric source (the Prometheus one comes built) (test/helpers/import-graph.ts COMPOSITION_ROOTS).
 *
 * @example
 *   const served = await connectServed(connections);
 *   const out = await runRollout({ spec, manifests, connections, served, statePath: 'out/r.db', fingerprint });
 *   out.result.outcome; // 'halted'
 */
import { formatIso } from '../core/time.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import type { KillSwitchRequest, MetricSource } from '../orchestrator/ports.ts';
import { isTerminal, type RolloutState } from '../orchestrator/core.ts';
import { KubernetesTarget, type CleanupReport, type Manifest } from '../adapters/kubernetes/target.ts';
import { ServedMetricSource } from '../adapters/twin-served/metric-source.ts';
import { KillSwitchClient } from '../adapters/killswitch/client.ts';
import type { Connection } from '../input/kubeconfig.ts';
import { EventStore } from './event-store.ts';
import { claimRolloutStore } from './rollout-run-state.ts';
import type { Served } from './rollout-run-served.ts';
import { RolloutShell } from './runner.ts';
import { WallClock } from './wall-clock.ts';
import type { WriterInfo } from './writer-lock.ts';

export interface RolloutRunInput {
  /** The plan compiled over the fleet now; on resume the spec stored at the start is used instead. */
  readonly spec: RolloutSpec;
  readonly manifests: readonly Manifest[];
  readonly connections: readonly Connection[];
  /** The served twin behind a twin-served fleet: its clock, and its metrics unless `metrics` is given. */
  readonly served?: Served;
  /** A metric source other than the served twin's (Prometheus: prometheus-source.ts); without `served` the run is in wall time. */
  readonly metrics?: MetricSource;
  readonly statePath: string;
  /** Identifies the plan and its manifests; a state database made from others is refused. */
  readonly fingerprint: string;
  readonly crashAfter?: number;
  readonly sync?: 'normal' | 'full';
  readonly writer?: WriterInfo;
  /** A line of progress (notifications, phase changes). */
  readonly onProgress?: (line: string) => void;
  /** Deadline of one API request, wall ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Most label patches a clean-up sends per cluster (default 600: ten minutes of a 1 request/s budget). */
  readonly cleanupCap?: number;
  /** The out-of-band kill switch (docs/killswitch.md), used when the plan's rollback enables it. */
  readonly killSwitch?: { readonly url: string; readonly adminToken: string; readonly key: string; readonly image: string };
}

export interface ClusterShare {
  readonly cluster: string;
  /** Requests this run sent to the cluster's API (both identities). */
  readonly orchestrator: number;
  /** Requests the cluster's API servers received over the same span (the twin's apiserver_requests_per_second, integrated). */
  readonly total: number | null;
  readonly share: number | null;
}

export interface RolloutRunResult {
  readonly schema: 'firebreak.dev/rollout-run/v1';
  readonly plan: string;
  readonly outcome: 'completed' | 'halted' | 'aborted' | 'incomplete';
  readonly phase: string;
  readonly startedAt: string | null;
  readonly haltedAt: string | null;
  /** 1-based. */
  readonly haltedInWave: number | null;
  readonly haltedCluster: string | null;
  /** `source`: where the gates' metrics were read (the metric source's name: `prometheus`, or the served twin's). */
  readonly haltReason: { readonly by: string; readonly gate: string | null; readonly source: string; readonly message: string } | null;
  readonly rollbackCompletedAt: string | null;
  /** Simulated seconds from the halt to the end of the rollback. */
  readonly rollbackSeconds: number | null;
  readonly completedAt: string | null;
  readonly clustersChanged: readonly string[];
  readonly cleanup: readonly CleanupReport[];
  readonly apiShare: { readonly clusters: readonly ClusterShare[]; readonly max: number | null };
  readonly joined: readonly string[];
  readonly left: readonly string[];
  readonly resumed: boolean;
  readonly records: number;
  readonly incomplete: string | null;
}

export interface RolloutRunOutput {
  readonly result: RolloutRunResult;
  readonly state: RolloutState;
  readonly spec: RolloutSpec;
}

/** One simulated second per step, as the rehearsal's twin. */
const STEP_MS = 1000;
const SCRAPE_S = 15;

function iso(ms: number | null): string | null {
  return ms === null ? null : formatIso(ms, 'UTC');
}

/** Runs (or resumes) a rollout against the fleet until it completes, halts or is aborted, or the served twin's scenario ends. */
export async function runRollout(input: RolloutRunInput): Promise<RolloutRunOutput> {
  const { served } = input;
  if (served === undefined && input.metrics === undefined) throw new Error('runRollout needs a metric source: a served twin or Prometheus');
  // A twin-served fleet decides in the twin's virtual time, whichever the metric source (a Prometheus source is then on the served clock's time base: prometheus-source.ts onServedClock); any other fleet in wall time.
  const clock = served !== undefined ? served.clock : new WallClock();
  const store = EventStore.open(input.statePath, {
    sync: input.sync ?? 'normal',
    ...(input.crashAfter !== undefined ? { crashAfter: input.crashAfter } : {}),
    ...(input.writer !== undefined ? { writer: input.writer } : {}),
  });
  try {
    const { spec, resumed } = claimRolloutStore(store, input.spec, input.fingerprint);
    const inFleet = new Set(input.connections.map((c) => c.cluster));
    const inSpec = new Set(spec.clusters.map((c) => c.name));
    const joined = [...inFleet].filter((c) => !inSpec.has(c));
    const left = [...inSpec].filter((c) => !inFleet.has(c));
    const say = input.onProgress ?? ((): void => undefined);
    if (joined.length > 0) say(`ignored: ${joined.join(', ')} joined the fleet after the rollout started (its clusters are fixed at the start)`);
    if (left.length > 0) say(`${left.join(', ')} left the fleet file: their commands fail and the rollout fails closed on them`);

    const ev = spec.evaluation;
    const servedSource = input.metrics === undefined && served !== undefined ? new ServedMetricSource(served.clusters, { scrapeS: SCRAPE_S, retentionS: Math.max(ev.preWindowS, ev.windowS) + 120, startEpochMs: clock.startEpochMs, levels: served.levels }) : undefined;
    const source: MetricSource = input.metrics ?? (servedSource as ServedMetricSource);
    const ks = input.killSwitch !== undefined && spec.rollback.killSwitch !== 'never' ? input.killSwitch : undefined;
    if (ks === undefined && spec.rollback.killSwitch !== 'never') say(`the plan's rollback may use the kill switch (rollback.killSwitch: ${spec.rollback.killSwitch}), but no kill switch endpoint is given (--killswitch-url): the rollback can only delete through the API`);
    const switchClient = ks === undefined ? undefined : new KillSwitchClient({ url: ks.url, adminToken: ks.adminToken, change: spec.change.name });
    const target = new KubernetesTarget({
      ...(ks !== undefined ? { guard: { url: ks.url, key: ks.key, image: ks.image } } : {}),
      ...(switchClient !== undefined ? { killSwitch: (req: KillSwitchRequest) => switchClient.killSwitch(req) } : {}),
      change: spec.change,
      manifests: input.manifests,
      clusters: input.connections.filter((c) => inSpec.has(c.cluster)),
      time: clock,
      budget: { qps: spec.budget.qps, burst: spec.budget.burst, initialS: spec.budget.backoffInitialS, factor: spec.budget.backoffFactor, maxS: spec.budget.backoffMaxS, jitter: spec.budget.backoffJitter },
      seed: spec.seed,
      timeoutMs: input.timeoutMs ?? 30_000,
      cleanupCap: input.cleanupCap ?? 600,
    });
    const shell = RolloutShell.open({
      spec,
      store,
      target,
      source,
      replayEffects: false,
      hooks: { notify: (c, at) => say(`${iso(at) ?? ''} ${c.cluster ?? 'rollout'}: ${c.message}`) },
    });
    await clock.sync(true);
    // Like a rehearsal (src/shell/rehearsal.ts without a pipeline), the first decision waits for the gates' pre-change window: t ≥ max(10 min, pre-window + 1 min).
    // On a real fleet Prometheus holds the history already: no wait. A served twin (read in-process or through Prometheus) has it only from its start.
    const startAtS = Math.max(600, ev.preWindowS + 60);
    if (!resumed && served !== undefined && clock.t < startAtS) {
      say(`waiting for ${Math.ceil(startAtS - clock.t)} s of simulated time: the gates' pre-change window (${ev.preWindowS} s) of metrics`);
      while (clock.t < startAtS && !clock.done) {
        await clock.sleep(Math.min(10_000, (startAtS - clock.t) * 1000));
        await clock.sync(true);
      }
    }
    const spanFrom = clock.now();
    let phase = shell.state.phase;
    let incomplete: string | null = null;
    while (!shell.finished) {
      await clock.sync();
      if (clock.done) {
        incomplete = `the served twin's scenario ended (${phase}) before the rollout did`;
        break;
      }
      const now = clock.now();
      await servedSource?.scrape(now);
      await shell.advance(now);
      if (shell.state.phase !== phase) {
        phase = shell.state.phase;
        say(`${iso(now) ?? ''} rollout ${spec.name}: ${phase}${shell.state.wave >= 0 ? ` (wave ${shell.state.wave + 1} of ${spec.waves.length})` : ''}`);
      }
      if (shell.finished) break;
      const stranded = strandedRollback(shell.state, spec, left);
      if (stranded !== null) {
        incomplete = stranded;
        break;
      }
      await clock.sleep(STEP_MS);
    }
    const state = shell.state;
    const cleanup: CleanupReport[] = [];
    if (isTerminal(state)) {
      target.stop();
      await target.idle();
      for (const [i, c] of state.clusters.entries()) {
        const name = spec.clusters[i]?.name;
        if (name !== undefined && c.phase === 'rolled-back' && inFleet.has(name)) cleanup.push(await target.cleanUp(name));
      }
    } else {
      target.stop();
    }
    const spanTo = clock.now();
    const shares = await apiShares(served, target.requestsSent(), spanFrom, spanTo);
    const halt = state.halt;
    const result: RolloutRunResult = {
      schema: 'firebreak.dev/rollout-run/v1',
      plan: spec.name,
      outcome: state.phase === 'completed' || state.phase === 'halted' || state.phase === 'aborted' ? state.phase : 'incomplete',
      phase: state.phase,
      startedAt: iso(state.startedAt),
      haltedAt: iso(halt?.at ?? null),
      haltedInWave: halt === null ? null : halt.wave + 1,
      haltedCluster: halt?.cluster ?? null,
      haltReason: halt === null ? null : { by: halt.by, gate: halt.gate, source: source.name, message: halt.message },
      rollbackCompletedAt: iso(state.rollbackCompletedAt),
      rollbackSeconds: halt === null || state.rollbackCompletedAt === null ? null : (state.rollbackCompletedAt - halt.at) / 1000,
      completedAt: iso(state.completedAt),
      clustersChanged: state.clusters.flatMap((c, i) => (c.batch >= 0 || c.phase === 'rolled-back' ? [spec.clusters[i]?.name ?? `#${i}`] : [])),
      cleanup,
      apiShare: { clusters: shares, max: shares.reduce<number | null>((m, s) => (s.share === null ? m : Math.max(m ?? 0, s.share)), null) },
      joined,
      left,
      resumed,
      records: store.count(),
      incomplete: incomplete ?? (isTerminal(state) ? null : `the rollout is ${state.phase}`),
    };
    return { result, state, spec };
  } finally {
    store.close();
  }
}

/** A rollback that only clusters gone from the fleet file hold up cannot finish here: said in words, or null. */
function strandedRollback(state: RolloutState, spec: RolloutSpec, left: readonly string[]): string | null {
  if (state.phase !== 'rolling-back' || left.length === 0) return null;
  const waiting = state.clusters.flatMap((c, i) => (c.phase === 'rolling-back' ? [spec.clusters[i]?.name ?? ''] : []));
  if (waiting.length === 0 || !waiting.every((name) => left.includes(name))) return null;
  return `the rollback of ${waiting.join(', ')} cannot be done: they left the fleet file; put them back and run the same command again`;
}

/** The orchestrator's share of each cluster's API requests over [fromMs, toMs]. */
async function apiShares(served: Served | undefined, sent: ReadonlyMap<string, number>, fromMs: number, toMs: number): Promise<ClusterShare[]> {
  const out: ClusterShare[] = [];
  for (const [cluster, orchestrator] of sent) {
    const c = served?.clusters.get(cluster);
    let total: number | null = null;
    if (c !== undefined && toMs > fromMs) {
      try {
        const s = await c.control.series(c.twinName, 'apiserver_requests_per_second', fromMs, toMs);
        let sum = 0;
        for (let i = 1; i < s.times.length; i++) sum += (s.values[i] ?? 0) * (((s.times[i] ?? 0) - (s.times[i - 1] ?? 0)) / 1000);
        total = s.times.length > 1 ? sum : null;
      } catch {
        total = null;
      }
    }
    out.push({ cluster, orchestrator, total, share: total === null || total <= 0 ? null : orchestrator / total });
  }
  return out;
}
