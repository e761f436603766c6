/**
 * The estimate: what a set of workloads' API calls cost one cluster's control
 * plane, in steady state and at the moment every pod starts (or relists) at
 * once, against that cluster's capacity (capacity.ts), and the verdict.
 *
 * Unit costs come from src/model/cost.ts `requestCost`, the function the twin
 * uses, so the two agree on what one request costs; the estimate replaces the
 * twin's dynamics with closed forms (docs/analyzer.md, "How estimates are
 * computed"):
 *
 * - steady state: periodic calls arrive at clients / period; informers list
 *   once, then receive watch events. A request holds its seats and memory
 *   for its service time: CPU (slowed by processor sharing, 1 / (1 − ρ_cpu)),
 *   transfer, and for consistent reads etcd (its read bandwidth shared,
 *   1 / (1 − ρ_etcd)). When CPU or etcd demand reaches capacity, requests pile
 *   up, each until the request timeout, until every client has one in flight
 *   or the priority level's seats are full (APF stops admitting);
 * - the rollout: pods start at the rate the controller creates them, spread
 *   over their start delays (the twin's `change` model), each making its
 *   first calls at once — the same closed forms with those arrivals;
 * - the relist: every informer lists at once (after an API-server restart or
 *   an outage longer than the watch cache window), as far as seats admit;
 * - every pod at once: all first calls at the same instant (reported, and a
 *   warning only: periodic callers do not synchronise after a restart);
 * - memory per API-server replica: its baseline (watch cache, the cluster's
 *   own watches) + in-flight request memory × (1 + GC headroom) / replicas —
 *   the quantity the twin OOM-kills on (docs/model.md, "API servers and APF").
 *
 * References: "ref" = ../shared/reference/kubernetes-control-plane.md.
 */
import { perReplicaBytes, watchBytes } from '../model/apiserver-memory.ts';
import { requestCost, watchEventsPerClient, type RequestCost } from '../model/cost.ts';
import { cpuSlowdown, cpuWanted, watchCpuS } from '../model/cpu-sharing.ts';
import { exitsInStep } from '../model/exit-rate.ts';
import type { CostParams, ModelConfig } from '../model/model-schema.ts';
import type { CallProfile } from '../model/profile.ts';
import { etcdRangeRate, etcdTimeS, heldS, readsRange, serviceTimeS } from '../model/service-time.ts';
import { cachedCapacity, type ClusterCapacity } from './capacity.ts';
import type { Verdict } from './types.ts';

/** A workload as the estimate sees it. */
export interface PlannedWorkload {
  readonly key: string;
  readonly perNode: boolean;
  readonly replicas: number;
  readonly level: string;
  readonly calls: readonly CallProfile[];
  /** Identical workloads this one stands for (default 1): their clients add up. */
  readonly count?: number;
  /** Names of calls made only by an elected leader: one client per cluster (per workload) instead of every pod. */
  readonly leaderCalls?: ReadonlySet<string>;
}

/**
 * Verdict thresholds (docs/analyzer.md, "Verdicts"). Block is what the twin
 * loses a control plane to: API-server memory above its limit (an OOM kill;
 * the killed server's clients retry and relist on its peers) in steady
 * state, during the rollout, or when every informer relists at once. Warn is
 * memory within 20 % of the limit, or half of a steady-state capacity (seats,
 * CPU, etcd reads). The memory if every pod made its first calls at the same
 * instant is reported, not judged: pods start spread out, and periodic
 * callers do not synchronise after a restart (informers do: the relist).
 */
export const THRESHOLDS = {
  blockMemory: 1,
  warnMemory: 0.8,
  warnSeats: 0.5,
  warnCpu: 0.5,
  warnEtcd: 0.5,
} as const;

export type RatioName = 'memorySteady' | 'memoryRollout' | 'memoryRelist' | 'memoryAtOnce' | 'seats' | 'cpu' | 'etcd';
export const RATIO_NAMES: readonly RatioName[] = ['memorySteady', 'memoryRollout', 'memoryRelist', 'memoryAtOnce', 'seats', 'cpu', 'etcd'];

