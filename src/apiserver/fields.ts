/**
 * Field sets: the fields of an object as leaf paths, and their `fieldsV1`
 * encoding in `metadata.managedFields` (k8s.io/apimachinery/pkg/apis/meta/v1
 * types.go FieldsV1: `{"f:spec":{"f:replicas":{}}}`). Lists are atomic here:
 * a list is one leaf, owned whole (structured-merge-diff would key
 * `containers` by name; docs/twin-serve.md lists this as a fidelity limit).
 * The fields the server owns — apiVersion, kind, metadata.name/namespace/uid/
 * resourceVersion/generation/creationTimestamp/managedFields, and status — are
 * no one's.
 *
 * @example
 *   [...leafPaths({ metadata: { labels: { a: '1' } } }).values()];   // [['metadata','labels','a']]
 */

type Json = unknown;
export type FieldPath = readonly string[];
/** Path key (JSON of the segments) → the segments. */
export type FieldSet = Map<string, FieldPath>;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

export function pathKey(p: FieldPath): string {
  return JSON.stringify(p);
}

/** The leaf paths of an object's user fields. */
export function leafPaths(obj: Json): FieldSet {
  const out: FieldSet = new Map();
  const walk = (v: Json, path: string[]): void => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
        if (path.length === 1 && path[0] === 'metadata' && SERVER_METADATA.has(k)) continue;
        walk(x, [...path, k]);
      }
    } else if (path.length > 0) out.set(pathKey(path), path);
  };
  walk(obj, []);
  return out;
}

export function valueAt(obj: Json, path: FieldPath): Json {
  let cur = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function setAt(obj: Record<string, Json>, path: FieldPath, value: Json): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const p = path[i] ?? '';
    const next = cur[p];
    if (isObject(next)) cur = next;
    else {
      const made: Record<string, Json> = {};
      cur[p] = made;
      cur = made;
    }
  }
  cur[path[path.length - 1] ?? ''] = structuredClone(value);
}

/** Removes a field, and the maps it leaves empty. */
export function deleteAt(obj: Record<string, Json>, path: FieldPath): void {
  const chain: Record<string, Json>[] = [obj];
  let cur: Json = obj;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isObject(cur)) return;
    cur = cur[path[i] ?? ''];
    if (!isObject(cur)) return;
    chain.push(cur);
  }
  const last = chain[chain.length - 1];
  if (last === undefined) return;
  delete last[path[path.length - 1] ?? ''];
  for (let i = chain.length - 1; i > 0; i--) {
    const c = chain[i];
    const parent = chain[i - 1];
    if (c !== undefined && parent !== undefined && Object.keys(c).length === 0) delete parent[path[i - 1] ?? ''];
    else break;
  }
}

/** `.spec.template.spec.nodeSelector.kubernetes.io/os`, as conflicts name a field. */
export function pathString(p: FieldPath): string {
  return p.map((s) => `.${s}`).join('');
}

/** Either path is the other or lies under it. */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function encodeFieldsV1(set: FieldSet): Record<string, Json> {
  const root: Record<string, Json> = {};
  for (const path of set.values()) {
    let cur = root;
    for (const seg of path) {
      const k = `f:${seg}`;
      const next = cur[k];
      if (isObject(next)) cur = next;
      else {
        const made: Record<string, Json> = {};
        cur[k] = made;
        cur = made;
      }
    }
  }
  return root;
}

export function decodeFieldsV1(fv1: Json): FieldSet {
  const out: FieldSet = new Map();
  const walk = (v: Json, path: string[]): void => {
    if (!isObject(v)) return;
    const keys = Object.keys(v).filter((k) => k.startsWith('f:'));
    if (keys.length === 0 && path.length > 0) {
      out.set(pathKey(path), path);
      return;
    }
    for (const k of keys) walk(v[k], [...path, k.slice(2)]);
  };
  walk(fv1, []);
  return out;
}
