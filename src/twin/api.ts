/**
 * The twin's public face: everything code outside the twin — the scenario's
 * operators, the rollout orchestrator's adapters, the rehearsal, the
 * analyzer's simulation, the CLI — may ask of a running twin. `Twin`
 * (engine.ts) is its one implementation; the cluster model (`ClusterSim`)
 * and the other internals stay behind it.
 *
 * Clusters are named (`observe('prod-a')`) or, for reads made every step,
 * addressed by their position in `clusters()` (`observeAt(3)`), which is the
 * scenario's order and never changes during a run. Reads are of the state the
 * last step left; `act` and `request` take effect or are decided at once.
 *
 * @example
 *   class Watch implements Controller {
 *     onStep(twin: TwinApi): void {
 *       for (let i = 0; i < twin.clusters().length; i++) if (twin.memoryRatioAt(i) > 1) twin.log('operator', twin.clusters()[i]?.name ?? null, 'over its memory limit');
 *     }
 *   }
 */
import type { Clock } from '../core/clock.ts';
import type { Cluster } from '../model/fleet.ts';
import type { LevelSample, MetricName, MetricSample, ReplicaSample, RequestClassSample, StoredObjects } from './metrics.ts';
import type { RunReport, RunSeries, TimelineKind } from './report-types.ts';
import type { Action, AlertRule, ChangeSpec, Scenario } from './scenario.ts';

/** Something that watches the twin and acts on it between steps (operators, the orchestrator's metric source). */
export interface Controller {
  onStep(twin: TwinApi): void;
}

/** An API request decided against a cluster's state at that instant. */
export interface RequestOutcome {
  readonly ok: boolean;
  /**
   * served (ok); rejected: 429 Too Many Requests with Retry-After; timeout: 504 (no answer before
   * the request timeout); refused: no API server reachable, the connection is refused.
   */
  readonly status: 'served' | 'rejected' | 'timeout' | 'refused';
  /** What happened, in words (`served`, `429 Too Many Requests …`, `connection refused …`). */
  readonly reason: string;
  readonly latencyS: number;
  /**
   * Retry-After of a 429, seconds (> 0 only when rejected): kube-apiserver's per-level value, 1 s
   * doubling under sustained drops up to 32 s (model apiServer.retryAfterMinS..MaxS; docs/model.md).
   */
  readonly retryAfterS: number;
}

/** What a request submitted through the served API costs: the objects it returns or scans, its bytes, whether it writes. */
export interface SubmittedRequest {
  readonly objects: number;
  readonly bytes: number;
  readonly write: boolean;
  /**
   * `namespace/name` of the sending service account, if one: the change's own service account at
   * its level shares the agents' APF flow (their queues), as one user's requests do in APF.
   */
  readonly serviceAccount?: string;
}

/**
 * One priority level's APF queues now (per API server replica: each holds its own queues), as the
 * fluid model holds them: for the served API's per-request admission of a flow (shuffle sharding
 * over `queues` with hands of `handSize`, src/apiserver/apf-queues.ts).
 */
export interface ApfQueues {
  readonly level: string;
  readonly exempt: boolean;
  /** Served by a dedicated (break-glass) API server. */
  readonly dedicated: boolean;
  /** A rejecting level (catch-all with no queues). */
  readonly reject: boolean;
  readonly queues: number;
  readonly handSize: number;
  readonly queueLengthLimit: number;
  /** API server replicas ready (each has its own queues). */
  readonly ready: number;
  /** Seats the level may use now (nominal plus borrowed, all replicas) and seats in use. */
  readonly seats: number;
  readonly inUse: number;
  /** Requests per second leaving the level. */
  readonly drainPerS: number;
  readonly queueWaitS: number;
  readonly requestTimeoutS: number;
  /** Retry-After of the level's 429s now, seconds. */
  readonly retryAfterS: number;
  /**
   * The level's client classes: what each has queued (all replicas) over how many flows, and what
   * its arrivals were turned away last step (429: no queue room or the queue-wait limit);
   * `user` names a class's one flow when the twin knows it (the change's service account).
   */
  readonly classes: readonly { readonly name: string; readonly flows: number; readonly queued: number; readonly rejected: number; readonly user?: string }[];
}

/** The scenario's change in one cluster, as its workload's status would report it. */
export interface ChangeWorkload {
  /** The workload object exists (applied, and neither deleted through the API nor stopped by the kill switch). */
  readonly deployed: boolean;
  /** Share of the nodes (DaemonSet) or of the replicas (Deployment) it is applied to, 0..1. */
  readonly fraction: number;
  /** Pods at a full rollout: the cluster's nodes now (DaemonSet) or the replicas (Deployment). */
  readonly fullPods: number;
  /** The change's agents running now (pods; fractional in the fluid model). */
  readonly running: number;
  /**
   * When it was first applied, seconds since the scenario start, by the cluster's own clock (null:
   * never). Actions land between steps, after the cluster ran the previous one: an action taken at
   * `t` reads `t - stepS`.
   */
  readonly appliedAtS: number | null;
}

export interface TwinApi {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Virtual time (epoch ms), advanced by the steps. */
  readonly clock: Clock;
  /** Seconds since the scenario start. */
  readonly t: number;
  /** The scenario's duration is over. */
  readonly done: boolean;

