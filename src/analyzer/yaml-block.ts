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
 * @example
 *   loadAllYaml('a: 1\n---\nb: [x, y]\n');   // [{ a: 1 }, { b: ['x', 'y'] }]
 *   readBlockYaml('a: &x 1\n');               // undefined: outside the subset (js-yaml reads it)
 */
import { load, loadAll } from 'js-yaml';

/** Aliases expand into copies; this bounds "billion laughs" documents (js-yaml's option). */
const MAX_ALIASES = 100;

/** Every document of `text`, as js-yaml's loadAll gives them (it throws what js-yaml throws). */
export function loadAllYaml(text: string, filename?: string): unknown[] {
  return readBlockYaml(text) ?? loadAll(text, { maxAliases: MAX_ALIASES, ...(filename !== undefined ? { filename } : {}) });
}

/** The single document of `text`, as js-yaml's load gives it (it throws what js-yaml throws). */
export function loadYaml(text: string): unknown {
  const docs = readBlockYaml(text);
  return docs?.length === 1 ? docs[0] : load(text, { maxAliases: MAX_ALIASES });
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

/** Thrown inside the reader when the text leaves the subset (made once: throwing it captures no stack). */
const REFUSED = new Error('outside the block-YAML subset');

/** Nesting beyond this is left to js-yaml (which stops at 100). */
const MAX_DEPTH = 60;

const SPACE = 32;
const NL = 10;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQUOTE = 34;
const SQUOTE = 39;

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

const CLIP = 1;
const STRIP = 2;
const KEEP = 3;

/**
 * Keys of the plain keys seen, by a hash of their text: the same few dozen keys (apiVersion, metadata,
 * name, …) make most of a manifest, and a key found here is already internalized, which an object's
 * property store would otherwise do for every key (looking it up in V8's string table).
 */
const KEY_SLOTS = 4096;
const keyText: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const keyValue: string[] = new Array<string>(KEY_SLOTS).fill('');

/**
 * Short plain values seen (`v1`, `DaemonSet`, a namespace, `list`, `true`, `3`), by a hash of their
 * text, with what they resolve to: a manifest repeats them (kinds, API versions, verbs, namespaces,
 * label values), and a value found here is the same string each time — made and hashed once. Only
 * values a slice would copy anyway (under 13 characters) are kept, so that no slot holds on to a text.
 */
const VALUE_SLOTS = 4096;
const valueText: (string | undefined)[] = new Array<string | undefined>(VALUE_SLOTS).fill(undefined);
const valueOf: unknown[] = new Array<unknown>(VALUE_SLOTS).fill(undefined);

/** The plain scalar on [a, b), resolved (core schema). */
function plainValue(t: string, a: number, b: number): unknown {
  const len = b - a;
  if (len > 12) return resolvePlain(t.slice(a, b));
  const h = Math.imul(len, 0x9e3779b1) ^ Math.imul(t.charCodeAt(a), 0x85ebca6b) ^ Math.imul(t.charCodeAt(b - 1), 0xc2b2ae35) ^ Math.imul(t.charCodeAt(a + (len >> 1)), 0x27d4eb2f) ^ Math.imul(t.charCodeAt(a + (len >> 2)), 0x165667b1);
  const slot = (h ^ (h >>> 15)) & (VALUE_SLOTS - 1);
  const known = valueText[slot];
  if (known !== undefined && known.length === len && t.startsWith(known, a)) return valueOf[slot];
  const s = t.slice(a, b);
  const v = resolvePlain(s);
  valueText[slot] = s;
  valueOf[slot] = v;
  return v;
}

/** The plain key on [a, b) as js-yaml makes it: the scalar resolved (core schema), as a string. */
function plainKey(t: string, a: number, b: number): string {
  // The slot from the length and four characters (a key found there is checked whole).
  const len = b - a;
  const h = Math.imul(len, 0x9e3779b1) ^ Math.imul(t.charCodeAt(a), 0x85ebca6b) ^ Math.imul(t.charCodeAt(b - 1), 0xc2b2ae35) ^ Math.imul(t.charCodeAt(a + (len >> 1)), 0x27d4eb2f) ^ Math.imul(t.charCodeAt(a + (len >> 2)), 0x165667b1);
  const slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
  const known = keyText[slot];
  if (known !== undefined && known.length === len && t.startsWith(known, a)) return keyValue[slot] as string;
  const raw = internalized(t.slice(a, b));
  const resolved = String(resolvePlain(raw));
  const key = resolved === raw ? raw : internalized(resolved);
  keyText[slot] = raw;
  keyValue[slot] = key;
  return key;
}

/** The string as V8 keeps property names (an object literal's keys are internalized): a copy of its own, not a slice of the text. */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] as string;
}

