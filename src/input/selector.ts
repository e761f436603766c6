/**
 * Cluster selectors (`clusters:` in scenario events, pipelines, model
 * overrides and plans): the schema, and the checks of a scenario's selectors
 * against its fleet (names that must exist, minNodes ≤ maxNodes).
 *
 * @example
 *   compileSelector(ctx, { names: ['prod-a'], minNodes: 100 }, ['spec', 'events', 0, 'clusters']); // { names: ['prod-a'], minNodes: 100 }
 */
import { Type, type Static } from '@sinclair/typebox';
import { SIZE_CLASSES, type ClusterSelector } from '../model/fleet.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { obj, opt, str, stringMap } from './schema-kit.ts';
import { listWords, nearMatches } from './validate.ts';
import type { Path } from './yaml.ts';

export const SelectorSchema = obj(
  {
    names: opt(Type.Array(Type.String({ description: 'A cluster name.' }), { minItems: 1, uniqueItems: true, description: 'Clusters with these names (each must exist in the fleet).' })),
    matchLabels: opt(stringMap('Clusters having all these labels.')),
    minNodes: opt(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Clusters with at least this many nodes.' })),
    maxNodes: opt(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Clusters with at most this many nodes.' })),
    sizeClasses: opt(
      Type.Array(str(SIZE_CLASSES, 'A size class.'), {
        minItems: 1,
        uniqueItems: true,
        description: 'Clusters of these size classes: small (< 500 nodes), medium (< 2000), large (< 5000), xlarge.',
      }),
    ),
  },
  'Selects clusters; every given criterion must match. An empty selector selects all clusters.',
);

export type SelectorInput = Static<typeof SelectorSchema>;

/** A scenario selector, its names checked against the scenario's fleet (ctx.clusters). */
export function compileSelector(ctx: ScenarioContext, sel: SelectorInput | undefined, path: Path): ClusterSelector {
  if (sel === undefined) return {};
  const known = new Set(ctx.clusters.map((c) => c.name));
  // With no clusters (the fleet failed), every name would look unknown.
  if (known.size > 0) {
    (sel.names ?? []).forEach((n, i) => {
      if (known.has(n)) return;
      const near = nearMatches(n, known).map((m) => `\`${m}\``);
      ctx.add(
        [...path, 'names', i],
        `no cluster named \`${n}\` in the fleet`,
        near.length > 0 ? `did you mean ${listWords(near, 5, 'or')}?` : `the fleet's clusters are ${listWords([...known])}`,
      );
    });
  }
  if (sel.minNodes !== undefined && sel.maxNodes !== undefined && sel.minNodes > sel.maxNodes) {
    ctx.add([...path, 'maxNodes'], `maxNodes (${sel.maxNodes}) is less than minNodes (${sel.minNodes}), so nothing matches`, 'make maxNodes ≥ minNodes');
  }
  return { ...sel };
}
