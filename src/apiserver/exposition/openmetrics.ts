/**
 * The OpenMetrics text format with timestamps, for a whole run's history
 * (`firebreak simulate --openmetrics`): prom-client writes the current value
 * of a registry, not timestamped history, so these few functions are the
 * project's own. A family is declared once (`# TYPE`, `# HELP`; a counter's
 * family name without `_total`, its samples with it), then its samples
 * follow, each `name{labels} value timestamp` with the timestamp in seconds;
 * the file ends with `# EOF` (OpenMetrics 1.0, prometheus/OpenMetrics
 * specification/OpenMetrics.md). `promtool tsdb create-blocks-from
 * openmetrics` reads it.
 *
 * For history the families are thinned (`historyFamilies`, docs/metrics.md):
 * the request-latency histograms keep the labels the gates group by, and a
 * histogram's bucket series start once an observation reaches them
 * (`HistoryBuckets`), so a calm cluster writes a few buckets, not all 29.
 *
 * @example
 *   const b = new HistoryBuckets();
 *   const lines = sampleLines(family, { cluster: 'prod-a', job: 'apiserver' }, 1733900000, b);
 */
import { keyOf, type Family, type HistogramSample, type Labels } from './families.ts';

export const OPENMETRICS_EOF = '# EOF';

/**
 * An unchanged gauge is written again after this long: under the 5 minute look-back of Prometheus'
 * instant queries (prometheus/prometheus promql/engine.go defaultLookbackDelta = 5 * time.Minute).
 */
export const GAUGE_REPEAT_S = 240;

