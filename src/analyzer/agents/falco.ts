/**
 * Falco and its k8s-metacollector, read from the container image and
 * command line:
 *
 * Falco ≤ 0.36 legacy Kubernetes client (`-k` / `--k8s-api <URL>`, or the
 *   FALCO_K8S_API environment variable; falcosecurity/falco 0.36.2
 *   userspace/falco/app/options.cpp; falcosecurity/libs
 *   userspace/libsinsp/k8s.cpp, k8s_net.cpp, k8s_handler.cpp): every Falco
 *   pod fetches the state of nodes, namespaces, pods, replication
 *   controllers and services with a plain GET of the collection (no
 *   resourceVersion: a quorum read from etcd), then opens a watch on each.
 *   Only pods are narrowed by `--k8s-node <node>` ("The node name will be
 *   used as a filter when requesting metadata of pods to the API server …
 *   No filter is set if empty, which may have a performance penalty on large
 *   clusters"); the other types are cluster-wide on every node. The project
 *   itself calls this client unfit for large clusters: "In large
 *   environments this causes syscall events to be dropped"
 *   (falcosecurity/falco#2973, libs#987), and replaced it by the
 *   k8s-metacollector, which "scales in large environments with thousands of
 *   nodes" (falcosecurity/evolution#335). Falco 0.37 removed `-k`: a newer
 *   image given it exits at start-up.
 * Falco ≥ 0.37 with the `k8smeta` plugin (falcosecurity/charts
 *   charts/falco values `collectors.kubernetes`): the plugin receives its
 *   node's metadata from the k8s-metacollector over gRPC — no API call from
 *   the node agents.
 * k8s-metacollector (falcosecurity/k8s-metacollector cmd/collector/run/run.go):
 *   a fan-out cache — one controller-runtime manager (no leader election)
 *   with informers on pods, namespaces, services, replication controllers,
 *   deployments, replica sets, daemon sets, endpoints and endpoint slices of
 *   the whole cluster, once per replica, streaming each Falco only what
 *   concerns its node.
 *
 * @example
 *   falcoReader.read(ctx)?.calls;   // legacy client informers, or none with k8smeta
 */
import type { DerivedCall } from '../types.ts';
import { argHas, callProfile, type AgentContext, type AgentNote, type AgentReader, type AgentResult } from './agent.ts';
import { ContainerSettings } from './container-settings.ts';
import { imageVersion, versionBelow } from './image-version.ts';

export const FALCO_IMAGE = /(^|\/)falco(-no-driver|-distroless)?(:|@|$)/;
export const METACOLLECTOR_IMAGE = /(^|\/)k8s-metacollector(:|@|$)/;

/** The legacy client's components (libs userspace/libsinsp/k8s.cpp, without extensions or events). */
const LEGACY_TYPES = ['nodes', 'namespaces', 'pods', 'replicationcontrollers', 'services'] as const;