export interface CallEstimate {
  readonly workload: string;
  readonly call: string;
  readonly clients: number;
  readonly cost: RequestCost;
  readonly requestsPerSecond: number;
  readonly watchEventsPerSecond: number;
  /** Requests in flight: steady state, during the rollout, and when every client calls at once. */
  readonly steadyInflight: number;
  readonly rolloutInflight: number;
  readonly atOnceInflight: number;
  /** In flight when every informer relists at once (0 for periodic calls). */
  readonly relistInflight: number;
  /** Memory its in-flight requests hold per API-server replica, with GC headroom. */
  readonly steadyMemoryBytes: number;
  readonly rolloutMemoryBytes: number;
  readonly atOnceMemoryBytes: number;
  readonly relistMemoryBytes: number;
  readonly cpuCores: number;
  readonly etcdReadBytesPerSecond: number;
  /** Seats held in steady state. */
  readonly seats: number;
}

export interface LevelLoad {
  readonly level: string;
  /** Seats the change holds in steady state, all replicas. */
  readonly addedSeats: number;
  readonly nominalSeats: number;
  readonly availableSeats: number;
  /** Seats it would take for every client's first call to be in flight at once. */
  readonly atOnceSeatDemand: number;
}

export interface ClusterEstimate {
  readonly nodes: number;
  readonly pods: number;
  readonly addedRequestsPerSecond: number;
  readonly addedSeats: number;
  readonly levels: readonly LevelLoad[];
  /** Response bytes of LISTs per second, steady state. */
  readonly listBytesPerSecond: number;
  readonly etcdReadBytesPerSecond: number;
  readonly watchEventsPerSecond: number;
  readonly addedCpuCores: number;
  /** Per API-server replica, with GC headroom: in-flight request memory when every pod makes its first call at once. */
  readonly peakListMemoryBytes: number;
  readonly steadyListMemoryBytes: number;
  readonly rolloutListMemoryBytes: number;
  readonly relistMemoryBytes: number;
  /** Per replica: the change's open watches. */
  readonly watchMemoryBytes: number;
  readonly baselineMemoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly apiServerCores: number;
  readonly etcdReadCapacityBytesPerSecond: number;
  /** CPU and etcd utilisation while the pods start (the rollout). */
  readonly rolloutCpuRatio: number;
  readonly rolloutEtcdRatio: number;
  readonly ratios: Readonly<Record<RatioName, number>>;
  readonly verdict: Verdict;
  /** Ratios that set the verdict. */
  readonly reasons: readonly RatioName[];
  /** Each call's figures; empty when the estimate was made without them (`perCallFigures` false: the sums and verdict alone). */
  readonly calls: readonly CallEstimate[];
}

interface Prepared {
  readonly w: PlannedWorkload;
  readonly p: CallProfile;
  readonly clients: number;
  readonly cost: RequestCost;
  readonly events: number;
  /** Steady-state arrivals per second. */
  readonly rate: number;
  /** Unloaded service time: CPU + transfer + etcd (its whole bandwidth). */
  readonly service0: number;
  readonly informer: boolean;
  /** Index of its priority level in the estimate's level table. */
  readonly li: number;
}

interface PhaseLoad {
  readonly inflight: Float64Array;
  readonly rhoCpu: number;
  readonly rhoEtcd: number;
}

/**
 * Estimate for a cluster given its capacity. `perCallFigures` false leaves `calls` empty (every other
 * figure is the same, computed in the same order): for cluster reports and verdicts, which read only the sums.
 */
