/**
 * What a rehearsal measures beside the rollout, watching the twin every step
 * as a controller: the first control-plane SLO breach in a changed cluster
 * (after its change, 1 s resolution), and the orchestrator's peak share of a
 * cluster's API requests in a minute (its requests / all requests the
 * cluster's API servers received that minute).
 *
 * It reads the target's and the metric source's records through the small
 * interfaces below, not their classes (the rehearsal builds those).
 *
 * @example
 *   const observer = new RehearsalObserver(twin, target, source);
 *   twin.addController(observer);
 *   // … run …
 *   observer.breach; // { atS, cluster, slo, value } or null
 */
import type { SeriesWindow } from '../orchestrator/ports.ts';
import type { Controller, MetricSample, TwinApi } from '../twin/index.ts';
import { significant6 } from '../core/number.ts';

/** The target's record: clusters it changed (first time, seconds; entries are only added) and its API requests per cluster and minute. */
export interface TargetRequests {
  readonly changed: ReadonlyMap<string, number>;
  readonly apiRequests: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/** Samples of one series of one cluster in [fromMs, toMs] (the metric source's own store). */
export interface SeriesReader {
  window(cluster: string, series: string, fromMs: number, toMs: number): SeriesWindow | undefined;
}

/** A first breach of a control-plane SLO. */
export interface SloBreach {
  readonly atS: number;
  readonly cluster: string;
  readonly slo: string;
  readonly value: number;
}

/** SLOs for "first SLO breach": the Kubernetes API latency SLOs, and 99 % of ordinary requests served. */
const SLOS: readonly { readonly name: string; readonly test: (m: MetricSample) => number | null }[] = [
  { name: 'single-object API call p99 ≤ 1 s', test: (m) => (m.apiserver_p99_single_object_seconds > 1 ? m.apiserver_p99_single_object_seconds : null) },
  { name: 'LIST p99 ≤ 30 s', test: (m) => (m.apiserver_p99_seconds > 30 ? m.apiserver_p99_seconds : null) },
  { name: '99 % of API requests served', test: (m) => (m.apiserver_success_ratio < 0.99 ? m.apiserver_success_ratio : null) },
];

/** Watches changed clusters every step: first SLO breach, and the orchestrator's API share per minute. */
export class RehearsalObserver implements Controller {
  readonly #target: TargetRequests;
  readonly #source: SeriesReader;
  readonly #index: Map<string, number>;
  /** The target's changed clusters as parallel arrays, in the record's order (read every step: no Map iteration or look-up there). */
  readonly #changedNames: string[] = [];
  readonly #changedIndex: number[] = [];
  readonly #changedSince: number[] = [];
  breach: SloBreach | null = null;
  peakShare = 0;
  peak: { cluster: string; minute: number } | null = null;

  constructor(twin: TwinApi, target: TargetRequests, source: SeriesReader) {
    this.#target = target;
    this.#source = source;
    this.#index = new Map(twin.clusters().map((c, i) => [c.name, i]));
  }

  onStep(twin: TwinApi): void {
    const t = Math.round(twin.t);
    if (this.breach === null) {
      if (this.#changedNames.length !== this.#target.changed.size) this.#syncChanged();
      const names = this.#changedNames;
      for (let k = 0; k < names.length; k++) {
        if (t < (this.#changedSince[k] as number)) continue;
        const i = this.#changedIndex[k] as number;
        if (i < 0 || twin.quiescentAt(i)) continue;
        const cluster = names[k] as string;
        // Cheap first: the ordinary p99 bounds the single-object p99.
        if (twin.p99At(i) <= 1 && twin.successRatioAt(i) >= 0.99) continue;
        const m = twin.observeAt(i);
        for (const slo of SLOS) {
          const v = slo.test(m);
          if (v !== null && this.breach === null) this.breach = { atS: t, cluster, slo: slo.name, value: significant6(v) };
        }
        if (this.breach !== null) break;
      }
    }
    if (t % 60 === 0 && t > 0) this.#minute(twin, t / 60 - 1);
  }

  /** Copies the target's record of changed clusters (it grew since the last step). */
  #syncChanged(): void {
    this.#changedNames.length = 0;
    this.#changedIndex.length = 0;
    this.#changedSince.length = 0;
    for (const [cluster, since] of this.#target.changed) {
      this.#changedNames.push(cluster);
      this.#changedIndex.push(this.#index.get(cluster) ?? -1);
      this.#changedSince.push(since);
    }
  }

  /** The orchestrator's share of each cluster's API requests in minute `m`. */
  #minute(twin: TwinApi, m: number): void {
    const from = twin.scenario.startMs + m * 60_000;
    for (const [cluster, minutes] of this.#target.apiRequests) {
      const n = minutes.get(m);
      if (n === undefined) continue;
      const w = this.#source.window(cluster, 'apiserver_requests_per_second', from, from + 60_000);
      const rps = w === undefined || w.values.length === 0 ? 0 : w.values.reduce((a, b) => a + b, 0) / w.values.length;
      const share = n / (n + rps * 60);
      if (share > this.peakShare) {
        this.peakShare = share;
        this.peak = { cluster, minute: m };
      }
    }
  }
}