export function falco(ctx: AgentContext): AgentResult | undefined {
  const c = ctx.container;
  const s = ContainerSettings.of(ctx.workload, c);
  if (!FALCO_IMAGE.test(c.image.toLowerCase()) && !s.argv.some((a) => /(^|\/)falco$/.test(a))) return undefined;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const api = s.flag(['-k', '--k8s-api']);
  const apiEnv = s.env('FALCO_K8S_API');
  const legacyAt = api?.at ?? (apiEnv !== undefined && (apiEnv.value ?? 'set') !== '' ? apiEnv.at : undefined);
  if (legacyAt === undefined) {
    // No legacy client: Kubernetes metadata, if any, comes from the k8smeta plugin (the k8s-metacollector) or the container runtime.
    return { agent: 'falco', calls, notes };
  }
  const v = imageVersion(c.image);
  if (v !== undefined && !versionBelow(v, [0, 37, 0])) {
    notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: legacyAt,
      message: `Falco ${v.join('.')}: the legacy Kubernetes client (-k / --k8s-api) was removed in 0.37; the option is refused and the pod exits at start-up`,
      fix: 'remove -k/-K/--k8s-node and enable the k8smeta plugin with the k8s-metacollector (falco chart collectors.kubernetes.enabled: true)',
    });
    return { agent: 'falco', calls, notes };
  }
  const node = s.flag(['--k8s-node']);
  const byNode = node !== undefined && node.expanded !== '';
  if (node !== undefined && node.unresolved.length > 0) {
    notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: node.at,
      message: `Falco: --k8s-node ${node.value} refers to ${node.unresolved.join(', ')}, which container ${c.name} does not define: Kubernetes leaves the reference as it is and the pod filter matches no pod (no pod metadata)`,
      fix: `add env ${node.unresolved[0] ?? 'FALCO_K8S_NODE_NAME'} with valueFrom.fieldRef.fieldPath: spec.nodeName`,
    });
  }
  notes.push({
    rule: 'agent-config',
    severity: 'note',
    at: legacyAt,
    message: `Falco's legacy Kubernetes client (-k): every Falco pod reads ${LEGACY_TYPES.join(', ')} from etcd and watches them${byNode ? ' (only pods narrowed to its node by --k8s-node)' : ', pods included, for the whole cluster'}; the project replaced it in 0.37 because it does not scale (falcosecurity/falco#2973)`,
    fix: 'move to Falco ≥ 0.37 with the k8smeta plugin and the k8s-metacollector (falco chart collectors.kubernetes.enabled: true): one collector watches the cluster and streams each node its own metadata',
  });
  for (const res of LEGACY_TYPES) {
    const podsByNode = res === 'pods' && byNode;
    calls.push({
      profile: callProfile(`falco-k8s-${res}`, 'watch', res, { scope: podsByNode ? 'node' : 'cluster', rv: 'consistent' }),
      at: podsByNode && node !== undefined ? node.at : legacyAt,
      because: `Falco's legacy Kubernetes client (-k) reads every ${res === 'pods' ? (podsByNode ? 'pod of its node (--k8s-node)' : 'pod of the cluster (no --k8s-node)') : `${res.replace(/s$/, '')} of the cluster`} with a GET of the collection from etcd, then watches it`,
      agent: 'falco',
    });
  }
  return { agent: 'falco', calls, notes };
}

export function metacollector(ctx: AgentContext): AgentResult | undefined {
  const c = ctx.container;
  const s = ContainerSettings.of(ctx.workload, c);
  if (!METACOLLECTOR_IMAGE.test(c.image.toLowerCase()) && !s.argv.some((a) => /(^|\/)meta-collector$/.test(a))) return undefined;
  const calls: DerivedCall[] = ['pods', 'namespaces', 'services', 'replicationcontrollers', 'deployments', 'replicasets', 'daemonsets', 'endpoints', 'endpointslices'].map((res) => ({
    profile: callProfile(`metacollector-${res}`, 'watch', res),
    at: s.imageAt,
    because: `the k8s-metacollector watches ${res} once for the cluster and streams each Falco (k8smeta plugin) only its node's metadata over gRPC`,
    agent: 'k8s-metacollector',
  }));
  return { agent: 'k8s-metacollector', calls, notes: [] };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'falco' && call.profile.resource === 'pods' ? 'pass --k8s-node $(FALCO_K8S_NODE_NAME) (spec.nodeName), or better move to Falco ≥ 0.37 with the k8smeta plugin and the k8s-metacollector (falco chart collectors.kubernetes.enabled)' : call.agent === 'falco' && call.profile.resource !== 'pods' ? 'move to Falco ≥ 0.37 with the k8smeta plugin and the k8s-metacollector (falco chart collectors.kubernetes.enabled: true): one collector watches the cluster and streams each node its own metadata' : undefined;

export const falcoReader: AgentReader = { id: 'falco', image: FALCO_IMAGE, read: falco, fix: clusterWideFix, mayRead: (image, c) => image.includes('falco') || argHas(c, 'falco') };
export const metacollectorReader: AgentReader = { id: 'k8s-metacollector', image: METACOLLECTOR_IMAGE, read: metacollector, mayRead: (image, c) => image.includes('k8s-metacollector') || argHas(c, 'meta-collector') };
