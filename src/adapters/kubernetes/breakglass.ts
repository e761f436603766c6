/**
 * The break-glass kit of a change, as Kubernetes objects, and its check
 * (docs/breakglass.md): what lets the rollback delete the change while the
 * API server is saturated.
 *
 * - Namespace `firebreak-system` and ServiceAccount `firebreak-breakglass`
 *   in it (the identity `system:serviceaccount:firebreak-system:
 *   firebreak-breakglass`, contracts C).
 * - The change's namespace (its Role must live there before the change
 *   does), then a Role in it allowing exactly `delete` — and the
 *   `get` that confirms the deletion — of the change's workload by name
 *   (`resourceNames`), and its RoleBinding to the ServiceAccount. Nothing
 *   else: not other workloads, not list, not update.
 * - An APF FlowSchema matching only that ServiceAccount, at precedence 50:
 *   ahead of every default but `exempt` (1) and `probes` (2) — the first
 *   suggested default is system-leader-election at 100 (Kubernetes docs,
 *   "API Priority and Fairness", default FlowSchemas) — pointing at either
 *   the `exempt` level or a dedicated Limited PriorityLevelConfiguration
 *   `firebreak-breakglass` with `nominalConcurrencyShares: 10` and
 *   `lendablePercent: 0`: ceil(600 × 10 / 255) = 24 seats of a default
 *   600-seat server that no other level can borrow
 *   (../shared/reference/real-integrations.md, "Break-glass on a real cluster").
 *
 * Installed by server-side apply (field manager `firebreak`), so installing
 * twice changes nothing. The check reads each object and compares the fields
 * that matter with what install would write.
 *
 * @example
 *   const objects = breakGlassObjects({ name: 'telemetry-agent', kind: 'DaemonSet', namespace: 'telemetry' }, { level: 'dedicated' });
 *   await checkBreakGlass(api, objects); // [{ object: 'FlowSchema/firebreak-breakglass', state: 'ok' }, …]
 */
import type { ApiClient, ObjectRefBody } from './api-client.ts';
import { failureOf } from './failure.ts';

export const BREAK_GLASS_NAMESPACE = 'firebreak-system';
export const BREAK_GLASS_ACCOUNT = 'firebreak-breakglass';
export const BREAK_GLASS_NAME = 'firebreak-breakglass';
/** Ahead of every default FlowSchema but exempt (1) and probes (2); the next default is at 100. */
export const BREAK_GLASS_PRECEDENCE = 50;
/** Shares of the dedicated level: ceil(600 × 10 / (245 + 10)) = 24 seats of a default server (reference, real-integrations.md). */
export const BREAK_GLASS_SHARES = 10;

export type BreakGlassLevel = 'dedicated' | 'exempt';

export interface ChangeRef {
  readonly name: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly namespace: string;
}

export type KitObject = Readonly<Record<string, unknown>> & ObjectRefBody;

const MANAGED = { 'app.kubernetes.io/managed-by': 'firebreak' };

