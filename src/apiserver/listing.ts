/**
 * LIST and WATCH over one resource, stored or generated: selectors
 * (selectors.ts), `limit` and `continue` paging, JSON or Table answers,
 * produced in chunks; WATCH from a resourceVersion (replaying the store's
 * history; 410 Gone when it is older than the history) or from now with a
 * synthetic ADDED per existing object (`resourceVersion` unset or "0", as
 * kube-apiserver's legacy watch semantics).
 *
 * Paging follows key order (namespace/name for stored objects; the
 * generation index, which is name order, for nodes and pods). A continue
 * token carries the list's resourceVersion and the last key served; the
 * next page starts after that key in the current state (kube-apiserver reads
 * the snapshot at the token's revision instead: an object created behind the
 * cursor during paging is not returned, one deleted ahead of it is not
 * either; an object that exists throughout is returned exactly once). A
 * token older than the history is 410 Gone, as an expired one is there.
 *
 * @example
 *   const page = listPage(source, { limit: 500, labels, fields });
 */
import type { KubeObject } from './backend.ts';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from './selectors.ts';
import { badRequest, expired, type StatusError } from './status.ts';

/** Where the objects of a resource come from: the store's (sorted keys) or the backend's (indexes). */
export interface ObjectSource {
  /** Objects in cursor order from just after `after` (undefined: from the start). */
  from(after: string | undefined): Iterable<readonly [cursor: string, object: KubeObject]>;
  /** Objects the LIST covers (for the admission's cost), before selectors. */
  readonly size: number;
}

export interface ListQuery {
  readonly limit: number | undefined;
  readonly continueToken: string | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  readonly namespace: string | undefined;
}

export interface Page {
  readonly items: KubeObject[];
  readonly continueToken: string | undefined;
  readonly remaining: number | undefined;
}

export function encodeContinue(rv: number, cursor: string): string {
  return Buffer.from(JSON.stringify({ v: 'firebreak/1', rv, start: cursor }), 'utf8').toString('base64url');
}

/** The cursor of a continue token; a StatusError for a malformed or expired one. */
export function decodeContinue(token: string, oldest: number): string | StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return badRequest('continue key is not valid: illegal base64 data');
  }
  if (parsed === null || typeof parsed !== 'object') return badRequest('continue key is not valid');
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p.v !== 'firebreak/1' || typeof p.rv !== 'number' || typeof p.start !== 'string') return badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (p.rv < oldest) return expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  return p.start;
}

export function matches(o: KubeObject, q: Pick<ListQuery, 'labels' | 'fields' | 'namespace'>): boolean {
  const meta = o['metadata'] as Record<string, unknown> | undefined;
  if (q.namespace !== undefined && meta?.['namespace'] !== q.namespace) return false;
  if (q.labels.length > 0 && !matchesLabels(q.labels, meta?.['labels'] as Record<string, string> | undefined)) return false;
  if (q.fields.length > 0 && !matchesFields(q.fields, o)) return false;
  return true;
}

/**
 * One page. Without a limit, every match (the caller streams it); with one,
 * at most `limit` and a continue token when more may follow (kube-apiserver
 * also returns a token when the rest turns out empty).
 */
export function* pageItems(source: ObjectSource, q: ListQuery, after: string | undefined, onEnd: (cursor: string | undefined, more: boolean) => void): Generator<KubeObject> {
  let n = 0;
  let last: string | undefined;
  for (const [cursor, o] of source.from(after)) {
    if (!matches(o, q)) continue;
    if (q.limit !== undefined && n >= q.limit) {
      onEnd(last, true);
      return;
    }
    n++;
    last = cursor;
    yield o;
  }
  onEnd(last, false);
}

export function collectPage(source: ObjectSource, q: ListQuery, after: string | undefined, rv: number): Page {
  const items: KubeObject[] = [];
  let token: string | undefined;
  for (const o of pageItems(source, q, after, (cursor, more) => {
    if (more && cursor !== undefined) token = encodeContinue(rv, cursor);
  })) items.push(o);
  return { items, continueToken: token, remaining: undefined };
}