export function estimateWith(workloads: readonly PlannedWorkload[], cap: ClusterCapacity, model: ModelConfig, perCallFigures = true): ClusterEstimate {
  const costs: CostParams = model.costs;
  const baseLatency = model.etcd.baseLatencyS;
  const prepared: Prepared[] = [];
  const levelIndex = new Map<string, number>();
  const availList: number[] = [];
  for (const w of workloads) {
    if (!levelIndex.has(w.level)) {
      const l = cap.levels.get(w.level);
      levelIndex.set(w.level, availList.length);
      availList.push(l === undefined || l.exempt ? Infinity : l.available);
    }
    const perWorkload = w.perNode ? cap.nodes : w.replicas;
    if (perWorkload <= 0) continue;
    for (const p of w.calls) {
      const clients = (w.leaderCalls?.has(p.name) === true ? 1 : perWorkload) * (w.count ?? 1);
      const r = cap.resource(p.resource);
      const cost = requestCost(p, r, cap.nodes, costs);
      const informer = p.verb === 'watch';
      // Periodic calls: clients / period, bounded by the client-side rate limit; informers list once.
      const rate = informer || p.periodS <= 0 ? 0 : Math.min(clients / p.periodS, clients * p.qps);
      const service0 = serviceTimeS(cost, 1, etcdTimeS(cost, baseLatency, cap.etcdReadBytesPerS));
      prepared.push({ w, p, clients, cost, events: watchEventsPerClient(p, r, cap.nodes), rate, service0, informer, li: levelIndex.get(w.level) ?? 0 });
    }
  }

  // Per-call figures are kept in Float64Arrays (one shape for every estimate: its loops stay optimised).
  const avail = Float64Array.from(availList);
  const perCall = (f: (x: Prepared, i: number) => number): Float64Array => {
    const a = new Float64Array(prepared.length);
    for (let i = 0; i < prepared.length; i++) a[i] = f(prepared[i] as Prepared, i);
    return a;
  };

  let watchCpu = 0;
  let events = 0;
  let watchers = 0;
  let listBytes = 0;
  let rps = 0;
  for (const x of prepared) {
    watchCpu += watchCpuS(x.clients, x.events, costs);
    events += x.clients * x.events;
    if (x.informer) watchers += x.clients;
    if (x.p.verb === 'list') listBytes += x.rate * x.cost.responseBytes;
    rps += x.rate;
  }

  /**
   * Requests in flight with arrivals `lambda` per call lasting `durationS`
   * (Little's law, with processor sharing of CPU and etcd). Past capacity
   * (ρ ≥ 1) the share 1 − 1/ρ of arrivals cannot be served and piles up for
   * the phase's duration; a request lives at most the request timeout, and
   * APF admits no more than the level's seats (fillLevels).
   */
  const flowing = (lambda: Float64Array, durationS: number): PhaseLoad => {
    let cpu = watchCpu;
    let etcd = 0;
    prepared.forEach((x, i) => {
      cpu += (lambda[i] ?? 0) * x.cost.cpuS;
      etcd += (lambda[i] ?? 0) * x.cost.etcdBytes;
    });
    const rhoCpu = cpu / cap.cores;
    const rhoEtcd = etcd / cap.etcdReadBytesPerS;
    const rho = Math.max(rhoCpu, rhoEtcd);
    const want = perCall((x, i) => {
      const l = lambda[i] ?? 0;
      if (l <= 0) return 0;
      const c = x.cost;
      let s: number;
      if (rho >= 1) s = x.service0 + (1 - 1 / rho) * durationS;
      else {
        // The unloaded etcd time (service0 less CPU and transfer), or for a range read its bytes at the share of etcd left.
        const etcdS = readsRange(c) ? etcdTimeS(c, baseLatency, cap.etcdReadBytesPerS, 1 - rhoEtcd) : x.service0 - c.cpuS - c.transferS;
        s = c.cpuS / (1 - rhoCpu) + c.transferS + etcdS;
      }
      return Math.min(x.clients, l * heldS(s, cap.requestTimeoutS));
    });
    return { inflight: fillLevels(prepared, avail, want, perCall((x, i) => (lambda[i] ?? 0) * x.cost.seats * x.service0), new Float64Array(prepared.length)), rhoCpu, rhoEtcd };
  };
  /** Every selected client's call in flight at once, as far as the level's seats admit. */
  const atOnce = (select: (x: Prepared) => boolean): Float64Array =>
    fillLevels(
      prepared,
      avail,
      perCall((x) => (select(x) ? x.clients : 0)),
      perCall((x) => x.clients * x.cost.seats * x.service0),
      new Float64Array(prepared.length),
    );

  /**
   * The rollout, step by step (at most 120 steps over its duration): first
   * calls arrive at `first`, periodic calls at `periodic` × the share of pods
   * already started; they are served with the twin's processor sharing — CPU
   * slowdown = CPU wanted / cores, etcd's read bandwidth split evenly over the
   * large reads in flight — leave after their service time or the request
   * timeout, and are admitted only as far as the level's seats go. Returns the
   * in-flight requests at the moment they hold the most memory.
   */
  const ramp = (createS: Float64Array, spreadS: number, periodic: Float64Array): PhaseLoad => {
    const n = prepared.length;
    // First calls: pods created evenly over createS, each starting after a delay spread evenly over
    // spreadS: a trapezoid of arrivals, peaking at clients / max(createS, spreadS) per second.
    const firstCalls = perCall((x, i) => x.clients / Math.max(createS[i] ?? 0, spreadS, 1e-9));
    // Math.max(1, ...createS), without spreading the array into arguments.
    let longest = 1;
    for (let i = 0; i < n; i++) longest = Math.max(longest, createS[i] ?? 0);
    const durationS = longest + spreadS;
    let cpuD = watchCpu;
    let etcdD = 0;
    for (let i = 0; i < n; i++) {
      const p = prepared[i] as Prepared;
      cpuD += ((firstCalls[i] ?? 0) + (periodic[i] ?? 0)) * p.cost.cpuS;
      etcdD += ((firstCalls[i] ?? 0) + (periodic[i] ?? 0)) * p.cost.etcdBytes;
    }
    const rhoCpu = cpuD / cap.cores;
    const rhoEtcd = etcdD / cap.etcdReadBytesPerS;
    // Below capacity the in-flight count only climbs toward its steady value (the closed form), so
    // when even that is far from the memory thresholds the steps cannot change the verdict.
    if (Math.max(rhoCpu, rhoEtcd) < 1) {
      const closed = flowing(perCall((_, i) => (firstCalls[i] ?? 0) + (periodic[i] ?? 0)), Infinity);
      let m = 0;
      for (let i = 0; i < n; i++) m += (closed.inflight[i] ?? 0) * (prepared[i] as Prepared).cost.memoryBytes;
      if ((cap.baselineBytes + perReplicaBytes(m, cap.gcFactor, cap.replicas)) / cap.memoryLimitBytes < THRESHOLDS.warnMemory - 0.05) return closed;
    }
    // The steps' working arrays, views of buffers reused by every ramp (zeroed where they start from 0).
    const work = rampBuffers(n, avail.length);
    const cpuShare = work.cpuShare;
    const heavy = work.heavy;
    for (let i = 0; i < n; i++) {
      const c = (prepared[i] as Prepared).cost;
      // CPU one request in flight wants (processor sharing).
      cpuShare[i] = cpuWanted(1, c, baseLatency);
      heavy[i] = readsRange(c) ? 1 : 0;
    }
    // In flight at the current step; the next step is filled into the other buffer, and the step
    // holding the most memory is copied out.
    const bufA = work.a;
    const bufB = work.b;
    let x = bufA;
    const best = new Float64Array(n);
    let bestMem = -1;
    const scratch: FillScratch = { wanted: work.wanted };
    // Fewer, longer steps when many calls share the phase (a whole change of many workloads).
    const steps = Math.min(Math.max(20, Math.round(6000 / Math.max(1, n))), 120, Math.max(1, Math.ceil(durationS)));
    const dt = durationS / steps;
    const want = work.want;
    const weight = work.weight;
    const started = work.started;
    for (let s = 0; s < steps; s++) {
      const t = (s + 0.5) * dt;
      let cpuWant = watchCpu;
      let etcdConc = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[i] ?? 0;
        cpuWant += xi * (cpuShare[i] ?? 0);
        if (heavy[i] === 1) etcdConc += xi;
      }
      const sd = cpuSlowdown(cpuWant, cap.cores);
      const etcdRate = etcdRangeRate(cap.etcdReadBytesPerS, etcdConc);
      for (let i = 0; i < n; i++) {
        const p = prepared[i] as Prepared;
        const c = p.cost;
        const hold = heldS(serviceTimeS(c, sd, etcdTimeS(c, baseLatency, etcdRate)), cap.requestTimeoutS);
        const xi = x[i] ?? 0;
        const exits = exitsInStep(xi, dt, hold);
        const c0 = Math.max(createS[i] ?? 0, 1e-9);
        const overlap = Math.max(0, Math.min(c0, t) - Math.max(0, t - spreadS));
        const firstRate = (p.clients * overlap) / (c0 * Math.max(spreadS, 1e-9));
        started[i] = Math.min(1, (started[i] ?? 0) + (firstRate * dt) / Math.max(1e-9, p.clients));
        const lambda = firstRate + (periodic[i] ?? 0) * (started[i] ?? 0);
        const w = Math.min(p.clients, xi - exits + lambda * dt);
        want[i] = w;
        weight[i] = w * c.seats;
      }
      x = fillLevels(prepared, avail, want, weight, x === bufA ? bufB : bufA, scratch);
      let m = 0;
      for (let i = 0; i < n; i++) m += (x[i] ?? 0) * (prepared[i] as Prepared).cost.memoryBytes;
      if (m > bestMem) {
        bestMem = m;
        for (let i = 0; i < n; i++) best[i] = x[i] ?? 0;
      }
    }
    return { inflight: best, rhoCpu, rhoEtcd };
  };
  const steady = flowing(
    perCall((x) => x.rate),
    Infinity,
  );
  // The rollout: pods are created at the controller's rate and each starts within a spread of
  // start delays (the twin's change model), making its first calls at once; the pods already up
  // make their periodic calls.
  const ch = model.change;
  const rollout = ramp(
    perCall((x) => x.clients / Math.max(1e-9, ch.podCreationsPerS)),
    ch.startSpreadS,
    perCall((x) => x.rate),
  );
  const relist = atOnce((x) => x.informer);
  const all = atOnce(() => true);

  const perReplica = (x: Prepared): number => perReplicaBytes(x.cost.memoryBytes, cap.gcFactor, cap.replicas);
  const calls: CallEstimate[] = [];
  const mem = { steady: 0, rollout: 0, relist: 0, all: 0 };
  const seatsByLevel = new Map<string, number>();
  const demand = new Map<string, number>();
  for (let i = 0; i < prepared.length; i++) {
    const x = prepared[i] as Prepared;
    const m = perReplica(x);
    const steadyIn = steady.inflight[i] ?? 0;
    const rolloutIn = rollout.inflight[i] ?? 0;
    const allIn = all[i] ?? 0;
    const relistIn = relist[i] ?? 0;
    const steadyMem = steadyIn * m;
    const rolloutMem = rolloutIn * m;
    const allMem = allIn * m;
    const relistMem = relistIn * m;
    const seats = steadyIn * x.cost.seats;
    // The per-call figures only when asked for (a cluster report and a verdict read the sums alone).
    if (perCallFigures) {
      calls.push({
        workload: x.w.key,
        call: x.p.name,
        clients: x.clients,
        cost: x.cost,
        requestsPerSecond: x.rate,
        watchEventsPerSecond: x.clients * x.events,
        steadyInflight: steadyIn,
        rolloutInflight: rolloutIn,
        atOnceInflight: allIn,
        relistInflight: relistIn,
        steadyMemoryBytes: steadyMem,
        rolloutMemoryBytes: rolloutMem,
        atOnceMemoryBytes: allMem,
        relistMemoryBytes: relistMem,
        cpuCores: x.rate * x.cost.cpuS + watchCpuS(x.clients, x.events, costs),
        etcdReadBytesPerSecond: x.rate * x.cost.etcdBytes,
        seats,
      });
    }
    mem.steady += steadyMem;
    mem.rollout += rolloutMem;
    mem.relist += relistMem;
    mem.all += allMem;
    seatsByLevel.set(x.w.level, (seatsByLevel.get(x.w.level) ?? 0) + seats);
    demand.set(x.w.level, (demand.get(x.w.level) ?? 0) + x.clients * x.cost.seats);
  }
  const watchMem = perReplicaBytes(watchBytes(watchers, costs), cap.gcFactor, cap.replicas);

  const levels: LevelLoad[] = [];
  let seatsRatio = 0;
  for (const level of [...demand.keys()].sort()) {
    const l = cap.levels.get(level);
    const added = seatsByLevel.get(level) ?? 0;
    const available = l?.available ?? 0;
    levels.push({ level, addedSeats: added, nominalSeats: l?.nominal ?? 0, availableSeats: available, atOnceSeatDemand: demand.get(level) ?? 0 });
    if (l !== undefined && !l.exempt && available > 0) seatsRatio = Math.max(seatsRatio, added / available);
  }
  const limit = cap.memoryLimitBytes;
  const base = cap.baselineBytes + watchMem;
  const ratios: Record<RatioName, number> = {
    memorySteady: (base + mem.steady) / limit,
    memoryRollout: (base + mem.rollout) / limit,
    memoryRelist: (base + mem.relist) / limit,
    memoryAtOnce: (base + mem.all) / limit,
    seats: seatsRatio,
    cpu: steady.rhoCpu,
    etcd: steady.rhoEtcd,
  };
  const { verdict, reasons } = judge(ratios, prepared.length > 0);
  return {
    nodes: cap.nodes,
    pods: cap.pods,
    addedRequestsPerSecond: rps,
    addedSeats: [...seatsByLevel.values()].reduce((s, v) => s + v, 0),
    levels,
    listBytesPerSecond: listBytes,
    etcdReadBytesPerSecond: steady.rhoEtcd * cap.etcdReadBytesPerS,
    watchEventsPerSecond: events,
    addedCpuCores: steady.rhoCpu * cap.cores,
    peakListMemoryBytes: mem.all,
    steadyListMemoryBytes: mem.steady,
    rolloutListMemoryBytes: mem.rollout,
    relistMemoryBytes: mem.relist,
    watchMemoryBytes: watchMem,
    baselineMemoryBytes: cap.baselineBytes,
    memoryLimitBytes: limit,
    apiServerCores: cap.cores,
    etcdReadCapacityBytesPerSecond: cap.etcdReadBytesPerS,
    rolloutCpuRatio: rollout.rhoCpu,
    rolloutEtcdRatio: rollout.rhoEtcd,
    ratios,
    verdict,
    reasons,
    calls,
  };
}

