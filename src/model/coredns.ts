/**
 * CoreDNS replicas of a cluster: a fixed number, or what the kube-dns
 * autoscaler runs: max(minReplicas, ceil(nodes / nodesPerReplica)), at most
 * maxReplicas (ref:
 * ../shared/reference/kubernetes-control-plane.md). The twin runs that many
 * replicas, each an informer on the API (src/twin/cluster-sim.ts, dns.ts);
 * the analyzer counts their watches (own-clients.ts).
 *
 * @example
 *   corednsReplicas(DEFAULT_MODEL.dns, 5000); // 313
 */
import type { DnsModel } from './model-schema.ts';

export function corednsReplicas(d: DnsModel, nodes: number): number {
  if (d.replicas !== 'auto') return d.replicas;
  return Math.min(d.maxReplicas, Math.max(d.minReplicas, Math.ceil(nodes / d.nodesPerReplica)));
}
