/**
 * YAML values as js-yaml reads them (its default, the YAML 1.2 core schema),
 * fast for the block-style YAML that Kubernetes manifests and agent
 * configurations are: a line-based reader of a strict subset, and js-yaml
 * itself for everything else. On the subset it gives exactly js-yaml's values
 * (same objects, same key order, same numbers); anything outside it — and
 * everything js-yaml refuses — is handed to js-yaml, which reads or refuses
 * it as it always did. test/analyzer/yaml-block.test.ts compares the two on
 * generated YAML (valid and mutated) and on the manifest corpus.
 *
 * The subset: text of printable characters without tabs, carriage returns or
 * a byte-order mark; documents separated by `---` lines (no `...`, no
 * directives, nothing after `---` but a comment); block mappings with plain
 * or single-line quoted keys; block sequences (also compact: `- a: 1`,
 * `- - x`, and a sequence at its key's indentation); plain scalars on one
 * line; quoted scalars on one line; literal and folded block scalars without
 * an indentation indicator, as values; flow collections `[…]` `{…}` that
 * close on their line; comments. No anchors, aliases, tags, explicit keys
 * (`? `), multi-line plain or quoted scalars, duplicate keys or `__proto__`.
 *
 * This file reads the structure (documents, block mappings and sequences,
 * lines); yaml-scalars.ts the scalars and yaml-flow.ts the flow collections.
 *
 * @example
 *   loadAllYaml('a: 1\n---\nb: [x, y]\n');   // [{ a: 1 }, { b: ['x', 'y'] }]
 *   readBlockYaml('a: &x 1\n');               // undefined: outside the subset (js-yaml reads it)
 */
import { load, loadAll } from 'js-yaml';
import { Flow } from './yaml-flow.ts';
import { blockValue, canStartPlain, CLIP, COLON, DASH, DQUOTE, HASH, KEEP, MAX_DEPTH, NL, plainKey, plainValue, quotedEnd, REFUSED, singleQuoted, doubleQuoted, SPACE, SQUOTE, STRIP, trimEnd } from './yaml-scalars.ts';

/** Aliases expand into copies; this bounds "billion laughs" documents (js-yaml's option). */
const MAX_ALIASES = 100;

/** Every document of `text`, as js-yaml's loadAll gives them (it throws what js-yaml throws). */
export function loadAllYaml(text: string, filename?: string): unknown[] {
  return readBlockYaml(text) ?? loadAll(text, { maxAliases: MAX_ALIASES, ...(filename !== undefined ? { filename } : {}) });
}

/** The single document of `text`, as js-yaml's load gives it (it throws what js-yaml throws). */
export function loadYaml(text: string): unknown {
  return loadYamlLines(text).value;
}

/**
 * The single document of `text`, as js-yaml's load gives it, with the offset of every line when the
 * block reader read it (for a YamlLines of the text: readBlockYamlLines).
 */
export function loadYamlLines(text: string): { readonly value: unknown; readonly lineStarts?: readonly number[] } {
  const r = readBlockYamlLines(text);
  if (r?.docs.length === 1) return { value: r.docs[0], lineStarts: r.lineStarts };
  return { value: load(text, { maxAliases: MAX_ALIASES }) };
}

/** The documents of `text` when it is inside the subset, else undefined (then only js-yaml can say). */
export function readBlockYaml(text: string): unknown[] | undefined {
  return readBlockYamlLines(text)?.docs;
}

/**
 * The documents of a text inside the subset, with what the reader saw on the way: the offset of every
 * line (split at `\n`, as YamlLines has them) and each document's lines [from, to) — from the line
 * after its `---` (or the text's first line) to its closing marker line (or the line count), as the
 * manifest reader's document ranges are. Undefined outside the subset.
 */
export function readBlockYamlLines(text: string): { readonly docs: unknown[]; readonly lineStarts: number[]; readonly docLines: { readonly from: number; readonly to: number }[] } | undefined {
  if (NOT_ASCII.test(text) && OUTSIDE.test(text)) return undefined;
  const r = new Reader(text);
  let docs: unknown[];
  try {
    docs = r.stream();
  } catch (e) {
    if (e === REFUSED) return undefined;
    throw e;
  }
  // The line after a final `\n` (or the empty text's only line).
  if (text.length === 0 || text.charCodeAt(text.length - 1) === NL) r.starts.push(text.length);
  const lineCount = r.starts.length;
  for (const d of r.docLines) if (d.to < 0) d.to = lineCount;
  return { docs, lineStarts: r.starts, docLines: r.docLines };
}

