/**
 * Command-line flags and environment variables of a container, with the
 * position of the manifest field that sets each one: for agents configured
 * by flags (kube-proxy, flanneld, cilium-agent) and environment variables
 * (aws-node, CILIUM_*). A flag inside a shell string (`sh -c "kube-proxy
 * --config=… 1>>/var/log/kube-proxy.log"`) is found too, located at that
 * string.
 *
 * @example
 *   const flags = containerFlags(w, c);
 *   flags.get('kube-subnet-mgr');   // { value: 'true', at: { file, line, column } }
 */
import type { DocPath, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { ContainerSettings } from './container-settings.ts';

export interface Flag {
  readonly value: string;
  /** The command or args element that sets it. */
  readonly at: Loc;
}

/** The path of element `i` of the container's command + args (as `Container.args` concatenates them). */
export function argPath(w: WorkloadInfo, c: Container, i: number): DocPath {
  const command = w.f.list([...c.path, 'command'])?.length ?? 0;
  return i < command ? [...c.path, 'command', i] : [...c.path, 'args', i - command];
}

/**
 * Flags of the container's command and args: `--name=value`, `--name value`,
 * `-name=value` and bare `--name` (true). Later occurrences win, as with Go's
 * flag and pflag packages. Names are returned without leading dashes.
 */
export function containerFlags(w: WorkloadInfo, c: Container): Map<string, Flag> {
  const out = new Map<string, Flag>();
  // The arguments as ContainerSettings reads them (a `sh -c` script split into its words), each split at whitespace.
  const tokens: { t: string; i: number; path: DocPath }[] = [];
  ContainerSettings.of(w, c).words.forEach((a, i) => {
    for (const t of a.text.split(/\s+/)) if (t !== '') tokens.push({ t: t.replace(/^["']|["']$/g, ''), i, path: a.path });
  });
  tokens.forEach(({ t, i, path }, k) => {
    const m = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=(.*))?$/.exec(t);
    if (m === null) return;
    const name = m[1] ?? '';
    let value = m[2];
    if (value === undefined) {
      const next = tokens[k + 1];
      // `--name value` only when the value is in the same element or the next one and is not a flag.
      value = next !== undefined && !next.t.startsWith('-') && (next.i === i || next.i === i + 1) && !/^[0-9]?>/.test(next.t) ? next.t : 'true';
    }
    out.set(name, { value, at: w.f.loc(path) });
  });
  return out;
}

/** Where env var `name` of the container is set, or undefined when it is not. */
export function envAt(w: WorkloadInfo, c: Container, name: string): Loc | undefined {
  const env = w.f.list([...c.path, 'env']) ?? [];
  for (let j = env.length - 1; j >= 0; j--) {
    if (w.f.get([...c.path, 'env', j, 'name']) === name) return w.f.loc([...c.path, 'env', j]);
  }
  return undefined;
}
