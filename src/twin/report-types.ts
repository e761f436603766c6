/**
 * The run report: the stable JSON that `firebreak simulate --json` prints
 * (documented in docs/report-format.md) and the series the HTML report draws.
 * Times are ISO 8601 strings with the scenario's UTC offset; null = never.
 */
import type { SizeClass } from '../model/fleet.ts';

/**
 * v2 (from v1): the timeline folds an alert's repeated transitions on one cluster into one entry
 * (`repeats`); `fleet.fullRecoveryAt` covers every cluster (no cluster degraded, no alert firing),
 * with `fleet.controlPlanesRecoveredAt` for the lost control planes alone; `atEnd` per cluster and
 * for the fleet; `changeRemovedAt` per cluster.
 */
export const REPORT_SCHEMA_VERSION = 'firebreak.dev/report/v2';

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
  /**
   * Only on the entry that stands for an alert's repeated transitions on one cluster (it fired more
   * than once): the counts and span of all its transitions. The first firing and the last
   * transition are also listed as entries of their own, as they happened; the transitions between
   * them are folded into this entry, which sits at the first of them.
   */
  readonly repeats?: AlertRepeats;
}

export interface AlertRepeats {
  readonly rule: string;
  /** Firings and resolutions over the whole run, the listed first and last included. */
  readonly firings: number;
  readonly resolutions: number;
  /** The first firing and the last transition. */
  readonly firstAt: string;
  readonly lastAt: string;
  /** The transitions folded into this entry (all but the first firing and the last transition). */
  readonly folded: number;
  /** Still firing at the end of the run. */
  readonly firingAtEnd: boolean;
}

/** A cluster at the end of the run. */
export interface ClusterEnd {
  /**
   * Degraded: its last minute was not healthy (ordinary API success < 95 %, p99 ≥ 10 s, or ≥ 5 %
   * of requests rejected with 429), an alert still fires on it, or its control plane is lost.
   */
  readonly degraded: boolean;
  /** Rules still firing on it, in rule order. */
  readonly alertsFiring: readonly string[];
  readonly changeDeployed: boolean;
}

export interface ClusterReport {
  readonly name: string;
  readonly nodes: number;
  readonly sizeClass: SizeClass;
  readonly changeAppliedAt: string | null;
  /** When the change was last removed (deleted or killed); null if it was never removed. */
  readonly changeRemovedAt: string | null;
  readonly controlPlane: {
    readonly lostAt: string | null;
    readonly recoveredAt: string | null;
    /**
     * API server restarts of every cause: apiServerOomKills + apiServerInjectedKills + restarts of
     * other causes (none in today's model).
     */
    readonly apiServerRestarts: number;
    /** Replicas killed for exceeding their memory limit. */
    readonly apiServerOomKills: number;
    /** Replicas killed by an injected fault (the `kill-apiservers` action). */
    readonly apiServerInjectedKills: number;
    readonly peakMemoryRatio: number;
    readonly minSuccessRatio: number;
  };
  readonly dataPlane: {
    readonly firstErrorsAt: string | null;
    readonly peakErrorRate: number;
  };
  readonly atEnd: ClusterEnd;
}

export interface FleetReport {
  readonly clusters: number;
  readonly nodes: number;
  readonly clustersLost: number;
  readonly firstAlertAt: string | null;
  readonly firstCustomerImpactAt: string | null;
  readonly maxImpactAt: string | null;
  /** Every lost control plane recovered: the last `recoveredAt`; null when none was lost or one never recovered. */
  readonly controlPlanesRecoveredAt: string | null;
  /**
   * Full recovery (docs/report-format.md): from this minute to the end of the run every lost control
   * plane is back, no cluster is degraded, no alert fires and the fleet error rate is below 0.1 %;
   * null when that is never reached, or when nothing was lost and customers saw no impact.
   */
  readonly fullRecoveryAt: string | null;
  /** Peak of the fleet's 1-minute customer error rate, 0..1. */
  readonly peakErrorRate: number;
  /** 1 − failed customer requests / all customer requests over the run. */
  readonly availability: number;
  readonly atEnd: FleetEnd;
}

/** The fleet at the end of the run. */
export interface FleetEnd {
  /** Clusters degraded (ClusterEnd.degraded). */
  readonly clustersDegraded: number;
  /** Lost control planes not recovered. */
  readonly controlPlanesLost: number;
  /** Alerts still firing (cluster and rule pairs). */
  readonly alertsFiring: number;
  /** Clusters that still run the change, and how many of them are degraded. */
  readonly changeDeployed: number;
  readonly degradedWithChange: number;
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
  /** apiserver_cpu_ratio, apf_seat_saturation, etcd_latency_seconds. */
  readonly cpuRatio: readonly number[];
  readonly apfSaturation: readonly number[];
  readonly etcdLatencySeconds: readonly number[];
}

export interface RunSeries {
  /** Epoch ms of each minute sample. */
  readonly t: readonly number[];
  readonly fleetErrorRate: readonly number[];
  /** Clusters whose control plane is lost at each minute. */
  readonly clustersLost: readonly number[];
  readonly bySizeClass: Readonly<Partial<Record<SizeClass, SizeClassSeries>>>;
}
