/**
 * The scalars of the block-style YAML reader (yaml-block.ts) as js-yaml makes
 * them: plain scalars resolved by its default core schema (null, bool, int,
 * float, else string), single- and double-quoted scalars on one line with
 * js-yaml's escapes, literal and folded block scalars (js-yaml's
 * getBlockValue). Plain keys and short plain values are kept by a hash of
 * their text, so that a repeated one is one string. What the reader does not
 * take is signalled by throwing REFUSED (js-yaml then reads the text).
 *
 * @example
 *   resolvePlain('0x1F');   // 31
 *   resolvePlain('1.0');    // 1
 *   resolvePlain('yes');    // 'yes' (YAML 1.2: a string)
 */

/** Thrown inside the reader when the text leaves the subset (made once: throwing it captures no stack). */
export const REFUSED = new Error('outside the block-YAML subset');

/** Nesting beyond this is left to js-yaml (which stops at 100). */
export const MAX_DEPTH = 60;

export const SPACE = 32;
export const NL = 10;
export const HASH = 35;
export const DASH = 45;
export const COLON = 58;
export const DQUOTE = 34;
export const SQUOTE = 39;

/** Block scalar chomping: clip (`|`), strip (`|-`), keep (`|+`). */
export const CLIP = 1;
export const STRIP = 2;
export const KEEP = 3;

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
export function plainValue(t: string, a: number, b: number): unknown {
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
export function plainKey(t: string, a: number, b: number): string {
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

/** Whether a plain scalar may start at `p` in block context (js-yaml's canStartPlainScalar). */
export function canStartPlain(t: string, p: number, le: number): boolean {
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


export function trimEnd(t: string, p: number, e: number): number {
  let k = e;
  while (k > p && t.charCodeAt(k - 1) === SPACE) k--;
  return k;
}

/** The offset just past the closing quote of the quoted scalar opening at `p`, on this line. */
export function quotedEnd(t: string, p: number, le: number): number {
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

export function singleQuoted(t: string, a: number, b: number): string {
  const s = t.slice(a, b);
  return s.includes("''") ? s.replaceAll("''", "'") : s;
}

/** js-yaml's escapes in double-quoted scalars; an escape it does not know is left to it (an error). */
export function doubleQuoted(t: string, a: number, b: number): string {
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
export function blockValue(t: string, start: number, end: number, indent: number, chomping: number, folded: boolean): string {
  const textIndent = indent < 0 ? 0 : indent;
  // The pieces, joined once at the end (a flat string, not a chain of concatenations).
  const parts: string[] = [];
  const add = (x: string): void => {
    if (x !== '') parts.push(x);
  };
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
          add('\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines));
        } else if (atMoreIndented) {
          atMoreIndented = false;
          add('\n'.repeat(emptyLines + 1));
        } else if (emptyLines === 0) {
          if (didReadContent) add(' ');
        } else add('\n'.repeat(emptyLines));
      } else add('\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines));
      add(t.slice(from, le));
      didReadContent = true;
      emptyLines = 0;
    }
    ls = le + 1;
  }
  if (chomping === KEEP) add('\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines));
  else if (chomping !== STRIP && didReadContent) add('\n');
  return parts.length === 1 ? (parts[0] as string) : parts.join('');
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
