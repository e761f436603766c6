/**
 * The decision core: `decide(spec, state, event) → { state, commands }`, a
 * pure function. Events are what happened (the rollout started, a tick of
 * the clock, a command's result, a person's pause, approval or abort);
 * commands are what to do next (take a pre-change snapshot, apply a node
 * batch, evaluate gates, flip the kill switch, delete the change, notify).
 * The shell persists every event and command before acting on them and
 * executes the commands; replaying the events through `decide` rebuilds the
 * state exactly, which is how a restarted orchestrator resumes.
 *
 * Nothing here reads a clock: every event carries its time (`at`, epoch ms),
 * and `nextWake` says when the shell should deliver the next tick. Jitter
 * comes from a seeded Random keyed by what is being retried, so it needs no
 * state.
 *
 * Rollout phases: pending → running ⇄ awaiting-approval, running ⇄ paused,
 * running → completed; any live phase → rolling-back → halted (a gate
 * failed) or aborted (a person aborted). Cluster phases: pending → snapshot →
 * applying (⇄ retry-wait) → rolling-out → baking → applying (next batch) … →
 * done; any changed cluster → rolling-back → rolled-back. docs/orchestrator.md
 * draws both machines.
 *
 * @example
 *   let state = initialState(spec);
 *   ({ state, commands } = decide(spec, state, { kind: 'start', at: t0 }));
 *   // commands: [{ kind: 'snapshot', cluster: 'ap-south-07', … }]
 */
import { Random } from '../core/random.ts';
import type { RolloutSpec, SpecCluster } from './compile.ts';
import { describeResult, type GateResult, type Levels } from './gates.ts';
import type { Identity, TargetOutcome } from './ports.ts';

// ─── state ────────────────────────────────────────────────────────────────

export type RolloutPhase = 'pending' | 'running' | 'awaiting-approval' | 'paused' | 'rolling-back' | 'completed' | 'halted' | 'aborted';
export type ClusterPhase = 'pending' | 'snapshot' | 'applying' | 'retry-wait' | 'rolling-out' | 'baking' | 'done' | 'rolling-back' | 'rolled-back';

export const TERMINAL_PHASES: readonly RolloutPhase[] = ['completed', 'halted', 'aborted'];

export interface StatusView {
  readonly at: number;
  readonly present: boolean;
  readonly desired: number;
  readonly ready: number;
}

export interface RollbackState {
  readonly startedAt: number;
  readonly killSwitched: boolean;
  readonly deleted: boolean;
  readonly attempts: number;
  readonly retryAt: number | null;
  /** Deletes go through the break-glass identity. */
  readonly breakGlass: boolean;
  readonly killAttempts: number;
  /** A delete command is out. */
  readonly deletePending: boolean;
  readonly killPending: boolean;
  readonly completedAt: number | null;
}

export interface ClusterState {
  readonly phase: ClusterPhase;
  /** Last batch applied (0-based), -1 before the first. */
  readonly batch: number;
  /** Batch being applied (applying, retry-wait). */
  readonly target: number;
  readonly attempts: number;
  readonly retryAt: number | null;
  /** An apply command is out. */
  readonly applyPending: boolean;
  /** When the first batch was started: the end of the pre-change window. */
  readonly startedAt: number | null;
  readonly appliedAt: number | null;
  readonly readyAt: number | null;
  readonly bakeUntil: number | null;
  readonly holdSince: number | null;
  readonly lastChangeAt: number | null;
  readonly doneAt: number | null;
  readonly baselines: readonly string[];
  /** Levels before the change: the canary's and each baseline cluster's. */
  readonly pre: { readonly canary: Levels; readonly baselines: Readonly<Record<string, Levels>> } | null;
  readonly status: StatusView | null;
  /** Gate issues at the last evaluation (failing, holding or missing), for status displays. */
  readonly issues: readonly GateResult[];
  /** When its gates were last asked for. */
  readonly evaluatedAt: number | null;
  readonly tokens: number;
  readonly tokensAt: number;
  readonly rollback: RollbackState | null;
}

export interface HaltInfo {
  readonly at: number;
  /** 0-based wave index. */
  readonly wave: number;
  readonly cluster: string | null;
  /** Batch (0-based) the cluster was at. */
  readonly batch: number | null;
  readonly gate: string | null;
  readonly result: GateResult | null;
  readonly message: string;
  readonly by: 'gate' | 'person' | 'missing-data' | 'apply-failed' | 'rollout-stuck';
}

export interface RolloutState {
  readonly phase: RolloutPhase;
  readonly now: number;
  readonly startedAt: number | null;
  /** Current wave (0-based), -1 before the start. */
  readonly wave: number;
  readonly waveStartedAt: number | null;
  readonly waveBakeUntil: number | null;
  /** Wave start and end times, for reports. */
  readonly waveTimes: readonly { readonly startedAt: number | null; readonly endedAt: number | null }[];
  readonly awaitingSince: number | null;
  readonly pausedFrom: RolloutPhase | null;
  readonly pauseReason: string | null;
  /** Who paused the rollout ('firebreak' for its own pauses) and when; null unless paused. */
  readonly pausedBy: string | null;
  readonly pausedAt: number | null;
  readonly lastEvalAt: number | null;
  readonly evalPending: boolean;
  readonly clusters: readonly ClusterState[];
  readonly halt: HaltInfo | null;
  readonly rollbackCompletedAt: number | null;
  readonly completedAt: number | null;
  /** Events decided so far. */
  readonly decisions: number;
}

// ─── events and commands ───────────────────────────────────────────────────

export interface StatusResult {
  readonly ok: boolean;
  readonly reason: string;
  readonly present: boolean;
  readonly desired: number;
  readonly ready: number;
}

