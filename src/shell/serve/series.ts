/**
 * The twin's per-step metrics of each served cluster, kept in a bounded ring
 * (the control endpoint's `/twin/v1/series`): the last `capacity` steps, with
 * capacity = min(3,600, max(300, 4,000,000 / (clusters × metrics))) so that a
 * large fleet's rings stay within about 32 MB.
 *
 * @example
 *   const s = new SeriesRings(twin);
 *   s.record();   // after each step
 *   s.range('prod-a', 'apiserver_429_ratio', fromMs, toMs);
 */
import { METRIC_NAMES, type MetricName, type TwinApi } from '../../twin/index.ts';

export class SeriesRings {
  readonly #twin: TwinApi;
  readonly capacity: number;
  readonly #times: Float64Array;
  readonly #values: Float64Array[][];
  #count = 0;
  #next = 0;

  constructor(twin: TwinApi) {
    this.#twin = twin;
    const clusters = twin.clusters().length;
    this.capacity = Math.min(3600, Math.max(300, Math.floor(4_000_000 / Math.max(1, clusters * METRIC_NAMES.length))));
    this.#times = new Float64Array(this.capacity);
    this.#values = twin.clusters().map(() => METRIC_NAMES.map(() => new Float64Array(this.capacity)));
  }

  record(): void {
    const at = this.#next;
    this.#times[at] = this.#twin.clock.now();
    for (let c = 0; c < this.#values.length; c++) {
      const rows = this.#values[c] ?? [];
      for (let m = 0; m < METRIC_NAMES.length; m++) {
        const row = rows[m];
        const name = METRIC_NAMES[m];
        if (row !== undefined && name !== undefined) row[at] = this.#twin.metricAt(c, name);
      }
    }
    this.#next = (at + 1) % this.capacity;
    this.#count = Math.min(this.capacity, this.#count + 1);
  }

  /** The samples of one cluster's metric between two epoch ms (inclusive); undefined for an unknown cluster or metric. */
  range(cluster: string, metric: string, fromMs: number, toMs: number): { times: number[]; values: number[] } | undefined {
    const c = this.#twin.indexOf(cluster);
    const m = (METRIC_NAMES as readonly string[]).indexOf(metric);
    const row = this.#values[c]?.[m];
    if (c < 0 || m < 0 || row === undefined) return undefined;
    const times: number[] = [];
    const values: number[] = [];
    const start = (this.#next - this.#count + this.capacity) % this.capacity;
    for (let k = 0; k < this.#count; k++) {
      const i = (start + k) % this.capacity;
      const t = this.#times[i] ?? 0;
      if (t >= fromMs && t <= toMs) {
        times.push(t);
        values.push(row[i] ?? 0);
      }
    }
    return { times, values };
  }

  static isMetric(name: string): name is MetricName {
    return (METRIC_NAMES as readonly string[]).includes(name);
  }
}
