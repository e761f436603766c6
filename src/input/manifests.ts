/**
 * Kubernetes manifests as `helm template`, `kustomize build` or `kubectl get
 * -o yaml` print them: files (or directories of .yaml / .yml / .json files)
 * holding any number of YAML documents. Each document keeps a way back to
 * `file:line:column` for every value, and for lines inside a multi-line
 * string (a ConfigMap key holding a whole agent configuration).
 *
 * Two parsers: values come from the block-style reader
 * (src/analyzer/yaml-block.ts: js-yaml's values, with the offset of every
 * line and each document's lines as it passes them) or, for text outside its
 * subset, from js-yaml itself, and positions from a line-based locator
 * (src/analyzer/yaml-locate.ts) for block-style YAML, which is what manifests
 * are; a file the fast path cannot take — a syntax error, JSON, documents it
 * cannot line up — goes through `yaml`, which keeps every node's position and
 * words the errors (as src/input/yaml.ts does).
 *
 * Syntax problems in any file (bad indentation, duplicate keys, unknown tags,
 * aliases to undefined anchors) are reported together, located, as one
 * InputError; nothing is analysed from input with syntax errors.
 *
 * Directories are walked recursively, in name order. Symbolic links inside
 * them are followed — a link that loops back to a directory being walked is
 * not followed (a note), a dangling link is an error — and a file reached
 * twice (through links, or named twice) is read once (a note). Regular files
 * not named .yaml / .yml / .json are not read: each one whose first 4 KiB
 * look like a Kubernetes object (`apiVersion:` and `kind:`) gets a note of
 * its own, the others are listed in one note per directory given, with the
 * special files (FIFOs, sockets, devices) that are never read. A file with no
 * document (empty, or only comments) gets a note. Notes go to
 * `opts.report`, for the analysis to show (docs/analyzer.md, "Input").
 *
 * @example
 *   const docs = readManifestPaths(['deploy/']);
 *   docs[0].locate(['spec', 'template', 'spec', 'containers', 0, 'args']);   // { line: 31, column: 13 }
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, visit } from 'yaml';
import { InputError, type Problem } from '../core/errors.ts';
import type { DocPath, InputNote, ManifestDocument, Pos } from '../analyzer/types.ts';
import { loadAll } from 'js-yaml';
import { readBlockYamlLines } from '../analyzer/yaml-block.ts';
import { YamlLines, type LinePos } from '../analyzer/yaml-locate.ts';
import { readInputFile, STDIN_NAME } from './read.ts';
import { locateOffset, syntaxProblem } from './yaml.ts';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** Aliases expand into copies; this bounds "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/** What the reader noticed about the input files, for the analysis to report. */
export interface ManifestReadReport {
  /** Every file read, in order. */
  readonly files: string[];
  /** Files not read, files with no document (input-skipped, input-empty). */
  readonly notes: InputNote[];
}

/** Bytes of a skipped file looked at to tell whether it may hold manifests. */
const SNIFF_BYTES = 4096;

/**
 * Reads manifest files and directories (recursively, files in name order).
 * Every file is read by src/input/read.ts (a regular file, bounded in size,
 * UTF-8). `-` stands for `opts.stdin`, the text the CLI read from standard
 * input. Throws InputError listing every unreadable path, every dangling
 * symbolic link, every syntax problem, every firebreak document (a Fleet,
 * Scenario or RolloutPlan is not a manifest) and every file named on the
 * command line that holds no object. `opts.report`, when given, receives the
 * files read and the notes about the others.
 */
