/**
 * `firebreak rehearse --scenario <scenario.yaml> --plan <plan.yaml> [--seed N]
 * [--json] [--report out.html] [--state <db>] [--compare] [--approve-after <d>]`:
 * runs the rollout orchestrator against the fleet twin in virtual time and
 * prints a summary, or the rehearsal JSON (docs/orchestrator.md).
 *
 * With `--state`, the rollout's event log lives in that SQLite file; running
 * the same command again resumes it (after a crash) or, once finished,
 * replays it to the same result. Fault injection: `FIREBREAK_CRASH_AT=N`
 * makes the process exit (status 75) right after the N-th persisted record.
 * What the state database refuses — another process writing it, a path that
 * is not a state database, a log of other inputs or one that does not
 * replay — is a usage error (exit 2) in one line.
 *
 * Exit status (src/cli/run-errors.ts): 0 when the rehearsed rollout
 * completed; 1 when it halted, was aborted, or did not finish (paused or
 * awaiting an approval when the run ended) — not a success, said on stderr.
 * Either input may be `-` (standard input).
 *
 * @example
 *   process.stdout.write(await rehearseCommand({ scenario: 'scenarios/openai-2024-12-11.yaml', plan: 'plans/default.yaml', seed: 1, json: true, compare: true }));
 */
import { createHash } from 'node:crypto';
import { describeError, UsageError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import type { RehearsalResult } from '../orchestrator/report-types.ts';
import { parsePlan } from '../input/plan.ts';
import { readInputFile, STDIN_NAME } from '../input/read.ts';
import { rehearsalSpec } from '../input/rollout-spec.ts';
import { parseScenario } from '../input/scenario.ts';
import { InjectedCrash } from '../shell/event-store.ts';
import { LogCorrupt } from '../shell/log-check.ts';
import { rehearse, type RehearsalOutput } from '../shell/rehearsal.ts';
import { StateMismatch } from '../shell/rehearsal-state.ts';
import { ReplayDivergence } from '../shell/runner.ts';
import { NotAStore } from '../shell/store-file.ts';
import { twinMetricCatalogue } from '../adapters/twin/metric-source.ts';
import { LockUnavailable, WriterLocked } from '../shell/writer-lock.ts';
import { progressBar } from './progress.ts';
import { readStdinFor } from './inputs.ts';
import { checkOutputFile, writeOutputFile } from './output.ts';
import { percentTwoOrFourDecimals } from '../core/number.ts';

export interface RehearseCommandOptions {
  readonly scenario: string;
  readonly plan: string;
  readonly seed: number;
  readonly json: boolean;
  readonly report?: string;
  readonly state?: string;
  readonly compare: boolean;
  /** Rehearsal only: grant manual approvals after this long (a duration, or "never"). Default 5m. */
  readonly approveAfter?: string;
}

/** Exit status of an injected crash (FIREBREAK_CRASH_AT). */
export const CRASH_EXIT_CODE = 75;

/** The crash point from the environment: FIREBREAK_CRASH_AT=N (a positive integer), else undefined. */
export function crashAtFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.FIREBREAK_CRASH_AT;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`FIREBREAK_CRASH_AT must be a positive integer (the persisted record after which to crash), got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function approveAfterS(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'never') return null;
  const s = parseDuration(raw);
  if (s === undefined) throw new UsageError(`--approve-after expects a duration such as "5m", or "never", got ${JSON.stringify(raw)}`);
  return s;
}

/** Runs the rehearsal; returns what to print. Writes the HTML report when asked. */
export async function rehearseCommand(o: RehearseCommandOptions): Promise<string> {
  return (await rehearseRun(o)).stdout;
}

/** The exit status of a rehearsal's outcome, and what to say on stderr when it is not a success. */
export function rehearsalVerdict(r: RehearsalResult, o: { readonly state?: string } = {}): { exitCode: number; message: string } {
  switch (r.outcome) {
    case 'completed':
      return { exitCode: 0, message: '' };
    case 'halted':
      return { exitCode: 1, message: `firebreak: the rehearsed rollout halted${r.haltedInWave !== null ? ` in wave ${r.haltedInWave}` : ''}${r.haltReason !== null ? `: ${r.haltReason.message}` : ''} (exit status 1)\n` };
    case 'aborted':
      return { exitCode: 1, message: `firebreak: the rehearsed rollout was aborted${r.haltReason !== null ? `: ${r.haltReason.message}` : ''} (exit status 1)\n` };
    default: {
      const resume = o.state !== undefined ? `; steer it with \`firebreak rollout … --state ${o.state}\` and run the same command again to resume` : '';
      return { exitCode: 1, message: `firebreak: the rehearsed rollout did not finish (${r.phase} when the run ended), so it is not a success (exit status 1)${resume}\n` };
    }
  }
}

