/**
 * The two ports the orchestrator's shell uses, defined here so that adapters
 * (src/adapters/: the twin's now, Kubernetes' and Prometheus' later) plug in
 * without touching the decision core: a **target** that changes clusters and
 * a **metric source** that reads their health, with the series vocabulary
 * the source answers in (`seriesName`, `SeriesWindow`). Both are
 * asynchronous, as network adapters are; the twin's resolve at once. The
 * shell knows only these; an adapter's class is named only where the shell
 * builds it (the rehearsal, for the twin's).
 *
 * Contracts every adapter keeps:
 * - every mutating call carries the command id; a call with an id the target
 *   has already carried out does nothing and says so (`alreadyDone`), so that
 *   a restarted orchestrator can repeat a command whose result it did not
 *   record without applying it twice;
 * - `apply` is cumulative: batch k makes the change run on `nodes` nodes of
 *   the cluster (e.g. a DaemonSet node selector widened to the batch);
 * - `remove` deletes the change through the cluster's API as `identity`;
 *   `killSwitch` tells the change's agents to stop without the API server
 *   (a node-local flag, a side channel the agents poll);
 * - `status` is one read through the API as `identity` (it can fail when the
 *   API server is saturated);
 * - `query` is a range query: samples of the named series in [fromMs, toMs]
 *   for each cluster, oldest first (like Prometheus `query_range`).
 *
 * @example
 *   const out = await target.apply({ commandId: 'apply:prod-a:0:1', cluster: 'prod-a', batch: 0, nodes: 1, nodeFraction: 0.0002, identity });
 */

/** Samples of one series, oldest first: sample times (epoch ms) and values. */
export interface SeriesWindow {
  readonly times: readonly number[];
  readonly values: readonly number[];
  /**
   * Why the source has no usable samples of this series, when it knows
   * (a network source: no data, NaN, stale, unreachable, a query error). A
   * window with a problem is judged as missing data whatever its samples;
   * the twin's sources never set it.
   */
  readonly problem?: SeriesProblem;
}

/** The distinct ways a series can be missing (docs/orchestrator.md "Metric outcomes"); none of them is ever a pass. */
export type SeriesProblemKind = 'no-data' | 'nan' | 'stale' | 'unreachable' | 'query-error' | 'timeout';

export interface SeriesProblem {
  readonly kind: SeriesProblemKind;
  /** In words, naming the series and the cluster: `no data for apiserver_429_ratio in cluster prod-a: query returned no series`. */
  readonly message: string;
}

/** Series name of a gate's metric, per level when the gate is per level: `apf_seat_utilisation{workload-low}`. */
export function seriesName(metric: string, level?: string): string {
  return level === undefined ? metric : `${metric}{${level}}`;
}

/** Who a request is sent as, and the APF priority level it lands in. */
export interface Identity {
  readonly name: string;
  readonly priorityLevel: string;
  /** Served by a protected endpoint (break-glass). */
  readonly breakGlass: boolean;
}

export interface TargetOutcome {
  readonly ok: boolean;
  /** What happened, in words (`served`, `429 Too Many Requests …`, `connection refused …`). */
  readonly reason: string;
  readonly latencyS: number;
  /** The server asked to retry after this long (429 Retry-After). */
  readonly retryAfterS?: number;
  /** The command id was already carried out; nothing was done again. */
  readonly alreadyDone?: boolean;
}

export interface ApplyRequest {
  readonly commandId: string;
  readonly cluster: string;
  /** Batch index, 0-based. */
  readonly batch: number;
  readonly nodes: number;
  readonly nodeFraction: number;
  readonly identity: Identity;
}

export interface RemoveRequest {
  readonly commandId: string;
  readonly cluster: string;
  readonly identity: Identity;
}

export interface KillSwitchRequest {
  readonly commandId: string;
  readonly cluster: string;
}

/** The change's own state in a cluster, as its workload's status reports it. */
export interface ChangeStatus {
  /** The read succeeded. */
  readonly ok: boolean;
  readonly reason: string;
  /** The workload object exists. */
  readonly present: boolean;
  /** Pods the workload wants (DaemonSet desiredNumberScheduled). */
  readonly desired: number;
  /** Pods running and ready. */
  readonly ready: number;
}

export interface RolloutTarget {
  readonly name: string;
  apply(req: ApplyRequest): Promise<TargetOutcome>;
  remove(req: RemoveRequest): Promise<TargetOutcome>;
  killSwitch(req: KillSwitchRequest): Promise<TargetOutcome>;
  status(cluster: string, identity: Identity): Promise<ChangeStatus>;
}

export interface MetricQuery {
  readonly clusters: readonly string[];
  readonly series: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
}

/** cluster → series → samples (a missing series or cluster means no data; a window may carry the problem, see SeriesWindow). */
export type MetricResult = Readonly<Record<string, Readonly<Record<string, SeriesWindow>>>>;

/** What a metric source serves, known before it runs: a plan is compiled against it. */
export interface MetricCatalogue {
  readonly name: string;
  /** Whether the source has this gate metric at all (gates on metrics it lacks are reported, not silently skipped). */
  serves(metric: string): boolean;
  /** Priority levels for per-level metrics (APF), as the source knows them. */
  levels(): readonly string[];
}

export interface MetricSource extends MetricCatalogue {
  query(q: MetricQuery): Promise<MetricResult>;
}
