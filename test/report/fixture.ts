/**
 * A small but realistic run for report tests: 12 clusters in 3 size classes
 * over 6 hours of America/Los_Angeles time (14:00–20:00 -08:00), a change
 * rolled out from 15:02, two clusters losing their control plane (one named
 * with markup, to prove escaping) and recovering, alerts, operator actions and
 * per-minute series shaped like the 2024-12-11 incident. Plus a quiet baseline.
 */
import { REPORT_SCHEMA_VERSION, type ClusterReport, type RunReport, type RunSeries, type SizeClassSeries, type TimelineEntry } from '../../src/twin/index.ts';
import { sizeClass } from '../../src/model/fleet.ts';

export const ZONE = 'America/Los_Angeles';
export const EVIL_NAME = 'prod-large-<script>alert("x")</script>';
const START = Date.parse('2024-12-11T14:00:00-08:00');
const MINUTES = 360;
const MIN = 60_000;

/** `HH:MM` on the run's day → ISO with the -08:00 offset. */
function at(hhmm: string): string {
  return `2024-12-11T${hhmm}:00-08:00`;
}

/** Minute index of `HH:MM`. */
function m(hhmm: string): number {
  return (Date.parse(at(hhmm)) - START) / MIN;
}

interface Spec {
  readonly name: string;
  readonly nodes: number;
  readonly applied: string;
  readonly lost?: readonly [string, string];
  readonly restarts?: number;
  /** Of the restarts, kills by an injected fault (the rest are OOM kills). */
  readonly injected?: number;
  readonly peakError: number;
}

const SPECS: readonly Spec[] = [
  { name: 'prod-small-1', nodes: 120, applied: '15:02', peakError: 0.002 },
  { name: 'prod-small-2', nodes: 180, applied: '15:03', peakError: 0.003 },
  { name: 'prod-small-3', nodes: 240, applied: '15:05', peakError: 0.004 },
  { name: 'prod-small-4', nodes: 310, applied: '15:06', peakError: 0.002 },
  { name: 'prod-small-5', nodes: 400, applied: '15:08', peakError: 0.005 },
  { name: 'prod-small-6', nodes: 460, applied: '15:09', peakError: 0.006 },
  { name: 'prod-med-1', nodes: 900, applied: '15:11', peakError: 0.02 },
  { name: 'prod-med-2', nodes: 1800, applied: '15:12', lost: ['15:24', '17:55'], restarts: 14, injected: 2, peakError: 0.61 },
  { name: 'prod-med-3', nodes: 1200, applied: '15:14', peakError: 0.03 },
  { name: 'prod-med-4', nodes: 1500, applied: '15:15', peakError: 0.04 },
  { name: EVIL_NAME, nodes: 4200, applied: '15:10', lost: ['15:16', '18:40'], restarts: 31, peakError: 0.93 },
  { name: 'prod-large-2', nodes: 2600, applied: '15:17', peakError: 0.08 },
];

function cluster(s: Spec): ClusterReport {
  return {
    name: s.name,
    nodes: s.nodes,
    sizeClass: sizeClass(s.nodes),
    changeAppliedAt: at(s.applied),
    changeRemovedAt: s.lost === undefined ? null : at(s.lost[1]),
    controlPlane: {
      lostAt: s.lost === undefined ? null : at(s.lost[0]),
      recoveredAt: s.lost === undefined ? null : at(s.lost[1]),
      apiServerRestarts: s.restarts ?? 0,
      apiServerOomKills: (s.restarts ?? 0) - (s.injected ?? 0),
      apiServerInjectedKills: s.injected ?? 0,
      peakMemoryRatio: s.lost === undefined ? 0.62 : 1.4,
      minSuccessRatio: s.lost === undefined ? 0.97 : 0.01,
    },
    dataPlane: { firstErrorsAt: s.peakError > 0.01 ? at('15:20') : null, peakErrorRate: s.peakError },
    atEnd: { degraded: false, alertsFiring: [], changeDeployed: s.lost === undefined },
  };
}

