/**
 * The Go garbage collector's CPU in a kube-apiserver. Go's collector marks the
 * live heap once per cycle and starts a new cycle when the heap has grown past
 * its goal — with GOGC=100 and no memory limit, 2 × live — so each cycle costs
 * (mark cost per byte) × live and comes every GOGC/100 × live bytes allocated:
 * its CPU is the mark cost per byte × bytes allocated / (GOGC/100), whatever
 * the live heap (https://go.dev/doc/gc-guide, "Understanding costs"). With a
 * memory limit (GOMEMLIMIT, Go ≥ 1.19) the goal is at most the limit: as the
 * live heap approaches it the headroom shrinks, cycles come more often and the
 * GC CPU rises, until the GC CPU limiter caps it at 50 % of the CPU
 * (gc-guide, "Memory limit": "the GC CPU limiter ... 50%"). kube-apiserver
 * sets no GOMEMLIMIT by default, so its GC CPU is a cost per allocated byte,
 * which `requestCost` (cost.ts) adds to every request's CPU; the pressure
 * factor applies only to a scenario that sets `apiServer.goMemLimitShare`.
 *
 * @example
 *   const cpuS = gcCpuS(cost.memoryBytes, model.costs); // part of cost.cpuS
 *   const f = gcPressureFactor(live, limit, model.apiServer); // 1 without GOMEMLIMIT
 */
import type { ApiServerModel, CostParams } from './model-schema.ts';

/** GOGC's default, 100, as the heap growth it allows per cycle (https://go.dev/doc/gc-guide). */
export const GOGC_GROWTH = 1;

/** Go GC CPU, seconds, for `allocatedBytes` allocated at GOGC=100 with no memory limit. */
export function gcCpuS(allocatedBytes: number, costs: CostParams): number {
  return allocatedBytes * costs.gcCpuPerAllocatedByteS;
}

/** Share of the CPU the GC CPU limiter leaves to the GC at most when a memory limit drives it (gc-guide). */
export const GC_CPU_LIMIT_SHARE = 0.5;

/**
 * The factor (≥ 1) by which GC CPU grows when a memory limit forces the heap
 * goal below (1 + GOGC/100) × live: (GOGC/100 × live) / (goal − live), with
 * goal = min((1 + GOGC/100) × live, GOMEMLIMIT). 1 without a GOMEMLIMIT
 * (`goMemLimitShare` 0) or with headroom to spare; large as live nears the
 * limit (the caller caps GC CPU with `GC_CPU_LIMIT_SHARE`).
 */
export function gcPressureFactor(liveBytes: number, limitBytes: number, a: ApiServerModel): number {
  if (a.goMemLimitShare <= 0 || liveBytes <= 0) return 1;
  const goMemLimit = limitBytes * a.goMemLimitShare;
  const natural = GOGC_GROWTH * liveBytes;
  const headroom = Math.min(natural, goMemLimit - liveBytes);
  // Past the limit the collector runs back to back: only the CPU limiter stops it.
  if (headroom <= natural * 1e-3) return 1e3;
  return natural / headroom;
}

/** Cores the GC takes: `gcCores` at GOGC=100 grown by `factor`, at most the limiter's share of `cores` when grown. */
export function gcCoresUnderPressure(gcCores: number, factor: number, cores: number): number {
  if (factor <= 1) return gcCores;
  return Math.min(gcCores * factor, Math.max(gcCores, GC_CPU_LIMIT_SHARE * cores));
}
