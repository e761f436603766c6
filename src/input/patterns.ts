/**
 * The patterns strings of the input formats must match, with the words
 * validation messages use for each (what is expected, how to fix a value
 * that does not match). The schemas use the patterns; validate.ts turns a
 * pattern mismatch into these words instead of a regular expression.
 *
 * @example
 *   Type.String({ pattern: DNS_LABEL_PATTERN }); // a schema field
 *   PATTERN_TEXT[DNS_LABEL_PATTERN]?.hint;       // 'e.g. "prod-us-east-1"'
 */
import { DURATION_PATTERN } from '../core/duration.ts';
import { QUANTITY_PATTERN } from '../model/model-patch.ts';
import { CALL_RESOURCE_PATTERN, RESOURCE_NAME_PATTERN } from '../model/resource-name.ts';

/** A node-scoped call's field selector: `<field>=$NODE` (the agent's own node name, from the downward API's spec.nodeName). */
export const NODE_FIELD_SELECTOR_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]*=\\$NODE$';

/** `HH:MM`, `HH:MM:SS`, an ISO timestamp (offset optional) or `+<duration>`. */
export const TIME_PATTERN =
  '^(\\d{1,2}:\\d{2}(:\\d{2})?|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?|\\+(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$';
/** An ISO timestamp, offset optional (without one it is wall time in `timeZone`). */
export const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?$';
/** RFC 1123 label, as Kubernetes requires for namespace names (and firebreak for cluster names). */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 subdomain, as Kubernetes requires for most object names. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

/** How messages describe a value that must match a pattern, and how to fix one that does not. */
export const PATTERN_TEXT: Readonly<Record<string, { readonly expected: string; readonly hint: string }>> = {
  [DURATION_PATTERN]: {
    expected: 'a duration such as "90s", "5m" or "1h30m", or a number of seconds',
    hint: 'write a number followed by a unit (ms, s, m, h, d), e.g. "500ms", "90s", "1h30m"',
  },
  [TIME_PATTERN]: {
    expected: 'a time: "HH:MM" or "HH:MM:SS" on the start day, an ISO timestamp, or "+<duration>" after the start',
    hint: 'e.g. "15:16", "2024-12-11T15:16:00", or "+45m"; quote it so YAML keeps it a string',
  },
  [TIMESTAMP_PATTERN]: {
    expected: 'an ISO timestamp such as "2024-12-11T14:00:00" (wall time in timeZone) or "2024-12-11T22:00:00Z"',
    hint: 'write the date and time as YYYY-MM-DDTHH:MM[:SS], optionally followed by Z or an offset like -08:00',
  },
  [QUANTITY_PATTERN]: {
    expected: 'a byte count: a number or a quantity such as "32Gi", "500Mi" or "1.5G"',
    hint: 'binary suffixes Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or decimal k, M, G, T, P, E (powers of 1000)',
  },
  [DNS_LABEL_PATTERN]: {
    expected: 'a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    hint: 'e.g. "prod-us-east-1"',
  },
  [RESOURCE_NAME_PATTERN]: {
    expected: 'a resource type: a built-in one in lowercase plural (replicasets) or a custom one as <group>/<version>/<plural> (example.com/v1/widgets)',
    hint: 'the plural as `kubectl api-resources` lists it, lowercase',
  },
  [CALL_RESOURCE_PATTERN]: {
    expected: 'a resource type: a lowercase plural (pods), a subresource (nodes/status) or <group>/<version>/<plural> (example.com/v1/widgets)',
    hint: 'the plural as `kubectl api-resources` lists it, lowercase',
  },
  [NODE_FIELD_SELECTOR_PATTERN]: {
    expected: 'a node field selector `<field>=$NODE`, such as "metadata.name=$NODE" or "spec.nodeName=$NODE"',
    hint: '$NODE stands for the agent\'s own node name (from the downward API\'s spec.nodeName)',
  },
  [DNS_SUBDOMAIN_PATTERN]: {
    expected: 'a Kubernetes name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    hint: 'e.g. "telemetry-agent"',
  },
};
