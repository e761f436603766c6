/**
 * Small readers of untyped JSON (objects as clients send them).
 *
 * @example
 *   text(obj['kind']);   // 'DaemonSet', or '' when absent or not a scalar
 */

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar as text ('' for objects, lists, null and undefined). */
export function text(v: unknown, dflt = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : dflt;
}