  // ---------------------------------------------------------------- the fleet
  /** The clusters, in scenario order: the index of the `…At(index)` reads. */
  clusters(): readonly Cluster[];
  /** A cluster's index in clusters(); -1 when there is none of that name. */
  indexOf(name: string): number;
  /** ISO time with the scenario's offset (default now), for messages. */
  iso(tS?: number): string;

  // ---------------------------------------------------------------- the controller surface
  addController(c: Controller): void;
  observe(name: string): MetricSample;
  observeAt(index: number): MetricSample;
  /** One metric of observeAt(index), without building the whole sample. */
  metricAt(index: number, name: MetricName): number;
  /** Per priority level: seats, in use, queued, rejected. */
  levels(name: string): LevelSample[];
  levelsAt(index: number): LevelSample[];
  /** An API request at a priority level, decided against the cluster's current state (it adds no load). */
  request(name: string, level: string): RequestOutcome;
  /**
   * An API request made now at a priority level (the served API's clients): decided like request()
   * and, when the API server takes it (served, or timed out holding its seats), its cost — the
   * shared cost model's (src/model/cost.ts) — added to the cluster's load through the same APF,
   * service and memory model as the modelled clients. A rejection counts toward the level's
   * Retry-After. Throws on an unknown level.
   */
  submit(index: number, level: string, cost: SubmittedRequest): RequestOutcome;
  /** A priority level's APF queues now (undefined: no such level), for per-flow admission of served requests. */
  apfQueuesAt(index: number, level: string): ApfQueues | undefined;
  /**
   * Installs a change workload in a cluster at run time (a DaemonSet/Deployment written through the
   * served API). Replaces the cluster's change when none is deployed there; throws TwinError
   * 'change-busy' when another change is deployed (or its agents still run), 'unknown-level' when
   * its priority level is not the cluster's. act(name, { kind: 'apply-change', nodeFraction })
   * then applies it; remove-change removes it.
   */
  installChange(index: number, change: ChangeSpec): void;
  /** The change installed in the cluster now: the scenario's or one installed at run time (undefined: none). */
  changeAt(index: number): ChangeSpec | undefined;
  /** Nodes of the cluster now (scale-nodes moves it). */
  nodesAt(index: number): number;
  /** Pods of the cluster's workloads now (the change's agents are agentsAt). */
  podsAt(index: number): number;
  /** Apply an action to one cluster now (`shift-traffic` acts on the fleet); `source` names who did it in the timeline. */
  act(name: string, action: Action, source?: string): void;
  /** A timeline entry now. */
  log(kind: TimelineKind, cluster: string | null, message: string): void;

  // ---------------------------------------------------------------- reads, by cluster index
  /** The cluster is held quiescent: advanced without recomputation, its values as they were (docs/model.md). */
  quiescentAt(index: number): boolean;
  /** Fraction of ordinary requests served (apiserver_success_ratio). */
  successRatioAt(index: number): number;
  /** p99 latency proxy of ordinary requests, seconds (apiserver_p99_seconds). */
  p99At(index: number): number;
  /** Highest memory of a live API server over its limit (apiserver_memory_ratio). */
  memoryRatioAt(index: number): number;
  /** API servers ready over desired (apiserver_ready_ratio). */
  readyRatioAt(index: number): number;
  /** API server restarts since the start, all replicas. */
  restartsAt(index: number): number;
  /** An API server scale-up is still being provisioned. */
  scaleUpPendingAt(index: number): boolean;
  /** The change's workload object exists (see ChangeWorkload.deployed). */
  changeDeployedAt(index: number): boolean;
  /** When the change was first applied, seconds (null: never; see ChangeWorkload.appliedAtS). */
  changeAppliedAtS(index: number): number | null;
  /** The change's agents running (pods). */
  agentsAt(index: number): number;
  /** The change's workload in the cluster; undefined when the scenario has no change. */
  changeWorkload(name: string): ChangeWorkload | undefined;
  /** This cluster's share of the fleet's customer traffic. */
  trafficShare(index: number): number;
  /** The fleet's customer error rate after the last step. */
  fleetErrorRate(): number;
  /** Names of the alert rules firing for the cluster now (of one severity, when given), in rule order. */
  firingAlertsAt(index: number, severity?: AlertRule['severity']): string[];
  /** Any critical alert rule fires for the cluster now. */
  criticalFiringAt(index: number): boolean;
  /** The last step's requests of each client class, by outcome (for a Prometheus exposition; built on demand, not every step). */
  requestClassesAt(index: number): RequestClassSample[];
  /** The API server replicas now: state, restarts, memory and its limit. */
  replicasAt(index: number): ReplicaSample[];
  /** Objects stored, by resource. */
  storedObjectsAt(index: number): StoredObjects[];

  // ---------------------------------------------------------------- the run
  /** Advances one step; false once the run is over. */
  step(): boolean;
  /** Runs to the end, reporting progress (0..1) every simulated minute. */
  run(onProgress?: (fraction: number) => void): void;
  result(): { report: RunReport; series: RunSeries };
  /** Per-cluster per-minute metrics as NDJSON lines (call after result()). */
  metricLines(): Generator<string>;
}
