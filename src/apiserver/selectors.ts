/**
 * Label and field selectors as LIST and WATCH take them (`labelSelector`,
 * `fieldSelector`), parsed as k8s.io/apimachinery/pkg/labels/selector.go and
 * pkg/fields/selector.go parse them: label requirements `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas; field
 * requirements `f=v`, `f==v`, `f!=v`. Fields: metadata.name and
 * metadata.namespace for every resource, spec.nodeName and status.phase for
 * pods; any other field is refused, as kube-apiserver does ("field label not
 * supported").
 *
 * @example
 *   const s = parseLabelSelector('app=agent,tier notin (db)');
 *   matchesLabels(s, { app: 'agent' });   // true
 */

export type LabelRequirement =
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'notexists'; readonly key: string };

export type LabelSelector = readonly LabelRequirement[];

export interface FieldRequirement {
  readonly field: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}
export type FieldSelector = readonly FieldRequirement[];

/** A selector that does not parse: the message is the 400's. */
export class SelectorError extends Error {}

/** Splits at commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(v: string, whole: string): string {
  if (v.length > 63 || !VALUE.test(v)) throw new SelectorError(`unable to parse requirement: invalid label value "${v}" in "${whole}"`);
  return v;
}

export function parseLabelSelector(s: string): LabelSelector {
  const out: LabelRequirement[] = [];
  for (const term of splitTerms(s)) {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set !== null) {
      const values = (set[3] ?? '').split(',').map((v) => checkValue(v.trim(), s));
      out.push({ op: set[2] === 'in' ? 'in' : 'notin', key: checkKey(set[1] ?? '', s), values });
      continue;
    }
    const cmp = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
    if (cmp !== null) {
      out.push({ op: cmp[2] === '!=' ? 'neq' : 'eq', key: checkKey(cmp[1] ?? '', s), value: checkValue(cmp[3] ?? '', s) });
      continue;
    }
    if (term.startsWith('!')) {
      out.push({ op: 'notexists', key: checkKey(term.slice(1).trim(), s) });
      continue;
    }
    out.push({ op: 'exists', key: checkKey(term, s) });
  }
  return out;
}

export function matchesLabels(sel: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const r of sel) {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        if (v !== r.value) return false;
        break;
      case 'neq':
        if (v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case 'notexists':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

/** The fields each resource can be selected by (metadata.name and metadata.namespace: all). */
const EXTRA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/pods': ['spec.nodeName', 'status.phase'],
  '/events': ['involvedObject.name', 'involvedObject.kind', 'involvedObject.namespace', 'reason', 'type'],
};

export function parseFieldSelector(s: string, group: string, plural: string): FieldSelector {
  const allowed = ['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[`${group}/${plural}`] ?? [])];
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    const m = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (m === null) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    if (!allowed.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    out.push({ field, op: m[2] === '!=' ? 'neq' : 'eq', value: (m[3] ?? '').trim() });
  }
  return out;
}

function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  return typeof cur === 'string' ? cur : '';
}

export function matchesFields(sel: FieldSelector, obj: Record<string, unknown>): boolean {
  for (const r of sel) {
    const v = fieldValue(obj, r.field);
    if ((r.op === 'eq') !== (v === r.value)) return false;
  }
  return true;
}

/** The value a selector requires a field to equal, when it does (a fast path: `metadata.name=x`, `spec.nodeName=n`). */
export function requiredField(sel: FieldSelector, field: string): string | undefined {
  return sel.find((r) => r.field === field && r.op === 'eq')?.value;
}

/** A `matchLabels` + `matchExpressions` selector (LabelSelector in objects: a DaemonSet's selector, a node affinity term's). */
export function objectSelector(sel: unknown): LabelSelector {
  if (sel === null || typeof sel !== 'object') return [];
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const out: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) out.push({ op: 'eq', key, value });
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') out.push({ op: 'in', key: e.key, values: e.values ?? [] });
    else if (e.operator === 'NotIn') out.push({ op: 'notin', key: e.key, values: e.values ?? [] });
    else if (e.operator === 'Exists') out.push({ op: 'exists', key: e.key });
    else if (e.operator === 'DoesNotExist') out.push({ op: 'notexists', key: e.key });
  }
  return out;
}
