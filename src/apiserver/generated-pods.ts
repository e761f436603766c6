/**
 * The pods of a twin-served cluster, generated on demand: the cluster's
 * workload pods (the twin's pod count, spread over the nodes in turn, in
 * namespaces of `objects.podsPerNamespace` pods each: `workloads-<k>`), then
 * the change's agents while they run — a DaemonSet's on the nodes its
 * template selects, in node order, named `<daemonset>-<node number>`; a
 * Deployment's `<deployment>-<n>`. An agent pod carries its workload's pod
 * template labels (plus `pod-template-generation` for a DaemonSet's,
 * `pod-template-hash` for a Deployment's, as their controllers add them:
 * kubernetes/kubernetes pkg/controller/daemon/util/daemonset_util.go
 * CreatePodTemplate, pkg/controller/deployment/sync.go), an ownerReference to
 * its DaemonSet (by the stored object's uid) or ReplicaSet, and the
 * template's containers with their images. Every pod has
 * `status.containerStatuses` (running; ready as its node is; restartCount 0: the twin
 * models no container restarts). Nothing is held per pod.
 *
 * @example
 *   const pods = new GeneratedPods('prod-a', startMs);
 *   pods.object(0, layout);
 */
import type { KubeObject } from './backend.ts';

/** What a workload's generated pods take from it. */
export interface PodTemplateInfo {
  readonly uid: string;
  readonly generation: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly { readonly name: string; readonly image: string }[];
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The template labels, containers, uid and generation of a stored DaemonSet or Deployment. */
export function podTemplateInfo(workload: KubeObject): PodTemplateInfo {
  const md = rec(workload.metadata);
  const template = rec(rec(workload.spec).template);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(rec(template.metadata).labels))) if (typeof v === 'string') labels[k] = v;
  const spec = rec(template.spec);
  const containers = (Array.isArray(spec.containers) ? spec.containers.map(rec) : []).map((c) => ({ name: typeof c.name === 'string' ? c.name : 'agent', image: typeof c.image === 'string' ? c.image : '' }));
  return { uid: typeof md.uid === 'string' ? md.uid : '', generation: typeof md.generation === 'number' ? md.generation : 1, labels, containers };
}

/** What the pods are now: how many of each kind, and where the agents run. */
export interface PodLayout {
  readonly workloadPods: number;
  readonly podsPerNamespace: number;
  readonly nodes: number;
  nodeName(index: number): string;
  nodeReady(index: number): boolean;
  /** The change's agents running now (whole pods), and the change they belong to. */
  readonly agents: number;
  readonly change: { readonly name: string; readonly namespace: string; readonly kind: 'DaemonSet' | 'Deployment'; readonly template?: PodTemplateInfo } | undefined;
  /** The node of the k-th agent (a DaemonSet's: the k-th selected node). */
  agentNode(k: number): number;
}

export class GeneratedPods {
  readonly cluster: string;
  readonly #created: string;

  constructor(cluster: string, startMs: number) {
    this.cluster = cluster;
    this.#created = new Date(startMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  count(l: PodLayout): number {
    return l.workloadPods + (l.change === undefined ? 0 : l.agents);
  }

  /** Namespace and name of the i-th pod. */
  id(i: number, l: PodLayout): { namespace: string; name: string } {
    if (i < l.workloadPods) return { namespace: `workloads-${Math.floor(i / Math.max(1, l.podsPerNamespace)) + 1}`, name: `workload-${i + 1}` };
    const c = l.change as NonNullable<PodLayout['change']>;
    const k = i - l.workloadPods;
    return { namespace: c.namespace, name: c.kind === 'DaemonSet' ? `${c.name}-${l.agentNode(k) + 1}` : `${c.name}-${k + 1}` };
  }

  /** The index of a pod by namespace and name (-1: none). */
  indexOf(namespace: string, name: string, l: PodLayout, agentIndexOfNode: (node: number) => number): number {
    const w = /^workload-(\d+)$/.exec(name);
    if (w !== null) {
      const i = Number(w[1]) - 1;
      return i >= 0 && i < l.workloadPods && this.id(i, l).namespace === namespace ? i : -1;
    }
    const c = l.change;
    if (c === undefined || namespace !== c.namespace || !name.startsWith(`${c.name}-`)) return -1;
    const n = Number(name.slice(c.name.length + 1));
    if (!Number.isInteger(n) || n < 1) return -1;
    const k = c.kind === 'DaemonSet' ? agentIndexOfNode(n - 1) : n - 1;
    return k >= 0 && k < l.agents ? l.workloadPods + k : -1;
  }

  object(i: number, l: PodLayout): KubeObject {
    const { namespace, name } = this.id(i, l);
    const agent = i >= l.workloadPods;
    const node = agent ? l.agentNode(i - l.workloadPods) : i % Math.max(1, l.nodes);
    const ready = l.nodeReady(node);
    const c = agent ? l.change : undefined;
    const tpl = c?.template;
    const ds = c?.kind === 'DaemonSet';
    const owner =
      c !== undefined
        ? [{ apiVersion: 'apps/v1', kind: ds ? 'DaemonSet' : 'ReplicaSet', name: ds ? c.name : `${c.name}-twin`, uid: ds && tpl !== undefined && tpl.uid !== '' ? tpl.uid : `${this.cluster}-${c.namespace}-${c.name}`, controller: true, blockOwnerDeletion: true }]
        : undefined;
    const labels: Record<string, string> =
      c !== undefined
        ? { ...(tpl?.labels ?? { 'app.kubernetes.io/name': c.name }), ...(ds ? { 'pod-template-generation': String(tpl?.generation ?? 1) } : { 'pod-template-hash': 'twin' }) }
        : { app: `workload-${(i % 50) + 1}` };
    const containers = c !== undefined ? (tpl !== undefined && tpl.containers.length > 0 ? tpl.containers : [{ name: c.name, image: 'registry.example.com/agent:twin' }]) : [{ name: 'app', image: 'registry.example.com/app:twin' }];
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        uid: `${this.cluster}-pod-uid-${namespace}-${name}`,
        labels,
        creationTimestamp: this.#created,
        ...(owner !== undefined ? { ownerReferences: owner } : {}),
      },
      spec: { nodeName: l.nodeName(node), containers: containers.map((k) => ({ name: k.name, image: k.image })) },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        podIP: `10.${128 + ((node >> 8) & 127)}.${node & 255}.${(i % 250) + 2}`,
        startTime: this.#created,
        containerStatuses: containers.map((k) => ({
          name: k.name,
          image: k.image,
          imageID: '',
          ready,
          started: ready,
          restartCount: 0,
          state: { running: { startedAt: this.#created } },
        })),
      },
    };
  }
}
