/**
 * The Scenario input format: a YAML file (`kind: Scenario`) compiled into the
 * Scenario the twin runs (src/twin/scenario.ts). Compilation validates the
 * document against the schema, loads the fleet, applies every default,
 * resolves times to seconds from the start and durations to seconds, merges
 * model overrides, and checks what the schema cannot (times within the run,
 * names that must exist, cross-field rules).
 *
 * Input is checked in two phases: the structure (this file and the fleet file
 * it references, reported together), then, once the structure is sound, every
 * semantic rule. Each phase reports all its problems at once as one
 * InputError; nothing is returned from a scenario with problems.
 *
 * @example
 *   const scenario = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
 *   scenario.events[0]?.atS; // 3600: seconds from spec.start
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { formatIso, isValidZone, resolveTime, zoneOffsetMinutes } from '../core/time.ts';
import type { Cluster, ClusterSelector } from '../model/fleet.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS, defaultPriorityLevel } from '../model/kubernetes.ts';
import type { CallProfile, RvSemantics } from '../model/profile.ts';
import { DEFAULT_MODEL } from '../model/defaults.ts';
import { mergeModel, type DeepPartial } from '../model/model-merge.ts';
import { ModelPatchSchema, QUANTITY_PATTERN, type ModelPatchInput } from '../model/model-patch.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import type { Action, AlertRule, ChangeSpec, OperatorsSpec, PipelineSpec, RemediesSpec, Scenario, ScheduledEvent } from '../twin/index.ts';
import { compileFleet, compileFleetDocument } from './fleet.ts';
import { ScenarioDocument, type EventInput, type ScenarioDocumentInput, type ScenarioSpecInput, type SelectorInput } from './schema.ts';
import { listWords, nearMatches, nearest, Problems, schemaProblems, wrongKind } from './validate.ts';
import { relativeHint } from './read.ts';
import { formatPath, parseYaml, readYamlFile, type Path, type YamlDocument } from './yaml.ts';

/**
 * Alert rules of a scenario that gives no `alerts`: the usual control-plane, DNS and data-plane alerts.
 * Each keeps firing 5 minutes after its condition clears (`keep_firing_for`, Prometheus ≥ 2.42.0:
 * prometheus/prometheus#11827; https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/),
 * so that a crash-looping control plane, whose API servers serve for seconds between kills, does not
 * resolve and re-fire them at every such window (docs/model.md, "Alerts"). 5 minutes is our choice.
 */
export const DEFAULT_ALERTS: readonly AlertRule[] = [
  { name: 'KubeAPIServerUnavailable', metric: 'apiserver_success_ratio', op: '<', threshold: 0.9, forS: 120, keepFiringForS: 300, severity: 'critical' },
  { name: 'KubeAPILatencyHigh', metric: 'apiserver_p99_single_object_seconds', op: '>', threshold: 1, forS: 300, keepFiringForS: 300, severity: 'warning' },
  { name: 'KubeAPITooManyRequests', metric: 'apiserver_429_ratio', op: '>', threshold: 0.05, forS: 300, keepFiringForS: 300, severity: 'warning' },
  { name: 'KubeAPIServerMemoryHigh', metric: 'apiserver_memory_ratio', op: '>', threshold: 0.9, forS: 120, keepFiringForS: 300, severity: 'warning' },
  { name: 'CoreDNSErrors', metric: 'dns_servfail_ratio', op: '>', threshold: 0.05, forS: 120, keepFiringForS: 300, severity: 'critical' },
  { name: 'DataPlaneErrors', metric: 'dataplane_error_ratio', op: '>', threshold: 0.01, forS: 60, keepFiringForS: 300, severity: 'critical' },
];

/** Longest run a scenario may ask for. */
const MAX_DURATION_S = 7 * 86_400;
const MIN_STEP_S = 1;
const MAX_STEP_S = 60;
/** The priority level operators.breakGlass adds. */
const BREAK_GLASS = 'break-glass';

/** Reads and compiles a scenario file. Throws InputError listing every problem (with file:line:column). */
export function loadScenarioFile(file: string): Scenario {
  return compileScenario(readYamlFile(file));
}

/** Compiles scenario YAML text; `file` names it in problems and anchors a relative `spec.fleet.file`. */
export function parseScenario(text: string, file: string): Scenario {
  return compileScenario(parseYaml(text, file));
}

/** Compiles a parsed Scenario document. Throws InputError listing every problem. */
export function compileScenarioDocument(doc: YamlDocument): Scenario {
  return compileScenario(doc);
}

