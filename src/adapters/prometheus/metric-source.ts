/**
 * The Prometheus metric source (issue #12): the gates read PromQL over
 * Prometheus' HTTP API (`/api/v1/query_range`, client.ts). For each gate
 * metric a query asks for, ONE range query covers every cluster of the
 * request (`$cl=~"a|b|c"`, queries.ts), and its result is split by the
 * cluster label (and, for per-level gates, by `priority_level`) into the
 * port's series (`seriesName`). The cluster label and each cluster's value
 * of it, and the API server's selector, are the fleet's
 * (src/input/fleet-prometheus.ts); the queries are the defaults of
 * queries.ts with the plan's overrides and custom gates' queries.
 *
 * What cannot be read is never a pass and never a made-up sample: each
 * requested series without a usable newest sample comes back as an empty
 * window carrying its `problem` (ports.ts SeriesProblem), one of
 * - `no-data`: the query returned no series for the cluster (a series that does not exist is no data, not zero);
 * - `nan`: the newest sample is NaN or ±Inf (e.g. a ratio over no requests);
 * - `stale`: the newest sample is older than the plan's `staleAfter` (Prometheus' own 5 min
 *   lookback keeps a gauge whose target vanished without a staleness marker alive for up to 5 min:
 *   prometheus/prometheus docs/querying/basics.md "Staleness");
 * - `unreachable`, `timeout`, `query-error` (Prometheus' error JSON, an HTTP error, an HTML page; a
 *   query returning several series for one cluster);
 * and the decision core applies the plan's `missingData` policy to it.
 *
 * @example
 *   const source = new PrometheusMetricSource({ client, clusterLabel: 'cluster', apiserverSelector: 'job="apiserver"', labelValues, rateWindowS: 60, stepS: 15, staleAfterS: 60, queries: gateQueries(plan.gates, metrics.queries), levels });
 *   const result = await source.query({ clusters: ['prod-a', 'prod-b'], series: ['apiserver_429_ratio'], fromMs, toMs });
 *   result['prod-a']?.['apiserver_429_ratio']?.problem; // undefined, or { kind: 'no-data', message: 'no data for apiserver_429_ratio in cluster prod-a: query returned no series' }
 */
import type { MetricQuery, MetricResult, MetricSource, SeriesProblem, SeriesProblemKind, SeriesWindow } from '../../orchestrator/ports.ts';
import { seriesName } from '../../orchestrator/ports.ts';
import { PromFailure, type MatrixSeries, type PrometheusClient } from './client.ts';
import { promDuration, substitute, type GateQuery } from './queries.ts';
import { IDENTITY, PER_SECOND_METRICS, scaleRanges, type TimeBase } from './time-base.ts';

export interface PrometheusSourceOptions {
  readonly client: PrometheusClient;
  readonly clusterLabel: string;
  readonly apiserverSelector: string;
  /** Cluster name → its value of the cluster label (a cluster not listed uses its name). */
  readonly labelValues: ReadonlyMap<string, string>;
  readonly rateWindowS: number;
  readonly stepS: number;
  readonly staleAfterS: number;
  /** Gate metric → its query (queries.ts DEFAULT_QUERIES with the plan's). */
  readonly queries: Readonly<Record<string, GateQuery>>;
  /** Priority levels the per-level gates are expanded over. */
  readonly levels: readonly string[];
  /**
   * The rollout clock ↔ Prometheus' wall clock (time-base.ts): identity for a real fleet; for a
   * twin-served fleet the served clock's map, so that ranges, steps and range selectors are
   * translated into wall time and sample times mapped back. Default: identity.
   */
  readonly timeBase?: TimeBase;
}

/** One metric's answer for one cluster: samples by series name, or the failure of the whole query. */
type Split = { readonly failure: PromFailure } | { readonly byCluster: ReadonlyMap<string, ReadonlyMap<string, MatrixSeries[]>> };

/** A Prometheus sample value ('NaN', '+Inf', '-Inf' included). */
export function parseSample(v: string): number {
  return v === '+Inf' ? Number.POSITIVE_INFINITY : v === '-Inf' ? Number.NEGATIVE_INFINITY : Number(v);
}

export class PrometheusMetricSource implements MetricSource {
  readonly name = 'prometheus';
  readonly #o: PrometheusSourceOptions;
  /** Label value → cluster name, for splitting results. */
  readonly #byLabel = new Map<string, string>();
  /** Range queries sent by the last `query` call. */
  lastQueries = 0;

  readonly #tb: TimeBase;

  constructor(o: PrometheusSourceOptions) {
    this.#o = o;
    this.#tb = o.timeBase ?? IDENTITY;
    for (const [cluster, value] of o.labelValues) this.#byLabel.set(value, cluster);
  }