export function readManifestPaths(paths: readonly string[], opts: { readonly stdin?: string; readonly report?: ManifestReadReport } = {}): ManifestDocument[] {
  const problems: Problem[] = [];
  const notes: InputNote[] = [];
  const files: string[] = [];
  const docs: ManifestDocument[] = [];
  // Files named on the command line (and standard input) must hold something: an empty one is a mistake, never an OK.
  const named = new Set(paths);
  const parse = (text: string, f: string): void => {
    try {
      const found = parseManifests(text, f);
      if (found.length === 0) {
        if (named.has(f) || f === STDIN_NAME) {
          problems.push({ file: f, path: '', message: 'holds no Kubernetes object (the file is empty, or only comments and `---`)', hint: 'pass the manifests of the change: DaemonSets, Deployments, their RBAC and ConfigMaps' });
        } else {
          notes.push({
            rule: 'input-empty',
            file: f,
            line: 1,
            column: 1,
            message: text.trim() === '' ? 'empty file: no Kubernetes object in it' : 'no Kubernetes object in this file (only comments or document markers)',
            fix: 'check that it was rendered (helm template / kustomize build) with the values you meant',
          });
        }
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
      const ctx: WalkContext = { problems, notes, ancestors: [realpathOf(p)], skipped: [], special: [] };
      const before = problems.length;
      const found = walk(p, ctx);
      if (found.length === 0 && problems.length === before) problems.push({ file: p, path: '', message: `no manifest files (${MANIFEST_EXTENSIONS.join(', ')}) under this directory${ctx.skipped.length + ctx.special.length > 0 ? ` (${ctx.skipped.length + ctx.special.length} other files, not read)` : ''}` });
      notes.push(...skippedNotes(p, ctx));
      files.push(...found);
    } else files.push(p);
  }
  // A file reached twice (named twice, or through a symbolic link) is read once.
  const byReal = new Map<string, string>();
  const unique: string[] = [];
  for (const f of files) {
    const real = f === STDIN_NAME ? f : realpathOf(f);
    const first = byReal.get(real);
    if (first !== undefined) {
      notes.push({ rule: 'input-skipped', file: f, line: 1, column: 1, message: `the same file as ${first} (reached twice, through a symbolic link or a second path); read once`, fix: 'none needed' });
      continue;
    }
    byReal.set(real, f);
    unique.push(f);
  }
  for (const f of unique) {
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
  if (opts.report !== undefined) {
    opts.report.files.push(...unique);
    opts.report.notes.push(...notes);
  }
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

interface WalkContext {
  readonly problems: Problem[];
  readonly notes: InputNote[];
  /** Real paths of the directories being walked, outermost first: a link back to one of them is a loop. */
  readonly ancestors: string[];
  /** Regular files not read (not .yaml / .yml / .json). */
  readonly skipped: string[];
  /** FIFOs, sockets, devices: never read. */
  readonly special: string[];
}

function realpathOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

function walk(dir: string, ctx: WalkContext): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    let kind: 'dir' | 'file' | 'other' = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
    if (e.isSymbolicLink()) {
      let target = '?';
      try {
        target = readlinkSync(p);
      } catch {
        // keep '?'
      }
      try {
        const st = statSync(p);
        kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        ctx.problems.push({
          file: p,
          path: '',
          message: code === 'ELOOP' ? `symbolic link to ${target} loops (it resolves to itself)` : `symbolic link to ${target}, which does not exist (a dangling link)`,
          hint: 'fix or remove the link: links inside a directory are followed, and a manifest that cannot be read is not a pass',
        });
        continue;
      }
    }
    if (kind === 'dir') {
      const real = realpathOf(p);
      if (ctx.ancestors.includes(real)) {
        ctx.notes.push({ rule: 'input-skipped', file: p, line: 1, column: 1, message: `symbolic link back to ${real}, a directory that contains it: a loop, not followed (its files are read once, from there)`, fix: 'none needed' });
        continue;
      }
      ctx.ancestors.push(real);
      out.push(...walk(p, ctx));
      ctx.ancestors.pop();
    } else if (kind === 'file') {
      if (MANIFEST_EXTENSIONS.some((x) => e.name.endsWith(x))) out.push(p);
      else ctx.skipped.push(p);
    } else ctx.special.push(p);
  }
  return out;
}

/** Whether the first bytes of a file look like a Kubernetes object in YAML or JSON. */
function looksLikeManifest(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return false;
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    const head = buf.subarray(0, n).toString('utf8');
    return /(^|\n)\s*"?apiVersion"?\s*:/.test(head) && /(^|\n)\s*"?kind"?\s*:/.test(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Notes about the files a directory walk did not read. */
function skippedNotes(dir: string, ctx: WalkContext): InputNote[] {
  const notes: InputNote[] = [];
  const quiet: string[] = [];
  const names = MANIFEST_EXTENSIONS.map((x) => `*${x}`).join(', ');
  for (const f of ctx.skipped) {
    if (looksLikeManifest(f)) {
      notes.push({
        rule: 'input-skipped',
        file: f,
        line: 1,
        column: 1,
        message: `not read: it looks like a Kubernetes manifest (apiVersion and kind), but only files named ${names} are read from a directory`,
        fix: 'rename it with a .yaml extension, or name it on the command line (files given by name are read whatever their extension)',
      });
    } else quiet.push(f);
  }
  if (quiet.length + ctx.special.length > 0) {
    const list = [...quiet, ...ctx.special];
    const shown = list.slice(0, 10).join(', ') + (list.length > 10 ? ` and ${list.length - 10} more` : '');
    const parts = [
      ...(quiet.length > 0 ? [`${quiet.length} file${quiet.length === 1 ? '' : 's'} not named ${names}`] : []),
      ...(ctx.special.length > 0 ? [`${ctx.special.length} special file${ctx.special.length === 1 ? '' : 's'} (FIFO, socket or device)`] : []),
    ];
    notes.push({
      rule: 'input-skipped',
      file: dir,
      line: 1,
      column: 1,
      message: `not read under ${dir}: ${parts.join(' and ')} — ${shown}`,
      fix: 'none needed if none of them holds manifests; otherwise rename them with a .yaml extension or name them on the command line',
    });
  }
  return notes;
}

/** Parses the documents of one manifest file. Throws InputError listing every syntax problem. */
export function parseManifests(text: string, file: string): ManifestDocument[] {
  return (file.endsWith('.json') ? undefined : parseFast(text, file)) ?? parseExact(text, file);
}

const MARKER_LINE = /\n[-.%]/g;

/**
 * Document ranges: split at `---` lines (a leading part counts only if it has content), `...` ends one.
 * Each is [from, to) as the offsets of its first line and of the line that ends it (text.length + 1:
 * the end of the text). Found from the marker lines alone, without splitting the text into lines.
 */
export function documentRanges(text: string): { from: number; to: number }[] | undefined {
  // Lines that may be markers: the first, and every line starting with `-`, `.` or `%`, in order.
  const marks: number[] = [0];
  MARKER_LINE.lastIndex = 0;
  for (let m = MARKER_LINE.exec(text); m !== null; m = MARKER_LINE.exec(text)) marks.push(m.index + 1);
  const out: { from: number; to: number }[] = [];
  let start = 0;
  let explicit = false;
  const close = (end: number): void => {
    if (explicit || hasContent(text, start, end)) out.push({ from: start, to: end });
  };
  for (const o of marks) {
    const c0 = text.charCodeAt(o);
    if (c0 !== 45 /* - */ && c0 !== 46 /* . */ && c0 !== 37 /* % */) continue;
    const nl = text.indexOf('\n', o);
    const e = nl < 0 ? text.length : nl;
    const l = text.slice(o, e);
    if (l.startsWith('---') && (l.length === 3 || l[3] === ' ' || l[3] === '\r' || l[3] === '\t')) {
      const rest = l.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) return undefined; // content on the marker line
      close(o);
      start = e + 1;
      explicit = true;
    } else if (l.startsWith('...') && (l.length === 3 || l[3] === ' ' || l[3] === '\r')) {
      close(o);
      // Until the next `---`, only comments may follow.
      start = e + 1;
      explicit = false;
    } else if (l.startsWith('%')) return undefined; // directives
  }
  close(text.length + 1);
  return out;
}

/** Whether a line starting in [from, to) has content: not blank, not only a comment. */
function hasContent(text: string, from: number, to: number): boolean {
  for (let o = from; o < to && o <= text.length; ) {
    const nl = text.indexOf('\n', o);
    const e = nl < 0 ? text.length : nl;
    let k = o;
    while (k < e && text.charCodeAt(k) === 32) k++;
    const c = k < e ? text.charCodeAt(k) : -1;
    if (!(c === -1 || c === 35 /* # */ || (c === 13 && k + 1 === e))) return true;
    o = e + 1;
  }
  return false;
}

/**
 * One file read by the fast path: its text, its documents' lines, and the line index — from the block
 * reader, which passed every line, or built when a position is first asked for.
 */
class FastFile {
  readonly text: string;
  readonly file: string;
  /** Documents as offset ranges (documentRanges), when the block reader did not give their lines. */
  readonly #ranges: readonly { from: number; to: number }[];
  readonly #starts: readonly number[] | undefined;
  #lines: YamlLines | undefined;
  #lineRanges: readonly { from: number; to: number }[] | undefined;
  /** Positions the line locator cannot resolve (inside flow collections) come from the exact parser, run once per file. */
  #exactDocs: ManifestDocument[] | null | undefined;
  constructor(text: string, file: string, ranges: readonly { from: number; to: number }[], lines?: { readonly starts: readonly number[]; readonly docs: readonly { from: number; to: number }[] }) {
    this.text = text;
    this.file = file;
    this.#ranges = ranges;
    this.#starts = lines?.starts;
    this.#lineRanges = lines?.docs;
  }

  get lines(): YamlLines {
    return (this.#lines ??= new YamlLines(this.text, this.#starts));
  }

  /** Lines [from, to) of document `index`. */
  range(index: number): { from: number; to: number } {
    if (this.#lineRanges === undefined) {
      const lines = this.lines;
      const line = (o: number): number => (o > this.text.length ? lines.lineCount : lines.lineAt(o));
      this.#lineRanges = this.#ranges.map((r) => ({ from: line(r.from), to: line(r.to) }));
    }
    return this.#lineRanges[index] as { from: number; to: number };
  }

  exactDoc(index: number): ManifestDocument | undefined {
    if (this.#exactDocs === undefined) {
      try {
        this.#exactDocs = parseExact(this.text, this.file);
      } catch {
        this.#exactDocs = null;
      }
    }
    return this.#exactDocs?.find((d) => d.index === index);
  }
}

/** A document read by the fast path: js-yaml's value, positions from the line locator. */
class FastDocument implements ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly value: unknown;
  readonly #f: FastFile;
  constructor(f: FastFile, index: number, value: unknown) {
    this.file = f.file;
    this.index = index;
    this.value = value;
    this.#f = f;
  }

  locate(path: DocPath, target: 'key' | 'value' = 'value'): Pos | undefined {
    const r = this.#f.range(this.index);
    const p = this.#f.lines.locate(path, r.from, r.to, target);
    if (p !== undefined && p.sure) return { line: p.line + 1, column: p.col + 1 };
    return this.#f.exactDoc(this.index)?.locate(path, target) ?? (p === undefined ? undefined : { line: p.line + 1, column: p.col + 1 });
  }

  locateInString(path: DocPath, offset: number): Pos | undefined {
    const lines = this.#f.lines;
    const p = this.#stringAt(path);
    if (p === undefined || !p.sure) return this.#f.exactDoc(this.index)?.locateInString(path, offset) ?? (p === undefined ? undefined : { line: p.line + 1, column: p.col + 1 });
    if (!p.exact) return { line: p.line + 1, column: p.col + 1 };
    if (!p.literal) return { line: p.line + 1, column: p.col + 1 };
    let v: unknown = this.value;
    for (const seg of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[seg] : undefined;
    // The literal block's lines before `offset`: its n-th line is the header's line + 1 + n.
    let n = 0;
    if (typeof v === 'string') {
      const end = Math.min(v.length, Math.max(0, offset));
      for (let o = v.indexOf('\n'); o >= 0 && o < end; o = v.indexOf('\n', o + 1)) n++;
    }
    const line = p.line + 1 + n;
    const ind = lines.indent(line);
    return { line: line + 1, column: (ind < 0 ? 0 : ind) + 1 };
  }

  /** The last string located (readers ask for many positions inside the same ConfigMap key). */
  #lastPath: DocPath | undefined;
  #lastAt: LinePos | undefined;

  #stringAt(path: DocPath): LinePos | undefined {
    const last = this.#lastPath;
    if (last !== undefined && last.length === path.length && last.every((s, i) => s === path[i])) return this.#lastAt;
    const r = this.#f.range(this.index);
    const p = this.#f.lines.locate(path, r.from, r.to);
    this.#lastPath = [...path];
    this.#lastAt = p;
    return p;
  }
}

function parseFast(text: string, file: string): ManifestDocument[] | undefined {
  // Block-style YAML (yaml-block.ts) comes with its lines and documents; anything else is read by js-yaml,
  // its documents found from the marker lines.
  const block = readBlockYamlLines(text);
  let f: FastFile;
  let values: unknown[];
  if (block !== undefined) {
    values = block.docs;
    f = new FastFile(text, file, [], { starts: block.lineStarts, docs: block.docLines });
  } else {
    try {
      values = loadAll(text, { filename: file, maxAliases: MAX_ALIAS_COUNT });
    } catch {
      return undefined; // the exact parser words the error, located
    }
    const ranges = documentRanges(text);
    if (ranges?.length !== values.length) return undefined;
    f = new FastFile(text, file, ranges);
  }
  const out: ManifestDocument[] = [];
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    out.push(new FastDocument(f, index, value));
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
      throw new InputError([located(d.range[0], `cannot expand the document: ${e instanceof Error ? e.message : String(e)}`, 'use fewer aliases (*name)')], { cause: e });
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
