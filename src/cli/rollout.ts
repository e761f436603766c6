/**
 * `firebreak rollout status|history|pause|resume|approve|abort --state <db>`:
 * read and steer a rollout through its state database. `status` and
 * `history` fold the event log with the decision core, which verifies it: a
 * log that does not verify is named at its first bad record (exit 2), never
 * reported as a healthy rollout. `pause`, `resume`, `approve` and `abort` are
 * checked against the rollout's state (a request that would change nothing is
 * refused with the reason, exit 2) and queued for the running orchestrator (or
 * the next resumed run), which takes them at its next step, stamped with its
 * own clock. None of them needs the writer lock.
 *
 * @example
 *   process.stdout.write(rolloutStatus('out/rollout.db', { json: false }));
 *   process.stdout.write(rolloutControl('out/rollout.db', 'approve', { by: 'alice', wave: 3 }));
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { UsageError } from '../core/errors.ts';
import { formatIso } from '../core/time.ts';
import type { ClusterPhase, RolloutEvent } from '../orchestrator/core.ts';
import { NotARollout, readRollout, RequestRefused, requestControl, type ControlAction, type RolloutView } from '../shell/control.ts';
import { LogCorrupt } from '../shell/log-check.ts';
import { NotAStore } from '../shell/store-file.ts';

function refusal(e: unknown): UsageError | null {
  if (e instanceof NotARollout || e instanceof NotAStore || e instanceof RequestRefused) return new UsageError(e.message, { cause: e });
  return null;
}

function open(db: string): RolloutView {
  if (!existsSync(db)) throw new UsageError(`no rollout state database at ${db}`);
  try {
    return readRollout(db);
  } catch (e) {
    throw refusal(e) ?? e;
  }
}

function corrupt(db: string, p: LogCorrupt, records: number): UsageError {
  return new UsageError(`${db}: the log does not verify (${records} records): ${p.message}; this rollout cannot be resumed from it (\`firebreak rollout history --state ${db}\` shows the records)`);
}

export interface RolloutStatusOptions {
  readonly json: boolean;
}

/** Where the rollout stands: phase, wave, clusters by phase, halt reason, pending requests. */
export function rolloutStatus(db: string, opts: RolloutStatusOptions): string {
  const v = open(db);
  if (v.problem !== null) throw corrupt(db, v.problem, v.records.length);
  const { spec, state } = v;
  const t = (ms: number | null): string | null => (ms === null ? null : formatIso(ms, v.meta.timeZone));
  const byPhase: Partial<Record<ClusterPhase, string[]>> = {};
  state.clusters.forEach((c, i) => {
    const name = spec.clusters[i]?.name ?? `#${i}`;
    (byPhase[c.phase] ??= []).push(name);
  });
  const wave = state.wave >= 0 ? spec.waves[state.wave] : undefined;
  const status = {
    rollout: spec.name,
    kind: v.meta.kind,
    phase: state.phase,
    wave: state.wave >= 0 ? state.wave + 1 : null,
    waves: spec.waves.length,
    waveName: wave?.name ?? null,
    startedAt: t(state.startedAt),
    lastEventAt: t(state.now || null),
    pauseReason: state.pauseReason,
    pausedBy: state.pausedBy,
    pausedAt: t(state.pausedAt),
    halt: state.halt === null ? null : { at: t(state.halt.at), wave: state.halt.wave + 1, cluster: state.halt.cluster, gate: state.halt.gate, message: state.halt.message },
    rollbackCompletedAt: t(state.rollbackCompletedAt),
    completedAt: t(state.completedAt),
    clusters: Object.fromEntries(Object.entries(byPhase).map(([k, names]) => [k, names.length])),
    active: state.clusters.flatMap((c, i) => (c.phase !== 'pending' && c.phase !== 'done' && c.phase !== 'rolled-back' ? [{ cluster: spec.clusters[i]?.name, phase: c.phase, batch: c.batch + 1, issues: c.issues.map((g) => `${g.gate}: ${g.verdict} (${g.reason})`) }] : [])),
    pendingRequests: v.pendingRequests.map((r) => ({ kind: r.kind, body: JSON.parse(r.body) as unknown, created: r.created })),
    records: v.records.length,
    verified: true,
  };
  if (opts.json) return JSON.stringify(status, null, 2) + '\n';
  const lines = [
    `rollout ${status.rollout} (${status.kind}): ${status.phase}${status.wave !== null ? `, wave ${status.wave} of ${status.waves}${status.waveName !== null ? ` (${status.waveName})` : ''}` : ''}`,
    `  started ${status.startedAt ?? '—'}; last event ${status.lastEventAt ?? '—'}; log verified: ${status.records} records`,
    `  clusters: ${Object.entries(status.clusters).map(([k, n]) => `${n} ${k}`).join(', ')}`,
  ];
  if (status.pauseReason !== null) lines.push(`  paused by ${status.pausedBy ?? 'someone'} at ${status.pausedAt ?? '—'}: ${status.pauseReason}`);
  if (status.halt !== null) lines.push(`  halted at ${status.halt.at ?? '—'} in wave ${status.halt.wave}: ${status.halt.message}`);
  if (status.rollbackCompletedAt !== null) lines.push(`  rollback complete at ${status.rollbackCompletedAt}`);
  if (status.completedAt !== null) lines.push(`  completed at ${status.completedAt}`);
  for (const a of status.active.slice(0, 20)) lines.push(`  ${String(a.cluster).padEnd(24)} ${a.phase.padEnd(12)} batch ${a.batch}${a.issues.length > 0 ? `  ${a.issues.join('; ')}` : ''}`);
  for (const r of status.pendingRequests) lines.push(`  pending request: ${r.kind} (${r.created})`);
  return lines.join('\n') + '\n';
}

