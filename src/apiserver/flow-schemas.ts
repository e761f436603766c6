/**
 * APF classification as kube-apiserver does it: the FlowSchemas are taken in
 * order of `spec.matchingPrecedence` (lowest first), ties broken by name
 * (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go,
 * which sorts the FlowSchemas by precedence, then name), and the first whose
 * rules match the request decides its priority level
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/rule.go, imitated here):
 * - a FlowSchema matches when any of its rules matches; a rule matches when
 *   one of its subjects matches the user and, for a resource request, one of
 *   its resourceRules matches, for a non-resource request one of its
 *   nonResourceRules;
 * - subjects: `User` by name (`*`: any user), `Group` by one of the user's
 *   groups (`*`: any), `ServiceAccount` by `system:serviceaccount:<ns>:<name>`
 *   (name `*`: any service account of the namespace);
 * - resourceRules: verbs, apiGroups and resources (a subresource as
 *   `pods/status`) contain the request's or are exactly [`*`]; a namespaced
 *   request needs its namespace in `namespaces` (or [`*`]); a cluster-scoped
 *   one needs `clusterScope: true`;
 * - nonResourceRules: verbs as above; a URL matches `*`, itself, or a rule
 *   path as a prefix (`/healthz/*` and `/healthz` both match `/healthz/etcd`:
 *   the rule's trailing `*` is dropped and a `/` added).
 * No FlowSchema matching is what Kubernetes' mandatory `catch-all` schema
 * covers: the request goes to `catch-all`.
 *
 * @example
 *   classify({ user: { name: 'kubernetes-admin', groups: ['system:masters'] }, verb: 'list', … }, flowSchemas);
 *   // { flowSchema: 'exempt', priorityLevel: 'exempt' }
 */
import type { KubeObject, RequestInfo, UserInfo } from './backend.ts';

export interface Classification {
  readonly flowSchema: string;
  /** spec.priorityLevelConfiguration.name of the matching FlowSchema. */
  readonly priorityLevel: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** rule.go containsString: x is in the list, or the list is exactly [wildcard]. */
function contains(x: string, list: readonly string[], wildcard: string): boolean {
  if (list.length === 1 && list[0] === wildcard) return true;
  return list.includes(x);
}

const SA_PREFIX = 'system:serviceaccount:';

function matchesSubject(user: UserInfo, subject: Record<string, unknown>): boolean {
  switch (subject.kind) {
    case 'User': {
      const name = rec(subject.user).name;
      return typeof name === 'string' && (name === '*' || name === user.name);
    }
    case 'Group': {
      const name = rec(subject.group).name;
      if (typeof name !== 'string') return false;
      return name === '*' || user.groups.includes(name);
    }
    case 'ServiceAccount': {
      const sa = rec(subject.serviceAccount);
      const ns = sa.namespace;
      const name = sa.name;
      if (typeof ns !== 'string' || typeof name !== 'string') return false;
      if (name === '*') return user.name.startsWith(`${SA_PREFIX}${ns}:`);
      return user.name === `${SA_PREFIX}${ns}:${name}`;
    }
    default:
      return false;
  }
}

function matchesResourceRule(r: RequestInfo, rule: Record<string, unknown>): boolean {
  if (!contains(r.verb, strings(rule.verbs), '*')) return false;
  if (!contains(r.resource, strings(rule.resources), '*')) return false;
  if (!contains(r.apiGroup, strings(rule.apiGroups), '*')) return false;
  if (r.namespace === undefined || r.namespace === '') return rule.clusterScope === true;
  return contains(r.namespace, strings(rule.namespaces), '*');
}

function matchesNonResourceUrl(rules: readonly string[], path: string): boolean {
  for (const rulePath of rules) {
    if (rulePath === '*' || rulePath === path) return true;
    let prefix = rulePath.endsWith('*') ? rulePath.slice(0, -1) : rulePath;
    if (!prefix.endsWith('/')) prefix += '/';
    if (path.startsWith(prefix)) return true;
  }
  return false;
}

function matchesRule(r: RequestInfo, rule: Record<string, unknown>): boolean {
  const subjects = Array.isArray(rule.subjects) ? rule.subjects.map(rec) : [];
  if (!subjects.some((s) => matchesSubject(r.user, s))) return false;
  if (r.nonResource === true) {
    const rules = Array.isArray(rule.nonResourceRules) ? rule.nonResourceRules.map(rec) : [];
    return rules.some((x) => contains(r.verb, strings(x.verbs), '*') && matchesNonResourceUrl(strings(x.nonResourceURLs), r.resource));
  }
  const rules = Array.isArray(rule.resourceRules) ? rule.resourceRules.map(rec) : [];
  return rules.some((x) => matchesResourceRule(r, x));
}

function nameOf(o: KubeObject): string {
  const n = rec(o.metadata).name;
  return typeof n === 'string' ? n : '';
}

function precedenceOf(o: KubeObject): number {
  const p = rec(o.spec).matchingPrecedence;
  // The API server defaults an unset matchingPrecedence to 1000 (flowcontrol v1 defaults).
  return typeof p === 'number' ? p : 1000;
}

/** The FlowSchemas in the order the API server tries them. */
export function orderFlowSchemas(flowSchemas: readonly KubeObject[]): KubeObject[] {
  return [...flowSchemas].sort((a, b) => precedenceOf(a) - precedenceOf(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
}

/** The first FlowSchema (in order) that matches the request; catch-all when none does. */
export function classify(request: RequestInfo, ordered: readonly KubeObject[]): Classification {
  const f = classifyFlow(request, ordered);
  return { flowSchema: f.flowSchema, priorityLevel: f.priorityLevel };
}

/** A classification with the request's APF flow: its FlowSchema and flow distinguisher. */
export interface FlowClassification extends Classification {
  /**
   * apf_controller.go computeFlowDistinguisher: the user's name with `distinguisherMethod.type:
   * ByUser`, the request's namespace with `ByNamespace`, else ''.
   */
  readonly distinguisher: string;
}

function distinguisherOf(request: RequestInfo, spec: Record<string, unknown>): string {
  const t = rec(spec.distinguisherMethod).type;
  if (t === 'ByUser') return request.user.name;
  if (t === 'ByNamespace') return request.namespace ?? '';
  return '';
}

/** classify, with the flow distinguisher of the matching FlowSchema. */
export function classifyFlow(request: RequestInfo, ordered: readonly KubeObject[]): FlowClassification {
  for (const fs of ordered) {
    const spec = rec(fs.spec);
    const rules = Array.isArray(spec.rules) ? spec.rules.map(rec) : [];
    if (!rules.some((rule) => matchesRule(request, rule))) continue;
    const level = rec(spec.priorityLevelConfiguration).name;
    return { flowSchema: nameOf(fs), priorityLevel: typeof level === 'string' ? level : 'catch-all', distinguisher: distinguisherOf(request, spec) };
  }
  // Kubernetes' mandatory catch-all FlowSchema distinguishes ByUser (flowcontrol bootstrap/default.go).
  return { flowSchema: 'catch-all', priorityLevel: 'catch-all', distinguisher: request.user.name };
}
