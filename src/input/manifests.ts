/**
 * Kubernetes manifests as `helm template`, `kustomize build` or `kubectl get
 * -o yaml` print them: files (or directories of .yaml / .yml / .json files)
 * holding any number of YAML documents. Each document keeps a way back to
 * `file:line:column` for every value, and for lines inside a multi-line
 * string (a ConfigMap key holding a whole agent configuration).
 *
 * Two parsers: values come from js-yaml (fast) and positions from a
 * line-based locator (src/analyzer/yaml-locate.ts) for block-style YAML,
 * which is what manifests are; a file the fast path cannot take — a syntax
 * error, JSON, documents it cannot line up — goes through `yaml`, which keeps
 * every node's position and words the errors (as src/input/yaml.ts does).
 *
 * Syntax problems in any file (bad indentation, duplicate keys, unknown tags,
 * aliases to undefined anchors) are reported together, located, as one
 * InputError; nothing is analysed from input with syntax errors.
 *
 * @example
 *   const docs = readManifestPaths(['deploy/']);
 *   docs[0].locate(['spec', 'template', 'spec', 'containers', 0, 'args']);   // { line: 31, column: 13 }
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, visit } from 'yaml';
import { InputError, type Problem } from '../core/errors.ts';
import type { DocPath, ManifestDocument, Pos } from '../analyzer/types.ts';
import { YamlLines } from '../analyzer/yaml-locate.ts';
import { readInputFile, STDIN_NAME } from './read.ts';
import { locateOffset, syntaxProblem } from './yaml.ts';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** Aliases expand into copies; this bounds "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads manifest files and directories (recursively, files in name order).
 * Every file is read by src/input/read.ts (a regular file, bounded in size,
 * UTF-8). `-` stands for `opts.stdin`, the text the CLI read from standard
 * input. Throws InputError listing every unreadable path and every syntax
 * problem, and every firebreak document (a Fleet, Scenario or RolloutPlan is
 * not a manifest).
 */
export function readManifestPaths(paths: readonly string[], opts: { readonly stdin?: string } = {}): ManifestDocument[] {
  const problems: Problem[] = [];
  const files: string[] = [];
  const docs: ManifestDocument[] = [];
  // Files named on the command line (and standard input) must hold something: an empty one is a mistake, never an OK.
  const named = new Set(paths);
  const parse = (text: string, f: string): void => {
    try {
      const found = parseManifests(text, f);
      if (found.length === 0 && (named.has(f) || f === STDIN_NAME)) {
        problems.push({ file: f, path: '', message: 'holds no Kubernetes object (the file is empty, or only comments and `---`)', hint: 'pass the manifests of the change: DaemonSets, Deployments, their RBAC and ConfigMaps' });
      }
      docs.push(...notFirebreak(found, problems));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  };
  for (const p of paths) {
    if (p === '-' && opts.stdin !== undefined) {
      files.push(STDIN_NAME);
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, path: '', message: `file or directory not found (looked for ${resolve(p)})` });
      continue;
    }
    if (st.isDirectory()) {
      const found = walk(p);
      if (found.length === 0) problems.push({ file: p, path: '', message: `no manifest files (${MANIFEST_EXTENSIONS.join(', ')}) under this directory` });
      files.push(...found);
    } else files.push(p);
  }
  for (const f of files) {
    if (f === STDIN_NAME && opts.stdin !== undefined) {
      parse(opts.stdin, f);
      continue;
    }
    let text: string;
    try {
      text = readInputFile(f);
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
      continue;
    }
    parse(text, f);
  }
  if (problems.length > 0) throw new InputError(problems);
  return docs;
}

const FIREBREAK_KINDS: Readonly<Record<string, string>> = {
  Fleet: 'pass a Fleet with --fleet <fleet.yaml>',
  Scenario: 'a Scenario is run with `firebreak simulate` or rehearsed with `firebreak rehearse --scenario`',
  RolloutPlan: 'a RolloutPlan is checked with `firebreak plan validate` and rehearsed with `firebreak rehearse --plan`',
};

/** Firebreak's own documents are not Kubernetes manifests: each is a problem (one message, not a skipped unknown kind). */
function notFirebreak(docs: ManifestDocument[], problems: Problem[]): ManifestDocument[] {
  return docs.filter((d) => {
    const v = d.value as { apiVersion?: unknown; kind?: unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.apiVersion !== 'string' || !v.apiVersion.startsWith('firebreak.dev/')) return true;
    const kind = typeof v.kind === 'string' ? v.kind : 'document';
    const pos = d.locate(['kind']);
    problems.push({
      file: d.file,
      ...(pos !== undefined ? { line: pos.line, column: pos.column } : {}),
      path: 'kind',
      message: `this is a firebreak ${kind}, not a Kubernetes manifest`,
      hint: FIREBREAK_KINDS[kind] ?? 'pass Kubernetes manifests (DaemonSets, Deployments, RBAC, ConfigMaps)',
    });
    return false;
  });
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && MANIFEST_EXTENSIONS.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out;
}

/** Parses the documents of one manifest file. Throws InputError listing every syntax problem. */
export function parseManifests(text: string, file: string): ManifestDocument[] {
  return (file.endsWith('.json') ? undefined : parseFast(text, file)) ?? parseExact(text, file);
}