/**
 * Characters the subset does not take: controls (tab and carriage return included), DEL and the C1
 * controls, surrogates, the byte-order mark, U+FFFE and U+FFFF, the Unicode line and paragraph separators.
 */
const OUTSIDE = /[^\n\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD]/;

/** A quicker first test: anything but printable ASCII and `\n`. */
const NOT_ASCII = /[^\n -~]/;

class Reader {
  readonly t: string;
  readonly n: number;
  /** The current line: its start, its end (its `\n`, or the end of the text), its indentation. */
  ls = 0;
  le = 0;
  /** Indentation of the current content line; -1 at a document marker or the end of the text. */
  ind = -1;
  depth = 0;
  /** The offset of every line passed so far, and the current line's index. */
  readonly starts: number[] = [];
  line = -1;
  /** Each document's lines [from, to); `to` -1: to the end of the text. */
  readonly docLines: { from: number; to: number }[] = [];
  readonly flow: Flow;
  /** The next `:` and `#` at or after the reader's last search (-1: none in the rest of the text). */
  nextColon = 0;
  nextHash = 0;

  constructor(text: string) {
    this.t = text;
    this.n = text.length;
    this.flow = new Flow(text);
    this.nextColon = text.indexOf(':');
    this.nextHash = text.indexOf('#');
  }

  stream(): unknown[] {
    const docs: unknown[] = [];
    this.seek(0);
    // js-yaml does not count the spaces before the text's first content as indentation when they are on
    // its first line (it reads an indented `---` there as a marker): left to it.
    if (this.ls === 0 && this.ind > 0) throw REFUSED;
    if (this.ind >= 0) {
      docs.push(this.root());
      this.docLines.push({ from: 0, to: this.ls < this.n ? this.line : -1 });
    }
    while (this.ls < this.n) {
      // At a marker line: `---` (a new document) — `...` is left to js-yaml.
      const t = this.t;
      if (t.charCodeAt(this.ls) !== DASH) throw REFUSED;
      let p = this.ls + 3;
      while (p < this.le && t.charCodeAt(p) === SPACE) p++;
      if (p < this.le && t.charCodeAt(p) !== HASH) throw REFUSED; // content on the marker line
      const from = this.line + 1;
      this.seek(this.le + 1);
      docs.push(this.ind >= 0 ? this.root() : null);
      this.docLines.push({ from, to: this.ls < this.n ? this.line : -1 });
    }
    return docs;
  }

  /** A document's root node: nothing may follow it but the next marker or the end. */
  root(): unknown {
    const v = this.node(this.ind, this.ind - 1, LINE);
    if (this.ind >= 0) throw REFUSED;
    return v;
  }

  /**
   * Moves to the first content line at or after offset `from`: blank and comment lines are skipped. At a
   * document marker line (`---` or `...` at column 0, then a space or the line's end) or the end of the
   * text, `ind` is -1.
   */
  seek(from: number): void {
    const t = this.t;
    const n = this.n;
    let s = from;
    while (s < n) {
      let e = t.indexOf('\n', s);
      if (e < 0) e = n;
      this.starts.push(s);
      this.line++;
      let k = s;
      while (k < e && t.charCodeAt(k) === SPACE) k++;
      if (k < e && t.charCodeAt(k) !== HASH) {
        this.ls = s;
        this.le = e;
        if (k === s && isMarker(t, s, e)) this.ind = -1;
        else this.ind = k - s;
        return;
      }
      s = e + 1;
    }
    this.ls = n;
    this.le = n;
    this.ind = -1;
  }

