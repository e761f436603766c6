/**
 * The twin's engine: a fixed-step loop (default 1 s) over every cluster's
 * fluid model, with discrete events (the scenario's pipeline, scheduled
 * actions and faults), fleet-level customer traffic, alert rules, and
 * controllers that observe metrics and act at any step — the scenario's
 * operators, and the rollout orchestrator when it rehearses in virtual time.
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
import { ClusterSim, type OperatorOutcome } from './cluster-sim.ts';
import type { LevelSample, MetricName, MetricSample } from './metrics.ts';
import { Recorder } from './recorder.ts';
import type { RunReport, RunSeries, TimelineKind } from './report-types.ts';
import type { Action, Scenario, ScheduledEvent } from './scenario.ts';
import { AlertEvaluator, type AlertTransition } from './alerts.ts';
import { OperatorsController } from './operators.ts';

/** Something that watches the twin and acts on it between steps (operators, the orchestrator). */
export interface Controller {
  onStep(twin: Twin): void;
}

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

const ALERT_EVAL_S = 15;

export class Twin {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly clock: Clock;
  readonly #clock: SimulatedClock;
  readonly sims: readonly ClusterSim[];
  readonly #byName = new Map<string, ClusterSim>();
  readonly #events: ScheduledEvent[];
  #nextEvent = 0;
  readonly #controllers: Controller[] = [];
  readonly alerts: AlertEvaluator;
  readonly #recorder: Recorder;
  /** Customer traffic: each cluster's base share (by nodes) and current share. */
  readonly #base: Float64Array;
  readonly #share: Float64Array;
  #shift: { overS: number; threshold: number } | null = null;
  readonly #calmSince: Float64Array;
  readonly #err: Float64Array;
  readonly #give: Float64Array;
  #t = 0;
  #fleetError = 0;
  readonly #rng: Random;

