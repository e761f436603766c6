/**
 * RBAC of the input: what a service account may do, and at what scope. A
 * ClusterRoleBinding grants its (Cluster)Role's rules in every namespace; a
 * RoleBinding only in its own namespace. Subjects match a service account by
 * kind ServiceAccount, by its user name (system:serviceaccount:<ns>:<name>),
 * or by the groups every service account is in (system:serviceaccounts,
 * system:serviceaccounts:<ns>, system:authenticated). Aggregated ClusterRoles
 * (aggregationRule) collect the rules of the ClusterRoles their selectors
 * match, transitively (kubernetes.io/docs/reference/access-authn-authz/rbac).
 *
 * Roles a binding names are looked up in the input, then among the roles
 * every cluster bootstraps (bootstrap-roles.ts, generated from the Kubernetes
 * source). What cannot be resolved — a (Cluster)Role in neither, an
 * aggregated ClusterRole whose selectors match no ClusterRole of either — is
 * reported as `unresolved`: the service account's grants are then not known.
 *
 * @example
 *   const rbac = new Rbac(objects, problems);
 *   const r = rbac.resolve('kube-system', 'kube-proxy');
 *   r.grants;       // the rules of system:node-proxier, at cluster scope
 *   r.unresolved;   // []: every binding's role is known
 */
import type { Problem } from '../core/errors.ts';
import { BOOTSTRAP_ROLES } from './bootstrap-roles.ts';
import { ByName, Fields, isObj, key, type KObject } from './objects.ts';
import type { Loc } from './types.ts';

export interface Rule {
  readonly verbs: readonly string[];
  /** Resource names as written ("pods", "*", "pods/log"). */
  readonly resources: readonly string[];
  /** resourceNames restrict the rule to named objects: no list or watch of the collection. */
  readonly named: boolean;
  /** Where resource `j` of the rule is written (the rule itself for -1), found when asked for. */
  at(j: number): Loc;
  /** A rule of a bootstrap role: it has no place in the input; it is located at the binding that grants it. */
  readonly bootstrap?: true;
}

/** A rule of a (Cluster)Role of the input, located in its document. */
class InputRule implements Rule {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly named: boolean;
  readonly #f: Fields;
  readonly #i: number;
  constructor(f: Fields, i: number, verbs: readonly string[], resources: readonly string[], named: boolean) {
    this.verbs = verbs;
    this.resources = resources;
    this.named = named;
    this.#f = f;
    this.#i = i;
  }
  at(j: number): Loc {
    return this.#f.loc(j < 0 ? ['rules', this.#i] : ['rules', this.#i, 'resources', j]);
  }
}

/** A bootstrap role's rule as one binding grants it: located at the binding's roleRef. */
class GrantedRule implements Rule {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  readonly named: boolean;
  readonly bootstrap = true as const;
  readonly #at: () => Loc;
  constructor(rule: Rule, at: () => Loc) {
    this.verbs = rule.verbs;
    this.resources = rule.resources;
    this.named = rule.named;
    this.#at = at;
  }
  at(): Loc {
    return this.#at();
  }
}

export interface Grant {
  readonly rule: Rule;
  /** null: every namespace (ClusterRoleBinding); else the RoleBinding's namespace. */
  readonly namespace: string | null;
  readonly role: string;
  readonly binding: string;
}

/** A binding naming the service account. */
export interface BindingRef {
  readonly binding: string;
  /** "ClusterRole view", "Role shop/reader". */
  readonly role: string;
  /** The role's rules are known (in the input, or a bootstrap role). */
  readonly roleFound: boolean;
  /** The role is one every cluster bootstraps (not in the input). */
  readonly bootstrap: boolean;
}

/** A binding whose role's rules cannot be known from the input. */
export interface Unresolved {
  readonly binding: string;
  readonly role: string;
  /** The binding's roleRef.name. */
  readonly at: Loc;
  /** Why, for messages: "is neither in the input nor one of the roles every cluster bootstraps". */
  readonly why: string;
}

export interface Resolution {
  readonly grants: readonly Grant[];
  readonly bindings: readonly BindingRef[];
  readonly unresolved: readonly Unresolved[];
}

