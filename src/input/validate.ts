/**
 * Validation against the input schemas, and the located Problems both the
 * schema and the compilers' semantic checks report.
 *
 * Every Ajv error becomes a Problem that says, in the user's terms, what is
 * wrong and what is expected ("expected an integer between 1 and 100000, got
 * -5"), where (file:line:column and the field path), and how to fix it when
 * there is something specific to say (the nearest allowed field name, the
 * nearest allowed value). All problems are collected; none stops the others.
 *
 * @example
 *   const problems = schemaProblems(FleetDocument, doc.value, doc);
 *   // [{ file: 'fleet.yaml', line: 7, column: 14, path: 'spec.clusters[1].nodes',
 *   //    message: 'expected an integer between 1 and 100000, got -5' }]
 */
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError, type Problem } from '../core/errors.ts';
import { PATTERN_TEXT } from './patterns.ts';
import { formatPath, type Path, type PathSegment, type Source, type YamlDocument } from './yaml.ts';

// ---------------------------------------------------------------------------
// Problems.

/** A Problem at `path` of `source`; `target: 'key'` points at the field name rather than its value. */
export function problemAt(source: Source, path: Path, message: string, hint?: string, target: 'key' | 'value' = 'value'): Problem {
  const pos = source.locate(path, target);
  return {
    file: source.file,
    ...(pos !== undefined ? { line: pos.line, column: pos.column } : {}),
    path: formatPath(path),
    message,
    ...(hint !== undefined ? { hint } : {}),
  };
}

/** Collects problems from any number of files, reported together in file order. */
export class Problems {
  readonly #items: Problem[] = [];

  add(source: Source, path: Path, message: string, hint?: string, target?: 'key' | 'value'): void {
    this.#items.push(problemAt(source, path, message, hint, target));
  }

  push(...problems: readonly Problem[]): void {
    this.#items.push(...problems);
  }

  get size(): number {
    return this.#items.length;
  }

  /** Throws one InputError holding every problem so far, if there is any. */
  throwIfAny(): void {
    if (this.#items.length > 0) throw new InputError(sortProblems(this.#items));
  }
}

/** Files in order of first appearance; within a file by position, unlocated last; otherwise stable. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  const key = (p: Problem): [number, number, number] => [fileOrder.get(p.file) ?? 0, p.line ?? Number.MAX_SAFE_INTEGER, p.column ?? 0];
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.p);
}

// ---------------------------------------------------------------------------
// Suggestions.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= s.length; i++) {
    const row = d[i];
    if (row === undefined) continue;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      row[j] = v;
    }
  }
  return at(s.length, t.length);
}

/**
 * Candidates close enough to `name` to be a likely typo of it, closest first:
 * at most a third of the longer name's letters differ (at least one may).
 */
export function nearMatches(name: string, candidates: Iterable<string>): string[] {
  const close: { c: string; d: number; i: number }[] = [];
  let i = 0;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d <= Math.max(1, Math.floor(Math.max(name.length, c.length) / 3))) close.push({ c, d, i });
    i++;
  }
  return close.sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.c);
}

/** The closest likely typo target (see nearMatches), if any. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  return nearMatches(name, candidates)[0];
}

/** "a, b and c" (or "a, b or c"); long lists are cut after `max` items. */
export function listWords(items: readonly string[], max = 12, conjunction: 'and' | 'or' = 'and'): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(', ')} ${conjunction} ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1] ?? ''}`;
}

// ---------------------------------------------------------------------------
// Describing values and schemas in words.

/** A value as messages show it: `-5`, `"abc"`, `a list`, `an empty value`. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  return 'a mapping';
}

type JsonSchema = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A bound as people read it: round powers of ten from 1e9 up as `1e12`, everything else as written. */
function bound(n: number): string {
  if (Math.abs(n) >= 1e9 && Number.isInteger(Math.log10(Math.abs(n)))) return `${n < 0 ? '-' : ''}1e${Math.log10(Math.abs(n))}`;
  return String(n);
}

function range(s: JsonSchema): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = s;
  if (typeof minimum === 'number' && typeof maximum === 'number') return ` between ${bound(minimum)} and ${bound(maximum)}`;
  const parts: string[] = [];
  if (typeof minimum === 'number') parts.push(`≥ ${bound(minimum)}`);
  if (typeof exclusiveMinimum === 'number') parts.push(`> ${bound(exclusiveMinimum)}`);
  if (typeof maximum === 'number') parts.push(`≤ ${bound(maximum)}`);
  if (typeof exclusiveMaximum === 'number') parts.push(`< ${bound(exclusiveMaximum)}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

