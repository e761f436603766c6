/**
 * Records a run: per-cluster one-minute aggregates of the metrics that define
 * control-plane loss, recovery and customer impact (docs/report-format.md), the
 * timeline, and the figures of the JSON report.
 *
 * Definitions (minute windows aligned to the scenario start):
 * - control plane lost: a minute in which under 10 % of ordinary requests
 *   succeed or their p99 latency reaches the 60 s request timeout;
 *   `lostAt` is the start of the first such minute;
 * - control plane recovered: `recoveredAt` starts the first run of 5 healthy
 *   minutes (≥ 95 % success, p99 < 10 s) after the last lost minute;
 * - customer impact: the fleet's 1-minute error rate ≥ 1 %;
 * - a cluster is healthy in a minute when ≥ 95 % of its ordinary requests
 *   succeed, their p99 is under 10 s and under 5 % of all its requests are
 *   rejected with 429 (the KubeAPITooManyRequests threshold); degraded otherwise;
 * - control planes recovered: every lost control plane recovered (the last
 *   `recoveredAt`);
 * - full recovery: from that minute to the end of the run every lost control
 *   plane is back, no cluster is degraded, no alert fires and the fleet error
 *   rate is below 0.1 %.
 *
 * The timeline keeps every entry, except that an alert firing more than once on
 * a cluster keeps its first firing and its last transition as they happened and
 * folds the transitions between them into one entry with their counts.
 */
import { formatIso } from '../core/time.ts';
import { SIZE_CLASSES, type SizeClass } from '../model/fleet.ts';
import type { AlertEvaluator, AlertTransition } from './alerts.ts';
import type { ClusterSim } from './cluster-sim.ts';
import type { ClusterState } from './cluster/state.ts';
import { sampleInto } from './cluster/observe.ts';
import { REPORT_SCHEMA_VERSION, type ClusterReport, type RunReport, type RunSeries, type SizeClassSeries, type TimelineKind } from './report-types.ts';
import { foldTimeline, type RawEntry } from './timeline.ts';
import type { Scenario } from './scenario.ts';
import { percentOneDecimal, percentWhole, roundDecimals } from '../core/number.ts';

export const LOST_SUCCESS_BELOW = 0.1;
export const LOST_P99_AT_LEAST_S = 60;
export const HEALTHY_SUCCESS_AT_LEAST = 0.95;
export const HEALTHY_P99_BELOW_S = 10;
export const RECOVERY_HOLD_MINUTES = 5;
export const IMPACT_ERROR_RATE = 0.01;
export const RECOVERED_ERROR_RATE = 0.001;
/** A cluster rejecting this share of its requests with 429 is degraded (the default KubeAPITooManyRequests threshold). */
export const DEGRADED_429_RATIO = 0.05;

/**
 * Metrics recorded per cluster per minute, in this order (observe.ts's sampleInto writes them):
 * cpu = apiserver_cpu_ratio, apfSaturation = apf_seat_saturation, etcdLatency = etcd_latency_seconds.
 */
export const RECORDED = ['success', 'p99', 'rate429', 'memory', 'dnsValid', 'servfail', 'error', 'notReady', 'ready', 'rps', 'cpu', 'apfSaturation', 'etcdLatency'] as const;
const K = RECORDED.length;
/** Positions in RECORDED of the metrics the report reads by name. */
type Recorded = (typeof RECORDED)[number];
const SUCCESS = RECORDED.indexOf('success');
const P99 = RECORDED.indexOf('p99');
const RATE429 = RECORDED.indexOf('rate429');
const MEMORY = RECORDED.indexOf('memory');
const SERVFAIL = RECORDED.indexOf('servfail');
const ERROR = RECORDED.indexOf('error');

