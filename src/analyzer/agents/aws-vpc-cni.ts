/**
 * The Amazon VPC CNI (aws-node: ipamd, and the aws-eks-nodeagent network
 * policy agent beside it), read from the image version and the environment
 * (aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml):
 *
 * ipamd reads the API through a controller-runtime cache: every type it
 * reads becomes an informer (pkg/k8sapi/k8sutils.go):
 * - from v1.15 (controller-runtime 0.15, aws/amazon-vpc-cni-k8s#2481) the
 *   cache is narrowed by `MY_NODE_NAME` (downward API spec.nodeName): pods
 *   with `spec.nodeName=<node>`, its Node by `metadata.name`, its CNINode by
 *   name when `ENABLE_POD_ENI` (security groups for pods) — without
 *   MY_NODE_NAME there is no filter and both are cluster-wide;
 * - v1.13.4 and v1.14 narrow only pods (#2463); the Node informer is
 *   cluster-wide;
 * - v1.13.0–v1.13.3 read its own pod through the cache with no selector: a
 *   pod informer on the whole cluster on every node ("10x memory usage in
 *   1.13.2 compared to 1.12.x … increase with the number of nodes",
 *   aws/amazon-vpc-cni-k8s#2436), and a cluster-wide Node informer;
 * - v1.8–v1.12 cache Nodes (cluster-wide) and read pods directly.
 * With custom networking (`AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true`) it reads
 * its ENIConfig through the cache: an informer on every ENIConfig (a handful).
 * With `ANNOTATE_POD_IP=true` it patches each pod it wires (one per new pod
 * on its node). An image without a version tag is read as the widest
 * (v1.13.0–1.13.3) and says so.
 *
 * The network policy agent (aws/aws-network-policy-agent main.go) registers
 * its PolicyEndpoints and ClusterPolicyEndpoints controllers only with
 * `--enable-network-policy=true`; its manager cache has no filter, so each
 * node watches them cluster-wide.
 *
 * @example
 *   awsVpcCniReader.read(ctx)?.calls.map((c) => `${c.profile.resource} ${c.profile.scope}`);   // ['pods node', 'nodes node']
 */
import type { Scope } from '../../model/profile.ts';
import { DEFAULT_PODS_PER_NODE } from '../../model/kubernetes.ts';
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentNote, type AgentReader, type AgentResult } from './agent.ts';
import { truthy } from './config-text.ts';
import { containerFlags, envAt } from './container-flags.ts';
import { imageVersion, versionAtLeast } from './image-version.ts';

/** A CNINode patch at start (security groups for pods); pods restart far less than daily. */
const ONCE_PER_START_S = 86_400;

