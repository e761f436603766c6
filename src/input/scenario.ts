/**
 * The Scenario input format: a YAML file (`kind: Scenario`) compiled into the
 * Scenario the twin runs (src/twin/scenario.ts). Compilation validates the
 * document against the schema (scenario-schema.ts), loads the fleet
 * (fleet-ref.ts), applies every default, resolves times to seconds from the
 * start (times.ts) and durations to seconds (units.ts), merges model
 * overrides (model-override.ts), and checks what the schema cannot (times
 * within the run, names that must exist, cross-field rules) — each part in
 * its own file (change.ts, events.ts, operators.ts, alerts.ts, selector.ts),
 * run here in order over one ScenarioContext.
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
import { InputError } from '../core/errors.ts';
import type { Cluster } from '../model/fleet.ts';
import { DEFAULT_MODEL } from '../model/defaults.ts';
import type { Scenario } from '../twin/index.ts';
import { compileAlerts, DEFAULT_ALERTS } from './alerts.ts';
import { compileChange } from './change.ts';
import { compileEvent, compilePipeline } from './events.ts';
import { compileFleetField, fleetFileRef, loadReferencedFleet } from './fleet-ref.ts';
import { applyModelOverride } from './model-override.ts';
import { compileOperators } from './operators.ts';
import { ScenarioContext } from './scenario-context.ts';
import { checkCallTypes } from './scenario-resources.ts';
import { ScenarioDocument, type ScenarioDocumentInput, type ScenarioSpecInput } from './scenario-schema.ts';
import { MAX_DURATION_S } from './schema-kit.ts';
import { compileSelector } from './selector.ts';
import { checkStart, checkTimeZone } from './times.ts';
import { checkDuration } from './units.ts';
import { Problems, schemaProblems, wrongKind } from './validate.ts';
import { parseYaml, readYamlFile, type YamlDocument } from './yaml.ts';

const MIN_STEP_S = 1;
const MAX_STEP_S = 60;

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
  checkCallTypes(doc, problems);
  // Load a referenced fleet file even when this file has problems, so one run reports both.
  const fleetRef = fleetFileRef(doc.value);
  const fileClusters = fleetRef === undefined ? undefined : loadReferencedFleet(fleetRef, doc, problems, 'scenario');
  problems.throwIfAny();

  const input = doc.value as ScenarioDocumentInput;
  const spec = input.spec;
  const ctx = new ScenarioContext(doc, problems, { hasChange: spec.change !== undefined, breakGlass: spec.operators?.breakGlass !== undefined });
  const scenario = compileSpec(ctx, spec, fileClusters, input.metadata.name, input.metadata.description ?? '');
  problems.throwIfAny();
  if (scenario === undefined) throw new Error('scenario compilation failed without reporting a problem');
  return scenario;
}

/**
 * One compilation, in the order later parts depend on: the run's times,
 * the fleet, the model, then the parts that use them. Every problem goes
 * to `ctx`; undefined when the run itself (start, duration, step) is unusable.
 */
function compileSpec(ctx: ScenarioContext, s: ScenarioSpecInput, fileClusters: Cluster[] | undefined, name: string, description: string): Scenario | undefined {
  ctx.zone = checkTimeZone(ctx, s.timeZone);
  ctx.startMs = checkStart(ctx, s.start);
  ctx.durationS = checkDuration(ctx, ['spec', 'duration'], s.duration, { positive: true, maxS: MAX_DURATION_S });
  const stepS = checkDuration(ctx, ['spec', 'step'], s.step ?? 1, { minS: MIN_STEP_S, maxS: MAX_STEP_S });
  ctx.clusters = compileFleetField(s.fleet, fileClusters, ctx.doc, ctx.problems, 'e.g. `fleet: { file: ../fleets/example.yaml }`') ?? [];
  ctx.model = applyModelOverride(ctx, DEFAULT_MODEL, s.model, ['spec', 'model']);
  ctx.clusterModels = (s.clusterModels ?? []).map((cm, i) => ({
    clusters: compileSelector(ctx, cm.clusters, ['spec', 'clusterModels', i, 'clusters']),
    model: applyModelOverride(ctx, ctx.model, cm.model, ['spec', 'clusterModels', i, 'model']),
  }));
  const change = s.change === undefined ? undefined : compileChange(ctx, s.change);
  const pipeline = s.pipeline === undefined ? undefined : compilePipeline(ctx, s.pipeline);
  const events = (s.events ?? []).flatMap((e, i) => compileEvent(ctx, e, i) ?? []);
  const operators = s.operators === undefined ? undefined : compileOperators(ctx, s.operators);
  const alerts = s.alerts === undefined ? DEFAULT_ALERTS : compileAlerts(ctx, s.alerts);

  if (ctx.startMs === undefined || ctx.durationS === undefined || stepS === undefined) return undefined;
  return {
    name,
    description,
    startMs: ctx.startMs,
    timeZone: ctx.zone,
    durationS: ctx.durationS,
    stepS,
    clusters: ctx.clusters,
    model: ctx.model,
    clusterModels: ctx.clusterModels,
    ...(change !== undefined ? { change } : {}),
    ...(pipeline !== undefined ? { pipeline } : {}),
    // Stable: events at the same time keep their written order.
    events: events.sort((a, b) => a.atS - b.atS),
    ...(operators !== undefined ? { operators } : {}),
    alerts,
  };
}
