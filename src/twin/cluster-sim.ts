/**
 * One cluster of the twin: a fixed-step fluid model of its control plane (API
 * server replicas with APF, etcd), its clients (kubelets, kube-proxy,
 * controllers, CoreDNS, other workloads, the change's agents), its DNS and its
 * data plane. Populations are fluid (fractional clients) so a 7,500-node
 * cluster costs the same to step as a 50-node one; the few discrete things
 * (API server replicas, CoreDNS replicas on control-plane nodes) are discrete
 * and draw from the cluster's seeded random stream.
 *
 * Nothing here is scripted: overload, OOM kills, relist storms, 429 retry
 * loops, lockout and recovery all come out of the same equations. See
 * docs/model.md for the equations and docs/twin-calibration.md for the numbers.
 */
import type { Cluster } from '../model/fleet.ts';
import type { CallProfile, ResourceStats } from '../model/profile.ts';
import { protobufCosts, requestCost, watchEventsPerClient, type RequestCost } from '../model/cost.ts';
import { clusterResources, storedBytes, UNMODELLED_RESOURCE } from '../model/resources.ts';
import { WATCH_CACHE_WINDOW_S } from '../model/kubernetes.ts';
import { borrowSeats, flowQueueRoom, lendableSeats, levelQueueRoom, nominalSeats } from '../model/apf-capacity.ts';
import { memoryLimitBytes, replicaMemoryBytes, watchBytes } from '../model/apiserver-memory.ts';
import { corednsReplicas } from '../model/coredns.ts';
import { cpuSlowdown, cpuWanted, watchCpuS } from '../model/cpu-sharing.ts';
import { exitsInStep } from '../model/exit-rate.ts';
import type { CostParams, ModelConfig } from '../model/model-schema.ts';
import { ownClients } from '../model/own-clients.ts';
import { etcdRangeRate, etcdTimeS, heldS, readsRange, serviceTimeS } from '../model/service-time.ts';
import { sizingTier } from '../model/sizing.ts';
import type { Random } from '../core/random.ts';
import type { BlockSource, ChangeSpec } from './scenario.ts';
import { DnsState } from './dns.ts';
import { METRIC_NAMES, type LevelSample, type MetricName, type MetricSample } from './metrics.ts';

export type ClientGroup = 'nodes' | 'change' | 'workloads' | 'control' | 'operator';

/** A population of identical clients. */
interface ClientClass {
  readonly name: string;
  readonly level: number;
  /** APF flows the class spreads over (one per distinct user / service account). */
  flows: number;
  readonly group: ClientGroup;
  /** Counts toward the control plane's health (everything but the change and operators). */
  readonly ordinary: boolean;
  readonly informer: boolean;
  /** Kubernetes' own components and CoreDNS (kubelets, kube-proxy, controllers) talk protobuf; agents and workloads JSON. */
  readonly protobuf: boolean;
  readonly periodS: number;
  /** Single-object calls (for the single-object SLO). */
  readonly singleObject: boolean;
  readonly profile: CallProfile;
  readonly resource: string;
  // Copies of profile fields read every step: profiles come in several object shapes (defaults,
  // scenario files), and reading through them made the hot loops' property loads polymorphic.
  readonly qps: number;
  readonly retryImmediate: boolean;
  readonly retryInitialS: number;
  readonly retryFactor: number;
  readonly retryMaxS: number;
  /** The longest mean backoff wait: maxS with mean jitter (1 + jitter/2). */
  readonly retryWaitCapS: number;
  /** Which network block applies: 0 none, 1 nodes, 2 change (cut by either), 3 workloads. */
  readonly blockCode: number;
  readonly isCoredns: boolean;
  /** Clients per node (node agents), or a fixed count when perNode is 0. */
  readonly perNode: number;
  readonly fixed: number;
  n: number;
  cost: RequestCost;
  events: number;
  // state (fluid counts of clients)
  pending: number;
  wait: number;
  rewatch: number;
  rewatchWait: number;
  brokenAt: number;
  queued: number;
  inflight: number;
  watching: number;
  retryAfter: number;
  // last step's figures
  arrivals: number;
  ok: number;
  failed: number;
  rejected: number;
  latency: number;
  exitRate: number;
  /** New agents' first calls, issued this step. */
  arrivalsBoost: number;
  /** Memory its in-flight requests hold: it builds up while responses are read and encoded. */
  memHeld: number;
  /**
   * Share of a step a request of the class holds its seats (last step's service time / dt, at
   * most 1): a 10 ms lease renewal occupies its seat for 1 % of a 1 s step, not all of it.
   */
  seatShare: number;
}

interface Replica {
  state: 'ready' | 'starting' | 'down';
  /** Time the current state ends (starting → ready, down → starting). */
  until: number;
  readySince: number;
  memLimit: number;
  restarts: number;
  backoff: number;
  lastCrash: number;
  /** Since when it is not ready (crash, restart, replacement). */
  downSince: number;
  /** The external load balancer sends traffic to it (health-check state, lags the replica's). */
  lbHealthy: boolean;
}

export interface OperatorOutcome {
  readonly ok: boolean;
  readonly reason: string;
  readonly latencyS: number;
}

const ORDINARY_MIN_SHARE = 0.01;
const BLOCK_SOURCES = ['nodes', 'change', 'workloads'] as const;

export class ClusterSim {
  readonly cluster: Cluster;
  readonly model: ModelConfig;
  readonly #rng: Random;
  /** Which replica the external load balancer picks for an outside request (its own stream, so requests do not perturb the physics). */
  readonly #lbRng: Random;
  readonly #protobuf: CostParams;
  readonly levelNames: string[];
  readonly #nominal: number[];
  readonly #lendable: number[];
  readonly #levelQueueCap: number[];
  readonly #flowQueueCap: number[];
  readonly #reject: boolean[];
  readonly #exempt: boolean[];
  readonly classes: ClientClass[] = [];
  readonly #changeClasses: ClientClass[] = [];
  /** Levels served by a dedicated API server endpoint (break-glass). */
  readonly #dedicated = new Set<string>();
  /** Classes per priority level, fixed after construction. */
  #byLevel: ClientClass[][] = [];
  #demand = new Float64Array(0);
  readonly #members: ClientClass[] = [];
  readonly #next: ClientClass[] = [];
  #controllerWrites: ClientClass | undefined;
  #controllerInformers: ClientClass | undefined;
  // Leader election of the controllers (kube-controller-manager, kube-scheduler).
  #leader = true;
  #lastRenew = 0;
  #synced = true;
  #kubeletPods: ClientClass | undefined;
  #coredns: ClientClass | undefined;
  // Quiescence: a cluster whose state stopped changing is advanced without recomputation.
  #quiet = false;
  #calmSteps = 0;
  #prevState = 0;
  readonly replicas: Replica[] = [];
  readonly dns: DnsState;
  resources: Map<string, ResourceStats> = new Map();

  nodes: number;
  readonly #originalNodes: number;
  #nodeTarget: number;
  #nodeRate = 0;
  #cpuFactor = 1;
  #memFactor = 1;
  #pendingScale: { at: number; replicas: number; memoryFactor: number; cpuFactor: number } | null = null;
  #etcdSlowdown = 1;
  #etcdSlowUntil = 0;
  readonly #block: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };
  readonly #blockTarget: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };
  readonly #blockRate: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };

  // the change
  readonly change: ChangeSpec | undefined;
  changeFraction = 0;
  changeAppliedAtS: number | null = null;
  /** When the change was last removed (null: never). */
  changeRemovedAtS: number | null = null;
  changeDeployed = false;
  /** Agent pods created but not started yet, by seconds until start. */
  #starting: Float64Array;
  #startHead = 0;
  agentsRunning = 0;
  #agentsCreated = 0;
  #agentsToDelete = 0;
  #killSwitch = false;

