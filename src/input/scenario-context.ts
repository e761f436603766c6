/**
 * One scenario compilation's shared state: the document it reports problems
 * in and what the parts compiled first resolved for the parts after them
 * (time zone, start, duration, clusters, model). The compilers of each part
 * (times.ts, units.ts, selector.ts, change.ts, events.ts, operators.ts,
 * alerts.ts, model-override.ts) are plain functions over it; scenario.ts
 * runs them in order.
 *
 * @example
 *   const ctx = new ScenarioContext(doc, problems, { hasChange: true, breakGlass: false });
 *   ctx.add(['spec', 'duration'], 'expected a duration > 0, got 0s');
 */
import type { Cluster, ClusterSelector } from '../model/fleet.ts';
import { DEFAULT_MODEL } from '../model/defaults.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import type { Problems } from './validate.ts';
import type { Path, YamlDocument } from './yaml.ts';

/** Model overrides for the clusters a selector picks (spec.clusterModels). */
export interface ClusterModel {
  readonly clusters: ClusterSelector;
  readonly model: ModelConfig;
}

export class ScenarioContext {
  readonly doc: YamlDocument;
  readonly problems: Problems;
  /** Whether spec.change is set (the pipeline and some actions need it). */
  readonly hasChange: boolean;
  /** Whether spec.operators.breakGlass adds the break-glass priority level. */
  readonly breakGlass: boolean;
  zone = 'UTC';
  startMs: number | undefined;
  durationS: number | undefined;
  clusters: readonly Cluster[] = [];
  model: ModelConfig = DEFAULT_MODEL;
  clusterModels: ClusterModel[] = [];

  constructor(doc: YamlDocument, problems: Problems, spec: { readonly hasChange: boolean; readonly breakGlass: boolean }) {
    this.doc = doc;
    this.problems = problems;
    this.hasChange = spec.hasChange;
    this.breakGlass = spec.breakGlass;
  }

  /** Reports a problem at `path` of the scenario file. */
  add(path: Path, message: string, hint?: string): void {
    this.problems.add(this.doc, path, message, hint);
  }
}
