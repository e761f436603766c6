/**
 * A ClusterBackend over the twin's public face as it stands before issue
 * #11's TwinApi additions: each request is classified by the cluster's
 * FlowSchemas (classify.ts) and decided by `TwinApi.request` against the
 * cluster's state now (served with its latency, 429, 504 or refused) — but
 * it adds no load, and workloads written through the API do not become load
 * in the twin. Their pods are placed and reported ready at once. This is the
 * stand-in `twin serve` uses until src/apiserver/twin-backend.ts (branch
 * twinlive, contract A: submit, installChange) replaces it; it also serves
 * the machinery's tests.
 *
 * @example
 *   const backend = new RequestBackend(twin, 'prod-a', createdAt);
 */
import type { TwinApi } from '../twin/index.ts';
import type { Admission, ClusterBackend, KubeObject, ObjectReader, RequestInfo } from './backend.ts';
import { classify } from './classify.ts';
import { generatedNode, generatedPod, nodeIndexOf, nodeLabels, nodeName, type ClusterShape } from './generate.ts';
import { nodeMatcher, templateContainers, templateLabels } from './placement.ts';
import { text } from './json.ts';

interface Workload {
  readonly key: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly object: KubeObject;
  /** DaemonSet: the matched nodes' indexes; Deployment: the replicas' nodes. */
  nodes: number[];
}

/** The decision of a request, from the twin's RequestOutcome words (src/twin/cluster/request.ts). */
export function admissionOf(outcome: { readonly ok: boolean; readonly reason: string; readonly latencyS: number; readonly retryAfterS?: number }, level: string): Admission {
  if (outcome.ok) return { kind: 'serve', latencyS: outcome.latencyS, level };
  if (outcome.reason.startsWith('connection refused')) return { kind: 'refuse', reason: outcome.reason };
  if (outcome.reason.startsWith('504')) return { kind: 'timeout', afterS: outcome.latencyS, reason: outcome.reason, level };
  return { kind: 'reject', retryAfterS: outcome.retryAfterS !== undefined && outcome.retryAfterS > 0 ? outcome.retryAfterS : 1, reason: outcome.reason, level };
}

export class RequestBackend implements ClusterBackend {
  readonly name: string;
  readonly #twin: TwinApi;
  readonly #index: number;
  readonly #shape: ClusterShape;
  readonly #basePods: number;
  readonly #labels = new Map<number, Readonly<Record<string, string>>>();
  readonly #workloads = new Map<string, Workload>();
  #ordered: Workload[] = [];

