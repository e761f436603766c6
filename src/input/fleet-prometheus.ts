/**
 * How a fleet's clusters are named in Prometheus (`spec.prometheus` of a
 * Fleet file, docs/fleet-format.md): the label that carries the cluster
 * (`cluster` by default, the name kube-prometheus and kubernetes-mixin use:
 * kubernetes-monitoring/kubernetes-mixin config.libsonnet `clusterLabel`),
 * each cluster's value of it (its name unless `clusters[].prometheus.label`
 * says otherwise), and the label matchers that select the API server's
 * series (kubernetes-mixin `kubeApiserverSelector: 'job="kube-apiserver"'`;
 * firebreak's default is `job="apiserver"`, the job name of kube-prometheus'
 * ServiceMonitor and of `twin serve --prometheus-config`).
 *
 * @example
 *   const { prometheus } = loadFleetFile('fleet.yaml');
 *   prometheus.clusterLabel; // 'cluster'
 *   prometheus.values.get('prod-a'); // 'prod-a'
 */
import { Type } from '@sinclair/typebox';
import type { Cluster } from '../model/fleet.ts';
import { obj, opt } from './schema-kit.ts';

export const DEFAULT_CLUSTER_LABEL = 'cluster';
export const DEFAULT_APISERVER_SELECTOR = 'job="apiserver"';

/** A Prometheus label name (prometheus/prometheus docs/concepts/data_model.md: [a-zA-Z_][a-zA-Z0-9_]*). */
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
/** One or more label matchers, comma-separated: name op "value" (prometheus/prometheus docs/querying/basics.md). */
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"`;
const MATCHERS = String.raw`^\s*${MATCHER}(\s*,\s*${MATCHER})*\s*$`;

export const FleetPrometheusSchema = obj(
  {
    clusterLabel: opt(Type.String({ pattern: LABEL_NAME, maxLength: 128, description: `The label that names the cluster of a series. Default: "${DEFAULT_CLUSTER_LABEL}".` })),
    apiserverSelector: opt(Type.String({ pattern: MATCHERS, maxLength: 1024, description: `Label matchers of the API server's series ($apiserver in the queries). Default: '${DEFAULT_APISERVER_SELECTOR}'.` })),
  },
  'How the fleet is named in Prometheus, for gates read through PromQL.',
);

export const ClusterPrometheusSchema = obj(
  {
    label: Type.String({ minLength: 1, maxLength: 253, description: "This cluster's value of the cluster label. Default: the cluster's name." }),
  },
  'How this cluster is named in Prometheus.',
);

export interface FleetPrometheus {
  readonly clusterLabel: string;
  readonly apiserverSelector: string;
  /** Cluster name → its value of the cluster label (every cluster of the fleet). */
  readonly values: ReadonlyMap<string, string>;
}

/** The fleet's Prometheus naming; `own` gives each explicit cluster's label value. */
export function fleetPrometheus(spec: { readonly prometheus?: { readonly clusterLabel?: string; readonly apiserverSelector?: string } } | undefined, clusters: readonly Cluster[], own: ReadonlyMap<string, string>): FleetPrometheus {
  return {
    clusterLabel: spec?.prometheus?.clusterLabel ?? DEFAULT_CLUSTER_LABEL,
    apiserverSelector: spec?.prometheus?.apiserverSelector?.trim() ?? DEFAULT_APISERVER_SELECTOR,
    values: new Map(clusters.map((c) => [c.name, own.get(c.name) ?? c.name])),
  };
}

/** The default naming over `clusters` (a fleet given without a Fleet file). */
export function defaultFleetPrometheus(clusters: readonly Cluster[]): FleetPrometheus {
  return fleetPrometheus(undefined, clusters, new Map());
}
