/**
 * A small reader of the Grafana Alloy configuration syntax (grafana/alloy
 * docs/sources/get-started/configuration-syntax/: blocks `name "label" { … }`,
 * attributes `name = expression`, `//` and `/* … *\/` comments) — enough to
 * find the components that talk to the Kubernetes API and evaluate the few
 * attributes that decide their calls (strings, `+`, lists, objects, booleans,
 * `sys.env("X")` / `env("X")`, `coalesce(…)`, `constants.hostname`, references
 * to other components). It is not the full language: anything it cannot
 * evaluate is returned as `unknown`, and readers treat that as the worst case.
 * The same syntax is Grafana Agent's "River" (flow mode).
 *
 * @example
 *   const cfg = parseAlloy('discovery.kubernetes "pods" { role = "pod" }');
 *   cfg.blocks[0]?.name;                            // 'discovery.kubernetes'
 *   evalExpr(cfg.blocks[0]!.attrs.get('role')!.expr, { env: () => undefined }); // 'pod'
 */

export interface Token {
  readonly kind: 'ident' | 'string' | 'number' | 'punct';
  readonly value: string;
  /** Offset of the token's first character in the text. */
  readonly offset: number;
  readonly line: number;
}

export interface AlloyAttr {
  readonly name: string;
  readonly expr: readonly Token[];
  readonly offset: number;
}

export interface AlloyBlock {
  /** Dotted name: `discovery.kubernetes`, `selectors`, `declare`. */
  readonly name: string;
  readonly label: string | undefined;
  readonly offset: number;
  readonly attrs: ReadonlyMap<string, AlloyAttr>;
  readonly blocks: readonly AlloyBlock[];
}

export interface AlloyFile {
  readonly blocks: readonly AlloyBlock[];
  readonly attrs: ReadonlyMap<string, AlloyAttr>;
}

export class AlloySyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const PUNCT = ['==', '!=', '<=', '>=', '&&', '||', '{', '}', '[', ']', '(', ')', ',', '.', '=', '+', '-', '*', '/', '%', '^', '!', '<', '>', ':', '?'];

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new AlloySyntaxError('unterminated block comment', i);
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    const start = i;
    if (ch === '"') {
      let s = '';
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined || c === '\n') throw new AlloySyntaxError('unterminated string', start);
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const e = text[i + 1] ?? '';
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e === 'u' || e === 'U') {
            const n = e === 'u' ? 4 : 8;
            s += String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + n), 16) || 0xfffd);
            i += 2 + n;
          } else {
            s += map[e] ?? e;
            i += 2;
          }
          continue;
        }
        s += c;
        i++;
      }
      out.push({ kind: 'string', value: s, offset: start, line });
      continue;
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new AlloySyntaxError('unterminated raw string', i);
      const s = text.slice(i + 1, end);
      out.push({ kind: 'string', value: s, offset: start, line });
      for (const c of s) if (c === '\n') line++;
      i = end + 1;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9][0-9_]*(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const v = m?.[0] ?? ch;
      out.push({ kind: 'number', value: v, offset: start, line });
      i += v.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      const v = m?.[0] ?? ch;
      out.push({ kind: 'ident', value: v, offset: start, line });
      i += v.length;
      continue;
    }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (p === undefined) throw new AlloySyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
    out.push({ kind: 'punct', value: p, offset: start, line });
    i += p.length;
  }
  return out;
}

/** A token after which a newline ends the statement (as Go's automatic semicolons). */
function ends(t: Token): boolean {
  return t.kind !== 'punct' || t.value === ')' || t.value === ']' || t.value === '}';
}

