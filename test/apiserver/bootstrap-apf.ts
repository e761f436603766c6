/**
 * Kubernetes' bootstrap APF configuration, as the tests' stored objects:
 * the mandatory FlowSchemas (exempt, catch-all) and the suggested ones, with
 * their precedences, subjects and rules, and their priority levels
 * (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go;
 * ../shared/reference/kubernetes-control-plane.md "Default FlowSchemas"), and
 * the break-glass kit's FlowSchema (precedence 50, docs/breakglass.md).
 */
import type { KubeObject } from '../../src/apiserver/backend.ts';

const ALL_RESOURCES = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] };
const ALL_URLS = { verbs: ['*'], nonResourceURLs: ['*'] };
const group = (name: string): Record<string, unknown> => ({ kind: 'Group', group: { name } });
const user = (name: string): Record<string, unknown> => ({ kind: 'User', user: { name } });
const sa = (namespace: string, name: string): Record<string, unknown> => ({ kind: 'ServiceAccount', serviceAccount: { namespace, name } });

function fs(name: string, precedence: number, level: string, rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name }, spec: { matchingPrecedence: precedence, priorityLevelConfiguration: { name: level }, distinguisherMethod: { type: 'ByUser' }, rules } };
}

export const BOOTSTRAP_FLOW_SCHEMAS: readonly KubeObject[] = [
  fs('exempt', 1, 'exempt', [{ subjects: [group('system:masters')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('probes', 2, 'exempt', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }]),
  fs('system-leader-election', 100, 'leader-election', [
    { subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), sa('kube-system', 'kube-controller-manager'), sa('kube-system', 'kube-scheduler')], resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['kube-system'] }] },
  ]),
  fs('endpoint-controller', 150, 'workload-high', [
    { subjects: [user('system:kube-controller-manager'), sa('kube-system', 'endpoint-controller')], resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: ['*'] }] },
  ]),
  fs('workload-leader-election', 200, 'leader-election', [
    { subjects: [sa('kube-system', '*')], resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }] },
  ]),
  fs('system-node-high', 400, 'node-high', [
    {
      subjects: [group('system:nodes')],
      resourceRules: [
        { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true },
        { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
      ],
    },
  ]),
  fs('system-nodes', 500, 'system', [{ subjects: [group('system:nodes')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('kube-controller-manager', 800, 'workload-high', [{ subjects: [user('system:kube-controller-manager')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('kube-scheduler', 800, 'workload-high', [{ subjects: [user('system:kube-scheduler')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('kube-system-service-accounts', 900, 'workload-high', [{ subjects: [sa('kube-system', '*')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('service-accounts', 9000, 'workload-low', [{ subjects: [group('system:serviceaccounts')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('global-default', 9900, 'global-default', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
  fs('catch-all', 10000, 'catch-all', [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_URLS] }]),
];

function plc(name: string, type: 'Exempt' | 'Limited'): KubeObject {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec: { type } };
}

export const BOOTSTRAP_PLCS: readonly KubeObject[] = [
  plc('exempt', 'Exempt'),
  ...['system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'catch-all'].map((n) => plc(n, 'Limited')),
];

/** The break-glass kit's FlowSchema (src/adapters/kubernetes/breakglass.ts on the k8starget branch): the break-glass identity's rollback calls. */
export function BREAK_GLASS_FLOW_SCHEMA(level: string): KubeObject {
  return fs('firebreak-breakglass', 50, level, [
    { subjects: [sa('firebreak-system', 'firebreak-breakglass')], resourceRules: [{ verbs: ['delete', 'get'], apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], namespaces: ['*'] }] },
  ]);
}
