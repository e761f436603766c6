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
  for (const c of clusters) {
    const list = byClass.get(c.sizeClass) ?? [];
    list.push(c);
    byClass.set(c.sizeClass, list);
  }
  const keyed: { c: Cluster; k: number }[] = [];
  for (const list of byClass.values()) {
    list.sort(byNodesThenName);
    list.forEach((c, i) => keyed.push({ c, k: (i + 0.5) / list.length }));
  }
  return keyed.sort((a, b) => a.k - b.k || CLASS_RANK[a.c.sizeClass] - CLASS_RANK[b.c.sizeClass] || byNodesThenName(a.c, b.c)).map((x) => x.c);
}

/** Waves of the size-aware strategy, as lists of clusters. */
export function generateWaves(clusters: readonly Cluster[], g: GeneratedWaves): Cluster[][] {
  if (clusters.length === 0) return [];
  const largest = SIZE_CLASSES.filter((s) => clusters.some((c) => c.sizeClass === s)).at(-1) as SizeClass;
  const bigOnes = clusters.filter((c) => c.sizeClass === largest).sort(byNodesThenName);
  const big = (g.largeCanary === 'largest' ? bigOnes.at(-1) : bigOnes[0]) as Cluster;
  const cap = (n: number): number => (g.maxWaveSize > 0 ? Math.min(g.maxWaveSize, n) : n);
  const used = new Set<string>();
  const take = (list: readonly Cluster[], n: number): Cluster[] => {
    const out: Cluster[] = [];
    for (const c of list) {
      if (out.length >= n) break;
      if (used.has(c.name)) continue;
      used.add(c.name);
      out.push(c);
    }
    return out;
  };
  const smallestFirst = [...clusters].sort(byNodesThenName);
  const waves: Cluster[][] = [];
  let size = cap(Math.max(1, g.firstWave));
  // Wave 1: the smallest clusters, or the large canary and the smallest ones.
  const w1 = g.largestClassBy <= 1 ? [...take([big], 1), ...take(smallestFirst, size - 1)] : take(smallestFirst, size);
  waves.push(w1);
  if (used.size < clusters.length) {
    size = cap(Math.max(1, Math.round(g.firstWave * g.growth)));
    const w2 = used.has(big.name) ? take(stratifiedOrder(clusters), size) : [...take([big], 1), ...take(smallestFirst, size - 1)];
    waves.push(w2);
  }
  const rest = stratifiedOrder(clusters.filter((c) => !used.has(c.name)));
  let i = 0;
  let k = 2;
  while (i < rest.length) {
    size = cap(Math.max(1, Math.round(g.firstWave * Math.pow(g.growth, k))));
    waves.push(rest.slice(i, i + size));
    i += size;
    k++;
  }
  // Order inside a wave: the largest first, so the riskiest cluster starts first under a concurrency cap.
  return waves.map((w) => [...w].sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1)));
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
  const waves = list.map((w, i) => {
    const want = w.count ?? (w.percent !== undefined ? Math.max(1, Math.ceil((clusters.length * w.percent) / 100)) : Number.POSITIVE_INFINITY);
    const picked: Cluster[] = [];
    for (const c of order) {
      if (picked.length >= want) break;
      if (used.has(c.name) || !selects(w.clusters, c)) continue;
      used.add(c.name);
      picked.push(c);
    }
    if (picked.length === 0) problems.push({ wave: i, message: `wave \`${w.name}\` selects no cluster (every cluster its selector matches is in an earlier wave, or none matches)`, hint: 'change its `clusters` selector, or remove the wave' });
    return picked.sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1));
  });
  const left = order.filter((c) => !used.has(c.name));
  if (left.length > 0) {
    const names = left.slice(0, 5).map((c) => c.name).join(', ');
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
  const out: ResolvedBatch[] = [];
  let last = 0;
  for (const b of batches) {
    const n = Math.min(nodes, 'nodes' in b ? b.nodes : Math.max(1, Math.ceil((nodes * b.percent) / 100 - 1e-9)));
    if (n <= last) continue;
    out.push({ nodes: n, fraction: n / nodes });
    last = n;
  }
  if (last < nodes) out.push({ nodes, fraction: 1 });
  return out;
}