/** Runs the rehearsal: what to print, the exit status and the stderr verdict line (rehearsalVerdict). */
export async function rehearseRun(o: RehearseCommandOptions): Promise<{ stdout: string; stderr: string; exitCode: number; result: RehearsalResult }> {
  if (o.report !== undefined) checkOutputFile(o.report, '--report');
  const stdin = await readStdinFor([['--scenario', o.scenario], ['--plan', o.plan]]);
  const scenarioText = o.scenario === '-' ? (stdin ?? '') : readInputFile(o.scenario);
  const scenario = parseScenario(scenarioText, o.scenario === '-' ? STDIN_NAME : o.scenario);
  const planText = o.plan === '-' ? (stdin ?? '') : readInputFile(o.plan);
  const loaded = parsePlan(planText, o.plan === '-' ? STDIN_NAME : o.plan);
  // Compiled once, here, for this scenario and the twin's metrics; problems are located in the plan file.
  const spec = rehearsalSpec(loaded, scenario, o.seed, twinMetricCatalogue(scenario));
  const fingerprint = createHash('sha256').update(planText).update('\0').update(scenarioText).digest('hex');
  const crashAfter = crashAtFromEnv(process.env);
  const approve = approveAfterS(o.approveAfter);
  const bar = progressBar(`rehearsing ${loaded.plan.name} on ${scenario.name}`);
  let out: RehearsalOutput;
  try {
    out = await rehearse({
      scenario,
      spec,
      compare: o.compare,
      fingerprint,
      ...(o.state !== undefined ? { statePath: o.state } : {}),
      ...(crashAfter !== undefined ? { crashAfter } : {}),
      ...(approve !== undefined ? { approveAfterS: approve } : {}),
      onProgress: (f) => bar.update(f),
    });
  } catch (e) {
    bar.stop();
    if (e instanceof InjectedCrash) {
      process.stderr.write(`firebreak: ${e.message}; run the same command again to resume from ${o.state ?? 'the state database'}\n`);
      process.exit(CRASH_EXIT_CODE);
    }
    const refused = storeRefusal(e, o.state);
    if (refused !== null) throw refused;
    throw e;
  }
  bar.stop();
  if (o.report !== undefined) {
    const { renderRunReport } = await import('../report/html.ts');
    const { rehearsalRunReport, rolloutSections } = await import('../report/rollout.ts');
    const html = await renderRunReport(rehearsalRunReport(out.result, out.report), out.series, {
      title: `${loaded.plan.name} rehearsed on ${scenario.name}`,
      extraSections: await rolloutSections(out.result, out.report),
    });
    writeOutputFile(o.report, html, '--report');
  }
  const verdict = rehearsalVerdict(out.result, o);
  return { stdout: o.json ? JSON.stringify(out.result, null, 2) + '\n' : summary(out.result, o), stderr: verdict.message, exitCode: verdict.exitCode, result: out.result };
}

/** What the state database refused, as a one-line usage error; null for anything else. */
export function storeRefusal(e: unknown, state: string | undefined): UsageError | null {
  if (e instanceof NotAStore || e instanceof WriterLocked || e instanceof LockUnavailable || e instanceof StateMismatch) return new UsageError(e.message, { cause: e });
  const db = state ?? 'the state database';
  if (e instanceof LogCorrupt) return new UsageError(`${db} cannot be resumed: its log is corrupt at ${describeError(e)}; \`firebreak rollout history --state ${db}\` shows it`, { cause: e });
  if (e instanceof ReplayDivergence) return new UsageError(`${db} cannot be resumed with these inputs: ${describeError(e)}`, { cause: e });
  return null;
}

function hm(iso: string | null): string {
  return iso === null ? '—' : iso.slice(11, 19);
}

/** A few lines for a terminal. */
export function summary(r: RehearsalResult, o: { readonly report?: string; readonly state?: string }): string {
  const lines = [`${r.plan} rehearsed on ${r.scenario} (seed ${r.seed}): ${r.outcome.toUpperCase()}`];
  const inc = r.incomplete;
  if (inc !== null) {
    const db = o.state ?? '<db>';
    const again = o.state === undefined ? ' (this run kept its state in memory: run it with --state <db> to continue it)' : ' and run the same command again';
    const next =
      inc.next === 'resume'
        ? `; resume it with \`firebreak rollout resume --state ${db}\`${again}`
        : inc.next === 'approve'
          ? `; approve it with \`firebreak rollout approve --state ${db} --wave ${inc.wave ?? ''}\`${again}, or rehearse with --approve-after`
          : '';
    lines.push(`  ${inc.message}${next}`);
  }
  if (r.haltReason !== null) {
    lines.push(`  ${r.outcome} at ${hm(r.haltedAt)} in wave ${r.haltedInWave ?? '—'}: ${r.haltReason.message}`);
    lines.push(`  rollback ${r.rollbackCompletedAt === null ? 'NOT complete' : `complete at ${hm(r.rollbackCompletedAt)} (${r.rollbackSeconds ?? 0} s)`}; first SLO breach ${hm(r.firstSloBreachAt)}; detection ${r.detectionSeconds ?? '—'} s`);
  } else {
    lines.push(`  ${r.waves.filter((w) => w.outcome === 'completed').length} of ${r.waves.length} waves completed${r.completedAt === null ? '' : ` at ${hm(r.completedAt)}`}`);
  }
  lines.push(`  clusters changed ${r.clustersChanged}, with customer impact ${r.clustersImpacted}; orchestrator's peak share of a cluster's API requests ${percentTwoOrFourDecimals(r.orchestratorApiShare)}`);
  lines.push(`  fleet availability ${percentTwoOrFourDecimals(r.fleet.availability)}${r.baseline !== undefined ? ` (the naive pipeline: ${percentTwoOrFourDecimals(r.baseline.availability)}, ${r.baseline.clustersLost} control planes lost)` : ''}`);
  if (r.gatesUnavailable.length > 0) lines.push(`  gates the twin cannot serve: ${r.gatesUnavailable.map((g) => g.gate).join(', ')}`);
  if (o.report !== undefined) lines.push(`  report: ${o.report}`);
  if (o.state !== undefined) lines.push(`  state: ${o.state}`);
  return lines.join('\n') + '\n';
}