/** The kit's objects for one or more changes, in the order they are applied. */
export function breakGlassObjects(changes: readonly ChangeRef[], o: { readonly level: BreakGlassLevel }): KitObject[] {
  const subject = { kind: 'ServiceAccount', name: BREAK_GLASS_ACCOUNT, namespace: BREAK_GLASS_NAMESPACE };
  const objects: KitObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BREAK_GLASS_NAMESPACE, labels: MANAGED } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: BREAK_GLASS_ACCOUNT, namespace: BREAK_GLASS_NAMESPACE, labels: MANAGED } },
  ];
  for (const change of changes) {
    // The Role lives in the change's namespace, which exists before the change only if the kit creates it.
    if (change.namespace !== BREAK_GLASS_NAMESPACE && !objects.some((o) => o.kind === 'Namespace' && o.metadata.name === change.namespace)) {
      objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: change.namespace } });
    }
    const role = `firebreak-breakglass-${change.name}`.slice(0, 253);
    objects.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: role, namespace: change.namespace, labels: MANAGED },
        rules: [{ apiGroups: ['apps'], resources: [change.kind === 'DaemonSet' ? 'daemonsets' : 'deployments'], resourceNames: [change.name], verbs: ['delete', 'get'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: role, namespace: change.namespace, labels: MANAGED },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [subject],
      },
    );
  }
  if (o.level === 'dedicated') {
    objects.push({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'PriorityLevelConfiguration',
      metadata: { name: BREAK_GLASS_NAME, labels: MANAGED },
      spec: { type: 'Limited', limited: { nominalConcurrencyShares: BREAK_GLASS_SHARES, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 50 } } } },
    });
  }
  objects.push({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: BREAK_GLASS_NAME, labels: MANAGED },
    spec: {
      priorityLevelConfiguration: { name: o.level === 'exempt' ? 'exempt' : BREAK_GLASS_NAME },
      matchingPrecedence: BREAK_GLASS_PRECEDENCE,
      distinguisherMethod: { type: 'ByUser' },
      rules: [
        {
          subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: BREAK_GLASS_ACCOUNT, namespace: BREAK_GLASS_NAMESPACE } }],
          resourceRules: [{ verbs: ['delete', 'get'], apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], namespaces: ['*'] }],
        },
      ],
    },
  });
  return objects;
}

export interface ObjectCheck {
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly state: 'ok' | 'missing' | 'wrong' | 'unknown';
  /** What is wrong, or why it could not be read. */
  readonly detail: string;
}

function label(o: KitObject): string {
  return `${o.kind}/${o.metadata.namespace !== undefined ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** Every field of `want` is in `got` with the same value (arrays compared whole, objects by their given keys). */
export function covers(want: unknown, got: unknown, path = ''): string | null {
  if (Array.isArray(want)) return JSON.stringify(want) === JSON.stringify(got) ? null : `${path || 'value'} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
  if (typeof want === 'object' && want !== null) {
    if (typeof got !== 'object' || got === null || Array.isArray(got)) return `${path || 'value'} is missing`;
    for (const [k, v] of Object.entries(want)) {
      const bad = covers(v, (got as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  return want === got ? null : `${path || 'value'} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
}

/** The fields install writes that the check compares (metadata labels aside). */
function essentials(o: KitObject): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata'));
}

/** Reads each object of the kit and says whether it is there as install writes it. */
export async function checkBreakGlass(api: ApiClient, objects: readonly KitObject[]): Promise<ObjectCheck[]> {
  const out: ObjectCheck[] = [];
  for (const o of objects) {
    try {
      const got = await api.read({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}) });
      if (got === undefined) {
        out.push({ object: label(o), state: 'missing', detail: 'not found' });
        continue;
      }
      const bad = covers(essentials(o), got);
      out.push({ object: label(o), state: bad === null ? 'ok' : 'wrong', detail: bad ?? 'as installed' });
    } catch (e) {
      const failure = failureOf(e, api.identity, `read ${label(o)}`);
      out.push({ object: label(o), state: 'unknown', detail: failure.reason });
      if (CLUSTER_WIDE.has(failure.kind)) break;
    }
  }
  return out;
}

/** Failures that say nothing about one object but about the cluster or the identity: the next objects are not tried. */
const CLUSTER_WIDE: ReadonlySet<string> = new Set(['unreachable', 'unauthorized', 'timeout']);

/** Applies every object of the kit (server-side apply, idempotent); per object, ok or why not. */
export async function installBreakGlass(api: ApiClient, objects: readonly KitObject[]): Promise<ObjectCheck[]> {
  const out: ObjectCheck[] = [];
  for (const o of objects) {
    try {
      await api.apply(o);
      out.push({ object: label(o), state: 'ok', detail: 'applied' });
    } catch (e) {
      const failure = failureOf(e, api.identity, `apply ${label(o)}`);
      out.push({ object: label(o), state: 'unknown', detail: failure.reason });
      if (CLUSTER_WIDE.has(failure.kind)) break;
    }
  }
  return out;
}
