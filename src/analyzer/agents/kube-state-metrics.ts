/**
 * kube-state-metrics, read from its command line and its `--config` options
 * file (kubernetes/kube-state-metrics docs/developer/cli-arguments.md,
 * pkg/options, pkg/app/server.go, internal/store/builder.go,
 * pkg/sharding/listwatch.go, pkg/metricshandler/metrics_handler.go):
 *
 * - one informer (a client-go reflector: LIST with resourceVersion "0" from
 *   the watch cache, then WATCH) per enabled resource — `--resources`, or the
 *   default set of the image's version (pkg/options/resource.go
 *   `DefaultResources`: `endpoints` before v2.18, `endpointslices` from
 *   v2.18, the admission policies from v2.20);
 * - `--namespaces a,b`: one informer per namespace for namespaced types
 *   (`buildStores`), cluster-scoped types once (`buildClusterScopedStores`);
 *   `--namespaces-denylist` is a `metadata.namespace!=` field selector: the
 *   server still serves every namespace;
 * - `--node=$(NODE_NAME)` (DaemonSet sharding, examples/daemonsetsharding):
 *   the field selector `spec.nodeName=<node>` — the pods of its node only.
 *   It is merged into every namespaced type's selector: `Validate` refuses
 *   `--resources` other than pods, and with the default set the API server
 *   rejects the selector for every other namespaced type ("field label not
 *   supported") while cluster-scoped types ignore it and are watched whole;
 *   an empty `--node=` is no filter at all; `$(NODE_NAME)` that the container
 *   does not define stays literal (Kubernetes leaves unresolved references)
 *   and matches no pod;
 * - `--track-unscheduled-pods`: pods with `spec.nodeName=` (counted as all
 *   pods, an upper bound);
 * - `--shard` / `--total-shards` and autosharding (`--pod` +
 *   `--pod-namespace` in a StatefulSet): every shard still lists and watches
 *   every object and keeps its share client-side (`shardedListWatch.List`
 *   filters the full list; `Watch` filters events) — sharding splits the
 *   metrics, not the API load: N shards are N times the informers.
 *   Autosharding also watches its own StatefulSet by name and GETs its pod
 *   once at start-up (not modelled: one object).
 * - `--use-apiserver-cache` sets resourceVersion "0" on every list; the
 *   reflector's first list already uses "0", so the estimate does not change.
 *
 * @example
 *   kubeStateMetricsReader.read(ctx)?.calls;   // ksm-pods, ksm-nodes, … one informer per resource
 */
import type { Scope } from '../../model/profile.ts';
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import { argHas, callProfile, type AgentContext, type AgentNote, type AgentReader, type AgentResult } from './agent.ts';
import { YamlConfig } from './config-text.ts';
import { ContainerSettings } from './container-settings.ts';
import { imageVersion, versionBelow } from './image-version.ts';

export const KSM_IMAGE = /(^|\/)kube-state-metrics(:|@|$)/;

/** Resources kube-state-metrics knows that are not namespaced (internal/store/builder.go buildClusterScopedStores). */
const CLUSTER_SCOPED = new Set([
  'certificatesigningrequests',
  'clusterrolebindings',
  'clusterroles',
  'ingressclasses',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
  'mutatingwebhookconfigurations',
  'namespaces',
  'nodes',
  'persistentvolumes',
  'storageclasses',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'validatingwebhookconfigurations',
  'volumeattachments',
]);

/** Namespaced resources kube-state-metrics knows (internal/store/builder.go availableStores). */
const NAMESPACED = new Set([
  'configmaps',
  'cronjobs',
  'daemonsets',
  'deployments',
  'endpoints',
  'endpointslices',
  'horizontalpodautoscalers',
  'ingresses',
  'jobs',
  'leases',
  'limitranges',
  'networkpolicies',
  'persistentvolumeclaims',
  'poddisruptionbudgets',
  'pods',
  'replicasets',
  'replicationcontrollers',
  'resourcequotas',
  'rolebindings',
  'roles',
  'secrets',
  'serviceaccounts',
  'services',
  'statefulsets',
]);

/** pkg/options/resource.go DefaultResources at v2.17.0, v2.18.0 and v2.20.0 (git tags). */
const DEFAULTS_BEFORE_2_18 = 'certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumes,persistentvolumeclaims,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments';
const DEFAULTS_2_18 = DEFAULTS_BEFORE_2_18.replace('endpoints,', 'endpointslices,');
const DEFAULTS_2_20 = `${DEFAULTS_2_18},mutatingadmissionpolicies,mutatingadmissionpolicybindings,validatingadmissionpolicies,validatingadmissionpolicybindings`;

