/**
 * The kill-switch guard sidecar in a workload's pod template (contract E,
 * docs/killswitch.md): a container named GUARD_CONTAINER whose environment
 * says where the switch is (ENV_URL), which change it guards (ENV_CHANGE),
 * how often it polls (ENV_POLL, seconds, default DEFAULT_POLL_S), what it
 * does when the switch is unreachable (ENV_UNREACHABLE: keep-running, the
 * default, or stop), the key it verifies the switch with (ENV_KEY) and the
 * cluster it runs in (ENV_CLUSTER, for a switch off in some clusters only).
 * The names and defaults are src/killswitch's (one copy). The served twin
 * polls the switch for a workload that carries the guard, as its agents
 * would (src/shell/serve/killswitch-poller.ts).
 *
 * @example
 *   const g = guardOf(daemonSet, 'telemetry-agent'); // { url, change, pollS, unreachable, key, switchCluster? } | undefined
 */
import type { KubeObject } from './backend.ts';
import { DEFAULT_POLL_S, DEFAULT_UNREACHABLE, ENV_CHANGE, ENV_CLUSTER, ENV_KEY, ENV_POLL, ENV_UNREACHABLE, ENV_URL, GUARD_CONTAINER, MAX_POLL_S, MIN_POLL_S, type UnreachablePolicy } from '../killswitch/index.ts';

export interface GuardSettings {
  readonly url: string;
  readonly change: string;
  readonly pollS: number;
  readonly unreachable: UnreachablePolicy;
  /** The verification key or token the guard is given (as written; it is public key material). */
  readonly key: string;
  /** FIREBREAK_CLUSTER when the guard is given one: the cluster whose state it reads (`clustersOff`). */
  readonly switchCluster?: string;
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
  const url = env.get(ENV_URL);
  if (url === undefined || url === '') return undefined;
  const poll = Number(env.get(ENV_POLL));
  const unreachable = env.get(ENV_UNREACHABLE);
  const cluster = env.get(ENV_CLUSTER);
  return {
    url,
    change: env.get(ENV_CHANGE) ?? fallbackChange,
    pollS: Number.isFinite(poll) && poll >= MIN_POLL_S && poll <= MAX_POLL_S ? poll : DEFAULT_POLL_S,
    unreachable: unreachable === 'stop' || unreachable === 'keep-running' ? unreachable : DEFAULT_UNREACHABLE,
    key: env.get(ENV_KEY) ?? '',
    ...(cluster !== undefined && cluster !== '' ? { switchCluster: cluster } : {}),
  };
}
