/**
 * The ClusterBackend of a twin-served cluster (contract B's twin side): the
 * served Kubernetes API asks it, over the twin's public face only
 * (src/twin/index.ts TwinApi), how each request fares and what the cluster
 * holds.
 *
 * - admit: the request is classified by the cluster's FlowSchemas
 *   (flow-schemas.ts, Kubernetes' matching), its PriorityLevelConfiguration
 *   mapped to the twin's level (twin-levels.ts; a level the twin does not
 *   model carries the load at `global-default`, noted), admitted in its own
 *   APF flow against the twin's queues (apf-queues.ts: 429 queue-full or
 *   time-out), then `TwinApi.submit`: served → serve after its latency; 429 → reject with
 *   Retry-After; 504 → timeout; no API server reachable → refuse. With no
 *   FlowSchema stored, the twin's own reduced default matching decides
 *   (src/model/kubernetes.ts defaultPriorityLevel).
 * - nodes and pods are generated on demand (generated-nodes.ts,
 *   generated-pods.ts); only labels written on nodes are held.
 * - workloadWritten: a DaemonSet or Deployment becomes the cluster's change
 *   (src/analyzer/live-change.ts: the analyzer's derivation from the stored
 *   objects; when it cannot tell the calls, the RBAC worst case, noted), is
 *   installed (TwinApi.installChange) and applied to the share of nodes its
 *   nodeSelector and required node affinity select (node-selection.ts),
 *   re-evaluated when node labels change; deleted → remove-change via api.
 *   The twin runs one change per cluster: a second workload written while
 *   another is deployed is stored by the API but carries no load (noted).
 *   Node batches only widen (contract D): a narrower selection does not shrink
 *   the twin's change (its apply-change is cumulative).
 * - admitBreakGlass: a request to the cluster's dedicated break-glass API
 *   server (the scenario's `operators.breakGlass`): discovery, version and
 *   health, and what the FlowSchemas classify to the break-glass level; any
 *   other request does not reach it (refuse).
 * - workloadStatus: the installed workload's status from the twin's
 *   ChangeWorkload (workload-status.ts).
 * - guardedChanges: the workloads whose pod template carries the kill-switch
 *   guard (guard.ts), for the served twin's shell to poll their switch.
 *
 * @example
 *   const backend = new TwinBackend(twin, twin.indexOf('prod-a'));
 *   const a = backend.admit({ user, verb: 'list', apiGroup: '', resource: 'pods', objects: 150_000, bytes: 1.8e9 }, store);
 */
import type { Admission, ClusterBackend, KubeObject, ObjectReader, RequestInfo, UserInfo } from './backend.ts';
import { TwinError, type ChangeSpec, type TwinApi } from '../twin/index.ts';
import { defaultPriorityLevel, type Identity } from '../model/kubernetes.ts';
import { liveChange } from '../analyzer/live-change.ts';
import { classifyFlow, orderFlowSchemas } from './flow-schemas.ts';
import { admitInQueues } from './apf-queues.ts';
import { TWIN_BREAK_GLASS_LEVEL, twinLevel } from './twin-levels.ts';
import { GeneratedNodes } from './generated-nodes.ts';
import { GeneratedPods, podTemplateInfo, type PodLayout, type PodTemplateInfo } from './generated-pods.ts';
import { nodeSelection, type NodeSelection } from './node-selection.ts';
import { daemonSetStatus, deploymentStatus, wholePods } from './workload-status.ts';
import { guardOf, type GuardSettings } from './guard.ts';

const FLOWCONTROL = 'flowcontrol.apiserver.k8s.io';
const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** A workload whose pods carry the kill-switch guard. */
export interface GuardedChange extends GuardSettings {
  readonly cluster: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly namespace: string;
  readonly name: string;
}

/** The workload the twin runs as the cluster's change. */
interface Installed {
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly namespace: string;
  readonly name: string;
  readonly selection: NodeSelection;
  /** Its pod template's labels and containers, and its uid: what its generated pods carry. */
  readonly template: PodTemplateInfo;
  /** The share of nodes last applied (apply-change is cumulative). */
  applied: number;
  deleted: boolean;
}

/**
 * Seats of a request for the per-flow admission: 1, a LIST about one per 100 objects it covers,
 * 1..10 (APF's work estimator; ../shared/reference/kubernetes-control-plane.md).
 */
