/**
 * The verbs on one resource — get, list, watch, create, update, patch
 * (server-side apply, merge, strategic merge, JSON patch), delete,
 * deletecollection — over the store, or over the backend's generated nodes
 * and pods (read-only but for node labels). Called by api.ts once a request
 * is authenticated, admitted by the backend and authorized.
 *
 * Object metadata is the server's: uid, creationTimestamp (the cluster's
 * virtual time), resourceVersion (store.ts), generation (up when more than
 * metadata and status changed), managedFields (managed.ts). DaemonSets and
 * Deployments are handed to the backend (`workloadWritten`) on every write
 * and delete, and take their status from it.
 *
 * @example
 *   const result = runVerb(ctx);
 */
import type { ClusterBackend, KubeObject, UserInfo } from './backend.ts';
import { applyDefaults, specChanged, validate } from './defaults.ts';
import { labelsOf, nodeSource, podSource, stampNode } from './generated.ts';
import { collectPage, decodeContinue, matches, pageItems, type ListQuery, type ObjectSource } from './listing.ts';
import { applyObject, recordUpdate } from './managed.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.ts';
import { BodyError, parseBody, respond, respondError, watchLine, type ApiRequest, type ApiResult } from './request.ts';
import { apiVersionOf, qualifiedName, type ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts';
import { alreadyExists, applyConflict, badRequest, conflict, expired, invalid, methodNotAllowed, notFound, status, unsupportedMediaType } from './status.ts';
import { nameOf, namespaceOf, objectKey, type ObjectStore, type WatchEventType } from './store.ts';
import { toTable, wantsTable } from './table.ts';
import { text } from './json.ts';

export interface VerbContext {
  readonly store: ObjectStore;
  readonly backend: ClusterBackend;
  readonly nodeRvs: Map<number, number>;
  readonly nowMs: number;
  readonly user: UserInfo;
  readonly req: ApiRequest;
  readonly def: ResourceDef;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly delayS: number;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function meta(o: KubeObject): Obj {
  if (!isObject(o['metadata'])) o['metadata'] = {};
  return o['metadata'] as Obj;
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function isWorkload(def: ResourceDef): boolean {
  return def.group === 'apps' && (def.plural === 'daemonsets' || def.plural === 'deployments');
}

/** The field manager of a write: `fieldManager`, else the user agent's program name (k8s.io/apiserver …/fieldmanager: prefix before '/'). */
function managerOf(req: ApiRequest): string {
  const m = req.query.get('fieldManager');
  if (m !== null && m !== '') return m;
  const ua = req.userAgent.split('/')[0] ?? '';
  return ua === '' ? 'unknown' : ua.slice(0, 128);
}

function listQuery(ctx: VerbContext): ListQuery | ApiResult {
  try {
    const limitRaw = ctx.req.query.get('limit');
    const limit = limitRaw === null || limitRaw === '' || limitRaw === '0' ? undefined : Number(limitRaw);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) return respondError(badRequest(`invalid limit: ${limitRaw ?? ''}`), ctx.delayS);
    return {
      limit,
      continueToken: ctx.req.query.get('continue') ?? undefined,
      labels: parseLabelSelector(ctx.req.query.get('labelSelector') ?? ''),
      fields: parseFieldSelector(ctx.req.query.get('fieldSelector') ?? '', ctx.def.group, ctx.def.plural),
      namespace: ctx.def.namespaced ? ctx.namespace : undefined,
    };
  } catch (e) {
    if (e instanceof SelectorError) return respondError(badRequest(e.message), ctx.delayS);
    throw e;
  }
}

/** The objects of the resource, as a source in key order. */
export function sourceOf(store: ObjectStore, backend: ClusterBackend, nodeRvs: ReadonlyMap<number, number>, def: ResourceDef, q: Pick<ListQuery, 'fields' | 'namespace'>): ObjectSource {
  if (def.group === '' && def.plural === 'nodes') return nodeSource(backend, nodeRvs, q.fields);
  if (def.group === '' && def.plural === 'pods') return podSource(backend, q.fields, q.namespace);
  const items = store.list(def.group, def.plural, q.namespace);
  return {
    size: items.length,
    *from(after) {
      for (const o of items) {
        const key = objectKey(namespaceOf(o), nameOf(o));
        if (after === undefined || key > after) yield [key, o] as const;
      }
    },
  };
}

function withKind(def: ResourceDef, o: KubeObject): KubeObject {
  if (o['kind'] === undefined || o['apiVersion'] === undefined) return { apiVersion: apiVersionOf(def), kind: def.kind, ...o };
  return o;
}

function list(ctx: VerbContext): ApiResult {
  const q = listQuery(ctx);
  if ('kind' in q) return q;
  let after: string | undefined;
  if (q.continueToken !== undefined && q.continueToken !== '') {
    const c = decodeContinue(q.continueToken, ctx.store.oldestWatchable);
    if (typeof c !== 'string') return respondError(c, ctx.delayS);
    after = c;
  }
  const rv = ctx.store.resourceVersion;
  const source = sourceOf(ctx.store, ctx.backend, ctx.nodeRvs, ctx.def, q);
  if (wantsTable(ctx.req.accept) || q.limit !== undefined) {
    const page = collectPage(source, q, after, rv);
    if (wantsTable(ctx.req.accept)) {
      const table = toTable(ctx.def, page.items, { nowMs: ctx.nowMs, includeObject: ctx.req.query.get('includeObject') ?? 'Metadata', resourceVersion: String(rv), ...(page.continueToken === undefined ? {} : { continueToken: page.continueToken }) });
      return respond(200, table, ctx.delayS);
    }
    const metadata: Obj = { resourceVersion: String(rv) };
    if (page.continueToken !== undefined) metadata['continue'] = page.continueToken;
    return respond(200, { kind: `${ctx.def.kind}List`, apiVersion: apiVersionOf(ctx.def), metadata, items: page.items.map((o) => withKind(ctx.def, o)) }, ctx.delayS);
  }
  const def = ctx.def;
  function* chunks(): Generator<string> {
    yield `{"kind":"${def.kind}List","apiVersion":"${apiVersionOf(def)}","metadata":{"resourceVersion":"${rv}"},"items":[`;
    let first = true;
    let buf = '';
    for (const o of pageItems(source, q as ListQuery, after, () => undefined)) {
      buf += (first ? '' : ',') + JSON.stringify(withKind(def, o));
      first = false;
      if (buf.length > 65536) {
        yield buf;
        buf = '';
      }
    }
    yield buf + ']}';
  }
  return { kind: 'response', status: 200, contentType: 'application/json', headers: {}, body: chunks(), delayS: ctx.delayS };
}

function watch(ctx: VerbContext): ApiResult {
  const q = listQuery(ctx);
  if ('kind' in q) return q;
  const rvParam = ctx.req.query.get('resourceVersion');
  const asTable = wantsTable(ctx.req.accept);
  const def = ctx.def;
  const nowMs = ctx.nowMs;
  const encode = (type: WatchEventType, o: KubeObject): string => {
    const obj = asTable ? toTable(def, [o], { nowMs, includeObject: ctx.req.query.get('includeObject') ?? 'Metadata', resourceVersion: text((o['metadata'] as Obj | undefined)?.['resourceVersion']) }) : withKind(def, o);
    return watchLine(type, obj);
  };
  let initial: Iterable<string>;
  if (rvParam === null || rvParam === '' || rvParam === '0') {
    const source = sourceOf(ctx.store, ctx.backend, ctx.nodeRvs, def, q);
    const all = { ...q, limit: undefined };
    initial = (function* () {
      for (const o of pageItems(source, all, undefined, () => undefined)) yield encode('ADDED', o);
    })();
  } else {
    const rv = Number(rvParam);
    if (!Number.isInteger(rv) || rv < 0) return respondError(badRequest(`invalid resource version: ${rvParam}`), ctx.delayS);
    const events = ctx.store.eventsSince(def.group, def.plural, rv);
    if (events === undefined) return respondError(expired(`too old resource version: ${rv} (${ctx.store.oldestWatchable})`), ctx.delayS);
    initial = events.filter((e) => matches(e.object, q)).map((e) => encode(e.type, e.object));
  }
  let buffer: string[] | undefined = [];
  let sink: ((line: string) => void) | undefined;
  const stop = ctx.store.watch({
    group: def.group,
    plural: def.plural,
    wants: (o) => matches(o, q),
    send: (type, o) => {
      const line = encode(type, o);
      if (sink !== undefined) sink(line);
      else buffer?.push(line);
    },
  });
  return {
    kind: 'watch',
    status: 200,
    delayS: ctx.delayS,
    timeoutS: ctx.req.query.has('timeoutSeconds') ? Number(ctx.req.query.get('timeoutSeconds')) : undefined,
    stream: {
      contentType: 'application/json',
      initial,
      attach(send) {
        sink = send;
        for (const l of buffer ?? []) send(l);
        buffer = undefined;
      },
      close: stop,
    },
  };
}

function getGenerated(ctx: VerbContext, name: string): KubeObject | undefined {
  if (ctx.def.plural === 'nodes') {
    const i = ctx.backend.nodeIndex(name);
    return i < 0 ? undefined : stampNode(ctx.backend.node(i), ctx.nodeRvs.get(i));
  }
  const i = ctx.backend.podIndex(ctx.namespace ?? '', name);
  return i < 0 ? undefined : ctx.backend.pod(i);
}

function current(ctx: VerbContext, name: string): KubeObject | undefined {
  return ctx.def.generated ? getGenerated(ctx, name) : ctx.store.get(ctx.def.group, ctx.def.plural, ctx.namespace, name);
}

function answer(ctx: VerbContext, code: number, o: KubeObject): ApiResult {
  if (wantsTable(ctx.req.accept)) return respond(code, toTable(ctx.def, [o], { nowMs: ctx.nowMs, includeObject: ctx.req.query.get('includeObject') ?? 'Metadata', resourceVersion: text(meta(o)['resourceVersion']) }), ctx.delayS);
  return respond(code, withKind(ctx.def, o), ctx.delayS);
}

function get(ctx: VerbContext, name: string): ApiResult {
  const o = current(ctx, name);
  if (o === undefined) return respondError(notFound(ctx.def, name), ctx.delayS);
  return answer(ctx, 200, o);
}

/** Applies the server's part of a write: metadata, defaults, validation, status; stores it and tells the backend. */
function commit(ctx: VerbContext, before: KubeObject | undefined, next: KubeObject, code: number): ApiResult {
  const def = ctx.def;
  const m = meta(next);
  if (ctx.name !== undefined) m['name'] = ctx.name;
  const name = nameOf(next);
  if (def.namespaced) m['namespace'] = ctx.namespace;
  else delete m['namespace'];
  next['apiVersion'] = apiVersionOf(def);
  next['kind'] = def.kind;
  applyDefaults(def.group, def.plural, next);
  if (before === undefined) {
    m['uid'] = ctx.store.newUid();
    m['creationTimestamp'] = iso(ctx.nowMs);
    if (def.status || isWorkload(def)) m['generation'] = 1;
  } else {
    const bm = meta(before);
    m['uid'] = bm['uid'];
    m['creationTimestamp'] = bm['creationTimestamp'];
    if (bm['generation'] !== undefined) m['generation'] = specChanged(before, next) ? Number(bm['generation']) + 1 : bm['generation'];
    if (ctx.subresource !== 'status' && before['status'] !== undefined) next['status'] = before['status'];
  }
  delete m['resourceVersion'];
  const causes = validate(def.group, def.plural, next);
  if (causes.length > 0) return respondError(invalid(def.kind, def.group, name, causes), ctx.delayS);
  if (def.plural === 'namespaces' && def.group === '') next['status'] = { phase: 'Active' };
  if (ctx.req.query.get('dryRun') === 'All') return answer(ctx, code, next);
  if (isWorkload(def)) {
    ctx.backend.workloadWritten(def.group, def.plural, ctx.namespace ?? '', name, next, ctx.store);
    const st = ctx.backend.workloadStatus(next);
    if (st !== undefined) next['status'] = st;
  }
  ctx.store.put(def.group, def.plural, next);
  return answer(ctx, code, next);
}

type Checked = { readonly ok: KubeObject } | { readonly error: ApiResult };

function checkTarget(ctx: VerbContext, body: unknown, name: string | undefined): Checked {
  const fail = (e: ApiResult): Checked => ({ error: e });
  if (!isObject(body)) return fail(respondError(badRequest('the request body is not an object'), ctx.delayS));
  const m = meta(body);
  if (body['kind'] !== undefined && body['kind'] !== ctx.def.kind) return fail(respondError(badRequest(`the kind "${text(body['kind'])}" of the object does not match the resource ${qualifiedName(ctx.def)} (kind ${ctx.def.kind})`), ctx.delayS));
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersionOf(ctx.def)) return fail(respondError(badRequest(`the apiVersion "${text(body['apiVersion'])}" of the object does not match the request's ${apiVersionOf(ctx.def)}`), ctx.delayS));
  if (ctx.def.namespaced && m['namespace'] !== undefined && m['namespace'] !== '' && m['namespace'] !== ctx.namespace) return fail(respondError(badRequest('the namespace of the provided object does not match the namespace sent on the request'), ctx.delayS));
  if (name !== undefined && m['name'] !== undefined && m['name'] !== name) return fail(respondError(badRequest(`the name of the object (${text(m['name'])}) does not match the name on the URL (${name})`), ctx.delayS));
  if (name !== undefined && m['name'] === undefined) m['name'] = name;
  return { ok: body };
}

function namespaceMissing(ctx: VerbContext): ApiResult | undefined {
  if (!ctx.def.namespaced) return undefined;
  const ns = ctx.namespace ?? '';
  if (ctx.store.get('', 'namespaces', undefined, ns) === undefined) return respondError(notFound({ group: '', plural: 'namespaces' }, ns), ctx.delayS);
  return undefined;
}

function writeContext(ctx: VerbContext): { manager: string; apiVersion: string; time: string } {
  return { manager: managerOf(ctx.req), apiVersion: apiVersionOf(ctx.def), time: iso(ctx.nowMs) };
}

function create(ctx: VerbContext): ApiResult {
  const missing = namespaceMissing(ctx);
  if (missing !== undefined) return missing;
  const body = checkTarget(ctx, parseBody(ctx.req.body, ctx.req.contentType), undefined);
  if ('error' in body) return body.error;
  const obj = structuredClone(body.ok);
  const m = meta(obj);
  if ((m['name'] === undefined || m['name'] === '') && typeof m['generateName'] === 'string') m['name'] = `${m['generateName']}${(ctx.store.resourceVersion + 1).toString(36).padStart(5, '0').slice(-5)}`;
  const name = typeof m['name'] === 'string' ? m['name'] : '';
  if (ctx.store.get(ctx.def.group, ctx.def.plural, ctx.namespace, name) !== undefined) return respondError(alreadyExists(ctx.def, name), ctx.delayS);
  delete obj['status'];
  delete m['managedFields'];
  recordUpdate(undefined, obj, writeContext(ctx));
  return commit(ctx, undefined, obj, 201);
}

function update(ctx: VerbContext, name: string): ApiResult {
  const before = ctx.store.get(ctx.def.group, ctx.def.plural, ctx.namespace, name);
  if (before === undefined) return respondError(notFound(ctx.def, name), ctx.delayS);
  const body = checkTarget(ctx, parseBody(ctx.req.body, ctx.req.contentType), name);
  if ('error' in body) return body.error;
  const obj = structuredClone(body.ok);
  const rv = meta(obj)['resourceVersion'];
  if (rv !== undefined && rv !== '' && rv !== meta(before)['resourceVersion']) return respondError(conflict(ctx.def, name, 'the object has been modified; please apply your changes to the latest version and try again'), ctx.delayS);
  let next: KubeObject;
  if (ctx.subresource === 'status') {
    next = structuredClone(before);
    next['status'] = obj['status'];
  } else {
    next = obj;
    meta(next)['managedFields'] = meta(before)['managedFields'];
  }
  recordUpdate(before, next, writeContext(ctx), ctx.subresource);
  return commit(ctx, before, next, 200);
}

function patchNodeLabels(ctx: VerbContext, name: string, patched: KubeObject): ApiResult {
  const i = ctx.backend.nodeIndex(name);
  ctx.backend.setNodeLabels(i, labelsOf(patched));
  const node = ctx.backend.node(i);
  ctx.store.emit('', 'nodes', 'MODIFIED', node);
  ctx.nodeRvs.set(i, ctx.store.resourceVersion);
  return answer(ctx, 200, node);
}

function patch(ctx: VerbContext, name: string): ApiResult {
  const type = ctx.req.contentType.split(';')[0]?.trim() ?? '';
  const before = current(ctx, name);
  const body = parseBody(ctx.req.body, type);
  if (type === 'application/apply-patch+yaml') {
    const manager = ctx.req.query.get('fieldManager');
    if (manager === null || manager === '') return respondError(status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] }), ctx.delayS);
    const target = checkTarget(ctx, body, name);
    if ('error' in target) return target.error;
    if (before === undefined) {
      if (ctx.def.generated) return respondError(notFound(ctx.def, name), ctx.delayS);
      const missing = namespaceMissing(ctx);
      if (missing !== undefined) return missing;
    }
    const force = ctx.req.query.get('force') === 'true';
    const r = applyObject(before, target.ok, { manager, force, apiVersion: apiVersionOf(ctx.def), time: iso(ctx.nowMs) });
    if (r.kind === 'conflict') return respondError(applyConflict(ctx.def, name, r.conflicts), ctx.delayS);
    if (ctx.def.generated) return ctx.def.plural === 'nodes' ? patchNodeLabels(ctx, name, r.object) : respondError(methodNotAllowed(), ctx.delayS);
    return commit(ctx, before, r.object, before === undefined ? 201 : 200);
  }
  if (before === undefined) return respondError(notFound(ctx.def, name), ctx.delayS);
  let next: unknown;
  try {
    if (type === 'application/merge-patch+json') next = mergePatch(before, body);
    else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(before, body);
    else if (type === 'application/json-patch+json') next = jsonPatch(before, body);
    else return respondError(unsupportedMediaType(type), ctx.delayS);
  } catch (e) {
    if (e instanceof PatchError) return respondError(status(422, 'Invalid', e.message), ctx.delayS);
    throw e;
  }
  if (!isObject(next)) return respondError(badRequest('the patch does not leave an object'), ctx.delayS);
  if (ctx.def.generated) return ctx.def.plural === 'nodes' ? patchNodeLabels(ctx, name, next) : respondError(methodNotAllowed(), ctx.delayS);
  if (ctx.subresource === 'status') {
    const only = structuredClone(before);
    only['status'] = next['status'];
    next = only;
  }
  const rv = meta(next as KubeObject)['resourceVersion'];
  if (rv !== undefined && rv !== meta(before)['resourceVersion']) return respondError(conflict(ctx.def, name, 'the object has been modified; please apply your changes to the latest version and try again'), ctx.delayS);
  recordUpdate(before, next as KubeObject, writeContext(ctx), ctx.subresource);
  return commit(ctx, before, next as KubeObject, 200);
}