export function defaultResources(image: string): string[] {
  const v = imageVersion(image);
  // An unknown tag (latest, a digest) is read as the newest release.
  const set = v === undefined || !versionBelow(v, [2, 20, 0]) ? DEFAULTS_2_20 : !versionBelow(v, [2, 18, 0]) ? DEFAULTS_2_18 : DEFAULTS_BEFORE_2_18;
  return set.split(',').sort();
}

interface Option {
  readonly value: string;
  readonly at: Loc;
  /** For `--node`: its value names the node through the downward API (spec.nodeName). */
  readonly fromNodeName?: boolean;
  /** `$(VAR)` references the container does not define. */
  readonly unresolved?: readonly string[];
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function kubeStateMetrics(ctx: AgentContext): AgentResult | undefined {
  const c = ctx.container;
  const w = ctx.workload;
  const s = ContainerSettings.of(w, c);
  if (!KSM_IMAGE.test(c.image.toLowerCase()) && !s.argv.some((a) => /(^|\/)kube-state-metrics$/.test(a))) return undefined;
  const notes: AgentNote[] = [];
  const calls: DerivedCall[] = [];

  // Options: flags, overridden by the --config file ("the flags defined in the file override the command line flags").
  const opt = new Map<string, Option>();
  const fromFlag = (key: string, names: readonly string[]): void => {
    const f = s.flag(names);
    if (f !== undefined) opt.set(key, { value: f.expanded, at: f.at, fromNodeName: f.nodeNameRefs.length > 0, unresolved: f.unresolved });
  };
  fromFlag('resources', ['--resources']);
  fromFlag('namespaces', ['--namespaces']);
  fromFlag('namespaces_denylist', ['--namespaces-denylist']);
  fromFlag('node', ['--node']);
  fromFlag('total_shards', ['--total-shards']);
  fromFlag('shard', ['--shard']);
  fromFlag('pod', ['--pod']);
  fromFlag('namespace', ['--pod-namespace']);
  const track = s.bool(['--track-unscheduled-pods'], false);
  if (track.value && track.at !== undefined) opt.set('track_unscheduled_pods', { value: 'true', at: track.at });
  const crOnly = s.bool(['--custom-resource-state-only'], false);
  if (crOnly.value && crOnly.at !== undefined) opt.set('custom_resources_only', { value: 'true', at: crOnly.at });
  const cfgFlag = s.flag(['--config']);
  if (cfgFlag !== undefined && cfgFlag.value !== '') {
    const base = cfgFlag.value.split('/').pop() ?? '';
    const cfg = ctx.configs.find((t) => t.key === base);
    const y = cfg !== undefined ? YamlConfig.parse(cfg) : undefined;
    if (y === undefined || !isObj(y.value)) {
      notes.push({
        rule: 'agent-config',
        severity: 'warn',
        at: cfgFlag.at,
        message: `kube-state-metrics: --config=${cfgFlag.value} is not a ConfigMap key mounted into container ${c.name} in the input (or not YAML); its options (which override the flags) cannot be read`,
        fix: 'pass the ConfigMap with the workload, or state the options as flags',
      });
    } else {
      for (const [k, v] of Object.entries(y.value)) {
        const text = Array.isArray(v) ? v.map(String).join(',') : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
        if (text === undefined) continue;
        const refs = [...text.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1] ?? '');
        if (refs.length > 0) {
          notes.push({
            rule: 'agent-config',
            severity: 'warn',
            at: y.loc([k]),
            message: `kube-state-metrics: ${k}: ${text} in the --config file is not expanded — Kubernetes expands $(VAR) only in command and args — so kube-state-metrics reads it literally${k === 'node' ? ' and the selector matches no pod' : ''}`,
            fix: `pass it as a flag (--${k.replace(/_/g, '-')}=$(${refs[0] ?? 'VAR'})) so that Kubernetes expands it`,
          });
        }
        opt.set(k, { value: text, at: y.loc([k]), ...(refs.length > 0 ? { unresolved: [] } : {}) });
      }
    }
  }

