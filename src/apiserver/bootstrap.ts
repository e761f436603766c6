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
import { BOOTSTRAP_ROLES, type BootstrapRule } from '../analyzer/bootstrap-roles.ts';
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

/**
 * The rules of the aggregated ClusterRoles (admin ← edit ← view ←
 * system:aggregate-to-*), as kube-controller-manager's clusterrole
 * aggregation controller fills them: the rules of every ClusterRole whose
 * labels match one of the role's selectors, to a fixed point.
 */
function aggregateRules(): Map<string, readonly BootstrapRule[]> {
  const roles = BOOTSTRAP_ROLES.filter((r) => r.kind === 'ClusterRole');
  const rules = new Map<string, BootstrapRule[]>(roles.map((r) => [r.name, [...r.rules]]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of roles) {
      if (r.aggregate === undefined) continue;
      const seen = new Set((rules.get(r.name) ?? []).map((x) => x.join('|')));
      for (const other of roles) {
        if (other === r || !r.aggregate.some((sel) => Object.entries(sel).every(([k, v]) => other.labels?.[k] === v))) continue;
        for (const rule of rules.get(other.name) ?? []) {
          if (seen.has(rule.join('|'))) continue;
          seen.add(rule.join('|'));
          rules.get(r.name)?.push(rule);
          changed = true;
        }
      }
    }
  }
  return rules;
}

export function bootstrap(store: ObjectStore, createdAt: string): void {
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'firebreak-system']) {
    stamp(store, '', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, createdAt);
  }
  for (const p of DEFAULT_PRIORITY_LEVELS) stamp(store, FC, 'prioritylevelconfigurations', structuredClone(p), createdAt);
  for (const f of DEFAULT_FLOW_SCHEMAS) stamp(store, FC, 'flowschemas', structuredClone(f), createdAt);
  const aggregated = aggregateRules();
  for (const r of BOOTSTRAP_ROLES) {
    const rules = (aggregated.get(r.name) ?? r.rules).map(([verbs, groups, resources, names]) => ({
      verbs: split(verbs),
      apiGroups: split(groups),
      resources: split(resources),
      ...(names === undefined ? {} : { resourceNames: split(names) }),
    }));
    const metadata: Record<string, unknown> = { name: r.name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...(r.labels ?? {}) }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };
    if (r.kind === 'Role') metadata['namespace'] = r.namespace;
    const role: KubeObject = { apiVersion: `${RBAC}/v1`, kind: r.kind, metadata, rules };
    if (r.aggregate !== undefined) role['aggregationRule'] = { clusterRoleSelectors: r.aggregate.map((matchLabels) => ({ matchLabels })) };
    stamp(store, RBAC, r.kind === 'Role' ? 'roles' : 'clusterroles', role, createdAt);
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
