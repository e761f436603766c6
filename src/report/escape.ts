/**
 * HTML escaping for reports. Every string that comes from a run report
 * (cluster names, scenario text, timeline messages) passes through here before
 * it reaches the document; the result is safe both as element content and as a
 * double-quoted attribute value.
 *
 * @example
 *   `<td title="${escapeHtml(iso)}">${escapeHtml(cluster.name)}</td>`
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '` so that `text` can be placed in HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
