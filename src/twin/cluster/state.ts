/**
 * The state of one cluster of the twin: every number its fluid model keeps
 * between steps, in one plain object (one hidden class), so the functions of
 * the neighbouring files (clients, APF admission, service, replicas, agents,
 * leases, CoreDNS, quiescence, observation, actions) are plain functions over
 * it and the hot loops stay monomorphic. Its fields are public to the twin;
 * outside src/twin the twin is reached through its public face.
 *
 * The constructor sets what needs no other part of the model (the APF level
 * tables, the control-plane machine, the buffers); ClusterSim's constructor
 * (src/twin/cluster-sim.ts) builds the rest (replicas, client classes, DNS).
 *
 * @example
 *   const s = new ClusterState(cluster, DEFAULT_MODEL, undefined, Random.seeded(1), []);
 *   s.levelNames; // ['exempt', 'system', 'node-high', ...]
 */
import type { Cluster } from '../../model/fleet.ts';
import type { CallProfile, ResourceStats } from '../../model/profile.ts';
import { protobufCosts, type RequestCost } from '../../model/cost.ts';
import { flowQueueRoom, lendableSeats, levelQueueRoom, nominalSeats } from '../../model/apf-capacity.ts';
import { sizingTier } from '../../model/sizing.ts';
import type { Random } from '../../core/random.ts';
import type { CostParams, ModelConfig } from '../../model/model-schema.ts';
import type { BlockSource, ChangeSpec } from '../scenario.ts';
import type { DnsState } from '../dns.ts';
import { storeAsDoubles } from './doubles.ts';

/** Seconds of dropped-request history kept per level: kube-apiserver's maxRetryAfter (retry-after.ts). */
export const DROP_HISTORY = 32;

export type ClientGroup = 'nodes' | 'change' | 'workloads' | 'control' | 'operator';

/** A population of identical clients. */
export interface ClientClass {
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
  /**
   * Requests submitted from outside through the served API (TwinApi.submit): no clients of its
   * own (n = 0), its arrivals are the requests submitted, its cost theirs (external.ts).
   */
  readonly external: boolean;
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

export interface Replica {
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
  /** served; rejected: 429 with Retry-After; timeout: 504; refused: no API server reachable. */
  readonly status: 'served' | 'rejected' | 'timeout' | 'refused';
  readonly reason: string;
  readonly latencyS: number;
  /** Retry-After of a 429 (rejected), seconds; 0 otherwise. */
  readonly retryAfterS: number;
}

/** An API server scale-up being provisioned: it lands at `at`. */
export interface PendingScale {
  readonly at: number;
  readonly replicas: number;
  readonly memoryFactor: number;
  readonly cpuFactor: number;
}

export class ClusterState {
  readonly cluster: Cluster;
  readonly model: ModelConfig;
  readonly rng: Random;
  /** Which replica the external load balancer picks for an outside request (its own stream, so requests do not perturb the physics). */
  readonly lbRng: Random;
  /** When a small workload's pods start (agents.ts), its own stream too. */
  readonly agentRng: Random;
  readonly protobuf: CostParams;

  // ------------------------------------------------------------ APF levels (fixed after construction)
  readonly levelNames: string[];
  readonly nominal: number[];
  readonly lendable: number[];
  readonly levelQueueCap: number[];
  readonly flowQueueCap: number[];
  readonly reject: boolean[];
  readonly exempt: boolean[];
  /** Levels served by a dedicated API server endpoint (break-glass). */
  readonly dedicated = new Set<string>();

  // ------------------------------------------------------------ client classes
  readonly classes: ClientClass[] = [];
  readonly changeClasses: ClientClass[] = [];
  /** Classes per priority level, fixed after construction. */
  byLevel: ClientClass[][] = [];
  demand = new Float64Array(0);
  /** Scratch lists of the water-filling admission (apf.ts). */
  readonly members: ClientClass[] = [];
  readonly next: ClientClass[] = [];
  controllerWrites: ClientClass | undefined;
  controllerInformerClass: ClientClass | undefined;
  kubeletPods: ClientClass | undefined;
  coredns: ClientClass | undefined;

  // ------------------------------------------------------------ leases
  // Leader election of the controllers (kube-controller-manager, kube-scheduler).
  leader = true;
  lastRenew = 0;
  synced = true;
  leaseOkEma = 1;
  /** The lease average notReady was last computed from. */
  notReadyEma = 1;
  notReady = 0;