function enumWords(values: readonly unknown[]): string {
  // `resourceVersion` accepts 0 as well as "0"; list the value once.
  const shown = values.filter((v) => typeof v === 'string' || !values.includes(String(v))).map((v) => showValue(v));
  return shown.length === 1 ? (shown[0] ?? '') : `one of ${shown.join(', ')}`;
}

/** What a schema accepts, in words: "an integer between 1 and 100000", `one of "list", "watch"`. */
export function describeSchema(s: JsonSchema): string {
  if (typeof s.pattern === 'string') {
    const known = PATTERN_TEXT[s.pattern];
    if (known !== undefined) return known.expected;
  }
  if (s.const !== undefined) return showValue(s.const);
  if (Array.isArray(s.enum)) return enumWords(s.enum);
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  // Variants of the event union all describe as "a mapping"; say it once.
  if (branches !== undefined) return [...new Set(branches.filter(isRecord).map(describeSchema))].join(' or ');
  const types: unknown[] = Array.isArray(s.type) ? s.type : [s.type];
  const words = types.map((t) => {
    switch (t) {
      case 'integer':
        return `an integer${range(s)}`;
      case 'number':
        return `a number${range(s)}`;
      case 'string':
        if (typeof s.pattern === 'string') return `a string matching ${s.pattern}`;
        return s.minLength === 1 ? 'a non-empty string' : 'a string';
      case 'boolean':
        return 'true or false';
      case 'array': {
        const items = isRecord(s.items) && Array.isArray(s.items.enum) ? ` of ${s.items.enum.map((v) => showValue(v)).join(', ')}` : '';
        return `a list${items}`;
      }
      case 'object':
        return 'a mapping';
      case 'null':
        return 'nothing';
      default:
        return 'a value';
    }
  });
  return words.join(' or ');
}

/** First sentence of a schema's description, for "add `x`: …" hints. */
function firstSentence(s: unknown): string | undefined {
  if (!isRecord(s) || typeof s.description !== 'string') return undefined;
  const m = /^.*?[.!?](?=\s|$)/.exec(s.description);
  return m?.[0] ?? s.description;
}

// ---------------------------------------------------------------------------
// Schema validation.

// Union types ("a duration or a number of seconds") are written as type
// arrays; strictNumbers rejects NaN and Infinity (YAML .nan, .inf);
// discriminator makes the event union report errors of one variant only.
// strictRequired is off because the union requires `action` without
// declaring it: each variant declares it (TypeBox derives every other
// `required` from the declared properties).
const ajv = new Ajv({
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  discriminator: true,
  strictNumbers: true,
});
const validators = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let v = validators.get(schema);
  if (v === undefined) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/** Every way `value` breaks `schema`, located in `source`. Empty when valid. */
export function schemaProblems(schema: TSchema, value: unknown, source: Source): Problem[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const errors = relevantErrors(validate.errors ?? []);
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    const p = errorProblem(e, value, source);
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/**
 * Drops errors that say the same thing less clearly: the per-branch errors
 * under an anyOf (its own error describes every branch), a discriminator
 * "tag missing" next to the required error, and "missing field x" when an
 * unknown field next to it is a misspelling of x.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const misspelt = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const near = nearest(String(e.params.additionalProperty), suggestable(e.parentSchema, e.data));
    if (near !== undefined) misspelt.add(`${e.instancePath}/${near}`);
  }
  return errors.filter((e) => {
    if (unions.some((u) => e.schemaPath.startsWith(u))) return false;
    if (e.keyword === 'discriminator' && e.params.tagValue === undefined) return false;
    // A bad key of a mapping by name (model.objects.resources): its own error names the key.
    if (e.keyword === 'propertyNames') return false;
    return !(e.keyword === 'required' && misspelt.has(`${e.instancePath}/${String(e.params.missingProperty)}`));
  });
}

function allowedFields(schema: unknown): string[] {
  return isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

/** Allowed fields the object does not have yet: an unknown field cannot be a misspelling of one it has. */
function suggestable(schema: unknown, data: unknown): string[] {
  return allowedFields(schema).filter((f) => !(isRecord(data) && Object.hasOwn(data, f)));
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** JSON pointer to a path whose list indexes are numbers (they print as `[3]`). */
function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let node = root;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = isRecord(node) ? node[seg] : undefined;
    }
  }
  return out;
}

