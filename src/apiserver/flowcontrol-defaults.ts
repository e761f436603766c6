/**
 * The FlowSchemas and PriorityLevelConfigurations a kube-apiserver
 * bootstraps (flowcontrol.apiserver.k8s.io/v1), copied from
 * kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go
 * (mandatory: exempt, catch-all; suggested: system, node-high, leader-election,
 * workload-high, workload-low, global-default) — the shares, lendable percents
 * and queuing figures as tabled in ../shared/reference/kubernetes-control-plane.md
 * ("Default priority levels") and the schemas' precedences as listed there
 * ("Default FlowSchemas").
 *
 * @example
 *   DEFAULT_FLOW_SCHEMAS.find((f) => f.metadata.name === 'service-accounts')?.spec.matchingPrecedence;   // 9000
 */

const AUTO = { 'apf.kubernetes.io/autoupdate-spec': 'true' };

function plc(name: string, shares: number, lendablePercent: number, queuing: { queues: number; handSize: number; queueLengthLimit: number } | 'reject') {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: AUTO },
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: shares,
        lendablePercent,
        limitResponse: queuing === 'reject' ? { type: 'Reject' } : { type: 'Queue', queuing },
      },
    },
  };
}

const q = (queues: number, handSize: number): { queues: number; handSize: number; queueLengthLimit: number } => ({ queues, handSize, queueLengthLimit: 50 });

export const DEFAULT_PRIORITY_LEVELS = [
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'exempt', annotations: AUTO }, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  plc('system', 30, 33, q(64, 6)),
  plc('node-high', 40, 25, q(64, 6)),
  plc('leader-election', 10, 0, q(16, 4)),
  plc('workload-high', 40, 50, q(128, 6)),
  plc('workload-low', 100, 90, q(128, 6)),
  plc('global-default', 20, 50, q(128, 6)),
  plc('catch-all', 5, 0, 'reject'),
];

type Subject = Record<string, unknown>;
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemSA = (name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } });

const ALL_RESOURCES = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }];
const ALL_NON_RESOURCES = [{ verbs: ['*'], nonResourceURLs: ['*'] }];

function fs(name: string, level: string, precedence: number, distinguisher: 'ByUser' | 'ByNamespace' | null, rules: readonly Record<string, unknown>[]) {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name, annotations: AUTO },
    spec: {
      priorityLevelConfiguration: { name: level },
      matchingPrecedence: precedence,
      ...(distinguisher === null ? {} : { distinguisherMethod: { type: distinguisher } }),
      rules,
    },
  };
}

const all = (subjects: readonly Subject[]): Record<string, unknown>[] => [{ subjects, resourceRules: ALL_RESOURCES, nonResourceRules: ALL_NON_RESOURCES }];

export const DEFAULT_FLOW_SCHEMAS = [
  fs('exempt', 'exempt', 1, null, all([group('system:masters')])),
  fs('probes', 'exempt', 2, null, [{ subjects: [group('system:unauthenticated'), group('system:authenticated')], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }]),
  fs('system-leader-election', 'leader-election', 100, 'ByUser', [
    {
      subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler'), kubeSystemSA('*')],
      resourceRules: [
        { verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
      ],
    },
  ]),
  fs('endpoint-controller', 'workload-high', 150, 'ByUser', [
    {
      subjects: [user('system:kube-controller-manager'), kubeSystemSA('endpoint-controller'), kubeSystemSA('endpointslicemirroring-controller')],
      resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: ['*'] }],
    },
  ]),
  fs('workload-leader-election', 'leader-election', 200, 'ByUser', [
    {
      subjects: [kubeSystemSA('*')],
      resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }],
    },
  ]),
  fs('system-node-high', 'node-high', 400, 'ByUser', [
    {
      subjects: [group('system:nodes')],
      resourceRules: [
        { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true },
        { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
      ],
    },
  ]),
  fs('system-nodes', 'system', 500, 'ByUser', all([group('system:nodes')])),
  fs('kube-controller-manager', 'workload-high', 800, 'ByNamespace', all([user('system:kube-controller-manager')])),
  fs('kube-scheduler', 'workload-high', 800, 'ByNamespace', all([user('system:kube-scheduler')])),
  fs('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', all([kubeSystemSA('*')])),
  fs('service-accounts', 'workload-low', 9000, 'ByUser', all([group('system:serviceaccounts')])),
  fs('global-default', 'global-default', 9900, 'ByUser', all([group('system:unauthenticated'), group('system:authenticated')])),
  fs('catch-all', 'catch-all', 10000, 'ByUser', all([group('system:unauthenticated'), group('system:authenticated')])),
];
