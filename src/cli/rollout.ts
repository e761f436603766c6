/**
 * `firebreak rollout status|history|pause|resume|approve|abort --state <db>`:
 * read and steer a rollout through its state database. `status` and
 * `history` fold the event log with the decision core; `pause`, `resume`,
 * `approve` and `abort` queue a request that the running orchestrator (or the
 * next resumed run) takes at its next step, stamped with its own clock.
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
import { NotARollout, readRollout, requestControl, type ControlAction, type RolloutView } from '../shell/control.ts';

function open(db: string): RolloutView {
  if (!existsSync(db)) throw new UsageError(`no rollout state database at ${db}`);
  try {
    return readRollout(db);
  } catch (e) {
    if (e instanceof NotARollout) throw new UsageError(e.message);
    throw e;
  }
}

export interface RolloutStatusOptions {
  readonly json: boolean;
}

/** Where the rollout stands: phase, wave, clusters by phase, halt reason, pending requests. */
export function rolloutStatus(db: string, opts: RolloutStatusOptions): string {
  const v = open(db);
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
    halt: state.halt === null ? null : { at: t(state.halt.at), wave: state.halt.wave + 1, cluster: state.halt.cluster, gate: state.halt.gate, message: state.halt.message },
    rollbackCompletedAt: t(state.rollbackCompletedAt),
    completedAt: t(state.completedAt),
    clusters: Object.fromEntries(Object.entries(byPhase).map(([k, names]) => [k, names.length])),
    active: state.clusters.flatMap((c, i) => (c.phase !== 'pending' && c.phase !== 'done' && c.phase !== 'rolled-back' ? [{ cluster: spec.clusters[i]?.name, phase: c.phase, batch: c.batch + 1, issues: c.issues.map((g) => `${g.gate}: ${g.verdict} (${g.reason})`) }] : [])),
    pendingRequests: v.pendingRequests.map((r) => ({ kind: r.kind, body: JSON.parse(r.body) as unknown, created: r.created })),
    records: v.records.length,
  };
  if (opts.json) return JSON.stringify(status, null, 2) + '\n';
  const lines = [
    `rollout ${status.rollout} (${status.kind}): ${status.phase}${status.wave !== null ? `, wave ${status.wave} of ${status.waves}${status.waveName !== null ? ` (${status.waveName})` : ''}` : ''}`,
    `  started ${status.startedAt ?? '—'}; last event ${status.lastEventAt ?? '—'}; ${status.records} log records`,
    `  clusters: ${Object.entries(status.clusters).map(([k, n]) => `${n} ${k}`).join(', ')}`,
  ];
  if (status.pauseReason !== null) lines.push(`  paused: ${status.pauseReason}`);
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

/** The event log: every event and command, in order. */
export function rolloutHistory(db: string, opts: RolloutHistoryOptions): string {
  const v = open(db);
  const recs = opts.limit !== undefined ? v.records.slice(-opts.limit) : v.records;
  if (opts.json) return recs.map((r) => JSON.stringify({ seq: r.seq, at: formatIso(r.at, v.meta.timeZone), type: r.type, kind: r.kind, id: r.id, body: JSON.parse(r.body) as unknown })).join('\n') + '\n';
  return (
    recs
      .map((r) => {
        const at = formatIso(r.at, v.meta.timeZone).slice(11, 19);
        return `${String(r.seq).padStart(6)} ${at} ${r.type === 'event' ? 'event  ' : 'command'} ${r.kind.padEnd(18)} ${describe(r.type, r.body)}`;
      })
      .join('\n') + '\n'
  );
}

function describe(type: 'event' | 'command', body: string): string {
  const x = JSON.parse(body) as Record<string, unknown>;
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

/** Queues pause, resume, approve or abort for the orchestrator. */
export function rolloutControl(db: string, action: ControlAction, opts: RolloutControlOptions): string {
  const v = open(db);
  let by = opts.by;
  if (by === undefined) {
    try {
      by = userInfo().username;
    } catch {
      by = 'someone';
    }
  }
  const seq = requestControl(db, action, { by, ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(opts.wave !== undefined ? { wave: opts.wave } : {}) }, new Date().toISOString());
  return `${action} requested (#${seq}) for rollout ${v.spec.name}, now ${v.state.phase}; the orchestrator takes it at its next step\n`;
}
