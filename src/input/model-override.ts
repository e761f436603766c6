/**
 * A scenario's model overrides (`spec.model`, `spec.clusterModels[].model`):
 * byte quantities converted to numbers and checked against their field's
 * maximum, the override merged over its base model, and the rules across
 * fields that the schema cannot express (minReplicas ≤ maxReplicas, unique
 * level names, a sizing tier for small clusters, …). A rule the base model
 * already breaks is reported where the base was written, not again.
 *
 * @example
 *   applyModelOverride(ctx, DEFAULT_MODEL, { dns: { minReplicas: 5, maxReplicas: 2 } }, ['spec', 'model']);
 *   // problem at spec.model.dns.maxReplicas: "dns.maxReplicas (2) is less than dns.minReplicas (5)"
 */
import { mergeModel, type DeepPartial } from '../model/model-merge.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import { FLEET_COUNTED_RESOURCES, MODELLED_RESOURCES } from '../model/resources.ts';
import { resourcePlural } from '../model/resource-name.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { ModelPatchSchema, type ModelPatchInput } from '../model/model-patch.ts';
import { parseQuantity, showBytes } from './units.ts';
import { formatPath, type Path } from './yaml.ts';

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
  out.push(...resourceViolations(m));
  if (!m.dns.records.some((r) => r.weight > 0)) {
    out.push({ rule: 'records', path: ['dns', 'records'], message: 'every DNS record class has weight 0', hint: 'give at least one record class a weight > 0' });
  }
  return out;
}

/**
 * The rules of `objects.resources` (resources.ts): each type once; at most one
 * of count, perNode, perPod; pods and nodes counted by the fleet; a type other
 * than the eight modelled ones with a count and a size.
 */
function resourceViolations(m: ModelConfig): ModelViolation[] {
  const out: ModelViolation[] = [];
  const seen = new Map<string, string>();
  for (const [type, d] of Object.entries(m.objects.resources)) {
    const at = (field?: string): Path => ['objects', 'resources', type, ...(field !== undefined ? [field] : [])];
    const plural = resourcePlural(type);
    const key = MODELLED_RESOURCES.includes(plural) ? plural : type;
    const first = seen.get(key);
    if (first !== undefined) out.push({ rule: `resource:${key}`, path: at(), message: `\`${type}\` states the same type as \`${first}\``, hint: 'state each type once' });
    else seen.set(key, type);
    const counts = (['count', 'perNode', 'perPod'] as const).filter((f) => d[f] !== undefined);
    if (counts.length > 1) out.push({ rule: `resource-count:${key}`, path: at(counts[1]), message: `\`${type}\` gives both ${counts.join(' and ')}`, hint: 'give one of count (absolute), perNode or perPod' });
    if (FLEET_COUNTED_RESOURCES.includes(key) && counts.length > 0) {
      out.push({ rule: `resource-fleet:${key}`, path: at(counts[0]), message: `the number of ${key} is the cluster's (the fleet's \`${key}\`), not a model figure`, hint: `set \`${key}\` on the cluster in the fleet, and keep only bytes and eventsPerSecond here` });
    }
    if (!MODELLED_RESOURCES.includes(key)) {
      if (counts.length === 0) out.push({ rule: `resource-no-count:${key}`, path: at(), message: `\`${type}\` is not one of the eight modelled types (${MODELLED_RESOURCES.join(', ')}): its number of objects is not known`, hint: 'give `count` (absolute), `perNode` or `perPod`' });
      if (d.bytes === undefined) out.push({ rule: `resource-no-bytes:${key}`, path: at(), message: `\`${type}\` is not one of the eight modelled types: the size of its objects is not known`, hint: 'give `bytes`, the mean serialized (JSON) size of one object, e.g. `kubectl get <type> -A -o json | wc -c` divided by the count' });
    }
  }
  return out;
}

/** `base` with the override at `path` merged over it; problems in the override are reported in `ctx`. */
export function applyModelOverride(ctx: ScenarioContext, base: ModelConfig, patch: ModelPatchInput | undefined, path: Path): ModelConfig {
  if (patch === undefined) return base;
  const converted = convertQuantities(patch, path, ModelPatchSchema, (at, q, max) =>
    max !== undefined
      ? ctx.add(at, `expected a byte count of at most ${max} (${showBytes(max)}), got ${JSON.stringify(q)}`, 'use a smaller quantity')
      : ctx.add(at, `cannot convert ${JSON.stringify(q)} to a number of bytes`, 'use a smaller quantity'),
  );
  const model = mergeModel<ModelConfig>(base, converted as DeepPartial<ModelConfig>);
  // A rule the base model already breaks was reported where the base was written.
  const broken = new Set(modelRuleViolations(base).map((v) => v.rule));
  for (const v of modelRuleViolations(model)) if (!broken.has(v.rule)) ctx.add([...path, ...v.path], v.message, v.hint);
  return model;
}
