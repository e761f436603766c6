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
import { ClusterPrometheusSchema, FleetPrometheusSchema } from './fleet-prometheus.ts';
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

const IdentitySchema = obj(
  {
    user: opt(Type.String({ minLength: 1, maxLength: 253, description: 'A user of the kubeconfig (its `users[].name`), sent to the cluster of the context.' })),
    tokenFile: opt(Type.String({ minLength: 1, description: 'A file holding a bearer token (e.g. a service-account token), relative to the fleet file; sent to the cluster of the context.' })),
    context: opt(Type.String({ minLength: 1, maxLength: 253, description: 'Send this identity\'s requests to the API server of this kubeconfig context instead of the cluster\'s own (e.g. a dedicated break-glass API server); `{cluster}` stands for the cluster\'s name. Alone, the context\'s own user is the identity.' })),
  },
  'Who requests are sent as: a kubeconfig user or a token file (at most one; neither with `context`: that context\'s user), and optionally where to (`context`).',
);

const IdentitiesSchema = obj(
  {
    ordinary: opt(IdentitySchema),
    breakGlass: opt(IdentitySchema),
  },
  'The orchestrator’s identities. `ordinary`: every request but the break-glass delete (default: the context’s own user). `breakGlass`: the rollback’s deletes through the break-glass identity (default: none; a plan whose rollback may use break-glass then refuses to start).',
);

/** How firebreak reaches one cluster through the Kubernetes API (used by `rollout run` and `breakglass`). */
export const ClusterKubeconfigSchema = obj(
  {
    context: Type.String({ minLength: 1, maxLength: 253, description: 'The kubeconfig context of this cluster. Default (no `kubeconfig` field): the context named as the cluster.' }),
    file: opt(Type.String({ minLength: 1, description: 'A kubeconfig file for this cluster, relative to the fleet file. Default: the fleet’s `kubeconfig.file`, or `--kubeconfig`.' })),
    identities: opt(IdentitiesSchema),
  },
  'How to reach the cluster: a kubeconfig context (and file), and the identities to use.',
);

/** Fleet-wide defaults of how clusters are reached. */
export const FleetKubeconfigSchema = obj(
  {
    file: opt(Type.String({ minLength: 1, description: 'The kubeconfig file, relative to the fleet file. `--kubeconfig` overrides it. Default: $KUBECONFIG (its first path), else ~/.kube/config, as kubectl.' })),
    identities: opt(IdentitiesSchema),
  },
  'How every cluster is reached unless its own `kubeconfig` says otherwise.',
);

/** A Fleet file's cluster: the shared fields and how to reach it. */
export const FleetClusterSpecSchema = obj(
  {
    ...ClusterSpecSchema.properties,
    kubeconfig: opt(ClusterKubeconfigSchema),
    prometheus: opt(ClusterPrometheusSchema),
  },
  'One cluster of the fleet.',
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
    spec: obj(
      {
        ...fleetSpecProperties,
        clusters: opt(Type.Array(FleetClusterSpecSchema, { maxItems: 10_000, description: 'Explicit clusters.' })),
        kubeconfig: opt(FleetKubeconfigSchema),
        prometheus: opt(FleetPrometheusSchema),
      },
      'The clusters: explicit ones and/or a generated fleet (at least one of the two), and how to reach them.',
    ),
  },
  'A fleet of Kubernetes clusters for the firebreak twin, analyzer and orchestrator.',
);

export type FleetSpecInput = Static<typeof FleetSpecSchema>;
export type FleetDocumentInput = Static<typeof FleetDocument>;
export type ClusterKubeconfigInput = Static<typeof ClusterKubeconfigSchema>;
export type FleetKubeconfigInput = Static<typeof FleetKubeconfigSchema>;
export type IdentityInput = Static<typeof IdentitySchema>;
