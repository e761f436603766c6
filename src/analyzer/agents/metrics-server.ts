/**
 * metrics-server, read from its image and command line
 * (kubernetes-sigs/metrics-server pkg/server/config.go, pkg/server/informer.go):
 *
 * - a Node informer, cluster-wide (`informerFactory(...).Core().V1().Nodes()`,
 *   resync 0): the scraper's list of kubelets to scrape. `--node-selector`
 *   is a label selector applied to the lister, not to the watch, so the API
 *   server still serves every node;
 * - a metadata-only Pod informer, cluster-wide, with the field selector
 *   `status.phase=Running` (`runningPodMetadataInformer`): the watch cache has
 *   no index on status.phase, so every pod is scanned; the estimate counts
 *   full pods (docs/analyzer.md, Limits: metadata-only informers);
 * - metrics themselves come from each kubelet's /metrics/resource endpoint
 *   (`--kubelet-*` flags), not through the API server.
 *
 * Every replica (the high-availability manifests run 2) keeps both
 * informers: there is no leader election. metrics-server has no setting that
 * makes its API traffic grow per node — one or two clients whatever the
 * cluster's size.
 *
 * Not modelled: as an aggregated API server it also watches the ConfigMap
 * kube-system/extension-apiserver-authentication by name (one object) and
 * sends TokenReviews / SubjectAccessReviews for the requests it serves (the
 * HPA controller's and `kubectl top`'s, cached 10 s): their rate follows
 * those clients, not the cluster's size.
 *
 * @example
 *   metricsServerReader.read(ctx)?.calls;   // metrics-server-nodes, metrics-server-pods
 */
import type { DerivedCall } from '../types.ts';
import { argHas, callProfile, type AgentContext, type AgentReader, type AgentResult } from './agent.ts';
import { ContainerSettings } from './container-settings.ts';

export const METRICS_SERVER_IMAGE = /(^|\/)metrics-server(:|@|$)/;

export function metricsServer(ctx: AgentContext): AgentResult | undefined {
  const c = ctx.container;
  const s = ContainerSettings.of(ctx.workload, c);
  if (!METRICS_SERVER_IMAGE.test(c.image.toLowerCase()) && !s.argv.some((a) => /(^|\/)metrics-server$/.test(a))) return undefined;
  const at = s.imageAt;
  const sel = s.flag(['--node-selector']);
  const calls: DerivedCall[] = [
    {
      profile: callProfile('metrics-server-nodes', 'watch', 'nodes'),
      at: sel?.at ?? at,
      because: `metrics-server keeps a Node informer on every node of the cluster to know which kubelets to scrape${sel !== undefined ? ' (--node-selector filters the lister, not the watch)' : ''}`,
      agent: 'metrics-server',
    },
    {
      profile: callProfile('metrics-server-pods', 'watch', 'pods'),
      at,
      because: 'metrics-server keeps a metadata-only Pod informer on every running pod of the cluster (field selector status.phase=Running, which the watch cache does not index)',
      agent: 'metrics-server',
    },
  ];
  return { agent: 'metrics-server', calls, notes: [] };
}

export const metricsServerReader: AgentReader = {
  id: 'metrics-server',
  image: METRICS_SERVER_IMAGE,
  read: metricsServer,
  mayRead: (image, c) => image.includes('metrics-server') || argHas(c, 'metrics-server'),
};
