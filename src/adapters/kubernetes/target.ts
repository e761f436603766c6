/**
 * Kubernetes clusters as a rollout target (src/orchestrator/ports.ts),
 * through their API with @kubernetes/client-node (api-client.ts):
 *
 * - `apply`: server-side apply (field manager `firebreak`) of the change's
 *   manifests — the objects besides the workload on the first batch, then
 *   the workload — each annotated with the command id
 *   (`rollout.firebreak.dev/command`, contracts D). A DaemonSet's batch is
 *   the nodes labelled `rollout.firebreak.dev/<change>=enabled`: its pod
 *   template gets that `nodeSelector` merged into its own, and the nodes are
 *   labelled in the background within the API budget (node-labeller.ts); at
 *   the last batch (100 %) the selector is dropped instead of labelling
 *   every node (one request, not one per node). When the plan enables the
 *   kill switch, the guard sidecar is injected into the pod template
 *   (src/killswitch injectGuard, contracts E) and `killSwitch` flips the
 *   switch through the kill switch's client.
 * - Idempotent across processes: before acting, the workload is read; if it
 *   already carries this command id, nothing is applied again
 *   (`alreadyDone`) — a resumed orchestrator repeating a command whose
 *   result it did not record never applies it twice. Within a process,
 *   repeated ids return the first outcome.
 * - `remove`: deletes the workload (propagation Background) as the
 *   request's identity — the break-glass one may delete exactly the change's
 *   workloads (docs/breakglass.md). Node labels and the other objects are
 *   cleaned up afterwards, within the budget (`cleanUp`).
 * - `status`: the workload's status (DaemonSet desiredNumberScheduled /
 *   numberReady; Deployment replicas / readyReplicas).
 * - Failures (unreachable, 401, 403, 429 with Retry-After, timeouts) come
 *   back as outcomes with a reason in words (failure.ts), never thrown.
 *
 * @example
 *   const target = new KubernetesTarget({ change, clusters, time, budget, seed: 1 });
 *   await target.apply({ commandId: 'apply:prod-a:0:1', cluster: 'prod-a', batch: 0, nodes: 1, nodeFraction: 0.0002, identity });
 */
import type { ApplyRequest, ChangeStatus, Identity, KillSwitchRequest, RemoveRequest, RolloutTarget, TargetOutcome } from '../../orchestrator/ports.ts';
import { injectGuard, type GuardInjection } from '../../killswitch/index.ts';
import { ApiClient, type ClientIdentity, type ObjectRefBody } from './api-client.ts';
import { Backoff, TokenBucket, type BackoffPolicy, type LiveTime } from './budget.ts';
import { failureOf } from './failure.ts';
import { NodeLabeller, type LabelReport } from './node-labeller.ts';
import { batchLabel, COMMAND_ANNOTATION, LABEL_VALUE, NODES_ANNOTATION } from './node-batches.ts';

/** One cluster as the target reaches it (src/input/kubeconfig.ts resolves it from the fleet). */
export interface ClusterConnection {
  readonly cluster: string;
  readonly kubeconfig: string;
  readonly context: string;
  readonly ordinary: ClientIdentity;
  readonly breakGlass?: ClientIdentity;
}

export type Manifest = Readonly<Record<string, unknown>> & ObjectRefBody;

export interface KubernetesTargetOptions {
  readonly change: { readonly name: string; readonly kind: 'DaemonSet' | 'Deployment'; readonly namespace: string };
  /** Every manifest of the change, the workload among them. */
  readonly manifests: readonly Manifest[];
  readonly clusters: readonly ClusterConnection[];
  readonly time: LiveTime;
  /** The plan's budget: requests per second and burst per cluster and identity, and the backoff. */
  readonly budget: { readonly qps: number; readonly burst: number } & BackoffPolicy;
  readonly seed: number;
  /** Deadline of one request, wall milliseconds. */
  readonly timeoutMs: number;
  /** Most label patches a clean-up sends per cluster. */
  readonly cleanupCap: number;
  /** When the plan enables the kill switch: the guard sidecar injected into the workload's pod template at apply (contracts E, src/killswitch injectGuard). */
  readonly guard?: Omit<GuardInjection, 'change' | 'cluster'>;
  /** Flips the out-of-band kill switch (contracts E); without one the kill switch fails, saying so. */
  readonly killSwitch?: (req: KillSwitchRequest) => Promise<TargetOutcome>;
}

