/**
 * The report's inline stylesheet: system fonts only (renders offline), a
 * readable 1100 px column, print rules that keep figures and rows whole.
 */
import { FONT_STACK } from './chart-theme.ts';

export const REPORT_CSS = `
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --soft: #f8fafc; --bad: #b4232f; --warn: #a15c00; --ok: #1f7a4d; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font: 14px/1.5 ${FONT_STACK}; }
main { max-width: 1110px; margin: 0 auto; padding: 28px 24px 40px; }
header .kicker { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 2px 0 6px; font-size: 26px; line-height: 1.2; }
h2 { margin: 0 0 10px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.description { margin: 0 0 6px; max-width: 75ch; color: #374151; }
.meta { margin: 0; color: var(--muted); font-size: 13px; }
.sep { color: #cbd5e1; padding: 0 2px; }
.verdict { margin: 18px 0 14px; padding: 10px 14px; border-radius: 6px; border-left: 4px solid; background: var(--soft); }
.verdict.bad { border-color: var(--bad); background: #fdf2f3; }
.verdict.warn { border-color: var(--warn); background: #fdf7ec; }
.verdict.ok { border-color: var(--ok); background: #eff8f2; }
.kpis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; margin: 0 0 26px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0; }
.kpi dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.kpi dd { margin: 0; font-size: 21px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kpi dd.note { font-size: 11px; font-weight: normal; color: var(--muted); min-height: 1.5em; }
.kpi.bad dd:not(.note) { color: var(--bad); }
.kpi .never { color: var(--muted); font-size: 15px; font-weight: normal; }
section { margin: 0 0 30px; }
.intro { margin: -4px 0 10px; color: var(--muted); font-size: 13px; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 2px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px 24px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; margin: 0 0 8px; padding: 0; font-size: 13px; }
figcaption .legend { display: inline-flex; margin: 0 0 0 8px; font-size: 12px; vertical-align: middle; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.count { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #374151; background: var(--soft); }
td.num, th.num { text-align: right; }
td.num, td time { white-space: nowrap; }
td.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.compact td, table.compact th { padding: 2px 8px; font-size: 12px; }
.size { white-space: nowrap; }
.never { color: var(--muted); }
.empty, .rest { color: #374151; }
.kind { display: inline-block; min-width: 92px; padding: 0 6px; border-radius: 3px; font-size: 11px; background: #eef2f7; color: #334155; }
.k-alert { background: #fdebdc; color: #8a3b00; }
.k-control-plane { background: #ece6f5; color: #4c2a85; }
.k-impact { background: #fbe3e6; color: #8b1e2d; }
.k-operator { background: #e2e8f0; color: #1e293b; }
.k-fault { background: #fde2e2; color: #7f1d1d; }
.k-dns { background: #def3f0; color: #115e56; }
.k-change { background: #e0eefa; color: #1d4f7a; }
.repeats { display: inline-block; margin-left: 4px; padding: 0 5px; border-radius: 3px; font-size: 11px; background: #fdebdc; color: #8a3b00; }
tr.gap td, tr.more td { color: var(--muted); font-style: italic; background: var(--soft); }
details summary { cursor: pointer; color: #1d4f7a; margin-bottom: 6px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 900px) { .kpis { grid-template-columns: repeat(2, 1fr); } .grid { grid-template-columns: 1fr; } }
@media print {
  main { max-width: none; padding: 0; }
  .kpis { grid-template-columns: repeat(4, 1fr); }
  section { break-before: auto; }
  h2 { break-after: avoid; }
  details summary { display: none; }
  .verdict, .kpi, .kind { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`.trim();