/** A value as OpenMetrics writes it. */
export function omNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  // Fluid counts: 12 significant digits (rounding is monotonic, so counters still never decrease).
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const parts: string[] = [];
  // An empty label value is no label in Prometheus: left out.
  for (const [k, v] of Object.entries(labels)) if (v !== '') parts.push(`${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** The family's name in OpenMetrics: a counter's without `_total`. */
export function familyName(f: Family): string {
  return f.kind === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -'_total'.length) : f.name;
}

/**
 * A counter whose name has no `_total` (ingress-nginx's nginx_ingress_controller_requests): OpenMetrics
 * would rename its samples `…_total`, so it is written as `unknown`, under its own name, for PromQL to
 * find it as the live endpoint names it.
 */
function legacyCounter(f: Family): boolean {
  return f.kind === 'counter' && !f.name.endsWith('_total');
}

/** `# TYPE` and `# HELP` of a family. */
export function familyHeader(f: Family): string[] {
  const name = familyName(f);
  return [`# TYPE ${name} ${legacyCounter(f) ? 'unknown' : f.kind}`, `# HELP ${name} ${escapeHelp(f.help)}`];
}

/**
 * What a history has written so far: which bucket series of each histogram have started (an
 * observation reached their bucket), and each gauge's last value and time.
 */
export class HistoryBuckets {
  readonly #lowest = new Map<string, number>();
  readonly #gauges = new Map<string, { value: number; tsS: number }>();

  /**
   * Whether a gauge's sample is written: when its value changed, or GAUGE_REPEAT_S after its last
   * sample (within Prometheus' 5 min look-back, so an instant query finds the same value).
   */
  gaugeDue(key: string, value: number, tsS: number): boolean {
    const last = this.#gauges.get(key);
    if (last !== undefined && (last.value === value || (Number.isNaN(last.value) && Number.isNaN(value))) && tsS - last.tsS < GAUGE_REPEAT_S) return false;
    this.#gauges.set(key, { value, tsS });
    return true;
  }

  /** The index of the lowest bucket to write for this series (-1: none yet, only +Inf, _sum, _count). */
  lowest(key: string, s: HistogramSample): number {
    let low = this.#lowest.get(key) ?? s.cumulative.length;
    for (let i = 0; i < low; i++) {
      if ((s.cumulative[i] ?? 0) > 0) {
        low = i;
        break;
      }
    }
    this.#lowest.set(key, low);
    return low;
  }
}

/**
 * One emission of a family: its samples at `tsS` (epoch seconds), with `extra` labels first (the
 * cluster and job a scrape would add). A histogram writes its buckets from the lowest that ever held
 * an observation up to the first that holds them all (the ones above it equal +Inf), then +Inf,
 * `_sum` and `_count`.
 */
export function sampleLines(f: Family, extra: Labels, tsS: number, buckets: HistoryBuckets, out: string[]): void {
  const ts = omNumber(Math.round(tsS * 1000) / 1000);
  if (f.kind === 'histogram') {
    for (const s of f.samples) {
      const labels = { ...extra, ...s.labels };
      const key = `${f.name}\u0001${keyOf(labels)}`;
      const low = buckets.lowest(key, s);
      for (let i = low; i < f.bounds.length; i++) {
        out.push(`${f.name}_bucket${labelText({ ...labels, le: omNumber(f.bounds[i] ?? 0) })} ${omNumber(s.cumulative[i] ?? 0)} ${ts}`);
        if ((s.cumulative[i] ?? 0) >= s.count) break;
      }
      out.push(`${f.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${omNumber(s.count)} ${ts}`);
      out.push(`${f.name}_sum${labelText(labels)} ${omNumber(s.sum)} ${ts}`);
      out.push(`${f.name}_count${labelText(labels)} ${omNumber(s.count)} ${ts}`);
    }
    return;
  }
  const name = f.kind === 'counter' && !legacyCounter(f) ? `${familyName(f)}_total` : f.name;
  for (const s of f.samples) {
    const text = `${name}${labelText({ ...extra, ...s.labels })}`;
    if (f.kind === 'gauge' && !buckets.gaugeDue(text, s.value, tsS)) continue;
    out.push(`${text} ${omNumber(s.value)} ${ts}`);
  }
}

/** Labels of the apiserver histograms kept in history: the ones the gates filter and group by. */
const HISTORY_LABELS: Readonly<Record<string, readonly string[]>> = {
  apiserver_request_sli_duration_seconds: ['verb', 'scope'],
  // Every etcd request of a step is observed at the twin's one etcd latency: the operations add nothing.
  etcd_request_duration_seconds: [],
};

/** Families left out of history (the live endpoint has them): the full request-duration histogram. */
const NOT_IN_HISTORY = new Set(['apiserver_request_duration_seconds']);

function pick(labels: Labels, keep: readonly string[]): Labels {
  const o: Record<string, string> = {};
  for (const k of keep) o[k] = labels[k] ?? '';
  return o;
}

/**
 * The families a history keeps: the same names and values, the request-latency histograms summed over
 * the labels no gate reads (group, version, resource, …), the full request-duration histogram left out.
 */
export function historyFamilies(families: readonly Family[]): Family[] {
  const out: Family[] = [];
  for (const f of families) {
    if (NOT_IN_HISTORY.has(f.name)) continue;
    const keep = HISTORY_LABELS[f.name];
    if (f.kind !== 'histogram' || keep === undefined) {
      out.push(f);
      continue;
    }
    const merged = new Map<string, { labels: Labels; cumulative: number[]; sum: number; count: number }>();
    for (const s of f.samples) {
      const labels = pick(s.labels, keep);
      const k = keyOf(labels);
      const m = merged.get(k);
      if (m === undefined) merged.set(k, { labels, cumulative: [...s.cumulative], sum: s.sum, count: s.count });
      else {
        for (let i = 0; i < m.cumulative.length; i++) m.cumulative[i] = (m.cumulative[i] ?? 0) + (s.cumulative[i] ?? 0);
        m.sum += s.sum;
        m.count += s.count;
      }
    }
    out.push({ kind: 'histogram', name: f.name, help: f.help, bounds: f.bounds, samples: [...merged.values()] });
  }
  return out;
}

