/**
 * Memory of one API server replica, the quantity it is OOM-killed on: its
 * resident memory (base + watch cache, a multiple of the stored bytes) plus
 * its share of the memory that requests in flight and open watches hold,
 * grown by the GC headroom (Go's collector lets the heap reach
 * (1 + GOGC/100) × live before collecting); and its memory limit, the tier's
 * machine memory spread by ±memoryJitter across machines. The twin checks its
 * replicas against it every step (src/twin/cluster-sim.ts); the analyzer's
 * capacity and estimate compute the same figures (src/analyzer/capacity.ts,
 * estimate.ts). See docs/model.md, "API servers and APF".
 *
 * @example
 *   const perReplica = replicaMemoryBytes(model.apiServer, stored, requestBytes + watchBytes(watchers, model.costs), 3);
 *   perReplica > memoryLimitBytes(model.apiServer, tier.memoryBytes, 0.5); // OOM-killed
 */
import type { ApiServerModel, CostParams } from './model-schema.ts';

/** Live memory grows to this multiple before Go's GC collects it: 1 + GC headroom. */
export function gcFactor(a: ApiServerModel): number {
  return 1 + a.gcHeadroom;
}

/** Memory that `watchers` open watches hold (buffers). */
export function watchBytes(watchers: number, costs: CostParams): number {
  return watchers * costs.watchMemoryBytes;
}

/** One replica's share of `bytes` held across `replicas` replicas, with GC headroom (`gc` = gcFactor). */
export function perReplicaBytes(bytes: number, gc: number, replicas: number): number {
  return (bytes * gc) / replicas;
}

/**
 * Memory of one of `replicas` replicas: base + stored bytes × watch-cache
 * factor, plus its share of `sharedBytes` (requests in flight and open
 * watches, over all replicas) with GC headroom.
 */
export function replicaMemoryBytes(a: ApiServerModel, storedBytes: number, sharedBytes: number, replicas: number): number {
  return a.baseMemoryBytes + storedBytes * a.watchCacheFactor + perReplicaBytes(sharedBytes, gcFactor(a), replicas);
}

/** The live heap of one of `replicas` replicas: `replicaMemoryBytes` without the GC headroom (gc-cpu.ts). */
export function replicaLiveBytes(a: ApiServerModel, storedBytes: number, sharedBytes: number, replicas: number): number {
  return a.baseMemoryBytes + storedBytes * a.watchCacheFactor + sharedBytes / replicas;
}

/**
 * A replica's memory limit: its machine's `machineBytes` spread uniformly over
 * ±memoryJitter (machines differ), at `position` in [0, 1] of that spread (the
 * twin draws it per replica; the smallest of R draws is expected at 1 / (R + 1)).
 */
export function memoryLimitBytes(a: ApiServerModel, machineBytes: number, position: number): number {
  const j = a.memoryJitter;
  return machineBytes * (1 - j + 2 * j * position);
}
