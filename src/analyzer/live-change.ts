/**
 * The twin's change for a workload written through the API the twin serves
 * (`firebreak twin serve`): the stored objects it needs — the workload, its
 * ServiceAccount, the RoleBindings and ClusterRoleBindings with their Roles
 * and ClusterRoles, the ConfigMaps and Secrets of its namespace (known
 * agents' configuration), the FlowSchemas — go through the analyzer's own
 * derivation (analyze.ts deriveProfiles: the `firebreak.dev/api-profile`
 * annotation, the known agents' readers, else the RBAC worst case), and the
 * profile becomes the twin's ChangeSpec as `analyze --simulate` builds it
 * (simulate.ts twinChange). No second copy of either.
 *
 * When the analyzer cannot tell the workload's calls (its profile is
 * `unknown`: a configuration or a grant it cannot see), `derived` is false and
 * `why` says what is missing; the change then holds the worst its RBAC allows
 * (what the analyzer itself falls back to), for the caller to apply and log.
 *
 * @example
 *   const live = liveChange(daemonSet, reader, model);
 *   if (!live.derived) log(`${live.change.name}: RBAC worst case (${live.why.join('; ')})`);
 *   twin.installChange(i, live.change);
 */
import type { Problem } from '../core/errors.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import type { ChangeSpec } from '../twin/index.ts';
import { deriveProfiles, plannedWorkload } from './analyze.ts';
import { twinChange } from './simulate.ts';
import { PROFILE_UNKNOWN } from './profile.ts';
import type { ManifestDocument, ProfileSource } from './types.ts';

/** Read access to stored objects (the served API's store: src/apiserver/backend.ts ObjectReader has this shape). */
export interface StoredObjects {
  list(apiGroup: string, resource: string, namespace?: string): readonly Record<string, unknown>[];
  get(apiGroup: string, resource: string, namespace: string | undefined, name: string): Record<string, unknown> | undefined;
}

export interface LiveChange {
  /** The twin's change: its calls, priority level, kind and replicas. */
  readonly change: ChangeSpec;
  /** Where the calls come from (WorkloadProfile.source): annotation, agent-config, rbac (worst case), none (no API use), unknown. */
  readonly source: ProfileSource;
  /** False when the analyzer could not tell the calls: the change holds the RBAC worst case of what can be seen. */
  readonly derived: boolean;
  /** Why not derived, or what the analyzer noted about the profile (messages of its findings and problems). */
  readonly why: readonly string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';

/** A stored object as an analyzer input document (no positions: the API's objects have no file). */
function document(kind: string, apiVersion: string, value: Record<string, unknown>, index: number): ManifestDocument {
  const md = value.metadata as { namespace?: unknown; name?: unknown } | undefined;
  const where = `${kind} ${typeof md?.namespace === 'string' ? `${md.namespace}/` : ''}${typeof md?.name === 'string' ? md.name : '?'}`;
  return {
    file: `<api: ${where}>`,
    index,
    value: { ...value, kind: typeof value.kind === 'string' ? value.kind : kind, apiVersion: typeof value.apiVersion === 'string' ? value.apiVersion : apiVersion },
    locate: () => undefined,
    locateInString: () => undefined,
  };
}

/** The stored objects the analyzer reads for a workload of `namespace`, in a fixed order. */
function inputs(workload: Record<string, unknown>, kind: string, namespace: string, objects: StoredObjects): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  const add = (k: string, apiVersion: string, list: readonly Record<string, unknown>[]): void => {
    for (const o of list) docs.push(document(k, apiVersion, o, docs.length));
  };
  add(kind, 'apps/v1', [workload]);
  add('ServiceAccount', 'v1', objects.list('', 'serviceaccounts', namespace));
  add('RoleBinding', `${RBAC_GROUP}/v1`, objects.list(RBAC_GROUP, 'rolebindings', namespace));
  add('Role', `${RBAC_GROUP}/v1`, objects.list(RBAC_GROUP, 'roles', namespace));
  add('ClusterRoleBinding', `${RBAC_GROUP}/v1`, objects.list(RBAC_GROUP, 'clusterrolebindings'));
  add('ClusterRole', `${RBAC_GROUP}/v1`, objects.list(RBAC_GROUP, 'clusterroles'));
  add('ConfigMap', 'v1', objects.list('', 'configmaps', namespace));
  add('Secret', 'v1', objects.list('', 'secrets', namespace));
  add('FlowSchema', `${FLOWCONTROL_GROUP}/v1`, objects.list(FLOWCONTROL_GROUP, 'flowschemas'));
  return docs;
}

function problemText(p: Problem): string {
  return `${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}

/**
 * The twin's change for `workload` (a DaemonSet or Deployment as stored), from the objects it needs.
 * Throws only for a workload the analyzer cannot read at all (no name): the API machinery validated it.
 */
export function liveChange(workload: Record<string, unknown>, kind: 'DaemonSet' | 'Deployment', objects: StoredObjects, model: ModelConfig): LiveChange {
  const md = workload.metadata as { namespace?: unknown } | undefined;
  const namespace = typeof md?.namespace === 'string' && md.namespace !== '' ? md.namespace : 'default';
  const docs = inputs(workload, kind, namespace, objects);
  const d = deriveProfiles(docs, model, false);
  const p = d.profiles.find((x) => x.workload.kind === kind);
  if (p === undefined) throw new Error(`the analyzer could not read ${kind} ${namespace}: ${d.problems.map(problemText).join('; ')}`);
  const mine = d.findings.filter((f) => f.workload === p.workload.id);
  const unknown = mine.filter((f) => f.rule === PROFILE_UNKNOWN);
  const pw = plannedWorkload(p);
  const change: ChangeSpec =
    pw !== undefined
      ? twinChange(p, pw)
      : { name: p.workload.name, kind, namespace: p.workload.namespace, serviceAccount: p.workload.serviceAccount, replicas: Math.max(1, p.workload.replicas), priorityLevel: p.priorityLevel, calls: [] };
  const derived = p.source !== 'unknown' && unknown.length === 0;
  const why = [...unknown, ...mine.filter((f) => f.rule !== PROFILE_UNKNOWN && f.severity !== 'note')].map((f) => `${f.rule}: ${f.message}`);
  return { change, source: p.source, derived, why: [...why, ...d.problems.map(problemText)] };
}
