/**
 * A model with overrides applied: a scenario's `spec.model` (and each
 * `clusterModels` entry) is a deep partial of the model, merged onto the
 * defaults — objects field by field, lists and scalars replaced whole.
 *
 * @example
 *   const m = mergeModel(DEFAULT_MODEL, { apiServer: { replicas: 5 } });
 *   m.apiServer.replicas;  // 5
 *   m.apiServer.seats;     // 600, from DEFAULT_MODEL
 */

/** Every field optional, at every depth; lists are given whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key; arrays and scalars replace. */
export function mergeModel<T>(base: T, override: DeepPartial<T> | undefined): T {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeModel(out[k], v) : v;
  }
  return out as T;
}