interface ClusterHandle {
  readonly ordinary: ApiClient;
  readonly breakGlass: ApiClient | undefined;
  readonly labeller: NodeLabeller;
  readonly bucket: TokenBucket;
}

/** What the clean-up of one cluster left. */
export interface CleanupReport extends LabelReport {
  readonly cluster: string;
  /** Objects of the change (besides the workload) deleted, and those that could not be. */
  readonly objectsDeleted: number;
  readonly objectsLeft: readonly string[];
}

function deepCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function annotationOf(object: unknown, key: string): string | undefined {
  const value = record(record(record(object).metadata).annotations)[key];
  return typeof value === 'string' ? value : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export class KubernetesTarget implements RolloutTarget {
  readonly name = 'kubernetes';
  readonly #o: KubernetesTargetOptions;
  readonly #clusters = new Map<string, ClusterHandle>();
  readonly #done = new Map<string, TargetOutcome>();
  /** Clusters whose change is being removed: their labels are never widened again. */
  readonly #removing = new Set<string>();
  readonly #workload: Manifest;
  readonly #others: readonly Manifest[];

  constructor(o: KubernetesTargetOptions) {
    this.#o = o;
    const workload = o.manifests.find((m) => m.kind === o.change.kind && m.metadata.name === o.change.name);
    if (workload === undefined) throw new Error(`the manifests hold no ${o.change.kind} ${o.change.name}`);
    this.#workload = workload;
    this.#others = o.manifests.filter((m) => m !== workload);
    for (const c of o.clusters) {
      const options = (bucket: TokenBucket): { bucket: TokenBucket; timeoutMs: number } => ({ bucket, timeoutMs: o.timeoutMs });
      const bucket = new TokenBucket(o.budget, o.time);
      const ordinary = ApiClient.fromKubeconfig(c.kubeconfig, c.ordinary.context ?? c.context, c.ordinary, options(bucket));
      // The break-glass identity has a budget of its own: it must never wait behind the ordinary one's work; and,
      // when the fleet names its context, a server of its own (a dedicated break-glass API server).
      const breakGlass = c.breakGlass === undefined ? undefined : ApiClient.fromKubeconfig(c.kubeconfig, c.breakGlass.context ?? c.context, c.breakGlass, options(new TokenBucket(o.budget, o.time)));
      const labeller = new NodeLabeller(ordinary, o.change.name, o.time, bucket, new Backoff(o.budget, o.seed, `labels:${c.cluster}`), { cap: o.cleanupCap, maxFailures: 5, pageSize: 500 });
      this.#clusters.set(c.cluster, { ordinary, breakGlass, labeller, bucket });
    }
  }

  /** Requests sent to each cluster by either identity (for the orchestrator's API share). */
  requestsSent(): ReadonlyMap<string, number> {
    return new Map([...this.#clusters].map(([name, h]) => [name, h.ordinary.sent + (h.breakGlass?.sent ?? 0)]));
  }

  #handle(cluster: string): ClusterHandle | undefined {
    return this.#clusters.get(cluster);
  }

  #client(h: ClusterHandle, identity: Identity): ApiClient | undefined {
    return identity.breakGlass ? h.breakGlass : h.ordinary;
  }

  async #once(id: string, run: () => Promise<TargetOutcome>): Promise<TargetOutcome> {
    const prior = this.#done.get(id);
    if (prior !== undefined) return { ...prior, alreadyDone: true };
    const out = await run();
    // Only a success is remembered: a failed command id is never repeated by the core (a retry has a new id).
    this.#done.set(id, out);
    return out;
  }

  #fail(e: unknown, who: string, what: string, startedAt: number): TargetOutcome {
    const failure = failureOf(e, who, what);
    return { ok: false, reason: failure.reason, latencyS: (this.#o.time.now() - startedAt) / 1000, ...(failure.retryAfterS !== undefined ? { retryAfterS: failure.retryAfterS } : {}) };
  }

  #ref(m: Manifest): { apiVersion: string; kind: string; name: string; namespace?: string } {
    return { apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name, ...(m.metadata.namespace !== undefined ? { namespace: m.metadata.namespace } : {}) };
  }

  /** The workload as applied for a batch: annotated, constrained to the batch label (DaemonSet, not the last batch), guarded. */
  workloadFor(req: Pick<ApplyRequest, 'commandId' | 'nodes' | 'nodeFraction' | 'cluster'>): Manifest {
    const body = deepCopy<Manifest & { metadata: Record<string, unknown>; spec?: Record<string, unknown> }>(this.#workload);
    body.metadata.annotations = { ...record(body.metadata.annotations), [COMMAND_ANNOTATION]: req.commandId, [NODES_ANNOTATION]: String(req.nodes) };
    if (this.#o.change.kind === 'DaemonSet' && req.nodeFraction < 1) {
      const spec = record(body.spec);
      const template = record(spec.template);
      const podSpec = record(template.spec);
      podSpec.nodeSelector = { ...record(podSpec.nodeSelector), [batchLabel(this.#o.change.name)]: LABEL_VALUE };
      template.spec = podSpec;
      spec.template = template;
      body.spec = spec;
    }
    const guard = this.#o.guard;
    if (guard !== undefined) {
      const spec = record(body.spec);
      spec.template = injectGuard(record(spec.template), { ...guard, change: this.#o.change.name, cluster: req.cluster });
      body.spec = spec;
    }
    return body;
  }

  apply(req: ApplyRequest): Promise<TargetOutcome> {
    return this.#once(req.commandId, async () => {
      const started = this.#o.time.now();
      const h = this.#handle(req.cluster);
      const api = h === undefined ? undefined : this.#client(h, req.identity);
      if (h === undefined || api === undefined) return { ok: false, reason: `no connection to cluster ${req.cluster} (it is not in the fleet file any more)`, latencyS: 0 };
      let step = `read ${this.#o.change.kind} ${this.#o.change.namespace}/${this.#o.change.name}`;
      try {
        const current = await api.read(this.#ref(this.#workload));
        const daemonSet = this.#o.change.kind === 'DaemonSet' && req.nodeFraction < 1;
        if (current !== undefined && annotationOf(current, COMMAND_ANNOTATION) === req.commandId) {
          if (daemonSet) h.labeller.widen(req.nodes);
          return { ok: true, reason: `already applied by ${req.commandId} (found on the object)`, latencyS: (this.#o.time.now() - started) / 1000, alreadyDone: true };
        }
        if (current === undefined || req.batch === 0) {
          for (const m of this.#others) {
            step = `apply ${m.kind} ${m.metadata.namespace !== undefined ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
            const body = deepCopy<Manifest & { metadata: Record<string, unknown> }>(m);
            body.metadata.annotations = { ...record(body.metadata.annotations), [COMMAND_ANNOTATION]: req.commandId };
            await api.apply(body);
          }
        }
        step = `apply ${this.#o.change.kind} ${this.#o.change.namespace}/${this.#o.change.name}`;
        await api.apply(this.workloadFor(req));
        if (daemonSet) h.labeller.widen(req.nodes);
        return { ok: true, reason: daemonSet ? `applied; labelling ${req.nodes} node(s)` : 'applied', latencyS: (this.#o.time.now() - started) / 1000 };
      } catch (e) {
        return this.#fail(e, api.identity, step, started);
      }
    });
  }

  remove(req: RemoveRequest): Promise<TargetOutcome> {
    return this.#once(req.commandId, async () => {
      const started = this.#o.time.now();
      const h = this.#handle(req.cluster);
      if (h === undefined) return { ok: false, reason: `no connection to cluster ${req.cluster} (it is not in the fleet file any more)`, latencyS: 0 };
      const api = this.#client(h, req.identity);
      if (api === undefined) return { ok: false, reason: `no break-glass identity for cluster ${req.cluster} in the fleet file`, latencyS: 0 };
      h.labeller.cancel();
      this.#removing.add(req.cluster);
      try {
        const deleted = await api.delete(this.#ref(this.#workload));
        return { ok: true, reason: deleted ? `deleted as ${api.identity}` : 'already gone', latencyS: (this.#o.time.now() - started) / 1000 };
      } catch (e) {
        return this.#fail(e, api.identity, `delete ${this.#o.change.kind} ${this.#o.change.namespace}/${this.#o.change.name}`, started);
      }
    });
  }

  killSwitch(req: KillSwitchRequest): Promise<TargetOutcome> {
    const flip = this.#o.killSwitch;
    if (flip === undefined) return Promise.resolve({ ok: false, reason: 'no kill switch endpoint for this rollout (the plan does not enable one)', latencyS: 0 });
    return this.#once(req.commandId, () => flip(req));
  }

  async status(cluster: string, identity: Identity): Promise<ChangeStatus> {
    const h = this.#handle(cluster);
    const api = h === undefined ? undefined : this.#client(h, identity);
    if (h === undefined || api === undefined) return { ok: false, reason: `no connection to cluster ${cluster}`, present: false, desired: 0, ready: 0 };
    try {
      const object = await api.read(this.#ref(this.#workload));
      if (object === undefined) return { ok: true, reason: 'not found', present: false, desired: 0, ready: 0 };
      const status = record(object.status);
      this.#resumeLabels(cluster, h, object, num(status.desiredNumberScheduled));
      if (this.#o.change.kind === 'DaemonSet') return { ok: true, reason: 'read', present: true, desired: num(status.desiredNumberScheduled), ready: num(status.numberReady) };
      return { ok: true, reason: 'read', present: true, desired: num(record(object.spec).replicas ?? 1), ready: num(status.readyReplicas) };
    } catch (e) {
      return { ok: false, reason: failureOf(e, api.identity, `read ${this.#o.change.kind} ${this.#o.change.name}`).reason, present: false, desired: 0, ready: 0 };
    }
  }

  /**
   * A batch whose labelling stopped (the process that applied it was killed)
   * is finished by the next run: the workload says how many nodes its batch
   * covers (`rollout.firebreak.dev/nodes`); while it is constrained to the
   * batch label and schedules fewer, the labeller widens again.
   */
  #resumeLabels(cluster: string, h: ClusterHandle, object: Record<string, unknown>, desired: number): void {
    if (this.#o.change.kind !== 'DaemonSet' || h.labeller.busy || this.#removing.has(cluster)) return;
    const nodes = Number(annotationOf(object, NODES_ANNOTATION));
    const selector = record(record(record(record(object.spec).template).spec).nodeSelector);
    if (Number.isInteger(nodes) && nodes > desired && selector[batchLabel(this.#o.change.name)] === LABEL_VALUE) h.labeller.widen(nodes);
  }

  /**
   * After a rollback: removes the batch label from the cluster's nodes and
   * deletes the change's other objects, as the ordinary identity, within the
   * budget and the cap; resolves with what is left.
   */
  async cleanUp(cluster: string): Promise<CleanupReport> {
    const h = this.#handle(cluster);
    if (h === undefined) return { cluster, left: null, patches: 0, lastError: 'not in the fleet file', objectsDeleted: 0, objectsLeft: this.#others.map((m) => `${m.kind}/${m.metadata.name}`) };
    await h.labeller.idle();
    if (this.#o.change.kind === 'DaemonSet') {
      h.labeller.clear();
      await h.labeller.idle();
    }
    let objectsDeleted = 0;
    const objectsLeft: string[] = [];
    for (const m of [...this.#others].reverse()) {
      try {
        if (await h.ordinary.delete(this.#ref(m))) objectsDeleted++;
      } catch {
        objectsLeft.push(`${m.kind}/${m.metadata.name}`);
      }
    }
    return { cluster, ...h.labeller.report, objectsDeleted, objectsLeft };
  }

  /** Waits for the background work (labelling) under way in every cluster. */
  async idle(): Promise<void> {
    await Promise.all([...this.#clusters.values()].map((h) => h.labeller.idle()));
  }

  /** Stops the background work. */
  stop(): void {
    for (const h of this.#clusters.values()) h.labeller.cancel();
  }
}
