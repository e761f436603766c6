/**
 * Names of resource types as scenarios, annotations and call profiles write
 * them: a built-in type in lowercase plural (`replicasets`), a subresource of
 * one (`nodes/status`, costed as its object), or a custom type as
 * `<group>/<version>/<plural>` (`example.com/v1/widgets`, the path segments of
 * its REST path `/apis/<group>/<version>/<plural>`). One type may be named
 * both ways: `widgets` finds a stated `example.com/v1/widgets`, and
 * `apps/v1/replicasets` finds `replicasets`.
 *
 * @example
 *   resourcePlural('example.com/v1/widgets'); // 'widgets'
 *   resourceBase('nodes/status');             // 'nodes'
 */

const PLURAL = '[a-z][a-z0-9-]*';
const GROUP = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const VERSION = 'v[0-9]+((alpha|beta)[0-9]+)?';

/** A type a scenario states: a plural, or <group>/<version>/<plural>. */
export const RESOURCE_NAME_PATTERN = `^(${PLURAL}|${GROUP}/${VERSION}/${PLURAL})$`;

/** A type a call names: also a plural's subresource (`nodes/status`). */
export const CALL_RESOURCE_PATTERN = `^(${PLURAL}(/${PLURAL})?|${GROUP}/${VERSION}/${PLURAL})$`;

const GVR = new RegExp(`^${GROUP}/${VERSION}/(${PLURAL})$`);

/** Whether the name is `<group>/<version>/<plural>`. */
export function isGroupVersionResource(name: string): boolean {
  return GVR.test(name);
}

/** The type a call's resource names: a subresource's object type, else the name itself. */
export function resourceBase(name: string): string {
  if (isGroupVersionResource(name)) return name;
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

/** The plural of a type's name (`example.com/v1/widgets` → `widgets`). */
export function resourcePlural(name: string): string {
  const base = resourceBase(name);
  return isGroupVersionResource(base) ? (base.slice(base.lastIndexOf('/') + 1)) : base;
}
