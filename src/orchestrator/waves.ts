/**
 * Waves across clusters and node batches inside them.
 *
 * The size-aware strategy (the default):
 * - wave 1 is the `firstWave` smallest clusters: a small blast radius for the
 *   change's first contact with production;
 * - a cluster of the largest size class is in wave `largestClassBy` (1 or 2)
 *   at the latest, with the smallest remaining clusters beside it: a change
 *   that is harmless on small clusters and fatal on large ones must meet a
 *   large one early, while few clusters have it;
 * - later waves grow geometrically (× `growth`) over the rest, in a
 *   stratified order that mixes size classes in proportion, so every wave
 *   looks like the fleet.
 *
 * Node batches: a DaemonSet starts on every node at once unless it is rolled
 * out in batches (1 node, 1 %, 10 %, 50 %, 100 % by default). Counts are
 * rounded up, never exceed the cluster, and batches that add no node are
 * dropped.
 *
 * @example
 *   const waves = generateWaves(clusters, DEFAULT_WAVES); // [[smallest], [largest xlarge, next smallest], …]
 */
import { SIZE_CLASSES, selects, type Cluster, type SizeClass } from '../model/fleet.ts';
import type { BatchSize, ExplicitWave, GeneratedWaves } from './plan.ts';

function byNodesThenName(a: Cluster, b: Cluster): number {
  return a.nodes - b.nodes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const CLASS_RANK: Readonly<Record<SizeClass, number>> = { small: 0, medium: 1, large: 2, xlarge: 3 };

/**
 * Clusters interleaved across size classes in proportion to their counts:
 * cluster i of a class of n sorts at (i + 0.5) / n. Within a class, smallest
 * first.
 */
export function stratifiedOrder(clusters: readonly Cluster[]): Cluster[] {
  const byClass = new Map<SizeClass, Cluster[]>();
  for (const cluster of clusters) {
    const list = byClass.get(cluster.sizeClass) ?? [];
    list.push(cluster);
    byClass.set(cluster.sizeClass, list);
  }
  const keyed: { cluster: Cluster; position: number }[] = [];
  for (const list of byClass.values()) {
    list.sort(byNodesThenName);
    list.forEach((cluster, i) => keyed.push({ cluster, position: (i + 0.5) / list.length }));
  }
  return keyed
    .sort((a, b) => a.position - b.position || CLASS_RANK[a.cluster.sizeClass] - CLASS_RANK[b.cluster.sizeClass] || byNodesThenName(a.cluster, b.cluster))
    .map((entry) => entry.cluster);
}

/** Waves of the size-aware strategy, as lists of clusters. */
export function generateWaves(clusters: readonly Cluster[], strategy: GeneratedWaves): Cluster[][] {
  if (clusters.length === 0) return [];
  const largest = SIZE_CLASSES.filter((sizeClass) => clusters.some((cluster) => cluster.sizeClass === sizeClass)).at(-1) as SizeClass;
  const bigOnes = clusters.filter((cluster) => cluster.sizeClass === largest).sort(byNodesThenName);
  const big = (strategy.largeCanary === 'largest' ? bigOnes.at(-1) : bigOnes[0]) as Cluster;
  const cap = (size: number): number => (strategy.maxWaveSize > 0 ? Math.min(strategy.maxWaveSize, size) : size);
  const used = new Set<string>();
  const take = (list: readonly Cluster[], count: number): Cluster[] => {
    const taken: Cluster[] = [];
    for (const cluster of list) {
      if (taken.length >= count) break;
      if (used.has(cluster.name)) continue;
      used.add(cluster.name);
      taken.push(cluster);
    }
    return taken;
  };
  const smallestFirst = [...clusters].sort(byNodesThenName);
  const waves: Cluster[][] = [];
  let size = cap(Math.max(1, strategy.firstWave));
  // Wave 1: the smallest clusters, or the large canary and the smallest ones.
  const first = strategy.largestClassBy <= 1 ? [...take([big], 1), ...take(smallestFirst, size - 1)] : take(smallestFirst, size);
  waves.push(first);
  if (used.size < clusters.length) {
    size = cap(Math.max(1, Math.round(strategy.firstWave * strategy.growth)));
    const second = used.has(big.name) ? take(stratifiedOrder(clusters), size) : [...take([big], 1), ...take(smallestFirst, size - 1)];
    waves.push(second);
  }
  const rest = stratifiedOrder(clusters.filter((cluster) => !used.has(cluster.name)));
  let start = 0;
  let power = 2;
  while (start < rest.length) {
    size = cap(Math.max(1, Math.round(strategy.firstWave * Math.pow(strategy.growth, power))));
    waves.push(rest.slice(start, start + size));
    start += size;
    power++;
  }
  // Order inside a wave: the largest first, so the riskiest cluster starts first under a concurrency cap.
  return waves.map((wave) => [...wave].sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1)));
}

export interface ExplicitWaveProblem {
  /** Index of the wave in the list, or -1 for the whole list. */
  readonly wave: number;
  readonly message: string;
  readonly hint: string;
}

/**
 * Explicit waves: each takes, from the clusters not yet in a wave that its
 * selector matches, `count` of them or `percent` of the plan's clusters
 * (rounded up), in the stratified order; without either it takes them all.
 */
export function explicitWaves(clusters: readonly Cluster[], list: readonly ExplicitWave[]): { waves: Cluster[][]; problems: ExplicitWaveProblem[] } {
  const problems: ExplicitWaveProblem[] = [];
  const used = new Set<string>();
  const order = stratifiedOrder(clusters);
  const waves = list.map((wave, i) => {
    const want = wave.count ?? (wave.percent !== undefined ? Math.max(1, Math.ceil((clusters.length * wave.percent) / 100)) : Number.POSITIVE_INFINITY);
    const picked: Cluster[] = [];
    for (const cluster of order) {
      if (picked.length >= want) break;
      if (used.has(cluster.name) || !selects(wave.clusters, cluster)) continue;
      used.add(cluster.name);
      picked.push(cluster);
    }
    if (picked.length === 0) problems.push({ wave: i, message: `wave \`${wave.name}\` selects no cluster (every cluster its selector matches is in an earlier wave, or none matches)`, hint: 'change its `clusters` selector, or remove the wave' });
    return picked.sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1));
  });
  const left = order.filter((cluster) => !used.has(cluster.name));
  if (left.length > 0) {
    const names = left.slice(0, 5).map((cluster) => cluster.name).join(', ');
    problems.push({
      wave: -1,
      message: `${left.length} cluster(s) of the plan are in no wave (${names}${left.length > 5 ? ', …' : ''})`,
      hint: 'end with a wave without `count` or `percent` to take the rest, or narrow spec.clusters',
    });
  }
  return { waves, problems };
}

/** One node batch in one cluster. */
export interface ResolvedBatch {
  readonly nodes: number;
  /** Share of the cluster's nodes the change runs on after this batch. */
  readonly fraction: number;
}

/** Node batches of a DaemonSet in a cluster of `nodes` nodes; strictly increasing, ending with every node. */
export function resolveBatches(nodes: number, batches: readonly BatchSize[]): ResolvedBatch[] {
  const resolved: ResolvedBatch[] = [];
  let last = 0;
  for (const batch of batches) {
    const count = Math.min(nodes, 'nodes' in batch ? batch.nodes : Math.max(1, Math.ceil((nodes * batch.percent) / 100 - 1e-9)));
    if (count <= last) continue;
    resolved.push({ nodes: count, fraction: count / nodes });
    last = count;
  }
  if (last < nodes) resolved.push({ nodes, fraction: 1 });
  return resolved;
}
