/**
 * TypeBox schema of the Scenario document (`kind: Scenario`): the run's
 * start, time zone, duration and step, its fleet (a file or inline), model
 * overrides, the change, the pipeline and events, operators and alerts. The
 * parts live with their compilers (change.ts, events.ts, operators.ts,
 * alerts.ts, selector.ts; the model overrides in schema.ts); this file puts
 * them together. What JSON Schema cannot express is checked by scenario.ts.
 *
 * @example
 *   schemaProblems(ScenarioDocument, doc.value, doc); // Problem[]
 */
import { Type, type Static } from '@sinclair/typebox';
import { AlertSchema } from './alerts.ts';
import { ChangeSchema } from './change.ts';
import { EventSchema, PipelineSchema } from './events.ts';
import { fleetSpecProperties } from './fleet-schema.ts';
import { OperatorsSchema } from './operators.ts';
import { DNS_SUBDOMAIN_PATTERN, TIMESTAMP_PATTERN } from './patterns.ts';
import { ModelPatchSchema } from '../model/model-patch.ts';
import { ApiVersion, duration, metadata, obj, opt } from './schema-kit.ts';
import { SelectorSchema } from './selector.ts';

export const ScenarioSpecSchema = obj(
  {
    start: Type.String({ pattern: TIMESTAMP_PATTERN, description: 'Start of the run: an ISO timestamp; without an offset it is wall time in timeZone.' }),
    timeZone: opt(Type.String({ minLength: 1, description: 'Time zone of the scenario: an IANA name (America/Los_Angeles), an offset (-08:00) or UTC. Default: "UTC".' })),
    duration: duration('Length of the run (more than 0, at most 7d).'),
    step: opt(duration('Simulation step (1s to 60s). Default: 1s.')),
    fleet: obj(
      {
        file: opt(Type.String({ minLength: 1, description: 'Path of a Fleet file, relative to this scenario file.' })),
        ...fleetSpecProperties,
      },
      'The fleet: either `file` (a Fleet document), or inline `clusters` and/or `generate`.',
    ),
    model: opt(ModelPatchSchema),
    clusterModels: opt(
      Type.Array(
        obj(
          {
            clusters: SelectorSchema,
            model: ModelPatchSchema,
          },
          'Model overrides for the selected clusters, on top of spec.model.',
        ),
        { description: 'Per-cluster model overrides, applied in order to matching clusters.' },
      ),
    ),
    change: opt(ChangeSchema),
    pipeline: opt(PipelineSchema),
    events: opt(Type.Array(EventSchema, { description: 'Scheduled actions and faults.' })),
    operators: opt(OperatorsSchema),
    alerts: opt(Type.Array(AlertSchema, { description: 'Alert rules; when given they replace the default rules (see docs/scenario-format.md).' })),
  },
  'What to simulate.',
);

export const ScenarioDocument = obj(
  {
    apiVersion: ApiVersion,
    kind: Type.Literal('Scenario', { description: 'Document kind: Scenario.' }),
    metadata: metadata('scenario', DNS_SUBDOMAIN_PATTERN),
    spec: ScenarioSpecSchema,
  },
  'A scenario for the firebreak fleet twin: a fleet, a change, scheduled events and incident response.',
);

export type ScenarioSpecInput = Static<typeof ScenarioSpecSchema>;
export type ScenarioDocumentInput = Static<typeof ScenarioDocument>;
