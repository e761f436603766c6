/** The analyzer's rules: ids, what each checks, and the severity it can reach (docs/analyzer.md, "Rules"). */
import type { Severity } from './types.ts';

export interface RuleInfo {
  readonly id: string;
  readonly name: string;
  readonly short: string;
  readonly full: string;
  /** The most severe it gets. */
  readonly severity: Severity;
}

export const RULES: readonly RuleInfo[] = [
  {
    id: 'apiserver-memory-steady',
    name: 'ApiServerMemorySteady',
    short: 'In steady state the change keeps more LIST memory in flight than an API server has.',
    full: 'Requests in flight (Little\'s law; past CPU or etcd capacity, every client\'s request up to the priority level\'s seats) × their temporary memory (5× the etcd response for consistent LISTs, 1.5× the response from the watch cache) × (1 + GC headroom) / replicas, on top of the watch cache and the cluster\'s own watches, against the API server\'s memory. block at 100 %, warn at 80 %.',
    severity: 'block',
  },
  {
    id: 'apiserver-memory-rollout',
    name: 'ApiServerMemoryRollout',
    short: 'While the change\'s pods start, their first calls hold more memory than an API server has.',
    full: 'Pods start at the rate their controller creates them (20 per second) spread over their start delays (60 s); each makes its first calls at once. Served with processor sharing of CPU and etcd; in flight as far as APF seats admit. block at 100 %, warn at 80 %.',
    severity: 'block',
  },
  {
    id: 'apiserver-memory-relist',
    name: 'ApiServerMemoryRelist',
    short: 'When every informer of the change relists at once (after an API-server restart), the lists need more memory than an API server has.',
    full: 'After an outage longer than the watch cache window (75 s), or against a freshly started API server, every informer lists again at once; APF admits as many as the level\'s seats hold. block at 100 %, warn at 80 %.',
    severity: 'block',
  },
  {
    id: 'apf-seats',
    name: 'ApfSeats',
    short: 'The change holds half or more of its priority level\'s seats in steady state.',
    full: 'Seats held = requests in flight × seats per request (1 for single objects; stored objects / 100, 1 to 10, for LISTs); against the level\'s nominal seats plus what the other levels may lend. Beyond them, requests queue and get 429 after the 15 s queue wait.',
    severity: 'warn',
  },
  {
    id: 'apiserver-cpu',
    name: 'ApiServerCpu',
    short: 'The change uses half or more of the API servers\' CPU in steady state.',
    full: 'Per request: a fixed part, per object decoded or scanned, per byte encoded; plus one delivery per watch event per watching client (fan-out).',
    severity: 'warn',
  },
  {
    id: 'etcd-read-bandwidth',
    name: 'EtcdReadBandwidth',
    short: 'Consistent reads of the change take half or more of etcd\'s read bandwidth.',
    full: 'A LIST without resourceVersion is a quorum read: etcd returns every object of the type (etcd has no field index), whatever the selector.',
    severity: 'warn',
  },
  {
    id: 'combined-load',
    name: 'CombinedLoad',
    short: 'The workloads together are worse on some clusters than any of them alone.',
    full: 'The cluster verdicts are for the whole change; this points out clusters where only the sum crosses a threshold.',
    severity: 'block',
  },
  {
    id: 'rbac-missing',
    name: 'RbacMissing',
    short: 'The workload makes API calls its service account is not granted in the input.',
    full: 'Refused calls are retried (client-go backoff; some agents retry per record), which adds load. Put the ServiceAccount, (Cluster)Role and binding beside the workload.',
    severity: 'warn',
  },
  {
    id: 'profile-unknown',
    name: 'ProfileUnknown',
    short: 'The workload\'s API use cannot be determined from the input.',
    full: 'Its service account is not in the input and no binding names it; a binding names a (Cluster)Role that is neither in the input nor bootstrapped by every cluster; an aggregated ClusterRole selects nothing; a DaemonSet runs as the default service account with no binding; a known agent\'s configuration (ConfigMap, Secret, or a value taken from one) is not in the input. The finding says what is missing; include it, or state the calls in a firebreak.dev/api-profile annotation. warn; block with --strict.',
    severity: 'block',
  },
  {
    id: 'rbac-worst-case',
    name: 'RbacWorstCase',
    short: 'No annotation or known agent configuration: the agent\'s configuration is not understood; assumed the worst its RBAC allows.',
    full: 'Every type the service account may list and watch becomes an informer; every type it may only list, a LIST every 60 s; at the scope of the binding. Every finding on these calls is an assumption and says so; its fixes are to state the real calls in the annotation or to narrow the RBAC. Names a well-known agent image no reader recognised.',
    severity: 'note',
  },
  {
    id: 'agent-config',
    name: 'AgentConfig',
    short: 'Something in a known agent\'s configuration changes its API calls.',
    full: 'E.g. a node filter that names an environment variable the container does not define (the filter is then empty), or a component configured but in no pipeline.',
    severity: 'warn',
  },
  {
    id: 'config-not-found',
    name: 'ConfigNotFound',
    short: 'A ConfigMap or Secret mounted into the workload is not in the input.',
    full: 'An agent configuration in it cannot be read; the profile falls back to the RBAC worst case. When the container\'s image names an agent the analyzer has a reader for, it is a profile-unknown finding instead.',
    severity: 'note',
  },
  {
    id: 'node-subset',
    name: 'NodeSubset',
    short: 'The DaemonSet runs on a subset of nodes; it is estimated on all of them.',
    full: 'A nodeSelector or node affinity; the estimate is an upper bound.',
    severity: 'note',
  },
  {
    id: 'flowschema',
    name: 'FlowSchema',
    short: 'A FlowSchema of the input sends the workload to a priority level the model does not know.',
    full: 'The estimate uses the default level instead.',
    severity: 'note',
  },
  {
    id: 'input-skipped',
    name: 'InputSkipped',
    short: 'A file of a directory given was not read.',
    full: 'Only *.yaml, *.yml and *.json files of a directory are read: one that looks like a manifest is reported on its own, the others and special files (FIFO, socket, device) together; a symbolic link that loops back is not followed; a file reached twice is read once.',
    severity: 'note',
  },
  {
    id: 'input-empty',
    name: 'InputEmpty',
    short: 'A file holds no Kubernetes object.',
    full: 'An empty file, or only comments, document markers or an empty List. An input with no Kubernetes object at all is an input error (exit 2): a helm template that rendered nothing is not a pass.',
    severity: 'note',
  },
  {
    id: 'no-workload',
    name: 'NoWorkload',
    short: 'The input holds Kubernetes objects but no workload.',
    full: 'No DaemonSet, Deployment, StatefulSet, ReplicaSet, Job, CronJob or Pod: no API calls are estimated.',
    severity: 'note',
  },
  {
    id: 'resource-assumed',
    name: 'ResourceAssumed',
    short: 'A call on a type whose number and size of objects the analyzer does not know.',
    full: 'Neither one of the eight modelled types (pods, nodes, services, endpointslices, configmaps, leases, events, namespaces), nor a built-in or agent type sized from them by a stated ratio, nor a type the model states (model.objects.resources): costed as 100 objects of 2 KiB, as the twin costs it. State the type in a scenario and rehearse for a real figure.',
    severity: 'note',
  },
  {
    id: 'unknown-kind',
    name: 'UnknownKind',
    short: 'A kind the analyzer does not know; skipped.',
    full: 'Custom resources and other kinds are reported and skipped. If an operator turns them into pods that call the API, analyze the operator\'s workload.',
    severity: 'note',
  },
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