export interface RolloutHistoryOptions {
  readonly json: boolean;
  /** Only the last N records. */
  readonly limit?: number;
}

export interface RolloutHistoryResult {
  /** The records (a bad one marked `!!` in text, `"bad"` in JSON). */
  readonly stdout: string;
  /** The first bad record, when the log does not verify; then exit 2. */
  readonly problem: string | null;
}

/** The event log: every event and command, in order; a log that does not verify is flagged at its first bad record. */
export function rolloutHistoryResult(db: string, opts: RolloutHistoryOptions): RolloutHistoryResult {
  const v = open(db);
  const recs = opts.limit !== undefined ? v.records.slice(-opts.limit) : v.records;
  const badSeq = v.problem?.seq ?? -1;
  const body = (raw: string): unknown => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  };
  const stdout = opts.json
    ? recs.map((r) => JSON.stringify({ seq: r.seq, at: formatIso(r.at, v.meta.timeZone), type: r.type, kind: r.kind, id: r.id, body: body(r.body), ...(r.seq === badSeq ? { bad: v.problem?.message } : {}) })).join('\n') + '\n'
    : recs
        .map((r) => {
          const at = formatIso(r.at, v.meta.timeZone).slice(11, 19);
          const line = `${String(r.seq).padStart(6)} ${at} ${r.type === 'event' ? 'event  ' : 'command'} ${r.kind.padEnd(18)} ${describe(r.type, r.body)}`;
          return r.seq === badSeq ? `!! ${v.problem?.message ?? ''}\n${line}` : line;
        })
        .join('\n') + '\n';
  return { stdout, problem: v.problem === null ? null : corrupt(db, v.problem, v.records.length).message };
}

/** The event log as text or NDJSON; throws a UsageError naming the first bad record when the log does not verify. */
export function rolloutHistory(db: string, opts: RolloutHistoryOptions): string {
  const r = rolloutHistoryResult(db, opts);
  if (r.problem !== null) throw new UsageError(r.problem);
  return r.stdout;
}

function describe(type: 'event' | 'command', body: string): string {
  let x: Record<string, unknown>;
  try {
    x = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `(not JSON) ${body.slice(0, 60)}`;
  }
  if (type === 'command') {
    if (x.kind === 'notify') return String(x.message);
    if (x.kind === 'apply') return `${String(x.cluster)}: batch ${Number(x.batch) + 1} (${String(x.nodes)} nodes)`;
    if (x.kind === 'evaluate') {
      const g = x.gates as { all: unknown[]; critical: unknown[] };
      const st = x.status as { normal: unknown[]; breakGlass: unknown[] };
      return `gates of ${g.all.length + g.critical.length} cluster(s), status of ${st.normal.length + st.breakGlass.length}`;
    }
    return typeof x.cluster === 'string' ? x.cluster : String(x.id);
  }
  const e = x as unknown as RolloutEvent;
  switch (e.kind) {
    case 'apply-result':
    case 'delete-result':
    case 'kill-switch-result':
      return `${e.cluster}: ${e.outcome.ok ? 'ok' : 'failed'} (${e.outcome.reason})`;
    case 'evaluation': {
      const issues = e.clusters.flatMap((c) => c.issues.filter((g) => g.verdict !== 'pass').map((g) => `${c.cluster} ${g.gate} ${g.verdict}`));
      return issues.length === 0 ? `${e.clean.length + e.clusters.length} cluster(s) green` : issues.slice(0, 4).join('; ');
    }
    case 'pause':
    case 'abort':
      return `by ${e.by}${e.reason === '' ? '' : `: ${e.reason}`}`;
    case 'resume':
    case 'approve':
      return `by ${e.by}`;
    default:
      return '';
  }
}

export interface RolloutControlOptions {
  /** Who asks (default: the OS user). */
  readonly by?: string;
  readonly reason?: string;
  /** approve: the wave (1-based) being approved. */
  readonly wave?: number;
}

/** Checks pause, resume, approve or abort against the rollout's state and queues it for the orchestrator. */
export function rolloutControl(db: string, action: ControlAction, opts: RolloutControlOptions): string {
  const v = open(db);
  if (v.problem !== null) throw corrupt(db, v.problem, v.records.length);
  let by = opts.by;
  if (by === undefined) {
    try {
      by = userInfo().username;
    } catch {
      by = 'someone';
    }
  }
  let r;
  try {
    r = requestControl(db, action, { by, ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(opts.wave !== undefined ? { wave: opts.wave } : {}) }, new Date().toISOString());
  } catch (e) {
    if (e instanceof LogCorrupt) throw corrupt(db, e, v.records.length);
    throw refusal(e) ?? e;
  }
  return `${action} requested (#${r.seq}) for rollout ${v.spec.name}, now ${r.phase}${r.leadsTo !== r.phase ? ` (${r.leadsTo} once taken)` : ''}; the orchestrator takes it at its next step\n`;
}
