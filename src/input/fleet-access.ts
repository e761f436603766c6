/**
 * How firebreak reaches each cluster of a Fleet file through the Kubernetes
 * API (`rollout run`, `breakglass install|check`): a kubeconfig context — by
 * default the context named as the cluster — in a kubeconfig file (the
 * cluster's own `kubeconfig.file`, else the fleet's, else `--kubeconfig`,
 * else kubectl's default), and the two identities of the orchestrator: the
 * ordinary one and the break-glass one, each a kubeconfig user or a token
 * file. Paths are resolved relative to the fleet file. docs/fleet-format.md.
 *
 * Only the fleet's own rules are checked here (one of `user` and
 * `tokenFile`); whether the context and the users exist in the kubeconfig is
 * checked when the kubeconfig is read (src/input/kubeconfig.ts), with the
 * problem located at the cluster's entry of the fleet file.
 *
 * @example
 *   const { access } = loadFleetFile('fleets/live.yaml');
 *   access.clusters[0]; // { cluster: 'prod-a', context: 'prod-a', breakGlass: { user: 'firebreak-breakglass' }, … }
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { Cluster } from '../model/fleet.ts';
import type { ClusterKubeconfigInput, FleetDocumentInput, IdentityInput } from './fleet-schema.ts';
import type { Problems } from './validate.ts';
import type { Path, Source } from './yaml.ts';

/**
 * An identity: a user of the kubeconfig, or a bearer token read from a file (absolute path), or the own user of
 * `context`; `context` (when given) is also where its requests go (e.g. a dedicated break-glass API server).
 */
export type IdentityRef = ({ readonly user: string } | { readonly tokenFile: string } | { readonly contextUser: true }) & { readonly context?: string };

export interface ClusterAccess {
  readonly cluster: string;
  readonly context: string;
  /** The cluster's own kubeconfig file (absolute), overriding the fleet's and `--kubeconfig`. */
  readonly file?: string;
  /** Default: the context's own user. */
  readonly ordinary?: IdentityRef;
  /** Default: none. */
  readonly breakGlass?: IdentityRef;
  /** Where the cluster's entry is, for located problems (its `kubeconfig` field, or the cluster itself). */
  readonly source: Source;
  readonly path: Path;
}

export interface FleetAccess {
  /** The fleet's default kubeconfig file (absolute), if it names one. */
  readonly file?: string;
  readonly clusters: readonly ClusterAccess[];
}

function resolvePath(source: Source, file: string): string {
  return isAbsolute(file) ? file : join(dirname(source.file), file);
}

function identity(input: IdentityInput | undefined, source: Source, path: Path, problems: Problems): IdentityRef | undefined {
  if (input === undefined) return undefined;
  if (input.user !== undefined && input.tokenFile !== undefined) {
    problems.add(source, path, 'give exactly one of `user` (a kubeconfig user) and `tokenFile` (a file holding a bearer token)', 'e.g. `breakGlass: { user: firebreak-breakglass }`');
    return undefined;
  }
  if (input.user === undefined && input.tokenFile === undefined && input.context === undefined) {
    problems.add(source, path, 'give exactly one of `user` (a kubeconfig user) and `tokenFile` (a file holding a bearer token), or a `context` whose user it is', 'e.g. `breakGlass: { user: firebreak-breakglass }` or `breakGlass: { context: "{cluster}-breakglass" }`');
    return undefined;
  }
  const where = input.context !== undefined ? { context: input.context } : {};
  if (input.user !== undefined) return { user: input.user, ...where };
  if (input.tokenFile !== undefined) return { tokenFile: resolvePath(source, input.tokenFile), ...where };
  return { contextUser: true, ...where };
}

/** A fleet-wide identity for one cluster: `{cluster}` in its context becomes the cluster's name. */
function forCluster(ref: IdentityRef | undefined, cluster: string): IdentityRef | undefined {
  return ref?.context === undefined ? ref : { ...ref, context: ref.context.replaceAll('{cluster}', cluster) };
}

/** The access of every cluster of a Fleet document that passed its schema (clusters as compileFleet expanded them). */
export function fleetAccess(spec: FleetDocumentInput['spec'], clusters: readonly Cluster[], source: Source, problems: Problems): FleetAccess {
  const fleetWide = spec.kubeconfig;
  const fleetOrdinary = identity(fleetWide?.identities?.ordinary, source, ['spec', 'kubeconfig', 'identities', 'ordinary'], problems);
  const fleetBreakGlass = identity(fleetWide?.identities?.breakGlass, source, ['spec', 'kubeconfig', 'identities', 'breakGlass'], problems);
  const explicit = new Map<string, { readonly input: ClusterKubeconfigInput | undefined; readonly index: number }>();
  (spec.clusters ?? []).forEach((c, index) => explicit.set(c.name, { input: c.kubeconfig, index }));
  const out: ClusterAccess[] = clusters.map((cluster) => {
    const entry = explicit.get(cluster.name);
    const own = entry?.input;
    const path: Path = entry === undefined ? ['spec', 'generate'] : own === undefined ? ['spec', 'clusters', entry.index] : ['spec', 'clusters', entry.index, 'kubeconfig'];
    const ordinary = forCluster(identity(own?.identities?.ordinary, source, [...path, 'identities', 'ordinary'], problems) ?? fleetOrdinary, cluster.name);
    const breakGlass = forCluster(identity(own?.identities?.breakGlass, source, [...path, 'identities', 'breakGlass'], problems) ?? fleetBreakGlass, cluster.name);
    return {
      cluster: cluster.name,
      context: own?.context ?? cluster.name,
      ...(own?.file !== undefined ? { file: resolvePath(source, own.file) } : {}),
      ...(ordinary !== undefined ? { ordinary } : {}),
      ...(breakGlass !== undefined ? { breakGlass } : {}),
      source,
      path,
    };
  });
  return { ...(fleetWide?.file !== undefined ? { file: resolvePath(source, fleetWide.file) } : {}), clusters: out };
}
