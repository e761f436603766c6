/**
 * Builds the Prometheus metric source (src/adapters/prometheus/) for a plan
 * and a fleet — a composition root (test/helpers/import-graph.ts
 * COMPOSITION_ROOTS): the URL (`--prometheus`, else the plan's
 * `spec.metrics.prometheus.url`), the gates' queries (the defaults, the
 * plan's overrides and custom gates' queries), the fleet's cluster label, its
 * values and the API server's selector, and the priority levels of the
 * per-level gates (given, or asked of Prometheus).
 *
 * Before a run every query of an enabled gate is validated by Prometheus
 * itself (`/api/v1/format_query`): a query it refuses is an input error at
 * the plan's file:line with Prometheus' own message (exit 2).
 *
 * @example
 *   const prom = prometheusSettings(loaded, '--prometheus URL' value);
 *   const built = await buildPrometheusSource({ loaded, fleet: fleet.prometheus, clusters, settings: prom, staleAfterS });
 *   const problems = await validateQueries(built, loaded); // throws InputError for malformed PromQL
 *   const onTwin = onServedClock(built.source, served.clock); // a twin-served fleet: the rollout decides in the twin's time
 *
 * A twin-served fleet read through Prometheus: the rollout decides in the
 * twin's virtual time (its served clock, as without Prometheus) and the
 * source translates between it and Prometheus' wall-clock samples
 * (src/adapters/prometheus/time-base.ts), at any `twin serve --speed`.
 */
import { InputError, UsageError } from '../core/errors.ts';
import type { FleetPrometheus } from '../input/fleet-prometheus.ts';
import type { LoadedPlan } from '../input/plan.ts';
import { DEFAULT_QUERY_STEP_S, DEFAULT_QUERY_TIMEOUT_S, DEFAULT_RATE_WINDOW_S } from '../input/plan-metrics.ts';
import { problemAt, sortProblems } from '../input/validate.ts';
import { PromFailure, PrometheusClient } from '../adapters/prometheus/client.ts';
import { PrometheusMetricSource } from '../adapters/prometheus/metric-source.ts';
import { DEFAULT_QUERIES, type GateQuery } from '../adapters/prometheus/queries.ts';
import { linearTimeBase, type ClockReading } from '../adapters/prometheus/time-base.ts';
import type { MetricSource } from '../orchestrator/ports.ts';

export interface PrometheusSettings {
  readonly url: string;
  readonly rateWindowS: number;
  readonly timeoutS: number;
  readonly stepS: number;
}

/** The Prometheus the plan or `--prometheus` names; undefined when neither does (the twin's metrics then). */
export function prometheusSettings(loaded: LoadedPlan, override: string | undefined): PrometheusSettings | undefined {
  const p = loaded.metrics.prometheus;
  const url = override ?? p?.url;
  if (url === undefined) {
    if (p !== undefined) throw new UsageError(`the plan reads its gates from Prometheus (spec.metrics.prometheus) but names no URL: give spec.metrics.prometheus.url or --prometheus URL`);
    return undefined;
  }
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UsageError(`--prometheus: expected an http(s) URL such as http://127.0.0.1:9090, got ${JSON.stringify(url)}`);
  return { url, rateWindowS: p?.rateWindowS ?? DEFAULT_RATE_WINDOW_S, timeoutS: p?.timeoutS ?? DEFAULT_QUERY_TIMEOUT_S, stepS: p?.stepS ?? DEFAULT_QUERY_STEP_S };
}

/** Gate metric → query: the defaults, replaced by the plan's overrides, plus custom gates' queries. */
export function gateQueries(loaded: LoadedPlan): Record<string, GateQuery> {
  const out: Record<string, GateQuery> = { ...DEFAULT_QUERIES };
  for (const q of loaded.metrics.queries) {
    const gate = loaded.plan.gates.find((g) => g.name === q.gate);
    out[q.metric] = { query: q.query, perLevel: gate?.perLevel ?? false };
  }
  return out;
}

export interface BuiltPrometheus {
  readonly source: PrometheusMetricSource;
  readonly client: PrometheusClient;
  readonly settings: PrometheusSettings;
  /** The metric source as the shell knows it. */
  readonly port: MetricSource;
}