  // ------------------------------------------------------------ quiescence and coarse steps
  // Quiescence: a cluster whose state stopped changing is advanced without recomputation.
  quiet = false;
  calmSteps = 0;
  prevState = 0;
  /** The last step left every observable value as it was (a quiet cluster, or inside a coarse step). */
  held = false;
  // Coarse stepping while no API server is ready (docs/model.md, "Coarse steps while the API is down").
  coarseFrom = 0;
  coarseEnd = 0;
  coarseLagS = 0;
  /** The engine's step. */
  baseDt = 1;

  // ------------------------------------------------------------ API server replicas and the machine
  readonly replicas: Replica[] = [];
  /** Replicas ready now (kept by recountReady whenever a replica changes state). */
  readyN = 0;
  // Hosts being replaced one by one (faults.ts): the next replica, when, how far apart, how long gone.
  replaceNext = 0;
  replaceAtS = Infinity;
  replaceEveryS = 0;
  replaceDownS = 0;
  readonly tierCores: number = 0;
  readonly tierMem: number = 0;
  cpuFactor = 1;
  memFactor = 1;
  memFactorApplied = 1;
  pendingScale: PendingScale | null = null;
  restartsWindow: number[] = [];
  /** Restarts of the replicas since the start, by cause (replicas.ts, crash). */
  oomKills = 0;
  faultKills = 0;
  otherRestarts = 0;
  /** Memory over the limit of the replica last OOM-killed, when it was killed. */
  oomKillMemRatio = 0;
  /** Share of the ready API servers' cores in use last step, at most 1 (service.ts: apiserver_cpu_ratio). */
  cpuRatio = 0;