  /**
   * The node starting at column `col` of the current line, in a collection indented `m` (a scalar's
   * continuation would be indented more). `mode`: on a line of its own (LINE), after `- ` (COMPACT) or
   * after `key: ` (INLINE). Leaves the reader at the next content line after the node.
   */
  node(col: number, m: number, mode: number): unknown {
    const t = this.t;
    const p = this.ls + col;
    const c = t.charCodeAt(p);
    if (c === DASH && (p + 1 === this.le || t.charCodeAt(p + 1) === SPACE)) {
      if (mode === INLINE) throw REFUSED;
      return this.seq(col);
    }
    if (mode !== INLINE) {
      const colon = this.keyEnd(p);
      if (colon >= 0) return this.map(col, colon);
    }
    let v: unknown;
    let end: number;
    if (c === 124 /* | */ || c === 62 /* > */) {
      if (mode === LINE) throw REFUSED;
      v = this.blockScalar(p, m + 1);
      if (this.ind > m) throw REFUSED; // bad indentation after the block
      return v;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      const f = this.flow;
      f.le = this.le;
      f.depth = this.depth;
      v = f.node(p);
      end = f.p;
    } else if (c === DQUOTE || c === SQUOTE) {
      end = quotedEnd(t, p, this.le);
      v = c === DQUOTE ? doubleQuoted(t, p + 1, end - 1) : singleQuoted(t, p + 1, end - 1);
    } else {
      if (!canStartPlain(t, p, this.le)) throw REFUSED;
      end = this.plainEnd(p);
      if (end < this.le && t.charCodeAt(end) === COLON) throw REFUSED; // `a: b: c`
      v = plainValue(t, p, trimEnd(t, p, end));
    }
    this.restOfLine(end);
    this.seek(this.le + 1);
    if (this.ind > m) throw REFUSED; // a continuation line, or bad indentation
    return v;
  }

  /**
   * The end of a one-line plain scalar in block context from `p`: a `:` before a space or the line's
   * end, ` #`, or the line's end. The next `:` and `#` of the text are searched once and kept (the
   * reader only moves forward).
   */
  plainEnd(p: number): number {
    const t = this.t;
    const le = this.le;
    let c = this.nextColon;
    if (c < p && c >= 0) c = this.nextColon = t.indexOf(':', p);
    while (c >= 0 && c < le && !(c + 1 === le || t.charCodeAt(c + 1) === SPACE)) c = this.nextColon = t.indexOf(':', c + 1);
    const end = c >= 0 && c < le ? c : le;
    // A `#` after a space starts a comment (the scalar's first character is neither).
    let h = this.nextHash;
    if (h <= p && h >= 0) h = this.nextHash = t.indexOf('#', p + 1);
    while (h >= 0 && h < end && t.charCodeAt(h - 1) !== SPACE) h = this.nextHash = t.indexOf('#', h + 1);
    return h >= 0 && h < end ? h : end;
  }

