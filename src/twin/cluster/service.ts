/**
 * Serving one step on the ready API servers: APF admission (apf.ts), then
 * processor sharing of the servers' CPU — CPU demand over the pool's cores
 * slows every request by the same factor, consistent reads share etcd's read
 * bandwidth, success falls off as service time nears the request timeout —,
 * etcd's latency, and memory per replica with its OOM kills (memory.ts)
 * (docs/model.md, "API servers and APF", steps 1–5).
 *
 * @example
 *   if (ready > 0) serve(s, t, dt, ready, model.apiServer.requestTimeoutS);
 */
import type { ClientClass, ClusterState, Replica } from './state.ts';
import { admitQueued, enqueueArrivals, expireQueued, shareSeats } from './apf.ts';
import { rejectTo, toRetry } from './retry.ts';
import { checkMemory } from './memory.ts';
import { recordDrops } from './retry-after.ts';
import { cpuSlowdown, cpuWanted, watchCpuS } from '../../model/cpu-sharing.ts';
import { exitsInStep } from '../../model/exit-rate.ts';
import { gcCoresUnderPressure, gcCpuS, gcPressureFactor } from '../../model/gc-cpu.ts';
import { replicaLiveBytes, watchBytes } from '../../model/apiserver-memory.ts';
import { etcdRangeRate, etcdTimeS, heldS, readsRange, serviceTimeS } from '../../model/service-time.ts';

export function serve(s: ClusterState, t: number, dt: number, ready: number, timeout: number): void {
  const m = s.model;
  const cores = ready * s.tierCores * s.cpuFactor;
  const queueWait = m.apiServer.queueWaitS;
  enqueueArrivals(s, ready);
  shareSeats(s, ready);
  admitQueued(s);
  const gcExtra = m.apiServer.goMemLimitShare > 0 ? gcPressureCores(s, cores, ready) : 0;
  const watchCpu = shareCpu(s, cores, gcExtra);
  const requestCpu = serveInFlight(s, dt, timeout, queueWait);
  // apiserver_cpu_ratio: the cores the requests in flight, the watch events and a memory limit's extra
  // GC cycles use, over the ready servers' cores.
  s.cpuRatio = Math.min(1, (watchCpu + requestCpu + gcExtra) / Math.max(1, cores));
  expireQueued(s, dt, queueWait);
  // Retry-After is what a request through the served API is told: tracked once one was submitted.
  if (s.externalClasses.size > 0) recordDrops(s, t);
  updateEtcdLatency(s);
  checkMemory(s, t, ready);
}

/**
 * 4. Service: processor sharing of the API servers' CPU; consistent reads share etcd. The
 *    slowdown (CPU wanted over the cores), etcd's read rate per concurrent range read and its
 *    backlog, and the watches established now. Returns the cores delivering watch events take.
 */
function shareCpu(s: ClusterState, cores: number, gcExtra: number): number {
  const m = s.model;
  let cpuWant = 0;
  let watchers = 0;
  let watchCpu = 0;
  let etcdConcurrent = 0;
  let etcdBacklogBytes = 0;
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    cpuWant += cpuWanted(c.inflight, c.cost, s.etcdLatency);
    if (c.informer) {
      watchers += c.watching;
      watchCpu += watchCpuS(c.watching, c.events, m.costs);
    }
    if (readsRange(c.cost)) {
      etcdConcurrent += c.inflight;
      etcdBacklogBytes += c.inflight * c.cost.etcdBytes;
    }
  }
  cpuWant += watchCpu + gcExtra;
  s.slowdown = cpuSlowdown(cpuWant, cores);
  // etcd serves concurrent range reads by sharing its read bandwidth (processor sharing).
  const etcdRate = etcdRangeRate(m.etcd.readBytesPerS / s.etcdSlowdown, etcdConcurrent);
  s.etcdBacklogS = etcdConcurrent > 0 ? etcdBacklogBytes / (m.etcd.readBytesPerS / s.etcdSlowdown) : 0;
  s.etcdRate = etcdRate;
  s.watchers = watchers;
  return watchCpu;
}

