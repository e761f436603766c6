/**
 * Where a plan's gates read their metrics (`spec.metrics`) and the PromQL a
 * plan gives its gates (`spec.gates.overrides.<gate>.query`,
 * `spec.gates.custom[].query`), compiled from the plan file with each
 * query's field path kept, so that a query Prometheus refuses is reported at
 * the plan's file:line (src/adapters/prometheus/ validates them before a
 * run; docs/orchestrator.md "Prometheus").
 *
 * @example
 *   const metrics = compilePlanMetrics(input.spec, doc, problems);
 *   metrics.prometheus?.rateWindowS; // 60
 *   metrics.queries[0]; // { gate: 'api-rejections', metric: 'apiserver_429_ratio', query: '…', path: ['spec', 'gates', 'overrides', 'api-rejections', 'query'] }
 */
import { formatDuration, parseDuration } from '../core/duration.ts';
import type { Problems } from './validate.ts';
import type { Path, Source } from './yaml.ts';

/** `$w` of the default queries: kubernetes-mixin's SLO rules use rate windows from 5m up; a rollout's gates need a short one (15 s samples), 1m = four scrapes at Prometheus' default 15 s interval (prometheus/prometheus docs/configuration/configuration.md, scrape_interval default 1m; kube-prometheus scrapes the API server every 30s). */
export const DEFAULT_RATE_WINDOW_S = 60;
/** Deadline of one query (Prometheus' own default --query.timeout is 2m: prometheus/prometheus cmd/prometheus/main.go); a gate must not wait that long. */
export const DEFAULT_QUERY_TIMEOUT_S = 10;
/** Resolution of the range queries: the rehearsal's scrape grid (src/shell/rehearsal.ts, 15 s). */
export const DEFAULT_QUERY_STEP_S = 15;

export interface PrometheusPlan {
  /** Base URL of the HTTP API; `--prometheus` overrides it. */
  readonly url?: string;
  readonly rateWindowS: number;
  readonly timeoutS: number;
  readonly stepS: number;
}

/** A query the plan gives one gate, and where it is written. */
export interface PlanQuery {
  readonly gate: string;
  readonly metric: string;
  readonly query: string;
  readonly path: Path;
}

export interface PlanMetrics {
  /** Present when the plan names Prometheus (`spec.metrics.prometheus`). */
  readonly prometheus?: PrometheusPlan;
  /** Gate queries of the plan (overrides of built-in gates, custom gates), in file order. */
  readonly queries: readonly PlanQuery[];
}

/** The parts of a plan's spec this file reads (structurally the schema's; kept narrow so that the schema can import the defaults above). */
export interface PlanMetricsInput {
  readonly metrics?: { readonly prometheus?: { readonly url?: string; readonly rateWindow?: string | number; readonly timeout?: string | number; readonly step?: string | number } };
  readonly gates?: {
    readonly overrides?: Readonly<Record<string, { readonly query?: string } | undefined>>;
    readonly custom?: readonly { readonly name: string; readonly metric: string; readonly query?: string }[];
  };
}

function duration(source: Source, problems: Problems, path: Path, raw: string | number | undefined, dflt: number, minS: number, maxS: number): number {
  if (raw === undefined) return dflt;
  const s = parseDuration(raw);
  if (s === undefined || s < minS || s > maxS) {
    problems.add(source, path, `expected a duration between ${formatDuration(minS)} and ${formatDuration(maxS)}, got ${JSON.stringify(raw)}`, 'e.g. "30s" or "1m"');
    return dflt;
  }
  return s;
}

/** The plan's metric source and gate queries; problems (bad durations) are added to `problems`. `metricOf` names a built-in gate's metric. */
export function compilePlanMetrics(spec: PlanMetricsInput, source: Source, problems: Problems, metricOf: (gate: string) => string | undefined): PlanMetrics {
  const queries: PlanQuery[] = [];
  for (const [gate, o] of Object.entries(spec.gates?.overrides ?? {})) {
    const metric = metricOf(gate);
    if (o?.query !== undefined && metric !== undefined) queries.push({ gate, metric, query: o.query, path: ['spec', 'gates', 'overrides', gate, 'query'] });
  }
  const byMetric = new Map<string, number>();
  (spec.gates?.custom ?? []).forEach((c, i) => {
    if (c.query === undefined) return;
    const first = byMetric.get(c.metric);
    const builtIn = queries.find((q) => q.metric === c.metric);
    if (first !== undefined || builtIn !== undefined) {
      problems.add(source, ['spec', 'gates', 'custom', i, 'query'], `another gate already gives metric \`${c.metric}\` a query (${first !== undefined ? `spec.gates.custom[${first}]` : `spec.gates.overrides.${builtIn?.gate ?? ''}`})`, 'give this gate its own metric name, or the same query once');
      return;
    }
    byMetric.set(c.metric, i);
    queries.push({ gate: c.name, metric: c.metric, query: c.query, path: ['spec', 'gates', 'custom', i, 'query'] });
  });
  const p = spec.metrics?.prometheus;
  if (p === undefined) return { queries };
  const at = (k: string): Path => ['spec', 'metrics', 'prometheus', k];
  const prometheus: PrometheusPlan = {
    ...(p.url !== undefined ? { url: p.url } : {}),
    rateWindowS: duration(source, problems, at('rateWindow'), p.rateWindow, DEFAULT_RATE_WINDOW_S, 1, 3600),
    timeoutS: duration(source, problems, at('timeout'), p.timeout, DEFAULT_QUERY_TIMEOUT_S, 1, 300),
    stepS: duration(source, problems, at('step'), p.step, DEFAULT_QUERY_STEP_S, 1, 600),
  };
  return { prometheus, queries };
}
