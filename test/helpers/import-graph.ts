/**
 * The import graph of src/ and the architecture's rules over it, as pure
 * functions of the graph (so that test/architecture.test.ts can also run them
 * on a small made-up graph and see each rule fire).
 *
 * Every import counts: `import`, `import type`, `export … from`, side-effect
 * imports and dynamic `import('…')`, read with TypeScript's own pre-processor
 * (comments and strings are not imports). Only relative specifiers are
 * followed (packages and `node:` modules are outside the graph).
 *
 * @example
 *   const graph = importGraph('src');
 *   layerProblems(graph); // [] when every import points the right way
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** File → the files it imports; paths relative to the repository, with forward slashes (`src/twin/engine.ts`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** What each layer may import besides itself (docs/architecture.md). */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  model: ['core'],
  twin: ['core', 'model'],
  analyzer: ['core', 'model', 'twin'],
  orchestrator: ['core', 'model', 'twin'],
  input: ['core', 'model', 'twin', 'analyzer', 'orchestrator'],
  report: ['core', 'model', 'twin', 'orchestrator', 'analyzer'],
  killswitch: ['core'],
  apiserver: ['core', 'model', 'twin', 'analyzer', 'input', 'killswitch'],
  adapters: ['core', 'model', 'twin', 'orchestrator', 'killswitch'],
  shell: ['core', 'model', 'twin', 'analyzer', 'orchestrator', 'input', 'report', 'killswitch', 'apiserver', 'adapters'],
  cli: ['core', 'model', 'twin', 'analyzer', 'orchestrator', 'input', 'report', 'killswitch', 'apiserver', 'adapters', 'shell'],
};

/** The twin's public face: the one file of src/twin that code outside it may import. */
export const TWIN_FACE = 'src/twin/index.ts';
/** The orchestrator's ports: the one file of src/orchestrator that adapters may import. */
export const PORTS = 'src/orchestrator/ports.ts';
/** The shell's composition root: the one shell file that names (builds) the adapters. */
export const COMPOSITION_ROOTS: readonly string[] = ['src/shell/rehearsal.ts', 'src/shell/rollout-run.ts', 'src/shell/rollout-run-served.ts', 'src/shell/breakglass.ts', 'src/shell/prometheus-source.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

function slashes(p: string): string {
  return p.split('\\').join('/');
}

/** The import graph of every .ts file under `root` (a path relative to the working directory, e.g. `src`). */
export function importGraph(root: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
    graph.set(slashes(normalize(file)), targets.map((s) => slashes(normalize(join(dirname(file), s)))));
  }
  return graph;
}

/** `src/twin/engine.ts` → `twin`; files outside src/ have no layer. */
export function layerOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** Imports that point the wrong way between layers, and files in a layer the architecture does not know. */
export function layerProblems(graph: ImportGraph): string[] {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    const layer = layerOf(file) ?? '';
    const allowed = LAYERS[layer];
    if (allowed === undefined) {
      bad.push(`${file}: unknown layer \`${layer}\` (add it to docs/architecture.md and test/helpers/import-graph.ts)`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target) ?? relative('src', target);
      if (to !== layer && !allowed.includes(to)) bad.push(`${file} imports ${target} (${layer} → ${to})`);
    }
  }
  return bad;
}

/**
 * Imports of the twin's internals from outside src/twin (only the public face, src/twin/index.ts, may
 * be imported), of orchestrator files other than the ports from the adapters, and of the adapters from
 * the shell anywhere but its composition root. `transitional` names internals still imported while
 * they move out of the twin (each must still be imported, else the exception is stale).
 */
export function faceProblems(graph: ImportGraph, transitional: readonly string[] = []): string[] {
  const bad: string[] = [];
  const used = new Set<string>();
  for (const [file, targets] of graph) {
    const layer = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (layer !== 'twin' && to === 'twin' && target !== TWIN_FACE) {
        if (transitional.includes(target)) used.add(target);
        else bad.push(`${file} imports ${target}: outside src/twin, import only the twin's public face ${TWIN_FACE}${layer === 'analyzer' ? ' (analyzer → twin)' : ''}`);
      }
      if (layer === 'adapters' && to === 'orchestrator' && target !== PORTS) bad.push(`${file} imports ${target}: an adapter knows the orchestrator only through ${PORTS}`);
      if (layer === 'shell' && to === 'adapters' && !COMPOSITION_ROOTS.includes(file)) {
        bad.push(`${file} imports ${target}: the shell knows the ports, not the adapters, except where it builds them (${COMPOSITION_ROOTS.join(', ')})`);
      }
    }
  }
  for (const t of transitional) if (!used.has(t)) bad.push(`the transitional exception for ${t} is stale (nothing outside src/twin imports it): remove it`);
  return bad;
}

/** Import cycles: the strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