function compileScenario(doc: YamlDocument): Scenario {
  const kind = wrongKind(doc, 'Scenario');
  if (kind !== undefined) throw new InputError([kind]);
  const problems = new Problems();
  problems.push(...schemaProblems(ScenarioDocument, doc.value, doc));
  // Load a referenced fleet file even when this file has problems, so one run reports both.
  const fleetRef = fleetFileRef(doc.value);
  const fileClusters = fleetRef === undefined ? undefined : loadReferencedFleet(fleetRef, doc, problems);
  problems.throwIfAny();

  const input = doc.value as ScenarioDocumentInput;
  const scenario = new ScenarioCompiler(doc, problems, input.spec, fileClusters).compile(input.metadata.name, input.metadata.description ?? '');
  problems.throwIfAny();
  if (scenario === undefined) throw new Error('scenario compilation failed without reporting a problem');
  return scenario;
}

/** `spec.fleet.file` of a document that may not have passed the schema. */
function fleetFileRef(value: unknown): string | undefined {
  const spec = (value as { spec?: { fleet?: { file?: unknown } } } | null)?.spec;
  const file = typeof spec === 'object' && spec !== null ? spec.fleet?.file : undefined;
  return typeof file === 'string' && file !== '' ? file : undefined;
}

function loadReferencedFleet(ref: string, doc: YamlDocument, problems: Problems): Cluster[] | undefined {
  // The fleet file is named relative to the scenario as the user named it,
  // so its problems read `fleets/x.yaml:3:5` next to `scenarios/y.yaml:7:9`.
  const file = isAbsolute(ref) ? ref : join(dirname(doc.file), ref);
  const at: Path = ['spec', 'fleet', 'file'];
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    problems.add(doc, at, `fleet file not found: ${JSON.stringify(ref)} (resolved to ${resolve(file)})`, relativeHint(doc.file, 'scenario'));
    return undefined;
  }
  if (!isFile) {
    problems.add(doc, at, `fleet file ${JSON.stringify(ref)} is not a file (resolved to ${resolve(file)})`, 'point spec.fleet.file at a Fleet YAML file');
    return undefined;
  }
  try {
    const fleetDoc = readYamlFile(file);
    const wrong = wrongKind(fleetDoc, 'Fleet');
    if (wrong !== undefined) {
      problems.add(doc, at, `fleet file ${JSON.stringify(ref)} (${resolve(file)}): ${wrong.message}`, 'spec.fleet.file must name a Fleet document (kind: Fleet)');
      return undefined;
    }
    return compileFleetDocument(fleetDoc).clusters;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Units.

const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Bytes of a Kubernetes quantity ("32Gi", "1.5G", "4096"), rounded to a whole byte. */
function parseQuantity(q: string): number | undefined {
  if (!new RegExp(QUANTITY_PATTERN, 'u').test(q)) return undefined;
  const m = /^([\d.]+)(.*)$/.exec(q);
  const n = Math.round(Number(m?.[1]) * (QUANTITY_SUFFIX[m?.[2] ?? ''] ?? Number.NaN));
  return Number.isFinite(n) ? n : undefined;
}

/** A byte count as a quantity when it is a whole or half number of Ki, Mi, Gi or Ti ("16Ti", "1.5Mi"), else plain. */
function showBytes(n: number): string {
  for (const [suffix, size] of [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= size && (n * 2) % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}

/** Seconds as written in a scenario: whole days as "7d", otherwise "1h30m". */
function showDuration(s: number): string {
  return s >= 86_400 && s % 86_400 === 0 ? `${s / 86_400}d` : formatDuration(s);
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))?$/;

/**
 * Epoch ms of an ISO timestamp; without an offset it is wall time in `zone`.
 * Undefined for impossible dates and times (2024-02-30, 25:00).
 */
function parseTimestamp(s: string, zone: string): number | undefined {
  const m = ISO_TIME.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? '0')) as [number, number, number, number, number, number];
  const ms = Math.round(Number(m[7] ?? '0') * 1000);
  const wall = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const check = new Date(wall);
  // Date.UTC rolls 2024-02-30 over to March; a changed field means the input was impossible.
  if (y < 1000 || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return undefined;
  if (m[8] === 'Z') return wall;
  if (m[8] !== undefined) {
    const off = (Number(m[10]) * 60 + Number(m[11])) * (m[9] === '-' ? -1 : 1);
    return wall - off * 60_000;
  }
  // Wall time in the zone: the offset depends on the instant; a second pass settles DST changes.
  const guess = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  return wall - zoneOffsetMinutes(zone, guess) * 60_000;
}

/**
 * Converts `…Bytes` quantities to numbers so the patch has ModelConfig's
 * types; reports unparsable ones, and ones above the field's maximum in
 * `schema` (the model override schema, walked alongside the value).
 */
function convertQuantities(value: unknown, path: Path, schema: unknown, onBad: (path: Path, q: string, max?: number) => void): unknown {
  const node = (typeof schema === 'object' && schema !== null ? schema : {}) as { properties?: Record<string, unknown>; items?: unknown; maximum?: unknown };
  if (Array.isArray(value)) return value.map((v, i) => convertQuantities(v, [...path, i], node.items, onBad));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const field = node.properties?.[k] as { maximum?: unknown } | undefined;
    if (k.endsWith('Bytes') && typeof v === 'string') {
      const n = parseQuantity(v);
      const max = typeof field?.maximum === 'number' ? field.maximum : undefined;
      if (n === undefined) onBad([...path, k], v);
      else if (max !== undefined && n > max) onBad([...path, k], v, max);
      out[k] = n ?? 0;
    } else {
      out[k] = convertQuantities(v, [...path, k], field, onBad);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Model rules across fields.

interface ModelViolation {
  readonly rule: string;
  /** Field to change, relative to the model override. */
  readonly path: Path;
  readonly message: string;
  readonly hint: string;
}

function modelRuleViolations(m: ModelConfig): ModelViolation[] {
  const out: ModelViolation[] = [];
  const order = (lo: number, hi: number, loPath: Path, hiPath: Path, hint: string): void => {
    if (lo > hi) out.push({ rule: formatPath(hiPath), path: hiPath, message: `${formatPath(hiPath)} (${hi}) is less than ${formatPath(loPath)} (${lo})`, hint });
  };
  order(m.dns.minReplicas, m.dns.maxReplicas, ['dns', 'minReplicas'], ['dns', 'maxReplicas'], 'the autoscaler needs minReplicas ≤ maxReplicas');
  order(m.apiServer.crashLoopInitialS, m.apiServer.crashLoopMaxS, ['apiServer', 'crashLoopInitialS'], ['apiServer', 'crashLoopMaxS'], 'the backoff cap must be at least its first delay');
  order(m.apiServer.retryAfterMinS, m.apiServer.retryAfterMaxS, ['apiServer', 'retryAfterMinS'], ['apiServer', 'retryAfterMaxS'], 'the largest Retry-After must be at least the smallest');
  order(m.clients.backoffInitialS, m.clients.backoffMaxS, ['clients', 'backoffInitialS'], ['clients', 'backoffMaxS'], 'the backoff cap must be at least its first wait');

  const names = new Set<string>();
  m.apf.levels.forEach((l, i) => {
    if (names.has(l.name)) out.push({ rule: `level:${l.name}`, path: ['apf', 'levels', i, 'name'], message: `priority level \`${l.name}\` is defined twice`, hint: 'level names must be unique' });
    names.add(l.name);
  });
  if (!m.apf.levels.some((l) => !l.exempt && l.shares > 0)) {
    out.push({ rule: 'levels', path: ['apf', 'levels'], message: 'no priority level has seats: every level is exempt or has 0 shares', hint: 'give at least one level `exempt: false` and `shares` > 0' });
  }
  if (!m.apiServer.sizing.some((t) => t.minNodes === 0)) {
    out.push({ rule: 'sizing', path: ['apiServer', 'sizing'], message: 'no sizing tier has minNodes 0, so small clusters would have no control-plane size', hint: 'add a tier with `minNodes: 0`' });
  }
  if (!m.dns.records.some((r) => r.weight > 0)) {
    out.push({ rule: 'records', path: ['dns', 'records'], message: 'every DNS record class has weight 0', hint: 'give at least one record class a weight > 0' });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Compilation.

type Spec = ScenarioSpecInput;
type ChangeInput = NonNullable<Spec['change']>;
type CallInput = ChangeInput['calls'][number];
type OperatorsInput = NonNullable<Spec['operators']>;

/** Duration bounds for checks the schema cannot make (it only knows "a duration ≥ 0"). */
interface Bounds {
  /** Must be > 0. */
  readonly positive?: boolean;
  readonly minS?: number;
  readonly maxS?: number;
}

/**
 * One compilation: holds what later parts depend on (start, zone, duration,
 * clusters, model) and reports every problem to `problems` located in `doc`.
 * Methods return undefined for a part they could not compile; the caller
 * throws once everything has been checked.
 */
class ScenarioCompiler {
  readonly #doc: YamlDocument;
  readonly #problems: Problems;
  readonly #spec: Spec;
  readonly #fileClusters: Cluster[] | undefined;
  #zone = 'UTC';
  #startMs: number | undefined;
  #durationS: number | undefined;
  #clusters: readonly Cluster[] = [];
  #model: ModelConfig = DEFAULT_MODEL;
  #clusterModels: { readonly clusters: ClusterSelector; readonly model: ModelConfig }[] = [];

  constructor(doc: YamlDocument, problems: Problems, spec: Spec, fileClusters: Cluster[] | undefined) {
    this.#doc = doc;
    this.#problems = problems;
    this.#spec = spec;
    this.#fileClusters = fileClusters;
  }

  #add(path: Path, message: string, hint?: string): void {
    this.#problems.add(this.#doc, path, message, hint);
  }

  compile(name: string, description: string): Scenario | undefined {
    const s = this.#spec;
    this.#zone = this.#timeZone(s.timeZone);
    this.#startMs = this.#start(s.start);
    this.#durationS = this.#duration(['spec', 'duration'], s.duration, { positive: true, maxS: MAX_DURATION_S });
    const stepS = this.#duration(['spec', 'step'], s.step ?? 1, { minS: MIN_STEP_S, maxS: MAX_STEP_S });
    this.#clusters = this.#fleet(s.fleet);
    this.#model = this.#modelOverride(DEFAULT_MODEL, s.model, ['spec', 'model']);
    this.#clusterModels = (s.clusterModels ?? []).map((cm, i) => ({
      clusters: this.#selector(cm.clusters, ['spec', 'clusterModels', i, 'clusters']),
      model: this.#modelOverride(this.#model, cm.model, ['spec', 'clusterModels', i, 'model']),
    }));
    const change = s.change === undefined ? undefined : this.#change(s.change);
    const pipeline = s.pipeline === undefined ? undefined : this.#pipeline(s.pipeline);
    const events = (s.events ?? []).flatMap((e, i) => this.#event(e, i) ?? []);
    const operators = s.operators === undefined ? undefined : this.#operators(s.operators);
    const alerts = s.alerts === undefined ? DEFAULT_ALERTS : this.#alerts(s.alerts);

    if (this.#startMs === undefined || this.#durationS === undefined || stepS === undefined) return undefined;
    return {
      name,
      description,
      startMs: this.#startMs,
      timeZone: this.#zone,
      durationS: this.#durationS,
      stepS,
      clusters: this.#clusters,
      model: this.#model,
      clusterModels: this.#clusterModels,
      ...(change !== undefined ? { change } : {}),
      ...(pipeline !== undefined ? { pipeline } : {}),
      // Stable: events at the same time keep their written order.
      events: events.sort((a, b) => a.atS - b.atS),
      ...(operators !== undefined ? { operators } : {}),
      alerts,
    };
  }

  // --- Time -----------------------------------------------------------------

  #timeZone(zone: string | undefined): string {
    if (zone === undefined) return 'UTC';
    if (isValidZone(zone)) return zone;
    const near = nearest(zone, Intl.supportedValuesOf('timeZone'));
    this.#add(
      ['spec', 'timeZone'],
      `unknown time zone ${JSON.stringify(zone)}`,
      near !== undefined ? `did you mean ${near}?` : 'use an IANA name such as America/Los_Angeles, an offset such as -08:00, or UTC',
    );
    return 'UTC';
  }

  #start(start: string): number | undefined {
    const t = parseTimestamp(start, this.#zone);
    if (t === undefined) this.#add(['spec', 'start'], `${JSON.stringify(start)} is not a real date and time`, 'check the month, day, hours (0-23), minutes and seconds');
    return t;
  }

  #duration(path: Path, raw: string | number, bounds: Bounds = {}): number | undefined {
    const s = parseDuration(raw);
    if (s === undefined) {
      this.#add(path, `expected a duration such as "90s", "5m" or "1h30m", got ${JSON.stringify(raw)}`);
      return undefined;
    }
    const shown = typeof raw === 'number' ? `${raw}s` : raw;
    // Every duration is at most MAX_DURATION_S (7d), the longest run, unless the field has a tighter bound.
    const { positive = false, minS, maxS = MAX_DURATION_S } = bounds;
    if (positive && s <= 0) {
      this.#add(path, `expected a duration > 0, got ${shown}`);
      return undefined;
    }
    if ((minS !== undefined && s < minS) || (maxS !== undefined && s > maxS)) {
      const range =
        minS !== undefined && maxS !== undefined ? `between ${showDuration(minS)} and ${showDuration(maxS)}` : minS !== undefined ? `≥ ${showDuration(minS)}` : `≤ ${showDuration(maxS ?? 0)}`;
      this.#add(path, `expected a duration ${range}, got ${shown}`);
      return undefined;
    }
    return s;
  }

  /** Seconds from the start of a scenario time, checked to fall within the run. */
  #time(path: Path, raw: string): number | undefined {
    const startMs = this.#startMs;
    if (startMs === undefined) return undefined; // spec.start is reported already
    let t: number | undefined;
    if (raw.startsWith('+')) {
      const d = parseDuration(raw.slice(1));
      t = d === undefined ? undefined : startMs + d * 1000;
    } else if (raw.includes('T')) {
      t = parseTimestamp(raw, this.#zone);
    } else {
      t = resolveTime(raw, startMs, this.#zone);
    }
    if (t === undefined) {
      this.#add(path, `${JSON.stringify(raw)} is not a real time`, 'hours go from 0 to 23, minutes and seconds from 0 to 59');
      return undefined;
    }
    const atS = (t - startMs) / 1000;
    if (atS < 0) {
      this.#add(path, `${JSON.stringify(raw)} is before the start of the run (${formatIso(startMs, this.#zone)})`, 'times must fall within the run');
      return undefined;
    }
    if (this.#durationS !== undefined && atS > this.#durationS) {
      const end = formatIso(startMs + this.#durationS * 1000, this.#zone);
      // A time of day earlier than the start's means the next day (resolveTime); say so, it is easy to miss.
      const nextDay = /^\d/.test(raw) && !raw.includes('T') && formatIso(t, this.#zone).slice(0, 10) !== formatIso(startMs, this.#zone).slice(0, 10);
      this.#add(
        path,
        `${JSON.stringify(raw)} is after the end of the run (start + duration = ${end})`,
        nextDay ? `${raw} is earlier than the start time of day, so it means the next day; use a time within the run or lengthen spec.duration` : 'use an earlier time or lengthen spec.duration',
      );
      return undefined;
    }
    return atS;
  }

  // --- Fleet and model --------------------------------------------------------

  #fleet(fleet: Spec['fleet']): readonly Cluster[] {
    const path: Path = ['spec', 'fleet'];
    const inline = fleet.clusters !== undefined || fleet.generate !== undefined;
    if (fleet.file !== undefined && inline) {
      this.#add([...path, 'file'], 'give either `file` or inline `clusters`/`generate`, not both', 'move the inline clusters into the fleet file, or remove `file`');
      return this.#fileClusters ?? [];
    }
    if (fleet.file !== undefined) return this.#fileClusters ?? [];
    if (!inline) {
      this.#add(path, 'no fleet: give `file` (a Fleet file) or inline `clusters` and/or `generate`', 'e.g. `fleet: { file: ../fleets/example.yaml }`');
      return [];
    }
    return compileFleet(fleet, this.#doc, path, this.#problems);
  }

  #modelOverride(base: ModelConfig, patch: ModelPatchInput | undefined, path: Path): ModelConfig {
    if (patch === undefined) return base;
    const converted = convertQuantities(patch, path, ModelPatchSchema, (at, q, max) =>
      max !== undefined
        ? this.#add(at, `expected a byte count of at most ${max} (${showBytes(max)}), got ${JSON.stringify(q)}`, 'use a smaller quantity')
        : this.#add(at, `cannot convert ${JSON.stringify(q)} to a number of bytes`, 'use a smaller quantity'),
    );
    const model = mergeModel<ModelConfig>(base, converted as DeepPartial<ModelConfig>);
    // A rule the base model already breaks was reported where the base was written.
    const broken = new Set(modelRuleViolations(base).map((v) => v.rule));
    for (const v of modelRuleViolations(model)) if (!broken.has(v.rule)) this.#add([...path, ...v.path], v.message, v.hint);
    return model;
  }

  #selector(sel: SelectorInput | undefined, path: Path): ClusterSelector {
    if (sel === undefined) return {};
    const known = new Set(this.#clusters.map((c) => c.name));
    // With no clusters (the fleet failed), every name would look unknown.
    if (known.size > 0) {
      (sel.names ?? []).forEach((n, i) => {
        if (known.has(n)) return;
        const near = nearMatches(n, known).map((m) => `\`${m}\``);
        this.#add(
          [...path, 'names', i],
          `no cluster named \`${n}\` in the fleet`,
          near.length > 0 ? `did you mean ${listWords(near, 5, 'or')}?` : `the fleet's clusters are ${listWords([...known])}`,
        );
      });
    }
    if (sel.minNodes !== undefined && sel.maxNodes !== undefined && sel.minNodes > sel.maxNodes) {
      this.#add([...path, 'maxNodes'], `maxNodes (${sel.maxNodes}) is less than minNodes (${sel.minNodes}), so nothing matches`, 'make maxNodes ≥ minNodes');
    }
    return { ...sel };
  }

  /** Levels a request can use: the scenario's levels, plus break-glass when operators enable it. */
  #checkLevel(level: string, path: Path, who: string, defaulted: boolean): void {
    const breakGlass = this.#spec.operators?.breakGlass !== undefined;
    const check = (model: ModelConfig, where: Path, scope: string): boolean => {
      const names = model.apf.levels.map((l) => l.name);
      if (names.includes(level) || (breakGlass && level === BREAK_GLASS)) return true;
      const near = nearest(level, names);
      const how = defaulted ? ` (the default for ${who})` : '';
      const glass = level === BREAK_GLASS && !breakGlass ? '; break-glass exists only with spec.operators.breakGlass' : '';
      this.#add(where, `priority level \`${level}\`${how} is not defined${scope}${glass}`, near !== undefined ? `did you mean \`${near}\`?` : `defined levels: ${names.join(', ')}`);
      return false;
    };
    if (!check(this.#model, path, ' in model.apf.levels')) return;
    this.#clusterModels.forEach((cm, i) => {
      if (cm.model.apf.levels !== this.#model.apf.levels) check(cm.model, ['spec', 'clusterModels', i, 'model', 'apf', 'levels'], ` in these levels, used by ${who}`);
    });
  }

  // --- Change, pipeline, events ------------------------------------------------

  #change(c: ChangeInput): ChangeSpec | undefined {
    const path: Path = ['spec', 'change'];
    const kind = c.kind ?? 'DaemonSet';
    if (kind === 'DaemonSet' && c.replicas !== undefined) {
      this.#add([...path, 'replicas'], '`replicas` applies to a Deployment; a DaemonSet runs one pod per node', 'remove `replicas`, or set `kind: Deployment`');
    }
    const namespace = c.namespace ?? 'default';
    const serviceAccount = c.serviceAccount ?? c.name;
    const names = new Map<string, number>();
    const calls = c.calls.map((call, i) => {
      const compiled = this.#call(call, [...path, 'calls', i]);
      const name = compiled?.name ?? call.name ?? `${call.verb}-${call.resource}`;
      const first = names.get(name);
      if (first !== undefined) {
        const why = call.name === undefined ? ` (the default name, <verb>-<resource>)` : '';
        this.#add([...path, 'calls', i, ...(call.name !== undefined ? ['name'] : [])], `two calls are named \`${name}\`${why}; the other is calls[${first}]`, 'give each call a distinct `name`');
      } else {
        names.set(name, i);
      }
      return compiled;
    });
    const firstResource = c.calls[0]?.resource ?? 'pods';
    const priorityLevel = c.priorityLevel ?? defaultPriorityLevel({ kind: 'service-account', namespace, name: serviceAccount }, firstResource);
    this.#checkLevel(priorityLevel, [...path, ...(c.priorityLevel !== undefined ? ['priorityLevel'] : [])], `service account ${namespace}/${serviceAccount}`, c.priorityLevel === undefined);
    const ok = calls.filter((x): x is CallProfile => x !== undefined);
    if (ok.length !== calls.length) return undefined;
    // A DaemonSet has no replica count (one pod per node); 1 keeps the field meaningful per node.
    return { name: c.name, kind, namespace, serviceAccount, replicas: c.replicas ?? 1, priorityLevel, calls: ok };
  }

  #call(c: CallInput, path: Path): CallProfile | undefined {
    const before = this.#problems.size;
    const watch = c.verb === 'watch';
    const rv: RvSemantics = c.resourceVersion === undefined ? (watch ? '0' : 'consistent') : c.resourceVersion === 0 ? '0' : c.resourceVersion;
    if (rv === 'watch-list' && !watch) {
      this.#add([...path, 'resourceVersion'], `resourceVersion watch-list is a streaming list over a watch, but the verb is ${c.verb}`, 'use `verb: watch`, or resourceVersion "consistent" or "0"');
    }
    let periodS = 0;
    if (watch && c.period !== undefined) {
      this.#add([...path, 'period'], '`period` applies to periodic calls; a watch lists once then watches', 'remove `period`');
    } else if (!watch && c.period === undefined) {
      this.#add([...path, 'period'], `missing \`period\`: a ${c.verb} call repeats every period`, 'add e.g. `period: 60s`');
    } else if (!watch && c.period !== undefined) {
      periodS = this.#duration([...path, 'period'], c.period, { positive: true }) ?? 0;
    }
    const r = c.retry ?? {};
    const initialS = r.initial === undefined ? CLIENT_GO_BACKOFF.initialS : this.#duration([...path, 'retry', 'initial'], r.initial);
    const maxS = r.max === undefined ? CLIENT_GO_BACKOFF.maxS : this.#duration([...path, 'retry', 'max'], r.max);
    if (initialS !== undefined && maxS !== undefined && initialS > maxS) {
      this.#add([...path, 'retry', r.max !== undefined ? 'max' : 'initial'], `the backoff cap (${formatDuration(maxS)}) is less than its first wait (${formatDuration(initialS)})`, 'make retry.max ≥ retry.initial');
    }
    if (this.#problems.size > before || initialS === undefined || maxS === undefined) return undefined;
    return {
      name: c.name ?? `${c.verb}-${c.resource}`,
      verb: c.verb,
      resource: c.resource,
      scope: c.scope ?? 'cluster',
      resourceVersion: rv,
      periodS,
      jitter: c.jitter ?? 0.1,
      pageSize: c.pageSize ?? 0,
      qps: c.rateLimit?.qps ?? CLIENT_GO_QPS,
      burst: c.rateLimit?.burst ?? CLIENT_GO_BURST,
      retry: { policy: r.policy ?? 'backoff', initialS, factor: r.factor ?? CLIENT_GO_BACKOFF.factor, maxS, jitter: r.jitter ?? CLIENT_GO_BACKOFF.jitter },
      namespaceFraction: c.namespaceFraction ?? 0.05,
    };
  }

  #requireChange(path: Path, what: string): void {
    if (this.#spec.change === undefined) this.#add(path, `${what}, but spec.change is not set`, 'add spec.change (the change under test), or remove this');
  }

  #pipeline(p: NonNullable<Spec['pipeline']>): PipelineSpec | undefined {
    const path: Path = ['spec', 'pipeline'];
    this.#requireChange(path, 'the pipeline applies the change');
    const startS = this.#time([...path, 'start'], p.start);
    const endS = this.#time([...path, 'end'], p.end);
    if (startS !== undefined && endS !== undefined && endS < startS) {
      this.#add([...path, 'end'], `the pipeline ends (${JSON.stringify(p.end)}) before it starts (${JSON.stringify(p.start)})`, 'make end the same as or later than start');
    }
    const clusters = this.#selector(p.clusters, [...path, 'clusters']);
    if (startS === undefined || endS === undefined) return undefined;
    return { startS, endS, clusters, order: p.order ?? 'by-name' };
  }

  #event(e: EventInput, i: number): ScheduledEvent | undefined {
    const path: Path = ['spec', 'events', i];
    const atS = this.#time([...path, 'at'], e.at);
    const clusters = this.#selector(e.clusters, [...path, 'clusters']);
    const action = this.#action(e, path);
    if (atS === undefined || action === undefined) return undefined;
    // Short, for the run log: "scale nodes to 50% … (spec.events[1], line 60)".
    const line = this.#doc.locate(path)?.line;
    return { atS, clusters, action, source: `${formatPath(path)}${line !== undefined ? `, line ${line}` : ''}` };
  }

  #action(e: EventInput, path: Path): Action | undefined {
    const over = (raw: string | number | undefined, dflt: number): number | undefined => (raw === undefined ? dflt : this.#duration([...path, 'over'], raw));
    switch (e.action) {
      case 'apply-change':
        this.#requireChange([...path, 'action'], 'action apply-change applies the change');
        return { kind: 'apply-change', nodeFraction: e.nodeFraction ?? 1 };
      case 'remove-change':
        this.#requireChange([...path, 'action'], 'action remove-change removes the change');
        return { kind: 'remove-change', via: e.via ?? 'kill-switch' };
      case 'scale-nodes': {
        const overS = over(e.over, 600);
        return overS === undefined ? undefined : { kind: 'scale-nodes', fraction: e.fraction, overS };
      }
      case 'scale-apiservers': {
        const provisionS = e.provision === undefined ? 1800 : this.#duration([...path, 'provision'], e.provision);
        if (provisionS === undefined) return undefined;
        return { kind: 'scale-apiservers', replicas: e.replicas ?? this.#model.apiServer.replicas, memoryFactor: e.memoryFactor ?? 1, cpuFactor: e.cpuFactor ?? 1, provisionS };
      }
      case 'block-admin-api': {
        const overS = over(e.over, 300);
        return overS === undefined ? undefined : { kind: 'block-admin-api', sources: e.sources ?? ['nodes'], overS };
      }
      case 'unblock-admin-api': {
        const overS = over(e.over, 600);
        return overS === undefined ? undefined : { kind: 'unblock-admin-api', overS };
      }
      case 'shift-traffic': {
        const overS = over(e.over, 600);
        return overS === undefined ? undefined : { kind: 'shift-traffic', overS, errorThreshold: e.errorThreshold ?? 0.01 };
      }
      case 'etcd-slowdown': {
        const durationS = this.#duration([...path, 'duration'], e.duration, { positive: true });
        return durationS === undefined ? undefined : { kind: 'etcd-slowdown', factor: e.factor, durationS };
      }
      case 'shed-change':
        this.#requireChange([...path, 'action'], 'action shed-change sheds the change');
        return { kind: 'shed-change' };
      case 'kill-apiservers':
        return { kind: 'kill-apiservers' };
      case 'restart-coredns':
        return { kind: 'restart-coredns' };
    }
  }

  // --- Operators and alerts -----------------------------------------------------

  #operators(o: OperatorsInput): OperatorsSpec | undefined {
    const path: Path = ['spec', 'operators'];
    const before = this.#problems.size;
    const respondAtS = this.#time([...path, 'respondAt'], o.respondAt);
    const priorityLevel = o.priorityLevel ?? (o.breakGlass !== undefined ? BREAK_GLASS : 'global-default');
    this.#checkLevel(priorityLevel, [...path, ...(o.priorityLevel !== undefined ? ['priorityLevel'] : [])], 'operators', o.priorityLevel === undefined);
    const dur = (p: Path, raw: string | number | undefined, dflt: number, bounds?: Bounds): number => (raw === undefined ? dflt : (this.#duration([...path, ...p], raw, bounds) ?? dflt));
    const retryEveryS = dur(['retryEvery'], o.retryEvery, 60, { positive: true });
    const escalateAfterS = dur(['escalateAfter'], o.escalateAfter, 600);

    const r = o.remedies ?? {};
    const remedies: RemediesSpec = {
      ...(r.scaleApiServers !== undefined
        ? {
            scaleApiServers: {
              replicas: r.scaleApiServers.replicas ?? this.#model.apiServer.replicas,
              memoryFactor: r.scaleApiServers.memoryFactor ?? 1,
              cpuFactor: r.scaleApiServers.cpuFactor ?? 1,
              provisionS: dur(['remedies', 'scaleApiServers', 'provision'], r.scaleApiServers.provision, 1800),
            },
          }
        : {}),
      ...(r.scaleDownNodes !== undefined
        ? { scaleDownNodes: { fraction: r.scaleDownNodes.fraction, overS: dur(['remedies', 'scaleDownNodes', 'over'], r.scaleDownNodes.over, 600) } }
        : {}),
      ...(r.blockAdminApi !== undefined
        ? { blockAdminApi: { sources: r.blockAdminApi.sources ?? ['nodes'], overS: dur(['remedies', 'blockAdminApi', 'over'], r.blockAdminApi.over, 300) } }
        : {}),
    };
    const restore = {
      unblockOverS: dur(['restore', 'unblockOver'], o.restore?.unblockOver, 600),
      scaleNodesBackOverS: dur(['restore', 'scaleNodesBackOver'], o.restore?.scaleNodesBackOver, 1800),
    };
    const st = o.shiftTraffic;
    const shiftAtS = st === undefined ? undefined : this.#time([...path, 'shiftTraffic', 'at'], st.at);
    const rv = o.revert;
    const revertAtS = rv?.at === undefined ? respondAtS : this.#time([...path, 'revert', 'at'], rv.at);
    const revertEveryS = dur(['revert', 'every'], rv?.every, 10, { positive: true });
    if (respondAtS === undefined || this.#problems.size > before) return undefined;
    return {
      priorityLevel,
      ...(o.breakGlass !== undefined ? { breakGlass: { seats: o.breakGlass.seats } } : {}),
      respondAtS,
      parallelism: o.parallelism ?? 4,
      retryEveryS,
      escalateAfterS,
      shedChange: o.shedChange ?? false,
      remedies,
      restore,
      ...(rv !== undefined && revertAtS !== undefined ? { revert: { atS: revertAtS, everyS: revertEveryS } } : {}),
      ...(st !== undefined && shiftAtS !== undefined
        ? { shiftTraffic: { atS: shiftAtS, overS: dur(['shiftTraffic', 'over'], st.over, 900), errorThreshold: st.errorThreshold ?? 0.01 } }
        : {}),
    };
  }

  #alerts(alerts: NonNullable<Spec['alerts']>): AlertRule[] {
    const seen = new Map<string, number>();
    return alerts.map((a, i) => {
      const first = seen.get(a.name);
      if (first !== undefined) this.#add(['spec', 'alerts', i, 'name'], `two alerts are named \`${a.name}\`; the other is alerts[${first}]`, 'give each alert a distinct name');
      else seen.set(a.name, i);
      const forS = a.for === undefined ? 0 : (this.#duration(['spec', 'alerts', i, 'for'], a.for) ?? 0);
      const keepFiringForS = a.keepFiringFor === undefined ? 0 : (this.#duration(['spec', 'alerts', i, 'keepFiringFor'], a.keepFiringFor) ?? 0);
      return { name: a.name, metric: a.metric, op: a.op, threshold: a.threshold, forS, ...(keepFiringForS > 0 ? { keepFiringForS } : {}), severity: a.severity ?? 'warning' };
    });
  }
}
