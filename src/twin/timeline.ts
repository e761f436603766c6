/**
 * The run's timeline as the report gives it: every entry in time order, except
 * that an alert which fired more than once on a cluster (flapping) keeps its
 * first firing and its last transition as they happened, and the transitions
 * between them become one entry — at the first of them — that gives the
 * counts and span of all of them (`repeats`, docs/report-format.md). Nothing
 * else is dropped or merged.
 *
 * @example
 *   const timeline = foldTimeline(entries, (t) => formatIso(startMs + t * 1000, zone));
 */
import type { AlertTransition } from './alerts.ts';
import type { AlertRepeats, TimelineEntry, TimelineKind } from './report-types.ts';

/** An entry as logged: seconds from the start, and the order it was logged in (ties in time keep it). */
export interface RawEntry {
  readonly t: number;
  readonly seq: number;
  readonly kind: TimelineKind;
  readonly cluster: string | null;
  readonly message: string;
  /** Set on an alert's firing or resolution. */
  readonly alert?: AlertTransition;
}

export function foldTimeline(entries: readonly RawEntry[], iso: (tS: number) => string): TimelineEntry[] {
  const sorted = [...entries].sort((a, b) => a.t - b.t || a.seq - b.seq);
  // Alert transitions by cluster, then rule.
  const groups = new Map<string | null, Map<string, RawEntry[]>>();
  for (const e of sorted) {
    if (e.alert === undefined) continue;
    let byRule = groups.get(e.cluster);
    if (byRule === undefined) {
      byRule = new Map<string, RawEntry[]>();
      groups.set(e.cluster, byRule);
    }
    const g = byRule.get(e.alert.rule);
    if (g === undefined) byRule.set(e.alert.rule, [e]);
    else g.push(e);
  }
  const folded = new Set<RawEntry>();
  const summaries = new Map<RawEntry, TimelineEntry>();
  const all: RawEntry[][] = [];
  for (const byRule of groups.values()) all.push(...byRule.values());
  for (const g of all) {
    let firings = 0;
    for (const e of g) if (e.alert?.firing === true) firings++;
    if (firings < 2) continue;
    const first = g[0] as RawEntry;
    const last = g[g.length - 1] as RawEntry;
    for (let k = 1; k < g.length - 1; k++) folded.add(g[k] as RawEntry);
    const at = g[1] as RawEntry;
    const rule = first.alert?.rule ?? '';
    const resolutions = g.length - firings;
    const firingAtEnd = last.alert?.firing === true;
    const repeats: AlertRepeats = { rule, firings, resolutions, firstAt: iso(first.t), lastAt: iso(last.t), folded: g.length - 2, firingAtEnd };
    const span = spanOf(repeats.firstAt, repeats.lastAt);
    const message =
      `${rule} fired ${firings} times and resolved ${resolutions === 1 ? 'once' : `${resolutions} times`} (${span}; ${firingAtEnd ? 'still firing at the end' : 'resolved at the end'}): ` +
      `${g.length === 3 ? 'the 1 transition' : `the ${g.length - 2} transitions`} between the first firing and the last ${firingAtEnd ? 'firing' : 'resolution'} ${g.length === 3 ? 'is' : 'are'} folded into this entry`;
    summaries.set(at, { at: iso(at.t), kind: 'alert', cluster: at.cluster, message, repeats });
  }
  const out: TimelineEntry[] = [];
  for (const e of sorted) {
    const summary = summaries.get(e);
    if (summary !== undefined) out.push(summary);
    if (folded.has(e)) continue;
    out.push({ at: iso(e.t), kind: e.kind, cluster: e.cluster, message: e.message });
  }
  return out;
}

/** `HH:MM:SS–HH:MM:SS` on one day, with the dates (`YYYY-MM-DD HH:MM:SS – …`) when the span crosses days. */
function spanOf(from: string, to: string): string {
  if (from.slice(0, 10) === to.slice(0, 10)) return `${from.slice(11, 19)}–${to.slice(11, 19)}`;
  return `${from.slice(0, 10)} ${from.slice(11, 19)} – ${to.slice(0, 10)} ${to.slice(11, 19)}`;
}
