/**
 * CoreDNS, read from its Corefile (the key of the mounted ConfigMap named by
 * `-conf`, as coredns/deployment kubernetes/coredns.yaml.sed and kubeadm ship
 * it): each `kubernetes` plugin instance (coredns/coredns plugin/kubernetes
 * README and controller.go) keeps its own informers, all on every namespace:
 * - Services (always);
 * - EndpointSlices (Endpoints before CoreDNS 1.8.1), unless `noendpoints`;
 * - Namespaces (always; `namespace_labels` only narrows what comes back);
 * - Pods only with `pods verified` ("This option maintains a watch on all
 *   pods in the cluster … and adds load to the Kubernetes API server, since
 *   every pod state change in the cluster is streamed to CoreDNS"; its field
 *   selector drops finished pods, not other nodes' pods);
 * - with `multicluster`, a second EndpointSlice informer (MCS label) and
 *   ServiceImports.
 * `namespaces` and `labels` filter the answers and the lists' contents, not
 * what the API server scans: the informers stay cluster-wide. `pods
 * insecure` and `pods disabled` (the default) make no pod call. A CoreDNS
 * Deployment has a few replicas; as a DaemonSet (node-local DNS done with
 * CoreDNS itself) every node runs these informers.
 *
 * @example
 *   corednsReader.read(ctx)?.calls.map((c) => c.profile.resource);   // ['services', 'endpointslices', 'namespaces']
 */
import type { DerivedCall } from '../types.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import { callProfile, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { Located } from './config-text.ts';
import { containerFlags } from './container-flags.ts';
import { imageVersion, versionAtLeast } from './image-version.ts';

interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly offset: number;
  /** Options of the directive's block (`pods verified`), by name. */
  readonly options: Map<string, { args: readonly string[]; offset: number }>;
}

/** The `kubernetes` directives of a Corefile, following `import` of snippets; offsets into the text. */
export function corefileKubernetes(text: string): Directive[] {
  const snippets = new Map<string, Directive[]>();
  const found: Directive[] = [];
  let depth = 0;
  let snippet: string | undefined;
  let current: Directive | undefined;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const t = raw.replace(/#.*$/, '').trim();
    const lead = raw.length - raw.trimStart().length;
    const words = t.replace(/[{}]/g, ' ').split(/\s+/).filter((x) => x !== '');
    const before = depth;
    if (before === 0 && t.includes('{')) {
      // A server block (`.:53 {`) or a snippet definition (`(name) {`).
      snippet = /^\((\S+)\)/.exec(t)?.[1];
      if (snippet !== undefined) snippets.set(snippet, []);
    } else if (before === 1 && words.length > 0) {
      const target = snippet !== undefined ? (snippets.get(snippet) ?? []) : found;
      current = undefined;
      if (words[0] === 'kubernetes') {
        current = { name: 'kubernetes', args: words.slice(1), offset: offset + lead, options: new Map() };
        target.push(current);
      } else if (words[0] === 'import' && words[1] !== undefined) target.push(...(snippets.get(words[1]) ?? []));
    } else if (before === 2 && current !== undefined && words.length > 0) {
      current.options.set(words[0] ?? '', { args: words.slice(1), offset: offset + lead });
    }
    depth = Math.max(0, depth + (t.match(/\{/g) ?? []).length - (t.match(/\}/g) ?? []).length);
    if (depth === 0) {
      snippet = undefined;
      current = undefined;
    }
    offset += raw.length + 1;
  }
  return found;
}

