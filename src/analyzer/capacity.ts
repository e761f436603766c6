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
import type { ModelConfig, ObjectSizes, SizingTier } from '../model/model-schema.ts';
import { ownClients, ownWatchers } from '../model/own-clients.ts';
import type { ResourceStats } from '../model/profile.ts';
import { clusterResources, storedBytes, UNMODELLED_RESOURCE } from '../model/resources.ts';
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
}

/**
 * Objects the twin does not model, for calls on them: counts derived from the
 * modelled ones with stated ratios (docs/analyzer.md, "Objects"). They are not
 * added to the watch cache, as the twin does not hold them either.
 */
function extraResources(base: ReadonlyMap<string, ResourceStats>, pods: number): Map<string, ResourceStats> {
  const services = base.get('services')?.count ?? 10;
  const namespaces = base.get('namespaces')?.count ?? 5;
  const slices = base.get('endpointslices') ?? UNMODELLED_RESOURCE;
  const x = new Map<string, ResourceStats>();
  const add = (name: string, count: number, bytes: number, eventsPerSecond: number): void => {
    x.set(name, { count: Math.max(1, Math.round(count)), bytes, eventsPerSecond, nodeScope: 'none' });
  };
  // One Endpoints object per Service, about the size of its slices.
  add('endpoints', services, slices.bytes * 1.2, slices.eventsPerSecond);
  // About one Deployment per Service; 3 ReplicaSets kept per Deployment (current and old revisions); pod templates ~3 KiB.
  add('deployments', services, 3072, services / 3600);
  add('replicasets', services * 3, 3072, services / 3600);
  add('statefulsets', services / 10, 3072, services / 36_000);
  add('daemonsets', Math.max(10, namespaces / 10), 3072, 0.01);
  add('jobs', services / 5, 2048, services / 18_000);
  add('cronjobs', services / 20, 2048, 0.01);
  add('secrets', namespaces * 10, 4096, 0.1);
  add('serviceaccounts', namespaces * 3, 500, 0.01);
  add('ingresses', services / 10, 1536, 0.01);
  add('networkpolicies', namespaces * 2, 1024, 0.01);
  add('persistentvolumeclaims', pods / 10, 1024, pods / 6_000_000);
  add('persistentvolumes', pods / 10, 1024, pods / 6_000_000);
  add('resourcequotas', namespaces, 500, 0.01);
  add('limitranges', namespaces, 500, 0.01);
  add('roles', namespaces * 3, 1024, 0.01);
  add('rolebindings', namespaces * 3, 1024, 0.01);
  add('clusterroles', 100, 1536, 0.01);
  add('clusterrolebindings', 100, 1024, 0.01);
  add('customresourcedefinitions', 50, 20_480, 0.01);
  add('horizontalpodautoscalers', services / 10, 1024, services / 600);
  add('poddisruptionbudgets', services / 5, 700, 0.01);
  add('storageclasses', 5, 500, 0);
  add('csinodes', 1, 800, 0);
  add('volumeattachments', pods / 10, 800, pods / 6_000_000);
  return x;
}

/**
 * Custom resources of the networking agents the analyzer reads (agents/cilium.ts,
 * agents/aws-vpc-cni.ts, agents/kube-proxy.ts), sized from the objects they mirror.
 * Not part of KNOWN_RESOURCES: they exist only where their agent is installed,
 * so a wildcard RBAC grant's worst case does not include them.
 */
