/**
 * RBAC of the input: what a service account may do, and at what scope. A
 * ClusterRoleBinding grants its (Cluster)Role's rules in every namespace; a
 * RoleBinding only in its own namespace. Subjects match a service account by
 * kind ServiceAccount, by its user name (system:serviceaccount:<ns>:<name>),
 * or by the groups every service account is in (system:serviceaccounts,
 * system:serviceaccounts:<ns>, system:authenticated). Aggregated ClusterRoles
 * (aggregationRule) collect the rules of the ClusterRoles their selectors
 * match. (kubernetes.io/docs/reference/access-authn-authz/rbac)
 */
import type { Problem } from '../core/errors.ts';
import { Fields, isObj, type KObject } from './objects.ts';
import type { Loc } from './types.ts';

export interface Rule {
  readonly verbs: ReadonlySet<string>;
  /** Resource names as written ("pods", "*", "pods/log"); positions are found when asked for. */
  readonly resources: readonly { readonly name: string; readonly at: () => Loc }[];
  /** resourceNames restrict the rule to named objects: no list or watch of the collection. */
  readonly named: boolean;
  readonly at: () => Loc;
}

export interface Grant {
  readonly rule: Rule;
  /** null: every namespace (ClusterRoleBinding); else the RoleBinding's namespace. */
  readonly namespace: string | null;
  readonly role: string;
  readonly binding: string;
}

interface Role {
  readonly o: KObject;
  readonly rules: readonly Rule[];
  readonly labels: Readonly<Record<string, string>>;
  readonly selectors: readonly Readonly<Record<string, string>>[];
}

export class Rbac {
  readonly #roles = new Map<string, Role>(); // "ns/name" for Roles, "/name" for ClusterRoles
  readonly #bindings: { o: KObject; f: Fields; cluster: boolean; subjects: Subject[] }[] = [];
  readonly #grantsCache = new Map<string, Grant[]>();
  /** Bindings by subject: "sa:<ns>/<name>", "group:<name>", "user:<name>". */
  readonly #bySubject = new Map<string, number[]>();
  readonly #serviceAccounts = new Map<string, KObject>();
  readonly #bootstrap = new Map<string, readonly Rule[]>();
  /** automountServiceAccountToken: false on the ServiceAccount. */
  readonly #noToken = new Set<string>();

  constructor(objects: readonly KObject[], problems: Problem[]) {
    // Bootstrap ClusterRoles every cluster has (kubernetes.io/docs/reference/access-authn-authz/rbac, "Default roles"); the input's win.
    const nowhere = (): Loc => ({ file: '<bootstrap>', line: 1, column: 1 });
    const everything: Rule = { verbs: new Set(['*']), resources: [{ name: '*', at: nowhere }], named: false, at: nowhere };
    const read: Rule = { ...everything, verbs: new Set(['get', 'list', 'watch']) };
    for (const [name, rules] of [['cluster-admin', [everything]], ['admin', [everything]], ['edit', [everything]], ['view', [read]]] as const) {
      this.#bootstrap.set(`/${name}`, rules);
    }
    for (const o of objects) {
      const f = new Fields(o, problems);
      switch (o.kind) {
        case 'ServiceAccount':
          this.#serviceAccounts.set(`${o.namespace}/${o.name}`, o);
          if (f.get(['automountServiceAccountToken']) === false) this.#noToken.add(`${o.namespace}/${o.name}`);
          break;
        case 'Role':
        case 'ClusterRole': {
          const rules = readRules(f);
          const selectors: Record<string, string>[] = [];
          (f.list(['aggregationRule', 'clusterRoleSelectors']) ?? []).forEach((_, i) => selectors.push(f.stringMap(['aggregationRule', 'clusterRoleSelectors', i, 'matchLabels'])));
          this.#roles.set(o.kind === 'Role' ? `${o.namespace}/${o.name}` : `/${o.name}`, { o, rules, labels: f.stringMap(['metadata', 'labels']), selectors });
          break;
        }
        case 'RoleBinding':
        case 'ClusterRoleBinding':
          {
            const subjects = readSubjects(f, o);
            const index = this.#bindings.length;
            this.#bindings.push({ o, f, cluster: o.kind === 'ClusterRoleBinding', subjects });
            for (const sub of subjects) {
              const key = sub.kind === 'ServiceAccount' ? `sa:${sub.namespace ?? ''}/${sub.name}` : sub.kind === 'Group' ? `group:${sub.name}` : `user:${sub.name}`;
              const l = this.#bySubject.get(key);
              if (l === undefined) this.#bySubject.set(key, [index]);
              else if (l[l.length - 1] !== index) l.push(index);
            }
          }
          break;
        default:
          break;
      }
    }
  }

  serviceAccount(namespace: string, name: string): KObject | undefined {
    return this.#serviceAccounts.get(`${namespace}/${name}`);
  }

  tokenDisabled(namespace: string, name: string): boolean {
    return this.#noToken.has(`${namespace}/${name}`);
  }

