/**
 * Calico, read from the container image and environment:
 *
 * Calico (docs.tigera.io, and ref "Calico | use Typha above 50 nodes,
 *   essential above 100"): calico-node's Felix in Kubernetes-datastore mode
 *   watches pods, nodes, namespaces, service accounts, network policies and
 *   endpoint slices cluster-wide — unless `FELIX_TYPHAK8SSERVICENAME` points
 *   it at Typha, the Deployment that watches once and fans out to every node.
 *   The value `none` means no Typha (the project's calico.yaml manifest sets
 *   calico-config `typha_service_name: "none"`: "To enable Typha, set this to
 *   "calico-typha" *and* set a non-zero value for Typha replicas"). Typha
 *   runs in every operator-based install ("Operator based installations
 *   always include Typha", docs.tigera.io, "Schedule Typha for scaling"); the
 *   manifest install for more than 50 nodes is calico-typha.yaml. When the
 *   value comes from a ConfigMap that is not in the input, whether there is a
 *   Typha cannot be known: a profile-unknown note, and the calls of no Typha.
 *
 * @example
 *   calicoReader.read(ctx)?.agent;   // 'calico-node' or 'calico-typha'
 */
import type { DerivedCall, Loc } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentNote, type AgentReader, type AgentResult } from './agent.ts';

const FELIX_RESOURCES = ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'endpointslices', 'services'];

/** The fix for calico-node without Typha: Typha, not a field selector (Felix needs the whole cluster's state). */
export const TYPHA_FIX =
  "enable Typha: with the Tigera operator Typha always runs; with manifests, install calico-typha.yaml (the calico-typha Deployment with replicas > 0 and its Service) and set calico-config typha_service_name (FELIX_TYPHAK8SSERVICENAME) to calico-typha — one watch per type for the cluster, fanned out to every calico-node (Calico recommends Typha above 50 nodes, essential above 100)";

export function calico(w: WorkloadInfo, c: Container): AgentResult | undefined {
  const image = c.image.toLowerCase();
  const typhaImage = /(^|\/)typha(:|@|$)/.test(image) || /calico\/typha/.test(image);
  if (!typhaImage && !/calico\/node(:|@|$)/.test(image) && !/(^|\/)calico-node(:|@|$)/.test(image)) return undefined;
  // Located only for the containers it reads (every container of every workload is offered).
  const at: Loc = w.f.loc([...c.path, 'image']);
  if (typhaImage) {
    const calls = FELIX_RESOURCES.map((res) => ({
      profile: callProfile(`typha-${res}`, 'watch', res),
      at,
      because: `Calico Typha watches ${res} once for the cluster and fans the updates out to every calico-node`,
      agent: 'calico-typha',
    }));
    return { agent: 'calico-typha', calls, notes: [] };
  }
  const datastore = c.env.get('DATASTORE_TYPE')?.value ?? 'kubernetes';
  if (datastore !== 'kubernetes') return { agent: 'calico-node', calls: [], notes: [] };
  const typha = c.env.get('FELIX_TYPHAK8SSERVICENAME');
  const envAt = (): Loc => {
    const list = w.f.get([...c.path, 'env']);
    const i = Array.isArray(list) ? list.findIndex((e) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'FELIX_TYPHAK8SSERVICENAME') : -1;
    return i < 0 ? at : w.f.loc([...c.path, 'env', i]);
  };
  const notes: AgentNote[] = [];
  // Why Felix watches the cluster itself, in the words of the setting.
  let why: string;
  if (typha === undefined) why = 'FELIX_TYPHAK8SSERVICENAME is not set, so no Typha';
  else if (typha.value === undefined) {
    const ref = typha.configMapKeyRef;
    const from = ref !== undefined ? `ConfigMap ${w.namespace}/${ref.name} key ${ref.key}` : 'a source the analyzer does not read';
    why = `FELIX_TYPHAK8SSERVICENAME comes from ${from}, which is not in the input, so whether there is a Typha is not known — assumed there is none`;
    notes.push({
      rule: 'profile-unknown',
      severity: 'warn',
      at: envAt(),
      message: `calico-node takes FELIX_TYPHAK8SSERVICENAME from ${from}, which is not in the input: whether Felix watches the cluster itself or asks Typha cannot be told; estimated without Typha (every calico-node watches ${FELIX_RESOURCES.join(', ')} cluster-wide)`,
      fix: `include ${ref !== undefined ? `ConfigMap ${w.namespace}/${ref.name}` : 'the value'} in the input (helm template / kustomize build output holds it), or state the calls in a firebreak.dev/api-profile annotation`,
    });
  } else if (typha.value.toLowerCase() === 'none') why = `FELIX_TYPHAK8SSERVICENAME is set to \`none\`${typha.configMapKeyRef !== undefined ? ` (ConfigMap ${typha.configMapKeyRef.name} key ${typha.configMapKeyRef.key})` : ''}, which means no Typha`;
  else if (typha.value === '') why = 'FELIX_TYPHAK8SSERVICENAME is empty, so no Typha';
  else why = '';
  // Either way the node reads and updates its own Node object now and then.
  const calls: DerivedCall[] = [{ profile: callProfile('calico-node-get-node', 'get', 'nodes', { periodS: 60 }), at, because: 'calico-node reads its own Node', agent: 'calico-node' }];
  if (why !== '') {
    const whyAt = typha !== undefined ? envAt() : at;
    for (const res of FELIX_RESOURCES) {
      calls.push({ profile: callProfile(`felix-${res}`, 'watch', res), at: whyAt, because: `calico-node's Felix watches every ${res} of the cluster itself: ${why}`, agent: 'calico-node', fix: TYPHA_FIX });
    }
  }
  return { agent: 'calico-node', calls, notes };
}

export const calicoReader: AgentReader = {
  id: 'calico',
  image: null,
  read: (ctx) => calico(ctx.workload, ctx.container),
  mayRead: (image) => image.includes('calico') || image.includes('typha'),
};