function awsNode(w: WorkloadInfo, c: Container, podEventsPerPodS: number): AgentResult {
  const imageAt = w.f.loc([...c.path, 'image']);
  const notes: AgentNote[] = [];
  const tagged = imageVersion(c.image);
  if (tagged === undefined) {
    notes.push({ rule: 'agent-config', severity: 'note', at: imageAt, message: `Amazon VPC CNI: image ${c.image} has no version tag; read as v1.13.0–1.13.3, whose ipamd watches every pod and Node of the cluster (the widest its versions do)`, fix: 'pin a versioned image (v1.15 or later narrows ipamd to its node)' });
  }
  const v = tagged ?? ([1, 13, 0] as const);
  const nodeNameAt = envAt(w, c, 'MY_NODE_NAME');
  const nodeName = c.env.get('MY_NODE_NAME') !== undefined;
  const env = (name: string): { on: boolean; at: Loc | undefined } => ({ on: truthy(c.env.get(name)?.value ?? ''), at: envAt(w, c, name) });
  const podEni = env('ENABLE_POD_ENI');
  const custom = env('AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG');
  const annotate = env('ANNOTATE_POD_IP');
  const modern = versionAtLeast(v, [1, 15, 0]);
  const podSelector = versionAtLeast(v, [1, 13, 4]);
  const podsCached = versionAtLeast(v, [1, 13, 0]);
  const calls: DerivedCall[] = [];
  const ver = `${v[0]}.${v[1]}${tagged === undefined ? ' (assumed)' : ''}`;
  if (podsCached) {
    const scope: Scope = podSelector && nodeName ? 'node' : 'cluster';
    calls.push({
      profile: callProfile('aws-node-pods', 'watch', 'pods', { scope }),
      at: scope === 'node' ? (nodeNameAt ?? imageAt) : imageAt,
      because:
        scope === 'node'
          ? `aws-node ${ver}'s ipamd caches the pods of its node (field selector spec.nodeName=$MY_NODE_NAME)`
          : podSelector
            ? 'aws-node\'s ipamd caches pods with no node selector because MY_NODE_NAME is not set: every pod of the cluster on every node'
            : `aws-node ${ver}'s ipamd reads its own pod through a cache with no selector: an informer on every pod of the cluster, on every node (aws/amazon-vpc-cni-k8s#2436; fixed in 1.13.4)`,
      agent: 'aws-node',
    });
  }
  const nodeScope: Scope = modern && nodeName ? 'node' : 'cluster';
  calls.push({
    profile: callProfile('aws-node-nodes', 'watch', 'nodes', { scope: nodeScope }),
    at: nodeScope === 'node' ? (nodeNameAt ?? imageAt) : imageAt,
    because: nodeScope === 'node' ? 'aws-node\'s ipamd caches its own Node (metadata.name=$MY_NODE_NAME)' : `aws-node ${ver}'s ipamd reads its Node through a cache with no selector: an informer on every Node of the cluster${modern ? ' (MY_NODE_NAME is not set)' : ' (narrowed from 1.15)'}`,
    agent: 'aws-node',
  });
  if (modern && podEni.on) {
    const scope: Scope = nodeName ? 'node' : 'cluster';
    calls.push({ profile: callProfile('aws-node-cninodes', 'watch', 'cninodes', { scope }), at: podEni.at ?? imageAt, because: `aws-node with ENABLE_POD_ENI caches ${scope === 'node' ? 'its own CNINode' : 'every CNINode (MY_NODE_NAME is not set)'}`, agent: 'aws-node' });
    calls.push({ profile: callProfile('aws-node-cninode-feature', 'patch', 'cninodes', { periodS: ONCE_PER_START_S }), at: podEni.at ?? imageAt, because: 'aws-node patches its CNINode with the security-groups-for-pods feature at start', agent: 'aws-node' });
  }
  if (custom.on) {
    calls.push({ profile: callProfile('aws-node-eniconfigs', 'watch', 'eniconfigs'), at: custom.at ?? imageAt, because: 'aws-node with custom networking reads its ENIConfig through the cache: an informer on every ENIConfig (one per subnet or zone)', agent: 'aws-node' });
  }
  if (annotate.on) {
    const perS = DEFAULT_PODS_PER_NODE * podEventsPerPodS;
    calls.push({ profile: callProfile('aws-node-annotate-pod', 'patch', 'pods', { periodS: 1 / Math.max(1e-9, perS) }), at: annotate.at ?? imageAt, because: 'aws-node with ANNOTATE_POD_IP patches every pod it wires with its IP', agent: 'aws-node' });
  }
  return { agent: 'aws-node', calls, notes };
}

function networkPolicyAgent(w: WorkloadInfo, c: Container): AgentResult {
  const flag = containerFlags(w, c).get('enable-network-policy');
  if (flag === undefined || !truthy(flag.value)) return { agent: 'aws-network-policy-agent', calls: [], notes: [] };
  const calls = ['policyendpoints', 'clusterpolicyendpoints'].map((res) => ({
    profile: callProfile(`aws-np-agent-${res}`, 'watch', res),
    at: flag.at,
    because: `the AWS network policy agent (--enable-network-policy=true) watches every ${res === 'policyendpoints' ? 'PolicyEndpoint' : 'ClusterPolicyEndpoint'} of the cluster from every node (its manager cache has no filter)`,
    agent: 'aws-network-policy-agent',
  }));
  return { agent: 'aws-network-policy-agent', calls, notes: [] };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'aws-node' ? 'upgrade the Amazon VPC CNI to v1.15 or later and set MY_NODE_NAME from the downward API (spec.nodeName): ipamd then caches only its node\'s pods and its own Node' : undefined;

export const awsVpcCniReader: AgentReader = {
  id: 'aws-vpc-cni',
  image: null,
  read: (ctx) => {
    const image = ctx.container.image.toLowerCase();
    if (/(^|\/)amazon-k8s-cni(:|@|$)/.test(image)) return awsNode(ctx.workload, ctx.container, ctx.model.objects.podEventsPerPodS);
    if (/(^|\/)aws-network-policy-agent(:|@|$)/.test(image)) return networkPolicyAgent(ctx.workload, ctx.container);
    return undefined;
  },
  mayRead: (image) => image.includes('amazon-k8s-cni') || image.includes('aws-network-policy-agent'),
  fix: clusterWideFix,
};