/**
 * Requests in flight are served (processor sharing), finish ok or fail, and hold memory meanwhile.
 * Returns the cores the requests in flight use this step: a request spends its CPU time over its
 * service time (stretched by the slowdown), or within the step when it is shorter than the step —
 * inflight × cpuS / max(dt, service) per class (Little's law for the short ones: rate × cpuS).
 */
function serveInFlight(s: ClusterState, dt: number, timeout: number, queueWait: number): number {
  const m = s.model;
  const sd = s.slowdown;
  const etcdRate = s.etcdRate;
  let etcdWrites = 0;
  let memTemp = 0;
  let requests = 0;
  let cpuCores = 0;
  // Bytes allocated per second by the requests that finish (their held memory); GC cores = that × GC CPU per byte.
  let allocPerS = 0;
  const a0 = m.apiServer;
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (c.inflight <= 1e-12) {
      c.memHeld = 0;
      c.exitRate = 0;
      c.latency = c.queued > 0 ? queueWait : 0;
      continue;
    }
    const service = serviceTimeS(c.cost, sd, etcdTimeS(c.cost, s.etcdLatency, etcdRate));
    const hold = heldS(service, timeout);
    c.seatShare = Math.min(1, Math.max(1e-3, hold / dt));
    const exits = exitsInStep(c.inflight, dt, hold);
    cpuCores += (c.inflight * c.cost.cpuS) / Math.max(dt, service);
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
    allocPerS += exits * c.cost.memoryBytes;
    requests += c.arrivals;
    // Queue wait: what is queued drains at the class's exit rate; beyond the queue-wait limit → 429.
    const drain = Math.max(1e-9, c.exitRate);
    const qWait = c.queued / drain;
    if (qWait > queueWait) {
      const drop = c.queued - drain * queueWait;
      c.queued -= drop;
      c.rejected += drop;
      rejectTo(s, c, drop, c.level);
    }
    c.latency = Math.min(qWait, queueWait) + hold;
    if (okN > 0) {
      if (c.informer) {
        c.watching += okN;
        c.wait = Math.max(c.retryInitialS, c.wait * 0.9);
      } else c.wait = Math.max(c.retryInitialS, c.wait * 0.9);
      if (c.isCoredns) s.dns.onSynced(okN);
    }
    if (bad > 0) toRetry(c, bad, false);
  }
  s.requests = requests;
  s.memTemp = memTemp;
  s.etcdWrites = etcdWrites;
  s.gcCores = gcCpuS(allocPerS / dt, m.costs);
  return cpuCores;
}

/**
 * The extra cores the Go GC takes when a GOMEMLIMIT (`apiServer.goMemLimitShare`) squeezes its
 * headroom: last step's GC cores grown by the pressure factor on the replica with the least
 * headroom, at most the GC CPU limiter's share of the cores (gc-cpu.ts), less what the requests'
 * costs already count.
 */
function gcPressureCores(s: ClusterState, cores: number, ready: number): number {
  const a = s.model.apiServer;
  let limit = Infinity;
  for (let ri = 0; ri < s.replicas.length; ri++) {
    const r = s.replicas[ri] as Replica;
    if (r.state === 'ready' && r.memLimit < limit) limit = r.memLimit;
  }
  const live = replicaLiveBytes(a, s.storedBytes, s.memTemp + watchBytes(s.watchers, s.model.costs), ready);
  return gcCoresUnderPressure(s.gcCores, gcPressureFactor(live, limit, a), cores) - s.gcCores;
}

/**
 * etcd latency for small requests: M/M/1-like growth with the write rate, plus interference from
 * large range reads in progress (they compete for etcd's CPU, memory and disk).
 */
function updateEtcdLatency(s: ClusterState): void {
  const m = s.model;
  const etcdWrites = s.etcdWrites;
  const u = Math.min(0.99, etcdWrites / m.etcd.writesPerS);
  s.etcdLatency = Math.min(m.etcd.maxLatencyS, (m.etcd.baseLatencyS * s.etcdSlowdown) / (1 - u) + m.etcd.rangeInterference * s.etcdBacklogS);
}
