/**
 * A synthetic worst case for the HTML report, built directly (no twin run):
 * 1,000 clusters over 2 days, each with an alert flapping every 15 s for the
 * whole run (folded as the recorder folds it), every control plane lost, a
 * delete attempt per minute for an hour and a CoreDNS failure per hour on
 * every cluster, and per-minute series with a peak in every minute.
 */
import { REPORT_SCHEMA_VERSION, type ClusterReport, type RunReport, type RunSeries, type SizeClassSeries, type TimelineEntry } from '../../src/twin/index.ts';
import { sizeClass } from '../../src/model/fleet.ts';
import { formatIso } from '../../src/core/time.ts';
import { foldTimeline, type RawEntry } from '../../src/twin/timeline.ts';

export const WORST_CLUSTERS = 1000;
export const WORST_HOURS = 48;
/** Seconds between two transitions of each cluster's flapping alert. */
export const FLAP_EVERY_S = 15;
const ZONE = 'America/Los_Angeles';
const START = Date.parse('2024-12-11T00:00:00-08:00');

export interface WorstCase {
  readonly report: RunReport;
  readonly series: RunSeries;
  /** Transitions each cluster's alert made (all folded into the report's timeline). */
  readonly transitionsPerCluster: number;
}

export function worstCase(): WorstCase {
  const durationS = WORST_HOURS * 3600;
  const iso = (t: number): string => formatIso(START + t * 1000, ZONE);
  const clusters: ClusterReport[] = [];
  const timeline: TimelineEntry[] = [];
  const transitionsPerCluster = durationS / FLAP_EVERY_S;
  for (let i = 0; i < WORST_CLUSTERS; i++) {
    const name = `prod-${String(i).padStart(4, '0')}`;
    const nodes = 50 + ((i * 7919) % 7450);
    const applied = 600 + i * 6;
    const lost = applied + 120;
    const recovered = i % 2 === 0 ? lost + 3600 + (i % 97) * 600 : null;
    const raw: RawEntry[] = [];
    let seq = 0;
    raw.push({ t: applied, seq: seq++, kind: 'change', cluster: name, message: 'telemetry-agent applied to 100 % of nodes (pipeline)' });
    raw.push({ t: lost, seq: seq++, kind: 'control-plane', cluster: name, message: 'control plane lost (ordinary API success 0.0 %, p99 60 s)' });
    if (recovered !== null) raw.push({ t: recovered, seq: seq++, kind: 'control-plane', cluster: name, message: 'control plane recovered' });
    for (let k = 0; k < transitionsPerCluster; k++) {
      const firing = k % 2 === 0;
      raw.push({
        t: k * FLAP_EVERY_S,
        seq: seq++,
        kind: 'alert',
        cluster: name,
        message: firing ? 'KubeAPIServerUnavailable firing (critical): apiserver_success_ratio = 0.000 < 0.9 for 2 min' : 'KubeAPIServerUnavailable resolved',
        alert: { rule: 'KubeAPIServerUnavailable', firing },
      });
    }
    for (let m = 0; m < 60; m++) raw.push({ t: lost + 60 * m, seq: seq++, kind: 'operator', cluster: name, message: `kubectl delete daemonset telemetry-agent (attempt ${m + 1}, priority level global-default): failed: connection refused: no API server running` });
    for (let h = 0; h < WORST_HOURS; h++) {
      raw.push({ t: h * 3600 + 30, seq: seq++, kind: 'dns', cluster: name, message: 'CoreDNS failing: 100 % of lookups get SERVFAIL or time out; node caches serve what has not expired' });
      raw.push({ t: h * 3600 + 1800, seq: seq++, kind: 'dns', cluster: name, message: 'CoreDNS answering again' });
    }
    timeline.push(...foldTimeline(raw, iso));
    clusters.push({
      name,
      nodes,
      sizeClass: sizeClass(nodes),
      changeAppliedAt: iso(applied),
      changeRemovedAt: null,
      controlPlane: { lostAt: iso(lost), recoveredAt: recovered === null ? null : iso(recovered), apiServerRestarts: 40 + (i % 300), apiServerOomKills: 40 + (i % 300), apiServerInjectedKills: 0, peakMemoryRatio: 1.3, minSuccessRatio: 0 },
      dataPlane: { firstErrorsAt: iso(lost + 1200), peakErrorRate: 0.9 },
      atEnd: { degraded: recovered === null, alertsFiring: recovered === null ? ['KubeAPIServerUnavailable'] : [], changeDeployed: true },
    });
  }
  const ordered = timeline.map((e, i) => ({ e, i, ms: Date.parse(e.at) })).sort((a, b) => a.ms - b.ms || a.i - b.i);
  const minutes = durationS / 60;
  const t = Array.from({ length: minutes }, (_, m) => START + m * 60_000);
  // Saw-toothed values: a peak or a trough in every minute, the worst case for drawing them.
  const wave = (m: number, k: number): number => 0.5 + 0.45 * Math.sin(m * 1.7 + k) * (m % 2 === 0 ? 1 : -1);
  const cls = (n: number, k: number): SizeClassSeries => ({
    clusters: n,
    p99Seconds: t.map((_, m) => 0.05 + 60 * wave(m, k)),
    rate429: t.map((_, m) => wave(m, k + 1)),
    successRatio: t.map((_, m) => wave(m, k + 2)),
    dnsCacheValid: t.map((_, m) => wave(m, k + 3)),
    dnsServfail: t.map((_, m) => wave(m, k + 4)),
    memoryRatio: t.map((_, m) => 1.2 * wave(m, k + 5)),
    errorRate: t.map((_, m) => wave(m, k + 6)),
    cpuRatio: t.map((_, m) => wave(m, k + 7)),
    apfSaturation: t.map((_, m) => wave(m, k + 8)),
    etcdLatencySeconds: t.map((_, m) => 0.005 + wave(m, k + 9)),
  });
  const count = (s: string): number => clusters.filter((c) => c.sizeClass === s).length;
  const series: RunSeries = {
    t,
    fleetErrorRate: t.map((_, m) => 0.6 * wave(m, 9)),
    clustersLost: t.map((_, m) => (m * 7) % WORST_CLUSTERS),
    bySizeClass: { small: cls(count('small'), 0), medium: cls(count('medium'), 1), large: cls(count('large'), 2), xlarge: cls(count('xlarge'), 3) },
  };
  const stillLost = clusters.filter((c) => c.controlPlane.recoveredAt === null).length;
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    scenario: { name: 'worst-case-1000', description: 'Synthetic: 1,000 clusters, every alert flapping every 15 s for 2 days.', start: iso(0), end: iso(durationS), timeZone: ZONE, stepSeconds: 1 },
    seed: 1,
    clusters,
    fleet: {
      clusters: WORST_CLUSTERS,
      nodes: clusters.reduce((a, c) => a + c.nodes, 0),
      clustersLost: WORST_CLUSTERS,
      firstAlertAt: iso(0),
      firstCustomerImpactAt: iso(900),
      maxImpactAt: iso(7200),
      controlPlanesRecoveredAt: null,
      fullRecoveryAt: null,
      peakErrorRate: 0.95,
      availability: 0.6,
      atEnd: { clustersDegraded: stillLost, controlPlanesLost: stillLost, alertsFiring: stillLost, changeDeployed: WORST_CLUSTERS, degradedWithChange: stillLost },
    },
    timeline: ordered.map((x) => x.e),
  };
  return { report, series, transitionsPerCluster };
}
