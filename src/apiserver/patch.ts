/**
 * The patch types of a PATCH request other than server-side apply:
 * JSON merge patch (RFC 7386, `application/merge-patch+json`), strategic merge
 * patch (`application/strategic-merge-patch+json`) and JSON patch (RFC 6902,
 * `application/json-patch+json`).
 *
 * The strategic merge patch is a documented subset of
 * k8s.io/apimachinery/pkg/util/strategicpatch: maps merge as in a merge patch;
 * `containers`, `initContainers`, `ephemeralContainers`, `volumes`, `env` and
 * `imagePullSecrets` merge by `name`, `volumeMounts` by `mountPath`, `ports` by
 * `containerPort` (the `patchMergeKey` tags of k8s.io/api/core/v1/types.go); an
 * element `{"$patch": "delete", …key}` removes one; every other list is
 * replaced whole. `$retainKeys`, `$setElementOrder` and
 * `$deleteFromPrimitiveList` directives are ignored.
 *
 * @example
 *   mergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: null, b: '2' } } });
 *   // { metadata: { labels: { b: '2' } } }
 */

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged by key in the strategic merge patch (k8s.io/api/core/v1/types.go `patchMergeKey` tags). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = MERGE_KEYS[k];
    const cur = out[k];
    if (key !== undefined && Array.isArray(v) && Array.isArray(cur)) {
      const merged: Json[] = (cur as Json[]).map((x) => structuredClone(x));
      for (const el of v) {
        if (!isObject(el)) continue;
        const at = merged.findIndex((m) => isObject(m) && m[key] === el[key]);
        if (el['$patch'] === 'delete') {
          if (at >= 0) merged.splice(at, 1);
        } else if (at >= 0) merged[at] = strategicMergePatch(merged[at], el);
        else merged.push(strategicMergePatch({}, el));
      }
      out[k] = merged;
    } else out[k] = strategicMergePatch(cur, v);
  }
  return out;
}

/** A patch that cannot be applied: the message is the 422's (or 400's for a malformed patch). */
export class PatchError extends Error {}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentOf(doc: Json, pointer: string): { parent: Json; key: string } {
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  const tokens = pointer.slice(1).split('/').map(unescape);
  const key = tokens.pop() ?? '';
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${pointer}"`);
  }
  return { parent: cur, key };
}

/** RFC 6902: add, remove, replace, test (move and copy too). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch is a list of operations');
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') throw new PatchError('each JSON patch operation needs "op" and "path"');
    const path = op['path'];
    const get = (p: string): Json => {
      if (p === '') return doc;
      const { parent, key } = parentOf(doc, p);
      const v: Json = Array.isArray(parent) ? (parent as Json[])[Number(key)] : isObject(parent) ? parent[key] : undefined;
      if (v === undefined) throw new PatchError(`doc is missing path: "${p}"`);
      return v;
    };
    const remove = (p: string): Json => {
      const { parent, key } = parentOf(doc, p);
      if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
      if (isObject(parent) && key in parent) {
        const v = parent[key];
        delete parent[key];
        return v;
      }
      throw new PatchError(`doc is missing path: "${p}"`);
    };
    const add = (p: string, value: Json): void => {
      if (p === '') {
        doc = value;
        return;
      }
      const { parent, key } = parentOf(doc, p);
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, value);
      else if (isObject(parent)) parent[key] = value;
      else throw new PatchError(`doc is missing path: "${p}"`);
    };
    switch (op['op']) {
      case 'add':
        add(path, structuredClone(op['value']));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        get(path);
        remove(path);
        add(path, structuredClone(op['value']));
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op['value'])) throw new PatchError(`testing value ${path} failed`);
        break;
      case 'move':
      case 'copy': {
        if (typeof op['from'] !== 'string') throw new PatchError(`"${op['op']}" needs "from"`);
        const v = op['op'] === 'move' ? remove(op['from']) : structuredClone(get(op['from']));
        add(path, v);
        break;
      }
      default:
        throw new PatchError(`unknown JSON patch operation "${String(op['op'])}"`);
    }
  }
  return doc;
}