  // ------------------------------------------------------------ objects, nodes, network, etcd
  /** CoreDNS; set once by ClusterSim's constructor. */
  dns!: DnsState;
  readonly dnsOnControlPlane: boolean = false;
  resources: Map<string, ResourceStats> = new Map();
  storedBytes = 0;
  // Numbers set by the constructor start at 0, not undefined: a field first holding undefined
  // would keep a representation that allocates on every store of a fraction (doubles.ts).
  nodes = 0;
  readonly originalNodes: number = 0;
  nodeTarget = 0;
  nodeRate = 0;
  etcdSlowdown = 1;
  etcdSlowUntil = 0;
  readonly block: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };
  readonly blockTarget: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };
  readonly blockRate: Record<BlockSource, number> = { nodes: 0, change: 0, workloads: 0 };

  // ------------------------------------------------------------ the change
  /** The scenario's change, or one installed at run time (TwinApi.installChange, install.ts). */
  change: ChangeSpec | undefined;
  changeFraction = 0;
  changeAppliedAtS: number | null = null;
  /** When the change was last removed (null: never). */
  changeRemovedAtS: number | null = null;
  changeDeployed = false;
  changeShed = false;
  /** Agent pods created but not started yet, by seconds until start. */
  readonly starting: Float64Array;
  startHead = 0;
  agentsRunning = 0;
  agentsCreated = 0;
  agentsToDelete = 0;
  deletedNotStopped = 0;
  killSwitch = false;
  /**
   * The kill switch's stop of the agents that reach its endpoint, spread over one poll interval
   * (agents.ts): how many are still to stop, at what rate (agents per second).
   */
  killLeft = 0;
  killRate = 0;

  // ------------------------------------------------------------ requests from outside (the served API)
  /** Classes of submitted requests, by level and kind of cost (external.ts). */
  readonly externalClasses = new Map<string, ClientClass>();
  /**
   * Retry-After per level, seconds: kube-apiserver's dropped-requests tracker (retry-after.ts).
   * The second and the drops of the current second, then a ring of past seconds' drops.
   */
  readonly retryAfterS: Float64Array;
  readonly retryAfterUpdateS: Float64Array;
  readonly dropSecond: Float64Array;
  readonly dropCount: Float64Array;
  readonly dropHistSecond: Float64Array;
  readonly dropHistCount: Float64Array;

  // ------------------------------------------------------------ derived each step
  etcdLatency = 0;
  etcdBacklogS = 0;
  slowdown = 1;
  memRatio = 0;
  readonly levelUse: Float64Array;
  readonly levelQueued: Float64Array;
  readonly levelCap: Float64Array;
  readonly levelRejected: Float64Array;
  requests = 0;
  rejectedTotal = 0;
  arrivalsTotal = 0;
  ordinaryOk = 0;
  ordinaryAll = 0;
  p99 = 0;
  p99Single = 0;
  allDown = false;
  // Figures one serve step (service.ts) hands from one of its named steps to the next.
  /** Read bandwidth of etcd per concurrent range read. */
  etcdRate = 0;
  /** Established watches at the start of service. */
  watchers = 0;
  /** Memory held by in-flight requests. */
  memTemp = 0;
  /** Cores the Go GC took last step for the bytes requests allocated, at GOGC=100 (service.ts, gc-cpu.ts). */
  gcCores = 0;
  /** Writes per second that reached etcd. */
  etcdWrites = 0;
  t = 0;

  constructor(cluster: Cluster, model: ModelConfig, change: ChangeSpec | undefined, rng: Random, extraLevels: readonly { name: string; seats: number; dedicated: boolean }[]) {
    this.cluster = cluster;
    this.model = model;
    this.change = change;
    this.rng = rng;
    this.lbRng = rng.fork('load-balancer');
    this.agentRng = rng.fork('agent-starts');
    this.protobuf = protobufCosts(model.costs);
    this.nodes = cluster.nodes;
    this.originalNodes = cluster.nodes;
    this.nodeTarget = cluster.nodes;
    const levels = model.apf.levels;
    const nominal = nominalSeats(levels, model.apiServer.seats);
    const lend = lendableSeats(levels, nominal);
    this.levelNames = levels.map((l) => l.name);
    this.nominal = nominal;
    this.lendable = lend;
    this.levelQueueCap = levels.map((l) => levelQueueRoom(l));
    this.flowQueueCap = levels.map((l) => flowQueueRoom(l));
    this.reject = levels.map((l) => l.reject);
    this.exempt = levels.map((l) => l.exempt);
    for (const x of extraLevels) {
      if (x.dedicated) this.dedicated.add(x.name);
      // Break-glass: reserved seats, never lent, queued like system.
      this.levelNames.push(x.name);
      this.nominal.push(x.seats);
      this.lendable.push(0);
      this.levelQueueCap.push(16 * 50);
      this.flowQueueCap.push(4 * 50);
      this.reject.push(false);
      this.exempt.push(false);
    }
    const L = this.levelNames.length;
    this.levelUse = new Float64Array(L);
    this.levelQueued = new Float64Array(L);
    this.levelCap = new Float64Array(L);
    this.levelRejected = new Float64Array(L);
    this.etcdLatency = model.etcd.baseLatencyS;
    this.retryAfterS = new Float64Array(L).fill(model.apiServer.retryAfterMinS);
    this.retryAfterUpdateS = new Float64Array(L).fill(-Infinity);
    this.dropSecond = new Float64Array(L).fill(-Infinity);
    this.dropCount = new Float64Array(L);
    this.dropHistSecond = new Float64Array(L * DROP_HISTORY).fill(-Infinity);
    this.dropHistCount = new Float64Array(L * DROP_HISTORY);
    const ch = model.change;
    this.starting = new Float64Array(Math.ceil(ch.startDelayS + ch.startSpreadS) + 2);

    const tier = sizingTier(model.apiServer.sizing, cluster.nodes);
    this.tierCores = tier.cpuCores;
    this.tierMem = tier.memoryBytes;
    this.dnsOnControlPlane = model.dns.placement === 'control-plane';
    storeAsDoubles(this, FRACTIONAL_FIELDS);
    for (const r of [this.block, this.blockTarget, this.blockRate]) storeAsDoubles(r, BLOCK_SOURCES);
  }
}

/** The state's numbers that take fractional values during a run (doubles.ts). */
const FRACTIONAL_FIELDS = [
  'lastRenew', 'leaseOkEma', 'notReadyEma', 'notReady', 'prevState', 'coarseFrom', 'coarseEnd', 'coarseLagS',
  'cpuFactor', 'memFactor', 'memFactorApplied', 'storedBytes', 'nodes', 'originalNodes', 'nodeTarget', 'nodeRate',
  'etcdSlowdown', 'etcdSlowUntil', 'changeFraction', 'agentsRunning', 'agentsCreated', 'agentsToDelete',
  'deletedNotStopped', 'killLeft', 'killRate', 'etcdLatency', 'etcdBacklogS', 'slowdown', 'memRatio', 'requests',
  'rejectedTotal', 'arrivalsTotal', 'ordinaryOk', 'ordinaryAll', 'p99', 'p99Single', 'etcdRate', 'watchers', 'memTemp',
  'etcdWrites', 'tierCores', 'tierMem', 'gcCores', 'replaceAtS', 'replaceEveryS', 'replaceDownS',
] as const satisfies readonly (keyof ClusterState)[];

const BLOCK_SOURCES = ['nodes', 'change', 'workloads'] as const satisfies readonly BlockSource[];
