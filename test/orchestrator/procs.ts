/**
 * Real `firebreak` processes for the state-database tests: run one to the end,
 * start one in the background (to kill it), read a store's log length without
 * firebreak's own code, and check that a refusal is a clean one-line message.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rehearseCommand } from '../../src/cli/rehearse.ts';

export const CLI = 'src/cli/main.ts';
export const F = 'test/fixtures/plans';

export interface Exit {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** No run of these fixtures takes this long, unless it hangs. */
const HANG_MS = 180_000;

function envOf(extra: Env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FIREBREAK_CRASH_AT;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `firebreak …` to the end. */
export function cli(args: readonly string[], env: Env = {}): Exit {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: envOf(env), timeout: HANG_MS, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface Running {
  /** The child's pid (always > 0: a process that could not be started rejects `done`). */
  readonly pid: number;
  /** SIGKILL, through the child handle (never a raw pid). */
  kill(): void;
  /** SIGSTOP: freezes the child where it is (SIGKILL still ends it). */
  freeze(): void;
  readonly done: Promise<Exit>;
}

/** Starts `firebreak …` in the background. */
export function start(args: readonly string[], env: Env = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: envOf(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A process that hangs is killed (its exit then shows the signal), so that a test fails instead of waiting forever.
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      resolve({ status, signal, stdout, stderr });
    });
  });
  const pid = child.pid ?? 0;
  // Signals go through the child handle only, and only while it runs: never to a pid that is not this child's.
  const signal = (sig: NodeJS.Signals): void => {
    if (pid > 0 && child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return { pid, kill: () => signal('SIGKILL'), freeze: () => signal('SIGSTOP'), done };
}

/** Records in a store's log, read with plain SQLite (0 when there is no log yet). */
export function logCount(path: string): number {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    return Number((db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** Waits until `cond` holds (or the process it watches ended); false on timeout. */
export async function waitUntil(cond: () => boolean, timeoutMs = 20_000, everyMs = 5): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(everyMs);
  }
  return cond();
}

/** A refusal: exit 2, one line on stderr, no stack trace, nothing on stdout. */
export function assertRefused(e: Exit, pattern: RegExp, what: string): void {
  assert.equal(e.status, 2, `${what}: exit ${e.status}\n${e.stderr}`);
  assert.equal(e.stdout, '', `${what}: stdout`);
  assert.doesNotMatch(e.stderr, /\n\s+at /, `${what}: a stack trace`);
  assert.equal(e.stderr.trim().split('\n').length, 1, `${what}: one line\n${e.stderr}`);
  assert.match(e.stderr, pattern, what);
}

/** The refusal of a second writer, naming the first. */
/**
 * The exit code the contract gives a rehearsal that ran (README "Exit codes"): 0 when the rollout
 * completed, 1 when it halted, was aborted or is incomplete — read from the run's own outcome (its
 * JSON, or the summary's first line), so a test checks the code matches what the run says it did.
 */
export function rehearsalExit(e: Exit): number {
  let outcome: string | undefined;
  try {
    outcome = (JSON.parse(e.stdout) as { outcome?: string }).outcome;
  } catch {
    outcome = /: (COMPLETED|HALTED|ABORTED|INCOMPLETE)\n/.exec(e.stdout)?.[1]?.toLowerCase();
  }
  if (outcome === undefined) throw new Error(`no rehearsal outcome in the output (exit ${e.status}):\n${e.stderr.slice(0, 2000)}`);
  return outcome === 'completed' ? 0 : 1;
}

export const LOCKED = /is being written by another firebreak process: pid (\d+) on (\S+), running since (\d{4}-\d\d-\d\dT[\d:.]+Z)/;
/**
 * Either form of the writer-lock refusal (src/shell/writer-lock.ts): naming the holder, or, when the holder has
 * taken the lock but not yet recorded itself (a race window that a loaded host widens), saying so.
 */
export const LOCKED_ANY = /is being written by (another firebreak process: pid \d+ on \S+, running since \d{4}-\d\d-\d\dT[\d:.]+Z \(.*\)|another process \(it has not recorded itself yet\)); one process writes a state database at a time/;

/** `firebreak rehearse` of a fixture, as JSON. */
export function rehearseArgs(scenario: 'small-benign' | 'small-incident', state?: string, plan = `${F}/valid/fast.yaml`): string[] {
  return ['rehearse', '--scenario', `${F}/scenarios/${scenario}.yaml`, '--plan', plan, '--json', ...(state !== undefined ? ['--state', state] : [])];
}

const references = new Map<string, { json: string; records: number }>();

/**
 * An uninterrupted rehearsal of a fixture with the fast plan, run in this
 * process (the same function `firebreak rehearse --json` prints): its JSON
 * and the length of its log.
 */
export async function reference(scenario: 'small-benign' | 'small-incident'): Promise<{ json: string; records: number }> {
  let r = references.get(scenario);
  if (r === undefined) {
    const tmp = mkdtempSync(join(tmpdir(), 'firebreak-ref-'));
    try {
      const state = join(tmp, 'ref.db');
      const json = await rehearseCommand({ scenario: `${F}/scenarios/${scenario}.yaml`, plan: `${F}/valid/fast.yaml`, seed: 1, json: true, compare: false, state });
      r = { json, records: logCount(state) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    references.set(scenario, r);
  }
  return r;
}