  // derived each step
  #etcdLatency: number;
  #slowdown = 1;
  #memRatio = 0;
  #restartsWindow: number[] = [];
  #notReady = 0;
  #leaseOkEma = 1;
  /** The lease average #notReady was last computed from. */
  #notReadyEma = 1;
  #levelUse: Float64Array;
  #levelQueued: Float64Array;
  #levelCap: Float64Array;
  #levelRejected: Float64Array;
  #requests = 0;
  #rejectedTotal = 0;
  #arrivalsTotal = 0;
  #ordinaryOk = 0;
  #ordinaryAll = 0;
  #p99 = 0;
  #p99Single = 0;
  #allDown = false;
  t = 0;

  constructor(cluster: Cluster, model: ModelConfig, change: ChangeSpec | undefined, rng: Random, extraLevels: readonly { name: string; seats: number; dedicated: boolean }[]) {
    this.cluster = cluster;
    this.model = model;
    this.change = change;
    this.#rng = rng;
    this.#lbRng = rng.fork('load-balancer');
    this.#protobuf = protobufCosts(model.costs);
    this.nodes = cluster.nodes;
    this.#originalNodes = cluster.nodes;
    this.#nodeTarget = cluster.nodes;
    const levels = model.apf.levels;
    const nominal = nominalSeats(levels, model.apiServer.seats);
    const lend = lendableSeats(levels, nominal);
    this.levelNames = levels.map((l) => l.name);
    this.#nominal = nominal;
    this.#lendable = lend;
    this.#levelQueueCap = levels.map((l) => levelQueueRoom(l));
    this.#flowQueueCap = levels.map((l) => flowQueueRoom(l));
    this.#reject = levels.map((l) => l.reject);
    this.#exempt = levels.map((l) => l.exempt);
    for (const x of extraLevels) {
      if (x.dedicated) this.#dedicated.add(x.name);
      // Break-glass: reserved seats, never lent, queued like system.
      this.levelNames.push(x.name);
      this.#nominal.push(x.seats);
      this.#lendable.push(0);
      this.#levelQueueCap.push(16 * 50);
      this.#flowQueueCap.push(4 * 50);
      this.#reject.push(false);
      this.#exempt.push(false);
    }
    const L = this.levelNames.length;
    this.#levelUse = new Float64Array(L);
    this.#levelQueued = new Float64Array(L);
    this.#levelCap = new Float64Array(L);
    this.#levelRejected = new Float64Array(L);
    this.#etcdLatency = model.etcd.baseLatencyS;
    const ch = model.change;
    this.#starting = new Float64Array(Math.ceil(ch.startDelayS + ch.startSpreadS) + 2);

    const tier = sizingTier(model.apiServer.sizing, cluster.nodes);
    this.#tierCores = tier.cpuCores;
    this.#tierMem = tier.memoryBytes;
    this.#dnsOnControlPlane = model.dns.placement === 'control-plane';
    for (let i = 0; i < model.apiServer.replicas; i++) this.replicas.push(this.#newReplica(0, 'ready'));
    this.#recountReady();
    this.#computeResources();
    this.#buildClasses();
    this.dns = new DnsState(model.dns, this.#dnsReplicas(), rng.fork('dns'));
    this.#recost();
    // Informers start synced.
    for (const c of this.classes) if (c.informer) c.watching = c.n;
    this.#byLevel = this.levelNames.map((_, l) => this.classes.filter((c) => c.level === l));
    this.#demand = new Float64Array(this.levelNames.length);
    this.#controllerWrites = this.classes.find((x) => x.name === 'controller-writes');
    this.#controllerInformers = this.classes.find((x) => x.name === 'controller-informers');
    this.#kubeletPods = this.classes.find((x) => x.name === 'kubelet-pods');
    this.#coredns = this.classes.find((x) => x.name === 'coredns');
  }

  readonly #tierCores: number;
  readonly #tierMem: number;
  readonly #dnsOnControlPlane: boolean = false;

  #newReplica(t: number, state: Replica['state']): Replica {
    return {
      state,
      until: t,
      readySince: t,
      memLimit: memoryLimitBytes(this.model.apiServer, this.#tierMem * this.#memFactor, this.#rng.float()),
      restarts: 0,
      backoff: 0,
      lastCrash: -1e9,
      downSince: state === 'ready' ? -1e9 : t,
      lbHealthy: state === 'ready',
    };
  }

  #level(name: string): number {
    const i = this.levelNames.indexOf(name);
    if (i < 0) throw new Error(`unknown priority level ${name}`);
    return i;
  }

  #computeResources(): void {
    this.resources = clusterResources(this.nodes, this.cluster.pods, this.model.objects);
    this.#storedBytes = storedBytes(this.resources);
  }
  #storedBytes = 0;

