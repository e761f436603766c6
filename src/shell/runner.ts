/**
 * The orchestrator's shell: it feeds events to the pure decision core and
 * carries out the commands it returns, against a target and a metric source.
 * Nothing is acted on before it is persisted:
 *
 *   event → decide → store the event and its commands (one transaction) →
 *   execute each command → its result is the next event → …
 *
 * Commands run in the order they were decided (first in, first out). Each
 * command's result is recorded once; a command with no recorded result (the
 * process died between doing it and recording it) is carried out again on
 * restart with the same id, which the target recognises (idempotent commands).
 *
 * Resuming: `RolloutShell.open` reads the log and verifies it first
 * (src/shell/log-check.ts: a log two writers interleaved, or one with a gap,
 * is refused with `LogCorrupt` before anything runs). With `replayEffects` (a
 * rehearsal, whose target is an in-memory twin rebuilt from scratch) the
 * shell re-executes each recorded command at its recorded time, in its
 * recorded order, to bring the twin back to where it was, and checks that
 * every result and every decision comes out identical; then it continues
 * live. Against real clusters (later) the recorded effects already happened
 * and the shell only folds the events to rebuild its state.
 *
 * With `holdWhilePaused` (a rehearsal) a paused rollout is held where it
 * stands: no ticks, no evaluations, nothing recorded, only the inbox is
 * watched. Nothing in virtual time can resume a rehearsal, so this keeps the
 * log ending at the pause, where a `firebreak rollout resume` taken by the
 * next run continues it (otherwise the log would run on to the scenario's
 * end and a resume would find no time left).
 *
 * Commands carry what carrying them out needs (an evaluate command names
 * each judged cluster's comparison start and its snapshot command, whose
 * baselines and levels before the change the comparison uses): the shell
 * never reads the core's state to execute one. It keeps only what the
 * snapshot commands and results it recorded say — each one's baseline
 * clusters and levels — (rebuilt from the log on resume).
 *
 * Time comes from the caller (`advance(now)`); the shell keeps no timers.
 *
 * @example
 *   const shell = await RolloutShell.open({ spec, store, target, source, hooks });
 *   while (!twin.done) { await shell.advance(twin.clock.now()); twin.step(); }
 */
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { decide, evaluateTargets, initialState, isTerminal, nextWake, type ClusterEvaluation, type JudgedCluster, type RolloutCommand, type RolloutEvent, type RolloutState, type StatusResult } from '../orchestrator/core.ts';
import type { GateSeries } from '../orchestrator/gate-catalogue.ts';
import { gateIssues, type Levels, type SeriesSet } from '../orchestrator/gates.ts';
import type { MetricResult, MetricSource, RolloutTarget, SeriesWindow } from '../orchestrator/ports.ts';
import { median, significant6 } from '../core/number.ts';
import type { EventStore, InboxItem, LogRecord } from './event-store.ts';
import { eventId, foldLog } from './log-check.ts';

export interface ShellHooks {
  /** Delivers a notification (rehearsal: the twin's timeline; later: chat, paging). */
  notify(cmd: Extract<RolloutCommand, { kind: 'notify' }>, at: number): void;
  /** Rehearsal only: grants a pending approval on behalf of a person, or returns null. */
  autoApprove?(state: RolloutState, now: number): string | null;
}

export interface ShellDeps {
  readonly spec: RolloutSpec;
  readonly store: EventStore;
  readonly target: RolloutTarget;
  readonly source: MetricSource;
  readonly hooks: ShellHooks;
  /** Re-execute recorded commands on resume (a rehearsal's twin starts from scratch). */
  readonly replayEffects: boolean;
  /** Hold a paused rollout where it stands (no ticks) until a resume or an abort arrives (rehearsals). */
  readonly holdWhilePaused?: boolean;
}

/** The log and the decisions replayed from it disagree: the code, the inputs or the target changed. One line; `detail` has the bodies. */
export class ReplayDivergence extends Error {
  readonly code = 'FB_REPLAY_DIVERGENCE';
  readonly detail: string;
  constructor(message: string, detail = '') {
    super(message);
    this.name = 'ReplayDivergence';
    this.detail = detail;
  }
}

