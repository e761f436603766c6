/**
 * The run report: the stable JSON that `firebreak simulate --json` prints
 * (documented in docs/report-format.md) and the series the HTML report draws.
 * Times are ISO 8601 strings with the scenario's UTC offset; null = never.
 */
import type { SizeClass } from '../model/fleet.ts';

export const REPORT_SCHEMA_VERSION = 'firebreak.dev/report/v1';

export type TimelineKind =
  | 'change' // change applied / removed on a cluster, pipeline start and end
  | 'alert' // an alert rule fired or resolved
  | 'control-plane' // control plane lost / recovered, API server OOM kills
  | 'dns' // CoreDNS failing / recovered
  | 'impact' // customer impact thresholds crossed (fleet)
  | 'operator' // an operator action and its result
  | 'fault'; // an injected fault

export interface TimelineEntry {
  readonly at: string;
  readonly kind: TimelineKind;
  /** null for fleet-wide entries. */
  readonly cluster: string | null;
  readonly message: string;
}

export interface ClusterReport {
  readonly name: string;
  readonly nodes: number;
  readonly sizeClass: SizeClass;
  readonly changeAppliedAt: string | null;
  readonly controlPlane: {
    readonly lostAt: string | null;
    readonly recoveredAt: string | null;
    readonly apiServerRestarts: number;
    readonly peakMemoryRatio: number;
    readonly minSuccessRatio: number;
  };
  readonly dataPlane: {
    readonly firstErrorsAt: string | null;
    readonly peakErrorRate: number;
  };
}

export interface FleetReport {
  readonly clusters: number;
  readonly nodes: number;
  readonly clustersLost: number;
  readonly firstAlertAt: string | null;
  readonly firstCustomerImpactAt: string | null;
  readonly maxImpactAt: string | null;
  readonly fullRecoveryAt: string | null;
  /** Peak of the fleet's 1-minute customer error rate, 0..1. */
  readonly peakErrorRate: number;
  /** 1 − failed customer requests / all customer requests over the run. */
  readonly availability: number;
}

export interface RunReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly scenario: {
    readonly name: string;
    readonly description: string;
    readonly start: string;
    readonly end: string;
    readonly timeZone: string;
    readonly stepSeconds: number;
  };
  readonly seed: number;
  readonly clusters: readonly ClusterReport[];
  readonly fleet: FleetReport;
  readonly timeline: readonly TimelineEntry[];
}

/** Per-minute series for charts (not part of the JSON report). */
export interface SizeClassSeries {
  readonly clusters: number;
  /** Mean over the class's clusters, one value per minute. */
  readonly p99Seconds: readonly number[];
  readonly rate429: readonly number[];
  readonly successRatio: readonly number[];
  readonly dnsCacheValid: readonly number[];
  readonly dnsServfail: readonly number[];
  readonly memoryRatio: readonly number[];
  readonly errorRate: readonly number[];
}

export interface RunSeries {
  /** Epoch ms of each minute sample. */
  readonly t: readonly number[];
  readonly fleetErrorRate: readonly number[];
  /** Clusters whose control plane is lost at each minute. */
  readonly clustersLost: readonly number[];
  readonly bySizeClass: Readonly<Partial<Record<SizeClass, SizeClassSeries>>>;
}
