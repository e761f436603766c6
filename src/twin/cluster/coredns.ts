/**
 * CoreDNS as the cluster model sees it: how many replicas run, the pressure
 * on the control-plane nodes when CoreDNS sits beside the API servers, and
 * restarted replicas relisting services and endpoints. DNS itself (replicas'
 * states, node caches, SERVFAIL) is src/twin/dns.ts.
 *
 * @example
 *   dnsReplicas(s);            // the kube-dns autoscaler's count, or the configured one
 *   stepDns(s, t, dt, ready);
 */
import type { ClusterState } from './state.ts';
import { readyCount } from './replicas.ts';
import { controllerHealth } from './leases.ts';
import { corednsReplicas } from '../../model/coredns.ts';

export function dnsReplicas(s: ClusterState): number {
  return corednsReplicas(s.model.dns, s.originalNodes);
}

export function stepDns(s: ClusterState, t: number, dt: number, ready: number): void {
  // Control-plane node pressure, for CoreDNS placed beside the API servers: memory near the
  // limit, or an API server crash-looping on the node.
  let pressure = 0;
  if (s.dnsOnControlPlane) {
    const th = s.model.dns.pressureThreshold;
    pressure = Math.max(0, Math.min(1, (s.memRatio - th) / Math.max(1e-9, 1 - th)));
    const down = (s.replicas.length - readyCount(s)) / s.replicas.length;
    pressure = Math.max(pressure, down);
  }
  const corednsClass = s.coredns;
  s.dns.step(t, dt, pressure, ready > 0 ? controllerHealth(s) : 0, s.nodes);
  // Restarted CoreDNS replicas must list services and endpoints to get a store.
  if (corednsClass !== undefined) {
    const needList = s.dns.takeRestarted();
    if (needList > 0) {
      const move = Math.min(corednsClass.watching, needList);
      corednsClass.watching -= move;
      corednsClass.pending += move;
    }
  }
}