/** What a snapshot command and its result say: the canary's baseline clusters, and the levels before its change (once the result is recorded). */
interface SnapshotRecord {
  readonly baselines: readonly string[];
  levels: { readonly canary: Levels; readonly baselines: Readonly<Record<string, Levels>> } | null;
}

interface Replay {
  readonly records: readonly LogRecord[];
  cursor: number;
  /** Commands decided and not yet matched with a record. */
  readonly expected: RolloutCommand[];
  /** Commands recorded and not yet answered, in the order they were issued. */
  readonly issued: Map<string, RolloutCommand>;
}

export class RolloutShell {
  readonly spec: RolloutSpec;
  readonly #store: EventStore;
  readonly #target: RolloutTarget;
  readonly #source: MetricSource;
  readonly #hooks: ShellHooks;
  readonly #hold: boolean;
  readonly #metricGates: readonly GateSeries[];
  readonly #allSeries: readonly string[];
  readonly #criticalGates: readonly GateSeries[];
  readonly #criticalSeries: readonly string[];
  readonly #otherSeries: readonly string[];
  /** Every snapshot command recorded and its result's levels, by command id (evaluate commands name theirs). */
  readonly #snapshots = new Map<string, SnapshotRecord>();
  #state: RolloutState;
  #queue: RolloutCommand[] = [];
  #replay: Replay | null = null;
  #inboxPolledAt = Number.NEGATIVE_INFINITY;
  #wake: number | null | undefined;
  /** Wall-clock-free counters for benchmarks. */
  readonly counters = { decisions: 0, commands: 0, replayed: 0 };

  private constructor(deps: ShellDeps) {
    this.spec = deps.spec;
    this.#store = deps.store;
    this.#target = deps.target;
    this.#source = deps.source;
    this.#hooks = deps.hooks;
    this.#hold = deps.holdWhilePaused === true;
    this.#state = initialState(deps.spec);
    this.#metricGates = deps.spec.gates.filter((g) => g.gate.kind === 'metric');
    this.#allSeries = [...new Set(this.#metricGates.map((g) => g.series))];
    this.#criticalGates = this.#metricGates.filter((g) => g.gate.critical);
    this.#criticalSeries = [...new Set(this.#criticalGates.map((g) => g.series))];
    this.#otherSeries = this.#allSeries.filter((x) => !this.#criticalSeries.includes(x));
  }

  /** Opens a shell on a store: fresh when the log is empty, resuming otherwise. Throws LogCorrupt for a log that does not verify. */
  static open(deps: ShellDeps): RolloutShell {
    const shell = new RolloutShell(deps);
    const records = deps.store.records();
    if (records.length > 0) {
      const folded = foldLog(deps.spec, records);
      if (deps.replayEffects) {
        shell.#replay = { records, cursor: 0, expected: [], issued: new Map() };
      } else {
        // Nothing is carried out again but the commands with no recorded result, in the order they were issued.
        shell.#state = folded.state;
        shell.#queue = [...folded.unanswered];
        shell.counters.decisions += folded.events;
        for (const record of records) {
          if (record.type === 'command' && record.kind === 'snapshot') shell.#rememberCommand(JSON.parse(record.body) as RolloutCommand);
          else if (record.type === 'event' && record.kind === 'snapshot-result') shell.#remember(JSON.parse(record.body) as RolloutEvent);
        }
      }
    }
    return shell;
  }

  get state(): RolloutState {
    return this.#state;
  }

  /** Still replaying the log (the rehearsal's twin has not caught up). */
  get replaying(): boolean {
    return this.#replay !== null;
  }

  /** Finished: a terminal phase and nothing left to carry out. */
  get finished(): boolean {
    return this.#replay === null && this.#queue.length === 0 && isTerminal(this.#state);
  }

