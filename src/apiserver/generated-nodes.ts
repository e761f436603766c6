/**
 * The nodes of a twin-served cluster, generated on demand (contract C): the
 * twin knows how many nodes a cluster has now, not each node, so a node is
 * made from its index when asked. Names `<cluster>-node-<n>` (n from 1,
 * zero-padded to at least 5 digits and to the width of the cluster's largest
 * size); labels `kubernetes.io/hostname`, `kubernetes.io/os: linux`,
 * `kubernetes.io/arch: amd64`, `node.kubernetes.io/instance-type`,
 * `topology.kubernetes.io/zone` (three zones in turn), no
 * `node-role.kubernetes.io/…` label; condition Ready from the twin's share of
 * NotReady nodes (a fixed low-discrepancy order decides which nodes are the
 * NotReady ones, so the count is the twin's and a node does not flicker);
 * creationTimestamp the scenario's start. Only labels written through the API
 * are held, per node index.
 *
 * @example
 *   const nodes = new GeneratedNodes('prod-a', 5000, startMs);
 *   nodes.name(0); // 'prod-a-node-00001'
 *   nodes.object(0, 0.02, '2024-12-11T22:30:00Z');
 */
import type { KubeObject } from './backend.ts';

/** The instance type the generated nodes report (the twin models no machine types). */
export const GENERATED_INSTANCE_TYPE = 'firebreak-twin.standard';
const ZONES = ['a', 'b', 'c'];
/** 1/φ: consecutive multiples modulo 1 spread evenly (a low-discrepancy order of the nodes). */
const GOLDEN = 0.6180339887498949;

export class GeneratedNodes {
  readonly cluster: string;
  readonly #width: number;
  readonly #created: string;
  readonly #overrides = new Map<number, Readonly<Record<string, string>>>();

  constructor(cluster: string, maxNodes: number, startMs: number) {
    this.cluster = cluster;
    this.#width = Math.max(5, String(Math.max(1, maxNodes)).length);
    this.#created = new Date(startMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  name(index: number): string {
    return `${this.cluster}-node-${String(index + 1).padStart(this.#width, '0')}`;
  }

  /** The index of a node name of this cluster below `count` (-1: none). */
  indexOf(name: string, count: number): number {
    const prefix = `${this.cluster}-node-`;
    if (!name.startsWith(prefix)) return -1;
    const digits = name.slice(prefix.length);
    if (digits.length !== this.#width || !/^\d+$/.test(digits)) return -1;
    const i = Number(digits) - 1;
    return i >= 0 && i < count ? i : -1;
  }

  /** The generated labels of a node, then those written through the API. */
  labels(index: number): Readonly<Record<string, string>> {
    const name = this.name(index);
    const base: Record<string, string> = {
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': GENERATED_INSTANCE_TYPE,
      'topology.kubernetes.io/zone': `zone-${ZONES[index % ZONES.length] ?? 'a'}`,
    };
    const o = this.#overrides.get(index);
    return o === undefined ? base : { ...base, ...o };
  }

  /** Labels written through the API, merged over the generated ones (which stay: the twin's nodes keep their identity). */
  setLabels(index: number, labels: Readonly<Record<string, string>>): void {
    this.#overrides.set(index, { ...labels });
  }

  /** Nodes with labels written through the API. */
  overridden(): readonly number[] {
    return [...this.#overrides.keys()];
  }

  /** The node is NotReady when it is among the first `notReadyRatio` of the nodes in the low-discrepancy order. */
  ready(index: number, notReadyRatio: number): boolean {
    return ((index + 1) * GOLDEN) % 1 >= notReadyRatio;
  }

  object(index: number, notReadyRatio: number, heartbeat: string): KubeObject {
    const name = this.name(index);
    const ready = this.ready(index, notReadyRatio);
    const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, uid: `${this.cluster}-node-uid-${index + 1}`, labels: this.labels(index), creationTimestamp: this.#created },
      spec: { podCIDR: `10.${128 + ((index >> 8) & 127)}.${index & 255}.0/24` },
      status: {
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
        allocatable: { cpu: '15800m', memory: '62Gi', pods: '110' },
        conditions: [
          {
            type: 'Ready',
            status: ready ? 'True' : 'Unknown',
            reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
            message: ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.',
            lastHeartbeatTime: heartbeat,
            lastTransitionTime: this.#created,
          },
        ],
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: { kubeletVersion: 'v1.31.0', containerRuntimeVersion: 'containerd://1.7.0', osImage: 'firebreak twin', operatingSystem: 'linux', architecture: 'amd64' },
      },
    };
  }
}