function seatsOf(r: RequestInfo): number {
  return r.verb === 'list' ? Math.min(10, Math.max(1, Math.ceil(r.objects / 100))) : 1;
}

/** The twin's reduced identity of a user (src/model/kubernetes.ts), for a cluster with no FlowSchema stored. */
function identityOf(u: UserInfo): Identity {
  const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(u.name);
  if (sa !== null) return { kind: 'service-account', namespace: sa[1] ?? '', name: sa[2] ?? '' };
  if (u.groups.includes('system:nodes')) return { kind: 'node' };
  if (u.name === 'system:kube-controller-manager' || u.name === 'system:kube-scheduler') return { kind: 'controller' };
  return { kind: 'user', name: u.name, groups: u.groups };
}

export class TwinBackend implements ClusterBackend {
  readonly name: string;
  readonly #twin: TwinApi;
  readonly #index: number;
  readonly #nodes: GeneratedNodes;
  readonly #pods: GeneratedPods;
  readonly #exemptLevel: string | undefined;
  readonly #notes: string[] = [];
  readonly #noted = new Set<string>();
  readonly #guards = new Map<string, GuardedChange>();
  #installed: Installed | undefined;
  /** Selected node indices of the installed DaemonSet, for the node count and label version it was computed at. */
  #selected: { nodes: number; version: number; indices: number[]; position: Map<number, number> } | undefined;
  #labelVersion = 0;

  constructor(twin: TwinApi, index: number) {
    const cluster = twin.clusters()[index];
    if (cluster === undefined) throw new Error(`no cluster at index ${index}`);
    this.#twin = twin;
    this.#index = index;
    this.name = cluster.name;
    this.#nodes = new GeneratedNodes(cluster.name, cluster.nodes, twin.scenario.startMs);
    this.#pods = new GeneratedPods(cluster.name, twin.scenario.startMs);
    this.#exemptLevel = twin.scenario.model.apf.levels.find((l) => l.exempt)?.name;
  }

  /** What the backend decided that a person should know (substituted levels, RBAC worst cases, a change it could not run), in order. */
  notes(): readonly string[] {
    return this.#notes;
  }