/**
 * Requests in flight per call, level by level: each call wants `want[i]`
 * requests in flight; when a level's seats cannot hold them all, its seats
 * are shared in proportion to `weight` (seat-seconds: slow calls keep their
 * seats, fast ones free them), no call getting more than it wants (water
 * filling).
 */
/** Reusable arrays of fillLevels (the rollout's steps call it many times). */
interface FillScratch {
  readonly wanted: Float64Array;
}

function fillLevels(prepared: readonly Prepared[], avail: Float64Array, want: Float64Array, weight: Float64Array, out: Float64Array, scratch?: FillScratch): Float64Array {
  const n = prepared.length;
  out.fill(0);
  const wanted = scratch?.wanted ?? fillPool.levels(avail.length);
  wanted.fill(0, 0, avail.length);
  for (let i = 0; i < n; i++) {
    const x = prepared[i] as Prepared;
    wanted[x.li] = (wanted[x.li] ?? 0) + (want[i] ?? 0) * x.cost.seats;
  }
  for (let li = 0; li < avail.length; li++) {
    let free = avail[li] ?? Infinity;
    if ((wanted[li] ?? 0) <= free) {
      for (let i = 0; i < n; i++) if ((prepared[i] as Prepared).li === li) out[i] = want[i] ?? 0;
      continue;
    }
    // The calls still wanting seats, in order: two index buffers, this round's and the next's.
    let active = fillPool.calls(n, 0);
    let next = fillPool.calls(n, 1);
    let count = 0;
    for (let i = 0; i < n; i++) if ((prepared[i] as Prepared).li === li && (want[i] ?? 0) > 0) active[count++] = i;
    for (let round = 0; round < 8 && count > 0 && free > 1e-9; round++) {
      let wsum = 0;
      for (let a = 0; a < count; a++) wsum += Math.max(1e-12, weight[active[a] as number] ?? 0);
      let kept = 0;
      let used = 0;
      for (let a = 0; a < count; a++) {
        const i = active[a] as number;
        const seats = (prepared[i] as Prepared).cost.seats;
        const room = ((want[i] ?? 0) - (out[i] ?? 0)) * seats;
        const give = Math.min(room, (free * Math.max(1e-12, weight[i] ?? 0)) / wsum);
        out[i] = (out[i] ?? 0) + give / seats;
        used += give;
        if (room - give > 1e-9) next[kept++] = i;
      }
      free -= used;
      const t = active;
      active = next;
      next = t;
      count = kept;
    }
  }
  return out;
}

