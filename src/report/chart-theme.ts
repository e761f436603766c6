/**
 * The look shared by every report chart and the HTML around it: the font
 * stack, one colour per size class, colours with a meaning of their own, and
 * the Vega-Lite config (axes, titles) every chart starts from.
 *
 * @example
 *   const spec = { config: BASE_CONFIG, layer: [{ mark: { type: 'rule', color: COLORS.threshold } }] };
 */
import type { SizeClass } from '../model/fleet.ts';

/** Font stack shared by the charts and the HTML around them. */
export const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** One colour per size class, used by every chart and legend (colour-blind safe). */
export const SIZE_CLASS_COLORS: Readonly<Record<SizeClass, string>> = {
  small: '#4c9bd6',
  medium: '#2a9d8f',
  large: '#e39b2d',
  xlarge: '#7b52ab',
};

/** Colours with a meaning of their own. */
export const COLORS = {
  impact: '#d1495b',
  alert: '#e0701f',
  operator: '#334155',
  fleet: '#475569',
  moment: '#6b7280',
  threshold: '#9b1c31',
} as const;

/** The Vega-Lite config every chart starts from: font, background, axes and titles. */
export const BASE_CONFIG = {
  font: FONT_STACK,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelColor: '#4b5563',
    titleColor: '#374151',
    titleFontWeight: 'normal',
    titleFontSize: 11,
    labelFontSize: 11,
    gridColor: '#edf0f4',
    domainColor: '#9ca3af',
    tickColor: '#9ca3af',
  },
  title: { fontSize: 12, fontWeight: 600, color: '#1f2937', anchor: 'start', offset: 4 },
} as const;
