/**
 * Positions in block-style YAML text without building a syntax tree: the line
 * and column where the value (or key) at a path starts, found by following
 * keys and `- ` items at their indentation. Kubernetes manifests and agent
 * configurations are block style, and reading values with a fast parser plus
 * this locator is an order of magnitude quicker than a full position-keeping
 * parse. Where the text is not plain block style (a flow collection `{…}`,
 * JSON) the path is followed as far as it goes, and the deepest position found
 * is returned — the caller may fall back to a full parser.
 */

export interface LinePos {
  /** 0-based line and column. */
  readonly line: number;
  readonly col: number;
  /** The value is a literal block scalar (`|`): its content starts on the next line. */
  readonly literal: boolean;
  /** The whole path was found. */
  readonly exact: boolean;
  /**
   * The answer is reliable: the node, or — when the path does not exist —
   * its deepest existing ancestor. False where the text could not be followed
   * (inside a multi-line flow collection, or a quoted key the locator cannot read).
   */
  readonly sure: boolean;
}

/** Keys the locator matches without KEY (a plain key of these characters is read by KEY as itself). */
const SIMPLE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

/** `#restKind`: nothing follows on the line (or only a comment). */
const REST_NONE = -1;

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"\-?:,[\]{}][^#]*?|[-?:][^\s#][^#]*?))\s*:(?=\s|$)/;

export class YamlLines {
  readonly text: string;
  /** Offset of each line's first character; lines are split at `\n` (a `\r` before it stays in the line). */
  readonly #starts: readonly number[];
  /** Indentation of each line, computed when first asked: -2 not yet, -1 blank or comment-only. */
  readonly #indent: Int32Array;
  /** `starts`: the offset of every line when the caller has them already (the block-YAML reader does). */
  constructor(text: string, starts?: readonly number[]) {
    this.text = text;
    if (starts === undefined) {
      const found = [0];
      for (let o = text.indexOf('\n'); o >= 0; o = text.indexOf('\n', o + 1)) found.push(o + 1);
      starts = found;
    }
    this.#starts = starts;
    this.#indent = new Int32Array(starts.length).fill(-2);
  }

  /** Number of lines (one more than the number of `\n`). */
  get lineCount(): number {
    return this.#starts.length;
  }