/** `---` or `...` at `s`, then a space or the line's end (`e`). */
function isMarker(t: string, s: number, e: number): boolean {
  const c = t.charCodeAt(s);
  return (c === DASH || c === 46) && t.charCodeAt(s + 1) === c && t.charCodeAt(s + 2) === c && (s + 3 === e || t.charCodeAt(s + 3) === SPACE);
}

/** Whether a plain scalar may start at `p` in block context (js-yaml's canStartPlainScalar). */
function canStartPlain(t: string, p: number, le: number): boolean {
  if (p >= le) return false;
  const c = t.charCodeAt(p);
  switch (c) {
    case SPACE: case HASH: case 38: case 42: case 33: case 124: case 62: case SQUOTE: case DQUOTE: case 37: case 64: case 96:
    case 44: case 91: case 93: case 123: case 125:
      return false;
    case 63: case DASH: case COLON:
      // js-yaml reads nothing from `: ` (an explicit value: left to it).
      return !(p + 1 === le || t.charCodeAt(p + 1) === SPACE);
    default:
      return true;
  }
}


function trimEnd(t: string, p: number, e: number): number {
  let k = e;
  while (k > p && t.charCodeAt(k - 1) === SPACE) k--;
  return k;
}

/** The offset just past the closing quote of the quoted scalar opening at `p`, on this line. */
function quotedEnd(t: string, p: number, le: number): number {
  const q = t.charCodeAt(p);
  for (let k = p + 1; k < le; k++) {
    const c = t.charCodeAt(k);
    if (q === DQUOTE && c === 92 /* \ */) k++;
    else if (c === q) {
      if (q === SQUOTE && t.charCodeAt(k + 1) === SQUOTE && k + 1 < le) k++;
      else return k + 1;
    }
  }
  throw REFUSED; // a quoted scalar over several lines
}

function singleQuoted(t: string, a: number, b: number): string {
  const s = t.slice(a, b);
  return s.includes("''") ? s.replaceAll("''", "'") : s;
}

