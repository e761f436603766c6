/**
 * The kubeconfig files a fleet's clusters are reached through, read and
 * checked before anything is sent: every cluster's context exists, names a
 * cluster and a user of the file; every identity the fleet names (a
 * kubeconfig user, a token file) exists. Problems are located at the
 * cluster's entry of the fleet file (`fleets/live.yaml:7:9:
 * spec.clusters[0].kubeconfig: no context \`prod-a\` in ~/.kube/config`),
 * every one listed at once; a kubeconfig that cannot be read or parsed is a
 * problem in that file.
 *
 * Which file: the cluster's own `kubeconfig.file`, else `--kubeconfig`, else
 * the fleet's `kubeconfig.file`, else the caller's default (kubectl's:
 * the first path of $KUBECONFIG, else ~/.kube/config — the CLI passes it).
 *
 * A cluster of a twin-served fleet carries the extension `firebreak.dev/twin`
 * (`clusters[].cluster.extensions[]`, contracts C): its control endpoint and
 * the twin's name of the cluster.
 *
 * @example
 *   const conns = resolveConnections(fleet.access, { cli: 'out/twin.kubeconfig', fallback: '/home/me/.kube/config' });
 *   conns[0]; // { cluster: 'prod-a', context: 'prod-a', kubeconfig: '…', twin: { control: 'https://127.0.0.1:4431', cluster: 'prod-a' }, … }
 */
import { InputError, type Problem } from '../core/errors.ts';
import { parse } from 'yaml';
import type { ClusterAccess, FleetAccess, IdentityRef } from './fleet-access.ts';
import { readInputFile } from './read.ts';
import { Problems } from './validate.ts';

/** The extension a twin-served cluster carries in its kubeconfig entry. */
export const TWIN_EXTENSION = 'firebreak.dev/twin';

/** One cluster, ready for the Kubernetes adapter: the kubeconfig text, its context, and the two identities. */
export interface Connection {
  readonly cluster: string;
  /** The kubeconfig file (absolute or as given) and its text. */
  readonly file: string;
  readonly kubeconfig: string;
  readonly context: string;
  /** The ordinary identity: a kubeconfig user (default the context's own) or a token. */
  readonly ordinary: ResolvedIdentity;
  readonly breakGlass?: ResolvedIdentity;
  /** The served twin behind this cluster (contracts C), when it is one. */
  readonly twin?: { readonly control: string; readonly cluster: string };
}

/** An identity as the adapter uses it; `context`: the kubeconfig context whose API server its requests go to (default: the cluster's). */
export type ResolvedIdentity = ({ readonly user: string; readonly name: string } | { readonly token: string; readonly name: string }) & { readonly context?: string };

interface KubeconfigDoc {
  readonly contexts: ReadonlyMap<string, { readonly cluster: string; readonly user: string }>;
  readonly clusters: ReadonlyMap<string, { readonly twin?: { readonly control: string; readonly cluster: string } }>;
  readonly users: ReadonlySet<string>;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function named(list: unknown): { readonly name: string; readonly body: Record<string, unknown> }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const r = record(item);
    return r !== undefined && typeof r.name === 'string' ? [{ name: r.name, body: r }] : [];
  });
}

/** The contexts, clusters (with the twin extension) and users of a kubeconfig's text; throws a one-problem InputError when it is not one. */
export function parseKubeconfig(text: string, file: string): KubeconfigDoc {
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    throw new InputError([{ file, path: '', message: `not a kubeconfig: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, hint: 'give a kubeconfig file (`kubectl config view --raw` prints one)' }]);
  }
  const top = record(value);
  if (top === undefined || (top.kind !== undefined && top.kind !== 'Config')) {
    throw new InputError([{ file, path: '', message: 'not a kubeconfig (expected `kind: Config` with clusters, contexts and users)', hint: 'give a kubeconfig file (`kubectl config view --raw` prints one)' }]);
  }
  const contexts = new Map<string, { cluster: string; user: string }>();
  for (const { name, body } of named(top.contexts)) {
    const ctx = record(body.context);
    contexts.set(name, { cluster: typeof ctx?.cluster === 'string' ? ctx.cluster : '', user: typeof ctx?.user === 'string' ? ctx.user : '' });
  }
  const clusters = new Map<string, { twin?: { control: string; cluster: string } }>();
  for (const { name, body } of named(top.clusters)) {
    const twinExt = named(record(body.cluster)?.extensions).find((e) => e.name === TWIN_EXTENSION);
    const ext = record(twinExt?.body.extension);
    clusters.set(name, typeof ext?.control === 'string' && typeof ext.cluster === 'string' ? { twin: { control: ext.control, cluster: ext.cluster } } : {});
  }
  const users = new Set(named(top.users).map((u) => u.name));
  return { contexts, clusters, users };
}

function readToken(file: string, access: ClusterAccess, at: string, problems: Problems): string | undefined {
  try {
    const token = readInputFile(file).trim();
    if (token === '' || /\s/.test(token)) {
      problems.add(access.source, [...access.path, 'identities', at, 'tokenFile'], `token file ${file} does not hold one token (empty, or several words)`, 'put the bearer token alone in the file');
      return undefined;
    }
    return token;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems.add(access.source, [...access.path, 'identities', at, 'tokenFile'], `cannot read the token file: ${e.problems[0]?.message ?? e.message}`);
    return undefined;
  }
}

function resolveIdentity(ref: IdentityRef, access: ClusterAccess, at: 'ordinary' | 'breakGlass', doc: KubeconfigDoc, file: string, problems: Problems): ResolvedIdentity | undefined {
  let where: { readonly context?: string } = {};
  let contextUser = '';
  if (ref.context !== undefined) {
    const ctx = doc.contexts.get(ref.context);
    const cluster = ctx === undefined ? undefined : doc.clusters.get(ctx.cluster);
    if (ctx === undefined || cluster === undefined) {
      const names = [...doc.contexts.keys()];
      problems.add(access.source, [...access.path, 'identities', at, 'context'], ctx === undefined ? `no context \`${ref.context}\` in the kubeconfig ${file}` : `the context \`${ref.context}\` of ${file} names cluster \`${ctx.cluster}\`, which the kubeconfig lacks`, `contexts there: ${names.slice(0, 10).join(', ') || 'none'}${names.length > 10 ? ', …' : ''}`);
      return undefined;
    }
    where = { context: ref.context };
    contextUser = ctx.user;
  }
  if ('user' in ref) {
    if (!doc.users.has(ref.user)) {
      problems.add(access.source, [...access.path, 'identities', at, 'user'], `no user \`${ref.user}\` in the kubeconfig ${file}`, `users there: ${[...doc.users].join(', ') || 'none'}`);
      return undefined;
    }
    return { user: ref.user, name: ref.user, ...where };
  }
  if ('tokenFile' in ref) {
    const token = readToken(ref.tokenFile, access, at, problems);
    return token === undefined ? undefined : { token, name: `token from ${ref.tokenFile}`, ...where };
  }
  if (contextUser === '') {
    problems.add(access.source, [...access.path, 'identities', at, 'context'], `the context \`${ref.context ?? ''}\` of ${file} names no user`, 'give `user` or `tokenFile` beside `context`');
    return undefined;
  }
  return { user: contextUser, name: contextUser, ...where };
}

