/**
 * The twin as a metric source, the way Prometheus would see it: a twin
 * controller scrapes every cluster every `scrapeS` seconds of virtual time
 * into ring buffers (the retention the gates need), and `query` answers
 * range queries from them.
 *
 * Gate metrics map to the twin's metrics (`MetricName`, src/twin/index.ts) by name, with
 * these exceptions: `workload_error_ratio` is the data-plane error ratio;
 * `workload_pods_ready_ratio` is derived as 1 − the NotReady share of nodes
 * (pods on a NotReady node are reported not ready); `apf_seat_utilisation`
 * per level is seats in use / seats (`TwinApi.levelsAt`). The twin has no DNS or
 * workload latency, so `dns_p99_seconds` and `workload_p99_seconds` are not
 * served (gates on them are reported unavailable). The source also keeps
 * `apiserver_requests_per_second` for the orchestrator's API-share figure.
 *
 * A quiescent cluster (the twin advances it without recomputation) repeats
 * its previous sample instead of being observed again.
 *
 * @example
 *   const source = new TwinMetricSource(twin, { scrapeS: 15, retentionS: 900 });
 *   twin.addController(source);
 */
import { seriesName, type MetricCatalogue, type MetricQuery, type MetricResult, type MetricSource, type SeriesWindow } from '../../orchestrator/ports.ts';
import type { Controller, MetricSample, Scenario, TwinApi } from '../../twin/index.ts';
import { APF_UTILISATION, GATE_METRICS, levelUtilisation, servedByTwin } from './gate-metrics.ts';

export { APF_UTILISATION } from './gate-metrics.ts';

const DIRECT: Readonly<Record<string, (m: MetricSample) => number>> = Object.fromEntries(
  Object.entries(GATE_METRICS).map(([gate, { twin, complement }]) => [gate, complement ? (m: MetricSample) => 1 - m[twin] : (m: MetricSample) => m[twin]]),
);

/** Limited levels of the scenario's model (break-glass is a separate endpoint, exempt is unlimited). */
function limitedLevels(scenario: Scenario): readonly string[] {
  return scenario.model.apf.levels.filter((level) => !level.exempt).map((level) => level.name);
}

/** What the twin serves as a metric source for `scenario`, known before the twin runs: a rehearsal's plan is compiled against it. */
export function twinMetricCatalogue(scenario: Scenario): MetricCatalogue {
  const levels = limitedLevels(scenario);
  return { name: 'twin', serves: servedByTwin, levels: () => levels };
}

export interface TwinMetricOptions {
  readonly scrapeS: number;
  /** How much history to keep, seconds. */
  readonly retentionS: number;
  /** Fault injection for tests: series of these clusters stop being scraped from this time (seconds). */
  readonly dropAfter?: { readonly clusters: readonly string[]; readonly atS: number };
}

export class TwinMetricSource implements MetricSource, Controller {
  readonly name = 'twin';
  readonly #scrapeS: number;
  readonly #levels: readonly string[];
  readonly #series: readonly string[];
  readonly #seriesIndex: Map<string, number>;
  readonly #cap: number;
  /** Sample times (epoch ms), one ring shared by every cluster. */
  readonly #times: Float64Array;
  /** Per cluster: cap × series values. */
  readonly #values: Float64Array[];
  #count = 0;
  #head = 0;
  readonly #byName: Map<string, number>;
  readonly #drop: { readonly clusters: ReadonlySet<number>; readonly atS: number } | null;
  /** Per cluster: quiet at the previous scrape, and a cheap signature of its state then. */
  readonly #wasQuiet: Uint8Array;
  readonly #signature: Float64Array;

  constructor(twin: TwinApi, opts: TwinMetricOptions) {
    this.#scrapeS = opts.scrapeS;
    this.#levels = limitedLevels(twin.scenario);
    this.#series = [...Object.keys(DIRECT), ...this.#levels.map((l) => seriesName(APF_UTILISATION, l))];
    this.#seriesIndex = new Map(this.#series.map((s, i) => [s, i]));
    this.#cap = Math.ceil(opts.retentionS / opts.scrapeS) + 2;
    this.#times = new Float64Array(this.#cap);
    const clusters = twin.clusters();
    this.#values = clusters.map(() => new Float64Array(this.#cap * this.#series.length));
    this.#byName = new Map(clusters.map((c, i) => [c.name, i]));
    this.#wasQuiet = new Uint8Array(clusters.length);
    this.#signature = new Float64Array(clusters.length);
    this.#drop = opts.dropAfter === undefined ? null : { clusters: new Set(opts.dropAfter.clusters.map((c) => this.#byName.get(c) ?? -1)), atS: opts.dropAfter.atS };
  }

