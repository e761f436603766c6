/**
 * The control-plane machine of a cluster: the last sizing tier (by minNodes)
 * whose minNodes the cluster reaches, per API server replica. The twin sizes
 * each cluster's API servers with it (src/twin/cluster-sim.ts); the analyzer
 * its capacity (src/analyzer/capacity.ts). Defaults: the Kubernetes "Considerations
 * for large clusters" table (defaults.ts).
 *
 * @example
 *   sizingTier(DEFAULT_MODEL.apiServer.sizing, 300).cpuCores; // 16
 */
import type { SizingTier } from './model-schema.ts';

/**
 * The tier of a cluster of `nodes` nodes: the last tier whose minNodes it
 * reaches, or the smallest tier when it reaches none (a scenario's tiers must
 * include one with minNodes 0). There is no tier without a list: an empty
 * list is a bug (the input formats require at least one tier), not a default.
 */
export function sizingTier(sizing: readonly SizingTier[], nodes: number): SizingTier {
  const sorted = [...sizing].sort((a, b) => a.minNodes - b.minNodes);
  let tier = sorted[0];
  if (tier === undefined) throw new Error('the model has no control-plane sizing tier (apiServer.sizing is empty)');
  for (const s of sorted) if (nodes >= s.minNodes) tier = s;
  return tier;
}

/** Node counts at which the sizing tier changes (each tier's first node count, ≥ 1), ascending. */
export function tierBoundaries(sizing: readonly SizingTier[]): number[] {
  return [...new Set(sizing.map((s) => Math.max(1, s.minNodes)))].sort((a, b) => a - b);
}
