/**
 * A snapshot of metric families, as the exposition mapping
 * (cluster-metrics.ts) produces them and the two writers — the live
 * Prometheus text of `/metrics` (prometheus-text.ts, through prom-client) and
 * the OpenMetrics history of `simulate --openmetrics` (openmetrics.ts) —
 * print them, so that names, labels and values cannot drift between the two.
 *
 * A counter's name is its exposition name, with `_total`; a histogram's
 * samples hold cumulative bucket counts for its `bounds` (then +Inf = count).
 *
 * @example
 *   const f: Family = { kind: 'gauge', name: 'apiserver_flowcontrol_nominal_limit_seats', help: '…', samples: [{ labels: { priority_level: 'system' }, value: 30 }] };
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface HistogramSample {
  readonly labels: Labels;
  /** Cumulative counts: observations ≤ bounds[i]. */
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export type Family =
  | { readonly kind: 'counter' | 'gauge'; readonly name: string; readonly help: string; readonly samples: readonly Sample[] }
  | { readonly kind: 'histogram'; readonly name: string; readonly help: string; readonly bounds: readonly number[]; readonly samples: readonly HistogramSample[] };

/** A histogram's running counts per label set: observations land in the first bucket whose bound holds them. */
export class HistogramAcc {
  readonly labels: Labels;
  readonly bounds: readonly number[];
  /** Non-cumulative: counts[i] for bounds[i], counts[bounds.length] for +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(labels: Labels, bounds: readonly number[]) {
    this.labels = labels;
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** `n` observations (a fluid count) of `value`. */
  observe(value: number, n: number): void {
    if (!(n > 0) || !Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + n;
    this.sum += value * n;
    this.count += n;
  }

  sample(): HistogramSample {
    const cumulative: number[] = [];
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += this.counts[i] ?? 0;
      cumulative.push(acc);
    }
    return { labels: this.labels, cumulative, sum: this.sum, count: this.count };
  }
}

/** Label values joined, as a map key. */
export function keyOf(labels: Labels): string {
  return Object.values(labels).join('\u0000');
}