  const truthy = (k: string): boolean => /^(1|t|true|yes|on)$/i.test(opt.get(k)?.value ?? '');
  const resOpt = opt.get('resources');
  const resources = resOpt !== undefined && resOpt.value !== '' ? [...new Set(list(resOpt.value))] : truthy('custom_resources_only') ? [] : defaultResources(c.image);
  const resAt = resOpt?.at ?? s.imageAt;
  const unknown = resources.filter((r) => !CLUSTER_SCOPED.has(r) && !NAMESPACED.has(r));
  if (unknown.length > 0) {
    notes.push({ rule: 'agent-config', severity: 'warn', at: resAt, message: `kube-state-metrics: unknown resources ${unknown.join(', ')}: it exits at start-up ("resource … does not exist")`, fix: 'list only resources kube-state-metrics supports (docs/developer/cli-arguments.md, --resources)' });
    return { agent: 'kube-state-metrics', calls, notes };
  }

  // --node: the pods of one node (DaemonSet sharding).
  const node = opt.get('node');
  const nodeFiltered = node !== undefined && node.value !== '';
  if (nodeFiltered && resOpt !== undefined && resources.some((r) => r !== 'pods')) {
    notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: node.at,
      message: `kube-state-metrics: --node is set with --resources=${resOpt.value}: Validate refuses every resource but pods ("resource … can't be sharded by field selector spec.nodeName") and the pod exits at start-up, crash-looping`,
      fix: 'run --node=$(NODE_NAME) with --resources=pods only (examples/daemonsetsharding), and the other resources in one Deployment',
    });
    return { agent: 'kube-state-metrics', calls, notes };
  }
  if (nodeFiltered && (node.unresolved ?? []).length > 0) {
    notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: node.at,
      message: `kube-state-metrics: --node=${node.value} refers to ${(node.unresolved ?? []).join(', ')}, which container ${c.name} does not define: Kubernetes leaves the reference as it is, the selector spec.nodeName=${node.value} matches no pod and this shard exports no pod metrics`,
      fix: `add env ${(node.unresolved ?? [])[0] ?? 'NODE_NAME'} with valueFrom.fieldRef.fieldPath: spec.nodeName`,
    });
  }
  if (node !== undefined && node.value === '') {
    notes.push({ rule: 'agent-config', severity: w.perNode ? 'warn' : 'note', at: node.at, message: 'kube-state-metrics: --node is empty, which is no filter: every pod of the cluster is watched', fix: 'set --node=$(NODE_NAME) with NODE_NAME from the downward API spec.nodeName' });
  }
  const trackUnscheduled = truthy('track_unscheduled_pods');
  const rejected: string[] = [];

  // --namespaces: one informer per namespace for namespaced types.
  const nsOpt = opt.get('namespaces');
  const namespaces = nsOpt !== undefined ? list(nsOpt.value) : [];
  const denylist = opt.get('namespaces_denylist');

  for (const r of resources.sort()) {
    const clusterScoped = CLUSTER_SCOPED.has(r);
    if (!clusterScoped && r !== 'pods' && (nodeFiltered || trackUnscheduled)) {
      rejected.push(r);
      continue;
    }
    let scope: Scope = 'cluster';
    let at = resAt;
    let how = 'in all namespaces';
    if (r === 'pods' && nodeFiltered && node !== undefined) {
      scope = 'node';
      at = node.at;
      how = node.fromNodeName === true ? 'of its own node only (--node from spec.nodeName: field selector spec.nodeName)' : `of node ${node.value} only (field selector spec.nodeName)`;
    } else if (r === 'pods' && trackUnscheduled) {
      at = opt.get('track_unscheduled_pods')?.at ?? at;
      how = 'not yet scheduled (field selector spec.nodeName=, counted as all pods)';
    } else if (clusterScoped) {
      how = 'of the cluster';
    } else if (denylist !== undefined && namespaces.length === 0) {
      at = denylist.at;
      how = `in all namespaces but ${denylist.value} (a metadata.namespace!= selector: the server still serves all)`;
    }
    if (!clusterScoped && scope === 'cluster' && namespaces.length > 0 && nsOpt !== undefined && !(r === 'pods' && trackUnscheduled)) {
      for (const ns of namespaces) {
        calls.push({
          profile: callProfile(`ksm-${r}${namespaces.length > 1 ? `-${ns}` : ''}`, 'watch', r, { scope: 'namespace' }),
          at: nsOpt.at,
          because: `kube-state-metrics keeps a ${r} informer in namespace ${ns} (--namespaces)`,
          agent: 'kube-state-metrics',
          namespaces: [ns],
        });
      }
      continue;
    }
    calls.push({ profile: callProfile(`ksm-${r}`, 'watch', r, { scope }), at, because: `kube-state-metrics keeps a ${r} informer ${how}`, agent: 'kube-state-metrics' });
  }
  if (rejected.length > 0) {
    const by = nodeFiltered ? node : opt.get('track_unscheduled_pods');
    notes.push({
      rule: 'agent-config',
      severity: 'warn',
      at: by?.at ?? resAt,
      message: `kube-state-metrics: ${nodeFiltered ? '--node' : '--track-unscheduled-pods'} adds a spec.nodeName field selector to every namespaced resource of the default set; the API server refuses it for ${rejected.join(', ')} ("field label not supported"), so those informers fail and retry, and their metrics are missing${resources.some((r) => CLUSTER_SCOPED.has(r)) ? '; the cluster-scoped ones ignore the selector and are watched whole on every pod' : ''}`,
      fix: 'set --resources=pods beside --node (examples/daemonsetsharding), and run the other resources in one Deployment',
    });
  }

  const podsEverywhere = calls.find((x) => x.profile.resource === 'pods' && x.profile.scope === 'cluster');
  if (w.perNode && (podsEverywhere !== undefined || calls.some((x) => x.profile.scope === 'cluster'))) {
    notes.push({
      rule: 'agent-config',
      severity: 'note',
      at: podsEverywhere?.at ?? resAt,
      message: `kube-state-metrics runs in a DaemonSet but watches ${podsEverywhere !== undefined ? 'every pod' : 'cluster-wide resources'} of the cluster: every node keeps the informers a single replica would${podsEverywhere !== undefined ? ' (no --node filter)' : ''}`,
      fix: 'in a DaemonSet keep only --resources=pods --node=$(NODE_NAME) (NODE_NAME from spec.nodeName), and run every other resource in one Deployment (examples/daemonsetsharding)',
    });
  }

  // Sharding: every shard lists and watches everything.
  const total = Number(opt.get('total_shards')?.value ?? '1');
  const auto = opt.get('pod');
  const autoNs = opt.get('namespace');
  if (auto !== undefined && auto.value !== '' && autoNs !== undefined && autoNs.value !== '') {
    const ns = autoNs.value === '<metadata.namespace>' || autoNs.value.includes('$(') ? w.namespace : autoNs.value;
    calls.push({
      profile: callProfile('ksm-autosharding-statefulset', 'watch', 'statefulsets', { scope: 'namespace' }),
      at: auto.at,
      because: `kube-state-metrics autosharding watches its own StatefulSet (metadata.name selector) in ${ns} for the shard count`,
      agent: 'kube-state-metrics',
      namespaces: [ns],
    });
    notes.push({
      rule: 'agent-config',
      severity: 'note',
      at: auto.at,
      message: `kube-state-metrics autosharding: each of the ${w.replicas} replicas lists and watches every object of its resources and keeps its shard client-side (pkg/sharding/listwatch.go); sharding divides the metrics work, not the API load`,
      fix: 'none needed; to reduce API load, shard pods by node instead (--resources=pods --node=$(NODE_NAME) in a DaemonSet, examples/daemonsetsharding)',
    });
  } else if (Number.isFinite(total) && total > 1) {
    notes.push({
      rule: 'agent-config',
      severity: 'note',
      at: opt.get('total_shards')?.at ?? s.argsAt,
      message: `kube-state-metrics sharding (--total-shards=${total}): each shard lists and watches every object of its resources and keeps its share client-side (pkg/sharding/listwatch.go); ${total} shards are ${total} times the informers`,
      fix: 'none needed; to reduce API load, shard pods by node instead (--resources=pods --node=$(NODE_NAME) in a DaemonSet, examples/daemonsetsharding)',
    });
  }
  return { agent: 'kube-state-metrics', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'kube-state-metrics' && call.profile.resource === 'pods' ? 'shard pods by node: --resources=pods --node=$(NODE_NAME) with NODE_NAME from the downward API spec.nodeName, and run every other resource in one Deployment (kube-state-metrics examples/daemonsetsharding)' : call.agent === 'kube-state-metrics' && call.profile.resource !== 'pods' ? 'run kube-state-metrics as one Deployment for cluster-wide resources; in a DaemonSet keep only --resources=pods --node=$(NODE_NAME) (examples/daemonsetsharding)' : undefined;

export const kubeStateMetricsReader: AgentReader = {
  id: 'kube-state-metrics',
  image: KSM_IMAGE,
  read: kubeStateMetrics,
  mayRead: (image, c) => image.includes('kube-state-metrics') || argHas(c, 'kube-state-metrics'),
  fix: clusterWideFix,
};
