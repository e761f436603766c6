/**
 * Where a DaemonSet's pods run: the nodes its pod template's `nodeSelector`
 * and required node affinity (`requiredDuringSchedulingIgnoredDuringExecution`
 * nodeSelectorTerms: any term, all of its matchExpressions; In, NotIn,
 * Exists, DoesNotExist, Gt, Lt) match — k8s.io/component-helpers
 * scheduling/corev1/nodeaffinity. Taints and tolerations are not modelled
 * (generated nodes have none).
 *
 * @example
 *   nodeMatcher(ds)({ 'kubernetes.io/os': 'linux' });   // true for a DaemonSet selecting linux nodes
 */
import type { KubeObject } from './backend.ts';
import { text } from './json.ts';

type Obj = Record<string, unknown>;

function at(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

function expressionMatches(e: Obj, labels: Readonly<Record<string, string>>): boolean {
  const key = typeof e['key'] === 'string' ? e['key'] : '';
  const values = Array.isArray(e['values']) ? (e['values'] as unknown[]).map(String) : [];
  const v = labels[key];
  switch (e['operator']) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(values[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(values[0]);
    default:
      return false;
  }
}

/** A predicate over node labels: does the workload's pod template place a pod on that node? */
export function nodeMatcher(workload: KubeObject): (labels: Readonly<Record<string, string>>) => boolean {
  const ps = at(workload, 'spec', 'template', 'spec');
  const sel = at(ps, 'nodeSelector');
  const selector = sel !== null && typeof sel === 'object' ? Object.entries(sel as Obj).map(([k, v]) => [k, String(v)] as const) : [];
  const terms = at(ps, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  const termList = Array.isArray(terms) ? (terms as Obj[]) : [];
  return (labels) => {
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    if (termList.length === 0) return true;
    return termList.some((t) => {
      const exprs = Array.isArray(t['matchExpressions']) ? (t['matchExpressions'] as Obj[]) : [];
      return exprs.length > 0 && exprs.every((e) => expressionMatches(e, labels));
    });
  };
}

/** Containers of a workload's pod template, as (name, image). */
export function templateContainers(workload: KubeObject): { name: string; image: string }[] {
  const cs = at(workload, 'spec', 'template', 'spec', 'containers');
  return Array.isArray(cs) ? (cs as Obj[]).map((c) => ({ name: text(c['name']), image: text(c['image']) })) : [];
}

export function templateLabels(workload: KubeObject): Record<string, string> {
  const l = at(workload, 'spec', 'template', 'metadata', 'labels');
  const out: Record<string, string> = {};
  if (l !== null && typeof l === 'object') for (const [k, v] of Object.entries(l as Obj)) out[k] = String(v);
  return out;
}
