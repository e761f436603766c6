/**
 * The nodes and pods the backend generates, as object sources for LIST and
 * WATCH (never materialised as one array: a LIST of 200,000 pods walks the
 * backend's indexes), and the one write the served API takes on them: node
 * labels (patch, apply or update of metadata.labels), which the backend keeps
 * as overrides. A node's resourceVersion is the one of its last label
 * change (1 before any).
 *
 * @example
 *   const src = nodeSource(backend, rvs);
 *   for (const [cursor, node] of src.from(undefined)) …
 */
import type { ClusterBackend, KubeObject } from './backend.ts';
import type { ObjectSource } from './listing.ts';
import { requiredField, type FieldSelector } from './selectors.ts';

const WIDTH = 9;

function cursorOf(i: number): string {
  return String(i).padStart(WIDTH, '0');
}

function indexOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const n = Number(cursor);
  return Number.isInteger(n) && n >= 0 ? n + 1 : 0;
}

export function stampNode(node: KubeObject, rv: number | undefined): KubeObject {
  const meta = node['metadata'] as Record<string, unknown>;
  meta['resourceVersion'] = String(rv ?? 1);
  return node;
}

export function nodeSource(backend: ClusterBackend, rvs: ReadonlyMap<number, number>, fields: FieldSelector): ObjectSource {
  const only = requiredField(fields, 'metadata.name');
  if (only !== undefined) {
    const i = backend.nodeIndex(only);
    return {
      size: 1,
      *from(after) {
        if (i >= 0 && indexOf(after) <= i) yield [cursorOf(i), stampNode(backend.node(i), rvs.get(i))] as const;
      },
    };
  }
  return {
    size: backend.nodeCount(),
    *from(after) {
      const n = backend.nodeCount();
      for (let i = indexOf(after); i < n; i++) yield [cursorOf(i), stampNode(backend.node(i), rvs.get(i))] as const;
    },
  };
}

export function podSource(backend: ClusterBackend, fields: FieldSelector, namespace: string | undefined): ObjectSource {
  const only = requiredField(fields, 'metadata.name');
  if (only !== undefined && namespace !== undefined) {
    const i = backend.podIndex(namespace, only);
    return {
      size: 1,
      *from(after) {
        if (i >= 0 && indexOf(after) <= i) yield [cursorOf(i), backend.pod(i)] as const;
      },
    };
  }
  return {
    size: backend.podCount(),
    *from(after) {
      const n = backend.podCount();
      for (let i = indexOf(after); i < n; i++) yield [cursorOf(i), backend.pod(i)] as const;
    },
  };
}

/** The labels of an object (a node after a patch), as a string map; non-string values are dropped. */
export function labelsOf(o: KubeObject): Record<string, string> {
  const meta = o['metadata'];
  const labels = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)['labels'] : undefined;
  const out: Record<string, string> = {};
  if (labels !== null && typeof labels === 'object') for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}