interface Role {
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
  readonly source: 'input' | 'bootstrap';
  readonly rules: readonly Rule[];
  readonly labels: Readonly<Record<string, string>>;
  readonly selectors: readonly Readonly<Record<string, string>>[];
}

interface Binding {
  readonly o: KObject;
  readonly f: Fields;
  readonly cluster: boolean;
  readonly subjects: Subject[];
  /** "ClusterRoleBinding x", "RoleBinding ns/x". */
  readonly name: string;
  /** Its roleRef, once read without a problem (a problem is reported each time it is read). */
  role?: RoleRef;
}

const nowhere = (): Loc => ({ file: '<bootstrap>', line: 1, column: 1 });

export class Rbac {
  /**
   * Roles by namespace and name (ClusterRoles under ""): the input's, which win over the bootstrap
   * ones, as indexes into #roleList, which keeps them in the order first set (a role replaced keeps its
   * place: aggregation meets them in that order).
   */
  readonly #roles = new ByName<number>();
  readonly #roleList: Role[] = [];
  readonly #bindings: Binding[] = [];
  readonly #resolved = new ByName<Resolution>();
  readonly #effective = new Map<Role, { rules: readonly Rule[]; unknown: string | undefined }>();
  /** Bindings by subject: service accounts by namespace and name, groups and users by name. */
  readonly #bySa = new ByName<number[]>();
  readonly #byGroup = new Map<string, number[]>();
  readonly #byUser = new Map<string, number[]>();
  readonly #serviceAccounts = new ByName<KObject>();
  /** automountServiceAccountToken on the ServiceAccount, when set. */
  readonly #automount = new ByName<boolean>();

