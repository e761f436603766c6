/**
 * A small TOML reader for agents' configuration files (Vector's `vector.toml`):
 * tables `[a.b]` and arrays of tables `[[a]]`, `key = value` with dotted and
 * quoted keys, basic / literal / multi-line strings, numbers, booleans,
 * dates (kept as text), arrays and inline tables — with the offset of every
 * key, so readers can locate a setting inside its ConfigMap key. Anything else
 * is a TomlError with its offset (readers then say the file could not be read).
 *
 * @example
 *   const t = parseToml('[sources.k8s]\ntype = "kubernetes_logs"\n');
 *   t.value;                                  // { sources: { k8s: { type: 'kubernetes_logs' } } }
 *   t.offsets.get('sources.k8s.type');        // 14
 */

export class TomlError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

export interface TomlDoc {
  readonly value: Record<string, unknown>;
  /** Offset of each key (and table header), by dotted path ("sources.k8s.type"; array-of-table items as "a.0.b"). */
  readonly offsets: ReadonlyMap<string, number>;
}

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseToml(text: string): TomlDoc {
  let i = 0;
  const root: Table = {};
  const offsets = new Map<string, number>();
  let current = root;
  let currentPath: string[] = [];

  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const wsNl = (): void => {
    for (;;) {
      ws();
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      if (text[i] === '\n' || text[i] === '\r') {
        i++;
        continue;
      }
      return;
    }
  };
  const fail = (msg: string): never => {
    throw new TomlError(msg, i);
  };

  function key(): string[] {
    const parts: string[] = [];
    for (;;) {
      ws();
      const ch = text[i];
      if (ch === '"' || ch === "'") parts.push(str());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
        if (m === null) fail('expected a key');
        parts.push(m?.[0] ?? '');
        i += m?.[0].length ?? 0;
      }
      ws();
      if (text[i] === '.') {
        i++;
        continue;
      }
      return parts;
    }
  }

  function str(): string {
    const q = text[i] ?? '';
    const triple = text.startsWith(q.repeat(3), i);
    if (triple) {
      i += 3;
      if (text[i] === '\n') i++;
      else if (text.startsWith('\r\n', i)) i += 2;
      const end = text.indexOf(q.repeat(3), i);
      if (end < 0) fail('unterminated multi-line string');
      const raw = text.slice(i, end);
      i = end + 3;
      return q === '"' ? unescape(raw.replace(/\\\r?\n\s*/g, '')) : raw;
    }
    i++;
    let s = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\n') fail('unterminated string');
      if (q === '"' && text[i] === '\\') {
        s += text.slice(i, i + 2);
        if (text[i + 1] === 'u') {
          s += text.slice(i + 2, i + 6);
          i += 4;
        } else if (text[i + 1] === 'U') {
          s += text.slice(i + 2, i + 10);
          i += 8;
        }
        i += 2;
        continue;
      }
      s += text[i];
      i++;
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return q === '"' ? unescape(s) : s;
  }

  function unescape(s: string): string {
    return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
      if (e.startsWith('u') || e.startsWith('U')) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e;
    });
  }

  function value(): unknown {
    ws();
    const ch = text[i];
    if (ch === '"' || ch === "'") return str();
    if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      for (;;) {
        wsNl();
        if (text[i] === ']') {
          i++;
          return arr;
        }
        arr.push(value());
        wsNl();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail('expected , or ] in an array');
      }
    }
    if (ch === '{') {
      i++;
      const t: Table = {};
      ws();
      if (text[i] === '}') {
        i++;
        return t;
      }
      for (;;) {
        const k = key();
        if (text[i] !== '=') fail('expected = in an inline table');
        i++;
        setPath(t, k, value(), []);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return t;
        }
        fail('expected , or } in an inline table');
      }
    }
    const m = /^(true|false|[+-]?(inf|nan)|[0-9+\-:.TZtz_eExobabcdefABCDEF ]+)/.exec(text.slice(i));
    if (m === null) return fail('expected a value');
    let lit = (m[0] ?? '').trimEnd();
    // A bare value ends at a comment.
    const hash = lit.indexOf('#');
    if (hash >= 0) lit = lit.slice(0, hash).trimEnd();
    i += lit.length;
    if (lit === 'true') return true;
    if (lit === 'false') return false;
    const n = Number(lit.replace(/_/g, ''));
    return Number.isNaN(n) ? lit : n;
  }

  function setPath(t: Table, k: readonly string[], v: unknown, prefix: readonly string[], offset?: number): void {
    let cur = t;
    for (let j = 0; j < k.length - 1; j++) {
      const seg = k[j] ?? '';
      const next = cur[seg];
      if (next === undefined) cur[seg] = {};
      else if (!isTable(next)) fail(`key ${k.join('.')} redefines a value`);
      cur = cur[seg] as Table;
    }
    const last = k[k.length - 1] ?? '';
    if (last in cur) fail(`duplicate key ${k.join('.')}`);
    cur[last] = v;
    if (offset !== undefined) offsets.set([...prefix, ...k].join('.'), offset);
  }

  for (;;) {
    wsNl();
    if (i >= text.length) break;
    const start = i;
    if (text[i] === '[') {
      const arrayTable = text[i + 1] === '[';
      i += arrayTable ? 2 : 1;
      const k = key();
      if (arrayTable ? !text.startsWith(']]', i) : text[i] !== ']') fail('expected ] after a table name');
      i += arrayTable ? 2 : 1;
      let t = root;
      const path: string[] = [];
      k.forEach((seg, j) => {
        const last = j === k.length - 1;
        let next = t[seg];
        if (last && arrayTable) {
          if (next === undefined) next = t[seg] = [];
          if (!Array.isArray(next)) fail(`${k.join('.')} is not an array of tables`);
          const arr = next as Table[];
          arr.push({});
          path.push(seg, String(arr.length - 1));
          t = arr[arr.length - 1] as Table;
          return;
        }
        if (next === undefined) next = t[seg] = {};
        if (Array.isArray(next)) {
          path.push(seg, String(next.length - 1));
          t = next[next.length - 1] as Table;
          return;
        }
        if (!isTable(next)) fail(`${k.join('.')} redefines a value`);
        path.push(seg);
        t = next as Table;
      });
      current = t;
      currentPath = path;
      offsets.set(path.join('.'), start);
    } else {
      const k = key();
      if (text[i] !== '=') fail('expected = after a key');
      i++;
      setPath(current, k, value(), currentPath, start);
    }
    ws();
    if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
    if (i < text.length && text[i] !== '\n' && text[i] !== '\r') fail('expected the end of the line');
  }
  return { value: root, offsets };
}