export class Recorder {
  readonly #s: Scenario;
  readonly #sims: readonly ClusterSim[];
  /** The clusters' states (the sims' `state`), read directly in the per-step loop. */
  readonly #states: readonly ClusterState[];
  readonly #minutes: number;
  /** [cluster][minute * K + metric] */
  readonly #data: Float32Array[];
  readonly #acc: Float64Array;
  readonly #sample: Float64Array;
  /** Last sample per cluster, steps skipped while quiet, and whether the last sample was taken quiet. */
  readonly #last: Float64Array;
  readonly #quietSteps: Float64Array;
  /** The cluster has a sample in #last (its current values while it is held). */
  readonly #sampled: Uint8Array;
  #accSteps = 0;
  #minute = 0;
  readonly #fleetErr: Float64Array;
  #fleetAcc = 0;
  #failedSeconds = 0;
  #seconds = 0;
  /** Restarts seen so far per cluster, by cause (ClusterState's oomKills, faultKills, otherRestarts). */
  readonly #oomKills: Int32Array;
  readonly #faultKills: Int32Array;
  readonly #otherRestarts: Int32Array;
  /** The last OOM kill seen per cluster (-Infinity: none). */
  readonly #lastOomT: Float64Array;
  readonly #dnsFailing: Uint8Array;
  readonly #entries: RawEntry[] = [];
  #seq = 0;

  constructor(s: Scenario, sims: readonly ClusterSim[]) {
    this.#s = s;
    this.#sims = sims;
    this.#states = sims.map((x) => x.state);
    this.#minutes = Math.ceil(s.durationS / 60);
    this.#data = sims.map(() => new Float32Array(this.#minutes * K));
    this.#acc = new Float64Array(sims.length * K);
    this.#sample = new Float64Array(K);
    this.#last = new Float64Array(sims.length * K);
    this.#quietSteps = new Float64Array(sims.length);
    this.#sampled = new Uint8Array(sims.length);
    this.#fleetErr = new Float64Array(this.#minutes);
    this.#oomKills = new Int32Array(sims.length);
    this.#faultKills = new Int32Array(sims.length);
    this.#otherRestarts = new Int32Array(sims.length);
    this.#lastOomT = new Float64Array(sims.length).fill(-Infinity);
    this.#dnsFailing = new Uint8Array(sims.length);
  }

  log(t: number, kind: TimelineKind, cluster: string | null, message: string, alert?: AlertTransition): void {
    this.#entries.push({ t, seq: this.#seq++, kind, cluster, message, ...(alert !== undefined ? { alert } : {}) });
  }