/** A Corefile: a server block (`.:53 {`) holding CoreDNS plugins. */
function isCorefile(text: string): boolean {
  return text.includes('{') && /^[^\s#{}][^\n{]*\{\s*$/m.test(text) && /^\s*(kubernetes|forward|cache|errors|health|ready|loop|reload|hosts|file|prometheus)(\s|$)/m.test(text);
}

export function coredns(w: WorkloadInfo, c: Container, cfgs: readonly ConfigText[]): AgentResult | undefined {
  const flags = containerFlags(w, c);
  const confName = (flags.get('conf')?.value ?? 'Corefile').split('/').pop() ?? 'Corefile';
  const corefiles = cfgs.filter((x) => isCorefile(x.text));
  // The key -conf names; else any Corefile-looking key (a ConfigMap mounted with items renamed).
  const chosen = corefiles.filter((x) => x.key === confName);
  const files = chosen.length > 0 ? chosen : corefiles;
  if (files.length === 0) return undefined;
  // Only CoreDNS, or a container whose Corefile uses the kubernetes plugin, is taken for CoreDNS.
  if (!/coredns/.test(c.image.toLowerCase()) && !files.some((f) => corefileKubernetes(f.text).length > 0)) return undefined;
  const version = imageVersion(c.image);
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  let n = 0;
  for (const cfg of files) {
    const where = new Located(cfg);
    const plugins = corefileKubernetes(cfg.text);
    for (const k of plugins) {
      n++;
      const suffix = n > 1 ? `-${n}` : '';
      const at = where.at(k.offset);
      const opt = (name: string): { args: readonly string[]; offset: number } | undefined => k.options.get(name);
      const qps = Number(opt('apiserver_qps')?.args[0] ?? 5) || 5;
      const nsOpt = opt('namespaces');
      const scopeNote = nsOpt !== undefined ? ` (\`namespaces ${nsOpt.args.join(' ')}\` only filters the answers: the informer lists every namespace)` : '';
      const remote = opt('kubeconfig') ?? opt('endpoint');
      const remoteNote = remote !== undefined ? ' — of the API server its kubeconfig/endpoint names (counted here, an upper bound for this cluster)' : '';
      const push = (name: string, resource: string, atOffset: number | undefined, because: string): void => {
        calls.push({ profile: callProfile(`coredns-${name}${suffix}`, 'watch', resource, { qps }), at: atOffset === undefined ? at : where.at(atOffset), because: `${because}${remoteNote}`, agent: 'coredns' });
      };
      push('services', 'services', undefined, `CoreDNS's kubernetes plugin keeps an informer on every Service of the cluster${scopeNote}`);
      const noEndpoints = opt('noendpoints');
      if (noEndpoints === undefined) {
        const endpoints = version !== undefined && !versionAtLeast(version, [1, 8, 0]);
        push(endpoints ? 'endpoints' : 'endpointslices', endpoints ? 'endpoints' : 'endpointslices', undefined, `CoreDNS's kubernetes plugin keeps an informer on every ${endpoints ? 'Endpoints object (CoreDNS before 1.8.1)' : 'EndpointSlice'} of the cluster for headless Services and SRV records${scopeNote}`);
      }
      const nsLabels = opt('namespace_labels');
      push('namespaces', 'namespaces', nsLabels?.offset, `CoreDNS's kubernetes plugin keeps an informer on the cluster's Namespaces${nsLabels !== undefined ? ' (namespace_labels narrows the answer, not the scan)' : ''}`);
      const pods = opt('pods');
      if (pods?.args[0] === 'verified') {
        push('pods', 'pods', pods.offset, `CoreDNS's kubernetes plugin with \`pods verified\` keeps an informer on every pod of the cluster ("every pod state change in the cluster is streamed to CoreDNS")${w.perNode ? ', on every node of this DaemonSet' : ''}`);
      }
      const mc = opt('multicluster');
      if (mc !== undefined) {
        push('mcs-endpointslices', 'endpointslices', mc.offset, 'CoreDNS multicluster keeps a second EndpointSlice informer (multicluster.kubernetes.io/service-name label) on the whole cluster');
        push('serviceimports', 'serviceimports', mc.offset, 'CoreDNS multicluster keeps an informer on every ServiceImport');
      }
      if (remote !== undefined) {
        notes.push({ rule: 'agent-config', severity: 'note', at: where.at(remote.offset), message: `CoreDNS: the kubernetes plugin reads the API server named by its ${k.options.has('kubeconfig') ? 'kubeconfig' : 'endpoint'}, which may be another cluster's; its calls are counted against this one`, fix: 'none needed' });
      }
    }
  }
  return { agent: 'coredns', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'coredns' ? 'run CoreDNS as a Deployment (a few replicas) and drop `pods verified` (use `pods insecure` or disabled); for node-local DNS use NodeLocal DNSCache (no kubernetes plugin) instead of CoreDNS with the kubernetes plugin on every node' : undefined;

export const corednsReader: AgentReader = {
  id: 'coredns',
  image: /coredns/,
  read: (ctx) => coredns(ctx.workload, ctx.container, ctx.configs),
  // Without a Corefile-looking configuration it reads nothing.
  mayRead: (_image, _c, configs) => configs.some((t) => isCorefile(t.text)),
  fix: clusterWideFix,
};
