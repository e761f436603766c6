/**
 * The change under test (a scenario's `spec.change`): a DaemonSet or
 * Deployment and the API calls each of its pods makes. The schema, and the
 * compilation into the twin's ChangeSpec: defaults (client-go's rate limit
 * and backoff, the default FlowSchemas' priority level), durations in
 * seconds, and the rules across fields (a watch has no period, a periodic
 * call needs one, call names are unique, the level exists).
 *
 * @example
 *   compileChange(ctx, { name: 'agent', calls: [{ verb: 'list', resource: 'pods', period: '60s' }] });
 *   // { name: 'agent', kind: 'DaemonSet', namespace: 'default', serviceAccount: 'agent', replicas: 1, priorityLevel: 'workload-low', calls: [ … ] }
 */
import { Type, type Static } from '@sinclair/typebox';
import { formatDuration } from '../core/duration.ts';
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS, defaultPriorityLevel } from '../model/kubernetes.ts';
import type { CallProfile, RvSemantics } from '../model/profile.ts';
import { selects } from '../model/fleet.ts';
import { CALL_RESOURCE_PATTERN, resourceBase } from '../model/resource-name.ts';
import { clusterResources, MODELLED_RESOURCES, resolveResource } from '../model/resources.ts';
import type { ChangeSpec } from '../twin/index.ts';
import { MAX_PODS } from './fleet-schema.ts';
import { checkPriorityLevel } from './levels.ts';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, NODE_FIELD_SELECTOR_PATTERN } from './patterns.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { duration, obj, opt, str } from './schema-kit.ts';
import { checkDuration } from './units.ts';
import type { Path } from './yaml.ts';

export const VERBS = ['list', 'watch', 'get', 'create', 'update', 'patch', 'delete'] as const;

const CallSchema = obj(
  {
    name: opt(Type.String({ minLength: 1, description: 'Call name, unique within the change. Default: <verb>-<resource>.' })),
    verb: str(VERBS, 'API verb. A watch is an informer: it lists once, then watches (and relists after errors).'),
    resource: Type.String({
      pattern: CALL_RESOURCE_PATTERN,
      maxLength: 317,
      description:
        'Resource the call reads or writes: one of the eight modelled types (pods, nodes, services, endpointslices, configmaps, leases, events, namespaces), a subresource (nodes/status), or any type model.objects.resources states (a built-in plural such as replicasets, or <group>/<version>/<plural> of a custom resource).',
    }),
    scope: opt(
      str(
        ['cluster', 'namespace', 'node'],
        'What one call covers: the whole cluster, one namespace, or its own node\'s objects (through `fieldSelector`; without one, pods by spec.nodeName and nodes by metadata.name). Default: "node" with a fieldSelector, else "cluster".',
      ),
    ),
    fieldSelector: opt(
      Type.String({
        pattern: NODE_FIELD_SELECTOR_PATTERN,
        maxLength: 253,
        description:
          'The field selector that makes the call node-scoped, as the agent sends it: `<field>=$NODE` with its own node\'s name. `metadata.name=$NODE` reads one object (its Node, or a per-node object named after it); `spec.nodeName=$NODE` on pods uses the watch cache\'s node index; any other field returns the node\'s share but scans every object. Requires scope node (the default with it).',
      }),
    ),
    resourceVersion: opt(
      Type.Unsafe<'consistent' | '0' | 'watch-list' | 0>({
        enum: ['consistent', '0', 'watch-list', 0],
        description:
          'List semantics: "consistent" (quorum read from etcd), "0" (served from the watch cache) or "watch-list" (streaming list, verb watch only). Default: "0" for watch, "consistent" otherwise.',
      }),
    ),
    period: opt(duration('Time between calls of one client; required for every verb except watch, not allowed for watch.')),
    jitter: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Relative jitter of the period, 0 to 1. Default: 0.1.' })),
    pageSize: opt(Type.Integer({ minimum: 0, maximum: MAX_PODS, description: 'Page size (limit) of lists; 0 = unpaginated. Default: 0.' })),
    namespaceFraction: opt(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fraction of namespaced objects one namespace-scoped call covers, in (0, 1]; used only with scope namespace. Default: 0.05.' }),
    ),
    rateLimit: opt(
      obj(
        {
          qps: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: `Client-side rate limit, queries per second. Default: ${CLIENT_GO_QPS}.` })),
          burst: opt(Type.Integer({ minimum: 1, maximum: 100_000, description: `Client-side burst. Default: ${CLIENT_GO_BURST}.` })),
        },
        'Client-side rate limit of each client (client-go defaults).',
      ),
    ),
    retry: opt(
      obj(
        {
          policy: opt(str(['backoff', 'immediate'], 'How a failed call is retried: exponential backoff, or immediately. Default: "backoff".')),
          initial: opt(duration(`First backoff wait. Default: ${CLIENT_GO_BACKOFF.initialS * 1000}ms.`)),
          factor: opt(Type.Number({ minimum: 1, maximum: 100, description: `Backoff growth factor (1 to 100). Default: ${CLIENT_GO_BACKOFF.factor}.` })),
          max: opt(duration(`Backoff cap. Default: ${formatDuration(CLIENT_GO_BACKOFF.maxS)}.`)),
          jitter: opt(Type.Number({ minimum: 0, maximum: 10, description: `Relative backoff jitter. Default: ${CLIENT_GO_BACKOFF.jitter}.` })),
        },
        'Retry behaviour after errors (client-go reflector defaults).',
      ),
    ),
  },
  'One kind of API call the change makes, per client.',
);

