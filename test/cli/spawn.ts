/**
 * Runs the real CLI (`node src/cli/main.ts …`) in a child process, several at
 * a time, and checks results against the exit-code contract.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliRun {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Text for standard input (it is then closed); default: an empty, closed standard input. */
  readonly input?: string | Buffer;
  /** A file descriptor to use as standard input instead (e.g. an open /dev/zero). */
  readonly stdinFd?: number;
  /** Keep standard input open and silent (to exercise the read timeout). */
  readonly holdStdin?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** Node options before the script (e.g. ['--import', preload]). */
  readonly nodeArgs?: readonly string[];
}

/**
 * Node's compile cache, shared by the runs (under the temporary directory):
 * a process then starts in a fraction of the time. It changes nothing the
 * CLI does.
 */
const COMPILE_CACHE = join(tmpdir(), 'firebreak-test-compile-cache');

/** A run that takes longer than this is killed (and fails its test): nothing may hang. */
const KILL_AFTER_MS = 120_000;

export function cli(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), 'src/cli/main.ts', ...args], {
      stdio: [opts.stdinFd ?? 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, FIREBREAK_DEBUG: '', NODE_COMPILE_CACHE: COMPILE_CACHE, ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    if (child.stdin !== null) {
      child.stdin.on('error', () => {
        // The CLI may exit (or stop reading) before taking all of its input.
      });
      if (opts.input !== undefined) child.stdin.end(opts.input);
      else if (opts.holdStdin !== true) child.stdin.end();
    }
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      resolve({ args, status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs `jobs` with at most `limit` at a time, results in order (a tuple of jobs gives a tuple of results). */
export async function pool<const T extends readonly (() => Promise<unknown>)[]>(jobs: T, limit = Math.max(2, availableParallelism())): Promise<{ -readonly [K in keyof T]: T[K] extends () => Promise<infer R> ? R : never }> {
  const results: unknown[] = new Array<unknown>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job !== undefined) results[i] = await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results as { -readonly [K in keyof T]: T[K] extends () => Promise<infer R> ? R : never };
}

/** A stack trace line, as Node prints them. */
export const STACK_LINE = /^\s+at .+(\(|:\d+:\d+)/m;

function show(r: CliRun): string {
  return `firebreak ${r.args.join(' ')}\n  status ${r.status}${r.signal !== null ? ` (killed: ${r.signal})` : ''}\n  stderr: ${r.stderr.slice(0, 1500)}\n  stdout: ${r.stdout.slice(0, 300)}`;
}

/** The run ended with `code` and printed no stack trace; code 2 and 3 say something on stderr. */
export function assertExit(r: CliRun, code: number, context = ''): void {
  assert.equal(r.status, code, `${context}\n${show(r)}`);
  assert.doesNotMatch(r.stderr, STACK_LINE, `a stack trace ${context}\n${show(r)}`);
  if (code >= 2) assert.notEqual(r.stderr.trim(), '', `no message ${context}\n${show(r)}`);
  if (code === 3) assert.equal(r.stderr.trim().split('\n').length, 1, `an internal error takes one line ${context}\n${show(r)}`);
}
