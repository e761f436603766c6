/**
 * A twin-served fleet's metric source: the gates read what the served twin
 * measures, through its control endpoint (control.ts, contracts C), exactly
 * as a rehearsal's gates read the twin in process (src/adapters/twin/
 * metric-source.ts): the same gate metrics from the same twin metrics
 * (src/adapters/twin/gate-metrics.ts), sampled on the same 15 s grid of
 * simulated time (the rehearsal scrapes at t mod 15 s = 0; here the twin's
 * per-step series is read and the grid's samples kept).
 *
 * Per-level APF utilisation has no series on the endpoint (only the levels
 * now): `scrape(now)`, called by the run loop, reads every cluster's levels
 * once per grid step into a ring, as the rehearsal's scrape does.
 *
 * Series are fetched incrementally (each cluster and twin metric from where
 * the last fetch ended) and kept for `retentionS`. A failed read is missing
 * data — the gates fail closed on it by the plan's `missingData` — never a
 * made-up sample; `lastError` says what failed.
 *
 * @example
 *   const source = new ServedMetricSource(controls, { scrapeS: 15, retentionS: 900, startEpochMs, levels });
 *   await source.scrape(now);
 *   await source.query({ clusters: ['prod-a'], series: ['apiserver_429_ratio'], fromMs, toMs: now });
 */
import { seriesName, type MetricCatalogue, type MetricQuery, type MetricResult, type MetricSource, type SeriesWindow } from '../../orchestrator/ports.ts';
import { APF_UTILISATION, GATE_METRICS, levelUtilisation, servedByTwin } from '../twin/gate-metrics.ts';
import type { TwinControl } from './control.ts';

export interface ServedCluster {
  readonly control: TwinControl;
  /** The twin's name of the cluster (the kubeconfig extension's `cluster`). */
  readonly twinName: string;
}

export interface ServedMetricOptions {
  readonly scrapeS: number;
  readonly retentionS: number;
  /** Virtual epoch ms of the twin's t = 0 (the grid's origin). */
  readonly startEpochMs: number;
  /** Limited priority levels, for the per-level gates. */
  readonly levels: readonly string[];
}

interface Cached {
  times: number[];
  values: number[];
  fetchedTo: number;
}

/** The catalogue of a twin-served fleet: what the twin serves, over `levels`. */
export function servedMetricCatalogue(levels: readonly string[]): MetricCatalogue {
  return { name: 'twin-served', serves: servedByTwin, levels: () => levels };
}

export class ServedMetricSource implements MetricSource {
  readonly name = 'twin-served';
  readonly #clusters: ReadonlyMap<string, ServedCluster>;
  readonly #o: ServedMetricOptions;
  readonly #cache = new Map<string, Cached>();
  /** Per cluster: grid times and, per level, utilisation. */
  readonly #levelRing = new Map<string, { times: number[]; values: Map<string, number[]> }>();
  #lastScrape = Number.NEGATIVE_INFINITY;
  lastError: string | null = null;
  /** Requests sent to the control endpoint. */
  requests = 0;

  constructor(clusters: ReadonlyMap<string, ServedCluster>, o: ServedMetricOptions) {
    this.#clusters = clusters;
    this.#o = o;
  }

  serves(metric: string): boolean {
    return servedByTwin(metric);
  }

  levels(): readonly string[] {
    return this.#o.levels;
  }

