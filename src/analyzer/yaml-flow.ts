/**
 * One-line flow collections of the block-style YAML reader (yaml-block.ts):
 * `[a, b]` and `{ k: v }`, nested, closing on the line they open on, with
 * js-yaml's values; anything else (a collection over several lines, a key
 * without a value, a pair in a sequence, a comment inside) throws REFUSED and
 * is left to js-yaml.
 *
 * @example
 *   const f = new Flow(text);
 *   f.le = lineEnd;
 *   f.node(offsetOfBracket);   // ['a', 'b']; f.p is just past the closing bracket
 */
import { COLON, DASH, DQUOTE, HASH, MAX_DEPTH, plainKey, plainValue, quotedEnd, REFUSED, singleQuoted, doubleQuoted, SPACE, SQUOTE, trimEnd } from './yaml-scalars.ts';

/** A one-line flow collection (`[…]`, `{…}`), read from `p` to the line's end `le`. */
export class Flow {
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
