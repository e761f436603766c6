/**
 * The guard sidecar for a pod template, pure: what the Kubernetes target
 * does to a change's pod template at apply time when the plan enables the
 * kill switch, so that a third-party agent needs no change.
 *
 * It returns a new template (the input is not modified) with:
 * - `spec.shareProcessNamespace: true`, so that the guard sees and can signal
 *   the agent's processes (https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/);
 *   refused with `hostPID: true`, which Kubernetes refuses together with it
 *   (kubernetes/kubernetes pkg/apis/core/validation/validation.go:
 *   "ShareProcessNamespace and HostPID cannot both be enabled");
 * - the `firebreak-guard` container: `firebreak guard --sidecar
 *   --process-name <agent> --state-dir /var/run/firebreak-guard`, configured
 *   by the environment of contract E (FIREBREAK_KILLSWITCH_URL, FIREBREAK_CHANGE,
 *   FIREBREAK_KILLSWITCH_POLL, FIREBREAK_KILLSWITCH_UNREACHABLE,
 *   FIREBREAK_KILLSWITCH_KEY, and FIREBREAK_CLUSTER when known), small
 *   resources, the agent's user (runAsUser/runAsGroup copied from the agent
 *   container) plus CAP_KILL: kill(2) needs the same user or CAP_KILL;
 * - an emptyDir volume for the guard's "off" marker (kept across container
 *   restarts, which the kubelet does while the API server is down).
 * Injecting twice gives the same template (the guard and its volume are replaced).
 *
 * @example
 *   const template = injectGuard(ds.spec.template, { url: 'http://10.0.0.7:8080', change: 'telemetry-agent', key: publicKey, image: 'ghcr.io/acme/firebreak:0.1.0' });
 */
import { UsageError } from '../core/errors.ts';
import { DEFAULT_GRACE_S, DEFAULT_POLL_S, DEFAULT_UNREACHABLE, ENV_CHANGE, ENV_CLUSTER, ENV_KEY, ENV_POLL, ENV_UNREACHABLE, ENV_URL, GUARD_CONTAINER, GUARD_STATE_DIR, GUARD_STATE_VOLUME, MAX_POLL_S, MIN_POLL_S, type UnreachablePolicy } from './defaults.ts';
import { isChangeName, isClusterName } from './document.ts';
import { checkSwitchUrl } from './endpoint.ts';

/** A pod template (PodTemplateSpec) as JSON. */
export type PodTemplate = Readonly<Record<string, unknown>>;

export interface GuardInjection {
  /** The switch endpoint, by IP address. */
  readonly url: string;
  /** The change's name (its switch). */
  readonly change: string;
  /** The verification key: the switch server's public key (base64 DER or PEM). */
  readonly key: string;
  /** The image with `firebreak` in it. */
  readonly image: string;
  /** The cluster the pods run in (a switch can be off for one cluster). */
  readonly cluster?: string;
  readonly pollS?: number;
  readonly unreachable?: UnreachablePolicy;
  readonly graceS?: number;
  /** The agent's process name; default: the file name of the first container's command[0]. */
  readonly processName?: string;
  /** The guard's command; default ['firebreak']. Its arguments are always `guard --sidecar …`. */
  readonly command?: readonly string[];
  /** The guard's resources; default GUARD_RESOURCES. */
  readonly resources?: Readonly<Record<string, unknown>>;
}

/**
 * The guard's resources. A guard is one Node.js process polling one URL: about 100 MB resident, most of it
 * Node itself (43 MB) and its TypeScript loader (measured on Node 24, docs/killswitch.md), idle CPU after
 * a start-up second. firebreak's own figures.
 */
export const GUARD_RESOURCES = {
  requests: { cpu: '10m', memory: '128Mi' },
  limits: { cpu: '250m', memory: '192Mi' },
} as const;

type Json = Record<string, unknown>;

