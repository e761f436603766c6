/**
 * What clients read before they touch a resource: `/version`, the legacy
 * discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`:
 * APIVersions, APIGroupList, APIResourceList) and the aggregated discovery
 * document kubectl 1.30+ asks for first (`Accept:
 * application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`,
 * k8s.io/api/apidiscovery/v2 types.go; answered only when v2 is asked for,
 * otherwise the client falls back to the legacy documents, as client-go's
 * discovery client does on a plain `application/json` answer).
 *
 * @example
 *   versionInfo().gitVersion;   // 'v1.31.4'
 */
import { GROUPS, RESOURCES, VERBS, type ResourceDef } from './resources.ts';

/**
 * The Kubernetes version served. kubectl's dispatcher on this machine picks
 * the kubectl of the server's minor (1.27..1.33 installed:
 * /usr/lib/google-cloud-sdk/bin/kubectl.1.*); 1.31 is in the middle of that
 * range and has aggregated discovery v2 and flowcontrol v1 (GA in 1.29).
 */
export const SERVED_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.4' } as const;

export function versionInfo(): Record<string, string> {
  return {
    major: SERVED_VERSION.major,
    minor: SERVED_VERSION.minor,
    gitVersion: SERVED_VERSION.gitVersion,
    gitCommit: 'firebreak-twin',
    gitTreeState: 'clean',
    buildDate: '2024-12-10T00:00:00Z',
    goVersion: 'go1.22.10',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string): boolean {
  return accept.split(',').some((part) => {
    const p = part.replace(/\s+/g, '');
    return p.includes('as=APIGroupDiscoveryList') && p.includes('g=apidiscovery.k8s.io') && p.includes('v=v2') && !p.includes('v=v2beta1');
  });
}

function verbsOf(_r: ResourceDef): string[] {
  return [...VERBS];
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: GROUPS.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
  };
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  if (!GROUPS.includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [{ groupVersion: `${group}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${group}/v1`, version: 'v1' } };
}

/** APIResourceList of a group version; undefined when not served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: verbsOf(r),
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    });
    if (r.status) resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

function discoveryGroup(group: string): Record<string, unknown> {
  const rs = RESOURCES.filter((r) => r.group === group);
  return {
    metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
    versions: [
      {
        version: 'v1',
        resources: rs.map((r) => ({
          resource: r.plural,
          responseKind: { group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: verbsOf(r),
          ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length > 0 ? { categories: r.categories } : {}),
          ...(r.status ? { subresources: [{ subresource: 'status', responseKind: { group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] }] } : {}),
        })),
        freshness: 'Current',
      },
    ],
  };
}

/** The aggregated discovery document of `/api` (core) or `/apis` (the groups). */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: core ? [discoveryGroup('')] : GROUPS.map(discoveryGroup),
  };
}
