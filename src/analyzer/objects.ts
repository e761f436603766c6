/**
 * Kubernetes objects of the input, indexed by kind, with typed access to the
 * fields the analyzer reads. A field of the wrong type is a located Problem
 * (file:line:column, field path), collected and thrown together as one
 * InputError by the caller; a missing optional field is just absent.
 */
import type { Problem } from '../core/errors.ts';
import type { DocPath, Loc, ManifestDocument } from './types.ts';
import { formatPath } from '../core/path.ts';
export { formatPath };

export type Obj = Readonly<Record<string, unknown>>;

/** One Kubernetes object: a document, or an item of a `kind: List` document. */
export interface KObject {
  readonly doc: ManifestDocument;
  /** Path of the object inside its document ([] or ['items', i]). */
  readonly base: DocPath;
  readonly value: Obj;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  /** metadata.namespace, or "default" for namespaced kinds without one. */
  readonly namespace: string;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


export function locOf(doc: ManifestDocument, path: DocPath, target: 'key' | 'value' = 'value'): Loc {
  const p = doc.locate(path, target);
  return { file: doc.file, line: p?.line ?? 1, column: p?.column ?? 1 };
}

/** Typed field access on one object, collecting problems. Paths are relative to the object. */
export class Fields {
  readonly o: KObject;
  readonly #problems: Problem[];
  constructor(o: KObject, problems: Problem[]) {
    this.o = o;
    this.#problems = problems;
  }

  /** Problems reported so far (by every Fields sharing the list). */
  get problemCount(): number {
    return this.#problems.length;
  }

  abs(path: DocPath): DocPath {
    return [...this.o.base, ...path];
  }

  loc(path: DocPath, target: 'key' | 'value' = 'value'): Loc {
    return locOf(this.o.doc, this.abs(path), target);
  }

  problem(path: DocPath, message: string, hint?: string): void {
    const at = this.loc(path);
    this.#problems.push({ file: at.file, line: at.line, column: at.column, path: formatPath(this.abs(path)), message, ...(hint !== undefined ? { hint } : {}) });
  }

  get(path: DocPath): unknown {
    let v: unknown = this.o.value;
    for (const seg of path) {
      if (typeof seg === 'number') {
        if (!Array.isArray(v)) return undefined;
        v = v[seg];
      } else {
        if (!isObj(v)) return undefined;
        v = v[seg];
      }
    }
    return v;
  }

  str(path: DocPath): string | undefined {
    return this.strOf(this.get(path), path);
  }

  /**
   * A whole number in [min, max]; max defaults to 2^31 - 1, the most the
   * Kubernetes API's int32 fields hold (replicas, parallelism:
   * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/#DeploymentSpec).
   */
  int(path: DocPath, min = 0, max = 2 ** 31 - 1): number | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    if (typeof v === 'number' && v > max) this.problem(path, `expected a whole number ≤ ${max} (a Kubernetes int32), got ${describe(v)}`);
    else this.problem(path, `expected a whole number ≥ ${min}, got ${describe(v)}`);
    return undefined;
  }

  map(path: DocPath): Obj | undefined {
    return this.mapOf(this.get(path), path);
  }

  list(path: DocPath): readonly unknown[] | undefined {
    return this.listOf(this.get(path), path);
  }

  /** A list of strings; non-string items are problems and skipped. */
  strings(path: DocPath): string[] {
    return this.stringsOf(this.get(path), path);
  }

  /** A mapping of string values (labels, annotations, ConfigMap data). */
  stringMap(path: DocPath): Record<string, string> {
    return this.stringMapOf(this.get(path), path);
  }

  // The same reads on a value the caller already reached (`key` / `item` walk as `get` does), at `path`
  // — an array, or a function that makes it only when there is a problem to report.

  strOf(v: unknown, path: LazyPath): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.problem(pathOf(path), `expected a string, got ${describe(v)}`);
    return undefined;
  }

  mapOf(v: unknown, path: LazyPath): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (isObj(v)) return v;
    this.problem(pathOf(path), `expected a mapping, got ${describe(v)}`);
    return undefined;
  }

  listOf(v: unknown, path: LazyPath): readonly unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v as readonly unknown[];
    this.problem(pathOf(path), `expected a list, got ${describe(v)}`);
    return undefined;
  }

  stringsOf(v: unknown, path: LazyPath): string[] {
    const l = this.listOf(v, path) ?? [];
    const out: string[] = [];
    l.forEach((x, i) => {
      if (typeof x === 'string') out.push(x);
      else if (typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
      else this.problem([...pathOf(path), i], `expected a string, got ${describe(x)}`);
    });
    return out;
  }

  stringMapOf(v: unknown, path: LazyPath): Record<string, string> {
    const m = this.mapOf(v, path) ?? {};
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(m)) {
      if (typeof x === 'string') out[k] = x;
      else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
      else if (x !== null && x !== undefined) this.problem([...pathOf(path), k], `expected a string, got ${describe(x)}`, 'quote the value');
    }
    return out;
  }
}