  #setRole(namespace: string, name: string, role: Role): void {
    const i = this.#roles.get(namespace, name);
    if (i !== undefined) this.#roleList[i] = role;
    else {
      this.#roles.set(namespace, name, this.#roleList.length);
      this.#roleList.push(role);
    }
  }

  constructor(objects: readonly KObject[], problems: Problem[]) {
    for (const [namespace, role] of bootstrapRoles()) this.#setRole(namespace, role.name, role);
    for (let oi = 0; oi < objects.length; oi++) {
      const o = objects[oi] as KObject;
      switch (o.kind) {
        case 'ServiceAccount': {
          this.#serviceAccounts.set(o.namespace, o.name, o);
          const a = o.value.automountServiceAccountToken;
          if (typeof a === 'boolean') this.#automount.set(o.namespace, o.name, a);
          break;
        }
        case 'Role':
        case 'ClusterRole': {
          const f = new Fields(o, problems);
          const rules = readRules(f);
          const selectors: Record<string, string>[] = [];
          (f.list(['aggregationRule', 'clusterRoleSelectors']) ?? []).forEach((_, i) => selectors.push(f.stringMap(['aggregationRule', 'clusterRoleSelectors', i, 'matchLabels'])));
          this.#setRole(o.kind === 'Role' ? o.namespace : '', o.name, { kind: o.kind, name: o.name, source: 'input', rules, labels: f.stringMap(['metadata', 'labels']), selectors });
          break;
        }
        case 'RoleBinding':
        case 'ClusterRoleBinding': {
          const f = new Fields(o, problems);
          const subjects = readSubjects(f, o);
          const index = this.#bindings.length;
          const cluster = o.kind === 'ClusterRoleBinding';
          this.#bindings.push({ o, f, cluster, subjects, name: `${o.kind} ${cluster ? '' : `${o.namespace}/`}${o.name}` });
          for (const sub of subjects) {
            const l = sub.kind === 'ServiceAccount' ? this.#bySa.get(sub.namespace ?? '', sub.name) : (sub.kind === 'Group' ? this.#byGroup : this.#byUser).get(sub.name);
            if (l === undefined) {
              if (sub.kind === 'ServiceAccount') this.#bySa.set(sub.namespace ?? '', sub.name, [index]);
              else (sub.kind === 'Group' ? this.#byGroup : this.#byUser).set(sub.name, [index]);
            } else if (l[l.length - 1] !== index) l.push(index);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  serviceAccount(namespace: string, name: string): KObject | undefined {
    return this.#serviceAccounts.get(namespace, name);
  }

  /** automountServiceAccountToken as the input's ServiceAccount sets it (undefined: not set, or not in the input). */
  automount(namespace: string, name: string): boolean | undefined {
    return this.#automount.get(namespace, name);
  }

  /** Whether the bindings of the input name this service account at all (directly or through its groups). */
  hasBindings(namespace: string, sa: string): boolean {
    return this.#bindingsOf(namespace, sa).length > 0;
  }

  /**
   * A role's rules with aggregation applied: its own, plus (transitively) those
   * of every ClusterRole its selectors match. `unknown` says why they cannot be
   * known (an aggregation that matches nothing the analyzer has).
   */
  #effectiveRules(role: Role, visiting: Set<Role> = new Set()): { rules: readonly Rule[]; unknown: string | undefined } {
    const cached = this.#effective.get(role);
    if (cached !== undefined) return cached;
    if (role.selectors.length === 0) {
      const r = { rules: role.rules, unknown: undefined };
      this.#effective.set(role, r);
      return r;
    }
    visiting.add(role);
    const out = [...role.rules];
    let matched = 0;
    for (const r of this.#roleList) {
      if (r === role || r.kind !== 'ClusterRole' || visiting.has(r)) continue;
      if (!role.selectors.some((sel) => Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => r.labels[k] === v))) continue;
      matched++;
      out.push(...this.#effectiveRules(r, visiting).rules);
    }
    visiting.delete(role);
    const unknown =
      matched === 0 && role.rules.length === 0
        ? `is an aggregated ClusterRole whose aggregationRule (${role.selectors.map((s) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',')).join('; ')}) selects no ClusterRole of the input or of the bootstrap roles: the cluster fills in its rules from roles that are not in the input`
        : undefined;
    const r = { rules: out, unknown };
    // Partial results inside a cycle are not cached; the outermost call is.
    if (visiting.size === 0) this.#effective.set(role, r);
    return r;
  }

  /** Bindings whose subjects include this service account, in input order. */
  #bindingsOf(namespace: string, sa: string): Binding[] {
    const lists: number[][] = [];
    const own = this.#bySa.get(namespace, sa);
    if (own !== undefined) lists.push(own);
    // The groups every service account is in, and its user name (looked up only when the input has any).
    if (this.#byGroup.size > 0) {
      for (const g of ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']) {
        const l = this.#byGroup.get(g);
        if (l !== undefined) lists.push(l);
      }
    }
    if (this.#byUser.size > 0) {
      const l = this.#byUser.get(`system:serviceaccount:${namespace}:${sa}`);
      if (l !== undefined) lists.push(l);
    }
    // Each list is ascending without repeats (bindings are indexed in input order); several are merged.
    const idx = lists.length === 1 ? (lists[0] as number[]) : [...new Set(lists.flat())].sort((a, b) => a - b);
    return idx.map((i) => this.#bindings[i] as Binding);
  }

  /** The service account's grants, the bindings naming it, and what of them cannot be resolved. */
  resolve(namespace: string, sa: string): Resolution {
    const cached = this.#resolved.get(namespace, sa);
    if (cached !== undefined) return cached;
    const grants: Grant[] = [];
    const bindings: BindingRef[] = [];
    const unresolved: Unresolved[] = [];
    for (const b of this.#bindingsOf(namespace, sa)) {
      let ref = b.role;
      if (ref === undefined) {
        const before = b.f.problemCount;
        ref = roleKey(b.f, b.o);
        if (b.f.problemCount === before) b.role = ref;
      }
      const { key: roleAt, label } = ref;
      const ri = roleAt === undefined ? undefined : this.#roles.get(roleAt.namespace, roleAt.name);
      const role = ri === undefined ? undefined : this.#roleList[ri];
      const binding = b.name;
      const refAt = (): Loc => b.f.loc(['roleRef', 'name']);
      const eff = role === undefined ? undefined : this.#effectiveRules(role);
      const found = eff !== undefined && eff.unknown === undefined;
      bindings.push({ binding, role: label, roleFound: found, bootstrap: role?.source === 'bootstrap' });
      if (role === undefined || eff === undefined) {
        unresolved.push({ binding, role: label, at: refAt(), why: `is neither in the input nor one of the roles every Kubernetes cluster bootstraps` });
        continue;
      }
      if (eff.unknown !== undefined) unresolved.push({ binding, role: label, at: refAt(), why: eff.unknown });
      for (const rule of eff.rules) {
        const r = rule.bootstrap === true ? new GrantedRule(rule, refAt) : rule;
        grants.push({ rule: r, namespace: b.cluster ? null : b.o.namespace, role: label, binding });
      }
    }
    const r = { grants, bindings, unresolved };
    this.#resolved.set(namespace, sa, r);
    return r;
  }
}

function readRules(f: Fields): Rule[] {
  const rules: Rule[] = [];
  (f.list(['rules']) ?? []).forEach((r, i) => {
    if (!isObj(r)) {
      f.problem(['rules', i], 'expected a rule (a mapping with apiGroups, resources and verbs)');
      return;
    }
    const resources = strings(f, r.resources, i, 'resources');
    const verbs = strings(f, r.verbs, i, 'verbs');
    rules.push(new InputRule(f, i, verbs, resources, r.resourceNames != null && f.stringsOf(r.resourceNames, () => ['rules', i, 'resourceNames']).length > 0));
  });
  return rules;
}

/** Field `field` of rule `i` as a list of strings (Fields.stringsOf), the document's own list when it is one. */
function strings(f: Fields, v: unknown, i: number, field: string): readonly string[] {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return f.stringsOf(v, () => ['rules', i, field]);
}

/** The roles every cluster bootstraps, with their namespace ("" for ClusterRoles), made once. */
let bootstrap: readonly (readonly [string, Role])[] | undefined;
function bootstrapRoles(): readonly (readonly [string, Role])[] {
  bootstrap ??= BOOTSTRAP_ROLES.map((b) => {
    const rules: Rule[] = b.rules.map(([verbs, , resources, names]) => ({
      verbs: verbs.split(','),
      resources: resources.split(','),
      named: names !== undefined && names !== '',
      at: nowhere,
      bootstrap: true,
    }));
    return [b.kind === 'Role' ? (b.namespace ?? '') : '', { kind: b.kind, name: b.name, source: 'bootstrap', rules, labels: b.labels ?? {}, selectors: b.aggregate ?? [] }] as const;
  });
  return bootstrap;
}

/** A binding's roleRef: where its role is (namespace "" for a ClusterRole; none that can be found), and its label. */
interface RoleRef {
  readonly key: { readonly namespace: string; readonly name: string } | undefined;
  readonly label: string;
}

function roleKey(f: Fields, o: KObject): RoleRef {
  const kind = f.str(['roleRef', 'kind']);
  const name = f.str(['roleRef', 'name']);
  if (name === undefined) {
    f.problem(['roleRef'], `${o.kind} needs roleRef.kind and roleRef.name`);
    return { key: undefined, label: '?' };
  }
  if (kind === 'ClusterRole') return { key: { namespace: '', name }, label: `ClusterRole ${name}` };
  if (kind === 'Role') return { key: o.kind === 'RoleBinding' ? { namespace: o.namespace, name } : undefined, label: `Role ${o.namespace}/${name}` };
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
  (f.list(['subjects']) ?? []).forEach((s, i) => {
    // Strings are taken as they are; anything else goes to Fields, with its path made then.
    const k = key(s, 'kind');
    const n = key(s, 'name');
    const ns = key(s, 'namespace');
    const kind = (typeof k === 'string' ? k : f.strOf(k, () => ['subjects', i, 'kind'])) ?? '';
    const name = (typeof n === 'string' ? n : f.strOf(n, () => ['subjects', i, 'name'])) ?? '';
    const namespace = (typeof ns === 'string' ? ns : f.strOf(ns, () => ['subjects', i, 'namespace'])) ?? (o.kind === 'RoleBinding' ? o.namespace : undefined);
    out.push({ kind, name, namespace });
  });
  return out;
}

/** Whether a rule allows `verb` on `resource` (a collection, not named objects, when listing or watching). */
export function ruleAllows(rule: Rule, verb: string, resource: string): boolean {
  if (!(rule.verbs.includes('*') || rule.verbs.includes(verb))) return false;
  if (rule.named && (verb === 'list' || verb === 'watch')) return false;
  return rule.resources.some((r) => r === '*' || r === resource);
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
