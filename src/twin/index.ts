/**
 * The fleet twin's public face — the only file of src/twin that code outside
 * it imports (test/architecture.test.ts): the `Twin` and its controller
 * surface `TwinApi`, the scenario it runs, the report it writes, and the
 * value types their signatures use (the metric names alert rules and gates
 * read). The cluster model, the engine's rooms, the recorder and the other
 * internals stay behind it.
 *
 * @example
 *   import { Twin, type Scenario } from '../twin/index.ts';
 *   const twin = new Twin(scenario, { seed: 1 });
 *   twin.run();
 *   const { report } = twin.result();
 */
export { Twin, type TwinOptions } from './engine.ts';
export type { ApfQueues, ChangeWorkload, Controller, RequestOutcome, SubmittedRequest, TwinApi } from './api.ts';
export { TwinError, type TwinErrorCode } from './errors.ts';
export type { Action, AlertRule, BlockSource, ChangeSpec, OperatorsSpec, PipelineSpec, RemediesSpec, Scenario, ScheduledEvent } from './scenario.ts';
export { METRIC_NAMES, type LevelSample, type MetricName, type MetricSample, type ReplicaSample, type RequestClassSample, type StoredObjects } from './metrics.ts';
export {
  REPORT_SCHEMA_VERSION,
  type AlertRepeats,
  type ClusterEnd,
  type ClusterReport,
  type FleetEnd,
  type FleetReport,
  type RunReport,
  type RunSeries,
  type SizeClassSeries,
  type TimelineEntry,
  type TimelineKind,
} from './report-types.ts';