export interface BuildOptions {
  readonly loaded: LoadedPlan;
  readonly fleet: FleetPrometheus;
  readonly settings: PrometheusSettings;
  readonly staleAfterS: number;
  /** Priority levels of the per-level gates; asked of Prometheus when not given. */
  readonly levels?: readonly string[];
  /** The fleet's cluster names (for asking the levels). */
  readonly clusters: readonly string[];
  /** Current time (epoch ms) for asking the levels. */
  readonly nowMs: number;
}

/** Builds the source. Asking Prometheus for the levels may fail: then `levelsError` says why and the levels are []. */
export async function buildPrometheusSource(o: BuildOptions): Promise<BuiltPrometheus & { readonly levelsError: PromFailure | null }> {
  const client = new PrometheusClient({ url: o.settings.url, timeoutMs: o.settings.timeoutS * 1000 });
  const base = {
    client,
    clusterLabel: o.fleet.clusterLabel,
    apiserverSelector: o.fleet.apiserverSelector,
    labelValues: o.fleet.values,
    rateWindowS: o.settings.rateWindowS,
    stepS: o.settings.stepS,
    staleAfterS: o.staleAfterS,
    queries: gateQueries(o.loaded),
  };
  let levels = o.levels;
  let levelsError: PromFailure | null = null;
  if (levels === undefined) {
    try {
      levels = await new PrometheusMetricSource({ ...base, levels: [] }).discoverLevels(o.clusters, o.nowMs);
    } catch (e) {
      if (!(e instanceof PromFailure)) throw e;
      levelsError = e;
      levels = [];
    }
  }
  const source = new PrometheusMetricSource({ ...base, levels });
  return { source, client, settings: o.settings, port: source, levelsError };
}

/** A query of an enabled gate, as sent, and where the plan writes it (undefined: a default query). */
export interface CheckedQuery {
  readonly gate: string;
  readonly metric: string;
  readonly promql: string;
  readonly path?: readonly (string | number)[];
}

/** Every enabled metric gate's query, substituted over `clusters`. */
export function enabledQueries(built: BuiltPrometheus, loaded: LoadedPlan, clusters: readonly string[]): CheckedQuery[] {
  const out: CheckedQuery[] = [];
  for (const gate of loaded.plan.gates) {
    if (!gate.enabled || gate.kind !== 'metric' || !built.source.serves(gate.metric)) continue;
    const own = loaded.metrics.queries.find((q) => q.metric === gate.metric);
    out.push({ gate: gate.name, metric: gate.metric, promql: built.source.promql(gate.metric, clusters), ...(own !== undefined ? { path: own.path } : {}) });
  }
  return out;
}

/**
 * Asks Prometheus to parse every enabled gate's query. Throws an InputError
 * located in the plan for the queries it refuses (its own message), and a
 * UsageError when it cannot be asked (unreachable, timeout, not Prometheus)
 * unless `tolerate` (then that failure is returned).
 */
export async function validateQueries(built: BuiltPrometheus, loaded: LoadedPlan, clusters: readonly string[], tolerate = false): Promise<PromFailure | null> {
  const problems = [];
  for (const q of enabledQueries(built, loaded, clusters)) {
    try {
      await built.client.validate(q.promql);
    } catch (e) {
      if (!(e instanceof PromFailure)) throw e;
      if (e.kind === 'query-error' && /^Prometheus refused the query \(bad_data\)/.test(e.message)) {
        const path = q.path ?? ['spec', 'gates', 'overrides', q.gate];
        problems.push(problemAt(loaded.doc, path, `${e.message.replace(/^Prometheus refused the query \(bad_data\): /, 'Prometheus cannot parse this query: ')}`, q.path === undefined ? `the built-in query of ${q.gate} was refused: check the fleet's spec.prometheus.clusterLabel and apiserverSelector` : 'fix the PromQL (placeholders: $cl, $clusters, $w, $apiserver; docs/orchestrator.md)'));
        continue;
      }
      if (tolerate) return e;
      throw new UsageError(`cannot check the gates' queries: ${e.message}; a rollout does not start without its metrics`, { cause: e });
    }
  }
  if (problems.length > 0) throw new InputError(sortProblems(problems));
  return null;
}

/** The source on the time base of a served twin's clock: queries in wall time, answers in the twin's virtual time. */
export function onServedClock(source: PrometheusMetricSource, clock: { reading(): ClockReading }): PrometheusMetricSource {
  return source.withTimeBase(linearTimeBase(() => clock.reading()));
}