function object(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function fail(message: string): never {
  throw new UsageError(`cannot inject the kill-switch guard: ${message}`);
}

function baseName(cmd: unknown): string | undefined {
  if (typeof cmd !== 'string' || cmd === '') return undefined;
  const parts = cmd.split('/');
  return parts[parts.length - 1];
}

/** The pod template with the guard sidecar (see the module comment). Throws UsageError on a template or option it cannot use. */
export function injectGuard(podTemplate: PodTemplate, options: GuardInjection): Json {
  const urlProblem = checkSwitchUrl(options.url);
  if (urlProblem !== undefined) fail(urlProblem);
  if (!isChangeName(options.change)) fail(`change ${JSON.stringify(options.change)} is not a Kubernetes object name`);
  if (options.cluster !== undefined && !isClusterName(options.cluster)) fail(`cluster ${JSON.stringify(options.cluster)} is not a cluster name (RFC 1123 label)`);
  if (options.key.trim() === '') fail('the verification key is empty');
  if (options.image.trim() === '') fail('the guard image is empty');
  const pollS = options.pollS ?? DEFAULT_POLL_S;
  if (!(pollS >= MIN_POLL_S && pollS <= MAX_POLL_S)) fail(`poll interval ${pollS} s is outside ${MIN_POLL_S}..${MAX_POLL_S} s`);
  const graceS = options.graceS ?? DEFAULT_GRACE_S;
  if (!(graceS >= 0 && graceS <= MAX_POLL_S)) fail(`grace period ${graceS} s is outside 0..${MAX_POLL_S} s`);

  const template = structuredClone(podTemplate) as Json;
  const spec = object(template.spec);
  if (spec === undefined) fail('the pod template has no spec');
  if (spec.hostPID === true) fail('the pod template sets hostPID: true, which Kubernetes refuses together with shareProcessNamespace');
  const containers: unknown[] = Array.isArray(spec.containers) ? spec.containers : [];
  const others = containers.filter((c) => object(c)?.name !== GUARD_CONTAINER);
  const agent = object(others[0]);
  if (agent === undefined) fail('the pod template has no container to guard');
  const processName = options.processName ?? baseName(Array.isArray(agent.command) ? agent.command[0] : undefined);
  if (processName === undefined || processName === '') fail(`the agent container ${JSON.stringify(agent.name)} has no command to take its process name from; give processName`);

  const env = [
    { name: ENV_URL, value: options.url },
    { name: ENV_CHANGE, value: options.change },
    { name: ENV_POLL, value: String(pollS) },
    { name: ENV_UNREACHABLE, value: options.unreachable ?? DEFAULT_UNREACHABLE },
    { name: ENV_KEY, value: options.key.trim() },
    ...(options.cluster !== undefined ? [{ name: ENV_CLUSTER, value: options.cluster }] : []),
  ];
  const agentSecurity = object(agent.securityContext) ?? {};
  const security: Json = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: ['KILL'] },
    ...(agentSecurity.runAsUser !== undefined ? { runAsUser: agentSecurity.runAsUser } : {}),
    ...(agentSecurity.runAsGroup !== undefined ? { runAsGroup: agentSecurity.runAsGroup } : {}),
  };
  const guard: Json = {
    name: GUARD_CONTAINER,
    image: options.image,
    command: [...(options.command ?? ['firebreak'])],
    args: ['guard', '--sidecar', '--process-name', processName, '--state-dir', GUARD_STATE_DIR, '--grace', String(graceS)],
    env,
    resources: structuredClone(options.resources ?? GUARD_RESOURCES),
    securityContext: security,
    volumeMounts: [{ name: GUARD_STATE_VOLUME, mountPath: GUARD_STATE_DIR }],
  };
  const volumes = (Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : []).filter((v) => object(v)?.name !== GUARD_STATE_VOLUME);
  spec.shareProcessNamespace = true;
  spec.containers = [...others, guard];
  spec.volumes = [...volumes, { name: GUARD_STATE_VOLUME, emptyDir: {} }];
  return template;
}
