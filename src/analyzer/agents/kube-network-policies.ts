/**
 * kube-network-policies (kubernetes-sigs/kube-network-policies), the
 * NetworkPolicy enforcer flannel's Helm chart runs beside flanneld when
 * `netpol.enabled` (flannel-io/flannel chart/kube-flannel), read from its
 * image and flags:
 * - the standard build (cmd/kube-network-policies/standard/main.go) keeps
 *   informers on every Pod, Namespace and NetworkPolicy of the cluster on
 *   every node (its transform drops managedFields after the objects arrive:
 *   the API server still sends them whole);
 * - the `-npa-v1alpha1` / `-npa-v1alpha2` builds add AdminNetworkPolicies and
 *   BaselineAdminNetworkPolicies;
 * - the `-iptracker` build with `--ip-tracker-address` (install-iptracker.yaml)
 *   asks the kube-ip-tracker Deployment for pod IPs instead of watching pods:
 *   only NetworkPolicies (and Namespaces) per node; kube-ip-tracker watches
 *   Pods, Namespaces and Nodes once for the cluster and fans them out — the
 *   Typha pattern.
 *
 * @example
 *   kubeNetworkPoliciesReader.read(ctx)?.calls.map((c) => c.profile.resource);   // ['pods', 'namespaces', 'networkpolicies']
 */
import type { DerivedCall } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { argHas, callProfile, type AgentReader, type AgentResult } from './agent.ts';
import { containerFlags } from './container-flags.ts';

export function kubeNetworkPolicies(w: WorkloadInfo, c: Container): AgentResult | undefined {
  const image = c.image.toLowerCase();
  const ipTracker = /(^|\/)kube-ip-tracker(:|@|$)/.test(image);
  if (!ipTracker && !/(^|\/)kube-network-policies(:|@|$)/.test(image) && !c.args.some((a) => /(^|\/)netpol$/.test(a))) return undefined;
  // Located only for the containers it reads (every container of every workload is offered).
  const at = w.f.loc([...c.path, 'image']);
  if (ipTracker) {
    const calls = ['pods', 'namespaces', 'nodes'].map((res) => ({
      profile: callProfile(`kube-ip-tracker-${res}`, 'watch', res),
      at,
      because: `kube-ip-tracker watches every ${res.replace(/s$/, '')} of the cluster once and serves pod IPs to the kube-network-policies agents (a fan-out cache)`,
      agent: 'kube-ip-tracker',
    }));
    return { agent: 'kube-ip-tracker', calls, notes: [] };
  }
  const flags = containerFlags(w, c);
  const tracker = flags.get('ip-tracker-address');
  const viaTracker = tracker !== undefined && tracker.value !== '' && tracker.value !== 'true';
  const calls: DerivedCall[] = [];
  const push = (res: string, because: string, where = at): void => {
    calls.push({ profile: callProfile(`kube-network-policies-${res}`, 'watch', res), at: where, because, agent: 'kube-network-policies' });
  };
  if (!viaTracker) push('pods', 'kube-network-policies keeps an informer on every pod of the cluster on every node (to resolve policy peers by IP); no --ip-tracker-address points it at kube-ip-tracker');
  push('namespaces', 'kube-network-policies keeps an informer on every Namespace (namespace selectors of policies)', viaTracker ? tracker.at : at);
  push('networkpolicies', 'kube-network-policies keeps an informer on every NetworkPolicy of the cluster');
  if (/npa-v1alpha\d/.test(image)) {
    push('adminnetworkpolicies', 'kube-network-policies (npa build) watches every AdminNetworkPolicy');
    push('baselineadminnetworkpolicies', 'kube-network-policies (npa build) watches every BaselineAdminNetworkPolicy');
  }
  return { agent: 'kube-network-policies', calls, notes: [] };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'kube-network-policies' ? 'run kube-network-policies\' -iptracker build with --ip-tracker-address pointing at the kube-ip-tracker Deployment (install-iptracker.yaml): one pod watch for the cluster instead of one per node' : undefined;

export const kubeNetworkPoliciesReader: AgentReader = {
  id: 'kube-network-policies',
  image: null,
  read: (ctx) => kubeNetworkPolicies(ctx.workload, ctx.container),
  mayRead: (image, c) => image.includes('kube-ip-tracker') || image.includes('kube-network-policies') || argHas(c, 'netpol'),
  fix: clusterWideFix,
};
