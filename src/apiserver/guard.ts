/**
 * The kill-switch guard sidecar in a workload's pod template (contract E,
 * docs/killswitch.md): a container named `firebreak-guard` whose environment
 * says where the switch is (`FIREBREAK_KILLSWITCH_URL`), which change it
 * guards (`FIREBREAK_CHANGE`), how often it polls (`FIREBREAK_KILLSWITCH_POLL`,
 * seconds, default 10), what it does when the switch is unreachable
 * (`FIREBREAK_KILLSWITCH_UNREACHABLE`: keep-running, the default, or stop),
 * and the key it verifies the switch with (`FIREBREAK_KILLSWITCH_KEY`). The
 * served twin polls the switch for a DaemonSet that carries the guard, as its
 * agents would. The names and defaults are contract E's (src/killswitch/defaults.ts
 * on the killswitch branch: GUARD_CONTAINER, ENV_*, DEFAULT_POLL_S 10).
 *
 * @example
 *   const g = guardOf(daemonSet); // { url, change, pollS, unreachable, key } | undefined
 */
import type { KubeObject } from './backend.ts';

export const GUARD_CONTAINER = 'firebreak-guard';
export const DEFAULT_GUARD_POLL_S = 10;

export interface GuardSettings {
  readonly url: string;
  readonly change: string;
  readonly pollS: number;
  readonly unreachable: 'keep-running' | 'stop';
  /** The verification key or token the guard is given (as written; it is public key material). */
  readonly key: string;
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The guard's settings in a workload's pod template; undefined when it has no guard (or the guard has no URL). */
export function guardOf(workload: KubeObject, fallbackChange: string): GuardSettings | undefined {
  const podSpec = rec(rec(rec(workload.spec).template).spec);
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.map(rec) : [];
  const guard = containers.find((c) => c.name === GUARD_CONTAINER);
  if (guard === undefined) return undefined;
  const env = new Map<string, string>();
  for (const e of Array.isArray(guard.env) ? guard.env.map(rec) : []) if (typeof e.name === 'string' && typeof e.value === 'string') env.set(e.name, e.value);
  const url = env.get('FIREBREAK_KILLSWITCH_URL');
  if (url === undefined || url === '') return undefined;
  const poll = Number(env.get('FIREBREAK_KILLSWITCH_POLL'));
  return {
    url,
    change: env.get('FIREBREAK_CHANGE') ?? fallbackChange,
    pollS: Number.isFinite(poll) && poll > 0 ? poll : DEFAULT_GUARD_POLL_S,
    unreachable: env.get('FIREBREAK_KILLSWITCH_UNREACHABLE') === 'stop' ? 'stop' : 'keep-running',
    key: env.get('FIREBREAK_KILLSWITCH_KEY') ?? '',
  };
}
