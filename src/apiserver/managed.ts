/**
 * Server-side apply and field ownership (`metadata.managedFields`), after
 * k8s.io/apimachinery/pkg/util/managedfields and sigs.k8s.io/structured-merge-diff:
 *
 * - An apply (`application/apply-patch+yaml`, `fieldManager`) owns exactly the
 *   fields of its applied configuration. A field it applies that another
 *   manager owns with a different value is a conflict (409 naming the
 *   managers and fields) unless `force=true`, which takes it over. Fields it
 *   applied before and no longer applies are removed, unless another manager
 *   also owns them. Fields applied with the value another manager set are
 *   shared.
 * - An update (create, PUT, merge/strategic/JSON patch) gives its manager the
 *   fields it changed, taking them from the others.
 *
 * Lists are atomic (fields.ts). One entry per manager and operation.
 *
 * @example
 *   const r = applyObject(undefined, ds, { manager: 'kubectl', force: false, apiVersion: 'apps/v1', time: iso });
 *   if (r.kind === 'conflict') respond(applyConflict(res, name, r.conflicts));
 */
import type { KubeObject } from './backend.ts';
import { decodeFieldsV1, deleteAt, encodeFieldsV1, leafPaths, overlaps, pathKey, pathString, setAt, valueAt, type FieldPath, type FieldSet } from './fields.ts';
import type { FieldConflict } from './status.ts';

export interface ManagedEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time: string;
  readonly subresource?: string;
  readonly fields: FieldSet;
}

export interface ApplyContext {
  readonly manager: string;
  readonly force: boolean;
  readonly apiVersion: string;
  /** RFC 3339, the request's (virtual) time. */
  readonly time: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function readManaged(obj: KubeObject | undefined): ManagedEntry[] {
  const meta = obj?.['metadata'];
  const list = isObject(meta) ? meta['managedFields'] : undefined;
  if (!Array.isArray(list)) return [];
  const out: ManagedEntry[] = [];
  for (const e of list) {
    if (!isObject(e) || typeof e['manager'] !== 'string') continue;
    out.push({
      manager: e['manager'],
      operation: e['operation'] === 'Apply' ? 'Apply' : 'Update',
      apiVersion: typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '',
      time: typeof e['time'] === 'string' ? e['time'] : '',
      ...(typeof e['subresource'] === 'string' ? { subresource: e['subresource'] } : {}),
      fields: decodeFieldsV1(e['fieldsV1']),
    });
  }
  return out;
}

export function writeManaged(obj: KubeObject, entries: readonly ManagedEntry[]): void {
  const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
  obj['metadata'] = meta;
  meta['managedFields'] = entries
    .filter((e) => e.fields.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: encodeFieldsV1(e.fields),
      ...(e.subresource === undefined ? {} : { subresource: e.subresource }),
    }));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function ownedBy(set: FieldSet, path: FieldPath): FieldPath[] {
  const out: FieldPath[] = [];
  for (const p of set.values()) if (overlaps(p, path)) out.push(p);
  return out;
}

export type ApplyResult = { readonly kind: 'ok'; readonly object: KubeObject } | { readonly kind: 'conflict'; readonly conflicts: readonly FieldConflict[] };

/**
 * Applies `applied` (the client's configuration) over `live` (undefined: the
 * object does not exist yet). Returns the new object with its managedFields;
 * the caller sets the server-owned metadata.
 */
export function applyObject(live: KubeObject | undefined, applied: KubeObject, ctx: ApplyContext): ApplyResult {
  const entries = readManaged(live);
  const appliedSet = leafPaths(applied);
  const mine = entries.find((e) => e.manager === ctx.manager && e.operation === 'Apply' && e.subresource === undefined);
  const others = entries.filter((e) => e !== mine);

  const conflicts: FieldConflict[] = [];
  const takeOver: { entry: ManagedEntry; path: FieldPath }[] = [];
  for (const path of appliedSet.values()) {
    for (const e of others) {
      for (const p of ownedBy(e.fields, path)) {
        const shorter = p.length <= path.length ? p : path;
        // A map is granular: owning a map (an empty one applied) does not own its keys.
        if (p.length !== path.length && isObject(valueAt(p.length < path.length ? live : applied, shorter))) continue;
        if (same(valueAt(live, shorter), valueAt(applied, shorter))) continue;
        if (ctx.force) takeOver.push({ entry: e, path: p });
        else conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, field: pathString(p) });
      }
    }
  }
  if (conflicts.length > 0) {
    const seen = new Set<string>();
    return { kind: 'conflict', conflicts: conflicts.filter((c) => (seen.has(`${c.manager} ${c.field}`) ? false : (seen.add(`${c.manager} ${c.field}`), true))) };
  }
  for (const { entry, path } of takeOver) entry.fields.delete(pathKey(path));

  const next: KubeObject = live === undefined ? {} : structuredClone(live);
  // Fields this manager applied before and no longer applies go, unless someone else owns them.
  if (mine !== undefined) {
    for (const [k, path] of mine.fields) {
      if (appliedSet.has(k)) continue;
      if (others.some((e) => ownedBy(e.fields, path).length > 0)) continue;
      deleteAt(next, path);
    }
  }
  for (const path of appliedSet.values()) {
    const v = valueAt(applied, path);
    // An empty map applied over a map keeps its keys (they may be others').
    if (isObject(v) && Object.keys(v).length === 0 && isObject(valueAt(next, path))) continue;
    setAt(next, path, v);
  }
  for (const k of ['apiVersion', 'kind']) if (applied[k] !== undefined) next[k] = applied[k];

  const entry: ManagedEntry = { manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, time: ctx.time, fields: appliedSet };
  const updated = mine === undefined ? [...entries, entry] : entries.map((e) => (e === mine ? entry : e));
  writeManaged(next, updated);
  return { kind: 'ok', object: next };
}

/** Records an update by `manager`: it owns the fields that changed from `before` to `after` (before undefined: created). */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, ctx: Omit<ApplyContext, 'force'>, subresource?: string): void {
  const entries = readManaged(before);
  const beforeSet = leafPaths(before ?? {});
  const afterSet = leafPaths(after);
  const changed: FieldPath[] = [];
  for (const [k, p] of afterSet) if (!beforeSet.has(k) || !same(valueAt(before, p), valueAt(after, p))) changed.push(p);
  const removed: FieldPath[] = [];
  for (const [k, p] of beforeSet) if (!afterSet.has(k)) removed.push(p);
  if (changed.length === 0 && removed.length === 0 && before !== undefined) {
    writeManaged(after, entries);
    return;
  }
  for (const e of entries) {
    for (const p of [...changed, ...removed]) e.fields.delete(pathKey(p));
  }
  let mine = entries.find((e) => e.manager === ctx.manager && e.operation === 'Update' && e.subresource === subresource);
  if (mine === undefined) {
    mine = { manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, time: ctx.time, fields: new Map(), ...(subresource === undefined ? {} : { subresource }) };
    entries.push(mine);
  }
  for (const p of changed) mine.fields.set(pathKey(p), p);
  const i = entries.indexOf(mine);
  entries[i] = { ...mine, time: ctx.time };
  writeManaged(after, entries);
}