  constructor(twin: TwinApi, cluster: string, createdAt: string) {
    this.#twin = twin;
    this.name = cluster;
    this.#index = twin.indexOf(cluster);
    const c = twin.clusters()[this.#index];
    if (c === undefined) throw new Error(`no cluster ${cluster} in the twin`);
    this.#shape = { cluster, nodes: c.nodes, createdAt };
    this.#basePods = c.pods;
  }

  admit(request: RequestInfo, objects: ObjectReader): Admission {
    const level = classify(objects, request);
    return admissionOf(this.#twin.request(this.name, level), level);
  }

  accepting(): boolean {
    return this.#twin.readyRatioAt(this.#index) > 0;
  }

  nodeCount(): number {
    return this.#shape.nodes;
  }

  #nodeLabels(i: number): Readonly<Record<string, string>> {
    return this.#labels.get(i) ?? nodeLabels(this.#shape, i);
  }

  node(index: number): KubeObject {
    return generatedNode(this.#shape, index, this.#nodeLabels(index), this.#twin.readyRatioAt(this.#index) > 0);
  }

  nodeIndex(name: string): number {
    return nodeIndexOf(this.#shape, name);
  }

  setNodeLabels(index: number, labels: Readonly<Record<string, string>>): void {
    this.#labels.set(index, { ...labels });
    for (const w of this.#ordered) this.#place(w);
  }

  podCount(): number {
    let n = this.#basePods;
    for (const w of this.#ordered) n += w.nodes.length;
    return n;
  }

  pod(index: number): KubeObject {
    if (index < this.#basePods) {
      const node = index % this.#shape.nodes;
      return generatedPod(this.#shape, { name: `${this.name}-pod-${String(index + 1).padStart(String(this.#basePods).length, '0')}`, namespace: 'default', nodeIndex: node, labels: { app: 'workload' }, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }], running: true }, index);
    }
    let i = index - this.#basePods;
    for (const w of this.#ordered) {
      if (i < w.nodes.length) {
        const node = w.nodes[i] ?? 0;
        const suffix = w.kind === 'DaemonSet' ? nodeName(this.#shape, node).slice(this.name.length + '-node-'.length) : String(i);
        return generatedPod(this.#shape, { name: `${w.name}-${suffix}`, namespace: w.namespace, nodeIndex: node, labels: templateLabels(w.object), containers: templateContainers(w.object), owner: { kind: w.kind, name: w.name, uid: w.uid }, running: true }, index);
      }
      i -= w.nodes.length;
    }
    throw new RangeError(`pod ${index} of ${this.podCount()}`);
  }

  podIndex(namespace: string, name: string): number {
    const prefix = `${this.name}-pod-`;
    if (namespace === 'default' && name.startsWith(prefix)) {
      const i = Number(name.slice(prefix.length)) - 1;
      if (Number.isInteger(i) && i >= 0 && i < this.#basePods && name.slice(prefix.length).length === String(this.#basePods).length) return i;
    }
    let base = this.#basePods;
    for (const w of this.#ordered) {
      if (w.namespace === namespace && name.startsWith(`${w.name}-`)) {
        const suffix = name.slice(w.name.length + 1);
        const at = w.kind === 'DaemonSet' ? w.nodes.indexOf(this.nodeIndex(`${this.name}-node-${suffix}`)) : /^\d+$/.test(suffix) ? Number(suffix) : -1;
        if (at >= 0 && at < w.nodes.length) return base + at;
      }
      base += w.nodes.length;
    }
    return -1;
  }

  #place(w: Workload): void {
    if (w.kind === 'DaemonSet') {
      const match = nodeMatcher(w.object);
      const nodes: number[] = [];
      for (let i = 0; i < this.#shape.nodes; i++) if (match(this.#nodeLabels(i))) nodes.push(i);
      w.nodes = nodes;
    } else {
      const spec = w.object['spec'] as Record<string, unknown> | undefined;
      const replicas = typeof spec?.['replicas'] === 'number' ? spec['replicas'] : 1;
      w.nodes = Array.from({ length: Math.max(0, replicas) }, (_, i) => i % this.#shape.nodes);
    }
  }

  workloadWritten(apiGroup: string, resource: string, namespace: string, name: string, object: KubeObject | null): void {
    const key = `${apiGroup}/${resource}/${namespace}/${name}`;
    if (object === null) this.#workloads.delete(key);
    else {
      const meta = object['metadata'] as Record<string, unknown> | undefined;
      const w: Workload = { key, kind: resource === 'daemonsets' ? 'DaemonSet' : 'Deployment', namespace, name, uid: text(meta?.['uid']), object, nodes: [] };
      this.#place(w);
      this.#workloads.set(key, w);
    }
    this.#ordered = [...this.#workloads.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  workloadStatus(object: KubeObject): KubeObject | undefined {
    const meta = object['metadata'] as Record<string, unknown> | undefined;
    const key = `apps/${object['kind'] === 'DaemonSet' ? 'daemonsets' : 'deployments'}/${text(meta?.['namespace'])}/${text(meta?.['name'])}`;
    const w = this.#workloads.get(key);
    if (w === undefined) return undefined;
    const n = w.nodes.length;
    const generation = meta?.['generation'] ?? 1;
    if (w.kind === 'DaemonSet') return { currentNumberScheduled: n, desiredNumberScheduled: n, numberMisscheduled: 0, numberReady: n, numberAvailable: n, updatedNumberScheduled: n, observedGeneration: generation };
    return { observedGeneration: generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }] };
  }
}