  record(t: number, dt: number, _share: Float64Array, fleetError: number): void {
    const minute = Math.floor(t / 60);
    if (minute !== this.#minute) this.#flush();
    this.#minute = minute;
    const states = this.#states;
    const sample = this.#sample;
    const acc = this.#acc;
    const last = this.#last;
    for (let i = 0; i < states.length; i++) {
      const st = states[i] as ClusterState;
      // A held cluster's sample (quiet, or inside a coarse step) does not change: count the steps
      // and add them in bulk.
      if (st.held && this.#sampled[i] === 1) {
        this.#quietSteps[i] = (this.#quietSteps[i] ?? 0) + 1;
        continue;
      }
      this.#settleQuiet(i);
      sampleInto(st, sample);
      const base = i * K;
      for (let k = 0; k < K; k++) {
        const v = sample[k] ?? 0;
        acc[base + k] = (acc[base + k] ?? 0) + v;
        last[base + k] = v;
      }
      this.#sampled[i] = 1;
      if (st.oomKills !== this.#oomKills[i] || st.faultKills !== this.#faultKills[i] || st.otherRestarts !== this.#otherRestarts[i]) this.#restarted(t, i, st);
      const sf = sample[SERVFAIL] ?? 0;
      if (this.#dnsFailing[i] === 0 && sf > 0.5) {
        this.#dnsFailing[i] = 1;
        this.log(t, 'dns', st.cluster.name, `CoreDNS failing: ${percentWhole(sf)} of lookups get SERVFAIL or time out; node caches serve what has not expired`);
      } else if (this.#dnsFailing[i] === 1 && sf < 0.05) {
        this.#dnsFailing[i] = 0;
        this.log(t, 'dns', st.cluster.name, 'CoreDNS answering again');
      }
    }
    this.#accSteps++;
    this.#fleetAcc += fleetError;
    this.#failedSeconds += fleetError * dt;
    this.#seconds += dt;
  }

  /**
   * Logs the cluster's new API server restarts with their cause: every kill by an injected fault,
   * every restart of another cause, and the first OOM kill of each crash loop: the cluster's first,
   * or one that follows `apiServer.crashLoopResetS` (10 min) without an OOM kill — the time after
   * which kubelet resets a container's CrashLoopBackOff (Kubernetes docs, "Pod Lifecycle",
   * container restarts; kubernetes/enhancements keps/sig-node/4603-tune-crashloopbackoff). The
   * kills inside a crash loop are counted in the report (apiServerOomKills).
   */
  #restarted(t: number, i: number, st: ClusterState): void {
    const name = st.cluster.name;
    const fault = st.faultKills - (this.#faultKills[i] ?? 0);
    if (fault > 0) this.log(t, 'control-plane', name, `${fault === 1 ? 'API server' : `${fault} API servers`} killed by an injected fault (restart${fault === 1 ? '' : 's'} ${st.faultKills - fault + 1}${fault === 1 ? '' : `–${st.faultKills}`} of that cause)`);
    const other = st.otherRestarts - (this.#otherRestarts[i] ?? 0);
    if (other > 0) this.log(t, 'control-plane', name, `${other === 1 ? 'API server' : `${other} API servers`} restarted (cause other than an OOM kill or an injected fault)`);
    if (st.oomKills > (this.#oomKills[i] ?? 0)) {
      const last = this.#lastOomT[i] ?? -Infinity;
      const mem = `memory at ${percentWhole(st.oomKillMemRatio)} of its limit before the kill`;
      if (last === -Infinity) this.log(t, 'control-plane', name, `API server OOM-killed (${mem})`);
      else if (t - last >= st.model.apiServer.crashLoopResetS) this.log(t, 'control-plane', name, `API server OOM-killed again, ${Math.round((t - last) / 60)} min after the last OOM kill (${mem})`);
      this.#lastOomT[i] = t;
    }
    this.#oomKills[i] = st.oomKills;
    this.#faultKills[i] = st.faultKills;
    this.#otherRestarts[i] = st.otherRestarts;
  }

  /** Adds the steps a quiet cluster skipped, with its last sample. */
  #settleQuiet(i: number): void {
    const n = this.#quietSteps[i] ?? 0;
    if (n === 0) return;
    const base = i * K;
    for (let k = 0; k < K; k++) this.#acc[base + k] = (this.#acc[base + k] ?? 0) + n * (this.#last[base + k] ?? 0);
    this.#quietSteps[i] = 0;
  }

  #flush(): void {
    if (this.#accSteps === 0) return;
    for (let i = 0; i < this.#sims.length; i++) this.#settleQuiet(i);
    const m = this.#minute;
    if (m >= this.#minutes) return;
    for (let i = 0; i < this.#sims.length; i++) {
      const row = this.#data[i] as Float32Array;
      for (let k = 0; k < K; k++) {
        row[m * K + k] = (this.#acc[i * K + k] ?? 0) / this.#accSteps;
        this.#acc[i * K + k] = 0;
      }
    }
    this.#fleetErr[m] = this.#fleetAcc / this.#accSteps;
    this.#fleetAcc = 0;
    this.#accSteps = 0;
  }

  #iso(tS: number): string {
    return formatIso(this.#s.startMs + tS * 1000, this.#s.timeZone);
  }

  /** Cluster i's minute m of the metric at position `k` of RECORDED. */
  #at(i: number, m: number, k: number): number {
    return this.#data[i]?.[m * K + k] ?? 0;
  }

  /** Healthy minute: ordinary requests ≥ 95 % successful with p99 < 10 s, and under 5 % of all requests rejected with 429. */
  #healthy(i: number, m: number): boolean {
    return this.#at(i, m, SUCCESS) >= HEALTHY_SUCCESS_AT_LEAST && this.#at(i, m, P99) < HEALTHY_P99_BELOW_S && this.#at(i, m, RATE429) < DEGRADED_429_RATIO;
  }

  /** Lost minute index and recovered minute index (or -1) of a cluster. */
  lostAndRecovered(i: number): { lost: number; recovered: number } {
    let lost = -1;
    let lastBad = -1;
    for (let m = 0; m < this.#minutes; m++) {
      const bad = this.#at(i, m, SUCCESS) < LOST_SUCCESS_BELOW || this.#at(i, m, P99) >= LOST_P99_AT_LEAST_S;
      if (bad) {
        if (lost < 0) lost = m;
        lastBad = m;
      }
    }
    if (lost < 0) return { lost: -1, recovered: -1 };
    for (let m = lastBad + 1; m + RECOVERY_HOLD_MINUTES <= this.#minutes; m++) {
      let ok = true;
      for (let k = m; k < m + RECOVERY_HOLD_MINUTES; k++) {
        if (!(this.#at(i, k, SUCCESS) >= HEALTHY_SUCCESS_AT_LEAST && this.#at(i, k, P99) < HEALTHY_P99_BELOW_S)) {
          ok = false;
          m = k;
          break;
        }
      }
      if (ok) return { lost, recovered: m };
    }
    return { lost, recovered: -1 };
  }

  finish(seed: number, alerts: AlertEvaluator): { report: RunReport; series: RunSeries } {
    this.#flush();
    const s = this.#s;
    const M = this.#minutes;
    const clusters: ClusterReport[] = [];
    const lostRanges: { lost: number; recovered: number }[] = [];
    let lostCount = 0;
    let lastRecovery = -1;
    let anyUnrecovered = false;
    /** Last minute in which some cluster was degraded (-1: none). */
    let lastDegraded = -1;
    let degradedAtEnd = 0;
    let changeAtEnd = 0;
    let degradedWithChange = 0;
    let alertsAtEnd = 0;
    for (let i = 0; i < this.#sims.length; i++) {
      const sim = this.#sims[i] as ClusterSim;
      const lr = this.lostAndRecovered(i);
      lostRanges.push(lr);
      if (lr.lost >= 0) {
        lostCount++;
        this.log(lr.lost * 60, 'control-plane', sim.cluster.name, `control plane lost (ordinary API success ${percentOneDecimal(this.#at(i, lr.lost, SUCCESS))}, p99 ${this.#at(i, lr.lost, P99).toFixed(0)} s)`);
        if (lr.recovered >= 0) {
          this.log(lr.recovered * 60, 'control-plane', sim.cluster.name, 'control plane recovered');
          lastRecovery = Math.max(lastRecovery, lr.recovered);
        } else anyUnrecovered = true;
      }
      let firstErr = -1;
      let peakErr = 0;
      let minSucc = 1;
      let peakMem = 0;
      let clusterLastDegraded = -1;
      for (let m = 0; m < M; m++) {
        const e = this.#at(i, m, ERROR);
        if (firstErr < 0 && e >= IMPACT_ERROR_RATE) firstErr = m;
        peakErr = Math.max(peakErr, e);
        minSucc = Math.min(minSucc, this.#at(i, m, SUCCESS));
        peakMem = Math.max(peakMem, this.#at(i, m, MEMORY));
        if (!this.#healthy(i, m)) clusterLastDegraded = m;
      }
      if (firstErr >= 0) this.log(firstErr * 60, 'impact', sim.cluster.name, `data-plane errors ≥ 1 % (DNS resolution failing)`);
      lastDegraded = Math.max(lastDegraded, clusterLastDegraded);
      const alertsFiring = alerts.firingRules(i);
      const degraded = (M > 0 && clusterLastDegraded === M - 1) || alertsFiring.length > 0 || (lr.lost >= 0 && lr.recovered < 0);
      if (degraded) degradedAtEnd++;
      if (sim.changeDeployed) changeAtEnd++;
      if (degraded && sim.changeDeployed) degradedWithChange++;
      alertsAtEnd += alertsFiring.length;
      clusters.push({
        name: sim.cluster.name,
        nodes: sim.cluster.nodes,
        sizeClass: sim.cluster.sizeClass,
        changeAppliedAt: sim.changeAppliedAtS === null ? null : this.#iso(sim.changeAppliedAtS),
        changeRemovedAt: sim.changeRemovedAtS === null ? null : this.#iso(sim.changeRemovedAtS),
        controlPlane: {
          lostAt: lr.lost >= 0 ? this.#iso(lr.lost * 60) : null,
          recoveredAt: lr.recovered >= 0 ? this.#iso(lr.recovered * 60) : null,
          apiServerRestarts: sim.totalRestarts(),
          apiServerOomKills: sim.state.oomKills,
          apiServerInjectedKills: sim.state.faultKills,
          peakMemoryRatio: roundDecimals(peakMem, 4),
          minSuccessRatio: roundDecimals(minSucc, 4),
        },
        dataPlane: { firstErrorsAt: firstErr >= 0 ? this.#iso(firstErr * 60) : null, peakErrorRate: roundDecimals(peakErr, 4) },
        atEnd: { degraded, alertsFiring, changeDeployed: sim.changeDeployed },
      });
    }
    let firstImpact = -1;
    let maxAt = -1;
    let peak = 0;
    let lastErr = -1;
    for (let m = 0; m < M; m++) {
      const e = this.#fleetErr[m] ?? 0;
      if (firstImpact < 0 && e >= IMPACT_ERROR_RATE) firstImpact = m;
      if (e > peak) {
        peak = e;
        maxAt = m;
      }
      if (e >= RECOVERED_ERROR_RATE) lastErr = m;
    }
    const controlPlanesRecovered = lostCount > 0 && !anyUnrecovered ? lastRecovery : null;
    let fullRecovery: number | null = null;
    if (lostCount > 0 || firstImpact >= 0) {
      const errorsEnd = lastErr + 1;
      // The first minute with no alert firing any more: the one that starts at or after the last resolution.
      const alertsEnd = alerts.lastResolvedS === null ? 0 : Math.ceil(alerts.lastResolvedS / 60);
      const clear = Math.max(errorsEnd, lastRecovery, lastDegraded + 1, alertsEnd);
      fullRecovery = anyUnrecovered || alertsAtEnd > 0 || clear >= M ? null : clear;
    }
    if (firstImpact >= 0) this.log(firstImpact * 60, 'impact', null, 'customer impact begins: fleet error rate ≥ 1 %');
    if (maxAt >= 0 && peak >= IMPACT_ERROR_RATE) this.log(maxAt * 60, 'impact', null, `maximum customer impact: fleet error rate ${percentOneDecimal(peak)}`);
    if (controlPlanesRecovered !== null) this.log(controlPlanesRecovered * 60, 'control-plane', null, `every lost control plane recovered (${lostCount})`);
    if (fullRecovery !== null) this.log(fullRecovery * 60, 'impact', null, 'full recovery: every control plane back, no cluster degraded, no alert firing, fleet errors < 0.1 %');

    const timeline = foldTimeline(this.#entries, (t) => this.#iso(t));
    const availability = this.#seconds > 0 ? 1 - this.#failedSeconds / this.#seconds : 1;
    const report: RunReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      scenario: {
        name: s.name,
        description: s.description,
        start: this.#iso(0),
        end: this.#iso(s.durationS),
        timeZone: s.timeZone,
        stepSeconds: s.stepS,
      },
      seed,
      clusters,
      fleet: {
        clusters: this.#sims.length,
        nodes: this.#sims.reduce((a, x) => a + x.cluster.nodes, 0),
        clustersLost: lostCount,
        firstAlertAt: alerts.firstFiringS === null ? null : this.#iso(alerts.firstFiringS),
        firstCustomerImpactAt: firstImpact >= 0 ? this.#iso(firstImpact * 60) : null,
        maxImpactAt: maxAt >= 0 && peak >= IMPACT_ERROR_RATE ? this.#iso(maxAt * 60) : null,
        controlPlanesRecoveredAt: controlPlanesRecovered === null ? null : this.#iso(controlPlanesRecovered * 60),
        fullRecoveryAt: fullRecovery === null ? null : this.#iso(fullRecovery * 60),
        peakErrorRate: roundDecimals(peak, 6),
        availability: roundDecimals(availability, 6),
        atEnd: {
          clustersDegraded: degradedAtEnd,
          controlPlanesLost: lostRanges.filter((l) => l.lost >= 0 && l.recovered < 0).length,
          alertsFiring: alertsAtEnd,
          changeDeployed: changeAtEnd,
          degradedWithChange,
        },
      },
      timeline,
    };
    return { report, series: this.#series(lostRanges) };
  }

  #series(lost: readonly { lost: number; recovered: number }[]): RunSeries {
    const M = this.#minutes;
    const t = Array.from({ length: M }, (_, m) => this.#s.startMs + m * 60_000);
    const bySizeClass: Partial<Record<SizeClass, SizeClassSeries>> = {};
    for (const sc of SIZE_CLASSES) {
      const idx = this.#sims.map((x, i) => (x.cluster.sizeClass === sc ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) continue;
      const data = this.#data;
      const mean = (metric: Recorded): number[] => {
        const k = RECORDED.indexOf(metric);
        const out = new Array<number>(M);
        for (let m = 0; m < M; m++) {
          // Summed in idx order from 0, as a reduce would: the same float result.
          let a = 0;
          for (let j = 0; j < idx.length; j++) a += (data[idx[j] as number] as Float32Array)[m * K + k] ?? 0;
          out[m] = roundDecimals(a / idx.length, 4);
        }
        return out;
      };
      bySizeClass[sc] = {
        clusters: idx.length,
        p99Seconds: mean('p99'),
        rate429: mean('rate429'),
        successRatio: mean('success'),
        dnsCacheValid: mean('dnsValid'),
        dnsServfail: mean('servfail'),
        memoryRatio: mean('memory'),
        errorRate: mean('error'),
        cpuRatio: mean('cpu'),
        apfSaturation: mean('apfSaturation'),
        etcdLatencySeconds: mean('etcdLatency'),
      };
    }
    const clustersLost = Array.from({ length: M }, (_, m) => lost.filter((l) => l.lost >= 0 && m >= l.lost && (l.recovered < 0 || m < l.recovered)).length);
    return { t, fleetErrorRate: Array.from(this.#fleetErr, (x) => roundDecimals(x, 6)), clustersLost, bySizeClass };
  }

  /** One NDJSON line per cluster per minute, for --metrics. */
  *metricLines(): Generator<string> {
    for (let m = 0; m < this.#minutes; m++) {
      const at = this.#iso(m * 60);
      for (let i = 0; i < this.#sims.length; i++) {
        const o: Record<string, string | number> = { at, cluster: this.#sims[i]?.cluster.name ?? '' };
        for (let k = 0; k < K; k++) o[RECORDED[k] as Recorded] = roundDecimals(this.#at(i, m, k), 6);
        o['fleetErrorRate'] = roundDecimals(this.#fleetErr[m] ?? 0, 6);
        yield JSON.stringify(o);
      }
    }
  }
}