  /** The grid time at or before `ms`. */
  #grid(ms: number): number {
    const step = this.#o.scrapeS * 1000;
    return this.#o.startEpochMs + Math.floor((ms - this.#o.startEpochMs) / step) * step;
  }

  #onGrid(ms: number): boolean {
    const step = this.#o.scrapeS * 1000;
    const off = (((ms - this.#o.startEpochMs) % step) + step) % step;
    return off < 500 || step - off < 500;
  }

  /** Reads every cluster's APF levels once per grid step (call it at every step of the run loop). */
  async scrape(nowMs: number): Promise<void> {
    if (this.#o.levels.length === 0) return;
    const at = this.#grid(nowMs);
    if (at <= this.#lastScrape) return;
    this.#lastScrape = at;
    await Promise.all(
      [...this.#clusters].map(async ([name, c]) => {
        let ring = this.#levelRing.get(name);
        if (ring === undefined) {
          ring = { times: [], values: new Map(this.#o.levels.map((l) => [l, []])) };
          this.#levelRing.set(name, ring);
        }
        try {
          this.requests++;
          const byLevel = new Map((await c.control.levels(c.twinName)).map((l) => [l.level, l]));
          ring.times.push(at);
          for (const level of this.#o.levels) ring.values.get(level)?.push(levelUtilisation(byLevel.get(level)));
          const keep = ring.times.findIndex((t) => t >= at - this.#o.retentionS * 1000);
          if (keep > 0) {
            ring.times.splice(0, keep);
            for (const v of ring.values.values()) v.splice(0, keep);
          }
        } catch (e) {
          this.lastError = `levels of ${name}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }),
    );
  }

  async #series(cluster: string, c: ServedCluster, twinMetric: string, fromMs: number, toMs: number): Promise<Cached | undefined> {
    const key = `${cluster}\u0000${twinMetric}`;
    let cached = this.#cache.get(key);
    if (cached === undefined) {
      cached = { times: [], values: [], fetchedTo: Number.NEGATIVE_INFINITY };
      this.#cache.set(key, cached);
    }
    if (cached.fetchedTo < toMs) {
      const from = Math.max(fromMs, cached.fetchedTo + 1);
      try {
        this.requests++;
        const got = await c.control.series(c.twinName, twinMetric, from, toMs);
        const last = cached.times[cached.times.length - 1] ?? Number.NEGATIVE_INFINITY;
        got.times.forEach((t, i) => {
          if (t > last && this.#onGrid(t)) {
            cached.times.push(t);
            cached.values.push(got.values[i] ?? Number.NaN);
          }
        });
        // The twin's ring may not have the newest step yet: fetch again from the last sample received.
        cached.fetchedTo = Math.max(cached.fetchedTo, got.times[got.times.length - 1] ?? cached.fetchedTo);
        const keep = cached.times.findIndex((t) => t >= toMs - this.#o.retentionS * 1000);
        if (keep > 0) {
          cached.times.splice(0, keep);
          cached.values.splice(0, keep);
        }
      } catch (e) {
        this.lastError = `${twinMetric} of ${cluster}: ${e instanceof Error ? e.message : String(e)}`;
        return undefined;
      }
    }
    return cached;
  }

  #window(times: readonly number[], values: readonly number[], fromMs: number, toMs: number, complement: boolean): SeriesWindow {
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const at = times[i] as number;
      const x = values[i] as number;
      if (at >= fromMs && at <= toMs && Number.isFinite(x)) {
        t.push(at);
        v.push(complement ? 1 - x : x);
      }
    }
    return { times: t, values: v };
  }

  async query(q: MetricQuery): Promise<MetricResult> {
    const out: Record<string, Record<string, SeriesWindow>> = {};
    await Promise.all(
      q.clusters.map(async (cluster) => {
        const per: Record<string, SeriesWindow> = {};
        out[cluster] = per;
        const c = this.#clusters.get(cluster);
        if (c === undefined) return;
        for (const series of q.series) {
          const direct = GATE_METRICS[series];
          if (direct !== undefined) {
            const cached = await this.#series(cluster, c, direct.twin, q.fromMs, q.toMs);
            if (cached === undefined) continue;
            const w = this.#window(cached.times, cached.values, q.fromMs, q.toMs, direct.complement);
            if (w.values.length > 0) per[series] = w;
            continue;
          }
          const level = this.#o.levels.find((l) => seriesName(APF_UTILISATION, l) === series);
          const ring = this.#levelRing.get(cluster);
          const values = level === undefined ? undefined : ring?.values.get(level);
          if (ring === undefined || values === undefined) continue;
          const w = this.#window(ring.times, values, q.fromMs, q.toMs, false);
          if (w.values.length > 0) per[series] = w;
        }
      }),
    );
    return out;
  }
}
