/**
 * What a scenario schedules: its naive pipeline (`spec.pipeline`, applying
 * the change to one cluster after another) and its actions and faults
 * (`spec.events`). The schemas — events are a tagged union on `action` —
 * and their compilation into the twin's PipelineSpec and ScheduledEvents,
 * times in seconds from the start, durations in seconds, defaults applied.
 *
 * @example
 *   compileEvent(ctx, { at: '+30m', action: 'etcd-slowdown', factor: 5, duration: '10m' }, 0);
 *   // { atS: 1800, clusters: {}, action: { kind: 'etcd-slowdown', factor: 5, durationS: 600 }, source: 'spec.events[0], line 40' }
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Action, PipelineSpec, ScheduledEvent } from '../twin/index.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { duration, obj, opt, str } from './schema-kit.ts';
import { compileSelector, SelectorSchema } from './selector.ts';
import { scenarioTime, time } from './times.ts';
import { checkDuration } from './units.ts';
import { formatPath, type Path } from './yaml.ts';

/** Client groups a block of the API can cut off. */
export const BLOCK_SOURCES = ['nodes', 'change', 'workloads'] as const;

/** Event fields every action has, beside its own parameters. */
function eventVariant<A extends string, T extends Parameters<typeof Type.Object>[0]>(action: A, description: string, params: T) {
  return obj(
    {
      at: time('When the action happens.'),
      clusters: opt(SelectorSchema),
      action: Type.Literal(action, { description }),
      ...params,
    },
    `Action ${action}: ${description}`,
  );
}

const overParam = (what: string, d: string) => opt(duration(`Time over which ${what} is ramped. Default: ${d}.`));

export const EVENT_VARIANTS = [
  eventVariant('apply-change', 'Apply the change (spec.change required).', {
    nodeFraction: opt(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fraction of the nodes to apply the change to, in (0, 1] (node batches). Default: 1.' })),
  }),
  eventVariant('remove-change', 'Remove the change (spec.change required).', {
    via: opt(str(['api', 'kill-switch'], 'How: delete through the API (needs a working API), or stop the agents out of band. Default: "kill-switch".')),
  }),
  eventVariant('scale-nodes', "Scale the clusters' nodes to a fraction of the original count.", {
    fraction: Type.Number({ exclusiveMinimum: 0, maximum: 2, description: 'Target node count as a fraction of the original, in (0, 2].' }),
    over: overParam('the scaling', '10m'),
  }),
  eventVariant('scale-apiservers', 'Replace the API servers with more and/or larger machines.', {
    replicas: opt(Type.Integer({ minimum: 1, maximum: 20, description: 'API server replicas after scaling (1 to 20). Default: model.apiServer.replicas.' })),
    memoryFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Memory of the new machines relative to the current ones (up to 100). Default: 1.' })),
    cpuFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'CPU of the new machines relative to the current ones (up to 100). Default: 1.' })),
    provision: opt(duration('Time to provision the new machines. Default: 30m.')),
  }),
  eventVariant('block-admin-api', 'Block network access to the API for groups of clients.', {
    sources: opt(Type.Array(str(BLOCK_SOURCES, 'A client group.'), { minItems: 1, uniqueItems: true, description: 'Client groups to block: nodes, change, workloads. Default: [nodes].' })),
    over: overParam('the block', '5m'),
  }),
  eventVariant('unblock-admin-api', 'Lift a block-admin-api.', {
    over: overParam('the unblock', '10m'),
  }),
  eventVariant('shift-traffic', 'Shift customer traffic away from clusters with data-plane errors to healthy ones.', {
    over: overParam('the shift', '10m'),
    errorThreshold: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Data-plane error ratio above which a cluster is drained, 0 to 1. Default: 0.01.' })),
  }),
  eventVariant('etcd-slowdown', 'Fault: etcd gets slower for a while.', {
    factor: Type.Number({ minimum: 1, maximum: 1000, description: 'Latency multiplier (1 to 1000).' }),
    duration: duration('How long the slowdown lasts (> 0).'),
  }),
  eventVariant('shed-change', "Shed the change's requests through APF: a FlowSchema routes its service account to a rejecting priority level (spec.change required).", {}),
  eventVariant('kill-apiservers', 'Fault: kill every API server replica.', {}),
  eventVariant('control-plane-down', 'Fault: every API server replica is down for a duration (its hosts lost), then starts with a cold watch cache.', {
    duration: duration('How long the control plane stays down (> 0).'),
  }),
  eventVariant('replace-hosts', "Fault: the API servers' hosts are replaced one by one: each replica stops and starts on a new host with a cold watch cache.", {
    every: opt(duration('Time between two replicas being replaced. Default: 10m.')),
    down: opt(duration('How long a replica is gone before its new host runs it. Default: 0s.')),
  }),
  eventVariant('restart-coredns', 'Fault: restart every CoreDNS replica.', {}),
];

/** Names of the actions, as written in `action:`. */
export const ACTIONS = EVENT_VARIANTS.map((v) => v.properties.action.const);

/**
 * A tagged union on `action`: Ajv's `discriminator` keyword validates only
 * the variant the tag names, so a wrong parameter is reported against that
 * action rather than as "matches none of ten schemas". Editors read the oneOf.
 */
