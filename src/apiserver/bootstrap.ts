/**
 * What a fresh served cluster holds before any client writes: the namespaces
 * every cluster has (default, kube-system, kube-public, kube-node-lease), the
 * APF defaults (flowcontrol-defaults.ts), the bootstrap RBAC roles
 * (analyzer/bootstrap-roles.ts, from kube-apiserver's bootstrap policy) with
 * the binding `cluster-admin` → group `system:masters`, and the twin's
 * orchestrator identity: namespace `firebreak-system`, its ServiceAccount
 * `firebreak` bound to `cluster-admin` (ClusterRoleBinding
 * `firebreak:rollout`; a deploy pipeline's identity usually holds that much —
 * delete the binding to see a 403). The break-glass identity gets nothing
 * here: `firebreak breakglass install` grants it what it needs.
 *
 * @example
 *   bootstrap(store, '2024-12-11T22:30:00Z');
 */
import { BOOTSTRAP_ROLES } from '../analyzer/bootstrap-roles.ts';
import type { KubeObject } from './backend.ts';
import { DEFAULT_FLOW_SCHEMAS, DEFAULT_PRIORITY_LEVELS } from './flowcontrol-defaults.ts';
import type { ObjectStore } from './store.ts';

const RBAC = 'rbac.authorization.k8s.io';
const FC = 'flowcontrol.apiserver.k8s.io';

function stamp(store: ObjectStore, group: string, plural: string, o: KubeObject, created: string): void {
  const m = o['metadata'] as Record<string, unknown>;
  m['uid'] = store.newUid();
  m['creationTimestamp'] = created;
  if (!['namespaces', 'serviceaccounts', 'configmaps', 'events', 'leases', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].includes(plural)) m['generation'] = 1;
  store.put(group, plural, o);
}

function split(s: string): string[] {
  return s.split(',');
}

export function bootstrap(store: ObjectStore, createdAt: string): void {
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'firebreak-system']) {
    stamp(store, '', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, createdAt);
  }
  for (const p of DEFAULT_PRIORITY_LEVELS) stamp(store, FC, 'prioritylevelconfigurations', structuredClone(p), createdAt);
  for (const f of DEFAULT_FLOW_SCHEMAS) stamp(store, FC, 'flowschemas', structuredClone(f), createdAt);
  for (const r of BOOTSTRAP_ROLES) {
    const rules = r.rules.map(([verbs, groups, resources, names]) => ({
      verbs: split(verbs),
      apiGroups: split(groups),
      resources: split(resources),
      ...(names === undefined ? {} : { resourceNames: split(names) }),
    }));
    const metadata: Record<string, unknown> = { name: r.name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...(r.labels ?? {}) }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };
    if (r.kind === 'Role') metadata['namespace'] = r.namespace;
    stamp(store, RBAC, r.kind === 'Role' ? 'roles' : 'clusterroles', { apiVersion: `${RBAC}/v1`, kind: r.kind, metadata, rules }, createdAt);
  }
  const crb = (name: string, role: string, subjects: KubeObject[]): KubeObject => ({
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  });
  stamp(store, RBAC, 'clusterrolebindings', crb('cluster-admin', 'cluster-admin', [{ apiGroup: RBAC, kind: 'Group', name: 'system:masters' }]), createdAt);
  stamp(store, RBAC, 'clusterrolebindings', crb('firebreak:rollout', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'firebreak', namespace: 'firebreak-system' }]), createdAt);
  stamp(store, '', 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } }, createdAt);
  stamp(store, '', 'serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'firebreak', namespace: 'firebreak-system' } }, createdAt);
  stamp(store, '', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' }, status: { loadBalancer: {} } }, createdAt);
}
