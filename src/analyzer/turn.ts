/**
 * Where a verdict turns over cluster sizes: the estimate (estimate.ts) of a
 * set of workloads searched over 1..SEARCH_MAX_NODES nodes, tier by tier of
 * API-server sizing, as node ranges that are warn and block.
 *
 * References: "ref" = ../shared/reference/kubernetes-control-plane.md.
 *
 * @example
 *   const t = searchTurn([planned], model, 30);
 *   t.blockAtNodes;              // 2000: block from this size
 *   verdictFromTurn(t, 5000);    // 'block'
 */
import type { ModelConfig } from '../model/model-schema.ts';
import { tierBoundaries } from '../model/sizing.ts';
import { estimate, type PlannedWorkload } from './estimate.ts';
import { worse, type Turn, type Verdict } from './types.ts';

/** Cluster sizes searched for the size where a verdict turns: up to 4× the 5,000-node scalability envelope (ref). */
export const SEARCH_MAX_NODES = 20_000;

/**
 * The sizes at which the verdict turns, searched with the same estimate over
 * 1..SEARCH_MAX_NODES nodes at `podsPerNode` pods per node (30, the
 * scalability envelope's ratio, ref). Within one API-server sizing tier every
 * cost grows with the node count while the capacity stays, so the verdict
 * only worsens and a binary search per tier finds where it turns; across
 * tiers it can improve (a bigger machine), hence ranges.
 */
export function searchTurn(workloads: readonly PlannedWorkload[], model: ModelConfig, podsPerNode: number, maxNodes = SEARCH_MAX_NODES): Turn {
  const memo = new Map<number, Verdict>();
  const verdictAt = (n: number): Verdict => {
    let v = memo.get(n);
    if (v === undefined) {
      v = estimate(workloads, n, n * podsPerNode, model, false).verdict;
      memo.set(n, v);
    }
    return v;
  };
  const atLeast = (n: number, level: Verdict): boolean => worse(verdictAt(n), level) === verdictAt(n);
  const starts = tierBoundaries(model.apiServer.sizing).filter((b) => b <= maxNodes);
  if (starts[0] !== 1) starts.unshift(1);
  /** First node count in [lo, hi] at least `level`, or null. */
  const first = (lo: number, hi: number, level: Verdict): number | null => {
    if (!atLeast(hi, level)) return null;
    if (atLeast(lo, level)) return lo;
    let a = lo;
    let b = hi;
    while (b - a > 1) {
      const m = Math.floor((a + b) / 2);
      if (atLeast(m, level)) b = m;
      else a = m;
    }
    return b;
  };
  const ranges = { warn: [] as [number, number][], block: [] as [number, number][] };
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i] ?? 1;
    const hi = Math.min(maxNodes, (starts[i + 1] ?? maxNodes + 1) - 1);
    if (hi < lo) continue;
    for (const level of ['warn', 'block'] as const) {
      const f = first(lo, hi, level);
      if (f === null) continue;
      const list = ranges[level];
      const last = list[list.length - 1];
      if (last !== undefined && last[1] === f - 1) last[1] = hi;
      else list.push([f, hi]);
    }
  }
  const top = ranges.block[ranges.block.length - 1];
  return {
    warnAtNodes: ranges.warn[0]?.[0] ?? null,
    blockAtNodes: ranges.block[0]?.[0] ?? null,
    blockAboveNodes: top !== undefined && top[1] === maxNodes ? top[0] : null,
    blockRanges: ranges.block,
    warnRanges: ranges.warn,
    searchedUpToNodes: maxNodes,
  };
}

/** The verdict a turn gives a size within the searched range. */
export function verdictFromTurn(t: Turn, nodes: number): Verdict {
  const inside = (rs: readonly (readonly [number, number])[]): boolean => rs.some(([a, b]) => nodes >= a && nodes <= b);
  if (inside(t.blockRanges)) return 'block';
  if (inside(t.warnRanges)) return 'warn';
  return 'ok';
}