const TIMELINE: readonly TimelineEntry[] = [
  { at: at('15:02'), kind: 'change', cluster: null, message: 'pipeline started: telemetry-agent to 12 clusters' },
  ...SPECS.map((s): TimelineEntry => ({ at: at(s.applied), kind: 'change', cluster: s.name, message: 'change applied' })),
  { at: at('15:16'), kind: 'alert', cluster: EVIL_NAME, message: 'KubeAPIErrorsHigh firing: apiserver_success_ratio < 0.9 for 2m' },
  { at: at('15:16'), kind: 'control-plane', cluster: EVIL_NAME, message: 'control plane lost (API servers OOM-killed)' },
  { at: at('15:18'), kind: 'change', cluster: null, message: 'pipeline finished' },
  { at: at('15:20'), kind: 'impact', cluster: null, message: 'fleet error rate above 1 %' },
  { at: at('15:24'), kind: 'alert', cluster: 'prod-med-2', message: 'KubeAPIErrorsHigh firing: apiserver_success_ratio < 0.9 for 2m' },
  { at: at('15:24'), kind: 'control-plane', cluster: 'prod-med-2', message: 'control plane lost' },
  { at: at('15:31'), kind: 'alert', cluster: EVIL_NAME, message: 'CoreDNSErrorsHigh firing: dns_servfail_ratio > 0.05 for 5m' },
  { at: at('15:31'), kind: 'dns', cluster: EVIL_NAME, message: 'CoreDNS failing' },
  { at: at('15:45'), kind: 'operator', cluster: null, message: 'incident declared; operators engaged' },
  { at: at('15:52'), kind: 'operator', cluster: EVIL_NAME, message: 'delete change via API: 429 Too Many Requests' },
  { at: at('16:05'), kind: 'impact', cluster: null, message: 'maximum impact: fleet error rate 31.2 %' },
  { at: at('16:20'), kind: 'operator', cluster: EVIL_NAME, message: 'scale nodes down to 40 %; block admin API for nodes <& workloads>' },
  { at: at('16:48'), kind: 'operator', cluster: EVIL_NAME, message: 'scale API servers to 5 × 2x memory' },
  { at: at('17:30'), kind: 'operator', cluster: 'prod-med-2', message: 'change deleted' },
  { at: at('17:55'), kind: 'control-plane', cluster: 'prod-med-2', message: 'control plane recovered' },
  { at: at('18:10'), kind: 'operator', cluster: EVIL_NAME, message: 'change deleted' },
  { at: at('18:40'), kind: 'control-plane', cluster: EVIL_NAME, message: 'control plane recovered' },
  { at: at('18:41'), kind: 'alert', cluster: EVIL_NAME, message: 'KubeAPIErrorsHigh resolved' },
  { at: at('18:52'), kind: 'impact', cluster: null, message: 'full recovery: fleet error rate below 1 %' },
];

export function fixtureReport(): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    scenario: {
      name: 'openai-2024-12-11 <replay>',
      description: 'A telemetry DaemonSet whose agents LIST & WATCH from every node overloads large API servers; CoreDNS caches expire & the data plane fails.',
      start: at('14:00'),
      end: at('20:00'),
      timeZone: ZONE,
      stepSeconds: 10,
    },
    seed: 42,
    clusters: SPECS.map(cluster),
    fleet: {
      clusters: SPECS.length,
      nodes: SPECS.reduce((n, s) => n + s.nodes, 0),
      clustersLost: 2,
      firstAlertAt: at('15:16'),
      firstCustomerImpactAt: at('15:20'),
      maxImpactAt: at('16:05'),
      controlPlanesRecoveredAt: at('18:40'),
      fullRecoveryAt: at('18:52'),
      peakErrorRate: 0.312,
      availability: 0.987654,
      atEnd: { clustersDegraded: 0, controlPlanesLost: 0, alertsFiring: 0, changeDeployed: 10, degradedWithChange: 0 },
    },
    timeline: TIMELINE,
  };
}

/** 0 before `a`, rising to 1 at `b`, flat until `c`, back to 0 at `d` (minutes). */
function bump(i: number, a: number, b: number, c: number, d: number): number {
  if (i <= a || i >= d) return 0;
  if (i < b) return (i - a) / (b - a);
  if (i <= c) return 1;
  return (d - i) / (d - c);
}

