/**
 * Writes src/analyzer/bootstrap-roles.ts and src/analyzer/bootstrap-roles/:
 * the RBAC roles every Kubernetes cluster bootstraps, as compact tables, one
 * file per golden file (cluster-roles.ts, controller-roles.ts,
 * namespace-roles.ts, each well under 600 lines), their type (role.ts), and
 * BOOTSTRAP_ROLES joining them in bootstrap-roles.ts — from the golden files
 * the bootstrap policy is tested against in kubernetes/kubernetes,
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/:
 * cluster-roles.yaml (cluster-admin, admin/edit/view and their
 * system:aggregate-to-* parts, system:node-proxier, system:kube-dns, …),
 * controller-roles.yaml (system:controller:*) and namespace-roles.yaml (the
 * bootstrap Roles of kube-system and kube-public).
 *
 * The files are read from a directory (fetch them at a commit of
 * kubernetes/kubernetes, e.g. from
 * https://raw.githubusercontent.com/kubernetes/kubernetes/<commit>/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml),
 * and the commit each came from is written into the generated files' headers:
 *
 *   node scripts/make-bootstrap-roles.ts <dir> <cluster-roles commit> <controller-roles commit> <namespace-roles commit> [--out <root>]
 *
 * (`--out`: write under <root> instead of the current directory;
 * test/analyzer/bootstrap-roles.test.ts uses it to check that the committed
 * files are what this script writes.)
 *
 * Kept per rule: verbs, API groups, resources and whether resourceNames
 * restrict it (named objects are not collections). nonResourceURLs rules
 * (/healthz, /metrics) grant no API object and are left out; of the labels,
 * only the aggregate-to-* ones (they decide aggregation) are kept.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';

const FILES = ['cluster-roles', 'controller-roles', 'namespace-roles'] as const;
const SOURCE = 'kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata';
const ENTRY = 'src/analyzer/bootstrap-roles.ts';
const DIR = 'src/analyzer/bootstrap-roles';
/** The constant each golden file's roles are exported as. */
const CONSTANT: Readonly<Record<(typeof FILES)[number], string>> = {
  'cluster-roles': 'CLUSTER_ROLES',
  'controller-roles': 'CONTROLLER_ROLES',
  'namespace-roles': 'NAMESPACE_ROLES',
};

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const root = outAt >= 0 ? args[outAt + 1] : '.';
const [dir, ...commits] = outAt >= 0 ? [...args.slice(0, outAt), ...args.slice(outAt + 2)] : args;
if (dir === undefined || root === undefined || commits.length !== FILES.length || commits.some((c) => !/^[0-9a-f]{40}$/.test(c))) {
  process.stderr.write('usage: node scripts/make-bootstrap-roles.ts <dir> <cluster-roles commit> <controller-roles commit> <namespace-roles commit> [--out <root>] (40-hex commits)\n');
  process.exit(2);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const lines = new Map<(typeof FILES)[number], string[]>();
let roles = 0;
let rules = 0;
for (const name of FILES) {
  const out: string[] = [];
  lines.set(name, out);
  const list = load(readFileSync(join(dir, `${name}.yaml`), 'utf8'));
  if (!isObj(list) || list.kind !== 'List' || !Array.isArray(list.items)) throw new Error(`${name}.yaml: expected a kind: List`);
  for (const item of list.items) {
    if (!isObj(item) || !isObj(item.metadata)) throw new Error(`${name}.yaml: an item is not an object`);
    const kind = item.kind;
    const roleName = item.metadata.name;
    if ((kind !== 'ClusterRole' && kind !== 'Role') || typeof roleName !== 'string') throw new Error(`${name}.yaml: unexpected item ${JSON.stringify(kind)}`);
    const namespace = typeof item.metadata.namespace === 'string' ? item.metadata.namespace : undefined;
    const labels = Object.fromEntries(Object.entries(isObj(item.metadata.labels) ? item.metadata.labels : {}).filter(([k, v]) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-') && typeof v === 'string'));
    const selectors = isObj(item.aggregationRule) && Array.isArray(item.aggregationRule.clusterRoleSelectors) ? item.aggregationRule.clusterRoleSelectors.map((s) => (isObj(s) && isObj(s.matchLabels) ? s.matchLabels : {})) : [];
    const rs: string[] = [];
    for (const r of Array.isArray(item.rules) ? item.rules : []) {
      if (!isObj(r) || !Array.isArray(r.resources)) continue; // nonResourceURLs
      const named = strings(r.resourceNames);
      const tuple = [strings(r.verbs).join(','), strings(r.apiGroups).join(','), strings(r.resources).join(','), ...(named.length > 0 ? [named.join(',')] : [])];
      rs.push(`[${tuple.map((x) => quote(x)).join(', ')}]`);
      rules++;
    }
    roles++;
    const fields = [
      `kind: '${kind}'`,
      `name: ${quote(roleName)}`,
      ...(namespace !== undefined ? [`namespace: ${quote(namespace)}`] : []),
      ...(Object.keys(labels).length > 0 ? [`labels: ${objText(labels)}`] : []),
      ...(selectors.length > 0 ? [`aggregate: [${selectors.map(objText).join(', ')}]`] : []),
      `rules: [${rs.length > 0 ? `\n      ${rs.join(',\n      ')},\n    ` : ''}]`,
    ];
    out.push(`  {\n    ${fields.join(',\n    ')},\n  },`);
  }
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
function objText(o: Obj): string {
  return `{ ${Object.entries(o).map(([k, v]) => `${quote(k)}: ${quote(String(v))}`).join(', ')} }`;
}

const TYPES = `/**
 * The shape of a bootstrap role (see ../bootstrap-roles.ts).
 * GENERATED by scripts/make-bootstrap-roles.ts — edit the script, not this file.
 *
 * @example
 *   const rule: BootstrapRule = ['list,watch', '', 'endpoints,services'];
 */
export type BootstrapRule = readonly [verbs: string, apiGroups: string, resources: string, resourceNames?: string];

export interface BootstrapRole {
  readonly kind: 'ClusterRole' | 'Role';
  readonly name: string;
  /** Roles only. */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** aggregationRule.clusterRoleSelectors[].matchLabels */
  readonly aggregate?: readonly Readonly<Record<string, string>>[];
  readonly rules: readonly BootstrapRule[];
}
`;

const entry = `/**
 * The RBAC roles every Kubernetes cluster bootstraps: ${roles} roles, ${rules} resource rules.
 * GENERATED by scripts/make-bootstrap-roles.ts — edit the script, not this file.
 *
 * Source: ${SOURCE}/
 *   cluster-roles.yaml    @ ${commits[0] ?? ''}
 *   controller-roles.yaml @ ${commits[1] ?? ''}
 *   namespace-roles.yaml  @ ${commits[2] ?? ''}
 * (the golden files the API server's bootstrap policy is tested against),
 * one table per file in bootstrap-roles/.
 *
 * A rule is [verbs, apiGroups, resources, resourceNames?], each a comma-separated
 * list ('' is the core group). nonResourceURLs rules are left out; of the labels
 * only the aggregate-to-* ones are kept. Roles with \`aggregate\` take the rules of
 * every ClusterRole whose labels match a selector (admin ← edit ← view ←
 * system:aggregate-to-*), as the cluster's aggregation controller does.
 *
 * @example
 *   BOOTSTRAP_ROLES.find((r) => r.name === 'system:node-proxier')?.rules[0];   // ['list,watch', '', 'endpoints,services']
 */
${FILES.map((f) => `import { ${CONSTANT[f]} } from './bootstrap-roles/${f}.ts';`).join('\n')}
import type { BootstrapRole } from './bootstrap-roles/role.ts';

export type { BootstrapRole, BootstrapRule } from './bootstrap-roles/role.ts';

/** Every bootstrap role, in the order of the golden files. */
export const BOOTSTRAP_ROLES: readonly BootstrapRole[] = [${FILES.map((f) => `...${CONSTANT[f]}`).join(', ')}];
`;

function table(name: (typeof FILES)[number], commit: string): string {
  return `/**
 * The bootstrap roles of ${name}.yaml (${SOURCE}/${name}.yaml @ ${commit}).
 * GENERATED by scripts/make-bootstrap-roles.ts — edit the script, not this file.
 * Format: ../bootstrap-roles.ts.
 */
import type { BootstrapRole } from './role.ts';

export const ${CONSTANT[name]}: readonly BootstrapRole[] = [
${(lines.get(name) ?? []).join('\n')}
];
`;
}

const written: string[] = [];
const write = (path: string, text: string): void => {
  const at = join(root, path);
  mkdirSync(dirname(at), { recursive: true });
  writeFileSync(at, text);
  written.push(path);
};
write(ENTRY, entry);
write(`${DIR}/role.ts`, TYPES);
FILES.forEach((f, i) => write(`${DIR}/${f}.ts`, table(f, commits[i] ?? '')));
process.stdout.write(`wrote ${written.join(', ')}: ${roles} roles, ${rules} rules\n`);