  /** Offset just past the end of a line's text (its `\n`, or the end of the text). */
  #end(line: number): number {
    return line + 1 < this.#starts.length ? (this.#starts[line + 1] as number) - 1 : this.text.length;
  }

  /** Every line's text, split at `\n` (made when asked for; `line(i)` reads one). */
  get lines(): readonly string[] {
    return this.text.split('\n');
  }

  /** A line's text, without its `\n`. */
  line(line: number): string {
    if (line < 0 || line >= this.#starts.length) return '';
    return this.text.slice(this.#starts[line], this.#end(line));
  }

  /** The 0-based line holding `offset`. */
  lineAt(offset: number): number {
    const s = this.#starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Indentation of a content line, -1 for blank and comment-only lines. */
  indent(line: number): number {
    const known = this.#indent[line];
    if (known === undefined) return -1;
    if (known !== -2) return known;
    const t = this.text;
    const start = this.#starts[line] as number;
    const end = this.#end(line);
    let k = start;
    while (k < end && t.charCodeAt(k) === 32) k++;
    const c = k < end ? t.charCodeAt(k) : -1;
    // Blank (only spaces, or spaces and the `\r` of a CRLF line end) or a comment.
    const v = c === -1 || c === 35 /* # */ || (c === 13 && k + 1 === end) ? -1 : k - start;
    this.#indent[line] = v;
    return v;
  }

  offset(line: number, col: number): number {
    return (this.#starts[line] ?? 0) + col;
  }

  #firstContent(from: number, end: number): number {
    for (let i = from; i < end; i++) if (this.indent(i) >= 0) return i;
    return -1;
  }

  /** Lines of the block whose first content is at (line, col): until a content line indented at most `parentIndent`. */
  #blockEnd(from: number, parentIndent: number, end: number, allowDashAtParent: boolean): number {
    for (let i = from + 1; i < end; i++) {
      const ind = this.indent(i);
      if (ind < 0) continue;
      if (ind < parentIndent || (ind === parentIndent && !(allowDashAtParent && this.#isDash(i, ind)))) return i;
    }
    return end;
  }

  #isDash(line: number, col: number): boolean {
    const o = (this.#starts[line] ?? 0) + col;
    const e = this.#end(line);
    if (o >= e || this.text.charCodeAt(o) !== 45 /* - */) return false;
    const a = o + 1 < e ? this.text.charCodeAt(o + 1) : -1;
    return a === -1 || a === 32 || a === 13;
  }

  /**
   * What follows a key's `:` (or an item's `- `) from column `col` of a line: nothing (the line's end, a
   * comment), or the first character of a value on the line.
   */
  #restKind(line: number, col: number): number {
    const o = (this.#starts[line] ?? 0) + col;
    const e = this.#end(line);
    if (o >= e) return REST_NONE;
    const c = this.text.charCodeAt(o);
    if (c === 13 && o + 1 === e) return REST_NONE; // the `\r` of a CRLF line end
    return c === 35 /* # */ ? REST_NONE : c;
  }

  /**
   * Where the value at `path` starts, inside the document on lines [from, to).
   * `target: 'key'` gives the key's position for the last segment.
   */
  locate(path: readonly (string | number)[], from: number, to: number, target: 'key' | 'value' = 'value'): LinePos | undefined {
    const first = this.#firstContent(from, to);
    if (first < 0) return undefined;
    // The block being searched (its first line and column, and its end), and the deepest position found.
    let ctxLine = first;
    let ctxCol = this.indent(first);
    let ctxEnd = to;
    let posLine = first;
    let posCol = ctxCol;
    let posLiteral = false;
    let posExact = path.length === 0;
    const text = this.text;
    for (let s = 0; s < path.length; s++) {
      const seg = path[s];
      const last = s === path.length - 1;
      // The entry found: its line, the column of its key (or `- `), the column of its value.
      let foundLine = -1;
      let foundCol = 0;
      let valueCol = 0;
      if (typeof seg === 'number') {
        // The seg-th `- ` item at the sequence's column.
        let k = -1;
        for (let i = ctxLine; i < ctxEnd; i++) {
          const ind = i === ctxLine ? ctxCol : this.indent(i);
          if (ind < 0) continue;
          if (ind < ctxCol) break;
          if (ind === ctxCol) {
            if (!this.#isDash(i, ind)) break;
            k++;
            if (k === seg) {
              const o = this.#starts[i] as number;
              const e = this.#end(i);
              let c = o + ind + 1;
              while (c < e && text.charCodeAt(c) === 32) c++;
              foundLine = i;
              foundCol = ind;
              valueCol = c - o;
              break;
            }
          }
        }
        if (foundLine < 0) return { line: posLine, col: posCol, literal: posLiteral, exact: posExact, sure: true };
        const restKind = this.#restKind(foundLine, valueCol);
        const itemEnd = this.#itemEnd(foundLine, ctxCol, ctxEnd);
        if (restKind === REST_NONE) {
          const next = this.#firstContent(foundLine + 1, itemEnd);
          if (next < 0) return { line: foundLine, col: foundCol, literal: false, exact: last, sure: true };
          ctxLine = next;
          ctxCol = this.indent(next);
        } else {
          ctxLine = foundLine;
          ctxCol = valueCol;
        }
        ctxEnd = itemEnd;
        posLine = ctxLine;
        posCol = ctxCol;
        posLiteral = false;
        posExact = last;
        if (!last && (restKind === 123 /* { */ || restKind === 91 /* [ */)) return this.#inFlow(foundLine, valueCol, path.slice(s + 1), target) ?? { line: posLine, col: posCol, literal: false, exact: false, sure: false };
        continue;
      }
      // A key at the mapping's column.
      const key = String(seg);
      const simple = SIMPLE_KEY.test(key);
      for (let i = ctxLine; i < ctxEnd; i++) {
        const ind = i === ctxLine ? ctxCol : this.indent(i);
        if (ind < 0) continue;
        if (ind < ctxCol) break;
        if (ind !== ctxCol) continue;
        // A plain key starts with its first character: other lines cannot hold this key (quoted keys are read).
        const start = (this.#starts[i] as number) + ind;
        const c0 = text.charCodeAt(start);
        if (key !== '' && c0 !== key.charCodeAt(0) && c0 !== 34 /* " */ && c0 !== 39 /* ' */) continue;
        if (simple && c0 !== 34 && c0 !== 39) {
          // A key of plain characters is on this line only if the line starts with it (KEY reads the key
          // from the line's start); with spaces and a `:` before a space, a tab or the line's end after it,
          // KEY reads exactly it. Anything else is left to KEY.
          if (!text.startsWith(key, start)) continue;
          const e = this.#end(i);
          let c = start + key.length;
          while (c < e && text.charCodeAt(c) === 32) c++;
          if (c < e && text.charCodeAt(c) === 58 /* : */) {
            const a = c + 1 < e ? text.charCodeAt(c + 1) : -1;
            if (a === -1 || a === 32 || a === 9 || a === 13) {
              let v = c + 1;
              while (v < e && text.charCodeAt(v) === 32) v++;
              foundLine = i;
              foundCol = ind;
              valueCol = v - (start - ind);
              break;
            }
          }
        }
        const l = this.line(i);
        const m = KEY.exec(l.slice(ind));
        // A `- ` item at the mapping's own column is an indentless (compact) sequence, the value of the key
        // before it (`resources:\n- pods` as Helm renders, `tolerations:\n- operator: Exists` as Kubernetes' own
        // manifests write it): not the end of the mapping.
        if (m === null) continue;
        const k = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2].replace(/''/g, "'") : (m[3] ?? '').trimEnd();
        if (k !== key) continue;
        let c = ind + m[0].length;
        while (c < l.length && l.charCodeAt(c) === 32) c++;
        foundLine = i;
        foundCol = ind;
        valueCol = c;
        break;
      }
      if (foundLine < 0) return { line: posLine, col: posCol, literal: posLiteral, exact: posExact, sure: true };
      if (last && target === 'key') return { line: foundLine, col: foundCol, literal: false, exact: true, sure: true };
      // Anchors and tags before the value do not move it.
      let restCol = valueCol;
      let restKind = this.#restKind(foundLine, restCol);
      if (restKind === 38 /* & */ || restKind === 33 /* ! */) {
        const rest = this.line(foundLine).slice(restCol).replace(/\r$/, '');
        const prop = /^([&!][^\s]*\s*)+/.exec(rest);
        if (prop !== null) restCol += prop[0].length;
        restKind = this.#restKind(foundLine, restCol);
      }
      const blockEnd = this.#blockEnd(foundLine, foundCol, ctxEnd, true);
      if (restKind === REST_NONE) {
        const next = this.#firstContent(foundLine + 1, blockEnd);
        if (next < 0) {
          if (!last) return { line: foundLine, col: foundCol, literal: false, exact: false, sure: true };
          posLine = foundLine;
          posCol = foundCol;
          posLiteral = false;
          posExact = last;
          continue;
        }
        ctxLine = next;
        ctxCol = this.indent(next);
        ctxEnd = blockEnd;
        posLine = next;
        posCol = ctxCol;
        posLiteral = false;
        posExact = last;
        continue;
      }
      const literal = restKind === 124 /* | */;
      if (!last) {
        // A flow collection on this line: follow the rest of the path inside it; a scalar has no inside.
        if (restKind === 123 /* { */ || restKind === 91 /* [ */) return this.#inFlow(foundLine, restCol, path.slice(s + 1), target) ?? { line: foundLine, col: restCol, literal, exact: false, sure: false };
        return { line: foundLine, col: restCol, literal, exact: false, sure: true };
      }
      posLine = foundLine;
      posCol = restCol;
      posLiteral = literal;
      posExact = last;
      ctxLine = foundLine;
      ctxCol = restCol;
      ctxEnd = blockEnd;
    }
    return { line: posLine, col: posCol, literal: posLiteral, exact: posExact, sure: true };
  }

  /** Follows `path` inside a flow collection that opens at (line, col) and closes on the same line. */
  #inFlow(line: number, col: number, path: readonly (string | number)[], target: 'key' | 'value'): LinePos | undefined {
    const text = this.line(line).replace(/\r$/, '');
    let c = col;
    for (let s = 0; s < path.length; s++) {
      const items = flowItems(text, c);
      if (items === undefined) return undefined;
      const seg = path[s];
      const item = typeof seg === 'number' ? items.seq ? items.entries[seg] : undefined : items.seq ? undefined : items.entries.find((e) => e.key === String(seg));
      if (item === undefined) return undefined;
      const last = s === path.length - 1;
      if (last) return { line, col: target === 'key' ? item.keyCol : item.valueCol, literal: false, exact: true, sure: true };
      c = item.valueCol;
      const ch = text[c];
      if (ch !== '{' && ch !== '[') return undefined;
    }
    return undefined;
  }

  #itemEnd(dashLine: number, col: number, end: number): number {
    for (let i = dashLine + 1; i < end; i++) {
      const ind = this.indent(i);
      if (ind < 0) continue;
      if (ind <= col) return i;
    }
    return end;
  }
}

interface FlowEntry {
  readonly key: string | undefined;
  readonly keyCol: number;
  readonly valueCol: number;
}

/** Top-level entries of the flow collection opening at `col` of `text`, if it closes on this line. */
function flowItems(text: string, col: number): { seq: boolean; entries: FlowEntry[] } | undefined {
  const open = text[col];
  if (open !== '[' && open !== '{') return undefined;
  const seq = open === '[';
  const entries: FlowEntry[] = [];
  let depth = 0;
  let i = col;
  let start = -1;
  let keyEnd = -1;
  const flush = (end: number): void => {
    if (start < 0) return;
    const raw = text.slice(start, end);
    if (raw.trim() === '') return;
    if (seq) {
      entries.push({ key: undefined, keyCol: start, valueCol: start });
      return;
    }
    const k = keyEnd < 0 ? raw.trim() : text.slice(start, keyEnd).trim();
    let v = keyEnd < 0 ? start : keyEnd + 1;
    while (v < end && text[v] === ' ') v++;
    entries.push({ key: k.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'), keyCol: start, valueCol: v });
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const q = ch;
      if (depth === 1 && start < 0) start = i;
      i++;
      while (i < text.length && text[i] !== q) i += text[i] === '\\' && q === '"' ? 2 : 1;
      continue;
    }
    if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 2 && start < 0) start = i;
      continue;
    }
    if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        flush(i);
        return { seq, entries };
      }
      continue;
    }
    if (depth !== 1) continue;
    if (ch === ',') {
      flush(i);
      start = -1;
      keyEnd = -1;
      continue;
    }
    if (ch === ':' && !seq && keyEnd < 0 && (text[i + 1] === ' ' || text[i + 1] === ',' || text[i + 1] === '}' || i + 1 >= text.length)) {
      if (start < 0) start = i;
      keyEnd = i;
      continue;
    }
    if (ch === '#' && (text[i - 1] === ' ')) return undefined; // a comment inside an unclosed flow
    if (start < 0 && ch !== ' ') start = i;
  }
  return undefined;
}
