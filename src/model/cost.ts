/**
 * What one API request costs the control plane, from its profile and the size
 * of the cluster. The same function feeds the twin (as load) and the analyzer
 * (as an estimate), so the two agree by construction on unit costs; only the
 * twin adds queueing, retries and failure dynamics on top.
 */
import type { CallProfile, ResourceStats } from './profile.ts';
import { LIST_MEMORY_FACTOR, MAX_SEATS_PER_REQUEST, OBJECTS_PER_SEAT } from './kubernetes.ts';
import type { CostParams } from './model-schema.ts';
import { nodeScopeOf } from './node-scope.ts';
import { gcCpuS } from './gc-cpu.ts';

export const DEFAULT_COST_PARAMS: CostParams = {
  cpuPerRequestS: 0.0005,
  cpuPerEtcdObjectS: 4e-6,
  cpuPerCacheObjectS: 0.5e-6,
  cpuPerByteS: 10e-9,
  cpuPerWatchEventS: 10e-6,
  listMemoryFactorEtcd: LIST_MEMORY_FACTOR,
  listMemoryFactorCache: 1.5,
  maxSeats: MAX_SEATS_PER_REQUEST,
  objectsPerSeat: OBJECTS_PER_SEAT,
  responseBytesPerS: 200e6,
  watchMemoryBytes: 64 * 1024,
  // cal: protobuf encodes several times faster than encoding/json and is about half the size.
  protobufCpuFactor: 0.25,
  protobufSizeFactor: 0.5,
  // Off by default until calibrated against the published cases (docs/twin-calibration.md): at a mark
  // cost of ~1 ns per live byte (GOGC=100: its CPU per byte allocated; gc-cpu.ts,
  // https://go.dev/doc/gc-guide) a consistent LIST's 5× memory makes GC the larger part of its CPU.
  gcCpuPerAllocatedByteS: 0,
};

/** The cost parameters for a client that talks protobuf (Kubernetes' own components). */
export function protobufCosts(c: CostParams): CostParams {
  return { ...c, cpuPerByteS: c.cpuPerByteS * c.protobufCpuFactor * c.protobufSizeFactor, responseBytesPerS: c.responseBytesPerS / c.protobufSizeFactor, listMemoryFactorCache: c.listMemoryFactorCache * c.protobufSizeFactor };
}

export interface RequestCost {
  /** APF seats held while executing. */
  readonly seats: number;
  /** API server CPU seconds. */
  readonly cpuS: number;
  /** Bytes read from etcd (consistent reads) or written (mutations). */
  readonly etcdBytes: number;
  /** Objects read from etcd. */
  readonly etcdObjects: number;
  /** Response bytes sent to the client. */
  readonly responseBytes: number;
  /** Temporary API-server memory while in flight. */
  readonly memoryBytes: number;
  /** Minimum latency with no contention (transfer), seconds, excluding etcd. */
  readonly transferS: number;
  /** True for mutating requests (they go to etcd as writes). */
  readonly mutating: boolean;
}

/** Objects a call returns and the objects the server must scan to answer it. */
export function callObjects(p: CallProfile, r: ResourceStats, nodes: number): { returned: number; scanned: number } {
  const all = r.count;
  switch (p.verb) {
    case 'get':
    case 'create':
    case 'update':
    case 'patch':
    case 'delete':
      return { returned: 1, scanned: 1 };
    default:
      break;
  }
  const fromCache = p.resourceVersion !== 'consistent';
  if (p.scope === 'node') {
    // node-scope.ts: by name a single key; the pods' node index serves the watch cache only (etcd has
    // no field index: a consistent node-scoped LIST reads every object and filters in the API server);
    // any other field returns the node's share and scans every object.
    const ns = nodeScopeOf(p, r);
    if (ns === 'name') return { returned: 1, scanned: 1 };
    const returned = ns === 'none' ? all : all / Math.max(1, nodes);
    return { returned, scanned: fromCache && ns === 'index' ? returned : all };
  }
  const returned = p.scope === 'cluster' ? all : all * p.namespaceFraction;
  const scanned = p.scope === 'namespace' ? returned : all;
  return { returned, scanned };
}

/**
 * Cost of the list (or the informer's initial list) or single-object call.
 * Seats follow the work estimator: for LIST, stored objects of the type / 100,
 * clamped to [1, maxSeats] (ref: "LIST served from watch cache counts all
 * stored objects of the type; from etcd with selector: stored objects + limit").
 */
