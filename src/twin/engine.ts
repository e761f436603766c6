/**
 * The twin's engine: a fixed-step loop (default 1 s) over every cluster's
 * fluid model, with discrete events (the scenario's pipeline, scheduled
 * actions and faults), fleet-level customer traffic, alert rules, and
 * controllers that observe metrics and act at any step — the scenario's
 * operators, and the rollout orchestrator when it rehearses in virtual time.
 * `Twin` is the one implementation of the twin's public face (`TwinApi`,
 * api.ts); the rooms it drives: actions.ts (action dispatch), pipeline.ts
 * (the event schedule), traffic.ts (customer traffic), alerts.ts, recorder.ts
 * and the cluster model (cluster-sim.ts).
 *
 * Deterministic: time is a SimulatedClock, randomness a seeded Random forked
 * per cluster, iteration orders are fixed. Same scenario and seed → the same
 * bytes out.
 *
 * @example
 *   const twin = new Twin(scenario, { seed: 1 });
 *   while (twin.step()) {}
 *   const { report, series } = twin.result();
 */
import { SimulatedClock, type Clock } from '../core/clock.ts';
import { Random } from '../core/random.ts';
import { formatIso } from '../core/time.ts';
import { selects, type Cluster } from '../model/fleet.ts';
import { applyAction } from './actions.ts';
import { percentUpToOneDecimal } from '../core/number.ts';
import { AlertEvaluator, type AlertTransition } from './alerts.ts';
import type { ApfQueues, ChangeWorkload, Controller, RequestOutcome, SubmittedRequest, TwinApi } from './api.ts';
import { ClusterSim } from './cluster-sim.ts';
import type { ClusterState } from './cluster/state.ts';
import { stepCluster } from './cluster/step.ts';
import { metricValue, readyRatio, successRatio } from './cluster/observe.ts';
import { totalRestarts } from './cluster/replicas.ts';
import { replicaSamples, requestClasses, storedObjects } from './cluster/detail.ts';
import { flowQueues } from './cluster/flow-queues.ts';
import type { LevelSample, MetricName, MetricSample, ReplicaSample, RequestClassSample, StoredObjects } from './metrics.ts';
import { OperatorsController } from './operators.ts';
import { scheduleEvents } from './pipeline.ts';
import { Recorder } from './recorder.ts';
import type { RunReport, RunSeries, TimelineKind } from './report-types.ts';
import type { Action, AlertRule, ChangeSpec, Scenario, ScheduledEvent } from './scenario.ts';
import { CustomerTraffic } from './traffic.ts';

export interface TwinOptions {
  readonly seed: number;
  /** Run the scenario's own pipeline (default true; a rehearsal replaces it with the orchestrator). */
  readonly pipeline?: boolean;
  /** Run the scenario's operators (default true). */
  readonly operators?: boolean;
  /**
   * Offer a break-glass endpoint (a `break-glass` priority level on a
   * dedicated API server) even when the scenario's operators define none —
   * for controllers such as the rollout orchestrator.
   */
  readonly breakGlass?: { readonly seats: number };
}

/** Alert rules are evaluated every this many seconds (Prometheus' default-ish evaluation interval). */
const ALERT_EVAL_S = 15;

export class Twin implements TwinApi {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly clock: Clock;
  readonly #clock: SimulatedClock;
  readonly #sims: readonly ClusterSim[];
  /** Each sim's state, in the same order: the per-step loops read and step these directly. */
  readonly #states: readonly ClusterState[];
  readonly #index = new Map<string, number>();
  readonly #events: ScheduledEvent[];
  #nextEvent = 0;
  readonly #controllers: Controller[] = [];
  readonly #alerts: AlertEvaluator;
  readonly #recorder: Recorder;
  readonly #traffic: CustomerTraffic;
  readonly #changeName: string;
  #t = 0;

