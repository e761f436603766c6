/**
 * RBAC authorization over the roles and bindings the served cluster stores,
 * as k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go decides it: a
 * request is allowed when a ClusterRoleBinding, or a RoleBinding of the
 * request's namespace, binds a subject matching the user (User by name,
 * Group by one of the user's groups, ServiceAccount by
 * `system:serviceaccount:<ns>:<name>`) to a role with a rule covering the
 * verb, API group, resource (`resource/subresource`) and name. The denial's
 * message is kube-apiserver's (k8s.io/apiserver/pkg/endpoints/handlers/
 * responsewriters/errors.go forbiddenMessage).
 *
 * Non-resource URLs (discovery, /version, /openapi, health) are allowed for
 * every authenticated user, as the bootstrap system:discovery and
 * system:public-info-viewer bindings allow them.
 *
 * @example
 *   authorize(reader, { name: 'alice', groups: [] }, { verb: 'list', group: '', resource: 'pods', namespace: 'default' });
 *   // { allowed: false, message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"' }
 */
import type { ObjectReader, UserInfo } from './backend.ts';

export interface Attributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly message: string };

const RBAC = 'rbac.authorization.k8s.io';

interface Rule {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

interface Subject {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

function arr<T>(v: unknown): readonly T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === user.name;
  if (s.kind === 'Group') return s.name !== undefined && user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.name === `system:serviceaccount:${s.namespace ?? bindingNamespace ?? ''}:${s.name ?? ''}`;
  return false;
}

function ruleAllows(r: Rule, a: Attributes): boolean {
  const verbs = r.verbs ?? [];
  if (!verbs.includes('*') && !verbs.includes(a.verb)) return false;
  const groups = r.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const res = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`;
  const resources = r.resources ?? [];
  if (!resources.includes('*') && !resources.includes(res) && !(a.subresource !== undefined && resources.includes(`${a.resource}/*`)) && !(a.subresource !== undefined && resources.includes(`*/${a.subresource}`))) return false;
  const names = r.resourceNames ?? [];
  if (names.length > 0 && (a.name === undefined || !names.includes(a.name))) return false;
  return true;
}

function rulesOf(reader: ObjectReader, ref: Record<string, unknown>, bindingNamespace: string | undefined): readonly Rule[] {
  const name = typeof ref['name'] === 'string' ? ref['name'] : '';
  const role = ref['kind'] === 'ClusterRole' ? reader.get(RBAC, 'clusterroles', undefined, name) : bindingNamespace === undefined ? undefined : reader.get(RBAC, 'roles', bindingNamespace, name);
  return arr<Rule>(role?.['rules']);
}

function allowedBy(reader: ObjectReader, binding: Record<string, unknown>, user: UserInfo, a: Attributes, bindingNamespace: string | undefined): boolean {
  const subjects = arr<Subject>(binding['subjects']);
  if (!subjects.some((s) => subjectMatches(s, user, bindingNamespace))) return false;
  const ref = binding['roleRef'];
  if (ref === null || typeof ref !== 'object') return false;
  return rulesOf(reader, ref as Record<string, unknown>, bindingNamespace).some((r) => ruleAllows(r, a));
}

export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  const res = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`;
  const qualified = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const subject = a.name === undefined || a.name === '' ? `${qualified} is forbidden` : `${qualified} "${a.name}" is forbidden`;
  const scope = a.namespace === undefined || a.namespace === '' ? 'at the cluster scope' : `in the namespace "${a.namespace}"`;
  return `${subject}: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
}

export function authorize(reader: ObjectReader, user: UserInfo, a: Attributes): Decision {
  for (const b of reader.list(RBAC, 'clusterrolebindings')) if (allowedBy(reader, b, user, a, undefined)) return { allowed: true };
  if (a.namespace !== undefined && a.namespace !== '') {
    for (const b of reader.list(RBAC, 'rolebindings', a.namespace)) if (allowedBy(reader, b, user, a, a.namespace)) return { allowed: true };
  }
  return { allowed: false, message: forbiddenMessage(user, a) };
}