/** Parse a whole file: its top-level blocks and attributes. */
export function parseAlloy(text: string): AlloyFile {
  const toks = tokenize(text);
  let i = 0;
  const peek = (k = 0): Token | undefined => toks[i + k];

  function body(inBlock: boolean): { attrs: Map<string, AlloyAttr>; blocks: AlloyBlock[] } {
    const attrs = new Map<string, AlloyAttr>();
    const blocks: AlloyBlock[] = [];
    for (;;) {
      const t = peek();
      if (t === undefined) {
        if (inBlock) throw new AlloySyntaxError('missing } at the end of a block', toks[toks.length - 1]?.offset ?? 0);
        return { attrs, blocks };
      }
      if (t.kind === 'punct' && t.value === '}') {
        if (!inBlock) throw new AlloySyntaxError('unexpected }', t.offset);
        i++;
        return { attrs, blocks };
      }
      if (t.kind !== 'ident') throw new AlloySyntaxError(`expected a block or attribute name, got ${JSON.stringify(t.value)}`, t.offset);
      const start = t;
      let name = t.value;
      i++;
      while (peek()?.value === '.' && peek(1)?.kind === 'ident') {
        name += `.${peek(1)?.value ?? ''}`;
        i += 2;
      }
      const nx = peek();
      if (nx?.kind === 'punct' && nx.value === '=') {
        i++;
        const expr: Token[] = [];
        let depth = 0;
        for (;;) {
          const e = peek();
          if (e === undefined) break;
          if (depth === 0 && e.kind === 'punct' && e.value === '}') break;
          const last = expr[expr.length - 1];
          if (depth === 0 && last !== undefined && e.line > last.line && ends(last)) break;
          if (e.kind === 'punct' && (e.value === '(' || e.value === '[' || e.value === '{')) depth++;
          if (e.kind === 'punct' && (e.value === ')' || e.value === ']' || e.value === '}')) depth--;
          expr.push(e);
          i++;
        }
        if (expr.length === 0) throw new AlloySyntaxError(`attribute ${name} has no value`, start.offset);
        attrs.set(name, { name, expr, offset: start.offset });
        continue;
      }
      let label: string | undefined;
      if (nx?.kind === 'string') {
        label = nx.value;
        i++;
      }
      const open = peek();
      if (open?.kind !== 'punct' || open.value !== '{') throw new AlloySyntaxError(`expected { after ${name}${label !== undefined ? ` "${label}"` : ''}`, open?.offset ?? start.offset);
      i++;
      const b = body(true);
      blocks.push({ name, label, offset: start.offset, attrs: b.attrs, blocks: b.blocks });
    }
  }
  const top = body(false);
  return { blocks: top.blocks, attrs: top.attrs };
}

/** A value of an evaluated expression; `ref` is a reference to another component's export, `unknown` what this reader does not evaluate. */
export type AlloyValue = string | number | boolean | null | readonly AlloyValue[] | { readonly obj: ReadonlyMap<string, AlloyValue> } | { readonly ref: string } | { readonly unknown: string };

export interface EvalContext {
  /**
   * The container's environment variable, symbolically: `${NAME}` when the
   * container defines it (its value is not known before the pod runs), or
   * undefined when it does not (sys.env then returns "").
   */
  readonly env: (name: string) => string | undefined;
  /** What `constants.hostname` evaluates to (default `<pod hostname>`). */
  readonly hostname?: string;
}

