/**
 * The RolloutPlan input format: a YAML file (`kind: RolloutPlan`) compiled
 * into the RolloutPlan the orchestrator uses (src/orchestrator/plan.ts), with
 * every default applied and durations in seconds.
 *
 * Checked like scenarios, in two phases, each reporting every problem at once
 * with file:line:column and the field path: first the structure (YAML, field
 * names, types, ranges — against src/input/plan-schema.ts — and the fleet and
 * manifest files it references), then the rules across fields (exactly one
 * change source, durations within bounds, node batches that grow to 100 %,
 * gate names that exist). When the plan names a fleet, it is then compiled
 * over it (src/input/rollout-spec.ts), so that cluster names and wave
 * selectors are checked too, and the spec is kept (`spec`). Problems found
 * later against another fleet (a rehearsal's) are located in the same file.
 *
 * @example
 *   const loaded = loadPlanFile('plans/default.yaml');
 *   loaded.plan.nodeBatches; // [{ nodes: 1 }, { percent: 1 }, …]
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import type { Cluster } from '../model/fleet.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { gateCatalogue, type GateSpec } from '../orchestrator/gate-catalogue.ts';
import {
  BREAK_GLASS_LEVEL,
  DEFAULT_BAKE,
  DEFAULT_BUDGET,
  DEFAULT_EVALUATION,
  DEFAULT_IDENTITY,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_NODE_BATCHES,
  DEFAULT_ROLLBACK,
  DEFAULT_WAVES,
  type BatchSize,
  type EvaluationPolicy,
  type ManifestObject,
  type PlanChange,
  type RolloutPlan,
  type WavePlan,
} from '../orchestrator/plan.ts';
import type { ManifestDocument } from '../analyzer/types.ts';
import { compileFleetField, fleetFileRef, loadReferencedFleet } from './fleet-ref.ts';
import { readManifestPaths } from './manifests.ts';
import { compilePlanMetrics, type PlanMetrics } from './plan-metrics.ts';
import { PlanDocument, type PlanDocumentInput, type PlanSpecInput } from './plan-schema.ts';
import { specOverFleet, workloadOf } from './rollout-spec.ts';
import { MAX_DURATION_S } from './schema-kit.ts';
import { nearest, Problems, schemaProblems, wrongKind } from './validate.ts';
import { relativeHint } from './read.ts';
import { formatPath, parseYaml, readYamlFile, type Path, type YamlDocument } from './yaml.ts';

export interface LoadedPlan {
  readonly plan: RolloutPlan;
  /** The plan's own fleet (spec.fleet), if it names one. */
  readonly fleet: readonly Cluster[] | undefined;
  /** The plan compiled over its own fleet (undefined without one): compiled once, here. */
  readonly spec: RolloutSpec | undefined;
  /** The parsed file, to locate problems found later. */
  readonly doc: YamlDocument;
  /** Where the gates read their metrics, and the plan's gate queries (src/input/plan-metrics.ts). */
  readonly metrics: PlanMetrics;
}

/** Reads and compiles a plan file. Throws InputError listing every problem, located. */
export function loadPlanFile(file: string): LoadedPlan {
  return compilePlanDocument(readYamlFile(file));
}

