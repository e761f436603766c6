/**
 * The switch endpoint's address and paths. The endpoint is reached by
 * address — an IP literal, never a host name — because cluster DNS fails
 * together with the API server (2024-12-11: CoreDNS needs the API to
 * refresh), and the switch must work exactly then.
 *
 * Paths (served by `firebreak killswitch serve`):
 * - `GET  /v1/switches/<change>` → the change's signed document (SignedSwitch);
 *   a change never switched is served as a signed "on", generation 0;
 * - `PUT  /v1/switches/<change>` (admin token) → flips it, answers the new signed document;
 * - `GET  /healthz` → `ok`.
 *
 * @example
 *   checkSwitchUrl('http://10.0.0.7:8443');   // undefined: fine
 *   checkSwitchUrl('http://switch.internal'); // 'the switch URL must name the endpoint by IP address …'
 */

export const SWITCH_PATH = '/v1/switches/';

/** Why `url` cannot be a switch endpoint, or undefined when it can: http(s), an IPv4 or [IPv6] literal host, no credentials, query or fragment. */
export function checkSwitchUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL; expected e.g. http://10.0.0.7:8080`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `the switch URL must be http:// or https://, got ${u.protocol}`;
  const host = u.hostname;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const isV4 = ipv4 !== null && ipv4.slice(1).every((p) => Number(p) <= 255);
  const isV6 = host.startsWith('[') && host.endsWith(']');
  if (!isV4 && !isV6) return `the switch URL must name the endpoint by IP address (cluster DNS fails with the API server), got host ${JSON.stringify(host)}`;
  if (u.username !== '' || u.password !== '') return 'the switch URL must not carry credentials';
  if (u.search !== '' || u.hash !== '') return 'the switch URL must not carry a query or fragment';
  return undefined;
}

/** The URL of a change's switch under the endpoint `base` (a checked switch URL, with or without a path prefix). */
export function switchUrl(base: string, change: string): string {
  const u = new URL(base);
  const prefix = u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname;
  u.pathname = `${prefix}${SWITCH_PATH}${encodeURIComponent(change)}`;
  return u.toString();
}