export const ChangeSchema = obj(
  {
    name: Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description: 'Name of the DaemonSet or Deployment.' }),
    kind: opt(str(['DaemonSet', 'Deployment'], 'Workload kind: a DaemonSet runs one pod per node; a Deployment runs `replicas` pods. Default: "DaemonSet".')),
    namespace: opt(Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: 'Namespace of the workload. Default: "default".' })),
    serviceAccount: opt(Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description: 'Service account the pods call the API as. Default: the change name.' })),
    replicas: opt(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Deployment replicas; not allowed for a DaemonSet. Default: 1.' })),
    priorityLevel: opt(
      Type.String({
        minLength: 1,
        description:
          'APF priority level of its requests; must be a level of model.apf.levels (or "break-glass" when operators.breakGlass is set). Default: from the default FlowSchemas (workload-high in kube-system, workload-low elsewhere).',
      }),
    ),
    calls: Type.Array(CallSchema, { minItems: 1, description: 'The API calls each pod makes (at least one).' }),
  },
  'The change under test: a workload whose API calls load the control plane.',
);

export type ChangeInput = Static<typeof ChangeSchema>;
type CallInput = ChangeInput['calls'][number];

/** spec.change as the twin runs it; undefined (with problems reported) when a call does not compile. */
export function compileChange(ctx: ScenarioContext, c: ChangeInput): ChangeSpec | undefined {
  const path: Path = ['spec', 'change'];
  const kind = c.kind ?? 'DaemonSet';
  if (kind === 'DaemonSet' && c.replicas !== undefined) {
    ctx.add([...path, 'replicas'], '`replicas` applies to a Deployment; a DaemonSet runs one pod per node', 'remove `replicas`, or set `kind: Deployment`');
  }
  const namespace = c.namespace ?? 'default';
  const serviceAccount = c.serviceAccount ?? c.name;
  const names = new Map<string, number>();
  const calls = c.calls.map((call, i) => {
    const compiled = compileCall(ctx, call, [...path, 'calls', i]);
    const name = compiled?.name ?? call.name ?? `${call.verb}-${call.resource}`;
    const first = names.get(name);
    if (first !== undefined) {
      const why = call.name === undefined ? ` (the default name, <verb>-<resource>)` : '';
      ctx.add([...path, 'calls', i, ...(call.name !== undefined ? ['name'] : [])], `two calls are named \`${name}\`${why}; the other is calls[${first}]`, 'give each call a distinct `name`');
    } else {
      names.set(name, i);
    }
    return compiled;
  });
  const firstResource = c.calls[0]?.resource ?? 'pods';
  const priorityLevel = c.priorityLevel ?? defaultPriorityLevel({ kind: 'service-account', namespace, name: serviceAccount }, firstResource);
  checkPriorityLevel(ctx, priorityLevel, [...path, ...(c.priorityLevel !== undefined ? ['priorityLevel'] : [])], `service account ${namespace}/${serviceAccount}`, c.priorityLevel === undefined);
  c.calls.forEach((call, i) => checkStated(ctx, call.resource, [...path, 'calls', i, 'resource']));
  const ok = calls.filter((x): x is CallProfile => x !== undefined);
  if (ok.length !== calls.length) return undefined;
  // A DaemonSet has no replica count (one pod per node); 1 keeps the field meaningful per node.
  return { name: c.name, kind, namespace, serviceAccount, replicas: c.replicas ?? 1, priorityLevel, calls: ok };
}

