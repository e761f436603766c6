/**
 * `firebreak guard --sidecar --process-name <name>`: the guard as a sidecar
 * container in a pod with a shared process namespace
 * (`shareProcessNamespace: true`, injected by src/killswitch/inject.ts). It
 * does not start the agent — the kubelet does — it stops it: while the switch
 * says stop, every poll it finds the agent's processes by name
 * (processes.ts) and sends each SIGTERM, then SIGKILL after the grace period;
 * a process that reappears (the kubelet restarts the agent's container) is
 * stopped again at the next poll. The "off" marker in the state directory
 * (an emptyDir) keeps this true across the sidecar's own restarts. Ends with
 * 0 on SIGTERM or SIGINT (the pod is going away).
 *
 * @example
 *   await runSidecar({ url, change: 'agent', publicKey, policy: 'keep-running', stateDir, pollS: 10, graceS: 10, processName: 'agent', log });
 */
import { findProcesses, startTime, type ProcessRef } from './processes.ts';
import { SwitchWatcher, type WatchOptions } from './watcher.ts';
import { jittered, Wake } from './wake.ts';

export interface SidecarOptions extends WatchOptions {
  readonly processName: string;
  readonly graceS: number;
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function runSidecar(o: SidecarOptions): Promise<number> {
  const watcher = new SwitchWatcher(o);
  const wake = new Wake();
  let ending = false;
  const onSignal = (): void => {
    ending = true;
    wake.now();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  /** Processes sent SIGTERM: `pid:start` → when to SIGKILL (epoch ms). */
  const terminating = new Map<string, { ref: ProcessRef; killAt: number }>();
  let last = '';
  try {
    await watcher.read();
    while (!ending) {
      const d = watcher.decision();
      if (d.action === 'stop') {
        for (const ref of findProcesses(o.processName)) {
          const key = `${ref.pid}:${ref.start}`;
          if (terminating.has(key)) continue;
          if (send(ref.pid, 'SIGTERM')) {
            o.log(`stopping ${o.processName} (pid ${ref.pid}): ${d.reason}`);
            terminating.set(key, { ref, killAt: Date.now() + o.graceS * 1000 });
          } else o.log(`cannot signal ${o.processName} (pid ${ref.pid}): the guard needs the agent's user or CAP_KILL`);
        }
        last = d.reason;
      } else if (last !== '') {
        o.log(`${o.processName} may run again: ${d.reason}`);
        last = '';
        terminating.clear();
      }
      const now = Date.now();
      for (const [key, t] of terminating) {
        if (startTime(t.ref.pid) !== t.ref.start) terminating.delete(key);
        else if (now >= t.killAt) {
          o.log(`${o.processName} (pid ${t.ref.pid}) did not stop within ${o.graceS} s: SIGKILL`);
          send(t.ref.pid, 'SIGKILL');
          terminating.delete(key);
        }
      }
      const nextKill = Math.min(...[...terminating.values()].map((t) => t.killAt));
      const pollMs = jittered(o.pollS * 1000);
      await wake.sleep(Math.max(1, Math.min(pollMs, nextKill - Date.now())));
      if (ending) break;
      if (Date.now() - now >= pollMs * 0.9 || terminating.size === 0) await watcher.read();
    }
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