/** The working arrays of a ramp over `n` calls and `levels` priority levels: views of buffers kept between calls. */
function rampBuffers(n: number, levels: number): { cpuShare: Float64Array; heavy: Uint8Array; a: Float64Array; b: Float64Array; want: Float64Array; weight: Float64Array; started: Float64Array; wanted: Float64Array } {
  if (rampPool.f64.length < 6 * n) rampPool.f64 = new Float64Array(6 * n);
  if (rampPool.u8.length < n) rampPool.u8 = new Uint8Array(n);
  if (rampPool.wanted.length < levels) rampPool.wanted = new Float64Array(levels);
  const f = rampPool.f64;
  // Each starts as a new array would: zeros.
  f.fill(0, 0, 6 * n);
  return {
    cpuShare: f.subarray(0, n),
    heavy: rampPool.u8.subarray(0, n),
    a: f.subarray(n, 2 * n),
    b: f.subarray(2 * n, 3 * n),
    want: f.subarray(3 * n, 4 * n),
    weight: f.subarray(4 * n, 5 * n),
    started: f.subarray(5 * n, 6 * n),
    wanted: rampPool.wanted.subarray(0, levels),
  };
}
const rampPool = { f64: new Float64Array(64), u8: new Uint8Array(16), wanted: new Float64Array(8) };