function agentResources(base: ReadonlyMap<string, ResourceStats>, o: ObjectSizes): Map<string, ResourceStats> {
  const pods = base.get('pods');
  const nodes = base.get('nodes');
  const services = base.get('services')?.count ?? 10;
  const namespaces = base.get('namespaces')?.count ?? 5;
  const podCount = pods?.count ?? 30;
  const podEvents = pods?.eventsPerSecond ?? 0.05;
  const x = new Map<string, ResourceStats>();
  const add = (name: string, count: number, bytes: number, eventsPerSecond: number, nodeScope: ResourceStats['nodeScope'] = 'none'): void => {
    x.set(name, { count: Math.max(1, Math.round(count)), bytes, eventsPerSecond, nodeScope });
  };
  // Cilium: one CiliumEndpoint per pod (docs.cilium.io "EndpointSlice CRD": "Cilium will create a
  // CRD of Kind CiliumEndpoint (CEP) for each pod managed by Cilium"), written about as often as
  // its pod (a create and two updates per pod start, cilium/cilium#15153); ~2 KiB: identity,
  // addressing, named ports, owner reference (no status.policy unless endpoint-status is set).
  add('ciliumendpoints', podCount, 2048, podEvents);
  // CiliumEndpointSlices batch up to 100 slim CEPs each (operator --ces-max-ciliumendpoints-per-ces,
  // default 100) of ~200 B, one identity per slice in the default identity slicing mode (so at least
  // one slice per identity); the operator writes them at most 10 times a second
  // (--ces-write-qps-limit, default 10; cilium/cilium#24675), so agents see at most that many events.
  const slices = Math.max(podCount / 100, services);
  add('ciliumendpointslices', slices, 512 + (podCount / slices) * 200, Math.min(podEvents, 10));
  // About one security identity per workload label set: about one per Service; rarely written.
  add('ciliumidentities', services, 1024, services / 3600);
  // One CiliumNode per node (IPAM pool, addresses, health IPs), updated as often as the Node is
  // assumed to be; the agent reads its own by metadata.name.
  add('ciliumnodes', nodes?.count ?? 1, 4096, (nodes?.count ?? 1) * o.nodeEventsPerNodeS, 'name');
  // Cilium's policy types: a few per namespace, rarely written.
  add('ciliumnetworkpolicies', namespaces * 2, 2048, 0.01);
  add('ciliumclusterwidenetworkpolicies', 20, 2048, 0.01);
  add('ciliumcidrgroups', 10, 1024, 0.01);
  // AWS VPC CNI: one CNINode per node (vpcresources.k8s.aws), read by name; ENIConfigs: one per
  // subnet / availability zone used for custom networking (a handful).
  add('cninodes', nodes?.count ?? 1, 1024, (nodes?.count ?? 1) / 3600, 'name');
  add('eniconfigs', 10, 512, 0.001);
  // AWS network policy agent: PolicyEndpoints, about one per NetworkPolicy (resolved pod IPs: ~4 KiB).
  add('policyendpoints', namespaces * 2, 4096, 0.01);
  add('clusterpolicyendpoints', 10, 4096, 0.01);
  // kube-proxy >= 1.33: ServiceCIDRs (networking.k8s.io/v1), usually the one named "kubernetes".
  add('servicecidrs', 1, 512, 0);
  return x;
}

/** Every resource name the estimate knows (the twin's and the derived ones). */
export const KNOWN_RESOURCES: readonly string[] = [
  ...clusterResources(1, 30, {
    podBytes: 1, nodeBytes: 1, serviceBytes: 1, endpointSliceBytes: 1, configMapBytes: 1, servicesPer100Pods: 1, configMapsPerNamespace: 1, podsPerNamespace: 1,
    podEventsPerPodS: 0, nodeEventsPerNodeS: 0, serviceEventsPerServiceS: 0,
  }).keys(),
  ...extraResources(new Map(), 30).keys(),
];

/** Capacity and objects of a cluster of `nodes` nodes and `pods` pods under `model`. */
export function clusterCapacity(model: ModelConfig, nodes: number, pods: number): ClusterCapacity {
  const a = model.apiServer;
  const tier = sizingTier(a.sizing, nodes);
  const modelled = clusterResources(nodes, pods, model.objects);
  const extra = extraResources(modelled, pods);
  const agents = agentResources(modelled, model.objects);
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
    // A subresource (nodes/status) is about its object's size.
    resource: (name) => {
      const base = name.includes('/') ? (name.split('/')[0] ?? name) : name;
      return modelled.get(base) ?? extra.get(base) ?? agents.get(base) ?? UNMODELLED_RESOURCE;
    },
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
