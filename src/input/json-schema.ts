/**
 * The input schemas as standalone JSON Schema (draft-07) files, for editors:
 * with `# yaml-language-server: $schema=…/scenario.schema.json` at the top of
 * a file, VS Code and other YAML language servers complete fields, show their
 * descriptions and flag mistakes as you type. The files are committed in
 * schemas/; a test keeps them equal to what this module returns.
 *
 * @example
 *   for (const [name, schema] of Object.entries(jsonSchemas())) {
 *     writeFileSync(join('schemas', name), `${JSON.stringify(schema, null, 2)}\n`);
 *   }
 */
import type { TSchema } from '@sinclair/typebox';
import { ClusterSpecSchema, FleetDocument, FleetGenerateSchema } from './fleet-schema.ts';
import { PlanDocument } from './plan-schema.ts';
import { ScenarioDocument } from './scenario-schema.ts';
import { ModelPatchSchema } from '../model/model-patch.ts';
import { SelectorSchema } from './selector.ts';

export const SCHEMA_BASE_URL = 'https://firebreak.dev/schemas/v1alpha1/';

/** JSON Schema files by file name: `fleet.schema.json`, `scenario.schema.json`. */
export function jsonSchemas(): Record<string, object> {
  return {
    'fleet.schema.json': standalone(FleetDocument, 'fleet.schema.json', 'firebreak Fleet'),
    'scenario.schema.json': standalone(ScenarioDocument, 'scenario.schema.json', 'firebreak Scenario'),
    'plan.schema.json': standalone(PlanDocument, 'plan.schema.json', 'firebreak RolloutPlan'),
  };
}

/**
 * Parts used in several places, written once under `definitions` and
 * referenced: the model overrides alone appear twice in a scenario, the
 * selector a dozen times.
 */
const SHARED: Readonly<Record<string, TSchema>> = {
  ModelPatch: ModelPatchSchema,
  ClusterSelector: SelectorSchema,
  Cluster: ClusterSpecSchema,
  FleetGenerate: FleetGenerateSchema,
};

function standalone(schema: TSchema, file: string, title: string): object {
  // Matched by JSON text: TypeBox's Optional wraps a copy, and the text drops its symbol-keyed metadata.
  const shared = Object.entries(SHARED).map(([name, s]) => [name, JSON.stringify(s)] as const);
  const definitions: Record<string, unknown> = {};
  const walk = (node: unknown, root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (typeof node !== 'object' || node === null) return node;
    if (!root) {
      const text = JSON.stringify(node);
      const hit = shared.find(([, t]) => t === text);
      if (hit !== undefined) {
        definitions[hit[0]] = JSON.parse(text);
        return { $ref: `#/definitions/${hit[0]}` };
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, false)]));
  };
  const body = walk(schema, true) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: `${SCHEMA_BASE_URL}${file}`, title, ...body, definitions };
}
