/**
 * The objects one served cluster stores (everything but its nodes and pods,
 * which the backend generates), its resourceVersion counter (one per cluster,
 * as etcd's revision), the recent history of changes that WATCH replays, and
 * the open watches it feeds.
 *
 * The history keeps the last HISTORY events; a watch or a continue token from
 * before them is answered 410 Gone, as kube-apiserver answers a
 * resourceVersion that left its watch cache (about 75 s of history there:
 * model/kubernetes.ts WATCH_CACHE_WINDOW_S; here a count of events, so that
 * it does not depend on the wall clock).
 *
 * @example
 *   const s = new ObjectStore('prod-a');
 *   s.put('apps', 'daemonsets', ds);   // stamps resourceVersion, emits ADDED to watchers
 */
import type { KubeObject, ObjectReader } from './backend.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface StoredEvent {
  readonly rv: number;
  readonly group: string;
  readonly plural: string;
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

export interface Watcher {
  readonly group: string;
  readonly plural: string;
  /** Whether an event's object is one this watch wants (namespace, selectors). */
  readonly wants: (object: KubeObject) => boolean;
  readonly send: (type: WatchEventType, object: KubeObject) => void;
}

/** Events kept for WATCH from a resourceVersion. */
export const HISTORY = 10_000;

function meta(o: KubeObject): Record<string, unknown> {
  const m = o['metadata'];
  if (m !== null && typeof m === 'object' && !Array.isArray(m)) return m as Record<string, unknown>;
  const made: Record<string, unknown> = {};
  o['metadata'] = made;
  return made;
}

export function nameOf(o: KubeObject): string {
  const n = meta(o)['name'];
  return typeof n === 'string' ? n : '';
}

export function namespaceOf(o: KubeObject): string {
  const n = meta(o)['namespace'];
  return typeof n === 'string' ? n : '';
}

export function objectKey(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

export class ObjectStore implements ObjectReader {
  readonly cluster: string;
  #rv = 1;
  #uids = 0;
  readonly #uidPrefix: string;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoredEvent[] = [];
  readonly #watchers = new Set<Watcher>();

  readonly #historySize: number;

  constructor(cluster: string, historySize = HISTORY) {
    this.cluster = cluster;
    this.#historySize = historySize;
    let h = 0x811c9dc5;
    for (let i = 0; i < cluster.length; i++) h = Math.imul(h ^ cluster.charCodeAt(i), 0x01000193) >>> 0;
    this.#uidPrefix = h.toString(16).padStart(8, '0');
  }

  /** The cluster's resourceVersion now (the last change's). */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion a watch may start from (older: 410 Gone). */
  get oldestWatchable(): number {
    const first = this.#history[0];
    return first === undefined ? this.#rv : first.rv - 1;
  }

  /** A fresh resourceVersion for a change that is not a stored object's (a generated node's labels). */
  bump(): number {
    return ++this.#rv;
  }

  newUid(): string {
    const n = ++this.#uids;
    return `${this.#uidPrefix}-${(n >>> 16).toString(16).padStart(4, '0')}-4${(n & 0xfff).toString(16).padStart(3, '0')}-8000-${n.toString(16).padStart(12, '0')}`;
  }

  #bucket(group: string, plural: string): Map<string, KubeObject> {
    const k = `${group}/${plural}`;
    let b = this.#objects.get(k);
    if (b === undefined) {
      b = new Map();
      this.#objects.set(k, b);
    }
    return b;
  }

  get(group: string, plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(`${group}/${plural}`)?.get(objectKey(namespace ?? '', name));
  }

  /** The objects of a resource (in a namespace, when given), in key order (namespace/name). */
  list(group: string, plural: string, namespace?: string): KubeObject[] {
    const b = this.#objects.get(`${group}/${plural}`);
    if (b === undefined) return [];
    const keys = [...b.keys()].sort();
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = b.get(k);
      if (o !== undefined && (namespace === undefined || namespaceOf(o) === namespace)) out.push(o);
    }
    return out;
  }

  count(group: string, plural: string): number {
    return this.#objects.get(`${group}/${plural}`)?.size ?? 0;
  }

  /** Stores an object (new or replacing), stamps its resourceVersion and tells the watches. */
  put(group: string, plural: string, object: KubeObject): KubeObject {
    const b = this.#bucket(group, plural);
    const key = objectKey(namespaceOf(object), nameOf(object));
    const type: WatchEventType = b.has(key) ? 'MODIFIED' : 'ADDED';
    meta(object)['resourceVersion'] = String(++this.#rv);
    b.set(key, object);
    this.#record(group, plural, type, object);
    return object;
  }

  remove(group: string, plural: string, namespace: string, name: string): KubeObject | undefined {
    const b = this.#objects.get(`${group}/${plural}`);
    const key = objectKey(namespace, name);
    const o = b?.get(key);
    if (b === undefined || o === undefined) return undefined;
    b.delete(key);
    const gone = structuredClone(o);
    meta(gone)['resourceVersion'] = String(++this.#rv);
    this.#record(group, plural, 'DELETED', gone);
    return gone;
  }

  /** A change of an object the store does not hold (a generated node): stamped and told to the watches. */
  emit(group: string, plural: string, type: WatchEventType, object: KubeObject): void {
    meta(object)['resourceVersion'] = String(++this.#rv);
    this.#record(group, plural, type, object);
  }

  #record(group: string, plural: string, type: WatchEventType, object: KubeObject): void {
    const e: StoredEvent = { rv: this.#rv, group, plural, type, object };
    this.#history.push(e);
    if (this.#history.length > this.#historySize * 2) {
      this.#history.splice(0, this.#history.length - this.#historySize);
    }
    for (const w of this.#watchers) if (w.group === group && w.plural === plural && w.wants(object)) w.send(type, object);
  }

  /** Events of a resource after `rv`; undefined when `rv` is older than the history (410 Gone). */
  eventsSince(group: string, plural: string, rv: number): StoredEvent[] | undefined {
    if (rv < this.oldestWatchable && rv < this.#rv) return undefined;
    const out: StoredEvent[] = [];
    for (const e of this.#history) if (e.rv > rv && e.group === group && e.plural === plural) out.push(e);
    return out;
  }

  watch(w: Watcher): () => void {
    this.#watchers.add(w);
    return () => {
      this.#watchers.delete(w);
    };
  }

  get watchCount(): number {
    return this.#watchers.size;
  }
}
