/**
 * The chart sections of the run report: control-plane and DNS signals as one
 * line per size class (mean over its clusters), and the fleet's customer
 * error rate against the customer-impact threshold.
 *
 * @example
 *   const html = await controlPlaneSection(ctx); // p99, 429s, success, memory, CPU, APF saturation, etcd latency by size class
 */
import type { SizeClass } from '../model/fleet.ts';
import type { SizeClassSeries } from '../twin/index.ts';
import { COLORS, SIZE_CLASS_COLORS, lineChart, type LineSeries } from './charts.ts';
import { formatAvailability, formatInt, formatPercent } from './format.ts';
import { figure, IMPACT_THRESHOLD, section, type RunContext } from './run-context.ts';

type Metric = keyof Omit<SizeClassSeries, 'clusters'>;

function bySize(ctx: RunContext, metric: Metric): LineSeries[] {
  return ctx.classes.flatMap((c) => {
    const s = ctx.series.bySizeClass[c];
    return s === undefined ? [] : [{ name: c, color: SIZE_CLASS_COLORS[c], values: s[metric] }];
  });
}

/** A colour key for `classes`, with cluster counts from the series (charts) or the report (timeline). */
export function sizeLegend(ctx: RunContext, classes: readonly SizeClass[], countFrom: 'series' | 'report'): string {
  const items = classes.map((c) => {
    const n = countFrom === 'series' ? (ctx.series.bySizeClass[c]?.clusters ?? 0) : ctx.report.clusters.filter((k) => k.sizeClass === c).length;
    return `<li><span class="swatch" style="background:${SIZE_CLASS_COLORS[c]}"></span>${c} <span class="count">(${formatInt(n)})</span></li>`;
  });
  return `<ul class="legend" aria-label="size classes">${items.join('')}</ul>`;
}

const SIZE_NOTE = 'Mean over the clusters of each size class (small &lt; 500 nodes, medium &lt; 2,000, large &lt; 5,000, xlarge ≥ 5,000); dashed rules mark the key moments of the timeline.';

export async function controlPlaneSection(ctx: RunContext): Promise<string> {
  const common = { frame: ctx.frame, t: ctx.series.t, moments: ctx.moments } as const;
  const charts = [
    figure(
      await lineChart({ ...common, id: 'chart-p99', title: 'API p99 latency by size class', series: bySize(ctx, 'p99Seconds'), yTitle: 'p99 latency (log)', yFormat: 'seconds', yScale: 'log' }),
      'API p99 latency (log scale)',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-429', title: 'Share of API requests rejected with 429 by size class', series: bySize(ctx, 'rate429'), yTitle: '429 ratio', yFormat: 'percent' }),
      'Requests rejected with 429 (APF)',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-success', title: 'API success ratio by size class', series: bySize(ctx, 'successRatio'), yTitle: 'success ratio', yFormat: 'percent', yDomain: [0, 1] }),
      'API success ratio',
    ),
    figure(
      await lineChart({
        ...common,
        id: 'chart-memory',
        title: 'API server memory use as a fraction of its limit by size class',
        series: bySize(ctx, 'memoryRatio'),
        yTitle: 'memory / limit',
        yFormat: 'percent',
        thresholds: [{ value: 1, label: 'limit (OOM kill)' }],
      }),
      'API server memory / limit',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-cpu', title: 'API server CPU in use as a fraction of the ready servers’ cores by size class', series: bySize(ctx, 'cpuRatio'), yTitle: 'CPU / cores', yFormat: 'percent', yDomain: [0, 1] }),
      'API server CPU / cores (apiserver_cpu_ratio)',
    ),
    figure(
      await lineChart({
        ...common,
        id: 'chart-apf',
        title: 'APF seat saturation (seats in use and queued over capacity, busiest limited level) by size class',
        series: bySize(ctx, 'apfSaturation'),
        yTitle: 'seats / capacity',
        yFormat: 'percent',
        thresholds: [{ value: 1, label: 'capacity' }],
      }),
      'APF seat saturation (in use + queued) / capacity',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-etcd', title: 'etcd request latency by size class', series: bySize(ctx, 'etcdLatencySeconds'), yTitle: 'etcd latency (log)', yFormat: 'seconds', yScale: 'log' }),
      'etcd request latency (log scale)',
    ),
  ];
  return section('control-plane', 'Control plane', grid(ctx, charts), SIZE_NOTE);
}

export async function dnsSection(ctx: RunContext): Promise<string> {
  const common = { frame: ctx.frame, t: ctx.series.t, moments: ctx.moments } as const;
  const charts = [
    figure(
      await lineChart({ ...common, id: 'chart-dns-cache', title: 'Node-local DNS cache: fraction of records still valid, by size class', series: bySize(ctx, 'dnsCacheValid'), yTitle: 'valid records', yFormat: 'percent', yDomain: [0, 1] }),
      'Node-local DNS cache: records still valid',
    ),
    figure(
      await lineChart({ ...common, id: 'chart-servfail', title: 'CoreDNS SERVFAIL ratio by size class', series: bySize(ctx, 'dnsServfail'), yTitle: 'SERVFAIL ratio', yFormat: 'percent' }),
      'CoreDNS SERVFAIL ratio',
    ),
  ];
  return section('dns', 'DNS', grid(ctx, charts), 'Services resolve through node-local caches; once cached records expire without a control plane, lookups fall through to CoreDNS, which fails.');
}

function grid(ctx: RunContext, figures: readonly string[]): string {
  if (ctx.classes.length === 0) return '<p class="empty">No per-size-class series in this run.</p>';
  return `${sizeLegend(ctx, ctx.classes, 'series')}\n<div class="grid">\n${figures.join('\n')}\n</div>`;
}

export async function customerSection(ctx: RunContext): Promise<string> {
  const svg = await lineChart({
    id: 'chart-customer',
    title: 'Customer error rate, whole fleet',
    description: `Fleet customer error rate over time with the ${formatPercent(IMPACT_THRESHOLD)} customer-impact threshold; peak ${formatPercent(ctx.report.fleet.peakErrorRate)}.`,
    frame: ctx.frame,
    t: ctx.series.t,
    series: [{ name: 'fleet error rate', color: COLORS.impact, values: ctx.series.fleetErrorRate }],
    yTitle: 'error rate',
    yFormat: 'percent',
    area: true,
    thresholds: [{ value: IMPACT_THRESHOLD, label: `customer impact (${formatPercent(IMPACT_THRESHOLD)})` }],
    moments: ctx.moments,
    width: 980,
    height: 170,
  });
  const f = ctx.report.fleet;
  const caption = `Peak ${formatPercent(f.peakErrorRate)}; availability over the run ${formatAvailability(f.availability)}. Dashed: the ${formatPercent(IMPACT_THRESHOLD)} customer-impact threshold.`;
  return section('customers', 'Customers', figure(svg, caption, true));
}