export function requestCost(p: CallProfile, r: ResourceStats, nodes: number, c: CostParams): RequestCost {
  const mutating = p.verb === 'create' || p.verb === 'update' || p.verb === 'patch' || p.verb === 'delete';
  const { returned, scanned } = callObjects(p, r, nodes);
  if (p.verb !== 'list' && p.verb !== 'watch') {
    const bytes = r.bytes;
    return {
      seats: 1,
      // The request's copies of the object (decode, encode) are garbage the Go GC collects: gc-cpu.ts.
      cpuS: c.cpuPerRequestS * (mutating ? 3 : 1) + bytes * c.cpuPerByteS + gcCpuS(bytes * 2, c),
      etcdBytes: bytes,
      etcdObjects: 1,
      responseBytes: bytes,
      memoryBytes: bytes * 2,
      transferS: bytes / c.responseBytesPerS,
      mutating,
    };
  }
  const fromEtcd = p.resourceVersion === 'consistent';
  const paged = p.pageSize > 0 && fromEtcd;
  // A single object by name is one seat ("matchesSingle" in the work estimator).
  const single = nodeScopeOf(p, r) === 'name';
  const estimated = single ? 1 : fromEtcd ? r.count + (paged ? p.pageSize : 0) : r.count;
  const seats = Math.max(1, Math.min(c.maxSeats, Math.ceil(estimated / c.objectsPerSeat)));
  const responseBytes = returned * r.bytes;
  const etcdObjects = fromEtcd ? scanned : 0;
  const etcdBytes = etcdObjects * r.bytes;
  let memoryBytes: number;
  if (p.resourceVersion === 'watch-list') {
    // Streaming: objects are sent as events; memory stays near one object window.
    memoryBytes = Math.min(responseBytes, 1e6) + c.watchMemoryBytes;
  } else if (fromEtcd) {
    // A page holds only pageSize objects' worth of etcd response at a time.
    const held = paged ? Math.min(scanned, p.pageSize) * r.bytes : etcdBytes;
    memoryBytes = held * c.listMemoryFactorEtcd;
  } else {
    memoryBytes = responseBytes * c.listMemoryFactorCache;
  }
  // Everything a LIST holds is allocated for it and collected after it (a streamed watch-list allocates
  // its whole response, one window at a time): the Go GC's CPU for those bytes (gc-cpu.ts).
  const allocatedBytes = p.resourceVersion === 'watch-list' ? responseBytes + c.watchMemoryBytes : memoryBytes;
  const cpuS =
    c.cpuPerRequestS +
    (fromEtcd ? scanned * c.cpuPerEtcdObjectS : scanned * c.cpuPerCacheObjectS) +
    responseBytes * c.cpuPerByteS +
    gcCpuS(allocatedBytes, c);
  return { seats, cpuS, etcdBytes, etcdObjects, responseBytes, memoryBytes, transferS: responseBytes / c.responseBytesPerS, mutating: false };
}

/** Watch events per second delivered to one informer client of this profile. */
export function watchEventsPerClient(p: CallProfile, r: ResourceStats, nodes: number): number {
  if (p.verb !== 'watch') return 0;
  if (p.scope === 'cluster') return r.eventsPerSecond;
  if (p.scope === 'namespace') return r.eventsPerSecond * p.namespaceFraction;
  const ns = nodeScopeOf(p, r);
  // Its one object's events; the node's share of the type's.
  return ns === 'none' ? r.eventsPerSecond : ns === 'name' ? r.eventsPerSecond / Math.max(1, r.count) : r.eventsPerSecond / Math.max(1, nodes);
}

/**
 * The mean of two costs, `(1 - w) × a + w × b` field by field (`mutating` is b's): the cost of a
 * population of requests after one of cost `b` joins, with weight `w`, those of mean cost `a`.
 */
export function blendCosts(a: RequestCost, b: RequestCost, w: number): RequestCost {
  const v = 1 - w;
  return {
    seats: a.seats * v + b.seats * w,
    cpuS: a.cpuS * v + b.cpuS * w,
    etcdBytes: a.etcdBytes * v + b.etcdBytes * w,
    etcdObjects: a.etcdObjects * v + b.etcdObjects * w,
    responseBytes: a.responseBytes * v + b.responseBytes * w,
    memoryBytes: a.memoryBytes * v + b.memoryBytes * w,
    transferS: a.transferS * v + b.transferS * w,
    mutating: b.mutating,
  };
}