/** Document line ranges: split at `---` lines (a leading part counts only if it has content), `...` ends one. */
function documentRanges(lines: YamlLines): { from: number; to: number }[] | undefined {
  const out: { from: number; to: number }[] = [];
  let start = 0;
  let explicit = false;
  const close = (end: number): void => {
    let content = false;
    for (let i = start; i < end; i++) if (lines.indent(i) >= 0) content = true;
    if (explicit || content) out.push({ from: start, to: end });
  };
  const n = lines.lines.length;
  for (let i = 0; i < n; i++) {
    const l = lines.lines[i] ?? '';
    if (l.startsWith('---') && (l.length === 3 || l[3] === ' ' || l[3] === '\r' || l[3] === '\t')) {
      const rest = l.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) return undefined; // content on the marker line
      close(i);
      start = i + 1;
      explicit = true;
    } else if (l.startsWith('...') && (l.length === 3 || l[3] === ' ' || l[3] === '\r')) {
      close(i);
      // Until the next `---`, only comments may follow.
      start = i + 1;
      explicit = false;
    } else if (l.startsWith('%')) return undefined; // directives
  }
  close(n);
  return out;
}

function parseFast(text: string, file: string): ManifestDocument[] | undefined {
  let values: unknown[];
  try {
    values = loadAll(text, { filename: file, maxAliases: MAX_ALIAS_COUNT });
  } catch {
    return undefined; // the exact parser words the error, located
  }
  const lines = new YamlLines(text);
  const ranges = documentRanges(lines);
  if (ranges?.length !== values.length) return undefined;
  const out: ManifestDocument[] = [];
  // Positions the line locator cannot resolve (inside flow collections) come from the exact parser, run once per file.
  let exactDocs: ManifestDocument[] | null | undefined;
  const exactDoc = (index: number): ManifestDocument | undefined => {
    if (exactDocs === undefined) {
      try {
        exactDocs = parseExact(text, file);
      } catch {
        exactDocs = null;
      }
    }
    return exactDocs?.find((d) => d.index === index);
  };
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    const r = ranges[index] as { from: number; to: number };
    const fallback = (): ManifestDocument | undefined => exactDoc(index);
    out.push({
      file,
      index,
      value,
      locate: (path, target = 'value') => {
        const p = lines.locate(path, r.from, r.to, target);
        if (p !== undefined && p.sure) return { line: p.line + 1, column: p.col + 1 };
        return fallback()?.locate(path, target) ?? (p === undefined ? undefined : { line: p.line + 1, column: p.col + 1 });
      },
      locateInString: (path, offset) => {
        const p = lines.locate(path, r.from, r.to);
        if (p === undefined || !p.sure) return fallback()?.locateInString(path, offset) ?? (p === undefined ? undefined : { line: p.line + 1, column: p.col + 1 });
        if (!p.exact) return { line: p.line + 1, column: p.col + 1 };
        if (!p.literal) return { line: p.line + 1, column: p.col + 1 };
        let v: unknown = value;
        for (const seg of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[seg] : undefined;
        const before = typeof v === 'string' ? v.slice(0, Math.max(0, offset)) : '';
        const line = p.line + 1 + (before.split('\n').length - 1);
        const ind = lines.indent(line);
        return { line: line + 1, column: (ind < 0 ? 0 : ind) + 1 };
      },
    });
  });
  return out;
}

/** The position-keeping parse (package `yaml`): every node located, errors worded and located. */
function parseExact(text: string, file: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  // logLevel 'error': warnings become Problems below instead of being printed.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const problems: Problem[] = [];
  const located = (offset: number, message: string, hint?: string): Problem => ({ file, ...at(offset), path: '', message, ...(hint !== undefined ? { hint } : {}) });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    for (const e of [...d.errors, ...d.warnings]) problems.push(syntaxProblem(e, text, located));
    if (d.errors.length === 0) problems.push(...structureProblems(d, located));
  }
  if (problems.length > 0) throw new InputError(problems.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.column ?? 0) - (y.column ?? 0)));

  const out: ManifestDocument[] = [];
  list.forEach((d, index) => {
    if (d.contents === null || (isScalar(d.contents) && d.contents.value === null)) return; // empty document (comments only, trailing ---)
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      throw new InputError([located(d.range[0], `cannot expand the document: ${e instanceof Error ? e.message : String(e)}`, 'use fewer aliases (*name)')]);
    }
    out.push({
      file,
      index,
      value,
      locate: (path, target = 'value') => {
        const o = locateOffset(d, path, target);
        return o === undefined ? undefined : at(o);
      },
      locateInString: (path, offset) => {
        const node = nodeAt(d, path);
        const start = rangeStart(node);
        if (start === undefined) return undefined;
        const head = at(start);
        if (isScalar(node) && node.type === Scalar.BLOCK_LITERAL && typeof node.value === 'string') {
          // A literal block keeps its lines: the value's n-th line is the header's line + 1 + n.
          const before = node.value.slice(0, Math.max(0, offset));
          const n = before.split('\n').length - 1;
          const line = head.line + 1 + n;
          const lineStart = lineCounter.lineStarts[line - 1];
          const lineText = lineStart === undefined ? '' : text.slice(lineStart, text.indexOf('\n', lineStart) < 0 ? undefined : text.indexOf('\n', lineStart));
          return { line, column: (lineText.length - lineText.trimStart().length) + 1 };
        }
        return head;
      },
    });
  });
  return out;
}


function structureProblems(doc: Document.Parsed, located: (offset: number, message: string, hint?: string) => Problem): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) problems.push(located(node.range?.[0] ?? 0, `alias *${node.source} refers to no anchor defined before it`, `define &${node.source} earlier in the file`));
    },
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) {
        problems.push(located(rangeStart(pair.key) ?? 0, 'mapping keys must be plain strings, not lists or mappings', 'write the key as a plain word'));
      }
    },
  });
  return problems;
}

function nodeAt(doc: Document.Parsed, path: DocPath): unknown {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) return undefined;
    } else return undefined;
  }
  return isAlias(node) ? node.resolve(doc) : node;
}


function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}
