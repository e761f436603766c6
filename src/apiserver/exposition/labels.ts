/**
 * How the twin's client classes and priority levels are labelled the way
 * kube-apiserver labels requests: the verb as the metrics report it
 * (upper case, a POST is `POST`), the scope, the API group of a resource and
 * the FlowSchema of Kubernetes' suggested configuration that sends to each
 * priority level.
 *
 * @example
 *   metricVerb('create'); // 'POST'
 *   metricScope('get', 'namespace'); // 'resource'
 */
import type { RequestClassSample } from '../../twin/index.ts';

/**
 * The verb label: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go
 * reports the HTTP-level verb in upper case (GET of a collection is LIST, of a watch WATCH; create is POST,
 * update PUT).
 */
export function metricVerb(verb: RequestClassSample['verb']): string {
  switch (verb) {
    case 'list':
      return 'LIST';
    case 'watch':
      return 'WATCH';
    case 'get':
      return 'GET';
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return 'PATCH';
    case 'delete':
      return 'DELETE';
  }
}

/**
 * The scope label, as metrics.go CleanScope: a named object or a create is `resource`, else a request in
 * a namespace is `namespace`, else `cluster` (a node-scoped list is a cluster-wide list with a field selector).
 */
export function metricScope(verb: RequestClassSample['verb'], scope: RequestClassSample['scope']): string {
  if (verb !== 'list' && verb !== 'watch') return 'resource';
  return scope === 'namespace' ? 'namespace' : 'cluster';
}

/** The HTTP code of a served request: 201 for a create, 200 otherwise. */
export function okCode(verb: RequestClassSample['verb']): string {
  return verb === 'create' ? '201' : '200';
}

const GROUPS: Readonly<Record<string, string>> = {
  leases: 'coordination.k8s.io',
  endpointslices: 'discovery.k8s.io',
  deployments: 'apps',
  daemonsets: 'apps',
  replicasets: 'apps',
  statefulsets: 'apps',
  jobs: 'batch',
  customresourcedefinitions: 'apiextensions.k8s.io',
};

/** API group of a resource the twin models ('' = core). */
export function groupOf(resource: string): string {
  return GROUPS[resource] ?? '';
}

/**
 * The FlowSchema of Kubernetes' suggested APF configuration whose priority level is `level`
 * (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go):
 * the twin keeps one flow schema per level.
 */
export function flowSchemaOf(level: string): string {
  switch (level) {
    case 'system':
      return 'system-nodes';
    case 'node-high':
      return 'system-node-high';
    case 'leader-election':
      return 'system-leader-election';
    case 'workload-high':
      return 'kube-controller-manager';
    case 'workload-low':
      return 'service-accounts';
    default:
      return level;
  }
}