export const EventSchema = Type.Unsafe<Static<(typeof EVENT_VARIANTS)[number]>>({
  type: 'object',
  description: 'A scheduled action or fault; the action parameters are sibling fields of `action`.',
  required: ['action'],
  discriminator: { propertyName: 'action' },
  oneOf: EVENT_VARIANTS,
});

export type EventInput = Static<typeof EventSchema>;

export const PipelineSchema = obj(
  {
    start: time('When the pipeline applies the change to its first cluster.'),
    end: time('When it applies the change to its last cluster (not before start); clusters are evenly spaced in between.'),
    clusters: opt(SelectorSchema),
    order: opt(
      str(
        ['listed', 'by-name', 'smallest-first', 'largest-first', 'shuffled'],
        'Order of the clusters: as listed in the fleet, by name, by node count, or shuffled with the run seed. Default: "by-name".',
      ),
    ),
  },
  "The scenario's own naive pipeline applying spec.change to the selected clusters, evenly spaced (spec.change required).",
);

export type PipelineInput = Static<typeof PipelineSchema>;

/** Reports `what` at `path` when the scenario has no spec.change to act on. */
function requireChange(ctx: ScenarioContext, path: Path, what: string): void {
  if (!ctx.hasChange) ctx.add(path, `${what}, but spec.change is not set`, 'add spec.change (the change under test), or remove this');
}

/** spec.pipeline with its times in seconds from the start. */
export function compilePipeline(ctx: ScenarioContext, p: PipelineInput): PipelineSpec | undefined {
  const path: Path = ['spec', 'pipeline'];
  requireChange(ctx, path, 'the pipeline applies the change');
  const startS = scenarioTime(ctx, [...path, 'start'], p.start);
  const endS = scenarioTime(ctx, [...path, 'end'], p.end);
  if (startS !== undefined && endS !== undefined && endS < startS) {
    ctx.add([...path, 'end'], `the pipeline ends (${JSON.stringify(p.end)}) before it starts (${JSON.stringify(p.start)})`, 'make end the same as or later than start');
  }
  const clusters = compileSelector(ctx, p.clusters, [...path, 'clusters']);
  if (startS === undefined || endS === undefined) return undefined;
  return { startS, endS, clusters, order: p.order ?? 'by-name' };
}

/** spec.events[i], located for the run log. */
export function compileEvent(ctx: ScenarioContext, e: EventInput, i: number): ScheduledEvent | undefined {
  const path: Path = ['spec', 'events', i];
  const atS = scenarioTime(ctx, [...path, 'at'], e.at);
  const clusters = compileSelector(ctx, e.clusters, [...path, 'clusters']);
  const action = compileAction(ctx, e, path);
  if (atS === undefined || action === undefined) return undefined;
  // Short, for the run log: "scale nodes to 50% … (spec.events[1], line 60)".
  const line = ctx.doc.locate(path)?.line;
  return { atS, clusters, action, source: `${formatPath(path)}${line !== undefined ? `, line ${line}` : ''}` };
}

function compileAction(ctx: ScenarioContext, e: EventInput, path: Path): Action | undefined {
  const over = (raw: string | number | undefined, dflt: number): number | undefined => (raw === undefined ? dflt : checkDuration(ctx, [...path, 'over'], raw));
  switch (e.action) {
    case 'apply-change':
      requireChange(ctx, [...path, 'action'], 'action apply-change applies the change');
      return { kind: 'apply-change', nodeFraction: e.nodeFraction ?? 1 };
    case 'remove-change':
      requireChange(ctx, [...path, 'action'], 'action remove-change removes the change');
      return { kind: 'remove-change', via: e.via ?? 'kill-switch' };
    case 'scale-nodes': {
      const overS = over(e.over, 600);
      return overS === undefined ? undefined : { kind: 'scale-nodes', fraction: e.fraction, overS };
    }
    case 'scale-apiservers': {
      const provisionS = e.provision === undefined ? 1800 : checkDuration(ctx, [...path, 'provision'], e.provision);
      if (provisionS === undefined) return undefined;
      return { kind: 'scale-apiservers', replicas: e.replicas ?? ctx.model.apiServer.replicas, memoryFactor: e.memoryFactor ?? 1, cpuFactor: e.cpuFactor ?? 1, provisionS };
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
      const durationS = checkDuration(ctx, [...path, 'duration'], e.duration, { positive: true });
      return durationS === undefined ? undefined : { kind: 'etcd-slowdown', factor: e.factor, durationS };
    }
    case 'shed-change':
      requireChange(ctx, [...path, 'action'], 'action shed-change sheds the change');
      return { kind: 'shed-change' };
    case 'kill-apiservers':
      return { kind: 'kill-apiservers' };
    case 'control-plane-down': {
      const durationS = checkDuration(ctx, [...path, 'duration'], e.duration, { positive: true });
      return durationS === undefined ? undefined : { kind: 'control-plane-down', durationS };
    }
    case 'replace-hosts': {
      const everyS = e.every === undefined ? 600 : checkDuration(ctx, [...path, 'every'], e.every);
      const downS = e.down === undefined ? 0 : checkDuration(ctx, [...path, 'down'], e.down);
      return everyS === undefined || downS === undefined ? undefined : { kind: 'replace-hosts', everyS, downS };
    }
    case 'restart-coredns':
      return { kind: 'restart-coredns' };
  }
}
