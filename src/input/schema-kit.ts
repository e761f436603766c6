/**
 * Building blocks of the input schemas (TypeBox): closed objects, optional
 * fields, string enums and durations. Shared by the scenario, fleet and plan
 * schemas so that every format behaves the same.
 */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../core/duration.ts';

/** Closed object: unknown fields are errors. */
export function obj<T extends Parameters<typeof Type.Object>[0]>(properties: T, description: string) {
  return Type.Object(properties, { additionalProperties: false, description });
}

export function opt<T extends TSchema>(schema: T) {
  return Type.Optional(schema);
}

export function str<const T extends string>(values: readonly T[], description: string): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], description });
}

/**
 * Longest duration any field takes: 7 days, the longest scenario run. The
 * schema bounds the number form; the compilers bound the string form (and
 * apply tighter bounds where a field has them).
 */
export const MAX_DURATION_S = 7 * 86_400;

export function duration(description: string): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({ type: ['string', 'number'], pattern: DURATION_PATTERN, minimum: 0, maximum: MAX_DURATION_S, description });
}
