/**
 * Building blocks of the TypeBox schemas: closed objects, optional fields and
 * string enums. The model's schema (model-schema.ts) and the input formats'
 * schemas (src/input) use the same ones, so that every format behaves the
 * same.
 *
 * @example
 *   const Tier = obj({ kind: str(['a', 'b'], 'A kind.'), note: opt(Type.String({ description: 'Free text.' })) }, 'A thing.');
 */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

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