function removeOne(ctx: VerbContext, o: KubeObject): KubeObject | undefined {
  const def = ctx.def;
  const name = nameOf(o);
  const ns = namespaceOf(o);
  if (def.group === '' && def.plural === 'namespaces') {
    for (const r of ['configmaps', 'serviceaccounts', 'services', 'events']) for (const x of ctx.store.list('', r, name)) ctx.store.remove('', r, name, nameOf(x));
    for (const [g, r] of [['apps', 'daemonsets'], ['apps', 'deployments'], ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'], ['coordination.k8s.io', 'leases']] as const) {
      for (const x of ctx.store.list(g, r, name)) {
        if (g === 'apps') ctx.backend.workloadWritten(g, r, name, nameOf(x), null, ctx.store);
        ctx.store.remove(g, r, name, nameOf(x));
      }
    }
  }
  if (isWorkload(def)) ctx.backend.workloadWritten(def.group, def.plural, ns, name, null, ctx.store);
  return ctx.store.remove(def.group, def.plural, ns, name);
}

function del(ctx: VerbContext, name: string): ApiResult {
  if (ctx.def.generated) return respondError(methodNotAllowed(), ctx.delayS);
  const o = ctx.store.get(ctx.def.group, ctx.def.plural, ctx.namespace, name);
  if (o === undefined) return respondError(notFound(ctx.def, name), ctx.delayS);
  if (ctx.req.query.get('dryRun') === 'All') return answer(ctx, 200, o);
  const gone = removeOne(ctx, o);
  return answer(ctx, 200, gone ?? o);
}

function deleteCollection(ctx: VerbContext): ApiResult {
  if (ctx.def.generated) return respondError(methodNotAllowed(), ctx.delayS);
  const q = listQuery(ctx);
  if ('kind' in q) return q;
  const items = ctx.store.list(ctx.def.group, ctx.def.plural, q.namespace).filter((o) => matches(o, q));
  const gone = items.map((o) => removeOne(ctx, o) ?? o);
  return respond(200, { kind: `${ctx.def.kind}List`, apiVersion: apiVersionOf(ctx.def), metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items: gone }, ctx.delayS);
}

export function runVerb(ctx: VerbContext, verb: string): ApiResult {
  try {
    const name = ctx.name;
    switch (verb) {
      case 'list':
        return list(ctx);
      case 'watch':
        return watch(ctx);
      case 'deletecollection':
        return deleteCollection(ctx);
      case 'create':
        return ctx.def.generated ? respondError(methodNotAllowed(), ctx.delayS) : create(ctx);
    }
    if (name === undefined) return respondError(methodNotAllowed(), ctx.delayS);
    switch (verb) {
      case 'get':
        return get(ctx, name);
      case 'update':
        if (ctx.def.generated) {
          if (ctx.def.plural !== 'nodes' || getGenerated(ctx, name) === undefined) return respondError(ctx.def.plural === 'nodes' ? notFound(ctx.def, name) : methodNotAllowed(), ctx.delayS);
          const body = parseBody(ctx.req.body, ctx.req.contentType);
          return isObject(body) ? patchNodeLabels(ctx, name, body) : respondError(badRequest('the request body is not an object'), ctx.delayS);
        }
        return update(ctx, name);
      case 'patch':
        return patch(ctx, name);
      case 'delete':
        return del(ctx, name);
    }
    return respondError(methodNotAllowed(), ctx.delayS);
  } catch (e) {
    if (e instanceof BodyError) return respondError(e.status, ctx.delayS);
    throw e;
  }
}

/** Re-reads the backend's status of every stored DaemonSet and Deployment; a changed one is stored (watchers see MODIFIED). */
export function refreshWorkloads(store: ObjectStore, backend: ClusterBackend, defs: readonly ResourceDef[]): void {
  for (const def of defs) {
    for (const o of store.list(def.group, def.plural)) {
      const st = backend.workloadStatus(o);
      if (st === undefined || JSON.stringify(st) === JSON.stringify(o['status'])) continue;
      const next = structuredClone(o);
      next['status'] = st;
      store.put(def.group, def.plural, next);
    }
  }
}
