/**
 * API Priority and Fairness classification: the priority level a request
 * goes to, by the cluster's FlowSchemas (stored, so that FlowSchemas created
 * through the API take effect), as k8s.io/apiserver/pkg/util/flowcontrol
 * (apf_controller.go `Match`, rule.go `matchesFlowSchema`) decides it: the
 * schemas in increasing matchingPrecedence (then name), the first whose rule
 * matches the request's subject and its resource or non-resource URL.
 *
 * @example
 *   classify(store, request);   // 'workload-low' for a service account's LIST
 */
import type { ObjectReader, RequestInfo, UserInfo } from './backend.ts';
import { text } from './json.ts';

type Obj = Record<string, unknown>;

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function subjectMatches(s: Obj, user: UserInfo): boolean {
  const kind = s['kind'];
  if (kind === 'User') {
    const n = (s['user'] as Obj | undefined)?.['name'];
    return n === '*' || n === user.name;
  }
  if (kind === 'Group') {
    const n = (s['group'] as Obj | undefined)?.['name'];
    return n === '*' || (typeof n === 'string' && user.groups.includes(n));
  }
  if (kind === 'ServiceAccount') {
    const sa = (s['serviceAccount'] as Obj | undefined) ?? {};
    const prefix = `system:serviceaccount:${String(sa['namespace'])}:`;
    if (!user.name.startsWith(prefix)) return false;
    return sa['name'] === '*' || user.name === `${prefix}${String(sa['name'])}`;
  }
  return false;
}

function has(list: readonly string[], v: string): boolean {
  return list.includes('*') || list.includes(v);
}

function resourceRuleMatches(r: Obj, req: RequestInfo): boolean {
  if (!has(strs(r['verbs']), req.verb)) return false;
  if (!has(strs(r['apiGroups']), req.apiGroup)) return false;
  if (!has(strs(r['resources']), req.resource)) return false;
  if (req.namespace === undefined || req.namespace === '') return r['clusterScope'] === true;
  return has(strs(r['namespaces']), req.namespace);
}

function nonResourceRuleMatches(r: Obj, req: RequestInfo): boolean {
  if (!has(strs(r['verbs']), req.verb)) return false;
  return strs(r['nonResourceURLs']).some((u) => u === '*' || u === req.resource || (u.endsWith('/*') && req.resource.startsWith(u.slice(0, -1))));
}

/** The priority level of a request ('catch-all' when no schema matches, as the mandatory catch-all schema ensures). */
export function classify(objects: ObjectReader, req: RequestInfo): string {
  const schemas = objects
    .list('flowcontrol.apiserver.k8s.io', 'flowschemas')
    .map((f) => ({ f, p: Number((f['spec'] as Obj | undefined)?.['matchingPrecedence'] ?? 1000), n: text((f['metadata'] as Obj | undefined)?.['name']) }))
    .sort((a, b) => a.p - b.p || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  for (const { f } of schemas) {
    const spec = (f['spec'] as Obj | undefined) ?? {};
    for (const rule of arr(spec['rules'])) {
      if (!arr(rule['subjects']).some((s) => subjectMatches(s, req.user))) continue;
      const ok = req.nonResource === true ? arr(rule['nonResourceRules']).some((r) => nonResourceRuleMatches(r, req)) : arr(rule['resourceRules']).some((r) => resourceRuleMatches(r, req));
      if (ok) return text((spec['priorityLevelConfiguration'] as Obj | undefined)?.['name'], 'catch-all');
    }
  }
  return 'catch-all';
}