export const isRef = (v: AlloyValue): v is { readonly ref: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'ref' in v;
export const isUnknown = (v: AlloyValue): v is { readonly unknown: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'unknown' in v;

/** Evaluate an attribute's expression as far as this reader can. */
export function evalExpr(expr: readonly Token[], ctx: EvalContext): AlloyValue {
  let i = 0;
  const peek = (): Token | undefined => expr[i];
  const unknown = (why: string): AlloyValue => ({ unknown: why });

  function primary(): AlloyValue {
    const t = peek();
    if (t === undefined) return unknown('empty expression');
    i++;
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') return Number(t.value.replace(/_/g, ''));
    if (t.kind === 'punct') {
      if (t.value === '(') {
        const v = binary(0);
        if (peek()?.value === ')') i++;
        return v;
      }
      if (t.value === '[') {
        const items: AlloyValue[] = [];
        while (peek() !== undefined && peek()?.value !== ']') {
          items.push(binary(0));
          if (peek()?.value === ',') i++;
          else break;
        }
        if (peek()?.value === ']') i++;
        return items;
      }
      if (t.value === '{') {
        const obj = new Map<string, AlloyValue>();
        while (peek() !== undefined && peek()?.value !== '}') {
          const k = peek();
          i++;
          if (peek()?.value !== '=' && peek()?.value !== ':') return unknown('object');
          i++;
          obj.set(k?.value ?? '', binary(0));
          if (peek()?.value === ',') i++;
        }
        if (peek()?.value === '}') i++;
        return { obj };
      }
      if (t.value === '!') {
        const v = primary();
        return typeof v === 'boolean' ? !v : unknown('!');
      }
      if (t.value === '-') {
        const v = primary();
        return typeof v === 'number' ? -v : unknown('-');
      }
      return unknown(t.value);
    }
    // ident: literal, path, or call
    if (t.value === 'true') return true;
    if (t.value === 'false') return false;
    if (t.value === 'null') return null;
    let path = t.value;
    while (peek()?.value === '.' && expr[i + 1]?.kind === 'ident') {
      path += `.${expr[i + 1]?.value ?? ''}`;
      i += 2;
    }
    if (peek()?.value === '(') {
      i++;
      const args: AlloyValue[] = [];
      while (peek() !== undefined && peek()?.value !== ')') {
        args.push(binary(0));
        if (peek()?.value === ',') i++;
        else break;
      }
      if (peek()?.value === ')') i++;
      return call(path, args);
    }
    if (path === 'constants.hostname') return ctx.hostname ?? '<pod hostname>';
    // Indexing (x[0], x["k"]) and anything after: unknown.
    if (peek()?.value === '[') return unknown(path);
    return { ref: path };
  }

  function call(fn: string, args: readonly AlloyValue[]): AlloyValue {
    if (fn === 'sys.env' || fn === 'env') {
      const n = args[0];
      if (typeof n !== 'string') return unknown(fn);
      return ctx.env(n) ?? '';
    }
    if (fn === 'coalesce') {
      for (const a of args) {
        if (isUnknown(a) || isRef(a)) return unknown('coalesce');
        if (a !== '' && a !== null && a !== false && a !== 0 && !(Array.isArray(a) && a.length === 0)) return a;
      }
      return args[args.length - 1] ?? null;
    }
    if (fn === 'string.format' || fn === 'format') {
      const f = args[0];
      if (typeof f !== 'string') return unknown(fn);
      let k = 1;
      return f.replace(/%[sdv]/g, () => {
        const a = args[k++];
        return typeof a === 'string' || typeof a === 'number' ? String(a) : '';
      });
    }
    if (fn === 'string.join' || fn === 'join') {
      const l = args[0];
      const sep = args[1];
      if (!Array.isArray(l) || typeof sep !== 'string' || !l.every((x) => typeof x === 'string')) return unknown(fn);
      return (l as readonly string[]).join(sep);
    }
    return unknown(`${fn}()`);
  }

  const PREC: Readonly<Record<string, number>> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5 };

  function binary(min: number): AlloyValue {
    let left = primary();
    for (;;) {
      const op = peek();
      const prec = op?.kind === 'punct' ? PREC[op.value] : undefined;
      if (op === undefined || prec === undefined || prec < min) break;
      i++;
      const right = binary(prec + 1);
      left = apply(op.value, left, right);
    }
    return left;
  }

  function apply(op: string, a: AlloyValue, b: AlloyValue): AlloyValue {
    if (isUnknown(a) || isUnknown(b) || isRef(a) || isRef(b)) return unknown(op);
    if (op === '+') {
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      return unknown(op);
    }
    if (op === '||' && typeof a === 'boolean' && typeof b === 'boolean') return a || b;
    if (op === '&&' && typeof a === 'boolean' && typeof b === 'boolean') return a && b;
    if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
    if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
    return unknown(op);
  }

  const v = binary(0);
  return i < expr.length ? unknown('trailing tokens') : v;
}

/** Every component reference (`a.b.c.export`) in an expression, in order. */
export function refsIn(expr: readonly Token[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const t = expr[i];
    if (t?.kind !== 'ident' || (i > 0 && expr[i - 1]?.value === '.')) continue;
    let path = t.value;
    let j = i + 1;
    while (expr[j]?.value === '.' && expr[j + 1]?.kind === 'ident') {
      path += `.${expr[j + 1]?.value ?? ''}`;
      j += 2;
    }
    if (expr[j]?.value !== '(' && path.includes('.')) out.push(path);
  }
  return out;
}
