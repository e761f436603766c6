/**
 * The Fleet input format: a YAML file (`kind: Fleet`) or the same `clusters`
 * / `generate` fields inline in a scenario's `spec.fleet`, compiled into the
 * Cluster list the twin, the analyzer and the orchestrator share.
 *
 * @example
 *   const { name, clusters } = loadFleetFile('fleets/openai-like.yaml');
 *   // throws InputError listing every problem, located: file:line:column, field path, fix
 */
import { expandFleet, type Cluster } from '../model/fleet.ts';
import { InputError } from '../core/errors.ts';
import { fleetAccess, type FleetAccess } from './fleet-access.ts';
import { fleetPrometheus, type FleetPrometheus } from './fleet-prometheus.ts';
import { FleetDocument, type FleetDocumentInput, type FleetSpecInput } from './fleet-schema.ts';
import { Problems, schemaProblems, wrongKind } from './validate.ts';
import { formatPath, parseYaml, readYamlFile, type Path, type Source, type YamlDocument } from './yaml.ts';

export interface LoadedFleet {
  readonly name: string;
  readonly clusters: Cluster[];
  /** How each cluster is reached through the Kubernetes API (src/input/fleet-access.ts), by cluster, in fleet order. */
  readonly access: FleetAccess;
  /** How its clusters are named in Prometheus (src/input/fleet-prometheus.ts). */
  readonly prometheus: FleetPrometheus;
}

/** Reads, validates and expands a Fleet file. Throws InputError with every problem found. */
export function loadFleetFile(file: string): LoadedFleet {
  return compileFleetDocument(readYamlFile(file));
}

/** Validates and expands Fleet YAML text; `file` names it in problems. */
export function parseFleet(text: string, file: string): LoadedFleet {
  return compileFleetDocument(parseYaml(text, file));
}

/** Validates and expands a parsed Fleet document. Throws InputError with every problem found. */
export function compileFleetDocument(doc: YamlDocument): LoadedFleet {
  const kind = wrongKind(doc, 'Fleet');
  if (kind !== undefined) throw new InputError([kind]);
  const problems = new Problems();
  problems.push(...schemaProblems(FleetDocument, doc.value, doc));
  problems.throwIfAny();
  const input = doc.value as FleetDocumentInput;
  const clusters = compileFleet(input.spec, doc, ['spec'], problems);
  const access = fleetAccess(input.spec, clusters, doc, problems);
  problems.throwIfAny();
  const labels = new Map((input.spec.clusters ?? []).flatMap((c) => (c.prometheus !== undefined ? [[c.name, c.prometheus.label] as const] : [])));
  return { name: input.metadata.name, clusters, access, prometheus: fleetPrometheus(input.spec, clusters, labels) };
}

/** Generated fleets are the same for every run seed; this one unless `generate.seed` says otherwise. */
const DEFAULT_FLEET_SEED = 1;

/**
 * Expands fleet fields that passed the schema (FleetSpecSchema, or the same
 * fields inline in a scenario at `path`) into clusters, adding to `problems`
 * what the schema cannot check: at least one cluster, min ≤ median ≤ max,
 * unique names across explicit and generated clusters.
 */
export function compileFleet(spec: FleetSpecInput, source: Source, path: Path, problems: Problems): Cluster[] {
  const before = problems.size;
  if (spec.clusters === undefined && spec.generate === undefined) {
    problems.add(source, path, 'the fleet has no clusters: give `clusters`, `generate`, or both', 'add e.g. `clusters: [{ name: prod-a, nodes: 500 }]`');
    return [];
  }
  if (spec.clusters !== undefined && spec.clusters.length === 0 && spec.generate === undefined) {
    problems.add(source, [...path, 'clusters'], 'the fleet has no clusters: the list is empty', 'list at least one cluster, or add `generate`');
  }

  let g = spec.generate;
  if (g !== undefined) {
    const { min, max, median } = g.nodes;
    const at: Path = [...path, 'generate', 'nodes'];
    if (min > max) {
      problems.add(source, [...at, 'max'], `max (${max}) is less than min (${min})`, 'swap them, or make max ≥ min');
      g = undefined;
    } else if (median < min || median > max) {
      problems.add(source, [...at, 'median'], `median (${median}) must be between min (${min}) and max (${max})`, 'the median is the typical cluster size; put it inside [min, max]');
      g = undefined;
    }
  }

  // Without a usable `generate`, the explicit clusters are still checked.
  const clusters = expandFleet(g === undefined ? { clusters: spec.clusters ?? [] } : spec, g?.seed ?? DEFAULT_FLEET_SEED);
  // Explicit clusters come first in expandFleet's output, with the same indexes as in the input.
  const explicit = spec.clusters?.length ?? 0;
  const firstIndex = new Map<string, number>();
  clusters.forEach((c, i) => {
    const first = firstIndex.get(c.name);
    if (first === undefined) {
      firstIndex.set(c.name, i);
      return;
    }
    if (i < explicit) {
      const firstPath = formatPath([...path, 'clusters', first]);
      problems.add(source, [...path, 'clusters', i, 'name'], `duplicate cluster name \`${c.name}\` (also ${firstPath})`, 'cluster names must be unique across the fleet');
    } else if (first < explicit && g !== undefined) {
      const last = clusters[clusters.length - 1]?.name ?? '';
      problems.add(
        source,
        [...path, 'clusters', first, 'name'],
        `cluster name \`${c.name}\` is also the name of a generated cluster (generate names its clusters ${clusters[explicit]?.name ?? ''} to ${last})`,
        'rename the cluster, or set another generate.namePrefix',
      );
    }
  });
  return problems.size > before ? [] : clusters;
}