  #addClass(
    name: string,
    group: ClientGroup,
    level: string,
    flows: number,
    profile: CallProfile,
    perNode: number,
    fixed: number,
  ): ClientClass {
    const n = perNode > 0 ? perNode * this.nodes : fixed;
    const c: ClientClass = {
      name,
      level: this.#level(level),
      flows,
      group,
      ordinary: group !== 'change' && group !== 'operator',
      informer: profile.verb === 'watch',
      periodS: profile.periodS,
      singleObject: profile.verb !== 'list' && profile.verb !== 'watch',
      profile,
      resource: profile.resource,
      qps: profile.qps,
      retryImmediate: profile.retry.policy === 'immediate',
      retryInitialS: profile.retry.initialS,
      retryFactor: profile.retry.factor,
      retryMaxS: profile.retry.maxS,
      retryWaitCapS: profile.retry.maxS * (1 + profile.retry.jitter / 2),
      blockCode: group === 'nodes' ? 1 : group === 'change' ? 2 : group === 'workloads' ? 3 : 0,
      isCoredns: name === 'coredns',
      perNode,
      fixed,
      n,
      protobuf: group === 'nodes' || group === 'control',
      cost: requestCost(profile, this.#res(profile.resource), this.nodes, group === 'nodes' || group === 'control' ? this.#protobuf : this.model.costs),
      events: 0,
      pending: 0,
      wait: profile.retry.initialS,
      rewatch: 0,
      rewatchWait: 1,
      brokenAt: 0,
      queued: 0,
      inflight: 0,
      watching: 0,
      retryAfter: this.model.apiServer.retryAfterMinS,
      arrivals: 0,
      ok: 0,
      failed: 0,
      rejected: 0,
      latency: 0,
      exitRate: 0,
      arrivalsBoost: 0,
      memHeld: 0,
      seatShare: 1,
    };
    this.classes.push(c);
    return c;
  }

  #res(name: string): ResourceStats {
    return this.resources.get(name) ?? UNMODELLED_RESOURCE;
  }

  #buildClasses(): void {
    // The cluster's own clients (kubelets, kube-proxy, controllers, CoreDNS, other workloads): src/model/own-clients.ts.
    for (const k of ownClients(this.model, this.nodes, this.resources)) this.#addClass(k.name, k.group, k.level, k.flows, k.profile, k.perNode, k.fixed);
    if (this.change !== undefined) {
      for (const p of this.change.calls) {
        const c = this.#addClass(`change:${p.name}`, 'change', this.change.priorityLevel, 1, p, 0, 0);
        c.n = 0;
        this.#changeClasses.push(c);
      }
    }
  }

  #dnsReplicas(): number {
    return corednsReplicas(this.model.dns, this.#originalNodes);
  }

  /** Recompute per-request costs after the cluster's size changed. */
  #recost(): void {
    for (const c of this.classes) {
      const r = this.#res(c.resource);
      c.cost = requestCost(c.profile, r, this.nodes, c.protobuf ? this.#protobuf : this.model.costs);
      c.events = watchEventsPerClient(c.profile, r, this.nodes);
    }
  }

  // ---------------------------------------------------------------- actions

  /** Apply the change to `fraction` of the nodes (cumulative: node batches raise it). */
  applyChange(fraction: number): void {
    this.#wake();
    if (this.change === undefined) return;
    if (this.changeAppliedAtS === null) this.changeAppliedAtS = this.t;
    this.changeDeployed = true;
    this.#killSwitch = false;
    this.changeFraction = Math.max(this.changeFraction, Math.min(1, fraction));
  }

  /**
   * Remove the change. `api`: the workload and its pods are deleted in one call
   * (cascading delete / deletecollection), so the pods are gone from etcd at
   * once, but each agent keeps running until its kubelet sees the deletion
   * through its own watch. `kill-switch`: agents are told to stop out of band.
   */
  removeChange(via: 'api' | 'kill-switch'): void {
    this.#wake();
    if (this.changeDeployed) this.changeRemovedAtS = this.t;
    this.changeDeployed = false;
    this.changeFraction = 0;
    this.#starting.fill(0);
    if (via === 'kill-switch') this.#killSwitch = true;
    this.#deletedNotStopped = this.#agentsCreated;
    this.#agentsToDelete = 0;
  }

  /** The change's service account is routed to a rejecting priority level (an APF FlowSchema). */
  shedChange(): void {
    this.#wake();
    this.#changeShed = true;
  }
  #changeShed = false;

  scaleNodes(fraction: number, overS: number): void {
    this.#wake();
    this.#nodeTarget = Math.max(1, Math.round(this.#originalNodes * fraction));
    this.#nodeRate = Math.abs(this.#nodeTarget - this.nodes) / Math.max(1, overS);
  }

  scaleApiServers(replicas: number, memoryFactor: number, cpuFactor: number, provisionS: number): void {
    this.#wake();
    this.#pendingScale = { at: this.t + provisionS, replicas, memoryFactor, cpuFactor };
  }

  block(sources: readonly BlockSource[], overS: number): void {
    this.#wake();
    for (const s of sources) {
      this.#blockTarget[s] = 1;
      this.#blockRate[s] = 1 / Math.max(1, overS);
    }
  }

  unblock(overS: number): void {
    this.#wake();
    for (const s of ['nodes', 'change', 'workloads'] as const) {
      this.#blockTarget[s] = 0;
      this.#blockRate[s] = 1 / Math.max(1, overS);
    }
  }

  /** An API server scale-up is still being provisioned. */
  scaleUpPending(): boolean {
    return this.#pendingScale !== null;
  }

  isBlocked(): boolean {
    return this.#block.nodes > 0 || this.#block.change > 0 || this.#block.workloads > 0;
  }

  etcdSlowdown(factor: number, durationS: number): void {
    this.#wake();
    this.#etcdSlowdown = factor;
    this.#etcdSlowUntil = this.t + durationS;
  }

  killApiServers(): void {
    this.#wake();
    for (const r of this.replicas) if (r.state !== 'down') this.#crash(r);
  }

  restartCoreDns(): void {
    this.#wake();
    this.dns.restartAll(this.t);
  }

  /**
   * One request from an operator (or the orchestrator) at `level`, decided
   * against the current state: refused when no API server is ready, rejected
   * with 429 when the level has neither a free seat nor queue room within the
   * queue-wait limit, timed out when service would exceed the request timeout.
   */
  tryRequest(levelName: string): OperatorOutcome {
    if (this.#dedicated.has(levelName)) {
      // A break-glass API server: its own process, reachable only by break-glass identities, so no
      // agent traffic reaches its seats or its memory; it needs etcd to answer.
      const lat = this.#etcdLatency + this.model.costs.cpuPerRequestS * 3;
      return lat < this.model.apiServer.requestTimeoutS
        ? { ok: true, reason: `served by the break-glass API server`, latencyS: lat }
        : { ok: false, reason: '504 timeout: etcd too slow', latencyS: this.model.apiServer.requestTimeoutS };
    }
    const ready = this.#readyCount();
    // Through the load balancer: to one of the replicas its health checks pass, which lag the
    // replicas' real state both ways.
    let routable = 0;
    for (const r of this.replicas) if (r.lbHealthy) routable++;
    if (routable === 0) return { ok: false, reason: ready === 0 ? 'connection refused: no API server running' : 'connection refused: no API server has passed the load balancer health check yet', latencyS: 0 };
    let pick = Math.floor(this.#lbRng.float() * routable);
    let target: Replica | undefined;
    for (const r of this.replicas) if (r.lbHealthy && pick-- === 0) target = r;
    if (target === undefined || target.state !== 'ready') return { ok: false, reason: 'connection refused: the load balancer sent it to an API server that is down', latencyS: 0 };
    const l = this.levelNames.indexOf(levelName);
    if (l < 0) return { ok: false, reason: `no priority level ${levelName}`, latencyS: 0 };
    const timeout = this.model.apiServer.requestTimeoutS;
    const serviceS = (this.model.costs.cpuPerRequestS * 3 + this.#etcdLatency) * this.#slowdown;
    if (!this.#exempt[l]) {
      const cap = this.#levelCap[l] ?? 0;
      const use = this.#levelUse[l] ?? 0;
      const queued = this.#levelQueued[l] ?? 0;
      if (use + 1 > cap) {
        if (this.#reject[l]) return { ok: false, reason: '429 Too Many Requests (catch-all rejects)', latencyS: 0 };
        // Wait behind what is queued at the level's drain rate.
        const drain = Math.max(1e-6, this.#levelDrain(l));
        const waitS = queued / drain;
        if (waitS > this.model.apiServer.queueWaitS || queued >= (this.#levelQueueCap[l] ?? 0) * ready)
          return { ok: false, reason: `429 Too Many Requests (priority level ${levelName} saturated, queue wait ${waitS.toFixed(0)} s)`, latencyS: Math.min(waitS, this.model.apiServer.queueWaitS) };
        if (waitS + serviceS > timeout) return { ok: false, reason: '504 timeout', latencyS: timeout };
        return { ok: true, reason: 'served after queueing', latencyS: waitS + serviceS };
      }
    }
    if (serviceS > timeout) return { ok: false, reason: '504 timeout (API server CPU saturated)', latencyS: timeout };
    return { ok: true, reason: 'served', latencyS: serviceS };
  }

  #levelDrain(l: number): number {
    let d = 0;
    for (const c of this.classes) if (c.level === l) d += c.exitRate;
    return d;
  }

  /** Replicas ready now (kept by #recountReady whenever a replica changes state). */
  #readyCount(): number {
    return this.#readyN;
  }
  #readyN = 0;

  #recountReady(): void {
    let n = 0;
    for (let i = 0; i < this.replicas.length; i++) if ((this.replicas[i] as Replica).state === 'ready') n++;
    this.#readyN = n;
  }

  // ---------------------------------------------------------------- step

  step(t: number, dt: number): void {
    this.t = t;
    this.#baseDt = dt;
    this.#held = true;
    if (this.#quiet) {
      this.dns.advanceQuiet(dt);
      return;
    }
    if (this.#coarseEnd > 0) {
      // Inside a coarse window: hold the state until its last step, then simulate the window whole.
      if (t + dt < this.#coarseEnd - 1e-9) {
        this.#coarseLagS += dt;
        return;
      }
      this.#held = false;
      const from = this.#coarseFrom;
      const span = this.#coarseLagS + dt;
      this.#coarseEnd = 0;
      this.#coarseLagS = 0;
      this.#stepFull(from, span, dt);
      this.t = t;
    } else {
      this.#held = false;
      this.#stepFull(t, dt, dt);
    }
    this.#checkQuiet();
    this.#openCoarseWindow(t + dt, dt);
  }

  // Coarse stepping while no API server is ready (docs/model.md, "Coarse steps while the API is down").
  #coarseFrom = 0;
  #coarseEnd = 0;
  #coarseLagS = 0;
  /** The engine's step. */
  #baseDt = 1;

  /**
   * After a step that left no API server ready, the cluster's clients only fail and back off,
   * caches expire and nodes go NotReady: smooth processes with nothing served. Until the next
   * discrete event (a replica restarting or becoming ready, the load balancer changing its mind,
   * the controllers' leader lease running out, a scale-up landing, an etcd fault ending) the
   * cluster is advanced in one step of up to `coarseDownStepS`, and no longer than any pending
   * client's retry wait, so each client makes at most one retry round per step, as at 1 s.
   */
  #openCoarseWindow(te: number, dt: number): void {
    const maxS = this.model.engine.coarseDownStepS;
    if (maxS < 2 * dt || this.#readyN !== 0 || this.#quiet) return;
    let end = te + maxS;
    for (let ri = 0; ri < this.replicas.length; ri++) {
      const r = this.replicas[ri] as Replica;
      if (r.state !== 'ready' && r.until < end) end = r.until;
      if (r.lbHealthy) end = Math.min(end, r.downSince + this.model.apiServer.loadBalancer.unhealthyAfterS);
    }
    if (this.#pendingScale !== null) end = Math.min(end, this.#pendingScale.at);
    if (this.#etcdSlowdown !== 1) end = Math.min(end, this.#etcdSlowUntil);
    if (this.#leader) end = Math.min(end, this.#lastRenew + this.model.clients.leaderElection.renewDeadlineS);
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      if (c.n > 0 && c.pending > 1e-12) end = Math.min(end, te + c.wait);
    }
    const steps = Math.floor((end - te) / dt + 1e-9);
    if (steps < 2) return;
    this.#coarseFrom = te;
    this.#coarseEnd = te + steps * dt;
    this.#coarseLagS = 0;
  }

  /** True while the cluster is advanced without recomputation. */
  quietFlag(): boolean {
    return this.#quiet;
  }

  /** The last step left every observable value as it was (a quiet cluster, or inside a coarse step). */
  heldFlag(): boolean {
    return this.#held;
  }
  #held = false;

  /** Any outside action wakes the cluster up; the part of a coarse window already past is simulated first. */
  #wake(): void {
    this.#quiet = false;
    this.#calmSteps = 0;
    if (this.#coarseEnd > 0) {
      const t = this.t;
      const lag = this.#coarseLagS;
      this.#coarseEnd = 0;
      this.#coarseLagS = 0;
      if (lag > 0) this.#stepFull(this.#coarseFrom, lag, this.#baseDt);
      this.#held = false;
      this.t = t;
    }
  }

  /**
   * Quiescent: three consecutive steps changed no client population by more
   * than 1e-9 of the cluster's clients, every API server is ready, nothing is
   * ramping, starting or being deleted, and DNS is fully healthy. Stepping such
   * a cluster would reproduce the same state, so it is skipped until an action
   * wakes it (docs/model.md, "Quiescence").
   */
  #checkQuiet(): void {
    if (this.#readyN !== this.replicas.length) {
      // Not every replica ready: not settled, whatever the clients did (the next step's change is
      // measured from a step with every replica ready).
      this.#prevState = NaN;
      this.#calmSteps = 0;
      return;
    }
    let sig = 0;
    let total = 0;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      sig += c.pending * 1.1 + c.queued * 1.3 + c.inflight * 1.7 + c.watching * 1.9 + c.rewatch * 2.3 + c.wait;
      total += c.n;
    }
    const delta = Math.abs(sig - this.#prevState);
    this.#prevState = sig;
    const settled =
      delta <= 1e-9 * Math.max(1, total) &&
      this.#replicasSettled() &&
      this.#pendingScale === null &&
      this.nodes === this.#nodeTarget &&
      this.#block.nodes === this.#blockTarget.nodes &&
      this.#block.change === this.#blockTarget.change &&
      this.#block.workloads === this.#blockTarget.workloads &&
      this.#etcdSlowdown === 1 &&
      this.#leader &&
      this.#synced &&
      this.#startingTotal() <= 1e-12 &&
      this.#agentsToDelete <= 1e-12 &&
      this.#deletedNotStopped <= 1e-12 &&
      (!this.changeDeployed || this.#agentsCreated >= this.#desiredAgents() - 1e-9) &&
      this.dns.isQuiet();
    this.#calmSteps = settled ? this.#calmSteps + 1 : 0;
    if (this.#calmSteps >= 3) this.#quiet = true;
  }

  #replicasSettled(): boolean {
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[i] as Replica;
      if (!(r.state === 'ready' && r.backoff === 0)) return false;
    }
    return true;
  }

  #startingTotal(): number {
    let s = 0;
    for (let i = 0; i < this.#starting.length; i++) s += this.#starting[i] ?? 0;
    return s;
  }

  #desiredAgents(): number {
    if (this.change === undefined) return 0;
    return this.change.kind === 'DaemonSet' ? this.changeFraction * this.nodes : this.changeFraction * this.change.replicas;
  }

  /** One step of `dt` from `t`; `baseDt` is the engine's step (dt is a multiple of it in a coarse step). */
  #stepFull(t: number, dt: number, baseDt: number): void {
    const m = this.model;
    this.#stepInfrastructure(t, dt);
    this.#stepAgents(t, dt);
    const ready = this.#readyCount();
    const wasAllDown = this.#allDown;
    this.#allDown = ready === 0;
    if (this.#allDown && !wasAllDown) {
      for (let ci = 0; ci < this.classes.length; ci++) {
        const c = this.classes[ci] as ClientClass;
        if (c.informer) this.#breakWatches(c, 1, t);
      }
    }

    // Client-side arrivals.
    const timeout = m.apiServer.requestTimeoutS;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      c.arrivals = 0;
      c.ok = 0;
      c.failed = 0;
      c.rejected = 0;
      if (c.n <= 0) continue;
      let a = 0;
      if (c.informer) {
        // Clients that must list issue after their backoff; rewatches are cheap and handled below.
        const emit = c.pending * Math.min(1, dt / Math.max(dt, c.wait));
        c.pending -= emit;
        a += emit;
      } else {
        const active = Math.max(0, c.n - c.pending - c.queued - c.inflight);
        a += (active * dt) / Math.max(dt, c.periodS);
        const emit = c.pending * Math.min(1, dt / Math.max(dt, c.wait));
        c.pending -= emit;
        a += emit;
      }
      // Client-side rate limit (per client QPS).
      const cap = c.n * c.qps * dt;
      if (a > cap) {
        if (c.informer) c.pending += a - cap;
        a = cap;
      }
      const blocked = this.#blockedShareOf(c.blockCode);
      if (blocked > 0) {
        const b = a * blocked;
        a -= b;
        c.failed += b;
        this.#toRetry(c, b, false);
      }
      if (ready === 0) {
        c.failed += a;
        this.#toRetry(c, a, false);
        a = 0;
      }
      c.arrivals = a;
    }

    // Rewatches: reconnecting watchers. Against a fresh replica, or after an outage longer than the
    // watch-cache window, the resourceVersion is gone (410) and the client must relist.
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      if (!c.informer || c.rewatch <= 0) continue;
      if (ready === 0 || this.#blockedShareOf(c.blockCode) >= 1) continue;
      const go = c.rewatch * Math.min(1, dt / Math.max(dt, c.rewatchWait));
      c.rewatch -= go;
      const relist = t - c.brokenAt > WATCH_CACHE_WINDOW_S || this.#freshShare(t) > 0.5 ? 1 : this.#freshShare(t);
      c.pending += go * relist;
      c.watching += go * (1 - relist);
      if (c.pending > 0 && relist > 0) c.wait = Math.min(c.wait, c.retryInitialS);
    }

    if (ready > 0) this.#serve(t, dt, ready, timeout);
    else {
      // Nothing is served; queued and in-flight requests already failed when the last replica died.
      for (let l = 0; l < this.#levelUse.length; l++) {
        this.#levelUse[l] = 0;
        this.#levelQueued[l] = 0;
        this.#levelCap[l] = 0;
        this.#levelRejected[l] = 0;
      }
      this.#memRatio = 0;
    }

    this.#stepLeader(t, ready);
    this.#stepNodesReady(dt, baseDt);
    this.#stepDns(t, dt, ready);
    this.#summarise(ready);
  }

  /** Share of a class's requests cut off by a network block (ClientClass.blockCode). */
  #blockedShareOf(code: number): number {
    if (code === 0) return 0;
    if (code === 1) return this.#block.nodes;
    if (code === 2) return Math.max(this.#block.change, this.#block.nodes);
    return this.#block.workloads;
  }

  #freshShare(t: number): number {
    let fresh = 0;
    let ready = 0;
    for (let ri = 0; ri < this.replicas.length; ri++) {
      const r = this.replicas[ri] as Replica;
      if (r.state !== 'ready') continue;
      ready++;
      if (t - r.readySince < WATCH_CACHE_WINDOW_S) fresh++;
    }
    return ready === 0 ? 0 : fresh / ready;
  }

  /** Failed or rejected requests go back to their clients, who retry after a wait. */
  #toRetry(c: ClientClass, x: number, rejected429: boolean): void {
    if (x <= 0) return;
    if (rejected429) {
      // 429 carries Retry-After; client-go honours it.
      c.pending += x;
      c.wait = Math.max(c.wait * 0.5, Math.min(c.retryMaxS, c.retryAfter));
      return;
    }
    c.pending += x;
    if (c.retryImmediate) {
      c.wait = 1;
      return;
    }
    // Exponential backoff: the population's mean wait grows by `factor` per round of failures, up
    // to the cap, with mean jitter (1 + jitter/2).
    const share = Math.min(1, x / Math.max(1e-9, c.n));
    const grown = c.wait * (1 + (c.retryFactor - 1) * share);
    c.wait = Math.min(c.retryWaitCapS, Math.max(c.retryInitialS, grown));
  }

  #breakWatches(c: ClientClass, share: number, t: number): void {
    const b = c.watching * share;
    if (b <= 0) return;
    c.watching -= b;
    c.rewatch += b;
    c.brokenAt = t;
    c.rewatchWait = 1;
  }

  #stepInfrastructure(t: number, dt: number): void {
    const a = this.model.apiServer;
    // Scale-up of the API servers lands: new machines replace the old ones one by one.
    if (this.#pendingScale !== null && t >= this.#pendingScale.at) {
      const s = this.#pendingScale;
      this.#pendingScale = null;
      this.#memFactor = s.memoryFactor;
      this.#cpuFactor = s.cpuFactor;
      while (this.replicas.length < s.replicas) this.replicas.push(this.#newReplica(t, 'starting'));
      for (const r of this.replicas) {
        r.memLimit = (r.memLimit * s.memoryFactor) / Math.max(1e-9, this.#memFactorApplied);
        if (r.state !== 'ready') {
          r.state = 'starting';
          r.until = t + this.#startupS();
          r.backoff = 0;
        }
      }
      this.#memFactorApplied = s.memoryFactor;
    }
    for (let ri = 0; ri < this.replicas.length; ri++) {
      const r = this.replicas[ri] as Replica;
      if (r.state === 'down' && t >= r.until) {
        r.state = 'starting';
        r.until = t + this.#startupS();
      } else if (r.state === 'starting' && t >= r.until) {
        r.state = 'ready';
        r.readySince = t;
      } else if (r.state === 'ready' && r.backoff > 0 && t - r.lastCrash > a.crashLoopResetS) {
        r.backoff = 0;
      }
      // The load balancer's view lags: healthy after passing checks for a while, unhealthy after
      // failing them for a while.
      if (r.state === 'ready') {
        if (!r.lbHealthy && t - r.readySince >= a.loadBalancer.healthyAfterS) r.lbHealthy = true;
      } else if (r.lbHealthy && t - r.downSince >= a.loadBalancer.unhealthyAfterS) r.lbHealthy = false;
    }
    // Node count moving toward its target.
    if (this.nodes !== this.#nodeTarget) {
      const step = this.#nodeRate * dt;
      const before = this.nodes;
      this.nodes = this.nodes < this.#nodeTarget ? Math.min(this.#nodeTarget, this.nodes + step) : Math.max(this.#nodeTarget, this.nodes - step);
      this.#resizeNodeClients(before, this.nodes);
    }
    const b = this.#block;
    const bt = this.#blockTarget;
    if (b.nodes !== bt.nodes || b.change !== bt.change || b.workloads !== bt.workloads) {
      for (let i = 0; i < BLOCK_SOURCES.length; i++) {
        const s = BLOCK_SOURCES[i] as BlockSource;
        const cur = b[s];
        const target = bt[s];
        if (cur !== target) b[s] = cur < target ? Math.min(target, cur + this.#blockRate[s] * dt) : Math.max(target, cur - this.#blockRate[s] * dt);
      }
    }
    if (this.#etcdSlowdown !== 1 && t >= this.#etcdSlowUntil) this.#etcdSlowdown = 1;
    this.#recountReady();
  }
  #memFactorApplied = 1;

  #startupS(): number {
    const a = this.model.apiServer;
    return (a.startupS + this.#storedBytes / a.startupBytesPerS) * (0.9 + 0.2 * this.#rng.float());
  }

  #resizeNodeClients(before: number, after: number): void {
    const k = after / Math.max(1e-9, before);
    for (const c of this.classes) {
      if (c.perNode <= 0) continue;
      this.#scaleClass(c, k);
      c.n = c.perNode * after;
    }
    // Agents on removed nodes go with them.
    const kk = Math.min(1, k);
    this.agentsRunning *= kk;
    this.#agentsCreated *= kk;
    this.#agentsToDelete *= kk;
    // Pods created but not started yet were on nodes too: the removed nodes' share goes with them.
    if (kk < 1) for (let i = 0; i < this.#starting.length; i++) this.#starting[i] = (this.#starting[i] ?? 0) * kk;
    for (const c of this.#changeClasses) {
      this.#scaleClass(c, kk);
      c.n *= kk;
    }
    this.#recost();
  }

  #scaleClass(c: ClientClass, k: number): void {
    c.memHeld *= k;
    c.pending *= k;
    c.rewatch *= k;
    c.queued *= k;
    c.inflight *= k;
    c.watching *= k;
  }

  #stepAgents(t: number, dt: number): void {
    if (this.change === undefined) return;
    const ch = this.model.change;
    const slots = this.#starting.length;
    // Pods created by the DaemonSet controller (or Deployment) start after a delay.
    if (this.changeDeployed) {
      const missing = this.#desiredAgents() - this.#agentsCreated;
      if (missing > 1e-9) {
        const created = Math.min(missing, ch.podCreationsPerS * dt * this.#controllerHealth());
        this.#agentsCreated += created;
        if (created > 0) {
        // Spread starts uniformly over [delay, delay + spread].
        const d0 = Math.round(ch.startDelayS);
        const spread = Math.max(1, Math.round(ch.startSpreadS));
        for (let k = 0; k < spread; k++) {
          const i = (this.#startHead + d0 + k) % slots;
          this.#starting[i] = (this.#starting[i] ?? 0) + created / spread;
        }
        }
      }
    }
    for (let s = 0; s < dt; s++) {
      const started = this.#starting[this.#startHead] ?? 0;
      this.#starting[this.#startHead] = 0;
      this.#startHead = (this.#startHead + 1) % slots;
      if (started > 0) this.#startAgents(started);
    }
    // Removal: the kill switch stops agents at once; an API delete needs the garbage collector to
    // delete the pods (controller QPS, through the API) and each kubelet to see it (its watch).
    if ((this.#agentsToDelete > 1e-9 || this.#deletedNotStopped > 1e-9) && this.agentsRunning > 1e-9) {
      let stop: number;
      if (this.#killSwitch) stop = this.agentsRunning;
      else {
        const deleted = Math.min(this.#agentsToDelete, this.model.clients.controllerQps * dt * this.#controllerHealth());
        this.#agentsToDelete -= deleted;
        this.#deletedNotStopped += deleted;
        stop = Math.min(this.agentsRunning, this.#deletedNotStopped * this.#kubeletSync());
      }
      this.#deletedNotStopped = Math.max(0, this.#deletedNotStopped - stop);
      this.#stopAgents(stop);
      this.#agentsCreated = Math.max(0, this.#agentsCreated - stop);
    } else if ((this.#agentsToDelete > 0 || this.#deletedNotStopped > 0) && this.agentsRunning <= 1e-9) {
      this.#agentsToDelete = 0;
      this.#deletedNotStopped = 0;
      this.#agentsCreated = 0;
    }
    void t;
  }
  #deletedNotStopped = 0;

  /**
   * Controllers keep their leader lease while an API server answers; one that
   * cannot renew for the renew deadline exits, and its successor (or itself,
   * restarted) takes the lease once it has expired, then lists everything again
   * before acting (WaitForCacheSync). So controllers act again only after the
   * API has served long enough to complete their lists — not in the few seconds
   * a crash-looping API server lives.
   */
  #stepLeader(t: number, ready: number): void {
    const le = this.model.clients.leaderElection;
    const inf = this.#controllerInformers;
    if (this.#leader) {
      if (ready > 0) this.#lastRenew = t;
      else if (t - this.#lastRenew > le.renewDeadlineS) {
        this.#leader = false;
        this.#synced = false;
        if (inf !== undefined) {
          // "leaderelection lost": the process exits; its informer caches are gone.
          inf.pending += inf.watching + inf.rewatch;
          inf.watching = 0;
          inf.rewatch = 0;
          inf.wait = Math.min(inf.wait, inf.retryInitialS);
        }
      }
    } else if (ready > 0 && t - this.#lastRenew >= le.leaseDurationS) {
      this.#leader = true;
      this.#lastRenew = t;
    }
    if (this.#leader && !this.#synced && (inf === undefined || inf.watching >= 0.99 * inf.n)) this.#synced = true;
  }

  /** Share of controller requests that succeed (workload-high); 0 when no API server is ready or the controllers have no synced leader. */
  #controllerHealth(): number {
    const c = this.#controllerWrites;
    if (c === undefined || this.#readyCount() === 0 || !this.#leader || !this.#synced) return 0;
    const done = c.ok + c.failed + c.rejected;
    return done <= 0 ? 1 : c.ok / done;
  }

  /** Share of kubelets whose pod watch is synced and reachable. */
  #kubeletSync(): number {
    const c = this.#kubeletPods;
    if (c === undefined || c.n <= 0) return 0;
    return (c.watching / c.n) * (1 - this.#block.nodes);
  }

  #startAgents(k: number): void {
    this.agentsRunning += k;
    for (const c of this.#changeClasses) {
      c.n += k;
      // A new agent makes its first call at once (informers list; periodic callers call).
      if (c.informer) {
        c.pending += k;
        c.wait = Math.min(c.wait, 1);
      } else c.arrivalsBoost += k;
    }
  }

  #stopAgents(k: number): void {
    if (k <= 0 || this.agentsRunning <= 0) return;
    const share = Math.min(1, k / this.agentsRunning);
    this.agentsRunning -= k;
    for (const c of this.#changeClasses) {
      // In-flight requests of stopped agents are cancelled: their seats and memory are freed.
      this.#scaleClass(c, 1 - share);
      c.n *= 1 - share;
    }
  }

  // ---------------------------------------------------------------- serving

  #serve(t: number, dt: number, ready: number, timeout: number): void {
    const m = this.model;
    const L = this.levelNames.length;
    const cores = ready * this.#tierCores * this.#cpuFactor;
    const queueWait = m.apiServer.queueWaitS;

    // 1. Enqueue arrivals (APF): each class may hold up to flows × handSize × queueLength per
    //    ready server; the level up to queues × queueLength. Beyond → 429.
    const levelQueued = this.#levelQueued;
    for (let l = 0; l < L; l++) {
      this.#levelRejected[l] = 0;
      levelQueued[l] = 0;
    }
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      levelQueued[c.level] = (levelQueued[c.level] ?? 0) + c.queued;
    }
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      const a = c.arrivals + c.arrivalsBoost;
      c.arrivalsBoost = 0;
      c.arrivals = a;
      if (a <= 0) continue;
      const l = c.level;
      if (this.#changeShed && c.group === 'change') {
        // Rejected by APF before any work: 429 with Retry-After.
        c.rejected += a;
        this.#rejectTo(c, a, l);
        continue;
      }
      if (this.#exempt[l]) {
        c.queued += a;
        continue;
      }
      const flowCap = Math.min(c.flows, 1e6) * (this.#flowQueueCap[l] ?? 0) * ready;
      const levelCap = (this.#levelQueueCap[l] ?? 0) * ready;
      const room = Math.max(0, Math.min(flowCap - c.queued, levelCap - (levelQueued[l] ?? 0)));
      // Requests that find a free seat do not queue; approximate by letting the seat capacity absorb
      // them below and only bounding what must wait.
      const admitNow = a;
      const fits = Math.min(admitNow, room + this.#seatsFreeEstimate(l, ready) / Math.max(1e-9, c.cost.seats * c.seatShare));
      const rej = a - fits;
      if (rej > 0) {
        c.rejected += rej;
        this.#rejectTo(c, rej, l);
      }
      c.queued += fits;
      levelQueued[l] = (levelQueued[l] ?? 0) + fits;
    }

    // 2. Seats per level, with borrowing of lendable seats by levels whose demand exceeds nominal.
    const cap = this.#levelCap;
    const use = this.#levelUse;
    const demand = this.#demand;
    for (let l = 0; l < L; l++) {
      use[l] = 0;
      demand[l] = 0;
    }
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      use[c.level] = (use[c.level] ?? 0) + c.inflight * c.cost.seats;
      demand[c.level] = (demand[c.level] ?? 0) + (c.inflight + c.queued * c.seatShare) * c.cost.seats;
    }
    borrowSeats(this.#nominal, this.#lendable, this.#exempt, demand, ready, cap);

    // 3. Admit from queues into free seats, max-min fair across flows (weighted water-filling).
    for (let l = 0; l < L; l++) {
      let free = (cap[l] ?? 0) - (use[l] ?? 0);
      if (free <= 1e-9) continue;
      const members = this.#members;
      let nActive = 0;
      const byLevel = this.#byLevel[l] ?? [];
      for (let ci = 0; ci < byLevel.length; ci++) {
        const c = byLevel[ci] as ClientClass;
        if (c.queued > 1e-12) members[nActive++] = c;
      }
      if (nActive === 0) continue;
      if (!Number.isFinite(free)) {
        for (let i = 0; i < nActive; i++) {
          const c = members[i] as ClientClass;
          c.inflight += c.queued;
          c.queued = 0;
        }
        continue;
      }
      let active = members;
      let next = this.#next;
      for (let iter = 0; iter < 4 && free > 1e-9 && nActive > 0; iter++) {
        let weight = 0;
        for (let i = 0; i < nActive; i++) {
          const c = active[i] as ClientClass;
          weight += Math.min(c.flows, c.queued);
        }
        let nNext = 0;
        let used = 0;
        for (let i = 0; i < nActive; i++) {
          const c = active[i] as ClientClass;
          const shareSeats = (free * Math.min(c.flows, c.queued)) / Math.max(1e-12, weight);
          // Seat-seconds within this step: a request shorter than the step frees its seats early.
          const seats = c.cost.seats * c.seatShare;
          const want = c.queued * seats;
          const give = Math.min(want, shareSeats);
          const admitted = give / seats;
          c.queued -= admitted;
          c.inflight += admitted;
          used += give;
          if (c.queued > 1e-12) next[nNext++] = c;
        }
        free -= used;
        use[l] = (use[l] ?? 0) + used;
        const swap = active;
        active = next;
        next = swap;
        nActive = nNext;
      }
    }

    // 4. Service: processor sharing of the API servers' CPU; consistent reads share etcd.
    let cpuWant = 0;
    let etcdWrites = 0;
    let watchers = 0;
    let watchCpu = 0;
    let etcdConcurrent = 0;
    let etcdBacklogBytes = 0;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      cpuWant += cpuWanted(c.inflight, c.cost, this.#etcdLatency);
      if (c.informer) {
        watchers += c.watching;
        watchCpu += watchCpuS(c.watching, c.events, m.costs);
      }
      if (readsRange(c.cost)) {
        etcdConcurrent += c.inflight;
        etcdBacklogBytes += c.inflight * c.cost.etcdBytes;
      }
    }
    cpuWant += watchCpu;
    this.#slowdown = cpuSlowdown(cpuWant, cores);
    const sd = this.#slowdown;
    // etcd serves concurrent range reads by sharing its read bandwidth (processor sharing).
    const etcdRate = etcdRangeRate(m.etcd.readBytesPerS / this.#etcdSlowdown, etcdConcurrent);
    this.#etcdBacklogS = etcdConcurrent > 0 ? etcdBacklogBytes / (m.etcd.readBytesPerS / this.#etcdSlowdown) : 0;
    let memTemp = 0;
    let requests = 0;
    const a0 = m.apiServer;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      if (c.inflight <= 1e-12) {
        c.memHeld = 0;
        c.exitRate = 0;
        c.latency = c.queued > 0 ? queueWait : 0;
        continue;
      }
      const service = serviceTimeS(c.cost, sd, etcdTimeS(c.cost, this.#etcdLatency, etcdRate));
      const hold = heldS(service, timeout);
      c.seatShare = Math.min(1, Math.max(1e-3, hold / dt));
      const exits = exitsInStep(c.inflight, dt, hold);
      // Success falls off smoothly as service time approaches the request timeout.
      const r = service / timeout;
      const r2 = r * r;
      const pOk = 1 / (1 + r2 * r2 * r2);
      const okN = exits * pOk;
      const bad = exits - okN;
      c.inflight -= exits;
      c.exitRate = exits / dt;
      c.ok += okN;
      c.failed += bad;
      // A request's buffers fill over its service time (read from etcd, decode, encode); finished
      // requests release theirs at once.
      const target = c.inflight * c.cost.memoryBytes;
      c.memHeld = target <= c.memHeld ? target : c.memHeld + (target - c.memHeld) * Math.min(1, dt / Math.max(dt, hold * a0.memoryRampShare));
      memTemp += c.memHeld;
      if (c.cost.mutating) etcdWrites += exits / dt;
      requests += c.arrivals;
      // Queue wait: what is queued drains at the class's exit rate; beyond the queue-wait limit → 429.
      const drain = Math.max(1e-9, c.exitRate);
      const qWait = c.queued / drain;
      if (qWait > queueWait) {
        const drop = c.queued - drain * queueWait;
        c.queued -= drop;
        c.rejected += drop;
        this.#rejectTo(c, drop, c.level);
      }
      c.latency = Math.min(qWait, queueWait) + hold;
      if (okN > 0) {
        if (c.informer) {
          c.watching += okN;
          c.wait = Math.max(c.retryInitialS, c.wait * 0.9);
        } else c.wait = Math.max(c.retryInitialS, c.wait * 0.9);
        if (c.isCoredns) this.dns.onSynced(okN);
      }
      if (bad > 0) this.#toRetry(c, bad, false);
    }
    this.#requests = requests;
    // What still waits in the queues after admission and service (for the seat-saturation metric).
    for (let l = 0; l < L; l++) levelQueued[l] = 0;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      if (c.inflight <= 1e-12 && c.queued > 0 && c.exitRate === 0) {
        // Nothing in service yet: queued requests wait at most the queue-wait limit.
        const drop = (c.queued * dt) / queueWait;
        c.queued -= drop;
        c.rejected += drop;
        this.#rejectTo(c, drop, c.level);
      }
      levelQueued[c.level] = (levelQueued[c.level] ?? 0) + c.queued;
    }

    // etcd latency for small requests: M/M/1-like growth with the write rate, plus interference from
    // large range reads in progress (they compete for etcd's CPU, memory and disk).
    const u = Math.min(0.99, etcdWrites / m.etcd.writesPerS);
    this.#etcdLatency = Math.min(m.etcd.maxLatencyS, (m.etcd.baseLatencyS * this.#etcdSlowdown) / (1 - u) + m.etcd.rangeInterference * this.#etcdBacklogS);

    // 5. Memory per ready replica: resident + watch cache + its share of in-flight requests and watches.
    const perReplica = replicaMemoryBytes(m.apiServer, this.#storedBytes, memTemp + watchBytes(watchers, m.costs), ready);
    let worst = 0;
    let victim: Replica | null = null;
    for (let ri = 0; ri < this.replicas.length; ri++) {
      const r = this.replicas[ri] as Replica;
      if (r.state !== 'ready') continue;
      const ratio = perReplica / r.memLimit;
      if (ratio > worst) {
        worst = ratio;
        victim = r;
      }
    }
    this.#memRatio = worst;
    if (worst > 1 && victim !== null) {
      // OOM kill: the victim's share of queued and in-flight requests fails; its watches break.
      const share = 1 / ready;
      for (let ci = 0; ci < this.classes.length; ci++) {
        const c = this.classes[ci] as ClientClass;
        const lost = (c.inflight + c.queued) * share;
        c.memHeld *= 1 - share;
        c.inflight *= 1 - share;
        c.queued *= 1 - share;
        c.failed += lost;
        this.#toRetry(c, lost, false);
        if (c.informer && ready > 1) this.#breakWatches(c, share, t);
      }
      this.#crash(victim);
    }
  }

  #etcdBacklogS = 0;

  #seatsFreeEstimate(l: number, ready: number): number {
    const cap = this.#exempt[l] ? Infinity : (this.#levelCap[l] ?? (this.#nominal[l] ?? 0) * ready);
    return Math.max(0, Math.min(1e12, cap - (this.#levelUse[l] ?? 0)));
  }

  #rejectTo(c: ClientClass, x: number, l: number): void {
    this.#levelRejected[l] = (this.#levelRejected[l] ?? 0) + x;
    // Sustained drops double Retry-After up to its cap; calm halves it.
    const a = this.model.apiServer;
    c.retryAfter = Math.min(a.retryAfterMaxS, Math.max(a.retryAfterMinS, c.retryAfter * (x > 0.05 * c.n ? 1.2 : 1)));
    this.#toRetry(c, x, true);
  }

  #crash(r: Replica): void {
    const a = this.model.apiServer;
    r.state = 'down';
    r.downSince = this.t;
    r.restarts++;
    r.backoff = r.backoff === 0 ? a.crashLoopInitialS : Math.min(a.crashLoopMaxS, r.backoff * 2);
    r.lastCrash = this.t;
    r.until = this.t + r.backoff * (0.9 + 0.2 * this.#rng.float());
    this.#restartsWindow.push(this.t);
    this.#recountReady();
  }

  #stepNodesReady(dt: number, baseDt: number): void {
    const c = this.classes[0];
    if (c === undefined) return;
    const done = c.ok + c.failed + c.rejected;
    const okShare = done > 0 ? c.ok / done : this.#readyCount() > 0 ? 1 : 0;
    const g = this.model.clients.nodeMonitorGraceS;
    // A coarse step is the same average taken once per engine step.
    for (let k = Math.max(1, Math.round(dt / baseDt)); k > 0; k--) this.#leaseOkEma += ((okShare - this.#leaseOkEma) * baseDt) / g;
    // A node is NotReady when none of its lease renewals in the grace period succeeded.
    const tries = g / this.model.clients.leasePeriodS;
    if (this.#leaseOkEma !== this.#notReadyEma) {
      this.#notReadyEma = this.#leaseOkEma;
      this.#notReady = Math.pow(Math.max(0, 1 - this.#leaseOkEma), tries);
    }
  }

  #stepDns(t: number, dt: number, ready: number): void {
    // Control-plane node pressure, for CoreDNS placed beside the API servers: memory near the
    // limit, or an API server crash-looping on the node.
    let pressure = 0;
    if (this.#dnsOnControlPlane) {
      const th = this.model.dns.pressureThreshold;
      pressure = Math.max(0, Math.min(1, (this.#memRatio - th) / Math.max(1e-9, 1 - th)));
      const down = (this.replicas.length - this.#readyCount()) / this.replicas.length;
      pressure = Math.max(pressure, down);
    }
    const corednsClass = this.#coredns;
    this.dns.step(t, dt, pressure, ready > 0 ? this.#controllerHealth() : 0, this.nodes);
    // Restarted CoreDNS replicas must list services and endpoints to get a store.
    if (corednsClass !== undefined) {
      const needList = this.dns.takeRestarted();
      if (needList > 0) {
        const move = Math.min(corednsClass.watching, needList);
        corednsClass.watching -= move;
        corednsClass.pending += move;
      }
    }
  }

  #summarise(ready: number): void {
    let ordOk = 0;
    let ordAll = 0;
    let all = 0;
    let rejected = 0;
    let p99 = 0;
    let p99Single = 0;
    let totalOrd = 0;
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      if (c.ordinary) totalOrd += c.arrivals + c.failed;
    }
    for (let ci = 0; ci < this.classes.length; ci++) {
      const c = this.classes[ci] as ClientClass;
      const done = c.ok + c.failed + c.rejected;
      all += c.arrivals + (c.failed - 0);
      rejected += c.rejected;
      if (!c.ordinary) continue;
      ordOk += c.ok;
      ordAll += done;
      // p99 proxy: the slowest class carrying at least 1 % of ordinary requests.
      if (totalOrd > 0 && (c.arrivals + c.failed) / totalOrd >= ORDINARY_MIN_SHARE) {
        const lat = c.failed > c.ok ? this.model.apiServer.requestTimeoutS : c.latency;
        p99 = Math.max(p99, lat);
        if (c.singleObject) p99Single = Math.max(p99Single, lat);
      }
    }
    if (ready === 0) {
      p99 = this.model.apiServer.requestTimeoutS;
      p99Single = p99;
    }
    this.#ordinaryOk = ordOk;
    this.#ordinaryAll = ordAll;
    this.#rejectedTotal = rejected;
    this.#arrivalsTotal = all;
    this.#p99 = p99;
    this.#p99Single = p99Single;
    while (this.#restartsWindow.length > 0 && (this.#restartsWindow[0] ?? 0) < this.t - 60) this.#restartsWindow.shift();
  }

  // ---------------------------------------------------------------- observation

  readyRatio(): number {
    return this.#readyCount() / Math.max(1, this.replicas.length);
  }

  totalRestarts(): number {
    let s = 0;
    for (let i = 0; i < this.replicas.length; i++) s += (this.replicas[i] as Replica).restarts;
    return s;
  }

  successRatio(): number {
    return this.#ordinaryAll > 0 ? this.#ordinaryOk / this.#ordinaryAll : this.#readyCount() > 0 ? 1 : 0;
  }

  p99(): number {
    return this.#p99;
  }

  memoryRatio(): number {
    return this.#memRatio;
  }

  /** Agents of the change still running (pods). */
  agents(): number {
    return this.agentsRunning;
  }

  metrics(trafficShare: number): MetricSample {
    const o: Partial<Record<MetricName, number>> = {};
    for (const name of METRIC_NAMES) o[name] = this.metricValue(name, trafficShare);
    return o as MetricSample;
  }

  #rejectedRatio(): number {
    return this.#arrivalsTotal > 0 ? Math.min(1, this.#rejectedTotal / this.#arrivalsTotal) : 0;
  }

  /** One metric of metrics(), computed alone (alert rules read a few of them every evaluation). */
  metricValue(name: MetricName, trafficShare: number): number {
    switch (name) {
      case 'apiserver_success_ratio':
        return this.successRatio();
      case 'apiserver_429_ratio':
        return this.#rejectedRatio();
      case 'apiserver_p99_seconds':
        return this.#p99;
      case 'apiserver_p99_single_object_seconds':
        return this.#p99Single;
      case 'apiserver_ready_ratio':
        return this.readyRatio();
      case 'apiserver_restarts':
        return this.#restartsWindow.length;
      case 'apiserver_memory_ratio':
        return this.#memRatio;
      case 'apf_seat_saturation': {
        if (this.#readyCount() === 0) return 1;
        let sat = 0;
        for (let l = 0; l < this.levelNames.length; l++) {
          if (this.#exempt[l]) continue;
          const cap = this.#levelCap[l] ?? 0;
          if (cap > 0) sat = Math.max(sat, ((this.#levelUse[l] ?? 0) + (this.#levelQueued[l] ?? 0)) / cap);
        }
        return sat;
      }
      case 'apiserver_requests_per_second':
        return this.#requests;
      case 'etcd_latency_seconds':
        return this.#etcdLatency;
      case 'dns_servfail_ratio':
        return this.dns.servfailRatio();
      case 'dns_cache_valid_ratio':
        return this.dns.validRatio();
      case 'nodes_not_ready_ratio':
        return this.#notReady;
      case 'dataplane_error_ratio':
        return this.dataPlaneErrorRatio();
      case 'traffic_share':
        return trafficShare;
    }
  }

  /** Writes the recorded metrics (Recorder.RECORDED order) without allocating. */
  sampleInto(out: Float64Array): void {
    out[0] = this.successRatio();
    out[1] = this.#p99;
    out[2] = this.#rejectedRatio();
    out[3] = this.#memRatio;
    out[4] = this.dns.validRatio();
    out[5] = this.dns.servfailRatio();
    out[6] = this.dataPlaneErrorRatio();
    out[7] = this.#notReady;
    out[8] = this.readyRatio();
    out[9] = this.#requests;
  }

  dataPlaneErrorRatio(): number {
    return this.dns.errorRatio() * this.model.dataPlane.dnsDependentShare;
  }

  levels(): LevelSample[] {
    return this.levelNames.map((name, l) => ({
      level: name,
      seats: this.#levelCap[l] ?? 0,
      inUse: this.#levelUse[l] ?? 0,
      queued: this.#levelQueued[l] ?? 0,
      rejectedPerS: this.#levelRejected[l] ?? 0,
    }));
  }

  /** Requests per second a class sent last step (for API-share accounting). */
  classRate(name: string): number {
    return this.classes.find((c) => c.name === name)?.arrivals ?? 0;
  }
}

