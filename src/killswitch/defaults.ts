/**
 * The kill switch's defaults and names, in one place: the guard, the server,
 * the sidecar injection and the twin's model of the switch (helper
 * `twinlive`: `model.change.killSwitch.pollS`) refer to these constants, and
 * docs/killswitch.md describes them.
 *
 * @example
 *   const everyS = DEFAULT_POLL_S; // 10: how often a guard reads its switch
 */

/**
 * How often a guard reads its switch, in seconds. 10 s: a switched-off change
 * stops within 10 s (plus the agent's grace period) on every node that can
 * reach the endpoint, and a fleet of 10,000 nodes reads it about 1,000 times a
 * second — static signed documents, cheap to serve. firebreak's own choice.
 */
export const DEFAULT_POLL_S = 10;
/** Shortest and longest poll interval a guard accepts, in seconds. */
export const MIN_POLL_S = 0.1;
export const MAX_POLL_S = 3600;

/**
 * Consecutive failed reads after which the endpoint counts as unreachable (the
 * unreachable policy then applies): one lost request does not stop a fleet's
 * agents. firebreak's own choice.
 */
export const UNREACHABLE_AFTER_FAILURES = 2;

/** What a guard does while it cannot read a valid switch document. */
export type UnreachablePolicy = 'keep-running' | 'stop';
export const UNREACHABLE_POLICIES: readonly UnreachablePolicy[] = ['keep-running', 'stop'];
/** Keep running by default: a switch server that is down must not stop every agent of the fleet. */
export const DEFAULT_UNREACHABLE: UnreachablePolicy = 'keep-running';

/**
 * Seconds between SIGTERM and SIGKILL when the guard stops the agent. 10 s,
 * a third of Kubernetes' default termination grace period (30 s:
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination), so that
 * a switched-off agent is gone well within one pod termination period.
 */
export const DEFAULT_GRACE_S = 10;

/** The guard sidecar's container name (contract E, /work/helpers/r6/contracts.md). */
export const GUARD_CONTAINER = 'firebreak-guard';
/** The guard's environment (contract E). */
export const ENV_URL = 'FIREBREAK_KILLSWITCH_URL';
export const ENV_CHANGE = 'FIREBREAK_CHANGE';
export const ENV_POLL = 'FIREBREAK_KILLSWITCH_POLL';
export const ENV_UNREACHABLE = 'FIREBREAK_KILLSWITCH_UNREACHABLE';
export const ENV_KEY = 'FIREBREAK_KILLSWITCH_KEY';
/** The cluster the guard runs in (optional): a switch can be off for one cluster only. */
export const ENV_CLUSTER = 'FIREBREAK_CLUSTER';

/** Where the sidecar keeps its "off" marker inside the pod (an emptyDir volume, kept across container restarts). */
export const GUARD_STATE_DIR = '/var/run/firebreak-guard';
export const GUARD_STATE_VOLUME = 'firebreak-guard-state';
