/**
 * A compiled scenario: what the engine runs. Produced from YAML by
 * src/input/scenario.ts (which validates, applies defaults and resolves times
 * and the fleet); built directly by tests, benches and the orchestrator.
 * Times are seconds from the scenario start unless named `...Ms` (epoch ms).
 */
import type { Cluster, ClusterSelector } from '../model/fleet.ts';
import type { CallProfile } from '../model/profile.ts';
import type { MetricName } from './metrics.ts';
import type { ModelConfig } from '../model/model-schema.ts';

export interface ChangeSpec {
  readonly name: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Deployment replicas; a DaemonSet runs one pod per node. */
  readonly replicas: number;
  /** Priority level its requests land in (FlowSchema defaults unless overridden). */
  readonly priorityLevel: string;
  readonly calls: readonly CallProfile[];
}

export type Action =
  /** Apply the change (all nodes, or a fraction of nodes for node batches). */
  | { readonly kind: 'apply-change'; readonly nodeFraction: number }
  /** Remove the change through the API (`delete`), or stop its agents out of band (`kill-switch`). */
  | { readonly kind: 'remove-change'; readonly via: 'api' | 'kill-switch' }
  /**
   * Shed the change's requests through APF: a FlowSchema routes its service
   * account to a priority level that rejects (429) at no cost to the server.
   */
  | { readonly kind: 'shed-change' }
  /** Scale the cluster's nodes to `fraction` of the original count over `overS`. */
  | { readonly kind: 'scale-nodes'; readonly fraction: number; readonly overS: number }
  /** Replace API servers with `replicas` machines `memoryFactor`/`cpuFactor` larger after `provisionS`. */
  | { readonly kind: 'scale-apiservers'; readonly replicas: number; readonly memoryFactor: number; readonly cpuFactor: number; readonly provisionS: number }
  /** Block (or unblock) network access to the API for client groups, ramped over `overS`. */
  | { readonly kind: 'block-admin-api'; readonly sources: readonly BlockSource[]; readonly overS: number }
  | { readonly kind: 'unblock-admin-api'; readonly overS: number }
  /** Shift customer traffic away from clusters with data-plane errors to healthy ones over `overS`. */
  | { readonly kind: 'shift-traffic'; readonly overS: number; readonly errorThreshold: number }
  /** Faults. */
  | { readonly kind: 'etcd-slowdown'; readonly factor: number; readonly durationS: number }
  | { readonly kind: 'kill-apiservers' }
  /** Every API server replica down for `durationS`, then starting with a cold cache. */
  | { readonly kind: 'control-plane-down'; readonly durationS: number }
  /** The API servers' hosts replaced one by one, `everyS` apart, each gone `downS` before it starts. */
  | { readonly kind: 'replace-hosts'; readonly everyS: number; readonly downS: number }
  | { readonly kind: 'restart-coredns' };

export type BlockSource = 'nodes' | 'change' | 'workloads';

export interface ScheduledEvent {
  readonly atS: number;
  readonly clusters: ClusterSelector;
  readonly action: Action;
  /** Where it came from, for messages. */
  readonly source?: string;
}

/** The scenario's own (naive) pipeline: applies the change to the selected clusters, evenly spaced. */
export interface PipelineSpec {
  readonly startS: number;
  readonly endS: number;
  readonly clusters: ClusterSelector;
  readonly order: 'listed' | 'by-name' | 'smallest-first' | 'largest-first' | 'shuffled';
}

export interface RemediesSpec {
  readonly scaleApiServers?: { readonly replicas: number; readonly memoryFactor: number; readonly cpuFactor: number; readonly provisionS: number };
  readonly scaleDownNodes?: { readonly fraction: number; readonly overS: number };
  readonly blockAdminApi?: { readonly sources: readonly BlockSource[]; readonly overS: number };
}

/**
 * Incident response: from `respondAtS`, operators work on clusters whose
 * control plane alerts, `parallelism` at a time, largest first. On each they
 * try to delete the change through the API every `retryEveryS`; after
 * `escalateAfterS` without success they start the remedies; once the delete
 * succeeds and the change's pods are gone they lift the remedies.
 */
export interface OperatorsSpec {
  /** Priority level operator requests land in: global-default for ordinary admins; `break-glass` when enabled. */
  readonly priorityLevel: string;
  /**
   * Break-glass: a priority level with seats reserved for operators, never lent,
   * served by a dedicated API server endpoint that only break-glass identities
   * reach, so it answers under any load as long as etcd does.
   */
  readonly breakGlass?: { readonly seats: number };
  readonly respondAtS: number;
  readonly parallelism: number;
  readonly retryEveryS: number;
  readonly escalateAfterS: number;
  /** With each delete attempt, also apply a FlowSchema that sheds the change's requests (an API write too). */
  readonly shedChange: boolean;
  readonly remedies: RemediesSpec;
  readonly restore: { readonly unblockOverS: number; readonly scaleNodesBackOverS: number };
  /**
   * Fleet-wide revert through the deployment pipeline, beside the teams' work
   * on the lost clusters: from `atS` the pipeline visits the clusters that
   * still run the change, in the order the change reached them, one every
   * `everyS`, and deletes it through the API at `priorityLevel`. It leaves to
   * the teams the clusters they work on and those whose control plane alerts
   * (critical); a delete that fails is retried every `retryEveryS`.
   */
  readonly revert?: { readonly atS: number; readonly everyS: number };
  readonly shiftTraffic?: { readonly atS: number; readonly overS: number; readonly errorThreshold: number };
}

export interface AlertRule {
  readonly name: string;
  readonly metric: MetricName;
  readonly op: '>' | '<';
  readonly threshold: number;
  readonly forS: number;
  /** Prometheus `keep_firing_for`: a firing alert resolves only once the condition has been absent this long (absent or 0: at once). */
  readonly keepFiringForS?: number;
  readonly severity: 'warning' | 'critical';
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Start of the run, epoch ms; the zone is used for every reported time. */
  readonly startMs: number;
  readonly timeZone: string;
  readonly durationS: number;
  readonly stepS: number;
  readonly clusters: readonly Cluster[];
  readonly model: ModelConfig;
  /** Per-cluster model overrides, applied in order to matching clusters. */
  readonly clusterModels: readonly { readonly clusters: ClusterSelector; readonly model: ModelConfig }[];
  readonly change?: ChangeSpec;
  readonly pipeline?: PipelineSpec;
  readonly events: readonly ScheduledEvent[];
  readonly operators?: OperatorsSpec;
  readonly alerts: readonly AlertRule[];
}
