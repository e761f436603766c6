/**
 * Which nodes a pod template may run on: its `nodeSelector` (every label
 * equal) and its required node affinity
 * (`affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`:
 * any of the nodeSelectorTerms, each term all of its matchExpressions —
 * In, NotIn, Exists, DoesNotExist, Gt, Lt — and matchFields on
 * `metadata.name`), as the scheduler and the DaemonSet controller evaluate
 * them (kubernetes/kubernetes staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go:
 * terms are ORed, requirements within a term ANDed, an empty term matches
 * nothing; Gt/Lt compare integers). Tolerations and taints are not modelled:
 * the generated nodes have no taints.
 *
 * @example
 *   const sel = nodeSelection(podSpec);
 *   sel.matches('c-node-00001', labels); // true when the DaemonSet runs a pod there
 */

type Labels = Readonly<Record<string, string>>;

export interface NodeSelection {
  /** The template selects every node (no nodeSelector, no required affinity). */
  readonly all: boolean;
  matches(name: string, labels: Labels): boolean;
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function requirement(expr: Record<string, unknown>, value: (key: string) => string | undefined): boolean {
  const key = typeof expr.key === 'string' ? expr.key : '';
  const values = Array.isArray(expr.values) ? expr.values.filter((x): x is string => typeof x === 'string') : [];
  const v = value(key);
  switch (expr.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || values.length !== 1 || !/^-?\d+$/.test(v) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      const a = Number(v);
      const b = Number(values[0]);
      return expr.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** The selection of a pod spec (`spec.template.spec` of a DaemonSet). */
export function nodeSelection(podSpec: unknown): NodeSelection {
  const spec = rec(podSpec);
  const selector = Object.entries(rec(spec.nodeSelector)).filter((e): e is [string, string] => typeof e[1] === 'string');
  const required = rec(rec(rec(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const terms = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms.map(rec) : undefined;
  const all = selector.length === 0 && terms === undefined;
  return {
    all,
    matches(name: string, labels: Labels): boolean {
      for (const [k, v] of selector) if (labels[k] !== v) return false;
      if (terms === undefined) return true;
      return terms.some((t) => {
        const exprs = Array.isArray(t.matchExpressions) ? t.matchExpressions.map(rec) : [];
        const fields = Array.isArray(t.matchFields) ? t.matchFields.map(rec) : [];
        if (exprs.length === 0 && fields.length === 0) return false;
        return exprs.every((e) => requirement(e, (k) => labels[k])) && fields.every((e) => requirement(e, (k) => (k === 'metadata.name' ? name : undefined)));
      });
    },
  };
}