  /** Does everything due at `now` (epoch ms). Call it at every step of the clock. */
  async advance(now: number): Promise<void> {
    if (this.#replay !== null) {
      await this.#replayUntil(now);
      if (this.#replay !== null) return;
    }
    await this.#drain(now);
    if (now >= this.#inboxPolledAt + this.spec.evaluation.everyS * 1000) {
      this.#inboxPolledAt = now;
      for (const item of this.#store.pendingInbox()) await this.#takeInbox(item, now);
    }
    if (this.#hold && this.#state.phase === 'paused') return;
    const by = this.#hooks.autoApprove?.(this.#state, now) ?? null;
    if (by !== null && this.#state.phase === 'awaiting-approval') await this.#process({ kind: 'approve', at: now, by, wave: this.#state.wave + 1 }, now);
    if (this.#state.phase === 'pending') await this.#process({ kind: 'start', at: now }, now);
    // nextWake only changes with the state: computed once per decision.
    if (this.#wake === undefined) this.#wake = nextWake(this.spec, this.#state);
    if (this.#wake !== null && this.#wake <= now) await this.#process({ kind: 'tick', at: now }, now);
  }

  // ─── live ─────────────────────────────────────────────────────────────────

  async #process(event: RolloutEvent, now: number): Promise<void> {
    this.#store.appendAll(this.#decideLive(event));
    await this.#drain(now);
  }

  /** Decides a new event; returns the records to store (the event, then its commands) before anything runs. */
  #decideLive(event: RolloutEvent): Omit<LogRecord, 'seq'>[] {
    const commands = this.#decide(event);
    const records: Omit<LogRecord, 'seq'>[] = [{ type: 'event', at: event.at, kind: event.kind, id: eventId(event), body: JSON.stringify(event) }];
    for (const command of commands) {
      records.push({ type: 'command', at: event.at, kind: command.kind, id: command.id, body: JSON.stringify(command) });
      this.counters.commands++;
      this.#queue.push(command);
    }
    return records;
  }

  #decide(event: RolloutEvent): RolloutCommand[] {
    this.#remember(event);
    const { state, commands } = decide(this.spec, this.#state, event);
    this.#state = state;
    this.#wake = undefined;
    this.counters.decisions++;
    for (const command of commands) this.#rememberCommand(command);
    return [...commands];
  }

  async #drain(now: number): Promise<void> {
    while (this.#queue.length > 0) {
      const command = this.#queue.shift() as RolloutCommand;
      const result = await this.#execute(command, now);
      this.#store.appendAll(this.#decideLive(result));
    }
  }

  async #takeInbox(item: InboxItem, now: number): Promise<void> {
    this.#store.takeInbox(item, this.#decideLive(inboxEvent(item, now)));
    await this.#drain(now);
  }

  // ─── resuming ─────────────────────────────────────────────────────────────

  async #replayUntil(now: number): Promise<void> {
    const replay = this.#replay;
    if (replay === null) return;
    while (replay.cursor < replay.records.length) {
      const record = replay.records[replay.cursor] as LogRecord;
      if (record.at > now) return;
      replay.cursor++;
      this.counters.replayed++;
      if (record.type === 'command') {
        const command = matchCommand(replay.expected, record);
        replay.issued.set(command.id, command);
        continue;
      }
      const event = JSON.parse(record.body) as RolloutEvent;
      if ('commandId' in event) {
        const command = replay.issued.get(event.commandId);
        if (command === undefined) throw new ReplayDivergence(`record ${record.seq}: result of ${event.commandId}, which was never issued`);
        const again = await this.#execute(command, record.at);
        const body = JSON.stringify(again);
        if (body !== record.body) throw new ReplayDivergence(`record ${record.seq}: ${command.id} gave a different result on replay (the code, the inputs or the twin changed)`, `recorded ${record.body}\nreplayed ${body}`);
        replay.issued.delete(command.id);
      }
      replay.expected.push(...this.#decide(event));
    }
    this.#replay = null;
    this.#finishResume(replay.expected, replay.issued);
  }

  /** After the log: queue every command with no recorded result (an event and its commands are stored together). */
  #finishResume(expected: readonly RolloutCommand[], issued: ReadonlyMap<string, RolloutCommand>): void {
    if (expected.length > 0) throw new ReplayDivergence(`the log ends with ${expected.length} decided command(s) that were never recorded (${expected.map((command) => command.id).join(', ')})`);
    this.#queue = [...issued.values()];
  }

  // ─── carrying out commands ───────────────────────────────────────────────

  /** Keeps a snapshot command's baseline clusters, for the evaluate commands that name it. */
  #rememberCommand(command: RolloutCommand): void {
    if (command.kind === 'snapshot') this.#snapshots.set(command.id, { baselines: command.baselines, levels: null });
  }

  /** Keeps the levels a snapshot result reports, for the evaluate commands that name its command. */
  #remember(event: RolloutEvent): void {
    if (event.kind !== 'snapshot-result') return;
    const snapshot = this.#snapshots.get(event.commandId);
    if (snapshot !== undefined) snapshot.levels = { canary: event.canary, baselines: event.baselines };
  }

