/**
 * A container's own settings as agents read them: command-line flags
 * (`--flag=value`, `--flag value`, `-f value`), with Kubernetes' `$(VAR)`
 * expansion from the container's environment, environment variables, the
 * positions of both in the manifest, and the version in an image tag.
 *
 * Kubernetes expands `$(VAR)` in `command` and `args` from the container's
 * `env`; "If a variable cannot be resolved, the reference in the input string
 * will be unchanged" (kubernetes.io/docs/tasks/inject-data-application/
 * define-command-argument-container, core/v1 Container.args).
 *
 * @example
 *   const s = ContainerSettings.of(ctx.workload, ctx.container);
 *   s.flag(['--resources'])?.value;   // "pods" from `--resources=pods`
 *   s.env('DD_CLUSTER_AGENT_ENABLED'); // { value: "true", at: … }
 */
import type { DocPath, Loc } from '../types.ts';
import type { Container, EnvVar, WorkloadInfo } from '../workloads.ts';

/** One command-line flag of the container, as it was found. */
export interface Flag {
  /** The value after `=` or the next argument ("" for a bare boolean flag). */
  readonly value: string;
  /** The value with `$(VAR)` references expanded from the container's env (unresolved ones kept). */
  readonly expanded: string;
  /** `$(VAR)` references in the value that the container's env does not define. */
  readonly unresolved: readonly string[];
  /** `$(VAR)` references in the value whose env var comes from the downward API spec.nodeName. */
  readonly nodeNameRefs: readonly string[];
  readonly at: Loc;
}

/** One environment variable of the container, with its position. */
export interface EnvSetting {
  readonly name: string;
  /** Its literal value, or the value of the ConfigMap key it references when that ConfigMap is in the input. */
  readonly value: string | undefined;
  readonly fieldPath: string | undefined;
  readonly at: Loc;
}

/**
 * The settings of the containers of the workload last asked about: every reader that reads settings is
 * offered every container of a workload in turn, and they are the same for all.
 */
let last: { readonly w: WorkloadInfo; readonly byContainer: Map<Container, ContainerSettings> } | undefined;

export class ContainerSettings {
  /** The settings of container `c` of `w`, made once for every reader that asks. */
  static of(w: WorkloadInfo, c: Container): ContainerSettings {
    if (last?.w !== w) last = { w, byContainer: new Map() };
    let s = last.byContainer.get(c);
    if (s === undefined) {
      s = new ContainerSettings(w, c);
      last.byContainer.set(c, s);
    }
    return s;
  }

  readonly w: WorkloadInfo;
  readonly c: Container;
  /** command then args, each with its path in the workload (read when first asked for). */
  #words: { readonly text: string; readonly path: DocPath }[] | undefined;
  #texts: readonly string[] | undefined;

  constructor(w: WorkloadInfo, c: Container) {
    this.w = w;
    this.c = c;
  }

  get #argv(): { readonly text: string; readonly path: DocPath }[] {
    if (this.#words !== undefined) return this.#words;
    const { w, c } = this;
    const argv: { text: string; path: DocPath }[] = [];
    // Container.args holds the same scalars of command and args (workloads.ts): none there, none here.
    if (c.args.length > 0) {
      for (const key of ['command', 'args'] as const) {
        listAt(w, [...c.path, key]).forEach((v, i) => {
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') argv.push({ text: String(v), path: [...c.path, key, i] });
        });
      }
    }
    // `sh -c "exec /agent --flag=x …"` (as some charts start agents): the script's words are the arguments.
    const [sh, dashC, script] = argv;
    if (sh !== undefined && dashC !== undefined && script !== undefined && /(^|\/)(ba|da)?sh$/.test(sh.text) && dashC.text === '-c') {
      this.#words = shellWords(script.text).map((text) => ({ text, path: script.path }));
    } else this.#words = argv;
    return this.#words;
  }

  /** Every argument (command then args; a `sh -c` script's words), each with the path of the element that holds it. */
  get words(): readonly { readonly text: string; readonly path: DocPath }[] {
    return this.#argv;
  }

