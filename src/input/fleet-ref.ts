/**
 * The fleet a scenario or a plan gives in `spec.fleet`: either `file`, a
 * Fleet file named relative to the referring file, or the Fleet fields
 * (`clusters`, `generate`) inline. One loader for both formats, with the
 * same messages: a missing file, a directory, a document of another kind
 * (reported at `spec.fleet.file` of the referring file), or the fleet file's
 * own problems (reported in the fleet file, under its name as the user
 * wrote it, so that they read `fleets/x.yaml:3:5` next to
 * `scenarios/y.yaml:7:9`).
 *
 * The referenced file is loaded in the structure phase, even when the
 * referring file has problems of its own, so that one run reports both;
 * `compileFleetField` then picks the clusters in the semantic phase.
 *
 * @example
 *   const ref = fleetFileRef(doc.value);
 *   const fileClusters = ref === undefined ? undefined : loadReferencedFleet(ref, doc, problems, 'scenario');
 *   problems.throwIfAny();
 *   const clusters = compileFleetField(spec.fleet, fileClusters, doc, problems, 'e.g. `fleet: { file: ../fleets/example.yaml }`');
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { Cluster } from '../model/fleet.ts';
import { compileFleet, compileFleetDocument } from './fleet.ts';
import type { FleetSpecInput } from './fleet-schema.ts';
import { relativeHint } from './read.ts';
import { type Problems, wrongKind } from './validate.ts';
import { readYamlFile, type Path, type YamlDocument } from './yaml.ts';

/** The kinds of file that name a fleet, as hints name them ("relative to this plan file's directory"). */
export type FleetReferrer = 'scenario' | 'plan';

/** `spec.fleet.file` of a document that may not have passed the schema. */
export function fleetFileRef(value: unknown): string | undefined {
  const spec = (value as { spec?: { fleet?: { file?: unknown } } } | null)?.spec;
  const file = typeof spec === 'object' && spec !== null ? spec.fleet?.file : undefined;
  return typeof file === 'string' && file !== '' ? file : undefined;
}

/**
 * The clusters of the Fleet file `ref` names, relative to `doc`'s file;
 * undefined, with every problem added to `problems`, when it cannot be read
 * or is not a valid Fleet.
 */
export function loadReferencedFleet(ref: string, doc: YamlDocument, problems: Problems, from: FleetReferrer): Cluster[] | undefined {
  // The fleet file is named relative to the referring file as the user named it,
  // so its problems read `fleets/x.yaml:3:5` next to `scenarios/y.yaml:7:9`.
  const file = isAbsolute(ref) ? ref : join(dirname(doc.file), ref);
  const at: Path = ['spec', 'fleet', 'file'];
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    problems.add(doc, at, `fleet file not found: ${JSON.stringify(ref)} (resolved to ${resolve(file)})`, relativeHint(doc.file, from));
    return undefined;
  }
  if (!isFile) {
    problems.add(doc, at, `fleet file ${JSON.stringify(ref)} is not a file (resolved to ${resolve(file)})`, 'point spec.fleet.file at a Fleet YAML file');
    return undefined;
  }
  try {
    const fleetDoc = readYamlFile(file);
    const wrong = wrongKind(fleetDoc, 'Fleet');
    if (wrong !== undefined) {
      problems.add(doc, at, `fleet file ${JSON.stringify(ref)} (${resolve(file)}): ${wrong.message}`, 'spec.fleet.file must name a Fleet document (kind: Fleet)');
      return undefined;
    }
    return compileFleetDocument(fleetDoc).clusters;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}

/** `spec.fleet` of a scenario or plan that passed its schema: a file reference or inline Fleet fields. */
export interface FleetField extends FleetSpecInput {
  readonly file?: string;
}

/**
 * The clusters of `spec.fleet`: those of the referenced file (`fileClusters`,
 * loaded by loadReferencedFleet), or the inline fleet compiled. Reports a
 * field that gives both or neither (`noFleetHint` says what to do instead);
 * undefined when there are no clusters to use.
 */
export function compileFleetField(fleet: FleetField, fileClusters: Cluster[] | undefined, doc: YamlDocument, problems: Problems, noFleetHint: string): Cluster[] | undefined {
  const path: Path = ['spec', 'fleet'];
  const inline = fleet.clusters !== undefined || fleet.generate !== undefined;
  if (fleet.file !== undefined && inline) {
    problems.add(doc, [...path, 'file'], 'give either `file` or inline `clusters`/`generate`, not both', 'move the inline clusters into the fleet file, or remove `file`');
    return fileClusters;
  }
  if (fleet.file !== undefined) return fileClusters;
  if (!inline) {
    problems.add(doc, path, 'no fleet: give `file` (a Fleet file) or inline `clusters` and/or `generate`', noFleetHint);
    return undefined;
  }
  return compileFleet(fleet, doc, path, problems);
}