  #rulesOf(role: Role): Rule[] {
    if (role.selectors.length === 0) return [...role.rules];
    const out = [...role.rules];
    for (const r of this.#roles.values()) {
      if (r === role || r.o.kind !== 'ClusterRole') continue;
      if (role.selectors.some((sel) => Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => r.labels[k] === v))) out.push(...r.rules);
    }
    return out;
  }

  /** Bindings whose subjects include this service account, in input order. */
  #bindingsOf(namespace: string, sa: string): { o: KObject; f: Fields; cluster: boolean; subjects: Subject[] }[] {
    const idx = new Set<number>();
    for (const key of [`sa:${namespace}/${sa}`, 'group:system:serviceaccounts', `group:system:serviceaccounts:${namespace}`, 'group:system:authenticated', `user:system:serviceaccount:${namespace}:${sa}`]) {
      for (const i of this.#bySubject.get(key) ?? []) idx.add(i);
    }
    return [...idx].sort((a, b) => a - b).map((i) => this.#bindings[i] as { o: KObject; f: Fields; cluster: boolean; subjects: Subject[] });
  }

  /** Bindings naming this service account (whether their role is in the input or not). */
  bindingsFor(namespace: string, sa: string): { readonly binding: string; readonly role: string; readonly roleFound: boolean }[] {
    const out: { binding: string; role: string; roleFound: boolean }[] = [];
    for (const b of this.#bindingsOf(namespace, sa)) {
      const { key, label } = roleKey(b.f, b.o);
      out.push({ binding: `${b.o.kind} ${b.cluster ? '' : `${b.o.namespace}/`}${b.o.name}`, role: label, roleFound: key !== undefined && (this.#roles.has(key) || this.#bootstrap.has(key)) });
    }
    return out;
  }

  /** Rules granted to the service account, each with its scope. */
  grantsFor(namespace: string, sa: string): Grant[] {
    const cached = this.#grantsCache.get(`${namespace}/${sa}`);
    if (cached !== undefined) return cached;
    const out: Grant[] = [];
    this.#grantsCache.set(`${namespace}/${sa}`, out);
    for (const b of this.#bindingsOf(namespace, sa)) {
      const { key, label } = roleKey(b.f, b.o);
      const role = key === undefined ? undefined : this.#roles.get(key);
      const boot = key !== undefined ? this.#bootstrap.get(key) : undefined;
      const refAt = (): Loc => b.f.loc(['roleRef', 'name']);
      const rules = role !== undefined ? this.#rulesOf(role) : boot?.map((r) => ({ ...r, at: refAt, resources: r.resources.map((x) => ({ ...x, at: refAt })) }));
      if (rules === undefined) continue;
      const binding = `${b.o.kind} ${b.cluster ? '' : `${b.o.namespace}/`}${b.o.name}`;
      for (const rule of rules) out.push({ rule, namespace: b.cluster ? null : b.o.namespace, role: label, binding });
    }
    return out;
  }
}

function readRules(f: Fields): Rule[] {
  const rules: Rule[] = [];
  (f.list(['rules']) ?? []).forEach((r, i) => {
    if (!isObj(r)) {
      f.problem(['rules', i], 'expected a rule (a mapping with apiGroups, resources and verbs)');
      return;
    }
    const resources = f.strings(['rules', i, 'resources']).map((name, j) => ({ name, at: () => f.loc(['rules', i, 'resources', j]) }));
    rules.push({ verbs: new Set(f.strings(['rules', i, 'verbs'])), resources, named: f.strings(['rules', i, 'resourceNames']).length > 0, at: () => f.loc(['rules', i]) });
  });
  return rules;
}

function roleKey(f: Fields, o: KObject): { key: string | undefined; label: string } {
  const kind = f.str(['roleRef', 'kind']);
  const name = f.str(['roleRef', 'name']);
  if (name === undefined) {
    f.problem(['roleRef'], `${o.kind} needs roleRef.kind and roleRef.name`);
    return { key: undefined, label: '?' };
  }
  if (kind === 'ClusterRole') return { key: `/${name}`, label: `ClusterRole ${name}` };
  if (kind === 'Role') return { key: o.kind === 'RoleBinding' ? `${o.namespace}/${name}` : undefined, label: `Role ${o.namespace}/${name}` };
  f.problem(['roleRef', 'kind'], `roleRef.kind must be Role or ClusterRole, got ${kind === undefined ? 'nothing' : JSON.stringify(kind)}`);
  return { key: undefined, label: '?' };
}

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

function readSubjects(f: Fields, o: KObject): Subject[] {
  const out: Subject[] = [];
  (f.list(['subjects']) ?? []).forEach((_, i) => {
    const kind = f.str(['subjects', i, 'kind']) ?? '';
    const name = f.str(['subjects', i, 'name']) ?? '';
    const namespace = f.str(['subjects', i, 'namespace']) ?? (o.kind === 'RoleBinding' ? o.namespace : undefined);
    out.push({ kind, name, namespace });
  });
  return out;
}

/** Whether a rule allows `verb` on `resource` (a collection, not named objects, when listing or watching). */
export function ruleAllows(rule: Rule, verb: string, resource: string): boolean {
  if (!(rule.verbs.has('*') || rule.verbs.has(verb))) return false;
  if (rule.named && (verb === 'list' || verb === 'watch')) return false;
  return rule.resources.some((r) => r.name === '*' || r.name === resource);
}

/**
 * Whether the grants allow the call: list/watch/get… on `resource`, across the
 * cluster (cluster- and node-scoped calls: a fieldSelector on spec.nodeName is
 * still a cluster-wide list) or in each of `namespaces`.
 */
export function grantsAllow(grants: readonly Grant[], verbs: readonly string[], resource: string, namespaces: readonly string[] | null): boolean {
  return verbs.every((verb) => {
    const matching = grants.filter((g) => ruleAllows(g.rule, verb, resource));
    if (matching.some((g) => g.namespace === null)) return true;
    if (namespaces === null) return false;
    return namespaces.every((ns) => matching.some((g) => g.namespace === ns));
  });
}
