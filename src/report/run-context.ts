/**
 * What every section of the run report shares: the report and its series,
 * the time frame and zone, the key moments, the lost clusters (largest
 * first); report times written in the scenario's zone; and the section and
 * figure wrappers of the page.
 *
 * @example
 *   const ctx = runContext(report, series);
 *   timeHtml(ctx, report.fleet.firstAlertAt); // '<time datetime="…" title="…">15:16</time>'
 */
import { formatClock, formatIso } from '../core/time.ts';
import { SIZE_CLASSES, type SizeClass } from '../model/fleet.ts';
import type { ClusterReport, RunReport, RunSeries } from '../twin/index.ts';
import type { Moment, TimeFrame } from './charts.ts';
import { escapeHtml } from './escape.ts';

/** The customer-impact threshold of the fleet error rate (reported times use it too). */
export const IMPACT_THRESHOLD = 0.01;

/** Everything the sections share. */
export interface RunContext {
  readonly report: RunReport;
  readonly series: RunSeries;
  readonly zone: string;
  readonly frame: TimeFrame;
  readonly classes: readonly SizeClass[];
  readonly moments: readonly Moment[];
  readonly lost: readonly ClusterReport[];
}

/** The context of one report: its frame in the scenario's zone, key moments and lost clusters. */
export function runContext(report: RunReport, series: RunSeries): RunContext {
  const zone = report.scenario.timeZone;
  const startMs = Date.parse(report.scenario.start);
  const endMs = Date.parse(report.scenario.end);
  const f = report.fleet;
  const moments: Moment[] = [];
  const add = (at: string | null, label: string): void => {
    const ms = parseAt(at);
    if (ms !== null) moments.push({ atMs: ms, label: `${label} ${formatClock(ms, zone)}` });
  };
  add(f.firstAlertAt, 'first alert');
  add(f.firstCustomerImpactAt, 'customer impact');
  add(f.maxImpactAt, 'max impact');
  if (f.controlPlanesRecoveredAt !== f.fullRecoveryAt) add(f.controlPlanesRecoveredAt, 'control planes back');
  add(f.fullRecoveryAt, 'full recovery');
  const lost = report.clusters
    .filter((c) => c.controlPlane.lostAt !== null)
    .sort((a, b) => b.nodes - a.nodes || compareText(a.name, b.name));
  return {
    report,
    series,
    zone,
    frame: { startMs, endMs, zone },
    classes: SIZE_CLASSES.filter((c) => series.bySizeClass[c] !== undefined),
    moments,
    lost,
  };
}

/** Epoch ms of a report time, null for never (or unparseable). */
export function parseAt(at: string | null): number | null {
  if (at === null) return null;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

/** Local calendar day of an instant, as `YYYY-MM-DD`. */
export function localDay(ms: number, zone: string): string {
  return formatIso(ms, zone).slice(0, 10);
}

/** `HH:MM` local, with `(+1 d)` when on a later day than the run's start. */
export function clock(ctx: RunContext, ms: number, seconds = false): string {
  const iso = formatIso(ms, ctx.zone);
  const base = seconds ? iso.slice(11, 19) : iso.slice(11, 16);
  const days = Math.round((Date.parse(iso.slice(0, 10)) - Date.parse(localDay(ctx.frame.startMs, ctx.zone))) / 86_400_000);
  return days === 0 ? base : `${base} (${days > 0 ? '+' : ''}${days} d)`;
}

/** A `<time>` element: local clock time, the full ISO time with offset on hover. */
export function timeHtml(ctx: RunContext, at: string | null, never = '—', seconds = false): string {
  const ms = parseAt(at);
  if (ms === null) return `<span class="never">${escapeHtml(never)}</span>`;
  const iso = formatIso(ms, ctx.zone);
  return `<time datetime="${iso}" title="${iso}">${clock(ctx, ms, seconds)}</time>`;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function section(id: string, title: string, body: string, intro = ''): string {
  const p = intro === '' ? '' : `<p class="intro">${intro}</p>`;
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${p}${body}\n</section>`;
}

export function figure(svg: string, caption: string, wide = false): string {
  return `<figure class="chart${wide ? ' wide' : ''}">${svg}<figcaption>${caption}</figcaption></figure>`;
}
