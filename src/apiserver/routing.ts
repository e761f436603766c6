/**
 * Kubernetes request paths → what they address (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go):
 * `/api/v1/<resource>[/<name>[/<subresource>]]`,
 * `/api/v1/namespaces/<ns>/<resource>[/<name>[/<subresource>]]`, the same
 * under `/apis/<group>/<version>`, and the verb from the method (GET of a
 * collection is `list`, or `watch` with `?watch=1|true`).
 *
 * @example
 *   route('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent', q);
 *   // { kind: 'resource', group: 'apps', version: 'v1', plural: 'daemonsets', namespace: 'default', name: 'agent', verb: 'get' }
 */
import type { RequestVerb } from './backend.ts';

export type Route =
  | { readonly kind: 'nonresource'; readonly path: string }
  | {
      readonly kind: 'resource';
      readonly group: string;
      readonly version: string;
      readonly plural: string;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      readonly verb: RequestVerb;
    }
  | { readonly kind: 'bad-method' };

function verbOf(method: string, hasName: boolean, query: URLSearchParams): RequestVerb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const w = query.get('watch');
      if (w === '1' || w === 'true') return 'watch';
      return hasName ? 'get' : 'list';
    }
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

export function route(method: string, path: string, query: URLSearchParams): Route {
  const segs = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else return { kind: 'nonresource', path: '/' + segs.join('/') };

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const plural = rest[0] ?? '';
  const name = rest[1];
  const subresource = rest[2];
  if (rest.length > 3) return { kind: 'nonresource', path: '/' + segs.join('/') };
  // A POST to a subresource of a named object creates it (kube-apiserver's "create" on e.g.
  // serviceaccounts/token, pods/eviction).
  const verb = method === 'POST' && subresource !== undefined && subresource !== 'status' ? 'create' : verbOf(method, name !== undefined, query);
  if (verb === undefined) return { kind: 'bad-method' };
  return { kind: 'resource', group, version, plural, namespace, name, subresource, verb };
}
