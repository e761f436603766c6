/**
 * The schema of a scenario's model overrides (`spec.model`, and `model` in
 * each `clusterModels` entry), derived from the model's own schema
 * (model-schema.ts) so that the two cannot drift: every object and field of
 * the model, each optional (a deep partial: give only what differs), with the
 * model's bounds and descriptions, each description ending in the field's
 * default (defaults.ts). Byte counts (fields named `…Bytes`) also accept
 * quantities such as "32Gi"; the scenario compiler converts them and checks
 * them against the same maximum. Lists replace the default list whole.
 *
 * @example
 *   schemaProblems(ModelPatchSchema, { apiServer: { replicas: 5, baseMemoryBytes: '4Gi' } }, doc); // []
 */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { DEFAULT_MODEL } from './defaults.ts';
import { ModelSchema, type ModelConfig } from './model-schema.ts';

/** Kubernetes quantity for byte counts: binary (Ki..Ei) or decimal (k..E) suffixes. */
export const QUANTITY_PATTERN = '^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';

/** A byte count: a number, or a quantity string (converted and checked against `maximum` by the scenario compiler). */
function byteQuantity(description: string, maximum: number): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({ type: ['number', 'string'], pattern: QUANTITY_PATTERN, minimum: 0, maximum, description });
}

/** A byte count as a quantity when it is a whole number of Ki, Mi or Gi ("32Gi"), else plain. */
function formatBytes(n: number): string {
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

/** `…Bytes` fields as written in an input: a number or a quantity string. */
type Quantities<T> = T extends readonly (infer I)[]
  ? readonly Quantities<I>[]
  : T extends object
    ? { readonly [K in keyof T]: K extends `${string}Bytes` ? T[K] | string : Quantities<T[K]> }
    : T;
type Patch<T> = T extends readonly unknown[]
  ? Quantities<T>
  : T extends object
    ? { readonly [K in keyof T]?: K extends `${string}Bytes` ? T[K] | string : Patch<T[K]> }
    : T;

/** Model overrides as a scenario writes them (before quantities are converted). */
export type ModelPatchInput = Patch<ModelConfig>;

/** How a list's default is shown where JSON would not read well (by field path); other defaults are shown as JSON. */
const DEFAULT_TEXT: Readonly<Record<string, () => string>> = {
  'apiServer.sizing': () => DEFAULT_MODEL.apiServer.sizing.map((t) => `${t.minNodes}+ nodes: ${t.cpuCores} cores, ${formatBytes(t.memoryBytes)}`).join('; '),
  'apf.levels': () => `the bootstrap levels ${DEFAULT_MODEL.apf.levels.map((l) => l.name).join(', ')}`,
};

/** The parts of a schema node the derivation reads. */
interface SchemaNode {
  readonly type?: unknown;
  readonly description?: string;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, TSchema>>;
  readonly items?: TSchema;
  readonly additionalProperties?: unknown;
}

const node = (s: TSchema): SchemaNode => s;
const isBytes = (key: string): boolean => key.endsWith('Bytes');

function patchObject(schema: TSchema, value: unknown, path: readonly string[], description: string): TSchema {
  const props: Record<string, TSchema> = {};
  const values = value as Readonly<Record<string, unknown>>;
  for (const [key, field] of Object.entries(node(schema).properties ?? {})) props[key] = Type.Optional(patchField(key, field, values[key], [...path, key]));
  return Type.Object(props, { additionalProperties: false, description });
}

function patchField(key: string, field: TSchema, value: unknown, path: readonly string[]): TSchema {
  const n = node(field);
  // An object of named entries (objects.resources): entries as the model has them, merged by name.
  if (n.type === 'object' && typeof n.additionalProperties === 'object') return { ...field, description: `${n.description ?? ''} Default: ${JSON.stringify(value)}.` };
  if (n.type === 'object') return patchObject(field, value, path, n.description ?? '');
  const shown = DEFAULT_TEXT[path.join('.')]?.() ?? (isBytes(key) && typeof value === 'number' ? formatBytes(value) : JSON.stringify(value));
  const description = `${n.description ?? ''} Default: ${shown}.`;
  if (isBytes(key)) return byteQuantity(description, n.maximum ?? 0);
  if (n.type === 'array' && n.items !== undefined) return { ...field, description, items: quantities(n.items) };
  return { ...field, description };
}

/** A list item as written in an input: every field as the model has it, byte counts also as quantities. */
function quantities(schema: TSchema): TSchema {
  const props = node(schema).properties;
  if (props === undefined) return schema;
  const out: Record<string, TSchema> = {};
  for (const [key, field] of Object.entries(props)) out[key] = isBytes(key) ? byteQuantity(node(field).description ?? '', node(field).maximum ?? 0) : quantities(field);
  return { ...schema, properties: out };
}

/** The model overrides of a scenario: a deep partial of ModelSchema, defaults in the descriptions. */
export const ModelPatchSchema = patchObject(
  ModelSchema,
  DEFAULT_MODEL,
  [],
  'Overrides of the twin model parameters (a deep partial: give only what differs). Fields named …Bytes also accept quantities such as "32Gi"; lists replace the default list.',
) as TUnsafe<ModelPatchInput>;