  async #execute(command: RolloutCommand, now: number): Promise<RolloutEvent> {
    switch (command.kind) {
      case 'snapshot':
        return this.#snapshot(command, now);
      case 'apply': {
        const { id, cluster, batch, nodes, nodeFraction, identity } = command;
        const outcome = await this.#target.apply({ commandId: id, cluster, batch, nodes, nodeFraction, identity });
        return { kind: 'apply-result', at: now, commandId: id, cluster, batch, outcome };
      }
      case 'evaluate':
        return this.#evaluate(command, now);
      case 'kill-switch': {
        const outcome = await this.#target.killSwitch({ commandId: command.id, cluster: command.cluster });
        return { kind: 'kill-switch-result', at: now, commandId: command.id, cluster: command.cluster, outcome };
      }
      case 'delete': {
        const outcome = await this.#target.remove({ commandId: command.id, cluster: command.cluster, identity: command.identity });
        return { kind: 'delete-result', at: now, commandId: command.id, cluster: command.cluster, breakGlass: command.identity.breakGlass, outcome };
      }
      case 'notify':
        this.#hooks.notify(command, now);
        return { kind: 'notified', at: now, commandId: command.id };
    }
  }

  /** Each cluster's level before the change: the median of each series over the pre-change window. */
  async #snapshot(command: Extract<RolloutCommand, { kind: 'snapshot' }>, now: number): Promise<RolloutEvent> {
    const samples = await this.#source.query({ clusters: [command.cluster, ...command.baselines], series: this.#allSeries, fromMs: command.fromMs, toMs: command.toMs });
    const levels = (cluster: string): Levels => {
      const measured: Record<string, number> = {};
      for (const series of this.#allSeries) {
        const window = samples[cluster]?.[series];
        if (window !== undefined && window.values.length > 0) measured[series] = significant6(median(window.values));
      }
      return measured;
    };
    const baselines: Record<string, Levels> = {};
    for (const baseline of command.baselines) baselines[baseline] = levels(baseline);
    return { kind: 'snapshot-result', at: now, commandId: command.id, cluster: command.cluster, canary: levels(command.cluster), baselines };
  }

  /** The snapshot an evaluate command names for a judged cluster; undefined when none was recorded (no baseline, no level before: fails closed). */
  #snapshotOf(judged: JudgedCluster): SnapshotRecord | undefined {
    return judged.snapshot === null ? undefined : this.#snapshots.get(judged.snapshot);
  }

  /** Judges the command's clusters from the command alone: comparison start, and the baselines and levels of the snapshot it names. */
  async #evaluate(command: Extract<RolloutCommand, { kind: 'evaluate' }>, now: number): Promise<RolloutEvent> {
    const targets = evaluateTargets(command);
    // Critical series for every judged cluster and its baselines; the others only where every gate is judged.
    const critical = new Set<string>();
    const all = new Set<string>();
    for (const target of targets) {
      if (target.judged === undefined) continue;
      const into = target.gates === 'all' ? all : critical;
      into.add(target.cluster);
      for (const baseline of this.#snapshotOf(target.judged)?.baselines ?? []) into.add(baseline);
    }
    for (const cluster of all) critical.add(cluster);
    const query = async (clusters: ReadonlySet<string>, series: readonly string[]): Promise<MetricResult> =>
      clusters.size === 0 || series.length === 0 ? {} : this.#source.query({ clusters: [...clusters], series, fromMs: command.fromMs, toMs: now });
    const criticalSamples = await query(critical, this.#criticalSeries);
    const otherSamples = await query(all, this.#otherSeries);
    // A baseline cluster serves several canaries: its series are put together once per evaluation.
    const seriesSets = new Map<string, SeriesSet>();
    const seriesOf = (cluster: string): SeriesSet => {
      let set = seriesSets.get(cluster);
      if (set === undefined) {
        set = clip({ ...criticalSamples[cluster], ...otherSamples[cluster] }, command.fromMs);
        seriesSets.set(cluster, set);
      }
      return set;
    };
    const reports: ClusterEvaluation[] = [];
    const clean: string[] = [];
    for (const target of targets) {
      let status: StatusResult | undefined;
      if (target.status !== undefined) {
        const read = await this.#target.status(target.cluster, target.status === 'break-glass' ? this.spec.breakGlass : this.spec.identity);
        status = { ok: read.ok, reason: read.reason, present: read.present, desired: read.desired, ready: significant6(read.ready) };
      }
      const withStatus = status !== undefined ? { status } : {};
      const judged = target.judged;
      if (target.gates === 'none' || judged === undefined) {
        if (status !== undefined) reports.push({ cluster: target.cluster, gates: 'none', passed: 0, issues: [], ...withStatus });
        continue;
      }
      const snapshot = this.#snapshotOf(judged);
      const levels = snapshot?.levels ?? undefined;
      const { issues, passed } = gateIssues(
        target.gates === 'all' ? this.#metricGates : this.#criticalGates,
        {
          now,
          canary: seriesOf(target.cluster),
          canaryPre: levels?.canary ?? {},
          baselines: (snapshot?.baselines ?? []).map((baseline) => ({ cluster: baseline, series: seriesOf(baseline), pre: levels?.baselines[baseline] ?? {} })),
          compareFrom: judged.compareFrom,
        },
        this.spec.evaluation,
      );
      if (issues.length === 0 && status === undefined) clean.push(target.cluster);
      else reports.push({ cluster: target.cluster, gates: target.gates, passed, issues, ...withStatus });
    }
    return { kind: 'evaluation', at: now, commandId: command.id, clusters: reports, clean };
  }
}

/** Samples at or after `fromMs` (the query already starts there when every target shares the window). */
function clip(set: Readonly<Record<string, SeriesWindow>> | undefined, fromMs: number): SeriesSet {
  if (set === undefined) return {};
  let inside = true;
  for (const series in set) if (((set[series] as SeriesWindow).times[0] ?? fromMs) < fromMs) inside = false;
  if (inside) return set;
  const clipped: Record<string, SeriesWindow> = {};
  for (const [series, window] of Object.entries(set)) {
    let first = 0;
    while (first < window.times.length && (window.times[first] ?? 0) < fromMs) first++;
    clipped[series] = first === 0 ? window : { times: window.times.slice(first), values: window.values.slice(first) };
  }
  return clipped;
}

function matchCommand(expected: RolloutCommand[], record: LogRecord): RolloutCommand {
  const want = expected.shift();
  if (want === undefined) throw new ReplayDivergence(`record ${record.seq}: command ${record.id} was not decided on replay`);
  const body = JSON.stringify(want);
  if (body !== record.body) throw new ReplayDivergence(`record ${record.seq}: the decision differs on replay (recorded ${record.kind} ${record.id}, decided ${want.kind} ${want.id})`, `recorded ${record.body}\nreplayed ${body}`);
  return want;
}

/** A person's request from the inbox as an event; malformed bodies become a note-only pause. */
export function inboxEvent(item: Pick<InboxItem, 'kind' | 'body'>, at: number): RolloutEvent {
  let body: { by?: unknown; reason?: unknown; wave?: unknown } = {};
  try {
    body = JSON.parse(item.body) as typeof body;
  } catch {
    body = {};
  }
  const by = typeof body.by === 'string' && body.by !== '' ? body.by : 'someone';
  const reason = typeof body.reason === 'string' ? body.reason : '';
  switch (item.kind) {
    case 'resume':
      return { kind: 'resume', at, by };
    case 'approve':
      return { kind: 'approve', at, by, wave: typeof body.wave === 'number' ? body.wave : null };
    case 'abort':
      return { kind: 'abort', at, by, reason };
    default:
      return { kind: 'pause', at, by, reason };
  }
}
