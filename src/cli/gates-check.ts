/**
 * `firebreak gates check --plan P --fleet F [--prometheus URL] [--json]`:
 * before a rollout, runs every enabled gate's query once for all the plan's
 * clusters against Prometheus (src/adapters/prometheus/; one range query per
 * gate metric over the last evaluation window) and prints, per gate and
 * cluster, what it returned: the newest value, or the outcome that would
 * make the gate fail closed — no data, NaN, stale, unreachable, timeout,
 * query error (docs/orchestrator.md "Prometheus").
 *
 * The queries are first validated by Prometheus: a malformed query in the
 * plan is an input error at its file:line with Prometheus' message (exit 2).
 * Exit status: 0 every gate has data for every cluster; 1 some do not
 * (or Prometheus could not be read); 2 usage or input errors; 3 internal.
 * A shell command: it reads the wall clock (the queries end now).
 *
 * @example
 *   const r = await gatesCheck({ plan: 'plan.yaml', fleet: 'fleet.yaml', prometheus: 'http://127.0.0.1:9090', json: false });
 *   r.exitCode; // 0
 */
import { UsageError } from '../core/errors.ts';
import { selects } from '../model/fleet.ts';
import { significant6 } from '../core/number.ts';
import { loadFleetFile } from '../input/fleet.ts';
import { parsePlan } from '../input/plan.ts';
import { readInputFile } from '../input/read.ts';
import { seriesName, type SeriesProblemKind } from '../orchestrator/ports.ts';
import { buildPrometheusSource, prometheusSettings, validateQueries } from '../shell/prometheus-source.ts';

export interface GatesCheckOptions {
  readonly plan: string;
  readonly fleet: string;
  readonly prometheus?: string;
  readonly json: boolean;
}

export type CheckOutcome = 'ok' | SeriesProblemKind;

export interface CheckRow {
  readonly cluster: string;
  readonly outcome: CheckOutcome;
  readonly value: number | null;
  readonly message: string | null;
}

export interface CheckGate {
  readonly gate: string;
  readonly series: string;
  readonly promql: string | null;
  readonly clusters: readonly CheckRow[];
}

export interface GatesCheckResult {
  readonly schema: 'firebreak.dev/gates-check/v1';
  readonly prometheus: string;
  readonly at: string;
  /** Range queries sent (one per gate metric). */
  readonly queries: number;
  readonly clusters: number;
  readonly gates: readonly CheckGate[];
  /** Every gate series has data for every cluster. */
  readonly ok: boolean;
}

const SHOW: Readonly<Record<CheckOutcome, string>> = { ok: 'ok', 'no-data': 'NO DATA', nan: 'NaN', stale: 'STALE', unreachable: 'UNREACHABLE', 'query-error': 'QUERY ERROR', timeout: 'TIMEOUT' };