  /** Only spaces, then a comment (after a space) or nothing, from `p` to the line's end. */
  restOfLine(p: number): void {
    const t = this.t;
    let k = p;
    while (k < this.le && t.charCodeAt(k) === SPACE) k++;
    if (k < this.le && (t.charCodeAt(k) !== HASH || t.charCodeAt(k - 1) !== SPACE)) throw REFUSED;
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) throw REFUSED;
  }

  /** A block sequence whose first `- ` is at column `s` of the current line. */
  seq(s: number): unknown[] {
    this.enter();
    const t = this.t;
    const out: unknown[] = [];
    for (;;) {
      let p = this.ls + s + 1;
      while (p < this.le && t.charCodeAt(p) === SPACE) p++;
      if (p === this.le || t.charCodeAt(p) === HASH) {
        // `-` alone: the item is on the lines below, indented more, or null.
        this.seek(this.le + 1);
        out.push(this.ind > s ? this.node(this.ind, s, LINE) : null);
      } else out.push(this.node(p - this.ls, s, COMPACT));
      if (this.ind < s) break;
      if (this.ind > s) throw REFUSED;
      const d = this.ls + s;
      if (t.charCodeAt(d) !== DASH || !(d + 1 === this.le || t.charCodeAt(d + 1) === SPACE)) break;
    }
    this.depth--;
    return out;
  }

  /** A block mapping whose first key is at column `m` of the current line, its `:` at offset `colon`. */
  map(m: number, firstColon: number): Record<string, unknown> {
    this.enter();
    const t = this.t;
    const out: Record<string, unknown> = {};
    let colon = firstColon;
    for (;;) {
      const k0 = this.ls + m;
      if (colon < 0) throw REFUSED; // a line at the mapping's indentation that is not an entry
      const c = t.charCodeAt(k0);
      const key = c === DQUOTE ? doubleQuoted(t, k0 + 1, quotedEnd(t, k0, this.le) - 1) : c === SQUOTE ? singleQuoted(t, k0 + 1, quotedEnd(t, k0, this.le) - 1) : plainKey(t, k0, trimEnd(t, k0, colon));
      // js-yaml refuses a duplicated key. No value is undefined: a key already set, or one the object
      // inherits (`constructor`, `toString`: left to js-yaml), reads as something.
      if (out[key] !== undefined || key === '__proto__') throw REFUSED;
      let p = colon + 1;
      while (p < this.le && t.charCodeAt(p) === SPACE) p++;
      let v: unknown;
      if (p === this.le || t.charCodeAt(p) === HASH) {
        // Nothing after `key:`: the value is on the lines below, indented more, or a sequence at the
        // key's own indentation, or null.
        this.seek(this.le + 1);
        if (this.ind > m) v = this.node(this.ind, m, LINE);
        else if (this.ind === m && t.charCodeAt(this.ls + m) === DASH && (this.ls + m + 1 === this.le || t.charCodeAt(this.ls + m + 1) === SPACE)) v = this.seq(m);
        else v = null;
      } else v = this.node(p - this.ls, m, INLINE);
      out[key] = v;
      if (this.ind < m) break;
      if (this.ind > m) throw REFUSED;
      colon = this.keyEnd(this.ls + m);
    }
    this.depth--;
    return out;
  }

  /**
   * Where the key of a block mapping entry starting at offset `p` ends: the offset of its `:` (followed
   * by a space or the line's end), or -1 when the line is not an entry. Keys are plain or quoted.
   */
  keyEnd(p: number): number {
    const t = this.t;
    const le = this.le;
    const c = t.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      const e = quotedEnd(t, p, le);
      let k = e;
      while (k < le && t.charCodeAt(k) === SPACE) k++;
      if (k < le && t.charCodeAt(k) === COLON) {
        if (k + 1 < le && t.charCodeAt(k + 1) !== SPACE) throw REFUSED; // js-yaml wants a space after the `:`
        return k;
      }
      return -1;
    }
    if (!canStartPlain(t, p, le)) return -1;
    const e = this.plainEnd(p);
    return e < le && t.charCodeAt(e) === COLON ? e : -1;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at offset `p`; its content lines are
   * indented at least `parentIndent` (js-yaml's readBlockScalar, without an indentation indicator).
   */
  blockScalar(p: number, parentIndent: number): string {
    const t = this.t;
    const n = this.n;
    const folded = t.charCodeAt(p) === 62;
    let chomping = CLIP;
    let q = p + 1;
    for (; q < this.le; q++) {
      const ch = t.charCodeAt(q);
      if (ch === 43 /* + */ || ch === DASH) {
        if (chomping !== CLIP) throw REFUSED;
        chomping = ch === 43 ? KEEP : STRIP;
      } else break;
    }
    this.restOfLine(q);
    let contentIndent = -1;
    let maxLeading = 0;
    const valueStart = this.le + 1 > n ? n : this.le + 1;
    let valueEnd = valueStart;
    let pos = valueStart;
    while (pos < n) {
      let column = 0;
      while (pos + column < n && t.charCodeAt(pos + column) === SPACE) column++;
      if (pos + column >= n) {
        // Spaces and the end of the text.
        if (contentIndent >= 0 ? column > contentIndent : column > 0) valueEnd = pos + column;
        this.starts.push(pos);
        this.line++;
        pos = n;
        break;
      }
      const first = t.charCodeAt(pos + column);
      let e = t.indexOf('\n', pos);
      if (e < 0) e = n;
      if (column === 0 && isMarker(t, pos, e)) break;
      if (contentIndent === -1) {
        if (first === NL) maxLeading = Math.max(maxLeading, column);
        else {
          if (column >= parentIndent && column < maxLeading) throw REFUSED; // js-yaml: bad indentation
          if (column < parentIndent) break;
          contentIndent = column;
        }
      }
      if (first !== NL && column < contentIndent) break;
      this.starts.push(pos);
      this.line++;
      valueEnd = e < n ? e + 1 : n;
      pos = valueEnd;
    }
    this.seek(pos);
    return blockValue(t, valueStart, valueEnd, contentIndent, chomping, folded);
  }
}

const LINE = 0;
const COMPACT = 1;
const INLINE = 2;

/** `---` or `...` at `s`, then a space or the line's end (`e`). */
function isMarker(t: string, s: number, e: number): boolean {
  const c = t.charCodeAt(s);
  return (c === DASH || c === 46) && t.charCodeAt(s + 1) === c && t.charCodeAt(s + 2) === c && (s + 3 === e || t.charCodeAt(s + 3) === SPACE);
}

