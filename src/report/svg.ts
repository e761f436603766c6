/**
 * Vega-Lite specs rendered headlessly to inline SVG strings, made
 * deterministic and accessible:
 * - Vega's clip-path / gradient ids come from process-global counters, so
 *   they are renamed to `<id>-1`, `<id>-2`, … per chart, which also keeps ids
 *   unique when several charts share one HTML document;
 * - the root `<svg>` gets `role="img"`, a `<title>` and a `<desc>`; marks
 *   given a description get a `<title>` child, which browsers show as a hover
 *   tooltip.
 *
 * @example
 *   const svg = await renderVegaLite(spec, { id: 'chart-p99', title: 'API p99 latency' });
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './escape.ts';

/** Identity of a rendered chart in its document. */
export interface SvgMeta {
  /** Unique within the document; letters, digits and dashes. */
  readonly id: string;
  /** Short name read by screen readers and shown on hover. */
  readonly title: string;
  readonly description?: string;
}

/**
 * Compiles a Vega-Lite spec, renders it to SVG without a browser and makes the
 * result deterministic and accessible (see the module comment).
 */
export async function renderVegaLite(spec: TopLevelSpec, meta: SvgMeta): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return finishSvg(svg, meta);
  } finally {
    view.finalize();
  }
}

function finishSvg(svg: string, meta: SvgMeta): string {
  const id = meta.id.replace(/[^A-Za-z0-9-]/g, '-');
  const titled = addMarkTitles(renameIds(svg, id));
  const desc = meta.description === undefined ? '' : `<desc id="${id}-desc">${escapeHtml(meta.description)}</desc>`;
  const labelled = meta.description === undefined ? `${id}-title` : `${id}-title ${id}-desc`;
  const head = `<title id="${id}-title">${escapeHtml(meta.title)}</title>${desc}`;
  // Replacer functions, so that `$` in titles is not read as a replacement pattern.
  return titled
    .replace(/^<svg /, () => `<svg id="${id}" role="img" aria-labelledby="${labelled}" `)
    .replace(/^<svg [^>]*>/, (open) => open + head);
}

/** Renames Vega's counter-based ids (clip paths, gradients) to `<prefix>-<n>` in order of appearance. */
function renameIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const rename = (old: string): string => {
    let n = names.get(old);
    if (n === undefined) {
      n = `${prefix}-${names.size + 1}`;
      names.set(old, n);
    }
    return n;
  };
  return svg
    .replace(/\bid="((?:p_)?(?:clip|gradient_)\d+)"/g, (_m, old: string) => `id="${rename(old)}"`)
    .replace(/url\(#((?:p_)?(?:clip|gradient_)\d+)\)/g, (_m, old: string) => `url(#${rename(old)})`);
}

/** Vega roles of non-mark graphics (axes, legends, titles), which keep their aria-label only. */
const NOT_MARKS = new Set(['axis', 'legend', 'title']);

/**
 * Gives every described mark item a `<title>` child (the browser's hover
 * tooltip). Vega escapes `< > & "` in attribute values, so tags can be matched
 * safely; aria-label values are already escaped for element content.
 */
function addMarkTitles(svg: string): string {
  return svg.replace(/<([a-z]+) ([^<>]*?)(\/?)>/g, (tag, name: string, attrs: string, selfClosing: string) => {
    const role = /aria-roledescription="([^"]*)"/.exec(attrs)?.[1];
    if (!/role="graphics-symbol"/.test(attrs) || role === undefined || NOT_MARKS.has(role) || role.endsWith(' container')) return tag;
    const label = /aria-label="([^"]*)"/.exec(attrs)?.[1];
    if (label === undefined) return tag;
    const title = `<title>${label}</title>`;
    return selfClosing === '/' ? `<${name} ${attrs}>${title}</${name}>` : `${tag}${title}`;
  });
}
