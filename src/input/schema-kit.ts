/**
 * Building blocks of the input schemas (TypeBox): closed objects, optional
 * fields, string enums and durations. Shared by the scenario, fleet and plan
 * schemas so that every format behaves the same.
 */
import { Type, type TUnsafe } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../core/duration.ts';

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