  /** The same source on another time base (a twin-served fleet's clock). */
  withTimeBase(timeBase: TimeBase): PrometheusMetricSource {
    return new PrometheusMetricSource({ ...this.#o, timeBase });
  }

  serves(metric: string): boolean {
    return this.#o.queries[metric] !== undefined;
  }

  levels(): readonly string[] {
    return this.#o.levels;
  }

  /** The label value of a cluster. */
  labelOf(cluster: string): string {
    return this.#o.labelValues.get(cluster) ?? cluster;
  }

  /** The PromQL sent for `metric` over `clusters` (placeholders substituted). */
  promql(metric: string, clusters: readonly string[]): string {
    const q = this.#o.queries[metric];
    if (q === undefined) throw new Error(`no query for metric ${metric}`);
    // The rate window and every literal range are durations of the rollout's clock: on a fast twin, fewer wall seconds (time-base.ts).
    return scaleRanges(substitute(q.query, { cl: this.#o.clusterLabel, clusters: clusters.map((c) => this.labelOf(c)), w: promDuration(this.#o.rateWindowS), apiserver: this.#o.apiserverSelector }), this.#tb.speed);
  }

  async #run(metric: string, clusters: readonly string[], fromMs: number, toMs: number): Promise<Split> {
    const perLevel = this.#o.queries[metric]?.perLevel === true;
    try {
      const tb = this.#tb;
      const matrix = await this.#o.client.queryRange(this.promql(metric, clusters), tb.toWallMs(fromMs) / 1000, tb.toWallMs(toMs) / 1000, this.#o.stepS / tb.speed);
      const byCluster = new Map<string, Map<string, MatrixSeries[]>>();
      for (const series of matrix) {
        const value = series.metric[this.#o.clusterLabel];
        const cluster = value === undefined ? undefined : this.#byLabel.get(value) ?? value;
        if (cluster === undefined) continue;
        const level = series.metric.priority_level;
        const name = perLevel ? (level === undefined ? undefined : seriesName(metric, level)) : metric;
        if (name === undefined) continue;
        let per = byCluster.get(cluster);
        if (per === undefined) byCluster.set(cluster, (per = new Map<string, MatrixSeries[]>()));
        const list = per.get(name);
        if (list === undefined) per.set(name, [series]);
        else list.push(series);
      }
      return { byCluster };
    } catch (e) {
      if (e instanceof PromFailure) return { failure: e };
      throw e;
    }
  }

  #window(cluster: string, series: string, metric: string, split: Split, toMs: number): SeriesWindow {
    const problem = (kind: SeriesProblemKind, message: string): SeriesWindow => ({ times: [], values: [], problem: { kind, message } satisfies SeriesProblem });
    if ('failure' in split) return problem(split.failure.kind, `cannot read ${series} in cluster ${cluster}: ${split.failure.message}`);
    const found = split.byCluster.get(cluster)?.get(series);
    if (found === undefined || found.length === 0 || found[0]?.values.length === 0) {
      return problem('no-data', `no data for ${series} in cluster ${cluster}: query returned no series${split.byCluster.size === 0 ? ` for any cluster (is \`${this.#o.clusterLabel}\` the label that names the clusters, with value ${JSON.stringify(this.labelOf(cluster))}?)` : ''}`);
    }
    if (found.length > 1) {
      return problem('query-error', `the query for ${series} returned ${found.length} series for cluster ${cluster}, not one: aggregate it by the cluster label (e.g. \`sum by (${this.#o.clusterLabel}) (…)\`)`);
    }
    const raw = (found[0] as MatrixSeries).values;
    const tb = this.#tb;
    // A per-second rate over wall time of a twin running `speed` times as fast: back to per simulated second.
    const per = PER_SECOND_METRICS.has(metric) ? tb.speed : 1;
    const times: number[] = [];
    const values: number[] = [];
    for (const [t, v] of raw) {
      const x = parseSample(v);
      if (Number.isFinite(x)) {
        times.push(Math.round(tb.toVirtualMs(t * 1000)));
        values.push(x / per);
      }
    }
    const newest = raw[raw.length - 1] as readonly [number, string];
    const newestValue = parseSample(newest[1]);
    if (!Number.isFinite(newestValue)) return problem('nan', `${series} in cluster ${cluster} is ${newest[1]} (its newest sample; e.g. a ratio over no requests): no usable value`);
    const ageS = (toMs - tb.toVirtualMs(newest[0] * 1000)) / 1000;
    if (ageS > this.#o.staleAfterS) return problem('stale', `${series} in cluster ${cluster} is stale: its newest sample is ${Math.round(ageS)} s old (staleAfter ${this.#o.staleAfterS} s)`);
    return { times, values };
  }

  async query(q: MetricQuery): Promise<MetricResult> {
    // Requested series by gate metric: `metric` or `metric{level}`.
    const byMetric = new Map<string, string[]>();
    for (const series of q.series) {
      const brace = series.indexOf('{');
      const metric = brace < 0 ? series : series.slice(0, brace);
      const list = byMetric.get(metric);
      if (list === undefined) byMetric.set(metric, [series]);
      else list.push(series);
    }
    const out: Record<string, Record<string, SeriesWindow>> = {};
    for (const cluster of q.clusters) out[cluster] = {};
    const metrics = [...byMetric.keys()].filter((m) => this.serves(m));
    this.lastQueries = metrics.length;
    const splits = await Promise.all(metrics.map((m) => this.#run(m, q.clusters, q.fromMs, q.toMs)));
    metrics.forEach((metric, i) => {
      const split = splits[i] as Split;
      for (const series of byMetric.get(metric) ?? []) for (const cluster of q.clusters) (out[cluster] as Record<string, SeriesWindow>)[series] = this.#window(cluster, series, metric, split, q.toMs);
    });
    return out;
  }

  /** The priority levels with seats, as Prometheus has them for `clusters` at `atMs` (for the per-level gates); [] when none. */
  async discoverLevels(clusters: readonly string[], atMs: number): Promise<string[]> {
    const query = substitute('max by (priority_level) (apiserver_flowcontrol_nominal_limit_seats{$apiserver,$cl=~"$clusters"}) > 0', {
      cl: this.#o.clusterLabel,
      clusters: clusters.map((c) => this.labelOf(c)),
      w: promDuration(this.#o.rateWindowS),
      apiserver: this.#o.apiserverSelector,
    });
    const vector = await this.#o.client.query(query, atMs / 1000);
    return vector.flatMap((s) => (s.metric.priority_level !== undefined ? [s.metric.priority_level] : [])).sort();
  }
}
