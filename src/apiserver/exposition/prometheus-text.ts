/**
 * Metric families (families.ts) in the Prometheus text format 0.0.4, written
 * by prom-client: a fresh Registry per call, counters and gauges as
 * prom-client's own, histograms as a prom-client Histogram whose values are
 * the accumulated bucket counts (prom-client observes one value at a time;
 * the twin's counts are fluid). The live `/metrics` of `twin serve` and the
 * control endpoint's `/twin/v1/metrics` answer with it.
 *
 * @example
 *   const body = await prometheusText(new ClusterMetrics(twin, 0).apiserver());
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Family, HistogramSample } from './families.ts';

/** The Content-Type of the text format (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** A prom-client Histogram reporting given cumulative bucket counts. */
class FixedHistogram extends Histogram {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #samples: readonly HistogramSample[];

  constructor(f: Extract<Family, { kind: 'histogram' }>, labelNames: string[], registry: Registry) {
    super({ name: f.name, help: f.help, labelNames, buckets: [...f.bounds], registers: [registry] });
    this.#name = f.name;
    this.#help = f.help;
    this.#bounds = f.bounds;
    this.#samples = f.samples;
  }

  // Replaces prom-client's values with the accumulated ones, in its own shape (histogram.js getForPromString).
  override async get(): ReturnType<Histogram['get']> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.#samples) {
      for (let i = 0; i < this.#bounds.length; i++) values.push({ labels: { ...s.labels, le: this.#bounds[i] ?? 0 }, value: s.cumulative[i] ?? 0, metricName: `${this.#name}_bucket` });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.#name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.#name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.#name}_count` });
    }
    await Promise.resolve();
    return { name: this.#name, help: this.#help, type: 'histogram', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<Histogram['get']>>;
  }

  async getForPromString(): ReturnType<Histogram['get']> {
    return this.get();
  }
}

function labelNamesOf(samples: readonly { labels: Readonly<Record<string, string>> }[]): string[] {
  const names = new Set<string>();
  for (const s of samples) for (const k of Object.keys(s.labels)) names.add(k);
  return [...names];
}

/** The families as Prometheus text, through a fresh prom-client Registry. */
export async function prometheusText(families: readonly Family[]): Promise<string> {
  const registry = new Registry();
  for (const f of families) {
    // A family with no series yet is not written (client_golang writes a vector only once it has one).
    if (f.samples.length === 0) continue;
    const labelNames = labelNamesOf(f.samples);
    if (f.kind === 'counter') {
      const c = new Counter({ name: f.name, help: f.help, labelNames, registers: [registry] });
      for (const s of f.samples) c.inc({ ...s.labels }, s.value);
    } else if (f.kind === 'gauge') {
      const g = new Gauge({ name: f.name, help: f.help, labelNames, registers: [registry] });
      for (const s of f.samples) g.set({ ...s.labels }, s.value);
    } else if (f.kind === 'histogram') new FixedHistogram(f, labelNames, registry);
  }
  return registry.metrics();
}
