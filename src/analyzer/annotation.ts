/**
 * The `firebreak.dev/api-profile` annotation: a workload states the API calls
 * each of its pods makes, in the same fields as a scenario's `change.calls`
 * (docs/scenario-format.md), so a profile can move between a manifest and a
 * rehearsal unchanged. docs/analyzer.md, "Profile annotation".
 *
 * ```yaml
 * metadata:
 *   annotations:
 *     firebreak.dev/api-profile: |
 *       calls:
 *         - { verb: watch, resource: pods, scope: node }
 *         - { verb: watch, resource: nodes, fieldSelector: metadata.name=$NODE }
 *         - { verb: list, resource: nodes, period: 5m }
 * ```
 *
 * `none` (or an empty list) states that the pods make no API calls. Mistakes
 * are located Problems at the line inside the annotation.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS } from '../model/kubernetes.ts';
import type { CallProfile, RvSemantics, Scope, Verb } from '../model/profile.ts';
import { CALL_RESOURCE_PATTERN } from '../model/resource-name.ts';
import { describe, formatPath, isObj } from './objects.ts';
import type { DocPath, Loc, ManifestDocument } from './types.ts';
import { loadYamlLines } from './yaml-block.ts';
import { YamlLines } from './yaml-locate.ts';

export const PROFILE_ANNOTATION = 'firebreak.dev/api-profile';

const VERBS: readonly Verb[] = ['list', 'watch', 'get', 'create', 'update', 'patch', 'delete'];
const SCOPES: readonly Scope[] = ['cluster', 'namespace', 'node'];
const CALL_FIELDS = ['name', 'verb', 'resource', 'scope', 'fieldSelector', 'resourceVersion', 'period', 'jitter', 'pageSize', 'namespaceFraction', 'rateLimit', 'retry'];
const CALL_RESOURCE = new RegExp(CALL_RESOURCE_PATTERN);
const NODE_FIELD_SELECTOR = /^([A-Za-z][A-Za-z0-9_.-]*)=\$NODE$/;
const TOP_FIELDS = ['calls', 'priorityLevel'];

export interface AnnotatedProfile {
  readonly calls: readonly { readonly profile: CallProfile; readonly at: Loc }[];
  readonly priorityLevel?: string;
  readonly priorityLevelAt?: Loc;
}

/** Parses the annotation's value at `path` of `doc`. Problems are added to `problems`; undefined when any. */
export function parseProfileAnnotation(doc: ManifestDocument, path: DocPath, text: string, problems: Problem[]): AnnotatedProfile | undefined {
  const before = problems.length;
  const at = (offset: number): Loc => {
    const p = doc.locateInString(path, offset) ?? doc.locate(path);
    return { file: doc.file, line: p?.line ?? 1, column: p?.column ?? 1 };
  };
  const fail = (offset: number, innerPath: DocPath, message: string, hint?: string): void => {
    const l = at(offset);
    problems.push({ file: l.file, line: l.line, column: l.column, path: `${formatPath(path)}${innerPath.length > 0 ? ` → ${formatPath(innerPath)}` : ''}`, message, ...(hint !== undefined ? { hint } : {}) });
  };
  let value: unknown;
  let starts: readonly number[] | undefined;
  try {
    const r = loadYamlLines(text);
    value = r.value;
    starts = r.lineStarts;
  } catch {
    // The position-keeping parser words and places the error.
    const inner = parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    for (const e of inner.errors) fail(e.pos[0], [], `invalid YAML in the ${PROFILE_ANNOTATION} annotation: ${e.message.split('\n')[0] ?? ''}`, 'a block scalar (`|`) keeps the YAML readable');
    if (problems.length === before) fail(0, [], `invalid YAML in the ${PROFILE_ANNOTATION} annotation`, 'a block scalar (`|`) keeps the YAML readable');
    return undefined;
  }
  const lines = new YamlLines(text, starts);
  const offsetOf = (p: DocPath): number => {
    const pos = lines.locate(p, 0, lines.lineCount);
    return pos === undefined ? 0 : lines.offset(pos.line, pos.col);
  };

  if (value === null || value === undefined || value === 'none' || (Array.isArray(value) && value.length === 0)) return { calls: [] };
  let callsValue: unknown = value;
  let callsPath: DocPath = [];
  let priorityLevel: string | undefined;
  let priorityLevelAt: Loc | undefined;
  if (isObj(value)) {
    for (const k of Object.keys(value)) if (!TOP_FIELDS.includes(k)) fail(offsetOf([k]), [k], `unknown field \`${k}\``, `fields allowed here: ${TOP_FIELDS.join(', ')}`);
    callsValue = value.calls ?? [];
    callsPath = ['calls'];
    if (value.priorityLevel !== undefined) {
      if (typeof value.priorityLevel === 'string' && value.priorityLevel !== '') {
        priorityLevel = value.priorityLevel;
        priorityLevelAt = at(offsetOf(['priorityLevel']));
      } else fail(offsetOf(['priorityLevel']), ['priorityLevel'], `expected a priority level name, got ${describe(value.priorityLevel)}`);
    }
  }
  if (!Array.isArray(callsValue)) {
    fail(offsetOf(callsPath), callsPath, `expected a list of calls (or \`none\`), got ${describe(callsValue)}`, 'e.g. `- { verb: watch, resource: pods, scope: node }`');
    return undefined;
  }
  const calls: { profile: CallProfile; at: Loc }[] = [];
  const names = new Set<string>();
  callsValue.forEach((c, i) => {
    const cp: DocPath = [...callsPath, i];
    const o = (field: string): number => offsetOf([...cp, field]);
    if (!isObj(c)) {
      fail(offsetOf(cp), cp, `expected a call (a mapping with verb and resource), got ${describe(c)}`);
      return;
    }
    const n0 = problems.length;
    for (const k of Object.keys(c)) if (!CALL_FIELDS.includes(k)) fail(o(k), [...cp, k], `unknown field \`${k}\``, `fields allowed in a call: ${CALL_FIELDS.join(', ')}`);
    const verb = c.verb;
    if (typeof verb !== 'string' || !(VERBS as readonly string[]).includes(verb)) fail(o('verb'), [...cp, 'verb'], `expected a verb (${VERBS.join(', ')}), got ${describe(verb)}`);
    const resource = c.resource;
    if (typeof resource !== 'string' || !(/^[a-z][a-z0-9.-]*(\/[a-z][a-z0-9.-]*)?$/.test(resource) || CALL_RESOURCE.test(resource))) {
      fail(o('resource'), [...cp, 'resource'], `expected a resource name in lowercase plural (pods, nodes, nodes/status, …) or <group>/<version>/<plural>, got ${describe(resource)}`);
    }
    // `fieldSelector: <field>=$NODE` (docs/scenario-format.md, change.calls[]): node scope through that field.
    let nodeField: string | undefined;
    if (c.fieldSelector !== undefined) {
      const m = typeof c.fieldSelector === 'string' ? NODE_FIELD_SELECTOR.exec(c.fieldSelector) : null;
      if (m === null) fail(o('fieldSelector'), [...cp, 'fieldSelector'], `expected \`<field>=$NODE\` (the agent's own node name), got ${describe(c.fieldSelector)}`, 'e.g. `fieldSelector: metadata.name=$NODE` for its own Node, `spec.nodeName=$NODE` for its node\'s pods');
      else nodeField = m[1];
      if (verb !== 'list' && verb !== 'watch') fail(o('fieldSelector'), [...cp, 'fieldSelector'], `a field selector applies to list and watch calls, but the verb is ${describe(verb)}`, 'remove `fieldSelector`');
    }
    const scope = c.scope ?? (c.fieldSelector !== undefined ? 'node' : 'cluster');
    if (c.fieldSelector !== undefined && scope !== 'node') fail(o('fieldSelector'), [...cp, 'fieldSelector'], `\`fieldSelector\` selects its own node's objects, but the scope is ${describe(scope)}`, 'remove `scope` (or set `scope: node`)');
    if (typeof scope !== 'string' || !(SCOPES as readonly string[]).includes(scope)) fail(o('scope'), [...cp, 'scope'], `expected a scope (${SCOPES.join(', ')}), got ${describe(scope)}`);
    const watch = verb === 'watch';
    const rvIn = c.resourceVersion;
    let rv: RvSemantics = watch ? '0' : 'consistent';
    if (rvIn !== undefined) {
      if (rvIn === 0 || rvIn === '0') rv = '0';
      else if (rvIn === 'consistent' || rvIn === 'watch-list') rv = rvIn;
      else fail(o('resourceVersion'), [...cp, 'resourceVersion'], `expected "consistent", "0" or "watch-list", got ${describe(rvIn)}`);
      if (rv === 'watch-list' && !watch) fail(o('resourceVersion'), [...cp, 'resourceVersion'], `watch-list is a streaming list over a watch, but the verb is ${String(verb)}`, 'use `verb: watch`');
    }
    let periodS = 0;
    if (watch && c.period !== undefined) fail(o('period'), [...cp, 'period'], '`period` applies to periodic calls; a watch lists once then watches', 'remove `period`');
    else if (!watch && c.period === undefined && typeof verb === 'string') fail(offsetOf(cp), cp, `missing \`period\`: a ${verb} call repeats every period`, 'add e.g. `period: 60s`');
    else if (!watch && c.period !== undefined) {
      const p = typeof c.period === 'string' || typeof c.period === 'number' ? parseDuration(c.period) : undefined;
      if (p === undefined || p <= 0) fail(o('period'), [...cp, 'period'], `expected a duration like 30s or 5m, got ${describe(c.period)}`);
      else periodS = p;
    }
    const num = (field: string, v: unknown, min: number, max: number, dflt: number, integer = false): number => {
      if (v === undefined) return dflt;
      if (typeof v === 'number' && v >= min && v <= max && (!integer || Number.isInteger(v))) return v;
      fail(o(field), [...cp, field], `expected ${integer ? 'a whole number' : 'a number'} between ${min} and ${max}, got ${describe(v)}`);
      return dflt;
    };
    const jitter = num('jitter', c.jitter, 0, 1, 0.1);
    const pageSize = num('pageSize', c.pageSize, 0, 1e9, 0, true);
    const namespaceFraction = num('namespaceFraction', c.namespaceFraction, 1e-9, 1, 0.05);
    let qps = CLIENT_GO_QPS;
    let burst = CLIENT_GO_BURST;
    if (c.rateLimit !== undefined) {
      if (isObj(c.rateLimit)) {
        if (c.rateLimit.qps !== undefined) qps = typeof c.rateLimit.qps === 'number' && c.rateLimit.qps > 0 ? c.rateLimit.qps : (fail(o('rateLimit'), [...cp, 'rateLimit', 'qps'], `expected a number > 0, got ${describe(c.rateLimit.qps)}`), qps);
        if (c.rateLimit.burst !== undefined) burst = typeof c.rateLimit.burst === 'number' && c.rateLimit.burst >= 1 ? c.rateLimit.burst : (fail(o('rateLimit'), [...cp, 'rateLimit', 'burst'], `expected a number ≥ 1, got ${describe(c.rateLimit.burst)}`), burst);
      } else fail(o('rateLimit'), [...cp, 'rateLimit'], `expected a mapping { qps, burst }, got ${describe(c.rateLimit)}`);
    }
    const retry: { policy: 'backoff' | 'immediate'; initialS: number; factor: number; maxS: number; jitter: number } = { policy: 'backoff', initialS: CLIENT_GO_BACKOFF.initialS, factor: CLIENT_GO_BACKOFF.factor, maxS: CLIENT_GO_BACKOFF.maxS, jitter: CLIENT_GO_BACKOFF.jitter };
    if (c.retry !== undefined) {
      if (!isObj(c.retry)) fail(o('retry'), [...cp, 'retry'], `expected a mapping, got ${describe(c.retry)}`);
      else {
        const r = c.retry;
        if (r.policy === 'immediate' || r.policy === 'backoff') retry.policy = r.policy;
        else if (r.policy !== undefined) fail(o('retry'), [...cp, 'retry', 'policy'], `expected "backoff" or "immediate", got ${describe(r.policy)}`);
        for (const [k, key] of [['initial', 'initialS'], ['max', 'maxS']] as const) {
          const v = r[k];
          if (v === undefined) continue;
          const d = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
          if (d === undefined) fail(o('retry'), [...cp, 'retry', k], `expected a duration, got ${describe(v)}`);
          else retry[key] = d;
        }
        if (r.factor !== undefined) retry.factor = typeof r.factor === 'number' && r.factor >= 1 ? r.factor : (fail(o('retry'), [...cp, 'retry', 'factor'], `expected a number ≥ 1, got ${describe(r.factor)}`), retry.factor);
        if (r.jitter !== undefined) retry.jitter = typeof r.jitter === 'number' && r.jitter >= 0 ? r.jitter : (fail(o('retry'), [...cp, 'retry', 'jitter'], `expected a number ≥ 0, got ${describe(r.jitter)}`), retry.jitter);
      }
    }
    const name = typeof c.name === 'string' && c.name !== '' ? c.name : `${String(verb)}-${String(resource)}`;
    if (names.has(name)) fail(o('name'), [...cp, 'name'], `two calls are named \`${name}\``, 'give each call a distinct `name`');
    names.add(name);
    if (problems.length > n0) return;
    calls.push({
      profile: { name, verb: verb as Verb, resource: resource as string, scope: scope as Scope, resourceVersion: rv, periodS, jitter, pageSize, qps, burst, retry, namespaceFraction, ...(nodeField !== undefined ? { nodeField } : {}) },
      at: at(offsetOf(cp)),
    });
  });
  if (problems.length > before) return undefined;
  return { calls, ...(priorityLevel !== undefined ? { priorityLevel } : {}), ...(priorityLevelAt !== undefined ? { priorityLevelAt } : {}) };
}
