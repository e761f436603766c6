/**
 * `firebreak guard [options] -- <agent command…>`: runs the agent under the
 * kill switch. Reads the switch before starting the agent (an agent whose
 * change is off, or remembered off, is not started), then every poll
 * interval; when the switch says stop, stops the agent — SIGTERM to its
 * process group, SIGKILL after the grace period — and does not start it
 * again until a newer signed document says "on" (then it starts it again).
 * Signals the guard receives (TERM, INT, HUP, QUIT, USR1, USR2) are passed
 * to the agent; on TERM, INT, HUP or QUIT the guard then waits for the agent
 * and exits. The guard exits with the agent's code (128 + the signal's
 * number when a signal ended it; 127 when the command cannot be started);
 * an agent the guard stopped for the switch does not end the guard.
 *
 * @example
 *   const code = await runGuard({ url, change: 'agent', publicKey, policy: 'keep-running', stateDir, pollS: 10, graceS: 10, command: ['agent', '--flag'], log });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { SwitchWatcher, type WatchOptions } from './watcher.ts';
import { jittered, Wake } from './wake.ts';

export interface GuardOptions extends WatchOptions {
  readonly command: readonly string[];
  readonly graceS: number;
}

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
const ENDING = new Set<NodeJS.Signals>(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal];
}

/** The agent's exit as a process exit code: its code, or 128 + the number of the signal that ended it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal !== null ? 128 + signalNumber(signal) : 1;
}

/** Sends `signal` to the agent's process group (it was started as a group leader), or to the agent alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

interface Agent {
  readonly child: ChildProcess;
  /** Resolves with the exit code once the agent has exited. */
  readonly exited: Promise<number>;
  stopping: boolean;
}

export async function runGuard(o: GuardOptions): Promise<number> {
  const watcher = new SwitchWatcher(o);
  const wake = new Wake();
  let agent: Agent | undefined;
  let ending: NodeJS.Signals | undefined;
  let result: number | undefined;
  let held = '';

  const onSignal = (signal: NodeJS.Signals): void => {
    if (agent !== undefined) signalGroup(agent.child.pid ?? 0, signal);
    if (ENDING.has(signal)) ending ??= signal;
    wake.now();
  };
  const handlers = FORWARDED.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  const start = (): Promise<number | undefined> => {
    const [file, ...args] = o.command;
    if (file === undefined) return Promise.resolve(127);
    o.log(`starting the agent: ${o.command.join(' ')}`);
    const child = spawn(file, args, { stdio: 'inherit', detached: true });
    return new Promise((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        o.log(`cannot start the agent ${file}: ${e.code ?? e.message}`);
        resolve(e.code === 'EACCES' ? 126 : 127);
      });
      child.once('spawn', () => {
        const exited = new Promise<number>((done) => child.once('exit', (code, signal) => done(exitCodeOf(code, signal))));
        const a: Agent = { child, exited, stopping: false };
        agent = a;
        void exited.then((code) => {
          if (agent === a) agent = undefined;
          if (!a.stopping) {
            o.log(`the agent exited (${code})`);
            result ??= code;
          }
          wake.now();
        });
        resolve(undefined);
      });
    });
  };

  const stop = async (a: Agent, reason: string): Promise<void> => {
    a.stopping = true;
    const pid = a.child.pid ?? 0;
    o.log(`stopping the agent (pid ${pid}): ${reason}`);
    signalGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        o.log(`the agent did not stop within ${o.graceS} s: SIGKILL`);
        signalGroup(pid, 'SIGKILL');
        resolve();
      }, o.graceS * 1000);
    });
    const code = await Promise.race([a.exited, killed.then(() => a.exited)]);
    clearTimeout(timer);
    o.log(`the agent stopped (${code}); it stays stopped while the switch says stop`);
  };

  try {
    await watcher.read();
    for (;;) {
      if (result !== undefined) return result;
      if (ending !== undefined) {
        if (agent !== undefined) return await agent.exited;
        return 128 + signalNumber(ending);
      }
      const d = watcher.decision();
      if (d.action === 'run' && agent === undefined) {
        const failed = await start();
        if (failed !== undefined) return failed;
      } else if (d.action === 'stop' && agent !== undefined && !agent.stopping) {
        await stop(agent, d.reason);
        continue;
      } else if (d.action === 'stop' && agent === undefined && held !== d.reason) {
        o.log(`the agent is not started: ${d.reason}`);
      }
      held = d.action === 'stop' && agent === undefined ? d.reason : '';
      await wake.sleep(jittered(o.pollS * 1000));
      if (result !== undefined || ending !== undefined) continue;
      await watcher.read();
    }
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}