/** A field path, or a function that makes it (only needed when a problem is reported). */
export type LazyPath = DocPath | (() => DocPath);

function pathOf(p: LazyPath): DocPath {
  return typeof p === 'function' ? p() : p;
}

/** `v[k]` as Fields.get walks a key: only on a mapping. */
export function key(v: unknown, k: string): unknown {
  return isObj(v) ? v[k] : undefined;
}

/** `v[i]` as Fields.get walks an index: only on a list. */
export function item(v: unknown, i: number): unknown {
  return Array.isArray(v) ? (v as unknown[])[i] : undefined;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

/**
 * Values by namespace and name: a map of maps, so that a look-up makes no "namespace/name" string
 * (and hashes none). Cluster-scoped names go under the namespace "".
 */
export class ByName<T> {
  readonly #m = new Map<string, Map<string, T>>();
  get(namespace: string, name: string): T | undefined {
    return this.#m.get(namespace)?.get(name);
  }
  set(namespace: string, name: string, value: T): void {
    let names = this.#m.get(namespace);
    if (names === undefined) {
      names = new Map();
      this.#m.set(namespace, names);
    }
    names.set(name, value);
  }
}

/** Cluster-scoped kinds (no namespace). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass',
  'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'IngressClass', 'CSIDriver', 'CSINode', 'RuntimeClass', 'FlowSchema', 'PriorityLevelConfiguration', 'PodSecurityPolicy', 'VolumeAttachment',
]);

/**
 * Every Kubernetes object of the documents (List items expanded). Documents
 * that are not objects (not a mapping, or without `kind` / `apiVersion`) are
 * problems.
 */
export function collectObjects(docs: readonly ManifestDocument[], problems: Problem[]): KObject[] {
  const out: KObject[] = [];
  const add = (doc: ManifestDocument, base: DocPath, value: unknown): void => {
    if (!isObj(value)) {
      const where = locOf(doc, base);
      problems.push({ file: where.file, line: where.line, column: where.column, path: formatPath(base), message: `expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${describe(value)}` });
      return;
    }
    const kind = value.kind;
    const apiVersion = value.apiVersion;
    if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
      const missing = typeof kind !== 'string' || kind === '' ? 'kind' : 'apiVersion';
      const at = locOf(doc, [...base, missing]);
      problems.push({ file: at.file, line: at.line, column: at.column, path: formatPath([...base, missing]), message: `not a Kubernetes object: \`${missing}\` is missing or not a string`, hint: 'every document needs apiVersion and kind (e.g. apiVersion: apps/v1, kind: DaemonSet)' });
      return;
    }
    if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
      const items = value.items;
      if (Array.isArray(items)) items.forEach((it, i) => add(doc, [...base, 'items', i], it));
      else {
        const at = locOf(doc, [...base, 'items']);
        problems.push({ file: at.file, line: at.line, column: at.column, path: formatPath([...base, 'items']), message: 'a List needs `items`, a list of objects' });
      }
      return;
    }
    const md = value.metadata;
    const name = isObj(md) && typeof md.name === 'string' ? md.name : isObj(md) && typeof md.generateName === 'string' ? md.generateName : '';
    const ns = isObj(md) && typeof md.namespace === 'string' && md.namespace !== '' ? md.namespace : CLUSTER_SCOPED.has(kind) ? '' : 'default';
    if (name === '') {
      const at = locOf(doc, [...base, 'metadata', 'name']);
      problems.push({ file: at.file, line: at.line, column: at.column, path: formatPath([...base, 'metadata', 'name']), message: `${kind} has no metadata.name`, hint: 'give the object a name' });
      return;
    }
    out.push({ doc, base, value, kind, apiVersion, name, namespace: ns });
  };
  for (const d of docs) add(d, [], d.value);
  return out;
}