/** One cluster's evaluation, when it has something to report (a gate that did not pass, or a status read). */
export interface ClusterEvaluation {
  readonly cluster: string;
  readonly gates: GateScope;
  /** Gate results that are not a pass; `passed` counts the others. */
  readonly passed: number;
  readonly issues: readonly GateResult[];
  readonly status?: StatusResult;
}

export type RolloutEvent =
  | { readonly kind: 'start'; readonly at: number }
  | { readonly kind: 'tick'; readonly at: number }
  | { readonly kind: 'snapshot-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly canary: Levels; readonly baselines: Readonly<Record<string, Levels>> }
  | { readonly kind: 'apply-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly batch: number; readonly outcome: TargetOutcome }
  /** `clusters`: those with something to report; `clean`: judged, every gate passed, no status read. */
  | { readonly kind: 'evaluation'; readonly at: number; readonly commandId: string; readonly clusters: readonly ClusterEvaluation[]; readonly clean: readonly string[] }
  | { readonly kind: 'kill-switch-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly outcome: TargetOutcome }
  | { readonly kind: 'delete-result'; readonly at: number; readonly commandId: string; readonly cluster: string; readonly breakGlass: boolean; readonly outcome: TargetOutcome }
  | { readonly kind: 'notified'; readonly at: number; readonly commandId: string }
  | { readonly kind: 'pause'; readonly at: number; readonly by: string; readonly reason: string }
  | { readonly kind: 'resume'; readonly at: number; readonly by: string }
  | { readonly kind: 'approve'; readonly at: number; readonly by: string; readonly wave: number | null }
  | { readonly kind: 'abort'; readonly at: number; readonly by: string; readonly reason: string };

/**
 * Which gates to judge: all of them once a batch has settled; only the
 * critical ones before (the others cannot fail then); none while the change
 * is rolled back (only its status matters).
 */
export type GateScope = 'all' | 'critical' | 'none';

export interface EvaluateTarget {
  readonly cluster: string;
  readonly gates: GateScope;
  /** Read the change's status through the API, and as whom (absent: not this time, e.g. out of budget). */
  readonly status?: 'normal' | 'break-glass';
}

/** The clusters of an evaluate command, by what to do with them (compact: it is logged every 15 s). */
export interface EvaluatePlan {
  /** Judge every gate / only the critical gates. */
  readonly gates: { readonly all: readonly string[]; readonly critical: readonly string[] };
  /** Read the change's status as the ordinary / the break-glass identity. */
  readonly status: { readonly normal: readonly string[]; readonly breakGlass: readonly string[] };
}

/** An evaluate command's clusters one by one, in the order the command lists them (gates first, then status-only). */
export function evaluateTargets(c: EvaluatePlan): EvaluateTarget[] {
  const status = new Map<string, 'normal' | 'break-glass'>();
  for (const n of c.status.normal) status.set(n, 'normal');
  for (const n of c.status.breakGlass) status.set(n, 'break-glass');
  const out: EvaluateTarget[] = [];
  const seen = new Set<string>();
  const add = (cluster: string, gates: GateScope): void => {
    if (seen.has(cluster)) return;
    seen.add(cluster);
    const st = status.get(cluster);
    out.push({ cluster, gates, ...(st !== undefined ? { status: st } : {}) });
  };
  for (const n of c.gates.all) add(n, 'all');
  for (const n of c.gates.critical) add(n, 'critical');
  for (const n of status.keys()) add(n, 'none');
  return out;
}

export type RolloutCommand =
  | { readonly kind: 'snapshot'; readonly id: string; readonly cluster: string; readonly baselines: readonly string[]; readonly fromMs: number; readonly toMs: number }
  | { readonly kind: 'apply'; readonly id: string; readonly cluster: string; readonly batch: number; readonly nodes: number; readonly nodeFraction: number; readonly identity: Identity }
  /** Judge gates over [fromMs, at] against each cluster's baseline and pre-change levels (from the state). */
  | ({ readonly kind: 'evaluate'; readonly id: string; readonly at: number; readonly fromMs: number } & EvaluatePlan)
  | { readonly kind: 'kill-switch'; readonly id: string; readonly cluster: string }
  | { readonly kind: 'delete'; readonly id: string; readonly cluster: string; readonly identity: Identity }
  | { readonly kind: 'notify'; readonly id: string; readonly severity: 'info' | 'warning' | 'critical'; readonly cluster: string | null; readonly message: string };

export interface Decision {
  readonly state: RolloutState;
  readonly commands: readonly RolloutCommand[];
}

// ─── construction ─────────────────────────────────────────────────────────

export function initialState(spec: RolloutSpec): RolloutState {
  return {
    phase: 'pending',
    now: 0,
    startedAt: null,
    wave: -1,
    waveStartedAt: null,
    waveBakeUntil: null,
    waveTimes: spec.waves.map(() => ({ startedAt: null, endedAt: null })),
    awaitingSince: null,
    pausedFrom: null,
    pauseReason: null,
    pausedBy: null,
    pausedAt: null,
    lastEvalAt: null,
    evalPending: false,
    clusters: spec.clusters.map(() => ({
      phase: 'pending',
      batch: -1,
      target: 0,
      attempts: 0,
      retryAt: null,
      applyPending: false,
      startedAt: null,
      appliedAt: null,
      readyAt: null,
      bakeUntil: null,
      holdSince: null,
      lastChangeAt: null,
      doneAt: null,
      baselines: [],
      pre: null,
      status: null,
      issues: [],
      evaluatedAt: null,
      tokens: spec.budget.burst,
      tokensAt: Number.NEGATIVE_INFINITY,
      rollback: null,
    })),
    halt: null,
    rollbackCompletedAt: null,
    completedAt: null,
    decisions: 0,
  };
}

export function isTerminal(state: RolloutState): boolean {
  return TERMINAL_PHASES.includes(state.phase);
}

// ─── the working copy decide() edits ──────────────────────────────────────

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class Draft {
  readonly spec: RolloutSpec;
  readonly s: Mutable<RolloutState>;
  readonly clusters: ClusterState[];
  readonly out: RolloutCommand[] = [];
  readonly at: number;
  readonly #index: Map<string, number>;

  constructor(spec: RolloutSpec, state: RolloutState, at: number, index: Map<string, number>) {
    this.spec = spec;
    this.clusters = state.clusters.slice();
    this.s = { ...state, clusters: this.clusters, now: Math.max(state.now, at), decisions: state.decisions + 1 };
    this.at = at;
    this.#index = index;
  }

  idx(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  c(i: number): ClusterState {
    const c = this.clusters[i];
    if (c === undefined) throw new Error(`no cluster ${i}`);
    return c;
  }

  sc(i: number): SpecCluster {
    const c = this.spec.clusters[i];
    if (c === undefined) throw new Error(`no cluster ${i}`);
    return c;
  }

  set(i: number, patch: Partial<ClusterState>): ClusterState {
    const next = { ...this.c(i), ...patch };
    this.clusters[i] = next;
    return next;
  }

  emit(cmd: RolloutCommand): void {
    this.out.push(cmd);
  }

  notify(severity: 'info' | 'warning' | 'critical', cluster: string | null, message: string): void {
    this.emit({ kind: 'notify', id: `notify:${this.s.decisions}.${this.out.length}`, severity, cluster, message });
  }

  /** Takes one token from the cluster's API budget; false when the budget is spent. */
  spend(i: number): boolean {
    const b = this.spec.budget;
    const c = this.c(i);
    const tokens = Math.min(b.burst, c.tokens + (c.tokensAt === Number.NEGATIVE_INFINITY ? b.burst : ((this.at - c.tokensAt) / 1000) * b.qps));
    if (tokens < 1) {
      this.set(i, { tokens, tokensAt: this.at });
      return false;
    }
    this.set(i, { tokens: tokens - 1, tokensAt: this.at });
    return true;
  }

  /** When the cluster's budget has a token again. */
  tokenAt(i: number): number {
    const c = this.c(i);
    return c.tokensAt + (Math.max(0, 1 - c.tokens) / this.spec.budget.qps) * 1000;
  }

  /** Backoff before attempt `attempt + 1` (attempt ≥ 1), with seeded jitter keyed by what is retried. */
  backoffMs(key: string, attempt: number, retryAfterS?: number): number {
    const b = this.spec.budget;
    const base = Math.min(b.backoffMaxS, b.backoffInitialS * Math.pow(b.backoffFactor, attempt - 1));
    const u = Random.seeded(this.spec.seed).fork(`${key}:${attempt}`).float();
    const wait = base * (1 - b.backoffJitter / 2 + b.backoffJitter * u);
    return Math.round(Math.max(wait, retryAfterS ?? 0) * 1000);
  }

  finish(): Decision {
    return { state: this.s, commands: this.out };
  }
}

const indexCache = new WeakMap<RolloutSpec, Map<string, number>>();

function indexOf(spec: RolloutSpec): Map<string, number> {
  let m = indexCache.get(spec);
  if (m === undefined) {
    m = new Map(spec.clusters.map((c, i) => [c.name, i]));
    indexCache.set(spec, m);
  }
  return m;
}

// ─── decide ───────────────────────────────────────────────────────────────

/** The decision core. Pure: the same spec, state and event give the same result. */
export function decide(spec: RolloutSpec, state: RolloutState, event: RolloutEvent): Decision {
  const d = new Draft(spec, state, event.at, indexOf(spec));
  switch (event.kind) {
    case 'start':
      onStart(d);
      break;
    case 'tick':
      onTick(d);
      break;
    case 'snapshot-result':
      onSnapshot(d, event);
      break;
    case 'apply-result':
      onApplied(d, event);
      break;
    case 'evaluation':
      onEvaluation(d, event);
      break;
    case 'kill-switch-result':
      onKillSwitched(d, event);
      break;
    case 'delete-result':
      onDeleted(d, event);
      break;
    case 'notified':
      break;
    case 'pause':
      onPause(d, event.by, event.reason);
      break;
    case 'resume':
      onResume(d, event.by);
      break;
    case 'approve':
      onApprove(d, event.by, event.wave);
      break;
    case 'abort':
      onAbort(d, event.by, event.reason);
      break;
  }
  return d.finish();
}

function onStart(d: Draft): void {
  if (d.s.phase !== 'pending') return;
  d.s.startedAt = d.at;
  d.notify('info', null, `rollout ${d.spec.name} started: ${d.spec.clusters.length} clusters in ${d.spec.waves.length} waves`);
  if (d.spec.waves.length === 0) {
    complete(d);
    return;
  }
  enterWave(d, 0);
}

function enterWave(d: Draft, w: number): void {
  d.s.wave = w;
  d.s.waveBakeUntil = null;
  const wave = d.spec.waves[w];
  if (wave === undefined) {
    complete(d);
    return;
  }
  if (wave.approval) {
    d.s.phase = 'awaiting-approval';
    d.s.awaitingSince = d.at;
    d.notify('warning', null, `wave ${w + 1} (${wave.name}, ${wave.clusters.length} clusters) waits for a manual approval`);
    return;
  }
  startWave(d, w);
}

function startWave(d: Draft, w: number): void {
  const wave = d.spec.waves[w];
  if (wave === undefined) return;
  d.s.phase = 'running';
  d.s.awaitingSince = null;
  d.s.waveStartedAt = d.at;
  d.s.waveTimes = d.s.waveTimes.map((x, i) => (i === w ? { startedAt: d.at, endedAt: null } : x));
  d.notify('info', null, `wave ${w + 1} (${wave.name}) started: ${wave.clusters.map((i) => d.sc(i).name).join(', ')}`);
  fill(d);
}

function complete(d: Draft): void {
  d.s.phase = 'completed';
  d.s.completedAt = d.at;
  d.notify('info', null, `rollout ${d.spec.name} completed: every wave passed its gates`);
}

const ACTIVE: readonly ClusterPhase[] = ['snapshot', 'applying', 'retry-wait', 'rolling-out', 'baking'];

/** Starts clusters of the current wave up to the wave's concurrency (running only). */
function fill(d: Draft): void {
  if (d.s.phase !== 'running') return;
  const wave = d.spec.waves[d.s.wave];
  if (wave === undefined) return;
  let active = wave.clusters.filter((i) => ACTIVE.includes(d.c(i).phase)).length;
  for (const i of wave.clusters) {
    if (active >= wave.maxConcurrency) break;
    if (d.c(i).phase !== 'pending') continue;
    startCluster(d, i);
    active++;
  }
}

/**
 * Baselines for a canary: not-yet-changed clusters of its size class,
 * nearest in size, preferring those outside the current wave (they stay
 * unchanged longest); else of the nearest class; else clusters whose change
 * already passed every gate (controls for fleet-wide events).
 */
function chooseBaselines(d: Draft, i: number): string[] {
  const me = d.sc(i);
  const rank = { small: 0, medium: 1, large: 2, xlarge: 3 } as const;
  const cands: { name: string; k: [number, number, number, string] }[] = [];
  const controls: { name: string; k: [number, number, number, string] }[] = [];
  d.spec.clusters.forEach((c, j) => {
    if (j === i) return;
    const st = d.c(j);
    const key: [number, number, number, string] = [Math.abs(rank[c.sizeClass] - rank[me.sizeClass]), c.wave === me.wave ? 1 : 0, Math.abs(Math.log(c.nodes / me.nodes)), c.name];
    if (st.phase === 'pending' && st.startedAt === null) cands.push({ name: c.name, k: key });
    else if (st.phase === 'done' && c.wave < me.wave) controls.push({ name: c.name, k: key });
  });
  const cmp = (a: { k: [number, number, number, string] }, b: { k: [number, number, number, string] }): number =>
    a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || (a.k[3] < b.k[3] ? -1 : a.k[3] > b.k[3] ? 1 : 0);
  const pool = cands.length > 0 ? cands : controls;
  pool.sort(cmp);
  const nearest = pool[0]?.k[0];
  return pool.filter((x) => x.k[0] === nearest).slice(0, d.spec.evaluation.maxBaselineClusters).map((x) => x.name);
}

function startCluster(d: Draft, i: number): void {
  const baselines = chooseBaselines(d, i);
  const name = d.sc(i).name;
  d.set(i, { phase: 'snapshot', baselines, startedAt: d.at });
  d.emit({ kind: 'snapshot', id: `snapshot:${name}`, cluster: name, baselines, fromMs: d.at - d.spec.evaluation.preWindowS * 1000, toMs: d.at });
}

function onSnapshot(d: Draft, e: Extract<RolloutEvent, { kind: 'snapshot-result' }>): void {
  const i = d.idx(e.cluster);
  if (i < 0 || d.c(i).phase !== 'snapshot') return;
  d.set(i, { pre: { canary: e.canary, baselines: e.baselines }, phase: 'applying', target: 0, attempts: 0 });
  // Paused meanwhile: the first batch waits for the resume.
  if (d.s.phase === 'running') issueApply(d, i);
  else d.set(i, { phase: 'retry-wait', retryAt: d.at });
}

function issueApply(d: Draft, i: number): void {
  const c = d.c(i);
  const sc = d.sc(i);
  const b = sc.batches[c.target];
  if (b === undefined) return;
  if (!d.spend(i)) {
    d.set(i, { phase: 'retry-wait', retryAt: d.tokenAt(i) });
    return;
  }
  d.set(i, { phase: 'applying', applyPending: true, retryAt: null });
  d.emit({ kind: 'apply', id: `apply:${sc.name}:${c.target}:${c.attempts + 1}`, cluster: sc.name, batch: c.target, nodes: b.nodes, nodeFraction: b.fraction, identity: d.spec.identity });
}

function onApplied(d: Draft, e: Extract<RolloutEvent, { kind: 'apply-result' }>): void {
  const i = d.idx(e.cluster);
  if (i < 0) return;
  const c = d.set(i, { applyPending: false });
  const sc = d.sc(i);
  if (c.phase === 'rolling-back' || c.phase === 'rolled-back' || d.s.phase === 'rolling-back' || isTerminal(d.s)) {
    // The rollout stopped while this apply was out: whatever it did must be undone.
    if (e.outcome.ok) {
      d.set(i, { batch: Math.max(c.batch, e.batch), lastChangeAt: d.at });
      if (c.phase !== 'rolling-back') beginClusterRollback(d, i);
      if (isTerminal(d.s)) d.s.phase = 'rolling-back';
    }
    return;
  }
  if (c.phase !== 'applying') return;
  if (e.outcome.ok) {
    d.set(i, { phase: 'rolling-out', batch: e.batch, attempts: 0, appliedAt: d.at, readyAt: null, bakeUntil: null, lastChangeAt: d.at, holdSince: null });
    return;
  }
  const attempts = c.attempts + 1;
  if (attempts >= d.spec.budget.maxApplyAttempts) {
    d.set(i, { attempts });
    beginHalt(d, {
      at: d.at,
      wave: d.s.wave,
      cluster: sc.name,
      batch: e.batch,
      gate: null,
      result: null,
      by: 'apply-failed',
      message: `could not apply batch ${e.batch + 1} to ${sc.name} after ${attempts} attempts: ${e.outcome.reason}`,
    });
    return;
  }
  d.set(i, { phase: 'retry-wait', attempts, retryAt: d.at + d.backoffMs(`apply:${sc.name}:${e.batch}`, attempts, e.outcome.retryAfterS) });
  d.notify('warning', sc.name, `apply of batch ${e.batch + 1} failed (${e.outcome.reason}); retry ${attempts + 1} of ${d.spec.budget.maxApplyAttempts}`);
}

// ─── ticks and evaluation ─────────────────────────────────────────────────

function onTick(d: Draft): void {
  if (isTerminal(d.s) || d.s.phase === 'pending') return;
  const every = d.spec.evaluation.everyS * 1000;
  const due = d.s.lastEvalAt === null || d.at >= d.s.lastEvalAt + every;
  if (due && !d.s.evalPending && issueEvaluate(d)) return;
  doDueWork(d);
}

const STATUS_ROLLING_OUT_MS = 30_000;
const STATUS_SETTLED_MS = 60_000;

/** A cluster done with its batches, waiting for the rest of its wave, is evaluated this often (every time during the wave bake). */
const DONE_EVAL_MS = 60_000;

/** Clusters the next evaluation looks at. */
function evaluationTargets(d: Draft): number[] {
  const out: number[] = [];
  d.clusters.forEach((c, i) => {
    if (c.phase === 'rolling-back') out.push(i);
    else if (d.sc(i).wave === d.s.wave && c.batch >= 0 && c.phase !== 'rolled-back') {
      const waiting = c.phase === 'done' && d.s.waveBakeUntil === null && c.evaluatedAt !== null && d.at - c.evaluatedAt < DONE_EVAL_MS;
      if (!waiting) out.push(i);
    }
  });
  return out;
}

function issueEvaluate(d: Draft): boolean {
  const idx = evaluationTargets(d);
  if (idx.length === 0) return false;
  const ev = d.spec.evaluation;
  const all: string[] = [];
  const critical: string[] = [];
  const normal: string[] = [];
  const breakGlass: string[] = [];
  for (const i of idx) {
    const c = d.c(i);
    const sc = d.sc(i);
    const rolling = c.phase === 'rolling-back';
    // Status reads cost API budget: at every evaluation while the change is rolled back, every 30 s
    // while a batch's pods start, once a minute after.
    const age = c.status === null ? Number.POSITIVE_INFINITY : d.at - c.status.at;
    const wantStatus = rolling || (c.phase === 'rolling-out' && age >= STATUS_ROLLING_OUT_MS) || (d.s.wave === sc.wave && (c.phase === 'baking' || c.phase === 'done') && age >= STATUS_SETTLED_MS);
    if (wantStatus && d.spend(i)) (rolling && c.rollback?.breakGlass === true ? breakGlass : normal).push(sc.name);
    if (rolling) continue;
    d.set(i, { evaluatedAt: d.at });
    (settled(d, c) ? all : critical).push(sc.name);
  }
  d.s.lastEvalAt = d.at;
  d.s.evalPending = true;
  d.emit({ kind: 'evaluate', id: `evaluate:${d.at}`, at: d.at, fromMs: d.at - ev.windowS * 1000, gates: { all, critical }, status: { normal, breakGlass } });
  return true;
}

/** A batch has settled: its pods are ready and the settle time has passed; every gate may fail now. */
function settled(d: Draft, c: ClusterState): boolean {
  return (c.phase === 'baking' || c.phase === 'done') && c.readyAt !== null && d.at >= c.readyAt + d.spec.evaluation.settleS * 1000;
}

/** Retries whose time has come, and new clusters within the concurrency. */
function doDueWork(d: Draft): void {
  d.clusters.forEach((c, i) => {
    if (c.phase === 'retry-wait' && c.retryAt !== null && c.retryAt <= d.at && d.s.phase === 'running') issueApply(d, i);
    const r = c.rollback;
    if (c.phase === 'rolling-back' && r !== null && !r.deletePending && !r.deleted && r.retryAt !== null && r.retryAt <= d.at) issueDelete(d, i);
  });
  fill(d);
}

function onEvaluation(d: Draft, e: Extract<RolloutEvent, { kind: 'evaluation' }>): void {
  d.s.evalPending = false;
  const ev = d.spec.evaluation;
  let failure: HaltInfo | null = null;
  let missing: HaltInfo | null = null;
  let stuck: string | null = null;
  const clean = new Set<number>();
  // In plan order, so that "the first failure" does not depend on how the result lists clusters.
  const reports = [...e.clusters, ...e.clean.map((cluster): ClusterEvaluation => ({ cluster, gates: 'critical', passed: 0, issues: [] }))]
    .map((r) => ({ r, i: d.idx(r.cluster) }))
    .filter((x) => x.i >= 0)
    .sort((a, b) => a.i - b.i);
  for (const { r, i } of reports) {
    let c = d.c(i);
    const sc = d.sc(i);
    const st = r.status ?? null;
    if (st !== null && st.ok) c = d.set(i, { status: { at: d.at, present: st.present, desired: st.desired, ready: st.ready } });
    if (c.phase === 'rolling-back') {
      checkRolledBack(d, i, st);
      continue;
    }
    if (r.gates === 'none') continue;
    d.set(i, { issues: r.issues });
    const inWave = sc.wave === d.s.wave;
    // The change's own gate: pods of the batch ready, within the progress deadline.
    if (c.phase === 'rolling-out' && st !== null && st.ok) {
      const want = sc.batches[c.batch]?.nodes ?? 0;
      if (st.desired >= want && st.ready >= st.desired) {
        c = d.set(i, { phase: 'baking', readyAt: d.at, bakeUntil: d.at + d.spec.batchBakeS * 1000 });
      }
    }
    if (c.phase === 'rolling-out' && c.appliedAt !== null && d.at - c.appliedAt > ev.progressDeadlineS * 1000 && failure === null) {
      const last = c.status;
      failure = {
        at: d.at,
        wave: d.s.wave,
        cluster: sc.name,
        batch: c.batch,
        gate: 'change-rollout',
        result: null,
        by: 'gate',
        message: `change-rollout on ${sc.name}: batch ${c.batch + 1} is not ready after ${Math.round(ev.progressDeadlineS / 60)} min (${last === null ? 'no status' : `${Math.floor(last.ready)} of ${Math.round(last.desired)} pods ready`})`,
      };
    }
    const isSettled = settled(d, c);
    let fails = r.issues.filter((g) => g.verdict === 'fail' && (g.critical || isSettled));
    // Critical gates first, then the plan's order.
    fails = fails.sort((a, b) => Number(b.critical) - Number(a.critical));
    const first = fails[0];
    if (first !== undefined && failure === null) {
      failure = { at: d.at, wave: d.s.wave, cluster: sc.name, batch: c.batch, gate: first.gate, result: first, by: 'gate', message: describeResult(sc.name, first) };
    }
    const nodata = r.issues.find((g) => g.verdict === 'nodata');
    if (nodata !== undefined && ev.missingData !== 'ignore' && missing === null) {
      missing = { at: d.at, wave: d.s.wave, cluster: sc.name, batch: c.batch, gate: nodata.gate, result: nodata, by: 'missing-data', message: `${describeResult(sc.name, nodata)} (metrics fail closed)` };
    }
    const soft = r.issues.some((g) => g.verdict === 'hold' || (g.verdict === 'fail' && !g.critical && !isSettled));
    if (soft) {
      const since = c.holdSince ?? d.at;
      if (c.holdSince === null) {
        const why = r.issues.find((g) => g.verdict === 'hold') ?? r.issues.find((g) => g.verdict === 'fail');
        if (why !== undefined) d.notify('warning', sc.name, `hold: ${describeResult(sc.name, why)}`);
      }
      d.set(i, { holdSince: since });
      if (soft && d.at - since > ev.maxHoldS * 1000 && stuck === null) stuck = `${sc.name} has held for over ${Math.round(ev.maxHoldS / 60)} min: ${r.issues.filter((g) => g.verdict !== 'pass').map((g) => describeResult(sc.name, g)).join('; ')}`;
    } else {
      d.set(i, { holdSince: null });
      const warming = r.issues.some((g) => g.verdict === 'wait');
      if (inWave && (nodata === undefined || ev.missingData === 'ignore') && first === undefined && !warming) clean.add(i);
    }
  }
  if (d.s.phase === 'rolling-back') {
    doDueWork(d);
    return;
  }
  if (failure !== null) {
    beginHalt(d, failure);
    return;
  }
  if (missing !== null && ev.missingData === 'halt') {
    beginHalt(d, missing);
    return;
  }
  if (missing !== null && d.s.phase !== 'paused') {
    pause(d, 'firebreak', missing.message);
    return;
  }
  if (stuck !== null && d.s.phase === 'running') {
    pause(d, 'firebreak', stuck);
    return;
  }
  if (d.s.phase === 'running') progress(d, clean);
  doDueWork(d);
}

/** Batches whose bake passed move on; a wave whose clusters are done bakes, then the next wave starts. */
function progress(d: Draft, clean: ReadonlySet<number>): void {
  const wave = d.spec.waves[d.s.wave];
  if (wave === undefined) return;
  for (const i of wave.clusters) {
    const c = d.c(i);
    if (c.phase !== 'baking' || c.bakeUntil === null || d.at < c.bakeUntil || !clean.has(i)) continue;
    const sc = d.sc(i);
    if (c.batch + 1 < sc.batches.length) {
      d.set(i, { phase: 'applying', target: c.batch + 1, attempts: 0 });
      issueApply(d, i);
    } else {
      d.set(i, { phase: 'done', doneAt: d.at });
    }
  }
  if (!wave.clusters.every((i) => d.c(i).phase === 'done')) return;
  if (d.s.waveBakeUntil === null) {
    d.s.waveBakeUntil = d.at + wave.bakeS * 1000;
    return;
  }
  if (d.at < d.s.waveBakeUntil || !wave.clusters.every((i) => clean.has(i))) return;
  const w = d.s.wave;
  d.s.waveTimes = d.s.waveTimes.map((x, k) => (k === w ? { startedAt: x.startedAt, endedAt: d.at } : x));
  d.notify('info', null, `wave ${w + 1} (${wave.name}) passed: ${wave.clusters.length} clusters changed, every gate green after the wave bake`);
  if (w + 1 >= d.spec.waves.length) complete(d);
  else enterWave(d, w + 1);
}

// ─── halt and rollback ───────────────────────────────────────────────────

function beginHalt(d: Draft, info: HaltInfo): void {
  if (d.s.halt !== null || isTerminal(d.s)) return;
  d.s.halt = info;
  d.s.phase = 'rolling-back';
  const w = d.s.wave;
  if (w >= 0) d.s.waveTimes = d.s.waveTimes.map((x, k) => (k === w ? { startedAt: x.startedAt, endedAt: d.at } : x));
  // Every cluster the change reached (or may have: an apply is out), newest first.
  const idx = d.clusters
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.batch >= 0 || c.applyPending)
    .sort((a, b) => (b.c.lastChangeAt ?? d.at) - (a.c.lastChangeAt ?? d.at) || b.i - a.i)
    .map(({ i }) => i);
  for (const i of d.clusters.keys()) {
    const c = d.c(i);
    if (!idx.includes(i) && ACTIVE.includes(c.phase)) d.set(i, { phase: 'pending', retryAt: null });
  }
  const verb = info.by === 'person' ? 'abort' : 'halt';
  d.notify('critical', info.cluster, `${verb}: ${info.message}; rolling back ${idx.length} cluster(s) newest first${idx.length > 0 ? `: ${idx.map((i) => d.sc(i).name).join(', ')}` : ''}`);
  for (const i of idx) beginClusterRollback(d, i);
  if (idx.length === 0) finishRollback(d);
}

function beginClusterRollback(d: Draft, i: number): void {
  const rb = d.spec.rollback;
  d.set(i, {
    phase: 'rolling-back',
    retryAt: null,
    rollback: { startedAt: d.at, killSwitched: false, deleted: false, attempts: 0, retryAt: null, breakGlass: rb.breakGlass === 'always', killAttempts: 0, deletePending: false, killPending: false, completedAt: null },
  });
  if (rb.killSwitch === 'always') issueKillSwitch(d, i);
  issueDelete(d, i);
}

function issueKillSwitch(d: Draft, i: number): void {
  const name = d.sc(i).name;
  const r = d.c(i).rollback;
  if (r === null || r.killSwitched || r.killPending) return;
  d.set(i, { rollback: { ...r, killPending: true, killAttempts: r.killAttempts + 1 } });
  d.emit({ kind: 'kill-switch', id: `kill-switch:${name}:${r.killAttempts + 1}`, cluster: name });
}

function issueDelete(d: Draft, i: number): void {
  const r = d.c(i).rollback;
  if (r === null || r.deleted || r.deletePending) return;
  // Break-glass requests go to their protected endpoint; the ordinary identity spends the budget.
  if (!r.breakGlass && !d.spend(i)) {
    d.set(i, { rollback: { ...r, retryAt: d.tokenAt(i) } });
    return;
  }
  const name = d.sc(i).name;
  d.set(i, { rollback: { ...r, deletePending: true, retryAt: null } });
  d.emit({ kind: 'delete', id: `delete:${name}:${r.attempts + 1}`, cluster: name, identity: r.breakGlass ? d.spec.breakGlass : d.spec.identity });
}

function onKillSwitched(d: Draft, e: Extract<RolloutEvent, { kind: 'kill-switch-result' }>): void {
  const i = d.idx(e.cluster);
  const r = i < 0 ? null : d.c(i).rollback;
  if (r === null) return;
  d.set(i, { rollback: { ...r, killPending: false, killSwitched: e.outcome.ok || r.killSwitched } });
  d.notify(e.outcome.ok ? 'info' : 'warning', e.cluster, e.outcome.ok ? 'kill switch: the agents were told to stop (out of band)' : `kill switch failed: ${e.outcome.reason}`);
}

function onDeleted(d: Draft, e: Extract<RolloutEvent, { kind: 'delete-result' }>): void {
  const i = d.idx(e.cluster);
  const r = i < 0 ? null : d.c(i).rollback;
  if (r === null) return;
  const rb = d.spec.rollback;
  const via = e.breakGlass ? 'the break-glass identity' : 'the ordinary identity';
  if (e.outcome.ok) {
    d.set(i, { rollback: { ...r, deletePending: false, deleted: true } });
    d.notify('info', e.cluster, `deleted ${d.spec.change.kind} ${d.spec.change.name} through ${via} (${e.outcome.reason})`);
    return;
  }
  const attempts = r.attempts + 1;
  const retryAt = d.at + d.backoffMs(`delete:${e.cluster}`, attempts, e.outcome.retryAfterS);
  const breakGlass = r.breakGlass || rb.breakGlass === 'on-failure';
  d.set(i, { rollback: { ...r, deletePending: false, attempts, breakGlass, retryAt: breakGlass && !r.breakGlass ? d.at : retryAt } });
  d.notify('warning', e.cluster, `delete through ${via} failed (${e.outcome.reason})${breakGlass && !r.breakGlass ? '; retrying through the break-glass identity' : ''}`);
  if (rb.killSwitch === 'on-failure' && !r.killSwitched) issueKillSwitch(d, i);
  if (breakGlass && !r.breakGlass) issueDelete(d, i);
}

function checkRolledBack(d: Draft, i: number, st: StatusResult | null): void {
  const c = d.c(i);
  const r = c.rollback;
  if (r === null || st === null || !st.ok) return;
  const gone = r.deleted || !st.present;
  if (!gone || st.ready > 0.5) return;
  d.set(i, { phase: 'rolled-back', rollback: { ...r, deleted: true, completedAt: d.at } });
  d.notify('info', d.sc(i).name, 'rolled back: the change is deleted and none of its pods runs');
  if (d.clusters.every((x) => x.phase !== 'rolling-back')) finishRollback(d);
}

function finishRollback(d: Draft): void {
  d.s.rollbackCompletedAt = d.at;
  d.s.phase = d.s.halt?.by === 'person' ? 'aborted' : 'halted';
  d.notify('critical', null, `rollout ${d.spec.name} ${d.s.phase}; rollback complete`);
}

// ─── people ───────────────────────────────────────────────────────────────

function pause(d: Draft, by: string, reason: string): void {
  d.s.pausedFrom = d.s.phase;
  d.s.phase = 'paused';
  d.s.pauseReason = reason;
  d.s.pausedBy = by;
  d.s.pausedAt = d.at;
  d.notify('warning', null, `paused by ${by}: ${reason}`);
}

function onPause(d: Draft, by: string, reason: string): void {
  if (d.s.phase !== 'running' && d.s.phase !== 'awaiting-approval') {
    d.notify('info', null, `pause by ${by} ignored: the rollout is ${d.s.phase}`);
    return;
  }
  pause(d, by, reason);
}

function onResume(d: Draft, by: string): void {
  if (d.s.phase !== 'paused') {
    d.notify('info', null, `resume by ${by} ignored: the rollout is ${d.s.phase}`);
    return;
  }
  d.s.phase = d.s.pausedFrom ?? 'running';
  d.s.pausedFrom = null;
  d.s.pauseReason = null;
  d.s.pausedBy = null;
  d.s.pausedAt = null;
  d.clusters.forEach((c, i) => {
    if (c.holdSince !== null) d.set(i, { holdSince: d.at });
  });
  d.notify('info', null, `resumed by ${by}`);
  fill(d);
}

function onApprove(d: Draft, by: string, wave: number | null): void {
  const next = d.s.wave;
  if (d.s.phase !== 'awaiting-approval' || (wave !== null && wave !== next + 1)) {
    d.notify('info', null, `approval by ${by}${wave === null ? '' : ` of wave ${wave}`} ignored: ${d.s.phase === 'awaiting-approval' ? `wave ${next + 1} is the one waiting` : `the rollout is ${d.s.phase}`}`);
    return;
  }
  d.notify('info', null, `wave ${next + 1} approved by ${by}`);
  startWave(d, next);
}

function onAbort(d: Draft, by: string, reason: string): void {
  if (isTerminal(d.s) || d.s.phase === 'rolling-back') {
    d.notify('info', null, `abort by ${by} ignored: the rollout is ${d.s.phase}`);
    return;
  }
  beginHalt(d, { at: d.at, wave: Math.max(0, d.s.wave), cluster: null, batch: null, gate: null, result: null, by: 'person', message: `aborted by ${by}${reason === '' ? '' : `: ${reason}`}` });
}

// ─── scheduling ───────────────────────────────────────────────────────────

/** When the shell should deliver the next tick (epoch ms), or null when only a person or a result can move the rollout. */
export function nextWake(spec: RolloutSpec, state: RolloutState): number | null {
  if (state.phase === 'pending' || isTerminal(state)) return null;
  let next = Number.POSITIVE_INFINITY;
  const every = spec.evaluation.everyS * 1000;
  let evaluate = false;
  state.clusters.forEach((c, i) => {
    const sc = spec.clusters[i];
    if (sc === undefined) return;
    if (c.phase === 'rolling-back') {
      evaluate = true;
      const r = c.rollback;
      if (r !== null && !r.deletePending && !r.deleted && r.retryAt !== null) next = Math.min(next, r.retryAt);
    } else if (sc.wave === state.wave && c.batch >= 0 && c.phase !== 'rolled-back') {
      evaluate = true;
    }
    // Applies are retried only while running (a pause holds them until the resume).
    if (c.phase === 'retry-wait' && c.retryAt !== null && state.phase === 'running') next = Math.min(next, c.retryAt);
  });
  if (evaluate) next = Math.min(next, state.lastEvalAt === null ? state.now : state.lastEvalAt + every);
  return Number.isFinite(next) ? next : null;
}

// ─── the machines, as data (docs/orchestrator.md; tests check that every transition is exercised) ───

/** Every transition of the rollout's phase that `decide` makes. */
export const ROLLOUT_TRANSITIONS: readonly (readonly [RolloutPhase, RolloutPhase])[] = [
  ['pending', 'running'],
  ['pending', 'awaiting-approval'],
  ['running', 'awaiting-approval'],
  ['awaiting-approval', 'running'],
  ['running', 'paused'],
  ['awaiting-approval', 'paused'],
  ['paused', 'running'],
  ['paused', 'awaiting-approval'],
  ['running', 'completed'],
  ['running', 'rolling-back'],
  ['paused', 'rolling-back'],
  ['awaiting-approval', 'rolling-back'],
  ['pending', 'aborted'],
  ['running', 'aborted'],
  ['paused', 'aborted'],
  ['awaiting-approval', 'aborted'],
  ['running', 'halted'],
  ['rolling-back', 'halted'],
  ['rolling-back', 'aborted'],
];

/** Every transition of a cluster's phase that `decide` makes. */
export const CLUSTER_TRANSITIONS: readonly (readonly [ClusterPhase, ClusterPhase])[] = [
  ['pending', 'snapshot'],
  ['snapshot', 'applying'],
  ['snapshot', 'retry-wait'],
  ['snapshot', 'pending'],
  ['applying', 'rolling-out'],
  ['applying', 'retry-wait'],
  ['applying', 'pending'],
  ['retry-wait', 'applying'],
  ['retry-wait', 'pending'],
  ['rolling-out', 'baking'],
  ['baking', 'applying'],
  ['baking', 'retry-wait'],
  ['baking', 'done'],
  ['applying', 'rolling-back'],
  ['retry-wait', 'rolling-back'],
  ['rolling-out', 'rolling-back'],
  ['baking', 'rolling-back'],
  ['done', 'rolling-back'],
  ['rolling-back', 'rolled-back'],
];
