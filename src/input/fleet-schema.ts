/**
 * TypeBox schema of the Fleet document (`kind: Fleet`), and of the same
 * `clusters` / `generate` fields that a scenario or a plan may give inline
 * in its `spec.fleet`. fleet.ts compiles what passes it; what JSON Schema
 * cannot express (unique names, min ≤ median ≤ max) is checked there.
 *
 * @example
 *   schemaProblems(FleetDocument, doc.value, doc); // Problem[]
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_PODS_PER_NODE } from '../model/kubernetes.ts';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN } from './patterns.ts';
import { ApiVersion, metadata, obj, opt, stringMap } from './schema-kit.ts';

/** Pods of one cluster: 100,000 nodes (the largest cluster the formats allow) × 100 pods. */
export const MAX_PODS = 10_000_000;

export const ClusterSpecSchema = obj(
  {
    name: Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 63, description: 'Cluster name: a DNS label, unique across the fleet (generated names included).' }),
    nodes: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Number of nodes (1 to 100000).' }),
    pods: opt(Type.Integer({ minimum: 0, maximum: MAX_PODS, description: `Number of pods (0 to ${MAX_PODS}). Default: nodes × ${DEFAULT_PODS_PER_NODE}.` })),
    labels: opt(stringMap('Labels that cluster selectors match (matchLabels). Default: none.')),
  },
  'One cluster of the fleet.',
);

export const FleetGenerateSchema = obj(
  {
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Number of synthetic clusters (1 to 10000).' }),
    nodes: obj(
      {
        min: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Smallest node count (1 to 100000).' }),
        max: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Largest node count (1 to 100000), at least `median`.' }),
        median: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Median node count, between `min` and `max`.' }),
      },
      'Node counts of the generated clusters: log-normal around the median, clipped to [min, max], as cluster sizes in real fleets are heavy-tailed.',
    ),
    namePrefix: opt(Type.String({ pattern: DNS_LABEL_PATTERN, maxLength: 50, description: 'Generated clusters are named <namePrefix>-<number>. Default: "gen".' })),
    labels: opt(stringMap('Labels given to every generated cluster. Default: none.')),
    seed: opt(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Seed of the generator. The fleet depends only on this seed, not on the run seed. Default: 1.' })),
  },
  'A seeded synthetic fleet, added after the explicit clusters.',
);

/** The fleet fields, also given inline in a scenario's spec.fleet. */
export const fleetSpecProperties = {
  clusters: opt(Type.Array(ClusterSpecSchema, { maxItems: 10_000, description: 'Explicit clusters.' })),
  generate: opt(FleetGenerateSchema),
};

export const FleetSpecSchema = obj(fleetSpecProperties, 'The clusters: explicit ones and/or a generated fleet (at least one of the two).');

export const FleetDocument = obj(
  {
    apiVersion: ApiVersion,
    kind: Type.Literal('Fleet', { description: 'Document kind: Fleet.' }),
    metadata: metadata('fleet', DNS_SUBDOMAIN_PATTERN),
    spec: FleetSpecSchema,
  },
  'A fleet of Kubernetes clusters for the firebreak twin, analyzer and orchestrator.',
);

export type FleetSpecInput = Static<typeof FleetSpecSchema>;
export type FleetDocumentInput = Static<typeof FleetDocument>;
