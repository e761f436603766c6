/**
 * The version in a container image's tag, for readers whose agent changed
 * its API calls between releases (Datadog's watch-cache lists from 7.41,
 * the Amazon VPC CNI's node-scoped cache from 1.15, Cilium's endpoint
 * slices, CoreDNS's EndpointSlices from 1.8, Falco's k8smeta from 0.37).
 *
 * @example
 *   imageVersion('gcr.io/datadoghq/agent:7.60.1-jmx');        // [7, 60, 1]
 *   versionAtLeast(imageVersion('…/amazon-k8s-cni:v1.13.4')!, [1, 13, 4]);   // true
 */

export type Version = readonly [number, number, number];

/** `major.minor.patch` of an image tag (`registry/x/agent:7.60.1-jmx` → [7, 60, 1]; `:v1.32` → [1, 32, 0]); undefined for `latest`, digests and other tags. */
export function imageVersion(image: string): Version | undefined {
  const at = image.lastIndexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  if (colon < 0 || ref.lastIndexOf('/') > colon) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(ref.slice(colon + 1));
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** v < b. */
export function versionBelow(v: Version, b: Version): boolean {
  for (let i = 0; i < 3; i++) {
    const x = v[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** v ≥ b. */
export function versionAtLeast(v: Version, b: Version): boolean {
  return !versionBelow(v, b);
}