/** js-yaml's escapes in double-quoted scalars; an escape it does not know is left to it (an error). */
function doubleQuoted(t: string, a: number, b: number): string {
  let k = t.indexOf('\\', a);
  if (k < 0 || k >= b) return t.slice(a, b);
  let out = '';
  let from = a;
  while (k >= 0 && k < b) {
    out += t.slice(from, k);
    const e = t.charCodeAt(k + 1);
    const simple = e < 256 ? SIMPLE_ESCAPES[e] : undefined;
    if (simple !== undefined) {
      out += simple;
      from = k + 2;
    } else {
      const len = e === 120 /* x */ ? 2 : e === 117 /* u */ ? 4 : e === 85 /* U */ ? 8 : 0;
      if (len === 0 || k + 2 + len > b) throw REFUSED;
      let code = 0;
      for (let i = k + 2; i < k + 2 + len; i++) {
        const d = hexDigit(t.charCodeAt(i));
        if (d < 0) throw REFUSED;
        code = code * 16 + d;
      }
      if (code > 0x10ffff) throw REFUSED;
      out += String.fromCodePoint(code);
      from = k + 2 + len;
    }
    k = t.indexOf('\\', from);
  }
  return out + t.slice(from, b);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** js-yaml's simple escapes (`\n`, `\t`, …), by the character after the backslash. */
const SIMPLE_ESCAPES: (string | undefined)[] = (() => {
  const m: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  const pairs: [string, string][] = [['0', '\0'], ['a', '\x07'], ['b', '\b'], ['t', '\t'], ['n', '\n'], ['v', '\v'], ['f', '\f'], ['r', '\r'], ['e', '\x1B'], [' ', ' '], ['"', '"'], ['/', '/'], ['\\', '\\'], ['N', '\x85'], ['_', '\xA0'], ['L', '\u2028'], ['P', '\u2029']];
  for (const [c, v] of pairs) m[c.charCodeAt(0)] = v;
  return m;
})();

/**
 * The text of a block scalar: js-yaml's getBlockValue (for text without `\r`), reading the lines of
 * [start, end) in place instead of splitting them out.
 */
function blockValue(t: string, start: number, end: number, indent: number, chomping: number, folded: boolean): string {
  const textIndent = indent < 0 ? 0 : indent;
  let result = '';
  let didReadContent = false;
  let emptyLines = 0;
  let atMoreIndented = false;
  // The region's lines: split at `\n`, a final `\n` ending the last one (none for an empty region).
  const last = end > start && t.charCodeAt(end - 1) === NL ? end - 1 : end;
  for (let ls = start; start < end && ls <= last; ) {
    let le = t.indexOf('\n', ls);
    if (le < 0 || le > last) le = last;
    let column = 0;
    while (column < textIndent && ls + column < le && t.charCodeAt(ls + column) === SPACE) column++;
    if (indent < 0 || column >= le - ls) {
      emptyLines++;
    } else {
      const from = Math.min(ls + textIndent, le);
      const first = from < le ? t.charCodeAt(from) : NaN;
      if (folded) {
        if (first === SPACE) {
          atMoreIndented = true;
          result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
        } else if (atMoreIndented) {
          atMoreIndented = false;
          result += '\n'.repeat(emptyLines + 1);
        } else if (emptyLines === 0) {
          if (didReadContent) result += ' ';
        } else result += '\n'.repeat(emptyLines);
      } else result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
      result += t.slice(from, le);
      didReadContent = true;
      emptyLines = 0;
    }
    ls = le + 1;
  }
  if (chomping === KEEP) result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
  else if (chomping !== STRIP && didReadContent) result += '\n';
  return result;
}

/** A one-line flow collection (`[…]`, `{…}`), read from `p` to the line's end `le`. */
class Flow {
  readonly t: string;
  /** The end of the line the collection must close on, the position, the nesting depth (the block's included). */
  le = 0;
  p = 0;
  depth = 0;
  constructor(t: string) {
    this.t = t;
  }

  spaces(): number {
    const t = this.t;
    while (this.p < this.le && t.charCodeAt(this.p) === SPACE) this.p++;
    if (this.p >= this.le) throw REFUSED; // the collection goes on to the next line
    return t.charCodeAt(this.p);
  }

  node(at: number): unknown {
    this.p = at;
    const c = this.spaces();
    if (c === 91 || c === 123) {
      if (++this.depth > MAX_DEPTH) throw REFUSED;
      const v = c === 91 ? this.seq() : this.map();
      this.depth--;
      return v;
    }
    return this.scalar(false);
  }

  /** A scalar in flow context; `key`: a flow mapping's key (a plain one resolved to its key string). */
  scalar(key: boolean): unknown {
    const t = this.t;
    const p = this.p;
    const c = t.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      const e = quotedEnd(t, p, this.le);
      this.p = e;
      return c === DQUOTE ? doubleQuoted(t, p + 1, e - 1) : singleQuoted(t, p + 1, e - 1);
    }
    // js-yaml's plain scalar in flow context: not from an indicator; ends at `,[]{}`, at a `:` before a
    // space or a flow indicator, at ` #` (a comment: the collection does not close on this line).
    switch (c) {
      case HASH: case 38: case 42: case 33: case 124: case 62: case 37: case 64: case 96: case 44: case 91: case 93: case 123: case 125:
        throw REFUSED;
      case 63: case DASH: case COLON: {
        const f = t.charCodeAt(p + 1);
        if (p + 1 >= this.le || f === SPACE || f === 44 || f === 91 || f === 93 || f === 123 || f === 125) throw REFUSED;
        break;
      }
      default:
        break;
    }
    let k = p;
    for (; k < this.le; k++) {
      const ch = t.charCodeAt(k);
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
      if (ch === COLON) {
        const f = t.charCodeAt(k + 1);
        if (k + 1 >= this.le || f === SPACE || f === 44 || f === 91 || f === 93 || f === 123 || f === 125) break;
      } else if (ch === HASH && t.charCodeAt(k - 1) === SPACE) throw REFUSED;
    }
    if (k >= this.le) throw REFUSED;
    this.p = k;
    const e = trimEnd(t, p, k);
    return key ? plainKey(t, p, e) : plainValue(t, p, e);
  }

  seq(): unknown[] {
    const t = this.t;
    const out: unknown[] = [];
    this.p++;
    let next = true;
    for (;;) {
      const c = this.spaces();
      if (c === 93) {
        this.p++;
        return out;
      }
      if (!next || c === 44) throw REFUSED;
      out.push(this.node(this.p));
      if (this.spaces() === COLON) throw REFUSED; // a single-pair mapping inside a sequence
      next = t.charCodeAt(this.p) === 44;
      if (next) this.p++;
    }
  }

  map(): Record<string, unknown> {
    const t = this.t;
    const out: Record<string, unknown> = {};
    this.p++;
    let next = true;
    for (;;) {
      const c = this.spaces();
      if (c === 125) {
        this.p++;
        return out;
      }
      if (!next || c === 44 || c === 91 || c === 123 || (c === 63 && t.charCodeAt(this.p + 1) === SPACE)) throw REFUSED;
      const key = this.scalar(true) as string;
      if (out[key] !== undefined || key === '__proto__') throw REFUSED; // a duplicate, or an inherited name
      if (this.spaces() !== COLON) throw REFUSED; // a key without a value
      this.p++;
      const v = this.spaces();
      if (v === 44 || v === 125) throw REFUSED; // an empty value
      out[key] = this.node(this.p);
      next = this.spaces() === 44;
      if (next) this.p++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plain scalars: js-yaml's core schema (null, bool, int, float, else string), by the first character.

const INT = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$/;
const FLOAT = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NOT_RESOLVED: unique symbol = Symbol('not resolved');

export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  if (c === 126 /* ~ */ || c === 110 /* n */ || c === 78 /* N */) return s === '~' || s === 'null' || s === 'Null' || s === 'NULL' ? null : s;
  if (c === 116 /* t */ || c === 84 /* T */) return s === 'true' || s === 'True' || s === 'TRUE' ? true : s;
  if (c === 102 /* f */ || c === 70 /* F */) return s === 'false' || s === 'False' || s === 'FALSE' ? false : s;
  if (c === 45 || c === 43 || (c >= 48 && c <= 57)) {
    const i = resolveInt(s);
    if (i !== NOT_RESOLVED) return i;
    const f = resolveFloat(s);
    return f === NOT_RESOLVED ? s : f;
  }
  if (c === 46 /* . */) {
    const f = resolveFloat(s);
    return f === NOT_RESOLVED ? s : f;
  }
  return s;
}

function resolveInt(source: string): number | typeof NOT_RESOLVED {
  if (!INT.test(source)) return NOT_RESOLVED;
  let value = source;
  let sign = 1;
  if (value[0] === '-' || value[0] === '+') {
    if (value[0] === '-') sign = -1;
    value = value.slice(1);
  }
  let result: number;
  if (value.startsWith('0b')) result = sign * parseInt(value.slice(2), 2);
  else if (value.startsWith('0o')) result = sign * parseInt(value.slice(2), 8);
  else if (value.startsWith('0x')) result = sign * parseInt(value.slice(2), 16);
  else result = sign * parseInt(value, 10);
  return Number.isFinite(result) ? result : NOT_RESOLVED;
}

function resolveFloat(source: string): number | typeof NOT_RESOLVED {
  if (!FLOAT.test(source)) return NOT_RESOLVED;
  let value = source.toLowerCase();
  const sign = value[0] === '-' ? -1 : 1;
  if (value[0] === '+' || value[0] === '-') value = value.slice(1);
  if (value === '.inf') return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (value === '.nan') return NaN;
  const result = sign * parseFloat(value);
  if (Number.isFinite(result) || FLOAT_SPECIAL.test(source)) return result;
  return NOT_RESOLVED;
}