/** Compiles plan YAML text; `file` names it in problems and anchors relative paths. */
export function parsePlan(text: string, file: string): LoadedPlan {
  return compilePlanDocument(parseYaml(text, file));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compilePlanDocument(doc: YamlDocument): LoadedPlan {
  const kind = wrongKind(doc, 'RolloutPlan');
  if (kind !== undefined) throw new InputError([kind]);
  const problems = new Problems();
  problems.push(...schemaProblems(PlanDocument, doc.value, doc));
  const fleetRef = fleetFileRef(doc.value);
  const fileClusters = fleetRef === undefined ? undefined : loadReferencedFleet(fleetRef, doc, problems, 'plan');
  problems.throwIfAny();
  const input = doc.value as PlanDocumentInput;
  const c = new PlanCompiler(doc, problems);
  const plan = c.compile(input);
  const catalogue = gateCatalogue();
  const metrics = compilePlanMetrics(input.spec, doc, problems, (gate) => catalogue.find((g) => g.name === gate)?.metric);
  const fleet = input.spec.fleet === undefined ? undefined : compileFleetField(input.spec.fleet, fileClusters, doc, problems, 'or leave out spec.fleet and pass --fleet');
  problems.throwIfAny();
  if (plan === undefined) throw new Error('plan compilation failed without reporting a problem');
  // With a fleet, compile the plan over it: cluster names and wave selectors are checked now, and the spec is kept.
  const spec = fleet === undefined ? undefined : specOverFleet({ plan, doc }, fleet);
  return { plan, fleet, spec, doc, metrics };
}

interface Bounds {
  readonly minS?: number;
  readonly maxS?: number;
  readonly positive?: boolean;
}

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

class PlanCompiler {
  readonly #doc: YamlDocument;
  readonly #problems: Problems;

  constructor(doc: YamlDocument, problems: Problems) {
    this.#doc = doc;
    this.#problems = problems;
  }

  #add(path: Path, message: string, hint?: string): void {
    this.#problems.add(this.#doc, path, message, hint);
  }

  #duration(path: Path, raw: string | number | undefined, dflt: number, bounds: Bounds = {}): number {
    if (raw === undefined) return dflt;
    const s = parseDuration(raw);
    if (s === undefined) {
      this.#add(path, `expected a duration such as "90s", "5m" or "1h30m", got ${JSON.stringify(raw)}`);
      return dflt;
    }
    const shown = typeof raw === 'number' ? `${raw}s` : raw;
    if (bounds.positive === true && s <= 0) {
      this.#add(path, `expected a duration > 0, got ${shown}`);
      return dflt;
    }
    // Every duration is at most 7d (MAX_DURATION_S) unless the field has a tighter bound.
    const { minS, maxS = MAX_DURATION_S } = bounds;
    if ((minS !== undefined && s < minS) || (maxS !== undefined && s > maxS)) {
      const range = minS !== undefined && maxS !== undefined ? `between ${formatDuration(minS)} and ${formatDuration(maxS)}` : minS !== undefined ? `≥ ${formatDuration(minS)}` : `≤ ${formatDuration(maxS ?? 0)}`;
      this.#add(path, `expected a duration ${range}, got ${shown}`);
      return dflt;
    }
    return s;
  }

  compile(input: PlanDocumentInput): RolloutPlan | undefined {
    const s = input.spec;
    const before = this.#problems.size;
    const change = this.#change(s.change);
    const waves = this.#waves(s.waves);
    const nodeBatches = this.#batches(s.nodeBatches);
    const bake = {
      batchS: this.#duration(['spec', 'bake', 'batch'], s.bake?.batch, DEFAULT_BAKE.batchS, { maxS: 86_400 }),
      waveS: this.#duration(['spec', 'bake', 'wave'], s.bake?.wave, DEFAULT_BAKE.waveS, { maxS: 7 * 86_400 }),
    };
    const evaluation = this.#evaluation(s.gates?.evaluation);
    const gates = this.#gates(s.gates);
    const r = s.rollback ?? {};
    const rollback = {
      killSwitch: r.killSwitch ?? DEFAULT_ROLLBACK.killSwitch,
      breakGlass: r.breakGlass ?? DEFAULT_ROLLBACK.breakGlass,
      breakGlassSeats: r.breakGlassSeats ?? DEFAULT_ROLLBACK.breakGlassSeats,
      breakGlassIdentity: r.breakGlassIdentity ?? DEFAULT_ROLLBACK.breakGlassIdentity,
    };
    const identity = { name: s.identity?.name ?? DEFAULT_IDENTITY.name, priorityLevel: s.identity?.priorityLevel ?? DEFAULT_IDENTITY.priorityLevel };
    if (identity.priorityLevel === BREAK_GLASS_LEVEL) {
      this.#add(['spec', 'identity', 'priorityLevel'], `the ordinary identity cannot use the ${BREAK_GLASS_LEVEL} level: it is reserved for rollbacks`, 'use e.g. workload-low, and let spec.rollback.breakGlass decide when break-glass is used');
    }
    const b = s.budget ?? {};
    const initialS = this.#duration(['spec', 'budget', 'backoff', 'initial'], b.backoff?.initial, DEFAULT_BUDGET.backoffInitialS, { positive: true, maxS: 3600 });
    const maxS = this.#duration(['spec', 'budget', 'backoff', 'max'], b.backoff?.max, DEFAULT_BUDGET.backoffMaxS, { positive: true, maxS: 3600 });
    if (maxS < initialS) this.#add(['spec', 'budget', 'backoff', b.backoff?.max !== undefined ? 'max' : 'initial'], `the backoff cap (${formatDuration(maxS)}) is less than its first wait (${formatDuration(initialS)})`, 'make backoff.max ≥ backoff.initial');
    const budget = {
      qps: b.qps ?? DEFAULT_BUDGET.qps,
      burst: b.burst ?? DEFAULT_BUDGET.burst,
      backoffInitialS: initialS,
      backoffFactor: b.backoff?.factor ?? DEFAULT_BUDGET.backoffFactor,
      backoffMaxS: maxS,
      backoffJitter: b.backoff?.jitter ?? DEFAULT_BUDGET.backoffJitter,
      maxApplyAttempts: b.maxApplyAttempts ?? DEFAULT_BUDGET.maxApplyAttempts,
    };
    if (this.#problems.size > before || change === undefined) return undefined;
    return {
      name: input.metadata.name,
      description: input.metadata.description ?? '',
      change,
      clusters: { ...(s.clusters ?? {}) },
      waves,
      nodeBatches,
      bake,
      maxConcurrency: s.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      gates,
      evaluation,
      rollback,
      identity,
      budget,
    };
  }

  #change(c: PlanSpecInput['change']): PlanChange | undefined {
    const path: Path = ['spec', 'change'];
    if ((c.twin === undefined) === (c.manifests === undefined)) {
      this.#add(path, c.twin === undefined ? 'no change: give `twin` (the rehearsed scenario’s change) or `manifests`' : 'give either `twin` or `manifests`, not both', 'e.g. `change: { twin: {} }`');
      return undefined;
    }
    if (c.twin !== undefined) return { source: 'twin', ...(c.twin.name !== undefined ? { name: c.twin.name } : {}) };
    const objects: ManifestObject[] = [];
    (c.manifests ?? []).forEach((m, i) => {
      const at: Path = [...path, 'manifests', i];
      if ((m.file === undefined) === (m.object === undefined)) {
        this.#add(at, 'give either `file` or `object`', 'e.g. `- file: ../manifests/agent.yaml`');
        return;
      }
      if (m.object !== undefined) {
        const o = m.object;
        objects.push({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? 'default', origin: `${this.#doc.file} ${formatPath([...at, 'object'])}`, body: o });
        return;
      }
      objects.push(...this.#manifestFile(m.file ?? '', [...at, 'file']));
    });
    if (objects.length > 0 && workloadOf({ source: 'manifests', objects }) === undefined) {
      this.#add([...path, 'manifests'], 'no DaemonSet or Deployment among the manifests: node batches and gates follow a workload', 'add the workload manifest');
    }
    return { source: 'manifests', objects };
  }

  /** The Kubernetes objects of a manifest file or directory (any number of YAML documents; src/input/manifests.ts). */
  #manifestFile(ref: string, at: Path): ManifestObject[] {
    const file = isAbsolute(ref) ? ref : join(dirname(this.#doc.file), ref);
    try {
      statSync(file);
    } catch {
      this.#add(at, `manifest file not found: ${JSON.stringify(ref)} (resolved to ${resolve(file)})`, relativeHint(this.#doc.file, 'plan'));
      return [];
    }
    let docs: ManifestDocument[];
    try {
      docs = readManifestPaths([file]);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.#problems.push(...e.problems);
      return [];
    }
    const out: ManifestObject[] = [];
    for (const d of docs) {
      const v = d.value;
      if (v === null || v === undefined) continue;
      const meta = isRecord(v) && isRecord(v.metadata) ? v.metadata : undefined;
      const pos = d.locate([]);
      if (!isRecord(v) || typeof v.apiVersion !== 'string' || typeof v.kind !== 'string' || typeof meta?.name !== 'string') {
        this.#problems.push({ file: d.file, ...(pos !== undefined ? { line: pos.line, column: pos.column } : {}), path: '', message: 'not a Kubernetes object: expected apiVersion, kind and metadata.name', hint: `referenced from ${this.#doc.file} ${formatPath(at)}` });
        continue;
      }
      out.push({ apiVersion: v.apiVersion, kind: v.kind, name: meta.name, namespace: typeof meta.namespace === 'string' ? meta.namespace : 'default', origin: `${d.file}${pos !== undefined ? `:${pos.line}` : ''}`, body: v });
    }
    if (out.length === 0) this.#add(at, `${JSON.stringify(ref)} holds no Kubernetes object`);
    return out;
  }

  #waves(w: PlanSpecInput['waves']): WavePlan {
    if (w === undefined) return DEFAULT_WAVES;
    if (w.generate !== undefined && w.list !== undefined) {
      this.#add(['spec', 'waves', 'list'], 'give either `generate` or `list`, not both', 'remove one of them');
      return DEFAULT_WAVES;
    }
    if (w.list !== undefined) {
      const seen = new Map<string, number>();
      const waves = w.list.map((x, i) => {
        const at: Path = ['spec', 'waves', 'list', i];
        const first = seen.get(x.name);
        if (first !== undefined) this.#add([...at, 'name'], `two waves are named \`${x.name}\`; the other is list[${first}]`, 'give each wave a distinct name');
        else seen.set(x.name, i);
        if (x.count !== undefined && x.percent !== undefined) this.#add([...at, 'percent'], 'give either `count` or `percent`, not both');
        if (x.clusters?.minNodes !== undefined && x.clusters.maxNodes !== undefined && x.clusters.minNodes > x.clusters.maxNodes) {
          this.#add([...at, 'clusters', 'maxNodes'], `maxNodes (${x.clusters.maxNodes}) is less than minNodes (${x.clusters.minNodes}), so nothing matches`, 'make maxNodes ≥ minNodes');
        }
        const bakeS = x.bake === undefined ? undefined : this.#duration([...at, 'bake'], x.bake, DEFAULT_BAKE.waveS, { maxS: 7 * 86_400 });
        return {
          name: x.name,
          clusters: { ...(x.clusters ?? {}) },
          ...(x.count !== undefined ? { count: x.count } : {}),
          ...(x.percent !== undefined ? { percent: x.percent } : {}),
          approval: x.approval ?? false,
          ...(bakeS !== undefined ? { bakeS } : {}),
          ...(x.maxConcurrency !== undefined ? { maxConcurrency: x.maxConcurrency } : {}),
        };
      });
      return { kind: 'list', waves };
    }
    const g = w.generate ?? {};
    return {
      kind: 'generate',
      firstWave: g.firstWave ?? DEFAULT_WAVES.firstWave,
      growth: g.growth ?? DEFAULT_WAVES.growth,
      largestClassBy: g.largestClassBy ?? DEFAULT_WAVES.largestClassBy,
      largeCanary: g.largeCanary ?? DEFAULT_WAVES.largeCanary,
      maxWaveSize: g.maxWaveSize ?? DEFAULT_WAVES.maxWaveSize,
      approvalBefore: g.approvalBefore ?? [],
    };
  }

  #batches(raw: readonly (number | string)[] | undefined): readonly BatchSize[] {
    if (raw === undefined) return DEFAULT_NODE_BATCHES;
    const out: BatchSize[] = [];
    let lastNodes = 0;
    let lastPercent = 0;
    raw.forEach((v, i) => {
      const at: Path = ['spec', 'nodeBatches', i];
      if (typeof v === 'number') {
        if (v <= lastNodes) this.#add(at, `node batches must grow: ${v} node(s) after ${lastNodes}`, 'list the batches from the smallest to 100%');
        lastNodes = Math.max(lastNodes, v);
        out.push({ nodes: v });
        return;
      }
      const m = PERCENT.exec(v.trim());
      const p = m === null ? Number.NaN : Number(m[1]);
      if (!(p > 0 && p <= 100)) {
        this.#add(at, `expected a node count (e.g. 1) or a percentage of the nodes between 0 and 100 such as "10%", got ${JSON.stringify(v)}`, 'write a whole number of nodes, or a number followed by %');
        return;
      }
      if (p <= lastPercent) this.#add(at, `node batches must grow: ${p}% after ${lastPercent}%`, 'list the batches from the smallest to 100%');
      lastPercent = Math.max(lastPercent, p);
      out.push({ percent: p });
    });
    const last = out[out.length - 1];
    if (last !== undefined && !('percent' in last && last.percent === 100)) {
      this.#add(['spec', 'nodeBatches', raw.length - 1], 'the last node batch must be "100%": a rollout ends on every node', 'add "100%" at the end');
    }
    return out;
  }

  #evaluation(e: NonNullable<PlanSpecInput['gates']>['evaluation']): EvaluationPolicy {
    const E = DEFAULT_EVALUATION;
    const p = (k: string): Path => ['spec', 'gates', 'evaluation', k];
    const x = e ?? {};
    const everyS = this.#duration(p('every'), x.every, E.everyS, { minS: 1, maxS: 600 });
    const windowS = this.#duration(p('window'), x.window, E.windowS, { minS: 1, maxS: 3600 });
    if (windowS < everyS) this.#add(p('window'), `the window (${formatDuration(windowS)}) is shorter than the evaluation interval (${formatDuration(everyS)})`, 'make window ≥ every');
    return {
      everyS,
      windowS,
      preWindowS: this.#duration(p('preWindow'), x.preWindow, E.preWindowS, { minS: 30, maxS: 3600 }),
      settleS: this.#duration(p('settle'), x.settle, E.settleS, { maxS: 3600 }),
      staleAfterS: this.#duration(p('staleAfter'), x.staleAfter, E.staleAfterS, { minS: 1, maxS: 3600 }),
      minSamples: x.minSamples ?? E.minSamples,
      confidence: x.confidence ?? E.confidence,
      breachSamples: x.breachSamples ?? E.breachSamples,
      maxHoldS: this.#duration(p('maxHold'), x.maxHold, E.maxHoldS, { minS: 60, maxS: 7 * 86_400 }),
      progressDeadlineS: this.#duration(p('progressDeadline'), x.progressDeadline, E.progressDeadlineS, { minS: 30, maxS: 86_400 }),
      maxBaselineClusters: x.maxBaselineClusters ?? E.maxBaselineClusters,
      missingData: x.missingData ?? E.missingData,
    };
  }

  #gates(g: PlanSpecInput['gates']): GateSpec[] {
    const x = g ?? {};
    const groups = { 'control-plane': x.controlPlane ?? true, workload: x.workload ?? true, change: x.change ?? true, custom: true };
    const overrides = (x.overrides ?? {}) as Record<string, { enabled?: boolean; threshold?: number | null; critical?: boolean; compare?: boolean; tolerance?: number; minEffect?: number } | undefined>;
    const builtIn = gateCatalogue().map((gate) => {
      const o = overrides[gate.name] ?? {};
      return {
        ...gate,
        enabled: o.enabled ?? groups[gate.group],
        ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
        ...(o.critical !== undefined ? { critical: o.critical } : {}),
        ...(o.compare !== undefined ? { compare: o.compare } : {}),
        ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
        ...(o.minEffect !== undefined ? { minEffect: o.minEffect } : {}),
      };
    });
    const names = new Set(builtIn.map((b) => b.name));
    const custom: GateSpec[] = (x.custom ?? []).map((c, i) => {
      if (names.has(c.name)) {
        const builtInName = builtIn.some((b) => b.name === c.name);
        this.#add(['spec', 'gates', 'custom', i, 'name'], builtInName ? `\`${c.name}\` is a built-in gate` : `two gates are named \`${c.name}\``, builtInName ? `change it under spec.gates.overrides.${c.name}, or pick another name` : 'give each gate a distinct name');
      }
      names.add(c.name);
      if (c.threshold === undefined && c.compare === false) {
        this.#add(['spec', 'gates', 'custom', i], `gate \`${c.name}\` has neither a threshold nor a comparison, so it can never fail`, 'give a `threshold`, or leave `compare` on');
      }
      return {
        name: c.name,
        group: c.group ?? 'custom',
        kind: 'metric',
        metric: c.metric,
        perLevel: c.perLevel ?? false,
        worse: c.worse,
        threshold: c.threshold ?? null,
        critical: c.critical ?? false,
        compare: c.compare ?? true,
        tolerance: c.tolerance ?? 0.25,
        minEffect: c.minEffect ?? 0,
        enabled: true,
        custom: true,
        description: `custom gate on ${c.metric}`,
      };
    });
    if (!builtIn.some((b) => b.enabled) && custom.length === 0) {
      this.#add(['spec', 'gates'], 'every gate is off: nothing would stop a bad change', 'turn on the control-plane gates (the default), or add custom gates');
    }
    const unknown = Object.keys(overrides).filter((k) => !builtIn.some((b) => b.name === k));
    for (const k of unknown) {
      const near = nearest(k, builtIn.map((b) => b.name));
      this.#add(['spec', 'gates', 'overrides', k], `no built-in gate named \`${k}\``, near !== undefined ? `did you mean \`${near}\`?` : `built-in gates: ${builtIn.map((b) => b.name).join(', ')}`);
    }
    return [...builtIn, ...custom];
  }
}
