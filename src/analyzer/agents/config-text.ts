/**
 * Reading agents' configuration texts: positions inside a ConfigMap key
 * (`Located`, `YamlConfig`), safe field access on parsed values, and the
 * environment references agents use to learn their node's name.
 *
 * @example
 *   const y = YamlConfig.parse(cfg);          // undefined when it is not YAML
 *   y?.loc(['processors', 'k8sattributes']);  // file:line:column inside the ConfigMap
 */
import { isObj } from '../objects.ts';
import { loadYamlLines } from '../yaml-block.ts';
import { YamlLines } from '../yaml-locate.ts';
import type { Container } from '../workloads.ts';
import type { DocPath, Loc } from '../types.ts';
import type { ConfigText } from './agent.ts';

/** Locations inside a configuration text. */
export class Located {
  readonly cfg: ConfigText;
  constructor(cfg: ConfigText) {
    this.cfg = cfg;
  }
  at(offset: number): Loc {
    const p = this.cfg.doc.locateInString(this.cfg.path, offset) ?? this.cfg.doc.locate(this.cfg.path);
    return { file: this.cfg.doc.file, line: p?.line ?? 1, column: p?.column ?? 1 };
  }
}

/**
 * Parsed configuration texts: the readers of one workload look at the same ConfigMap key, which is
 * parsed once. Forgotten after each workload (forgetParsedConfigs, agents/scan.ts), so that the
 * parsed values die young instead of living through the whole analysis.
 */
const parsed = new Map<ConfigText, YamlConfig | null>();

/**
 * Texts parsed, by their text: workloads of one chart rendered many times carry the same configuration
 * text in ConfigMaps of their own, and the text is parsed (and its lines indexed) once for all of them.
 * Shared values are only read (no reader changes a parsed configuration; filebeat's dotted keys are
 * expanded into a copy). Bounded: emptied when it holds BY_TEXT_MAX texts, so an input of distinct
 * texts keeps few of them alive.
 */
interface ParsedText {
  readonly value: unknown;
  /** The text's line offsets, when the block reader read it. */
  readonly starts: readonly number[] | undefined;
  /** Its line locator, made when a position is first asked for. */
  lines: YamlLines | undefined;
}
const byText = new Map<string, ParsedText | null>();
const BY_TEXT_MAX = 64;

function parseText(text: string): ParsedText | null {
  let p = byText.get(text);
  if (p === undefined) {
    try {
      const r = loadYamlLines(text);
      p = { value: r.value, starts: r.lineStarts, lines: undefined };
    } catch {
      p = null;
    }
    if (byText.size >= BY_TEXT_MAX) byText.clear();
    byText.set(text, p);
  }
  return p;
}

/** Drops the parsed configuration texts (a ConfigMap another workload mounts is parsed again there). */
export function forgetParsedConfigs(): void {
  parsed.clear();
}

/** A YAML configuration text, with positions of its values (line locator, yaml-locate.ts). */
export class YamlConfig extends Located {
  readonly value: unknown;
  readonly #text: ParsedText;
  /** `text`: the parse of cfg.text that `value` is (shared with other configurations of the same text). */
  constructor(cfg: ConfigText, value: unknown, text?: ParsedText) {
    super(cfg);
    this.value = value;
    this.#text = text ?? { value, starts: undefined, lines: undefined };
  }
  /** The text parsed as YAML (once per configuration text), or undefined when it is not YAML. */
  static parse(cfg: ConfigText): YamlConfig | undefined {
    let y = parsed.get(cfg);
    if (y === undefined) {
      const p = parseText(cfg.text);
      y = p === null ? null : new YamlConfig(cfg, p.value, p);
      parsed.set(cfg, y);
    }
    return y ?? undefined;
  }
  loc(path: DocPath): Loc {
    const t = this.#text;
    const lines = (t.lines ??= new YamlLines(this.cfg.text, t.starts));
    const p = lines.locate(path, 0, lines.lineCount);
    return this.at(p === undefined ? 0 : lines.offset(p.line, p.col));
  }
}

export function get(v: unknown, path: DocPath): unknown {
  let x = v;
  for (const seg of path) {
    if (typeof seg === 'number') x = Array.isArray(x) ? x[seg] : undefined;
    else x = isObj(x) ? x[seg] : undefined;
  }
  return x;
}

/** A scalar as text; anything else as empty. */
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export const truthy = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(on|true|yes|1)$/i.test(v.trim())) || v === 1;

/** Environment variable references: ${env:NAME}, ${NAME}, $(NAME), $NAME. */
export function envRefs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$([A-Za-z_][A-Za-z0-9_]*)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out.filter((x) => x !== '');
}

/** Whether env var `name` of the container holds the node name (downward API spec.nodeName). */
export function isNodeNameEnv(c: Container, name: string): boolean {
  return c.env.get(name)?.fieldPath === 'spec.nodeName';
}