  constructor(scenario: Scenario, opts: TwinOptions) {
    this.scenario = scenario;
    this.seed = opts.seed;
    this.#clock = new SimulatedClock(scenario.startMs);
    this.clock = this.#clock;
    this.#rng = Random.seeded(opts.seed);
    const glass = scenario.operators?.breakGlass ?? opts.breakGlass;
    const extra = glass !== undefined ? [{ name: 'break-glass', seats: glass.seats, dedicated: true }] : [];
    this.sims = scenario.clusters.map((c) => {
      const model = scenario.clusterModels.reduce((m, o) => (selects(o.clusters, c) ? o.model : m), scenario.model);
      const sim = new ClusterSim(c, model, scenario.change, this.#rng.fork(`cluster:${c.name}`), extra);
      this.#byName.set(c.name, sim);
      return sim;
    });
    const total = scenario.clusters.reduce((s, c) => s + c.nodes, 0) || 1;
    this.#base = Float64Array.from(scenario.clusters, (c) => c.nodes / total);
    this.#share = Float64Array.from(this.#base);
    this.#calmSince = new Float64Array(scenario.clusters.length);
    this.#err = new Float64Array(scenario.clusters.length);
    this.#give = new Float64Array(scenario.clusters.length);
    const events = [...scenario.events];
    if (opts.pipeline !== false && scenario.pipeline !== undefined) events.push(...this.#pipelineEvents());
    // Stable order: by time, then as listed.
    this.#events = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atS - b.e.atS || a.i - b.i).map((x) => x.e);
    this.alerts = new AlertEvaluator(scenario.alerts, this.sims.length);
    this.#recorder = new Recorder(scenario, this.sims);
    if (opts.operators !== false && scenario.operators !== undefined) this.addController(new OperatorsController(scenario.operators, this.#rng.fork('operators')));
  }

  /** Seconds since the scenario start. */
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

  /** ISO time with the scenario's offset, for messages. */
  iso(tS = this.#t): string {
    return formatIso(this.scenario.startMs + tS * 1000, this.scenario.timeZone);
  }

  sim(name: string): ClusterSim {
    const s = this.#byName.get(name);
    if (s === undefined) throw new Error(`no cluster named ${name}`);
    return s;
  }

  observe(name: string): MetricSample {
    return this.observeAt(this.sims.indexOf(this.sim(name)));
  }

  observeAt(index: number): MetricSample {
    const s = this.sims[index];
    if (s === undefined) throw new Error(`no cluster at index ${index}`);
    return s.metrics(this.#share[index] ?? 0);
  }

  /** One metric of observeAt(index), without building the whole sample. */
  metricAt(index: number, name: MetricName): number {
    const s = this.sims[index];
    if (s === undefined) throw new Error(`no cluster at index ${index}`);
    return s.metricValue(name, this.#share[index] ?? 0);
  }

  trafficShare(index: number): number {
    return this.#share[index] ?? 0;
  }

  levels(name: string): LevelSample[] {
    return this.sim(name).levels();
  }

  /** An API request at a priority level, decided against the cluster's current state. */
  request(name: string, level: string): OperatorOutcome {
    return this.sim(name).tryRequest(level);
  }

  /** A timeline entry now; `transition` tags an alert's firing or resolution (the evaluator's). */
  log(kind: TimelineKind, cluster: string | null, message: string, transition?: AlertTransition): void {
    this.#recorder.log(this.#t, kind, cluster, message, transition);
  }

  /** Apply an action to one cluster now. */
  act(name: string, action: Action, source = 'event'): void {
    const s = this.sim(name);
    switch (action.kind) {
      case 'apply-change':
        s.applyChange(action.nodeFraction);
        this.log('change', name, `${this.scenario.change?.name ?? 'change'} applied to ${fmtPct(action.nodeFraction)} of nodes (${source})`);
        break;
      case 'remove-change':
        s.removeChange(action.via);
        this.log('change', name, `${this.scenario.change?.name ?? 'change'} removed via ${action.via} (${source})`);
        break;
      case 'shed-change':
        s.shedChange();
        this.log(source === 'operators' ? 'operator' : 'change', name, `${this.scenario.change?.name ?? 'change'}'s requests shed by an APF FlowSchema (429 before any work)`);
        break;
      case 'scale-nodes':
        s.scaleNodes(action.fraction, action.overS);
        this.log(source === 'operators' ? 'operator' : 'fault', name, `scale nodes to ${fmtPct(action.fraction)} of ${s.cluster.nodes} over ${Math.round(action.overS / 60)} min`);
        break;
      case 'scale-apiservers':
        s.scaleApiServers(action.replicas, action.memoryFactor, action.cpuFactor, action.provisionS);
        this.log(source === 'operators' ? 'operator' : 'fault', name, `scale API servers to ${action.replicas} × (${action.cpuFactor}× CPU, ${action.memoryFactor}× memory), ready in ${Math.round(action.provisionS / 60)} min`);
        break;
      case 'block-admin-api':
        s.block(action.sources, action.overS);
        this.log(source === 'operators' ? 'operator' : 'fault', name, `block network access to the API for ${action.sources.join(', ')}`);
        break;
      case 'unblock-admin-api':
        s.unblock(action.overS);
        this.log(source === 'operators' ? 'operator' : 'fault', name, `unblock network access to the API over ${Math.round(action.overS / 60)} min`);
        break;
      case 'shift-traffic':
        this.#shift = { overS: action.overS, threshold: action.errorThreshold };
        this.log('operator', null, `shift customer traffic away from clusters with errors ≥ ${fmtPct(action.errorThreshold)}`);
        break;
      case 'etcd-slowdown':
        s.etcdSlowdown(action.factor, action.durationS);
        this.log('fault', name, `etcd slowed ${action.factor}× for ${Math.round(action.durationS / 60)} min`);
        break;
      case 'kill-apiservers':
        s.killApiServers();
        this.log('fault', name, 'all API servers killed');
        break;
      case 'restart-coredns':
        s.restartCoreDns();
        this.log('fault', name, 'CoreDNS restarted');
        break;
    }
  }

  /** Advances one step; false once the run is over. */
  step(): boolean {
    if (this.done) return false;
    const dt = this.scenario.stepS;
    while (this.#nextEvent < this.#events.length && (this.#events[this.#nextEvent]?.atS ?? Infinity) <= this.#t) {
      const e = this.#events[this.#nextEvent++];
      if (e === undefined) break;
      if (e.action.kind === 'shift-traffic') {
        this.act(this.sims[0]?.cluster.name ?? '', e.action, e.source ?? 'event');
        continue;
      }
      for (const s of this.sims) if (selects(e.clusters, s.cluster)) this.act(s.cluster.name, e.action, e.source ?? 'event');
    }
    for (const c of this.#controllers) c.onStep(this);
    for (let i = 0; i < this.sims.length; i++) (this.sims[i] as ClusterSim).step(this.#t, dt);
    this.#stepTraffic(dt);
    if (Math.round(this.#t) % ALERT_EVAL_S === 0) this.alerts.evaluate(this);
    this.#recorder.record(this.#t, dt, this.#share, this.#fleetError);
    this.#t += dt;
    this.#clock.advance(dt * 1000);
    return !this.done;
  }

  /** Runs to the end, reporting progress (0..1) every simulated minute. */
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
    return this.#recorder.finish(this.seed, this.alerts);
  }

  /** Per-cluster per-minute metrics as NDJSON lines (call after result()). */
  metricLines(): Generator<string> {
    return this.#recorder.metricLines();
  }

  fleetErrorRate(): number {
    return this.#fleetError;
  }

  #pipelineEvents(): ScheduledEvent[] {
    const p = this.scenario.pipeline;
    if (p === undefined) return [];
    let cs = this.scenario.clusters.filter((c) => selects(p.clusters, c));
    switch (p.order) {
      case 'listed':
        if (p.clusters.names !== undefined) {
          const order = p.clusters.names;
          cs = [...cs].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
        }
        break;
      case 'by-name':
        cs = [...cs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        break;
      case 'smallest-first':
        cs = [...cs].sort((a, b) => a.nodes - b.nodes || (a.name < b.name ? -1 : 1));
        break;
      case 'largest-first':
        cs = [...cs].sort((a, b) => b.nodes - a.nodes || (a.name < b.name ? -1 : 1));
        break;
      case 'shuffled': {
        const rng = this.#rng.fork('pipeline');
        cs = [...cs];
        for (let i = cs.length - 1; i > 0; i--) {
          const j = rng.int(0, i);
          const tmp = cs[i] as Cluster;
          cs[i] = cs[j] as Cluster;
          cs[j] = tmp;
        }
        break;
      }
    }
    const n = cs.length;
    return cs.map((c, i) => ({
      atS: Math.round(n <= 1 ? p.startS : p.startS + ((p.endS - p.startS) * i) / (n - 1)),
      clusters: { names: [c.name] },
      action: { kind: 'apply-change', nodeFraction: 1 },
      source: 'pipeline',
    }));
  }

  /**
   * Customer traffic. Once shifting is on, clusters whose data-plane error
   * exceeds the threshold hand their traffic to healthy clusters' headroom over
   * `overS`; clusters calm for 5 minutes take theirs back at the same pace.
   */
  #stepTraffic(dt: number): void {
    const n = this.sims.length;
    const err = this.#err;
    for (let i = 0; i < n; i++) err[i] = this.sims[i]?.dataPlaneErrorRatio() ?? 0;
    const sh = this.#shift;
    if (sh !== null) {
      const headroom = this.scenario.model.dataPlane.headroom;
      let spare = 0;
      for (let i = 0; i < n; i++) {
        const e = err[i] ?? 0;
        if (e < sh.threshold / 2) this.#calmSince[i] = this.#calmSince[i] === 0 ? this.#t + 1e-9 : (this.#calmSince[i] ?? 0);
        else this.#calmSince[i] = 0;
        if (e < sh.threshold / 2) spare += Math.max(0, (this.#base[i] ?? 0) * (1 + headroom) - (this.#share[i] ?? 0));
      }
      let want = 0;
      const give = this.#give.fill(0);
      for (let i = 0; i < n; i++) {
        if ((err[i] ?? 0) >= sh.threshold && (this.#share[i] ?? 0) > 0) {
          give[i] = Math.min(this.#share[i] ?? 0, ((this.#base[i] ?? 0) * dt) / sh.overS);
          want += give[i] ?? 0;
        }
      }
      const moved = Math.min(want, spare);
      if (moved > 0) {
        const k = moved / want;
        for (let i = 0; i < n; i++) this.#share[i] = (this.#share[i] ?? 0) - (give[i] ?? 0) * k;
        for (let i = 0; i < n; i++) {
          if ((err[i] ?? 0) >= sh.threshold / 2) continue;
          const room = Math.max(0, (this.#base[i] ?? 0) * (1 + headroom) - (this.#share[i] ?? 0));
          this.#share[i] = (this.#share[i] ?? 0) + (moved * room) / spare;
        }
      }
      // Return traffic to clusters calm for 5 minutes. The fleet's surplus only changes when traffic
      // moves, so it is summed again (same terms, same order) only after a move.
      let surplus = 0;
      let surplusStale = true;
      for (let i = 0; i < n; i++) {
        const calm = this.#calmSince[i] ?? 0;
        const deficit = (this.#base[i] ?? 0) - (this.#share[i] ?? 0);
        if (calm > 0 && this.#t - calm >= 300 && deficit > 1e-12) {
          const back = Math.min(deficit, ((this.#base[i] ?? 0) * dt) / sh.overS);
          if (surplusStale) {
            surplus = 0;
            for (let j = 0; j < n; j++) surplus += Math.max(0, (this.#share[j] ?? 0) - (this.#base[j] ?? 0));
            surplusStale = false;
          }
          if (surplus <= 1e-12) continue;
          const take = Math.min(back, surplus);
          for (let j = 0; j < n; j++) {
            const s = Math.max(0, (this.#share[j] ?? 0) - (this.#base[j] ?? 0));
            this.#share[j] = (this.#share[j] ?? 0) - (take * s) / surplus;
          }
          this.#share[i] = (this.#share[i] ?? 0) + take;
          surplusStale = true;
        }
      }
    }
    let fe = 0;
    for (let i = 0; i < n; i++) fe += (this.#share[i] ?? 0) * (err[i] ?? 0);
    this.#fleetError = fe;
  }
}

function fmtPct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}
