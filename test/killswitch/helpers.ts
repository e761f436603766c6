/**
 * Real processes for the kill-switch tests: `firebreak killswitch serve`,
 * `firebreak guard`, and a heartbeat agent (a node child writing its pid and
 * a counter to a file every 50 ms), all spawned as `node src/cli/main.ts …`
 * with their output collected. Every process started is tracked and killed
 * by `stopAll` (tests call it in `after`). Waits poll with generous deadlines;
 * nothing here asserts on timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMPILE_CACHE = join(tmpdir(), 'firebreak-test-compile-cache');
const running = new Set<ChildProcess>();

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with [code, signal] when the process has exited. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'firebreak-killswitch-'));
}

export function start(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}, opts: { detached?: boolean } = {}): Proc {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FIREBREAK_DEBUG: '', NODE_COMPILE_CACHE: COMPILE_CACHE, ...env }, detached: opts.detached ?? false });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve([code, signal]);
    }),
  );
  return { child, pid: child.pid ?? 0, stdout: () => out, stderr: () => err, exited };
}

/** The CLI as a real process. */
export function cliProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): Proc {
  return start(process.execPath, ['src/cli/main.ts', ...args], env);
}

/** Runs the CLI to its end. */
export async function cliRun(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = cliProcess(args, env);
  const [code] = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export async function waitFor(what: string, check: () => boolean, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<[number | null, NodeJS.Signals | null]> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}

/** Ends every process still running: SIGTERM (a guard passes it to its agent and waits for it), SIGKILL after 5 s. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (c) => {
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }),
  );
}

export interface Server extends Proc {
  readonly url: string;
  readonly publicKey: string;
  readonly adminToken: string;
}

/** `firebreak killswitch serve --port 0 …`, once it has printed where it listens. */
export async function serve(args: readonly string[] = []): Promise<Server> {
  const p = cliProcess(['killswitch', 'serve', '--port', '0', ...args]);
  await waitFor('the switch server to start', () => p.stdout().includes('\n') || p.child.exitCode !== null);
  if (!p.stdout().includes('\n')) throw new Error(`killswitch serve failed: ${p.stderr()}`);
  const info = JSON.parse(p.stdout().split('\n')[0] ?? '') as { url: string; publicKey: string; adminToken?: string };
  return { ...p, url: info.url, publicKey: info.publicKey, adminToken: info.adminToken ?? '' };
}

/** A node script that writes `<pid> <count>` to `file` every 50 ms, atomically (the agent under the guard). `title` names the process. */
export function heartbeatAgent(file: string, title = 'fbks-agent'): string[] {
  // Written to a temporary file and renamed, so that a reader never sees a half-written beat.
  const script = `process.title=${JSON.stringify(title)};let n=0;const fs=require('fs');const f=${JSON.stringify(file)};setInterval(()=>{fs.writeFileSync(f+'.tmp', process.pid+' '+(++n));fs.renameSync(f+'.tmp', f);},50);`;
  return [process.execPath, '-e', script];
}

/** The heartbeat's count, or 0 before the first beat. */
export function beats(file: string): number {
  if (!existsSync(file)) return 0;
  const n = Number(readFileSync(file, 'utf8').split(' ')[1]);
  return Number.isFinite(n) ? n : 0;
}

export function beatPid(file: string): number {
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split(' ')[0]) : 0;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the heartbeat still moves: its count grows over `ms`. */
export async function beating(file: string, ms = 600): Promise<boolean> {
  const a = beats(file);
  await sleep(ms);
  return beats(file) > a;
}
