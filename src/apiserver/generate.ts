/**
 * The nodes and pods of a served cluster, generated from its index (never
 * stored), as contract C of issue #11 names and labels them: nodes
 * `<cluster>-node-<i>` (zero-padded to the cluster's size) with
 * `kubernetes.io/hostname`, `kubernetes.io/os: linux`, `kubernetes.io/arch`,
 * `node.kubernetes.io/instance-type`, `topology.kubernetes.io/zone` and no
 * role label; the cluster's own pods `<cluster>-pod-<i>` in `default`, spread
 * round-robin over the nodes; a workload's pods `<workload>-<node suffix>`.
 *
 * @example
 *   generatedNode({ cluster: 'prod-a', nodes: 50, createdAt }, 0).metadata.name;   // 'prod-a-node-01'
 */
import type { KubeObject } from './backend.ts';
import { SERVED_VERSION } from './discovery.ts';

export interface ClusterShape {
  readonly cluster: string;
  readonly nodes: number;
  /** RFC 3339 creation time of the generated objects. */
  readonly createdAt: string;
}

const ZONES = ['a', 'b', 'c'];

function pad(shape: ClusterShape, i: number): string {
  return String(i + 1).padStart(String(shape.nodes).length, '0');
}

export function nodeName(shape: ClusterShape, i: number): string {
  return `${shape.cluster}-node-${pad(shape, i)}`;
}

/** The index of a node name; -1 when none. */
export function nodeIndexOf(shape: ClusterShape, name: string): number {
  const prefix = `${shape.cluster}-node-`;
  if (!name.startsWith(prefix)) return -1;
  const digits = name.slice(prefix.length);
  if (digits.length !== String(shape.nodes).length || !/^\d+$/.test(digits)) return -1;
  const i = Number(digits) - 1;
  return i >= 0 && i < shape.nodes ? i : -1;
}

export function nodeIp(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export function nodeLabels(shape: ClusterShape, i: number): Record<string, string> {
  return {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': nodeName(shape, i),
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'm5.4xlarge',
    'topology.kubernetes.io/zone': `zone-${ZONES[i % ZONES.length] ?? 'a'}`,
  };
}

export function generatedNode(shape: ClusterShape, i: number, labels: Readonly<Record<string, string>>, ready: boolean): KubeObject {
  const name = nodeName(shape, i);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`, resourceVersion: '1', creationTimestamp: shape.createdAt, labels: { ...labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: `10.244.${i & 255}.0/24`, providerID: `firebreak://${shape.cluster}/${name}` },
    status: {
      capacity: { cpu: '16', memory: '65536Mi', pods: '110' },
      allocatable: { cpu: '15890m', memory: '64000Mi', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: shape.createdAt, lastTransitionTime: shape.createdAt },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: shape.createdAt, lastTransitionTime: shape.createdAt },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: shape.createdAt, lastTransitionTime: shape.createdAt },
        ready
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: shape.createdAt, lastTransitionTime: shape.createdAt }
          : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: shape.createdAt, lastTransitionTime: shape.createdAt },
      ],
      addresses: [
        { type: 'InternalIP', address: nodeIp(i) },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { kubeletVersion: SERVED_VERSION.gitVersion, kubeProxyVersion: SERVED_VERSION.gitVersion, osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-1057-aws', containerRuntimeVersion: 'containerd://1.7.22', operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '' },
    },
  };
}

export interface PodShape {
  readonly name: string;
  readonly namespace: string;
  readonly nodeIndex: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Containers as in the owner's template (name, image). */
  readonly containers: readonly { readonly name: string; readonly image: string }[];
  readonly owner?: { readonly kind: string; readonly name: string; readonly uid: string };
  readonly running: boolean;
}

export function generatedPod(shape: ClusterShape, p: PodShape, uidIndex: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: `00000000-0000-4000-a000-${uidIndex.toString(16).padStart(12, '0')}`,
      resourceVersion: '1',
      creationTimestamp: shape.createdAt,
      labels: { ...p.labels },
      ...(p.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: p.owner.kind, name: p.owner.name, uid: p.owner.uid, controller: true, blockOwnerDeletion: true }] }),
    },
    spec: { nodeName: nodeName(shape, p.nodeIndex), containers: p.containers.map((c) => ({ name: c.name, image: c.image })), restartPolicy: 'Always', schedulerName: 'default-scheduler' },
    status: {
      phase: p.running ? 'Running' : 'Pending',
      hostIP: nodeIp(p.nodeIndex),
      podIP: `10.245.${(uidIndex >> 8) & 255}.${uidIndex & 255}`,
      containerStatuses: p.containers.map((c) => ({ name: c.name, image: c.image, ready: p.running, restartCount: 0, started: p.running, state: p.running ? { running: { startedAt: shape.createdAt } } : { waiting: { reason: 'ContainerCreating' } } })),
    },
  };
}