  /** Every argument (command then args). */
  get argv(): readonly string[] {
    return (this.#texts ??= this.#argv.map((a) => a.text));
  }

  /** Where the container's image is. */
  get imageAt(): Loc {
    return this.w.f.loc([...this.c.path, 'image']);
  }

  /** Where its command or arguments start (the image when it has none). */
  get argsAt(): Loc {
    const first = this.#argv[0];
    return first !== undefined ? this.w.f.loc(first.path) : this.imageAt;
  }

  /**
   * The last occurrence of any of `names` (a later flag wins, as with Go's
   * pflag/flag and cxxopts): `--name=value`, `--name value`, `-n value`; a
   * bare flag followed by another flag (or nothing) has the value "".
   */
  flag(names: readonly string[]): Flag | undefined {
    let found: { value: string; path: DocPath } | undefined;
    for (let i = 0; i < this.#argv.length; i++) {
      const a = this.#argv[i];
      if (a === undefined) continue;
      for (const n of names) {
        if (a.text.startsWith(`${n}=`)) found = { value: a.text.slice(n.length + 1), path: a.path };
        else if (a.text === n) {
          const next = this.#argv[i + 1];
          found = next !== undefined && !next.text.startsWith('-') ? { value: next.text, path: next.path } : { value: '', path: a.path };
        }
      }
    }
    if (found === undefined) return undefined;
    const refs = [...found.value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1] ?? '');
    const unresolved = refs.filter((r) => this.c.env.get(r) === undefined);
    const nodeNameRefs = refs.filter((r) => this.c.env.get(r)?.fieldPath === 'spec.nodeName');
    const expanded = found.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => {
      const e = this.c.env.get(name);
      return e?.value ?? (e?.fieldPath !== undefined ? `<${e.fieldPath}>` : whole);
    });
    return { value: found.value, expanded, unresolved, nodeNameRefs, at: this.w.f.loc(found.path) };
  }

  /** A boolean flag: `--x`, `--x=true` → true; `--x=false` → false; absent → `dflt`. */
  bool(names: readonly string[], dflt: boolean): { value: boolean; at: Loc | undefined } {
    const f = this.flag(names);
    if (f === undefined) return { value: dflt, at: undefined };
    return { value: f.value === '' ? true : /^(1|t|true|yes|on)$/i.test(f.value.trim()), at: f.at };
  }

  /** An environment variable of the container, located at its value (or at its entry). */
  env(name: string): EnvSetting | undefined {
    const e: EnvVar | undefined = this.c.env.get(name);
    if (e === undefined) return undefined;
    const list = listAt(this.w, [...this.c.path, 'env']);
    const i = list.findIndex((x) => typeof x === 'object' && x !== null && (x as { name?: unknown }).name === name);
    const base: DocPath = [...this.c.path, 'env', Math.max(0, i)];
    const at = this.w.f.loc(this.w.f.get([...base, 'value']) !== undefined ? [...base, 'value'] : this.w.f.get([...base, 'valueFrom']) !== undefined ? [...base, 'valueFrom'] : base);
    return { name, value: e.value, fieldPath: e.fieldPath, at };
  }

  /** Names of the ConfigMaps and Secrets the container takes whole as environment (envFrom), with the position of each reference. */
  envFrom(): { kind: 'ConfigMap' | 'Secret'; name: string; prefix: string; at: Loc }[] {
    const out: { kind: 'ConfigMap' | 'Secret'; name: string; prefix: string; at: Loc }[] = [];
    listAt(this.w, [...this.c.path, 'envFrom']).forEach((_, j) => {
      const p: DocPath = [...this.c.path, 'envFrom', j];
      const prefix = typeof this.w.f.get([...p, 'prefix']) === 'string' ? (this.w.f.get([...p, 'prefix']) as string) : '';
      const cm = this.w.f.get([...p, 'configMapRef', 'name']);
      if (typeof cm === 'string') out.push({ kind: 'ConfigMap', name: cm, prefix, at: this.w.f.loc([...p, 'configMapRef']) });
      const s = this.w.f.get([...p, 'secretRef', 'name']);
      if (typeof s === 'string') out.push({ kind: 'Secret', name: s, prefix, at: this.w.f.loc([...p, 'secretRef']) });
    });
    return out;
  }
}

/** Words of a simple shell script (whitespace-separated, '…' and "…" quoting, a backslash-newline joins lines). */
function shellWords(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let any = false;
  let q: string | undefined;
  const text = script.replace(/\\\n/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (q !== undefined) {
      if (ch === q) q = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      any = true;
    } else if (/\s/.test(ch) || ch === ';' || ch === '&' || ch === '|') {
      if (any || cur !== '') out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (any || cur !== '') out.push(cur);
  return out;
}

function listAt(w: WorkloadInfo, path: DocPath): readonly unknown[] {
  const v = w.f.get(path);
  return Array.isArray(v) ? (v as readonly unknown[]) : [];
}