function errorProblem(e: ErrorObject, root: unknown, source: Source): Problem {
  const path = pointerToPath(e.instancePath, root);
  const parent = isRecord(e.parentSchema) ? e.parentSchema : {};
  if (typeof e.propertyName === 'string') {
    // A key that the mapping's propertyNames refuses (a resource type name): located at the key.
    return problemAt(source, [...path, e.propertyName], `\`${e.propertyName}\` is not a valid name here: expected ${describeSchema(parent)}`, undefined, 'key');
  }
  switch (e.keyword) {
    case 'required': {
      const field = String(e.params.missingProperty);
      const fieldSchema = isRecord(parent.properties) ? parent.properties[field] : undefined;
      const what = firstSentence(fieldSchema);
      const action = actionOf(parent);
      const message = action !== undefined ? `action ${action} requires \`${field}\`` : `missing required field \`${field}\``;
      const tags = tagValues(parent);
      const expected = isRecord(fieldSchema) ? ` (${describeSchema(fieldSchema)})` : tags.length > 0 ? ` (one of ${tags.join(', ')})` : '';
      return problemAt(source, [...path, field], message, `add \`${field}:\`${expected}${what !== undefined ? ` — ${what}` : ''}`, 'key');
    }
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const allowed = allowedFields(parent);
      const near = nearest(field, suggestable(parent, e.data));
      const action = actionOf(parent);
      const suggestion = near !== undefined ? `did you mean \`${near}\`? ` : '';
      if (action !== undefined) {
        const params = allowed.filter((f) => f !== 'at' && f !== 'clusters' && f !== 'action');
        const message =
          params.length === 0
            ? `\`${field}\` is not a parameter of action ${action}; it takes no parameters`
            : `\`${field}\` is not a parameter of action ${action}; its parameters are: ${params.join(', ')}`;
        return problemAt(source, [...path, field], message, `${suggestion}every event also has: at, clusters, action`.trim(), 'key');
      }
      return problemAt(source, [...path, field], `unknown field \`${field}\``, `${suggestion}fields allowed here: ${allowed.join(', ')}`, 'key');
    }
    case 'discriminator': {
      const tag = e.params.tagValue as unknown;
      const allowed = tagValues(parent);
      const near = typeof tag === 'string' ? nearest(tag, allowed) : undefined;
      return problemAt(
        source,
        [...path, String(e.params.tag)],
        `expected an action, one of ${allowed.join(', ')}; got ${showValue(tag)}`,
        near !== undefined ? `did you mean ${near}?` : 'see docs/scenario-format.md#events for what each action does',
      );
    }
    case 'minItems':
    case 'maxItems': {
      const limit = Number(e.params.limit);
      const n = Array.isArray(e.data) ? e.data.length : 0;
      const bound = e.keyword === 'minItems' ? 'at least' : 'at most';
      return problemAt(source, path, `expected ${bound} ${limit} item${limit === 1 ? '' : 's'}, got ${n}`);
    }
    case 'uniqueItems': {
      const items = Array.isArray(e.data) ? (e.data as unknown[]) : [];
      const dup = items[Number(e.params.i)];
      return problemAt(source, path, `${showValue(dup)} is listed twice; each item may appear once`, 'remove the duplicate');
    }
    default:
      return valueProblem(e, path, parent, source);
  }
}

/** The tag values of a discriminated union schema (the action names), else []. */
function tagValues(schema: JsonSchema): string[] {
  const d = schema.discriminator;
  if (!isRecord(d) || typeof d.propertyName !== 'string' || !Array.isArray(schema.oneOf)) return [];
  const tag = d.propertyName;
  return schema.oneOf.flatMap((v) => (isRecord(v) && isRecord(v.properties) && isRecord(v.properties[tag]) ? [String(v.properties[tag].const)] : []));
}

/** The action name when `schema` is one variant of the event union. */
function actionOf(schema: JsonSchema): string | undefined {
  const props = schema.properties;
  if (!isRecord(props) || !isRecord(props.action)) return undefined;
  return typeof props.action.const === 'string' ? props.action.const : undefined;
}

