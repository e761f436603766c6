/**
 * The `Fleet` format (shared by the twin, the analyzer and the orchestrator)
 * and its seeded synthetic generator.
 *
 * @example
 *   const clusters = expandFleet({ clusters: [{ name: 'prod-a', nodes: 5000 }] }, 1);
 */
import { Random } from '../core/random.ts';
import { DEFAULT_PODS_PER_NODE } from './kubernetes.ts';

export interface ClusterSpec {
  readonly name: string;
  readonly nodes: number;
  /** Defaults to nodes × 30 (the 150,000 pods / 5,000 nodes scalability envelope). */
  readonly pods?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface FleetGenerate {
  readonly count: number;
  readonly nodes: { readonly min: number; readonly max: number; readonly median: number };
  /** Name prefix of generated clusters; default `gen`. */
  readonly namePrefix?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface FleetSpec {
  readonly clusters?: readonly ClusterSpec[];
  readonly generate?: FleetGenerate;
}

export interface Cluster {
  readonly name: string;
  readonly nodes: number;
  readonly pods: number;
  readonly labels: Readonly<Record<string, string>>;
  /** small | medium | large | xlarge, from node count (see sizeClass). */
  readonly sizeClass: SizeClass;
}

export type SizeClass = 'small' | 'medium' | 'large' | 'xlarge';
export const SIZE_CLASSES: readonly SizeClass[] = ['small', 'medium', 'large', 'xlarge'];

/** Size classes by node count: < 500, < 2,000, < 5,000, ≥ 5,000. */
export function sizeClass(nodes: number): SizeClass {
  if (nodes < 500) return 'small';
  if (nodes < 2000) return 'medium';
  if (nodes < 5000) return 'large';
  return 'xlarge';
}

export function defaultPods(nodes: number): number {
  return nodes * DEFAULT_PODS_PER_NODE;
}

/**
 * Explicit clusters first, then `generate.count` synthetic ones whose node
 * counts follow a log-normal with the given median, clipped to [min, max]
 * (cluster sizes in real fleets are heavy-tailed). Same seed, same fleet.
 */
export function expandFleet(spec: FleetSpec, seed: number): Cluster[] {
  const out: Cluster[] = [];
  for (const c of spec.clusters ?? []) {
    out.push({ name: c.name, nodes: c.nodes, pods: c.pods ?? defaultPods(c.nodes), labels: { ...(c.labels ?? {}) }, sizeClass: sizeClass(c.nodes) });
  }
  const g = spec.generate;
  if (g !== undefined) {
    const rng = Random.seeded(seed).fork('fleet-generate');
    const { min, max, median } = g.nodes;
    // sigma chosen so that the upper clip sits about 2.5 standard deviations out.
    const sigma = Math.max(0.1, Math.log(max / median) / 2.5);
    const width = String(g.count).length;
    for (let i = 0; i < g.count; i++) {
      const n = Math.round(Math.min(max, Math.max(min, median * Math.exp(rng.normal(0, sigma)))));
      const name = `${g.namePrefix ?? 'gen'}-${String(i + 1).padStart(width, '0')}`;
      out.push({ name, nodes: n, pods: defaultPods(n), labels: { ...(g.labels ?? {}) }, sizeClass: sizeClass(n) });
    }
  }
  return out;
}

/** A cluster selector used by scenarios and plans. All given fields must match. */
export interface ClusterSelector {
  readonly names?: readonly string[];
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly minNodes?: number;
  readonly maxNodes?: number;
  readonly sizeClasses?: readonly SizeClass[];
}

export function selects(sel: ClusterSelector | undefined, c: Cluster): boolean {
  if (sel === undefined) return true;
  if (sel.names !== undefined && !sel.names.includes(c.name)) return false;
  if (sel.minNodes !== undefined && c.nodes < sel.minNodes) return false;
  if (sel.maxNodes !== undefined && c.nodes > sel.maxNodes) return false;
  if (sel.sizeClasses !== undefined && !sel.sizeClasses.includes(c.sizeClass)) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (c.labels[k] !== v) return false;
  return true;
}
