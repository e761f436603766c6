/**
 * Calico, read from the container image and environment:
 *
 * Calico (docs.tigera.io, and ref "Calico | use Typha above 50 nodes,
 *   essential above 100"): calico-node's Felix in Kubernetes-datastore mode
 *   watches pods, nodes, namespaces, service accounts, network policies and
 *   endpoint slices cluster-wide — unless `FELIX_TYPHAK8SSERVICENAME` points
 *   it at Typha, the Deployment that watches once and fans out to every node.
 *
 * @example
 *   calicoReader.read(ctx)?.agent;   // 'calico-node' or 'calico-typha'
 */
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentReader, type AgentResult } from './agent.ts';

export function calico(w: WorkloadInfo, c: Container): AgentResult | undefined {
  const image = c.image.toLowerCase();
  const at: Loc = w.f.loc([...c.path, 'image']);
  if (/(^|\/)typha(:|@|$)/.test(image) || /calico\/typha/.test(image)) {
    const calls = ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services'].map((res) => ({
      profile: callProfile(`typha-${res}`, 'watch', res),
      at,
      because: `Calico Typha watches ${res} once for the cluster and fans the updates out to every calico-node`,
      agent: 'calico-typha',
    }));
    return { agent: 'calico-typha', calls, notes: [] };
  }
  if (!/calico\/node(:|@|$)/.test(image) && !/(^|\/)calico-node(:|@|$)/.test(image)) return undefined;
  const datastore = c.env.get('DATASTORE_TYPE')?.value ?? 'kubernetes';
  if (datastore !== 'kubernetes') return { agent: 'calico-node', calls: [], notes: [] };
  const typha = c.env.get('FELIX_TYPHAK8SSERVICENAME');
  const viaTypha = typha !== undefined && (typha.value === undefined || (typha.value !== '' && typha.value.toLowerCase() !== 'none'));
  // Either way the node reads and updates its own Node object now and then.
  const calls: DerivedCall[] = [{ profile: callProfile('calico-node-get-node', 'get', 'nodes', { periodS: 60 }), at, because: 'calico-node reads its own Node', agent: 'calico-node' }];
  if (!viaTypha) {
    for (const res of ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services']) {
      calls.push({ profile: callProfile(`felix-${res}`, 'watch', res), at, because: `calico-node's Felix watches every ${res} of the cluster itself (FELIX_TYPHAK8SSERVICENAME is not set, so no Typha)`, agent: 'calico-node' });
    }
  }
  return { agent: 'calico-node', calls, notes: [] };
}

export const calicoReader: AgentReader = {
  id: 'calico',
  image: null,
  read: (ctx) => calico(ctx.workload, ctx.container),
};
