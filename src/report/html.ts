/**
 * The HTML report of a twin run: one self-contained document (inline CSS and
 * SVG, no script, no external resource) that shows what happened to the fleet
 * at a glance — headline numbers, an incident timeline, control-plane, DNS and
 * customer charts — with the details (lost clusters, full timeline) below.
 *
 * Deterministic: the same report and series give byte-identical HTML on any
 * machine and in any process time zone (times are written in the scenario's
 * zone with src/core/time.ts, chart ids are stable).
 *
 * One file per part of the page: run-headline.ts (header, verdict, headline
 * numbers), run-timeline.ts, run-charts.ts, run-lost-clusters.ts, run-log.ts
 * (the full timeline), over what run-context.ts gives them all.
 *
 * @example
 *   const html = await renderRunReport(report, series, {
 *     extraSections: [{ title: 'Rollout waves', html: wavesTableHtml }],
 *   });
 *   await writeFile('out/run.html', html);
 */
import type { RunReport, RunSeries } from '../twin/index.ts';
import { escapeHtml } from './escape.ts';
import { controlPlaneSection, customerSection, dnsSection } from './run-charts.ts';
import { runContext, section } from './run-context.ts';
import { header, kpiStrip, verdict } from './run-headline.ts';
import { fullTimelineSection } from './run-log.ts';
import { lostClustersSection } from './run-lost-clusters.ts';
import { timelineSection } from './run-timeline.ts';
import { REPORT_CSS } from './style.ts';

/** A section appended to the report (e.g. the rollout orchestrator's waves). */
export interface ReportSection {
  /** Plain text; escaped by the renderer. */
  readonly title: string;
  /** Trusted HTML inserted as is: the caller escapes its own strings (see escapeHtml). */
  readonly html: string;
}

export interface RenderRunReportOptions {
  /** Document title; default the scenario name. */
  readonly title?: string;
  /** Sections appended after the built-in ones, in order. */
  readonly extraSections?: readonly ReportSection[];
}

/** Renders the run report as one self-contained HTML document. */
export async function renderRunReport(report: RunReport, series: RunSeries, opts: RenderRunReportOptions = {}): Promise<string> {
  const ctx = runContext(report, series);
  const title = opts.title ?? report.scenario.name;
  const sections = [
    await timelineSection(ctx),
    await controlPlaneSection(ctx),
    await dnsSection(ctx),
    await customerSection(ctx),
    lostClustersSection(ctx),
    fullTimelineSection(ctx),
    ...(opts.extraSections ?? []).map((s, i) => section(`extra-${i + 1}`, s.title, s.html)),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · firebreak twin report</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(ctx, title),
    verdict(ctx),
    kpiStrip(ctx),
    ...sections,
    `<footer>firebreak fleet twin · report ${escapeHtml(report.schemaVersion)} · seed ${report.seed} · same inputs, same report</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
