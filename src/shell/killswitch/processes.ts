/**
 * Processes by name, from /proc (Linux): what the sidecar guard looks for in
 * the pod's shared process namespace. A process matches when its command
 * name (`/proc/<pid>/comm`, which the kernel cuts to 15 bytes: TASK_COMM_LEN
 * is 16 with the NUL, linux include/linux/sched.h) equals the name cut the
 * same way, or when the file name of its argv[0] (`/proc/<pid>/cmdline`)
 * equals the name. Zombies (state Z, already dead) are left out, and so are
 * the guard itself and its ancestors.
 *
 * @example
 *   findProcesses('telemetry-agent'); // [{ pid: 42, start: 123456 }]
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRef {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  readonly start: number;
}

const COMM_MAX = 15;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** State and start time from /proc/<pid>/stat (the command name, in parentheses, may hold spaces: parse after the last ')'). */
function stat(pid: number): { state: string; ppid: number; start: number } | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at field 3 (state): ppid is field 4, starttime field 22.
  return { state: fields[0] ?? '', ppid: Number(fields[1]), start: Number(fields[19]) };
}

/** The pid's start time, or undefined when it is gone. */
export function startTime(pid: number): number | undefined {
  return stat(pid)?.start;
}

function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  for (let i = 0; i < 64 && pid > 0 && !out.has(pid); i++) {
    out.add(pid);
    pid = stat(pid)?.ppid ?? 0;
  }
  return out;
}

export function findProcesses(name: string): ProcessRef[] {
  const comm = Buffer.from(name, 'utf8').subarray(0, COMM_MAX).toString('utf8');
  const skip = ancestors();
  const out: ProcessRef[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (skip.has(pid)) continue;
    const c = read(`/proc/${pid}/comm`)?.replace(/\n$/, '');
    const argv0 = read(`/proc/${pid}/cmdline`)?.split('\0')[0] ?? '';
    const base = argv0.split('/').pop() ?? '';
    if (c !== comm && base !== name) continue;
    const s = stat(pid);
    if (s === undefined || s.state === 'Z' || s.state === 'X') continue;
    out.push({ pid, start: s.start });
  }
  return out;
}
