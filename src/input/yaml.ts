/**
 * YAML input files with positions: every value of the parsed document can be
 * traced back to `file:line:column` through its JSON path, so validation and
 * compilation can say exactly where a problem is.
 *
 * Input is strict: one document per file, no duplicate keys, no unknown tags,
 * no aliases to undefined anchors, only scalar keys. Each is reported as a
 * located Problem (thrown together as one InputError), never as a raw
 * exception.
 *
 * @example
 *   const doc = readYamlFile('scenarios/openai-2024-12-11.yaml');
 *   doc.value;                                      // plain data (objects, arrays, scalars)
 *   doc.locate(['spec', 'clusters', 3, 'nodes']);   // { line: 14, column: 14 }
 *   formatPath(['spec', 'clusters', 3, 'nodes']);   // 'spec.clusters[3].nodes'
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type YAMLError } from 'yaml';
import { InputError, type Problem } from '../core/errors.ts';
import { readInputFile } from './read.ts';
export { formatPath } from '../core/path.ts';

/** One step of a path into a document: a mapping key or a list index. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Position of the value at `path`, or of its key with `target: 'key'` (where
 * an unknown field is best pointed at). When the path does not exist (a
 * missing field), the position of the deepest existing ancestor.
 */
export type Locate = (path: Path, target?: 'key' | 'value') => Position | undefined;

/** Where problems found in some data are reported. */
export interface Source {
  /** File name as the user gave it (or as derived from one they gave). */
  readonly file: string;
  readonly locate: Locate;
}

export interface YamlDocument extends Source {
  /** The document as plain data: objects with string keys, arrays, strings, numbers, booleans, null. */
  readonly value: unknown;
}

/** Aliases expand into copies; this bounds "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads and parses a YAML file; `file` is also the name problems carry. The
 * file is read by src/input/read.ts: a regular file, bounded in size, UTF-8.
 */
export function readYamlFile(file: string): YamlDocument {
  return parseYaml(readInputFile(file), file);
}

/** Parses YAML text holding exactly one document. Throws InputError listing every syntax problem. */
export function parseYaml(text: string, file: string): YamlDocument {
  const lineCounter = new LineCounter();
  // logLevel 'error': the parser would otherwise print warnings to stderr;
  // every warning it can raise is turned into a Problem below instead.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const problems: Problem[] = [];
  const located = (offset: number, message: string, hint?: string): Problem => ({
    file,
    ...at(offset),
    path: '',
    message,
    ...(hint !== undefined ? { hint } : {}),
  });

  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) problems.push(syntaxProblem(e, text, located));
  }
  // A trailing `---` leaves an empty document behind; only documents with content count.
  const nonEmpty = docs.filter((d) => !isEmptyDocument(d));
  const second = nonEmpty[1];
  if (second !== undefined) {
    const first = kubernetesKind(nonEmpty[0]);
    problems.push(
      located(
        second.range[0],
        first !== undefined
          ? `expected one firebreak document, found ${nonEmpty.length} YAML documents, the first a Kubernetes ${first}: this looks like Kubernetes manifests`
          : `expected one YAML document, found ${nonEmpty.length}; a second document starts here`,
        first !== undefined
          ? 'Kubernetes manifests are read by `firebreak analyze <manifests> --fleet <fleet.yaml>` (or listed in a plan’s spec.change.manifests)'
          : 'put each fleet, scenario or plan in its own file (remove the `---` separator)',
      ),
    );
  }
  const doc = nonEmpty[0];
  if (doc === undefined && problems.length === 0) {
    problems.push({ file, line: 1, column: 1, path: '', message: 'the file is empty, expected a YAML document', hint: 'start from an example in docs/' });
  }
  if (doc !== undefined) problems.push(...structureProblems(doc, located));
  if (problems.length > 0 || doc === undefined) throw new InputError(problems.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.column ?? 0) - (y.column ?? 0)));

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // Left to the parser: alias expansion beyond MAX_ALIAS_COUNT.
    throw new InputError([located(0, `cannot expand the document: ${e instanceof Error ? e.message : String(e)}`, 'use fewer aliases (*name)')], { cause: e });
  }
  const locate: Locate = (path, target = 'value') => {
    const offset = locateOffset(doc, path, target);
    return offset === undefined ? undefined : at(offset);
  };
  return { file, value, locate };
}

/** The kind of a document that looks like a Kubernetes object (apiVersion not firebreak's), else undefined. */
function kubernetesKind(d: Document.Parsed | undefined): string | undefined {
  if (d === undefined || !isMap(d.contents)) return undefined;
  const get = (key: string): unknown => {
    const pair = (d.contents as { items: unknown[] }).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    return isPair(pair) && isScalar(pair.value) ? pair.value.value : undefined;
  };
  const apiVersion = get('apiVersion');
  const kind = get('kind');
  return typeof apiVersion === 'string' && !apiVersion.startsWith('firebreak.dev/') && typeof kind === 'string' ? kind : undefined;
}

function isEmptyDocument(d: Document.Parsed): boolean {
  return d.errors.length === 0 && (d.contents === null || (isScalar(d.contents) && d.contents.value === null && d.contents.source === ''));
}

/** A located problem for a YAML parser error (shared with the manifest reader). */
export function syntaxProblem(e: YAMLError, text: string, located: (offset: number, message: string, hint?: string) => Problem): Problem {
  const [from, to] = e.pos;
  switch (e.code) {
    case 'DUPLICATE_KEY': {
      // The error range covers only the start of the key; the key runs to the colon.
      const key = (/^[^:\n]*/.exec(text.slice(from))?.[0] ?? '').trim().replace(/^["']|["']$/g, '');
      return located(from, `duplicate key \`${key}\`: a key may appear once in a mapping`, 'remove one of the two, or merge them');
    }
    case 'TAB_AS_INDENT':
      return located(from, 'tabs are not allowed as indentation in YAML', 'indent with spaces');
    case 'TAG_RESOLVE_FAILED':
      return located(from, `unknown tag ${text.slice(from, to).trim()}`, 'remove the tag; plain YAML values are enough');
    default:
      return located(from, `invalid YAML: ${e.message.split('\n')[0] ?? e.message}`, 'check the indentation, quoting and brackets on this line and the one before');
  }
}

/** Aliases to undefined anchors and non-scalar keys: legal YAML the data model cannot hold. */
function structureProblems(doc: Document.Parsed, located: (offset: number, message: string, hint?: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        problems.push(located(node.range?.[0] ?? 0, `alias *${node.source} refers to no anchor defined before it`, `define &${node.source} earlier in the file`));
      }
    },
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) {
        const offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
        problems.push(located(offset, 'mapping keys must be plain strings, not lists or mappings', 'write the key as a plain word'));
      }
    },
  });
  return problems;
}

/** Start offset of the node at `path` (or of its key), else of the deepest existing ancestor. */
export function locateOffset(doc: Document.Parsed, path: Path, target: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let best = rangeStart(node);
  let keyStart: number | undefined;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    keyStart = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair === undefined) return best;
      keyStart = rangeStart(pair.key);
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
      if (next === undefined) return best;
    } else {
      return best;
    }
    const valueStart = isBlankScalar(next) ? undefined : rangeStart(next);
    best = valueStart ?? keyStart ?? best;
    node = next;
  }
  return target === 'key' && keyStart !== undefined ? keyStart : best;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** `key:` with nothing after it: the null scalar sits at the end of the line; point at the key instead. */
function isBlankScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