  constructor(scenario: Scenario, opts: TwinOptions) {
    this.scenario = scenario;
    this.seed = opts.seed;
    this.#clock = new SimulatedClock(scenario.startMs);
    this.clock = this.#clock;
    const rng = Random.seeded(opts.seed);
    const glass = scenario.operators?.breakGlass ?? opts.breakGlass;
    const extra = glass !== undefined ? [{ name: 'break-glass', seats: glass.seats, dedicated: true }] : [];
    this.#sims = scenario.clusters.map((c, i) => {
      const model = scenario.clusterModels.reduce((m, o) => (selects(o.clusters, c) ? o.model : m), scenario.model);
      this.#index.set(c.name, i);
      return new ClusterSim(c, model, scenario.change, rng.fork(`cluster:${c.name}`), extra);
    });
    this.#states = this.#sims.map((x) => x.state);
    this.#changeName = scenario.change?.name ?? 'change';
    this.#traffic = new CustomerTraffic(scenario.clusters);
    this.#events = scheduleEvents(scenario, rng, { pipeline: opts.pipeline !== false });
    this.#alerts = new AlertEvaluator(scenario.alerts, this.#sims.length);
    this.#recorder = new Recorder(scenario, this.#sims);
    if (opts.operators !== false && scenario.operators !== undefined) this.addController(new OperatorsController(scenario.operators, rng.fork('operators')));
  }

  get t(): number {
    return this.#t;
  }

  get done(): boolean {
    return this.#t >= this.scenario.durationS;
  }

  addController(c: Controller): void {
    this.#controllers.push(c);
  }

  clusters(): readonly Cluster[] {
    return this.scenario.clusters;
  }

  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  iso(tS = this.#t): string {
    return formatIso(this.scenario.startMs + tS * 1000, this.scenario.timeZone);
  }

  /** The index of a named cluster. */
  #indexOfNamed(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new Error(`no cluster named ${name}`);
    return i;
  }

  /** The cluster model of a named cluster. */
  #sim(name: string): ClusterSim {
    return this.#at(this.#indexOfNamed(name));
  }

  /** The state of the cluster at an index (the per-cluster reads the controllers make every step). */
  #stateAt(index: number): ClusterState {
    const s = this.#states[index];
    if (s === undefined) throw new Error(`no cluster at index ${index}`);
    return s;
  }

  /** The cluster model at an index. */
  #at(index: number): ClusterSim {
    const s = this.#sims[index];
    if (s === undefined) throw new Error(`no cluster at index ${index}`);
    return s;
  }

  observe(name: string): MetricSample {
    return this.observeAt(this.#indexOfNamed(name));
  }

  observeAt(index: number): MetricSample {
    return this.#at(index).metrics(this.#traffic.share[index] ?? 0);
  }

  metricAt(index: number, name: MetricName): number {
    return metricValue(this.#stateAt(index), name, this.#traffic.share[index] ?? 0);
  }

  levels(name: string): LevelSample[] {
    return this.#sim(name).levels();
  }

  levelsAt(index: number): LevelSample[] {
    return this.#at(index).levels();
  }

  request(name: string, level: string): RequestOutcome {
    return this.#sim(name).tryRequest(level);
  }

  submit(index: number, level: string, cost: SubmittedRequest): RequestOutcome {
    return this.#at(index).submit(level, cost, this.#t);
  }

  apfQueuesAt(index: number, level: string): ApfQueues | undefined {
    return flowQueues(this.#stateAt(index), level);
  }

  installChange(index: number, change: ChangeSpec): void {
    const s = this.#at(index);
    const before = s.change;
    s.installChange(change);
    if (s.change !== before) this.log('change', s.cluster.name, `${change.name} (${change.kind} ${change.namespace}/${change.name}) installed`);
  }

  changeAt(index: number): ChangeSpec | undefined {
    return this.#stateAt(index).change;
  }

  nodesAt(index: number): number {
    return this.#stateAt(index).nodes;
  }

  podsAt(index: number): number {
    return this.#at(index).pods();
  }

  /** A timeline entry now; `transition` tags an alert's firing or resolution (the evaluator's). */
  log(kind: TimelineKind, cluster: string | null, message: string, transition?: AlertTransition): void {
    this.#recorder.log(this.#t, kind, cluster, message, transition);
  }

  act(name: string, action: Action, source = 'event'): void {
    const s = this.#sim(name);
    if (action.kind === 'shift-traffic') {
      this.#traffic.shift = { overS: action.overS, threshold: action.errorThreshold };
      this.log('operator', null, `shift customer traffic away from clusters with errors ≥ ${percentUpToOneDecimal(action.errorThreshold)}`);
      return;
    }
    const note = applyAction(s, action, source, s.change?.name ?? this.#changeName, this.#t);
    this.log(note.kind, name, note.message);
  }

  quiescentAt(index: number): boolean {
    return this.#stateAt(index).quiet;
  }

  successRatioAt(index: number): number {
    return successRatio(this.#stateAt(index));
  }

  p99At(index: number): number {
    return this.#stateAt(index).p99;
  }

  memoryRatioAt(index: number): number {
    return this.#stateAt(index).memRatio;
  }

  readyRatioAt(index: number): number {
    return readyRatio(this.#stateAt(index));
  }

  restartsAt(index: number): number {
    return totalRestarts(this.#stateAt(index));
  }

  scaleUpPendingAt(index: number): boolean {
    return this.#stateAt(index).pendingScale !== null;
  }

  changeDeployedAt(index: number): boolean {
    return this.#stateAt(index).changeDeployed;
  }

  changeAppliedAtS(index: number): number | null {
    return this.#stateAt(index).changeAppliedAtS;
  }

  agentsAt(index: number): number {
    return this.#stateAt(index).agentsRunning;
  }

  changeWorkload(name: string): ChangeWorkload | undefined {
    const s = this.#sim(name);
    const change = s.change;
    if (change === undefined) return undefined;
    return {
      deployed: s.changeDeployed,
      fraction: s.changeFraction,
      fullPods: change.kind === 'Deployment' ? change.replicas : s.nodes,
      running: s.agents(),
      appliedAtS: s.changeAppliedAtS,
    };
  }

  trafficShare(index: number): number {
    return this.#traffic.share[index] ?? 0;
  }

  fleetErrorRate(): number {
    return this.#traffic.errorRate;
  }

  firingAlertsAt(index: number, severity?: AlertRule['severity']): string[] {
    const firing = this.#alerts.firingRules(index);
    if (severity === undefined) return firing;
    const rules = this.#alerts.rules;
    return firing.filter((r) => rules.some((x) => x.name === r && x.severity === severity));
  }

  criticalFiringAt(index: number): boolean {
    return this.#alerts.criticalFiring(index);
  }

  requestClassesAt(index: number): RequestClassSample[] {
    return requestClasses(this.#stateAt(index));
  }

  replicasAt(index: number): ReplicaSample[] {
    return replicaSamples(this.#stateAt(index));
  }

  storedObjectsAt(index: number): StoredObjects[] {
    return storedObjects(this.#stateAt(index));
  }

  step(): boolean {
    if (this.done) return false;
    const dt = this.scenario.stepS;
    while (this.#nextEvent < this.#events.length && (this.#events[this.#nextEvent]?.atS ?? Infinity) <= this.#t) {
      const e = this.#events[this.#nextEvent++];
      if (e === undefined) break;
      if (e.action.kind === 'shift-traffic') {
        this.act(this.#sims[0]?.cluster.name ?? '', e.action, e.source ?? 'event');
        continue;
      }
      for (const s of this.#sims) if (selects(e.clusters, s.cluster)) this.act(s.cluster.name, e.action, e.source ?? 'event');
    }
    for (const c of this.#controllers) c.onStep(this);
    const states = this.#states;
    const t = this.#t;
    for (let i = 0; i < states.length; i++) stepCluster(states[i] as ClusterState, t, dt);
    this.#traffic.step(states, t, dt, this.scenario.model.dataPlane.headroom);
    if (Math.round(t) % ALERT_EVAL_S === 0) this.#alerts.evaluateStates(this, states, this.#traffic.share);
    this.#recorder.record(this.#t, dt, this.#traffic.share, this.#traffic.errorRate);
    this.#t += dt;
    this.#clock.advance(dt * 1000);
    return !this.done;
  }

  run(onProgress?: (fraction: number) => void): void {
    let lastMinute = -1;
    while (this.step()) {
      const minute = Math.floor(this.#t / 60);
      if (onProgress !== undefined && minute !== lastMinute) {
        lastMinute = minute;
        onProgress(this.#t / this.scenario.durationS);
      }
    }
    onProgress?.(1);
  }

  result(): { report: RunReport; series: RunSeries } {
    return this.#recorder.finish(this.seed, this.#alerts);
  }

  metricLines(): Generator<string> {
    return this.#recorder.metricLines();
  }
}
