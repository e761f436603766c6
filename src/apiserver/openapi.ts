/**
 * `/openapi/v3` and its per group-version documents, reduced to what clients
 * read from them. kubectl (1.27+) decides whether the server validates fields
 * itself from them: k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go
 * fetches `/openapi/v3`, follows `paths["apis/<group>/<version>"].serverRelativeURL`
 * and looks for a PATCH operation whose `x-kubernetes-group-version-kind` is
 * the object's and whose parameters include `fieldValidation`; when found,
 * `apply`/`create` send `fieldValidation=Strict` and skip client-side schema
 * validation (which would need `/openapi/v2`, not served). The schemas in
 * `components` are open objects carrying their group-version-kind: enough for
 * that check and for clients that index schemas by GVK, not for
 * `kubectl explain` (docs/twin-serve.md).
 *
 * @example
 *   openapiRoot().paths['apis/apps/v1'].serverRelativeURL;   // '/openapi/v3/apis/apps/v1?hash=…'
 */
import { SERVED_VERSION } from './discovery.ts';
import { RESOURCES, type ResourceDef } from './resources.ts';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const GV_KEYS = [...new Set(RESOURCES.map((r) => gvPath(r.group, r.version)))];

function param(name: string, type = 'string'): Record<string, unknown> {
  return { name, in: 'query', description: name, schema: { type, uniqueItems: true } };
}

const PATH_PARAMS = (r: ResourceDef, item: boolean): Record<string, unknown>[] => [
  ...(item ? [{ name: 'name', in: 'path', required: true, description: `name of the ${r.kind}`, schema: { type: 'string', uniqueItems: true } }] : []),
  ...(r.namespaced ? [{ name: 'namespace', in: 'path', required: true, description: 'object name and auth scope', schema: { type: 'string', uniqueItems: true } }] : []),
  param('pretty'),
];

function schemaName(r: ResourceDef): string {
  const g = r.group === '' ? 'core' : r.group.split('.')[0] ?? r.group;
  return `io.k8s.api.${g}.${r.version}.${r.kind}`;
}

function op(r: ResourceDef, action: string, params: readonly string[], gvk: Record<string, string>): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
  return {
    tags: [r.group === '' ? 'core_v1' : `${r.group}_v1`],
    operationId: `${action}${r.kind}`,
    parameters: params.map((p) => param(p, p === 'force' ? 'boolean' : 'string')),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

function pathsOf(r: ResourceDef): Record<string, unknown> {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const write = ['dryRun', 'fieldManager', 'fieldValidation'];
  const item: Record<string, unknown> = {
    parameters: PATH_PARAMS(r, true),
    get: op(r, 'get', [], gvk),
    put: op(r, 'put', write, gvk),
    patch: { ...op(r, 'patch', [...write, 'force'], gvk), requestBody: { content: { 'application/apply-patch+yaml': { schema: { type: 'object' } }, 'application/json-patch+json': { schema: { type: 'object' } }, 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/strategic-merge-patch+json': { schema: { type: 'object' } } }, required: true } },
    delete: op(r, 'delete', ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'], gvk),
  };
  const list = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
  const collection: Record<string, unknown> = { parameters: PATH_PARAMS(r, false), get: op(r, 'list', list, gvk), post: op(r, 'post', write, gvk), delete: op(r, 'deletecollection', list, gvk) };
  const out: Record<string, unknown> = { [coll]: collection, [`${coll}/{name}`]: item };
  if (r.status) out[`${coll}/{name}/status`] = { parameters: PATH_PARAMS(r, true), get: op(r, 'get', [], gvk), put: op(r, 'put', write, gvk), patch: op(r, 'patch', [...write, 'force'], gvk) };
  return out;
}

/** The document of one group version (`api/v1`, `apis/apps/v1`); undefined when not served. */
export function openapiDocument(key: string): Record<string, unknown> | undefined {
  if (!GV_KEYS.includes(key)) return undefined;
  const rs = RESOURCES.filter((r) => gvPath(r.group, r.version) === key);
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of rs) {
    Object.assign(paths, pathsOf(r));
    schemas[schemaName(r)] = {
      description: `${r.kind} (served by the firebreak twin: an open object)`,
      type: 'object',
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object' }, status: { type: 'object' } },
      'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }],
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: SERVED_VERSION.gitVersion }, paths, components: { schemas } };
}

function hashOf(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).toUpperCase();
}

let ROOT: Record<string, unknown> | undefined;

/** `/openapi/v3`: where each group version's document is. */
export function openapiRoot(): Record<string, unknown> {
  if (ROOT === undefined) {
    const paths: Record<string, unknown> = {};
    for (const k of GV_KEYS) paths[k] = { serverRelativeURL: `/openapi/v3/${k}?hash=${hashOf(JSON.stringify(openapiDocument(k)))}` };
    ROOT = { paths };
  }
  return ROOT;
}
