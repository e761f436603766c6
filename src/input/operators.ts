/**
 * Incident response in a scenario (`spec.operators`): when operators start,
 * the priority level they call the API at (with an optional break-glass
 * level), how they retry and escalate, the remedies they may use and how
 * they lift them, a fleet-wide revert and a traffic shift. The schema, and
 * its compilation into the twin's OperatorsSpec with every default applied.
 *
 * @example
 *   compileOperators(ctx, { respondAt: '15:50', breakGlass: { seats: 20 } });
 *   // { priorityLevel: 'break-glass', breakGlass: { seats: 20 }, respondAtS: …, parallelism: 4, retryEveryS: 60, escalateAfterS: 600, … }
 */
import { Type, type Static } from '@sinclair/typebox';
import type { OperatorsSpec, RemediesSpec } from '../twin/index.ts';
import { BLOCK_SOURCES } from './events.ts';
import { BREAK_GLASS, checkPriorityLevel } from './levels.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { duration, obj, opt, str } from './schema-kit.ts';
import { scenarioTime, time } from './times.ts';
import { checkDuration, type DurationBounds } from './units.ts';
import type { Path } from './yaml.ts';

const blockSources = opt(Type.Array(str(BLOCK_SOURCES, 'A client group.'), { minItems: 1, uniqueItems: true, description: 'Client groups to block: nodes, change, workloads. Default: [nodes].' }));

export const OperatorsSchema = obj(
  {
    respondAt: time('When operators start responding.'),
    priorityLevel: opt(
      Type.String({
        minLength: 1,
        description: 'APF priority level of operator requests; must be a level of model.apf.levels, or "break-glass" with breakGlass. Default: "break-glass" when breakGlass is given, else "global-default".',
      }),
    ),
    breakGlass: opt(
      obj(
        { seats: Type.Integer({ minimum: 1, maximum: 200, description: 'Seats reserved for operators on each API server, never lent (1 to 200).' }) },
        'A break-glass priority level for operators.',
      ),
    ),
    parallelism: opt(Type.Integer({ minimum: 1, maximum: 1000, description: 'Clusters worked on at the same time. Default: 4.' })),
    retryEvery: opt(duration('Time between attempts to delete the change through the API. Default: 1m.')),
    escalateAfter: opt(duration('Time without success on a cluster before starting the remedies. Default: 10m.')),
    shedChange: opt(Type.Boolean({ description: "With each delete attempt, also apply an APF FlowSchema that routes the change's service account to a rejecting priority level (an API write, so it succeeds only when the API answers). Default: false." })),
    remedies: opt(
      obj(
        {
          scaleApiServers: opt(
            obj(
              {
                replicas: opt(Type.Integer({ minimum: 1, maximum: 20, description: 'API server replicas (1 to 20). Default: model.apiServer.replicas.' })),
                memoryFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Memory of the new machines relative to the current ones (up to 100). Default: 1.' })),
                cpuFactor: opt(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'CPU of the new machines relative to the current ones (up to 100). Default: 1.' })),
                provision: opt(duration('Time to provision the new machines. Default: 30m.')),
              },
              'Scale up the API servers.',
            ),
          ),
          scaleDownNodes: opt(
            obj(
              {
                fraction: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Keep this fraction of the nodes, in (0, 1].' }),
                over: opt(duration('Time over which the nodes are removed. Default: 10m.')),
              },
              'Scale down the nodes to shed API load.',
            ),
          ),
          blockAdminApi: opt(obj({ sources: blockSources, over: opt(duration('Time over which the block is ramped. Default: 5m.')) }, 'Block groups of clients from the API.')),
        },
        'Remedies operators start after escalateAfter; each is used only when given.',
      ),
    ),
    restore: opt(
      obj(
        {
          unblockOver: opt(duration('Time over which a block is lifted. Default: 10m.')),
          scaleNodesBackOver: opt(duration('Time over which scaled-down nodes come back. Default: 30m.')),
        },
        'How remedies are lifted once the change is gone.',
      ),
    ),
    revert: opt(
      obj(
        {
          at: opt(time('When the revert starts. Default: respondAt (the root cause is known).')),
          every: opt(duration('Time between two clusters in the pipeline (more than 0). Default: 10s.')),
        },
        "Fleet-wide revert of the change through the deployment pipeline, beside the teams' work on the lost clusters: the clusters that still run the change, in the order it reached them, one every `every`; each delete is an API request at priorityLevel, retried every retryEvery when it fails. Clusters whose control plane alerts (critical) and those a team works on are left to the teams. Not used when absent; `{}` uses every default.",
      ),
    ),
    shiftTraffic: opt(
      obj(
        {
          at: time('When traffic starts shifting.'),
          over: opt(duration('Time over which traffic shifts. Default: 15m.')),
          errorThreshold: opt(Type.Number({ minimum: 0, maximum: 1, description: 'Data-plane error ratio above which a cluster is drained, 0 to 1. Default: 0.01.' })),
        },
        'Shift customer traffic away from failing clusters.',
      ),
    ),
  },
  'Incident response: operators work on alerting clusters, try to delete the change, and escalate to remedies.',
);

export type OperatorsInput = Static<typeof OperatorsSchema>;

/** spec.operators with every default applied; undefined (with problems reported) when a part does not compile. */
export function compileOperators(ctx: ScenarioContext, o: OperatorsInput): OperatorsSpec | undefined {
  const path: Path = ['spec', 'operators'];
  const before = ctx.problems.size;
  const respondAtS = scenarioTime(ctx, [...path, 'respondAt'], o.respondAt);
  const priorityLevel = o.priorityLevel ?? (o.breakGlass !== undefined ? BREAK_GLASS : 'global-default');
  checkPriorityLevel(ctx, priorityLevel, [...path, ...(o.priorityLevel !== undefined ? ['priorityLevel'] : [])], 'operators', o.priorityLevel === undefined);
  const dur = (p: Path, raw: string | number | undefined, dflt: number, bounds?: DurationBounds): number => (raw === undefined ? dflt : (checkDuration(ctx, [...path, ...p], raw, bounds) ?? dflt));
  const retryEveryS = dur(['retryEvery'], o.retryEvery, 60, { positive: true });
  const escalateAfterS = dur(['escalateAfter'], o.escalateAfter, 600);

  const r = o.remedies ?? {};
  const remedies: RemediesSpec = {
    ...(r.scaleApiServers !== undefined
      ? {
          scaleApiServers: {
            replicas: r.scaleApiServers.replicas ?? ctx.model.apiServer.replicas,
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
  const shift = o.shiftTraffic;
  const shiftAtS = shift === undefined ? undefined : scenarioTime(ctx, [...path, 'shiftTraffic', 'at'], shift.at);
  const revert = o.revert;
  const revertAtS = revert?.at === undefined ? respondAtS : scenarioTime(ctx, [...path, 'revert', 'at'], revert.at);
  const revertEveryS = dur(['revert', 'every'], revert?.every, 10, { positive: true });
  if (respondAtS === undefined || ctx.problems.size > before) return undefined;
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
    ...(revert !== undefined && revertAtS !== undefined ? { revert: { atS: revertAtS, everyS: revertEveryS } } : {}),
    ...(shift !== undefined && shiftAtS !== undefined
      ? { shiftTraffic: { atS: shiftAtS, overS: dur(['shiftTraffic', 'over'], shift.over, 900), errorThreshold: shift.errorThreshold ?? 0.01 } }
      : {}),
  };
}