export async function gatesCheck(o: GatesCheckOptions): Promise<{ stdout: string; exitCode: number; result: GatesCheckResult }> {
  const loaded = parsePlan(readInputFile(o.plan), o.plan);
  const fleet = loadFleetFile(o.fleet);
  const settings = prometheusSettings(loaded, o.prometheus);
  if (settings === undefined) throw new UsageError('gates check reads the gates from Prometheus: give --prometheus URL, or spec.metrics.prometheus.url in the plan');
  const clusters = fleet.clusters.filter((c) => selects(loaded.plan.clusters, c)).map((c) => c.name);
  if (clusters.length === 0) throw new UsageError(`the plan's spec.clusters selects none of the fleet's ${fleet.clusters.length} clusters`);
  const nowMs = Date.now();
  const ev = loaded.plan.evaluation;
  const built = await buildPrometheusSource({ loaded, fleet: fleet.prometheus, settings, staleAfterS: ev.staleAfterS, clusters, nowMs });
  const unreachable = await validateQueries(built, loaded, clusters, true);
  const source = built.source;
  const metricGates = loaded.plan.gates.filter((g) => g.enabled && g.kind === 'metric');
  const gates: CheckGate[] = [];
  const series: string[] = [];
  const rowsOf: { gate: string; series: string; metric: string }[] = [];
  for (const gate of metricGates) {
    if (!source.serves(gate.metric)) {
      gates.push({ gate: gate.name, series: gate.metric, promql: null, clusters: clusters.map((cluster) => ({ cluster, outcome: 'query-error', value: null, message: `no query for ${gate.metric}: give the custom gate a \`query\`` })) });
      continue;
    }
    const names = gate.perLevel ? source.levels().map((level) => seriesName(gate.metric, level)) : [gate.metric];
    if (names.length === 0) {
      const failure = built.levelsError ?? unreachable;
      const kind: SeriesProblemKind = failure?.kind ?? 'no-data';
      const message = failure !== null ? `cannot read the priority levels: ${failure.message}` : 'no priority level has seats in Prometheus (apiserver_flowcontrol_nominal_limit_seats): no series to judge';
      gates.push({ gate: gate.name, series: gate.metric, promql: source.promql(gate.metric, clusters), clusters: clusters.map((cluster) => ({ cluster, outcome: kind, value: null, message })) });
      continue;
    }
    for (const name of names) {
      series.push(name);
      rowsOf.push({ gate: gate.name, series: name, metric: gate.metric });
    }
  }
  const windowS = Math.max(ev.windowS, settings.stepS * 4);
  const result = series.length === 0 ? {} : await source.query({ clusters, series, fromMs: nowMs - windowS * 1000, toMs: nowMs });
  for (const row of rowsOf) {
    gates.push({
      gate: row.gate,
      series: row.series,
      promql: source.promql(row.metric, clusters),
      clusters: clusters.map((cluster): CheckRow => {
        const w = result[cluster]?.[row.series];
        if (w === undefined) return { cluster, outcome: 'no-data', value: null, message: `no data for ${row.series} in cluster ${cluster}` };
        if (w.problem !== undefined) return { cluster, outcome: w.problem.kind, value: null, message: w.problem.message };
        const v = w.values[w.values.length - 1];
        return v === undefined ? { cluster, outcome: 'no-data', value: null, message: `no data for ${row.series} in cluster ${cluster}` } : { cluster, outcome: 'ok', value: significant6(v), message: null };
      }),
    });
  }
  const order = new Map(metricGates.map((g, i) => [g.name, i]));
  gates.sort((a, b) => (order.get(a.gate) ?? 0) - (order.get(b.gate) ?? 0));
  const ok = gates.every((g) => g.clusters.every((c) => c.outcome === 'ok'));
  const r: GatesCheckResult = { schema: 'firebreak.dev/gates-check/v1', prometheus: settings.url, at: new Date(nowMs).toISOString(), queries: source.lastQueries, clusters: clusters.length, gates, ok };
  return { stdout: o.json ? JSON.stringify(r, null, 2) + '\n' : text(r), exitCode: ok ? 0 : 1, result: r };
}

function text(r: GatesCheckResult): string {
  const lines = [`gates check against ${r.prometheus} at ${r.at}: ${r.queries} quer${r.queries === 1 ? 'y' : 'ies'} for ${r.clusters} cluster(s)`];
  const width = Math.max(...r.gates.flatMap((g) => g.clusters.map((c) => c.cluster.length)), 7);
  for (const g of r.gates) {
    const bad = g.clusters.filter((c) => c.outcome !== 'ok').length;
    lines.push(`${g.gate} (${g.series}): ${bad === 0 ? 'data for every cluster' : `${bad} of ${g.clusters.length} cluster(s) without data`}`);
    for (const c of g.clusters) lines.push(`  ${c.cluster.padEnd(width)}  ${c.outcome === 'ok' ? String(c.value) : `${SHOW[c.outcome]}: ${c.message ?? ''}`}`);
  }
  const failing = r.gates.filter((g) => g.clusters.some((c) => c.outcome !== 'ok')).length;
  lines.push(r.ok ? `every gate has data for every cluster` : `${failing} of ${r.gates.length} gate series lack data for some cluster: a rollout would fail closed on them (exit status 1)`);
  return lines.join('\n') + '\n';
}