function compileCall(ctx: ScenarioContext, c: CallInput, path: Path): CallProfile | undefined {
  const before = ctx.problems.size;
  const watch = c.verb === 'watch';
  const rv: RvSemantics = c.resourceVersion === undefined ? (watch ? '0' : 'consistent') : c.resourceVersion === 0 ? '0' : c.resourceVersion;
  if (rv === 'watch-list' && !watch) {
    ctx.add([...path, 'resourceVersion'], `resourceVersion watch-list is a streaming list over a watch, but the verb is ${c.verb}`, 'use `verb: watch`, or resourceVersion "consistent" or "0"');
  }
  let periodS = 0;
  if (watch && c.period !== undefined) {
    ctx.add([...path, 'period'], '`period` applies to periodic calls; a watch lists once then watches', 'remove `period`');
  } else if (!watch && c.period === undefined) {
    ctx.add([...path, 'period'], `missing \`period\`: a ${c.verb} call repeats every period`, 'add e.g. `period: 60s`');
  } else if (!watch && c.period !== undefined) {
    periodS = checkDuration(ctx, [...path, 'period'], c.period, { positive: true }) ?? 0;
  }
  const r = c.retry ?? {};
  const initialS = r.initial === undefined ? CLIENT_GO_BACKOFF.initialS : checkDuration(ctx, [...path, 'retry', 'initial'], r.initial);
  const maxS = r.max === undefined ? CLIENT_GO_BACKOFF.maxS : checkDuration(ctx, [...path, 'retry', 'max'], r.max);
  if (initialS !== undefined && maxS !== undefined && initialS > maxS) {
    ctx.add([...path, 'retry', r.max !== undefined ? 'max' : 'initial'], `the backoff cap (${formatDuration(maxS)}) is less than its first wait (${formatDuration(initialS)})`, 'make retry.max ≥ retry.initial');
  }
  const nodeField = c.fieldSelector === undefined ? undefined : c.fieldSelector.slice(0, c.fieldSelector.indexOf('='));
  const scope = c.scope ?? (nodeField !== undefined ? 'node' : 'cluster');
  if (nodeField !== undefined && scope !== 'node') {
    ctx.add([...path, 'fieldSelector'], `\`fieldSelector: ${c.fieldSelector ?? ''}\` selects its own node's objects, but the scope is ${scope}`, 'remove `scope` (or set `scope: node`), or remove `fieldSelector`');
  }
  if (nodeField !== undefined && !['list', 'watch'].includes(c.verb)) {
    ctx.add([...path, 'fieldSelector'], `a field selector applies to list and watch calls, but the verb is ${c.verb}`, 'remove `fieldSelector` (a get names its object)');
  }
  if (ctx.problems.size > before || initialS === undefined || maxS === undefined) return undefined;
  return {
    name: c.name ?? `${c.verb}-${c.resource}`,
    verb: c.verb,
    resource: c.resource,
    scope,
    resourceVersion: rv,
    periodS,
    jitter: c.jitter ?? 0.1,
    pageSize: c.pageSize ?? 0,
    qps: c.rateLimit?.qps ?? CLIENT_GO_QPS,
    burst: c.rateLimit?.burst ?? CLIENT_GO_BURST,
    retry: { policy: r.policy ?? 'backoff', initialS, factor: r.factor ?? CLIENT_GO_BACKOFF.factor, maxS, jitter: r.jitter ?? CLIENT_GO_BACKOFF.jitter },
    namespaceFraction: c.namespaceFraction ?? 0.05,
    ...(nodeField !== undefined ? { nodeField } : {}),
  };
}

/**
 * A call's type must be one of the eight modelled types or stated in the model
 * of every cluster (spec.model.objects.resources, or a clusterModels entry's):
 * the twin costs nothing it does not know (resources.ts). The analyzer, which
 * cannot be told, uses derived figures and says so in a finding instead.
 */
function checkStated(ctx: ScenarioContext, resource: string, path: Path): void {
  const base = resourceBase(resource);
  if (MODELLED_RESOURCES.includes(base)) return;
  const models = ctx.clusters.length === 0 ? [ctx.model] : ctx.clusters.map((cl) => ctx.clusterModels.reduce((m, o) => (selects(o.clusters, cl) ? o.model : m), ctx.model));
  const at = ctx.clusters.length === 0 ? -1 : models.findIndex((m) => resolveResource(clusterResources(1, 30, m.objects), resource, m.objects).source !== 'stated');
  if (at === -1 && (ctx.clusters.length > 0 || resolveResource(clusterResources(1, 30, ctx.model.objects), resource, ctx.model.objects).source === 'stated')) return;
  const where = ctx.clusters[at] === undefined ? '' : ` for cluster ${ctx.clusters[at].name}`;
  ctx.add(
    path,
    `\`${resource}\` is not one of the eight modelled types (${MODELLED_RESOURCES.join(', ')}) and the model does not state it${where}: its number and size of objects are not known`,
    `state it in spec.model.objects.resources (or in the clusterModels entry of that cluster), e.g. \`objects: { resources: { ${base}: { count: 5000, bytes: 3072 } } }\``,
  );
}
