/**
 * How a node-scoped call (`scope: node`, a field selector `<field>=$NODE` with
 * its own node's name) narrows what the API server reads, by field and type.
 * The twin and the analyzer cost every call through cost.ts, which asks this.
 *
 * - `metadata.name=$NODE` (`name`): a single object. The generic registry
 *   turns a selector that matches a single name into a non-recursive read of
 *   that one key, for LIST and WATCH alike (kubernetes
 *   staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
 *   `ListPredicate` and `WatchPredicate`: `if name, ok := p.MatchesSingle()`
 *   … `storageOpts.Recursive = false`), which the watch cache serves as one
 *   key (staging/src/k8s.io/apiserver/pkg/storage/cacher) and etcd as one
 *   key; the APF work estimator gives it one seat
 *   (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/list_work_estimator.go:
 *   "Requests with metadata.name specified are usually executed as get
 *   requests in storage layer so their width should be 1").
 * - `spec.nodeName=$NODE` on pods (`index`): the watch cache keeps an index of
 *   pods by node and dispatches a pod's events only to the watchers of its
 *   node (kubernetes pkg/registry/core/pod/strategy.go: `IndexFields:
 *   []string{"spec.nodeName"}`, `NodeNameTriggerFunc`, `NodeNameIndexFunc`;
 *   pkg/registry/core/pod/storage/storage.go passes them to the cacher as
 *   `Indexers` and `TriggerFunc`). A list from the cache reads only the
 *   node's pods; a consistent list from etcd still reads every pod (etcd has
 *   no field index). Pods are the only modelled type with such an index.
 * - any other field (`filter`): the node's share of the objects is returned,
 *   but the server scans every object of the type (cache or etcd) and
 *   filters.
 * A call that names no field uses its type's own node field
 * (ResourceStats.nodeScope: pods by `spec.nodeName`, nodes by
 * `metadata.name`, a type with no per-node subset costs a cluster-wide call).
 *
 * @example
 *   nodeScopeOf({ ...profile, scope: 'node', nodeField: 'metadata.name' }, nodes); // 'name'
 *   nodeScopeOf({ ...profile, scope: 'node', nodeField: 'spec.nodeName' }, secrets); // 'filter'
 */
import type { CallProfile, NodeScope, ResourceStats } from './profile.ts';

/** The field a node agent names its own object by. */
export const OBJECT_NAME_FIELD = 'metadata.name';
/** The field pods name their node by (the watch cache's pod index). */
export const NODE_NAME_FIELD = 'spec.nodeName';

/** How a call of scope `node` narrows type `r`; `none` for a call of another scope. */
export function nodeScopeOf(p: CallProfile, r: ResourceStats): NodeScope {
  if (p.scope !== 'node') return 'none';
  const field = p.nodeField;
  if (field === undefined) return r.nodeScope;
  if (field === OBJECT_NAME_FIELD) return 'name';
  if (field === NODE_NAME_FIELD && r.nodeScope === 'index') return 'index';
  return 'filter';
}
