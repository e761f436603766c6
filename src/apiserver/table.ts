/**
 * Server-side printing: LIST and GET answered as a `Table`
 * (meta.k8s.io/v1) when the client asks for one (`Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get` sends),
 * with the columns kube-apiserver's printers give (k8s.io/kubernetes
 * pkg/printers/internalversion/printers.go) for nodes, pods, daemonsets,
 * deployments, namespaces, services, flowschemas and
 * prioritylevelconfigurations; every other resource gets Name and Age.
 * Ages are k8s.io/apimachinery/pkg/util/duration HumanDuration of the
 * served cluster's virtual time.
 *
 * @example
 *   const t = toTable(resourceFor('', 'nodes')!, nodes, { nowMs, includeObject: 'Metadata', resourceVersion: '42' });
 */
import type { KubeObject } from './backend.ts';
import type { ResourceDef } from './resources.ts';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
  readonly description: string;
  readonly cell: (o: KubeObject, nowMs: number) => unknown;
}

/** The Accept header asks for a Table. */
export function wantsTable(accept: string): boolean {
  return accept.split(',').some((p) => {
    const s = p.replace(/\s+/g, '');
    return s.includes('as=Table') && s.includes('g=meta.k8s.io');
  });
}

/** k8s.io/apimachinery/pkg/util/duration HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const days = Math.floor(h / 24);
    return `${Math.floor(days / 365)}y${days % 365}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

function at(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const str = (v: unknown, dflt = '<none>'): string => (typeof v === 'string' && v !== '' ? v : dflt);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function age(o: KubeObject, nowMs: number): string {
  const c = at(o, 'metadata', 'creationTimestamp');
  return typeof c === 'string' ? humanDuration(nowMs - Date.parse(c)) : '<unknown>';
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', cell: (o) => str(at(o, 'metadata', 'name'), '') };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: age };

function containers(o: KubeObject): Record<string, unknown>[] {
  const c = at(o, 'spec', 'template', 'spec', 'containers');
  return Array.isArray(c) ? (c as Record<string, unknown>[]) : [];
}

function selectorString(sel: unknown): string {
  const ml = at(sel, 'matchLabels');
  if (ml === null || typeof ml !== 'object') return '<none>';
  const parts = Object.entries(ml as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function mapString(m: unknown): string {
  if (m === null || typeof m !== 'object') return '<none>';
  const parts = Object.entries(m as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function nodeStatus(o: KubeObject): string {
  const conds = at(o, 'status', 'conditions');
  const ready = Array.isArray(conds) ? (conds as Record<string, unknown>[]).find((c) => c['type'] === 'Ready') : undefined;
  let s = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady';
  if (at(o, 'spec', 'unschedulable') === true) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: KubeObject): string {
  const labels = at(o, 'metadata', 'labels');
  if (labels === null || typeof labels !== 'object') return '<none>';
  const roles = Object.keys(labels).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length === 0 ? '<none>' : roles.sort().join(',');
}

function address(o: KubeObject, type: string): string {
  const a = at(o, 'status', 'addresses');
  const f = Array.isArray(a) ? (a as Record<string, unknown>[]).find((x) => x['type'] === type) : undefined;
  return str(f?.['address']);
}

function podReady(o: KubeObject): string {
  const cs = at(o, 'status', 'containerStatuses');
  const list = Array.isArray(cs) ? (cs as Record<string, unknown>[]) : [];
  const total = Array.isArray(at(o, 'spec', 'containers')) ? (at(o, 'spec', 'containers') as unknown[]).length : list.length;
  if (list.length === 0) {
    // No container statuses (the twin's generated pods): the pod's Ready condition stands for all its containers.
    const conds = at(o, 'status', 'conditions');
    const ready = Array.isArray(conds) && (conds as Record<string, unknown>[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
    return `${ready ? total : 0}/${total}`;
  }
  return `${list.filter((c) => c['ready'] === true).length}/${total}`;
}

function podRestarts(o: KubeObject): string {
  const cs = at(o, 'status', 'containerStatuses');
  const list = Array.isArray(cs) ? (cs as Record<string, unknown>[]) : [];
  return String(list.reduce((s, c) => s + num(c['restartCount']), 0));
}

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  '/nodes': [
    NAME,
    { name: 'Status', type: 'string', description: 'The status of the node', cell: nodeStatus },
    { name: 'Roles', type: 'string', description: 'The roles of the node', cell: nodeRoles },
    AGE,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', cell: (o) => str(at(o, 'status', 'nodeInfo', 'kubeletVersion'), '') },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'List of internal IPs.', cell: (o) => address(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: 'List of external IPs.', cell: (o) => address(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node.', cell: (o) => str(at(o, 'status', 'nodeInfo', 'osImage')) },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: 'Kernel Version reported by the node.', cell: (o) => str(at(o, 'status', 'nodeInfo', 'kernelVersion')) },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'Container Runtime Version reported by the node.', cell: (o) => str(at(o, 'status', 'nodeInfo', 'containerRuntimeVersion')) },
  ],
  '/pods': [
    NAME,
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: podReady },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (o) => str(at(o, 'status', 'phase'), 'Unknown') },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', cell: podRestarts },
    AGE,
    { name: 'IP', type: 'string', priority: 1, description: 'The IP address assigned to the pod.', cell: (o) => str(at(o, 'status', 'podIP')) },
    { name: 'Node', type: 'string', priority: 1, description: 'Name of the Node this pod runs on.', cell: (o) => str(at(o, 'spec', 'nodeName')) },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'Nominated node.', cell: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'Readiness gates.', cell: () => '<none>' },
  ],
  'apps/daemonsets': [
    NAME,
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod.', cell: (o) => num(at(o, 'status', 'desiredNumberScheduled')) },
    { name: 'Current', type: 'integer', description: 'The number of nodes running at least one daemon pod.', cell: (o) => num(at(o, 'status', 'currentNumberScheduled')) },
    { name: 'Ready', type: 'integer', description: 'The number of nodes running the daemon pod ready.', cell: (o) => num(at(o, 'status', 'numberReady')) },
    { name: 'Up-to-date', type: 'integer', description: 'The number of nodes running the updated daemon pod.', cell: (o) => num(at(o, 'status', 'updatedNumberScheduled')) },
    { name: 'Available', type: 'integer', description: 'The number of nodes running the daemon pod available.', cell: (o) => num(at(o, 'status', 'numberAvailable')) },
    { name: 'Node Selector', type: 'string', description: 'NodeSelector of the pod template.', cell: (o) => mapString(at(o, 'spec', 'template', 'spec', 'nodeSelector')) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (o) => containers(o).map((c) => str(c['name'], '')).join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (o) => containers(o).map((c) => str(c['image'], '')).join(',') },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (o) => selectorString(at(o, 'spec', 'selector')) },
  ],
  'apps/deployments': [
    NAME,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (o) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}` },
    { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (o) => num(at(o, 'status', 'updatedReplicas')) },
    { name: 'Available', type: 'string', description: 'Total number of available pods targeted by this deployment.', cell: (o) => num(at(o, 'status', 'availableReplicas')) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (o) => containers(o).map((c) => str(c['name'], '')).join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (o) => containers(o).map((c) => str(c['image'], '')).join(',') },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (o) => selectorString(at(o, 'spec', 'selector')) },
  ],
  '/namespaces': [NAME, { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (o) => str(at(o, 'status', 'phase'), 'Active') }, AGE],
  '/services': [
    NAME,
    { name: 'Type', type: 'string', description: 'The type of the service.', cell: (o) => str(at(o, 'spec', 'type'), 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', description: 'The cluster IP of the service.', cell: (o) => str(at(o, 'spec', 'clusterIP')) },
    { name: 'External-IP', type: 'string', description: 'The external IP of the service.', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'The ports of the service.',
      cell: (o) => {
        const ps = at(o, 'spec', 'ports');
        return Array.isArray(ps) && ps.length > 0 ? (ps as Record<string, unknown>[]).map((p) => `${num(p['port'])}/${str(p['protocol'], 'TCP')}`).join(',') : '<none>';
      },
    },
    AGE,
  ],
  'flowcontrol.apiserver.k8s.io/flowschemas': [
    NAME,
    { name: 'PriorityLevel', type: 'string', description: 'The priority level this flow schema maps to.', cell: (o) => str(at(o, 'spec', 'priorityLevelConfiguration', 'name')) },
    { name: 'MatchingPrecedence', type: 'string', description: 'Matching precedence.', cell: (o) => String(num(at(o, 'spec', 'matchingPrecedence'))) },
    { name: 'DistinguisherMethod', type: 'string', description: 'Distinguisher method.', cell: (o) => str(at(o, 'spec', 'distinguisherMethod', 'type')) },
    AGE,
    { name: 'MissingPL', type: 'string', description: 'Whether the priority level is missing.', cell: (o) => str(at(o, 'status', 'missingPL'), 'False') },
  ],
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': [
    NAME,
    { name: 'Type', type: 'string', description: 'Limited or Exempt.', cell: (o) => str(at(o, 'spec', 'type')) },
    { name: 'NominalConcurrencyShares', type: 'string', description: 'Nominal concurrency shares.', cell: (o) => (at(o, 'spec', 'type') === 'Exempt' ? '<none>' : String(num(at(o, 'spec', 'limited', 'nominalConcurrencyShares')))) },
    { name: 'Queues', type: 'string', description: 'Queues.', cell: (o) => { const v = at(o, 'spec', 'limited', 'limitResponse', 'queuing', 'queues'); return typeof v === 'number' ? String(v) : '<none>'; } },
    { name: 'HandSize', type: 'string', description: 'Hand size.', cell: (o) => { const v = at(o, 'spec', 'limited', 'limitResponse', 'queuing', 'handSize'); return typeof v === 'number' ? String(v) : '<none>'; } },
    { name: 'QueueLengthLimit', type: 'string', description: 'Queue length limit.', cell: (o) => { const v = at(o, 'spec', 'limited', 'limitResponse', 'queuing', 'queueLengthLimit'); return typeof v === 'number' ? String(v) : '<none>'; } },
    AGE,
  ],
};

export interface TableOptions {
  readonly nowMs: number;
  readonly includeObject: string;
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remaining?: number;
}

function partialMetadata(o: KubeObject): KubeObject {
  const m = { ...(o['metadata'] as Record<string, unknown>) };
  delete m['managedFields'];
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m };
}

export function toTable(r: ResourceDef, objects: Iterable<KubeObject>, opts: TableOptions): KubeObject {
  const cols = COLUMNS[`${r.group}/${r.plural}`] ?? [NAME, AGE];
  const rows: KubeObject[] = [];
  for (const o of objects) {
    const row: KubeObject = { cells: cols.map((c) => c.cell(o, opts.nowMs)) };
    if (opts.includeObject === 'Object') row['object'] = o;
    else if (opts.includeObject !== 'None') row['object'] = partialMetadata(o);
    rows.push(row);
  }
  const metadata: Record<string, unknown> = { resourceVersion: opts.resourceVersion };
  if (opts.continueToken !== undefined) metadata['continue'] = opts.continueToken;
  if (opts.remaining !== undefined) metadata['remainingItemCount'] = opts.remaining;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
    rows,
  };
}