  /** The workloads whose pods carry the kill-switch guard now. */
  guardedChanges(): readonly GuardedChange[] {
    return [...this.#guards.values()];
  }

  #note(key: string, message: string): void {
    if (this.#noted.has(key)) return;
    this.#noted.add(key);
    this.#notes.push(message);
    this.#twin.log('operator', this.name, message);
  }

  // ---------------------------------------------------------------- requests

  /** The twin level a request lands in, by the stored FlowSchemas. */
  levelOf(request: RequestInfo, objects: ObjectReader): string {
    return this.#route(request, objects).level;
  }

  /** The request's twin level and, when FlowSchemas are stored, its APF flow (FlowSchema and distinguisher). */
  #route(request: RequestInfo, objects: ObjectReader): { level: string; flow?: { flowSchema: string; distinguisher: string } } {
    const levels = this.#twin.levelsAt(this.#index).map((l) => l.level);
    const flowSchemas = objects.list(FLOWCONTROL, 'flowschemas');
    if (flowSchemas.length === 0) return { level: defaultPriorityLevel(identityOf(request.user), request.resource) };
    const c = classifyFlow(request, orderFlowSchemas(flowSchemas));
    const plc = objects.get(FLOWCONTROL, 'prioritylevelconfigurations', undefined, c.priorityLevel);
    const m = twinLevel(c.priorityLevel, plc, levels, this.#exemptLevel);
    if (!m.modelled) this.#note(`level:${c.priorityLevel}`, `priority level ${c.priorityLevel} (FlowSchema ${c.flowSchema}) is not one the twin models: its requests load the twin's ${m.level} level`);
    return { level: m.level, flow: { flowSchema: c.flowSchema, distinguisher: c.distinguisher } };
  }

  admit(request: RequestInfo, objects: ObjectReader): Admission {
    const route = this.#route(request, objects);
    const level = route.level;
    if (route.flow !== undefined) {
      // The request's own flow first: its hand of queues against what the twin holds queued (apf-queues.ts).
      const q = this.#twin.apfQueuesAt(this.#index, level);
      const d = q === undefined ? undefined : admitInQueues(q, route.flow.flowSchema, route.flow.distinguisher, seatsOf(request), this.#twin.seed);
      if (d?.kind === 'reject') return { kind: 'reject', retryAfterS: d.retryAfterS, reason: d.reason, level, afterS: d.afterS };
    }
    return this.#submit(request, level);
  }

  #submit(request: RequestInfo, level: string): Admission {
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(request.user.name);
    const o = this.#twin.submit(this.#index, level, { objects: request.objects, bytes: request.bytes, write: WRITES.has(request.verb), ...(sa !== null ? { serviceAccount: `${sa[1] ?? ''}/${sa[2] ?? ''}` } : {}) });
    switch (o.status) {
      case 'served':
        return { kind: 'serve', latencyS: o.latencyS, level };
      case 'rejected':
        return { kind: 'reject', retryAfterS: o.retryAfterS, reason: o.reason, level };
      case 'timeout':
        return { kind: 'timeout', afterS: o.latencyS, reason: o.reason, level };
      case 'refused':
        return { kind: 'refuse', reason: o.reason };
    }
  }

  /** The scenario models a dedicated break-glass API server (`operators.breakGlass`): the twin has its dedicated level. */
  hasBreakGlassEndpoint(): boolean {
    return this.#twin.apfQueuesAt(this.#index, TWIN_BREAK_GLASS_LEVEL)?.dedicated === true;
  }

  /**
   * A request to the dedicated break-glass API server: a kube-apiserver of its own behind its own
   * address, so it answers whatever the ordinary replicas' state (it needs etcd). It serves the
   * non-resource requests clients make first (version, discovery, health) and the requests the
   * stored FlowSchemas classify to the break-glass level; any other request does not reach it —
   * the endpoint is for the break-glass identity only — and its connection is reset.
   */
  admitBreakGlass(request: RequestInfo, objects: ObjectReader): Admission {
    if (!this.hasBreakGlassEndpoint()) return { kind: 'refuse', reason: 'no break-glass API server in this cluster' };
    if (request.nonResource !== true && this.#route(request, objects).level !== TWIN_BREAK_GLASS_LEVEL)
      return { kind: 'refuse', reason: `the break-glass API server serves only requests classified to the ${TWIN_BREAK_GLASS_LEVEL} level (${request.user.name} ${request.verb} ${request.resource} is not)` };
    return this.#submit(request, TWIN_BREAK_GLASS_LEVEL);
  }

  accepting(): boolean {
    return this.#twin.readyRatioAt(this.#index) > 0;
  }

  // ---------------------------------------------------------------- nodes

  nodeCount(): number {
    return Math.max(0, Math.round(this.#twin.nodesAt(this.#index)));
  }

  node(index: number): KubeObject {
    return this.#nodes.object(index, this.#twin.metricAt(this.#index, 'nodes_not_ready_ratio'), new Date(this.#twin.clock.now()).toISOString());
  }

  nodeIndex(name: string): number {
    return this.#nodes.indexOf(name, this.nodeCount());
  }

  setNodeLabels(index: number, labels: Readonly<Record<string, string>>): void {
    this.#nodes.setLabels(index, labels);
    this.#labelVersion++;
    this.#applyInstalled();
  }

  /** The nodes the installed DaemonSet selects, in node order. */
  #selectedNodes(): { indices: number[]; position: Map<number, number> } {
    const n = this.nodeCount();
    const inst = this.#installed;
    if (this.#selected !== undefined && this.#selected.nodes === n && this.#selected.version === this.#labelVersion) return this.#selected;
    const indices: number[] = [];
    const position = new Map<number, number>();
    if (inst !== undefined) {
      for (let i = 0; i < n; i++) {
        if (inst.selection.all || inst.selection.matches(this.#nodes.name(i), this.#nodes.labels(i))) {
          position.set(i, indices.length);
          indices.push(i);
        }
      }
    }
    this.#selected = { nodes: n, version: this.#labelVersion, indices, position };
    return this.#selected;
  }

  // ---------------------------------------------------------------- pods

  #layout(): PodLayout {
    const inst = this.#installed;
    const change = this.#twin.changeAt(this.#index);
    const w = this.#twin.changeWorkload(this.name);
    const mine = inst !== undefined && change !== undefined && change.name === inst.name && change.namespace === inst.namespace;
    const sel = mine && inst.kind === 'DaemonSet' ? this.#selectedNodes() : undefined;
    const cap = sel !== undefined ? sel.indices.length : (change?.replicas ?? 0);
    const agents = mine ? Math.min(cap, wholePods(w?.running ?? 0)) : 0;
    const n = this.nodeCount();
    const notReady = this.#twin.metricAt(this.#index, 'nodes_not_ready_ratio');
    return {
      workloadPods: Math.round(this.#twin.podsAt(this.#index)),
      podsPerNamespace: this.#twin.scenario.model.objects.podsPerNamespace,
      nodes: n,
      nodeName: (i) => this.#nodes.name(i),
      nodeReady: (i) => this.#nodes.ready(i, notReady),
      agents,
      change: mine ? { name: inst.name, namespace: inst.namespace, kind: inst.kind, template: inst.template } : undefined,
      agentNode: (k) => (sel !== undefined ? (sel.indices[k] ?? 0) : k % Math.max(1, n)),
    };
  }

  podCount(): number {
    return this.#pods.count(this.#layout());
  }

  pod(index: number): KubeObject {
    return this.#pods.object(index, this.#layout());
  }

  podIndex(namespace: string, name: string): number {
    const l = this.#layout();
    return this.#pods.indexOf(namespace, name, l, (node) => this.#selectedNodes().position.get(node) ?? -1);
  }

  // ---------------------------------------------------------------- workloads

  workloadWritten(apiGroup: string, resource: string, namespace: string, name: string, object: KubeObject | null, objects: ObjectReader): void {
    if (apiGroup !== 'apps' || (resource !== 'daemonsets' && resource !== 'deployments')) return;
    const kind = resource === 'daemonsets' ? 'DaemonSet' : 'Deployment';
    const key = `${kind}/${namespace}/${name}`;
    const inst = this.#installed;
    const isInstalled = inst !== undefined && inst.kind === kind && inst.namespace === namespace && inst.name === name;
    if (object === null) {
      this.#guards.delete(key);
      if (isInstalled && !inst.deleted) {
        inst.deleted = true;
        this.#twin.act(this.name, { kind: 'remove-change', via: 'api' }, 'served API');
      }
      return;
    }
    const guard = guardOf(object, name);
    if (guard !== undefined) this.#guards.set(key, { ...guard, cluster: this.name, kind, namespace, name });
    else this.#guards.delete(key);
    const podSpec = ((object.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec) ?? {};
    if (isInstalled) {
      // The same workload again (an update, or re-created): the twin keeps its change; the selection may widen.
      this.#installed = { ...inst, selection: nodeSelection(podSpec), template: podTemplateInfo(object), deleted: false };
      this.#selected = undefined;
      this.#applyInstalled(inst.deleted);
      return;
    }
    const live = liveChange(object, kind, objects, this.#twin.scenario.model);
    if (!live.derived) this.#note(`worst-case:${key}`, `${key}: the analyzer cannot tell its API calls, so the twin runs the worst its RBAC allows (${live.why.join('; ') || 'no reason given'})`);
    const change: ChangeSpec = live.change;
    try {
      this.#twin.installChange(this.#index, change);
    } catch (e) {
      if (e instanceof TwinError) {
        this.#note(`not-run:${key}`, `${key} is stored but carries no load in the twin: ${e.message}`);
        return;
      }
      throw e;
    }
    this.#installed = { kind, namespace, name, selection: nodeSelection(podSpec), template: podTemplateInfo(object), applied: -1, deleted: false };
    this.#selected = undefined;
    this.#applyInstalled();
  }

  /** Applies the installed workload to the share of nodes it selects when that share grew (or it was re-created). */
  #applyInstalled(force = false): void {
    const inst = this.#installed;
    if (inst === undefined || inst.deleted) return;
    const n = this.nodeCount();
    const fraction = inst.kind === 'DaemonSet' ? (n > 0 ? this.#selectedNodes().indices.length / n : 0) : 1;
    if (!force && fraction <= inst.applied) return;
    inst.applied = fraction;
    this.#twin.act(this.name, { kind: 'apply-change', nodeFraction: fraction }, 'served API');
  }

  workloadStatus(object: KubeObject): KubeObject | undefined {
    const inst = this.#installed;
    const md = (object.metadata ?? {}) as { namespace?: unknown; name?: unknown };
    if (inst === undefined || object.kind !== inst.kind || md.namespace !== inst.namespace || md.name !== inst.name) return undefined;
    const w = this.#twin.changeWorkload(this.name);
    if (inst.kind === 'DaemonSet') return daemonSetStatus(object, inst.deleted ? 0 : this.#selectedNodes().indices.length, w);
    return deploymentStatus(object, w);
  }
}