/** Buffers fillLevels works in, grown as needed and reused by every call (it runs once per rollout step). */
const fillPool = {
  wanted: new Float64Array(8),
  active: [new Int32Array(64), new Int32Array(64)],
  levels(n: number): Float64Array {
    if (this.wanted.length < n) this.wanted = new Float64Array(n);
    return this.wanted;
  },
  calls(n: number, which: 0 | 1): Int32Array {
    const b = this.active[which] as Int32Array;
    if (b.length >= n) return b;
    const grown = new Int32Array(n);
    this.active[which] = grown;
    return grown;
  },
};

/**
 * Verdict from the ratios. A change with no calls is ok whatever the
 * baseline (a cluster past its memory without the change is not the change's
 * doing).
 */
export function judge(r: Readonly<Record<RatioName, number>>, hasCalls: boolean): { verdict: Verdict; reasons: RatioName[] } {
  if (!hasCalls) return { verdict: 'ok', reasons: [] };
  const block: RatioName[] = [];
  const warn: RatioName[] = [];
  for (const k of ['memorySteady', 'memoryRollout', 'memoryRelist'] as const) {
    if (r[k] >= THRESHOLDS.blockMemory) block.push(k);
    else if (r[k] >= THRESHOLDS.warnMemory) warn.push(k);
  }
  if (r.seats >= THRESHOLDS.warnSeats) warn.push('seats');
  if (r.cpu >= THRESHOLDS.warnCpu) warn.push('cpu');
  if (r.etcd >= THRESHOLDS.warnEtcd) warn.push('etcd');
  if (block.length > 0) return { verdict: 'block', reasons: block };
  if (warn.length > 0) return { verdict: 'warn', reasons: warn };
  return { verdict: 'ok', reasons: [] };
}

/** Estimate for a cluster of `nodes` nodes and `pods` pods. */
export function estimate(workloads: readonly PlannedWorkload[], nodes: number, pods: number, model: ModelConfig, perCallFigures = true): ClusterEstimate {
  return estimateWith(workloads, cachedCapacity(model, nodes, pods), model, perCallFigures);
}