  serves(metric: string): boolean {
    return servedByTwin(metric);
  }

  levels(): readonly string[] {
    return this.#levels;
  }

  onStep(twin: TwinApi): void {
    if (Math.round(twin.t) % this.#scrapeS !== 0) return;
    this.#scrape(twin);
  }

  #scrape(twin: TwinApi): void {
    const slot = this.#head;
    const prev = (slot - 1 + this.#cap) % this.#cap;
    this.#times[slot] = twin.clock.now();
    const S = this.#series.length;
    const nDirect = Object.keys(DIRECT).length;
    const getters = Object.values(DIRECT);
    const n = this.#values.length;
    for (let i = 0; i < n; i++) {
      const buf = this.#values[i] as Float64Array;
      if (this.#drop !== null && this.#drop.clusters.has(i) && twin.t >= this.#drop.atS) {
        for (let k = 0; k < S; k++) buf[slot * S + k] = Number.NaN;
        continue;
      }
      // A cluster quiet now and at the previous scrape, with the same state, repeats its sample.
      const quiet = twin.quiescentAt(i);
      const sig = twin.successRatioAt(i) + 3 * twin.p99At(i) + 7 * twin.memoryRatioAt(i) + 11 * twin.readyRatioAt(i) + 13 * twin.agentsAt(i);
      const same = quiet && this.#wasQuiet[i] === 1 && this.#signature[i] === sig;
      this.#wasQuiet[i] = quiet ? 1 : 0;
      this.#signature[i] = sig;
      if (same && this.#count > 0 && Number.isFinite(buf[prev * S] ?? Number.NaN)) {
        buf.copyWithin(slot * S, prev * S, prev * S + S);
        continue;
      }
      const m = twin.observeAt(i);
      for (let k = 0; k < nDirect; k++) buf[slot * S + k] = (getters[k] as (m: MetricSample) => number)(m);
      if (this.#levels.length > 0) {
        const byLevel = new Map(twin.levelsAt(i).map((l) => [l.level, l]));
        this.#levels.forEach((name, k) => {
          buf[slot * S + nDirect + k] = levelUtilisation(byLevel.get(name));
        });
      }
    }
    this.#head = (slot + 1) % this.#cap;
    this.#count = Math.min(this.#cap, this.#count + 1);
  }

  /** Ring slots with a sample time in [fromMs, toMs], oldest first. */
  #slots(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let n = this.#count; n >= 1; n--) {
      const slot = (this.#head - n + this.#cap) % this.#cap;
      const at = this.#times[slot] ?? 0;
      if (at >= fromMs && at <= toMs) out.push(slot);
    }
    return out;
  }

  #read(i: number, k: number, slots: readonly number[], times: readonly number[]): SeriesWindow {
    const buf = this.#values[i] as Float64Array;
    const S = this.#series.length;
    const v: number[] = new Array<number>(slots.length);
    let gaps = false;
    for (let j = 0; j < slots.length; j++) {
      const x = buf[(slots[j] ?? 0) * S + k] ?? Number.NaN;
      v[j] = x;
      if (Number.isNaN(x)) gaps = true;
    }
    if (!gaps) return { times, values: v };
    const t2: number[] = [];
    const v2: number[] = [];
    v.forEach((x, j) => {
      if (!Number.isNaN(x)) {
        t2.push(times[j] ?? 0);
        v2.push(x);
      }
    });
    return { times: t2, values: v2 };
  }

  /** Samples of one series of one cluster in [fromMs, toMs]. */
  window(cluster: string, series: string, fromMs: number, toMs: number): SeriesWindow | undefined {
    const i = this.#byName.get(cluster);
    const k = this.#seriesIndex.get(series);
    if (i === undefined || k === undefined) return undefined;
    const slots = this.#slots(fromMs, toMs);
    return this.#read(i, k, slots, slots.map((x) => this.#times[x] ?? 0));
  }

  query(q: MetricQuery): Promise<MetricResult> {
    const slots = this.#slots(q.fromMs, q.toMs);
    const times = slots.map((x) => this.#times[x] ?? 0);
    const out: Record<string, Record<string, SeriesWindow>> = {};
    for (const c of q.clusters) {
      const i = this.#byName.get(c);
      const per: Record<string, SeriesWindow> = {};
      if (i !== undefined) {
        for (const s of q.series) {
          const k = this.#seriesIndex.get(s);
          if (k === undefined) continue;
          const w = this.#read(i, k, slots, times);
          if (w.values.length > 0) per[s] = w;
        }
      }
      out[c] = per;
    }
    return Promise.resolve(out);
  }
}