export interface KubeconfigChoice {
  /** `--kubeconfig`. */
  readonly cli?: string;
  /** kubectl's default ($KUBECONFIG's first path, else ~/.kube/config), used when nothing else names a file. */
  readonly fallback?: string;
}

/** Every cluster's connection; throws one InputError listing every problem, located. */
export function resolveConnections(access: FleetAccess, choice: KubeconfigChoice): Connection[] {
  const problems = new Problems();
  const docs = new Map<string, { text: string; doc: KubeconfigDoc } | null>();
  const load = (file: string): { text: string; doc: KubeconfigDoc } | null => {
    const known = docs.get(file);
    if (known !== undefined) return known;
    let loaded: { text: string; doc: KubeconfigDoc } | null = null;
    try {
      const text = readInputFile(file);
      loaded = { text, doc: parseKubeconfig(text, file) };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems.map((p): Problem => ({ ...p, hint: p.hint ?? 'name the kubeconfig with --kubeconfig, or with `kubeconfig.file` in the fleet' })));
    }
    docs.set(file, loaded);
    return loaded;
  };
  const out: Connection[] = [];
  for (const a of access.clusters) {
    const file = a.file ?? choice.cli ?? access.file ?? choice.fallback;
    if (file === undefined) {
      problems.add(a.source, a.path, `no kubeconfig for cluster \`${a.cluster}\``, 'give --kubeconfig, or `kubeconfig.file` in the fleet');
      continue;
    }
    const loaded = load(file);
    if (loaded === null) continue;
    const ctx = loaded.doc.contexts.get(a.context);
    if (ctx === undefined) {
      const names = [...loaded.doc.contexts.keys()];
      problems.add(a.source, a.path, `no context \`${a.context}\` in the kubeconfig ${file}`, `contexts there: ${names.slice(0, 10).join(', ') || 'none'}${names.length > 10 ? ', …' : ''}; set \`kubeconfig.context\` of the cluster`);
      continue;
    }
    const cluster = loaded.doc.clusters.get(ctx.cluster);
    if (cluster === undefined) {
      problems.add(a.source, a.path, `the context \`${a.context}\` of ${file} names cluster \`${ctx.cluster}\`, which the kubeconfig lacks`, 'fix the kubeconfig');
      continue;
    }
    const ordinary = a.ordinary !== undefined ? resolveIdentity(a.ordinary, a, 'ordinary', loaded.doc, file, problems) : ctx.user !== '' ? { user: ctx.user, name: ctx.user } : undefined;
    if (ordinary === undefined) {
      if (a.ordinary === undefined) problems.add(a.source, a.path, `the context \`${a.context}\` of ${file} names no user`, 'give `identities.ordinary` for the cluster');
      continue;
    }
    const breakGlass = a.breakGlass !== undefined ? resolveIdentity(a.breakGlass, a, 'breakGlass', loaded.doc, file, problems) : undefined;
    out.push({ cluster: a.cluster, file, kubeconfig: loaded.text, context: a.context, ordinary, ...(breakGlass !== undefined ? { breakGlass } : {}), ...(cluster.twin !== undefined ? { twin: cluster.twin } : {}) });
  }
  problems.throwIfAny();
  return out;
}