function classSeries(clusters: number, severity: number, lost: readonly [string, string] | null): SizeClassSeries {
  const idx = Array.from({ length: MINUTES }, (_, i) => i);
  const hit = (i: number): number => (lost === null ? 0.15 * bump(i, m('15:05'), m('15:20'), m('15:40'), m('16:30')) : bump(i, m(lost[0]) - 6, m(lost[0]), m(lost[1]) - 20, m(lost[1]) + 5));
  const dnsHit = (i: number): number => (lost === null ? 0 : bump(i, m(lost[0]) + 10, m(lost[0]) + 40, m(lost[1]) - 10, m(lost[1]) + 10));
  return {
    clusters,
    p99Seconds: idx.map((i) => 0.08 + severity * 55 * hit(i) + 0.01 * Math.sin(i / 9)),
    rate429: idx.map((i) => severity * 0.7 * hit(i)),
    successRatio: idx.map((i) => 1 - severity * 0.95 * hit(i)),
    dnsCacheValid: idx.map((i) => 1 - severity * dnsHit(i)),
    dnsServfail: idx.map((i) => severity * 0.8 * dnsHit(i)),
    memoryRatio: idx.map((i) => 0.55 + severity * 0.75 * hit(i)),
    errorRate: idx.map((i) => severity * 0.6 * dnsHit(i)),
    cpuRatio: idx.map((i) => Math.min(1, 0.2 + severity * 1.6 * hit(i))),
    apfSaturation: idx.map((i) => Math.min(1, 0.1 + severity * 1.8 * hit(i))),
    etcdLatencySeconds: idx.map((i) => 0.005 + severity * 0.2 * hit(i)),
  };
}

export function fixtureSeries(): RunSeries {
  const t = Array.from({ length: MINUTES }, (_, i) => START + i * MIN);
  const large = classSeries(2, 0.5, ['15:16', '18:40']);
  const medium = classSeries(4, 0.25, ['15:24', '17:55']);
  const small = classSeries(6, 0.02, null);
  return {
    t,
    fleetErrorRate: t.map((_, i) => 0.001 + 0.311 * bump(i, m('15:17'), m('16:05'), m('16:05'), m('18:54')) ** 0.7),
    clustersLost: t.map((_, i) => (i >= m('15:16') && i < m('18:40') ? 1 : 0) + (i >= m('15:24') && i < m('17:55') ? 1 : 0)),
    bySizeClass: { small, medium, large },
  };
}

/** A quiet run: no change trouble, no alerts, no lost cluster, no impact. */
export function baselineReport(): RunReport {
  const r = fixtureReport();
  return {
    ...r,
    scenario: { ...r.scenario, name: 'baseline', description: 'No change; the fleet idles.' },
    clusters: r.clusters.map((c) => ({
      ...c,
      changeAppliedAt: null,
      changeRemovedAt: null,
      atEnd: { degraded: false, alertsFiring: [], changeDeployed: false },
      controlPlane: { ...c.controlPlane, lostAt: null, recoveredAt: null, apiServerRestarts: 0, apiServerOomKills: 0, apiServerInjectedKills: 0 },
      dataPlane: { firstErrorsAt: null, peakErrorRate: 0.0004 },
    })),
    fleet: { ...r.fleet, clustersLost: 0, firstAlertAt: null, firstCustomerImpactAt: null, maxImpactAt: null, controlPlanesRecoveredAt: null, fullRecoveryAt: null, peakErrorRate: 0.0004, availability: 0.99997, atEnd: { clustersDegraded: 0, controlPlanesLost: 0, alertsFiring: 0, changeDeployed: 0, degradedWithChange: 0 } },
    timeline: [],
  };
}

export function baselineSeries(): RunSeries {
  const s = fixtureSeries();
  const quiet = (c: SizeClassSeries): SizeClassSeries => ({
    ...c,
    p99Seconds: c.p99Seconds.map(() => 0.09),
    rate429: c.rate429.map(() => 0),
    successRatio: c.successRatio.map(() => 1),
    dnsCacheValid: c.dnsCacheValid.map(() => 1),
    dnsServfail: c.dnsServfail.map(() => 0),
    memoryRatio: c.memoryRatio.map(() => 0.5),
    errorRate: c.errorRate.map(() => 0.0003),
    cpuRatio: c.cpuRatio.map(() => 0.1),
    apfSaturation: c.apfSaturation.map(() => 0.05),
    etcdLatencySeconds: c.etcdLatencySeconds.map(() => 0.005),
  });
  const { small, medium } = s.bySizeClass;
  return {
    t: s.t,
    fleetErrorRate: s.t.map(() => 0.0003),
    clustersLost: s.t.map(() => 0),
    bySizeClass: { ...(small === undefined ? {} : { small: quiet(small) }), ...(medium === undefined ? {} : { medium: quiet(medium) }) },
  };
}