/** type, range, pattern, enum, const, anyOf, ...: "expected <what the schema accepts>, got <value>". */
function valueProblem(e: ErrorObject, path: Path, parent: JsonSchema, source: Source): Problem {
  // A number out of range where a pattern also allows strings (durations, byte counts): the words of the pattern do not give the range.
  const outOfRange = typeof parent.pattern === 'string' && (e.keyword === 'maximum' || e.keyword === 'minimum') ? `${e.keyword === 'maximum' ? ' ≤ ' : ' ≥ '}${bound(Number(e.params.limit))}` : '';
  const expected = describeSchema(parent) + outOfRange;
  const data: unknown = e.data;
  let hint: string | undefined;
  const types: unknown[] = Array.isArray(parent.type) ? parent.type : [parent.type];
  if (typeof parent.pattern === 'string' && PATTERN_TEXT[parent.pattern] !== undefined) {
    hint = PATTERN_TEXT[parent.pattern]?.hint;
  } else if (Array.isArray(parent.enum) || parent.const !== undefined) {
    const allowed = (Array.isArray(parent.enum) ? parent.enum : [parent.const]).filter((v): v is string => typeof v === 'string');
    const near = typeof data === 'string' ? nearest(data, allowed) : undefined;
    if (near !== undefined) hint = `did you mean ${JSON.stringify(near)}?`;
  } else if (types.includes('string') && !types.includes('number') && (typeof data === 'number' || typeof data === 'boolean')) {
    hint = `quote it to make it a string: "${String(data)}"`;
  } else if ((types.includes('number') || types.includes('integer')) && typeof data === 'string' && data.trim() !== '' && Number.isFinite(Number(data))) {
    hint = `remove the quotes: ${data.trim()}`;
  } else if (types.includes('integer') && typeof data === 'number' && Number.isFinite(data) && !Number.isInteger(data)) {
    hint = 'use a whole number';
  }
  return problemAt(source, path, `expected ${expected}, got ${showValue(data)}`, hint);
}

// ---------------------------------------------------------------------------
// Document kind.

const KINDS = ['Fleet', 'Scenario', 'RolloutPlan'] as const;
export type FirebreakKind = (typeof KINDS)[number];

/** Where each kind of document goes: the commands and options that take it. */
export const KIND_TAKEN_BY: Readonly<Record<FirebreakKind | 'Kubernetes', string>> = {
  Fleet: 'a Fleet is passed with --fleet (`firebreak analyze`, `firebreak plan show`) or named by a scenario’s or plan’s spec.fleet.file; check it with `firebreak scenario validate`',
  Scenario: 'a Scenario is run by `firebreak simulate`, checked by `firebreak scenario validate` and rehearsed with `firebreak rehearse --scenario`',
  RolloutPlan: 'a RolloutPlan is checked by `firebreak plan validate`, shown by `firebreak plan show` and rehearsed with `firebreak rehearse --plan`',
  Kubernetes: 'Kubernetes manifests are read by `firebreak analyze <manifests> --fleet <fleet.yaml>` (or listed in a plan’s spec.change.manifests)',
};

const FORMAT_DOC: Readonly<Record<FirebreakKind, string>> = {
  Fleet: 'docs/fleet-format.md',
  Scenario: 'docs/scenario-format.md',
  RolloutPlan: 'docs/orchestrator.md',
};

/**
 * A problem when `doc` is not a `kind` document at all: not a mapping, a
 * document of another firebreak kind (a plan passed where a scenario is
 * expected, --scenario and --plan swapped), or a Kubernetes object. One
 * message naming the kind found and the command that takes it: validating it
 * against the wrong schema would only bury that in dozens of follow-on
 * errors. Anything else (a misspelt kind) is left to the schema, which
 * suggests the right value.
 */
export function wrongKind(doc: YamlDocument, kind: FirebreakKind): Problem | undefined {
  const v = doc.value;
  if (!isRecord(v)) {
    return problemAt(doc, [], `expected a ${kind} document (a mapping with apiVersion, kind, metadata and spec), got ${showValue(v)}`, `see ${FORMAT_DOC[kind]}`);
  }
  const actual = v.kind;
  if (typeof actual !== 'string' || actual === kind) return undefined;
  if ((KINDS as readonly string[]).includes(actual)) {
    const swapped = (kind === 'Scenario' && actual === 'RolloutPlan') || (kind === 'RolloutPlan' && actual === 'Scenario') ? '; were --scenario and --plan swapped?' : '';
    return problemAt(doc, ['kind'], `this is a ${actual} document, expected a ${kind}`, `${KIND_TAKEN_BY[actual as FirebreakKind]}${swapped}`);
  }
  if (typeof v.apiVersion === 'string' && !v.apiVersion.startsWith('firebreak.dev/')) {
    return problemAt(doc, ['kind'], `this is a Kubernetes ${actual} (${v.apiVersion}), expected a firebreak ${kind} document`, KIND_TAKEN_BY.Kubernetes);
  }
  return undefined;
}
