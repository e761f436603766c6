/**
 * Building blocks of the input schemas (TypeBox): closed objects, optional
 * fields, string enums, durations, label maps, and the apiVersion and
 * metadata every document has. Shared by the scenario, fleet and plan
 * schemas so that every format behaves the same.
 *
 * @example
 *   const Thing = obj({ name: Type.String(), every: opt(duration('How often. Default: 1m.')) }, 'A thing.');
 */
import { Type, type TUnsafe } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../core/duration.ts';

import { obj, opt } from '../model/schema-kit.ts';

/** Closed objects, optional fields and string enums: the model's building blocks (src/model/schema-kit.ts), shared. */
export { obj, opt, str } from '../model/schema-kit.ts';

/**
 * Longest duration any field takes: 7 days, the longest scenario run. The
 * schema bounds the number form; the compilers bound the string form (and
 * apply tighter bounds where a field has them).
 */
export const MAX_DURATION_S = 7 * 86_400;

export function duration(description: string): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({ type: ['string', 'number'], pattern: DURATION_PATTERN, minimum: 0, maximum: MAX_DURATION_S, description });
}

/** Bound of thresholds, which are in any metric's unit (ratios, seconds, bytes): far beyond any real value, short of overflow. */
export const MAX_METRIC_VALUE = 1e12;

/** A map of label names to values. */
export function stringMap(description: string): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string', description: 'A label value.' }, description });
}

export const API_VERSION = 'firebreak.dev/v1alpha1';

export const ApiVersion = Type.Literal(API_VERSION, { description: `Format version; must be ${API_VERSION}.` });

export function metadata(what: string, namePattern: string) {
  return obj(
    {
      name: Type.String({ pattern: namePattern, maxLength: 253, description: `Name of the ${what}, used in reports and file names.` }),
      description: opt(Type.String({ description: `What the ${what} represents (free text). Default: empty.` })),
    },
    `Identifies the ${what}.`,
  );
}
