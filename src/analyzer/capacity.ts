/**
 * What a cluster's control plane can take, from the same model the twin runs
 * (src/model/defaults.ts DEFAULT_MODEL unless told otherwise) and with the
 * twin's own equations (src/model): API server replicas and their machine
 * (sizing.ts), APF seats per priority level with what other levels can lend
 * (apf-capacity.ts), memory left after the watch cache and the cluster's own
 * watches (apiserver-memory.ts, own-clients.ts), etcd read bandwidth, and the
 * objects a call would touch (resources.ts).
 *
 * References: "ref" = ../shared/reference/kubernetes-control-plane.md.
 */
import { flowQueueRoom, lendableSeats, maxLevelSeats, nominalSeats } from '../model/apf-capacity.ts';
import { gcFactor, memoryLimitBytes, replicaMemoryBytes, watchBytes } from '../model/apiserver-memory.ts';
import { derivedBuiltInNames } from '../model/derived-resources.ts';
import type { ModelConfig, SizingTier } from '../model/model-schema.ts';
import { ownClients, ownWatchers } from '../model/own-clients.ts';
import type { ResourceStats } from '../model/profile.ts';
import { clusterResources, MODELLED_RESOURCES, resolveResource, storedBytes, type ResolvedResource } from '../model/resources.ts';
import { sizingTier } from '../model/sizing.ts';

export interface LevelSeats {
  /** Nominal seats of the level, all replicas: ceil(600 × shares / Σ shares) per server (ref). */
  readonly nominal: number;
  /** Nominal plus every seat the other limited levels may lend when idle (ref: lendable %). */
  readonly available: number;
  /** Queue room of one flow (hand size × queue length per server, ref); a DaemonSet's pods are one flow. */
  readonly flowQueue: number;
  readonly exempt: boolean;
}

export interface ClusterCapacity {
  readonly nodes: number;
  readonly pods: number;
  readonly replicas: number;
  readonly tier: SizingTier;
  /** API server cores, all replicas. */
  readonly cores: number;
  /**
   * Memory limit of the replica that runs out first: the twin spreads each
   * machine's limit uniformly over ±memoryJitter; the smallest of R replicas
   * is expected at 1 − j + 2j / (R + 1) of the tier's memory.
   */
  readonly memoryLimitBytes: number;
  /** Memory each replica holds before the change: resident + watch cache + the cluster's own watches × (1 + GC headroom). */
  readonly baselineBytes: number;
  readonly gcFactor: number;
  readonly etcdReadBytesPerS: number;
  readonly requestTimeoutS: number;
  readonly levels: ReadonlyMap<string, LevelSeats>;
  resource(name: string): ResourceStats;
  /** The type's figures and where they come from (stated, modelled, derived, assumed). */
  resolve(name: string): ResolvedResource;
}

/** Every resource name the estimate knows (the modelled and the derived built-in ones). */
export const KNOWN_RESOURCES: readonly string[] = [...MODELLED_RESOURCES, ...derivedBuiltInNames()];

/** Capacity and objects of a cluster of `nodes` nodes and `pods` pods under `model`. */
export function clusterCapacity(model: ModelConfig, nodes: number, pods: number): ClusterCapacity {
  const a = model.apiServer;
  const tier = sizingTier(a.sizing, nodes);
  const modelled = clusterResources(nodes, pods, model.objects);
  const stored = storedBytes(modelled);
  // The cluster's own watches: the informers of the twin's own clients, all in sync.
  const watchers = ownWatchers(ownClients(model, nodes, modelled), nodes);
  const baselineBytes = replicaMemoryBytes(a, stored, watchBytes(watchers, model.costs), a.replicas);

  const levelsSpec = model.apf.levels;
  const nominal = nominalSeats(levelsSpec, a.seats);
  const most = maxLevelSeats(levelsSpec, nominal, lendableSeats(levelsSpec, nominal));
  const levels = new Map<string, LevelSeats>();
  levelsSpec.forEach((l, i) => {
    levels.set(l.name, {
      nominal: (nominal[i] ?? 0) * a.replicas,
      available: (most[i] ?? 0) * a.replicas,
      flowQueue: flowQueueRoom(l) * a.replicas,
      exempt: l.exempt,
    });
  });
  return {
    nodes,
    pods,
    replicas: a.replicas,
    tier,
    cores: tier.cpuCores * a.replicas,
    memoryLimitBytes: memoryLimitBytes(a, tier.memoryBytes, 1 / (a.replicas + 1)),
    baselineBytes,
    gcFactor: gcFactor(a),
    etcdReadBytesPerS: model.etcd.readBytesPerS,
    requestTimeoutS: a.requestTimeoutS,
    levels,
    // The twin's resolution (resources.ts): a subresource (nodes/status) is about its object's size.
    resource: (name) => resolveResource(modelled, name, model.objects).stats,
    resolve: (name) => resolveResource(modelled, name, model.objects),
  };
}

const CACHE = new WeakMap<ModelConfig, Map<string, ClusterCapacity>>();

/** clusterCapacity, remembered per model (the size search asks for the same sizes many times). */
export function cachedCapacity(model: ModelConfig, nodes: number, pods: number): ClusterCapacity {
  let m = CACHE.get(model);
  if (m === undefined) {
    m = new Map();
    CACHE.set(model, m);
  }
  const key = `${nodes}/${pods}`;
  let c = m.get(key);
  if (c === undefined) {
    c = clusterCapacity(model, nodes, pods);
    if (m.size > 50_000) m.clear();
    m.set(key, c);
  }
  return c;
}
