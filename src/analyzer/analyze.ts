/**
 * The pre-flight analysis: manifests + fleet → per-workload API access
 * profiles, per-cluster estimates and verdicts, the sizes where the verdict
 * turns, and located findings with a fix. Pure and deterministic: the same
 * input gives the same Analysis, byte for byte once serialised.
 *
 * @example
 *   const analysis = analyze(readManifestPaths(['deploy/']), loadFleetFile('fleets/openai-like.yaml').clusters, { fleetName: 'openai-like' });
 *   analysis.verdict;   // 'block'
 */
import { InputError, type Problem } from '../core/errors.ts';
import type { Cluster } from '../model/fleet.ts';
import { DEFAULT_PODS_PER_NODE } from '../model/kubernetes.ts';
import { DEFAULT_MODEL } from '../model/defaults.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import { cachedCapacity } from './capacity.ts';
import {
  estimate,
  estimateWith,
  RATIO_NAMES,
  type ClusterEstimate,
  type PlannedWorkload,
  type RatioName,
} from './estimate.ts';
import { ByName, collectObjects, Fields, type KObject } from './objects.ts';
import { estimateFindings, turnText, worstFlagged } from './findings.ts';
import { deriveProfile } from './profile.ts';
import { resourceFindings } from './resource-findings.ts';
import { Rbac } from './rbac.ts';
import { SEARCH_MAX_NODES, searchTurn, verdictFromTurn } from './turn.ts';
import { roundSignificant4 } from '../core/number.ts';
import { simulateInTwin, type TwinSimulation } from './simulate.ts';
import { num } from './text.ts';
import { worse, type DerivedCall, type Finding, type InputNote, type ManifestDocument, type Severity, type Turn, type Verdict, type WorkloadProfile } from './types.ts';
import { readWorkload, WORKLOAD_KINDS, type WorkloadInfo } from './workloads.ts';

export const ANALYSIS_SCHEMA_VERSION = 'firebreak.dev/analysis/v1';

export interface AnalyzeOptions {
  readonly fleetName: string;
  /** The twin's model to estimate with (default DEFAULT_MODEL). */
  readonly model?: ModelConfig;
  /** Pods per node assumed when searching cluster sizes (default 30, ref). */
  readonly podsPerNode?: number;
  /** A workload whose API use cannot be determined from the input is block instead of warn (`--strict`). */
  readonly strict?: boolean;
  /**
   * What the reader saw of the input files (src/input/manifests.ts): every
   * file read, and notes about files it did not read. Files that hold no
   * Kubernetes object are reported; an input with none at all is an error.
   */
  readonly input?: { readonly files: readonly string[]; readonly notes: readonly InputNote[] };
  /** Also run each workload's derived calls in the fleet twin (`--simulate`, simulate.ts) and compare. */
  readonly simulate?: boolean;
}

export interface CallReport {
  readonly name: string;
  readonly verb: string;
  readonly resource: string;
  readonly scope: string;
  /** Present for a node-scoped call that names its field selector: `metadata.name=$NODE`. */
  readonly fieldSelector?: string;
  readonly resourceVersion: string;
  /** Seconds between calls of one client; null for informers (list once, then watch). */
  readonly periodSeconds: number | null;
  readonly pageSize: number;
  readonly file: string;
  readonly line: number;
  readonly because: string;
  /** Present (true) when only an elected leader makes the call: one client per cluster. */
  readonly leaderOnly?: true;
}

export interface WorkloadReport {
  readonly workload: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly serviceAccount: string;
  readonly priorityLevel: string;
  /** "per-node" for a DaemonSet, else the replica count. */
  readonly clients: 'per-node' | number;
  readonly profileSource: WorkloadProfile['source'];
  readonly agents: readonly string[];
  readonly calls: readonly CallReport[];
  /** Its worst verdict over the fleet, alone. */
  readonly verdict: Verdict;
  readonly clusters: { readonly ok: number; readonly warn: number; readonly block: number };
  readonly turn: Turn;
}

/** Figures a cluster report takes from its estimate (rounded for output). */
type EstimateFigure =
  | 'addedRequestsPerSecond' | 'addedSeats' | 'listBytesPerSecond' | 'etcdReadBytesPerSecond' | 'watchEventsPerSecond' | 'addedCpuCores'
  | 'peakListMemoryBytes' | 'steadyListMemoryBytes' | 'rolloutListMemoryBytes' | 'relistMemoryBytes' | 'watchMemoryBytes'
  | 'baselineMemoryBytes' | 'memoryLimitBytes' | 'apiServerCores' | 'etcdReadCapacityBytesPerSecond';

/** A cluster's line of the report: the estimate's figures (same names, same meaning) plus the verdict. */
export interface ClusterReport extends Pick<ClusterEstimate, EstimateFigure> {
  readonly name: string;
  readonly nodes: number;
  readonly pods: number;
  readonly sizeClass: string;
  readonly verdict: Verdict;
  readonly reasons: readonly RatioName[];
  readonly seatsByPriorityLevel: Readonly<Record<string, { readonly added: number; readonly nominal: number; readonly available: number }>>;
  readonly ratios: Readonly<Record<RatioName, number>>;
}

export interface Analysis {
  readonly schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  readonly verdict: Verdict;
  readonly fleet: {
    readonly name: string;
    readonly clusters: number;
    readonly nodes: number;
    readonly ok: number;
    readonly warn: number;
    readonly block: number;
    /** Where the whole change (every workload together) turns, searched at `podsPerNode` pods per node. */
    readonly turn: Turn;
    readonly podsPerNode: number;
  };
  readonly workloads: readonly WorkloadReport[];
  readonly findings: readonly Finding[];
  readonly clusters: readonly ClusterReport[];
}

/** Result of analyze: what to print (the simulation in the twin when asked for). */
export interface AnalysisResult {
  readonly analysis: Analysis;
  readonly simulation?: TwinSimulation;
}

const KNOWN_OTHER_KINDS = new Set([
  'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Service', 'Namespace', 'Endpoints', 'EndpointSlice',
  'Ingress', 'IngressClass', 'NetworkPolicy', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'PriorityClass', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'Lease', 'CSIDriver',
  'RuntimeClass', 'FlowSchema', 'PriorityLevelConfiguration', 'VerticalPodAutoscaler', 'PodTemplate', 'ControllerRevision', 'Event',
]);

/** The profiles of the input's workloads, and what deriving them found (the first half of analyze). */
export interface DerivedProfiles {
  readonly objects: readonly KObject[];
  readonly workloads: readonly WorkloadInfo[];
  readonly profiles: readonly WorkloadProfile[];
  /** Problems of the input (analyze throws them as an InputError). */
  readonly problems: Problem[];
  readonly findings: Finding[];
}

/** Every workload's API access profile, from the documents: the annotation, known agents' configuration, or the RBAC worst case (profile.ts). */
export function deriveProfiles(docs: readonly ManifestDocument[], model: ModelConfig, strict: boolean): DerivedProfiles {
  const problems: Problem[] = [];
  const findings: Finding[] = [];
  const objects = collectObjects(docs, problems);
  const { configMaps, secrets, flowSchemas, workloads } = indexObjects(objects, problems, findings);
  const rbac = new Rbac(objects, problems);
  const profiles = workloads.map((w) => deriveProfile(w, { configMaps, secrets, rbac, flowSchemas, model, problems, findings, strict }));
  return { objects, workloads, profiles, problems, findings };
}

export function analyze(docs: readonly ManifestDocument[], clusters: readonly Cluster[], opts: AnalyzeOptions): AnalysisResult {
  const model = opts.model ?? DEFAULT_MODEL;
  const podsPerNode = opts.podsPerNode ?? DEFAULT_PODS_PER_NODE;
  const { objects, workloads, profiles, problems, findings } = deriveProfiles(docs, model, opts.strict === true);
  if (problems.length > 0) throw new InputError(sortProblems(problems));
  findings.push(...inputFindings(docs, objects, workloads.length, opts.input));
  findings.push(...resourceFindings(profiles, model));
  const { planned, plannedOf, signatures, whole } = plan(profiles);

  // The whole change, cluster by cluster.
  const estimates = clusters.map((c) => estimateWith(whole, cachedCapacity(model, c.nodes, c.pods), model, false));
  const clusterReports = clusters.map((c, i) => clusterReport(c, estimates[i] as ClusterEstimate));
  const fleetTurn = searchTurn(whole, model, podsPerNode);
  const { workloadReports, aloneWorst } = aloneReports(profiles, plannedOf, signatures, clusters, model, podsPerNode, findings);

  // Together worse than each alone: a finding of its own.
  const combined = planned.length < 2 ? [] : clusterReports.filter((c, i) => c.verdict !== (aloneWorst[i] ?? 'ok') && worse(c.verdict, aloneWorst[i] ?? 'ok') === c.verdict);
  const firstWithCalls = profiles.find((p) => p.calls.length > 0);
  if (combined.length > 0 && firstWithCalls !== undefined) {
    const worst = combined.reduce((a, b) => (b.nodes > a.nodes ? b : a));
    const at = firstWithCalls.workload.at;
    const sev: Severity = combined.some((c) => c.verdict === 'block') ? 'block' : 'warn';
    findings.push({
      rule: 'combined-load',
      severity: sev,
      file: at.file,
      line: at.line,
      column: at.column,
      workload: null,
      message: `together the ${planned.length} workloads are ${sev} on ${combined.length} cluster(s) where none is alone (largest: ${worst.name}, ${num(worst.nodes)} nodes: ${worst.reasons.join(', ')}); the whole change turns ${turnText(fleetTurn)}`,
      fix: 'roll the workloads out to large clusters one at a time, or reduce each one\'s API footprint (see their findings)',
    });
  }

  findings.sort(compareFindings);
  const counts = { ok: 0, warn: 0, block: 0 };
  for (const c of clusterReports) counts[c.verdict]++;
  let verdict: Verdict = clusterReports.reduce<Verdict>((a, c) => worse(a, c.verdict), 'ok');
  for (const f of findings) verdict = worse(verdict, f.severity === 'note' ? 'ok' : f.severity);
  return {
    analysis: {
      schemaVersion: ANALYSIS_SCHEMA_VERSION,
      verdict,
      fleet: { name: opts.fleetName, clusters: clusters.length, nodes: clusters.reduce((s, c) => s + c.nodes, 0), ...counts, turn: fleetTurn, podsPerNode },
      workloads: workloadReports,
      findings,
      clusters: clusterReports,
    },
    ...(opts.simulate === true ? { simulation: simulateInTwin(profiles, planned, clusters, model) } : {}),
  };
}

/** The input's objects by what the analysis does with them; a workload met twice and an unknown kind are reported. */
function indexObjects(objects: readonly KObject[], problems: Problem[], findings: Finding[]): { configMaps: ByName<KObject>; secrets: ByName<KObject>; flowSchemas: KObject[]; workloads: WorkloadInfo[] } {
  const configMaps = new ByName<KObject>();
  const secrets = new ByName<KObject>();
  const flowSchemas: KObject[] = [];
  const workloads: WorkloadInfo[] = [];
  // Workloads by kind/namespace/name: one that appears twice is a problem (the key holds the kind, so
  // only workloads can meet a workload).
  const seen = new Map<string, ByName<KObject>>();
  for (let oi = 0; oi < objects.length; oi++) {
    const o = objects[oi] as KObject;
    if (WORKLOAD_KINDS.has(o.kind)) {
      let ofKind = seen.get(o.kind);
      if (ofKind === undefined) {
        ofKind = new ByName();
        seen.set(o.kind, ofKind);
      }
      const first = ofKind.get(o.namespace, o.name);
      if (first !== undefined) {
        const f = new Fields(o, problems);
        f.problem(['metadata', 'name'], `${o.kind} ${o.namespace}/${o.name} appears twice (also ${first.doc.file}, document ${first.doc.index + 1})`, 'keep one of the two');
        continue;
      }
      ofKind.set(o.namespace, o.name, o);
    }
    if (o.kind === 'ConfigMap') configMaps.set(o.namespace, o.name, o);
    else if (o.kind === 'Secret') secrets.set(o.namespace, o.name, o);
    else if (o.kind === 'FlowSchema') flowSchemas.push(o);
    else if (WORKLOAD_KINDS.has(o.kind)) workloads.push(readWorkload(o, problems));
    else if (!KNOWN_OTHER_KINDS.has(o.kind)) {
      const at = new Fields(o, problems).loc(['kind']);
      findings.push({
        rule: 'unknown-kind',
        severity: 'note',
        file: at.file,
        line: at.line,
        column: at.column,
        workload: null,
        message: `${o.kind} ${o.namespace === '' ? '' : `${o.namespace}/`}${o.name} (${o.apiVersion}) is not a kind the analyzer knows; skipped — the API calls it leads an operator to make are not counted`,
        fix: `if it runs pods that call the API, analyze the operator's workload too, or describe the calls with a firebreak.dev/api-profile annotation on it`,
      });
    }
  }
  return { configMaps, secrets, flowSchemas, workloads };
}

/**
 * The workloads with calls as the estimate sees them (`plannedOf`: each profile's, undefined when it
 * makes none; `signatures`: what makes two of them estimate alike), and the whole change: workloads with
 * the same calls and level add up — DaemonSets by count, Deployments by replicas (every formula of the
 * estimate is the same for n clients whoever runs them).
 */
function plan(profiles: readonly WorkloadProfile[]): { planned: PlannedWorkload[]; plannedOf: (PlannedWorkload | undefined)[]; signatures: string[]; whole: PlannedWorkload[] } {
  const planned: PlannedWorkload[] = [];
  const plannedOf: (PlannedWorkload | undefined)[] = new Array<PlannedWorkload | undefined>(profiles.length).fill(undefined);
  const signatures: string[] = new Array<string>(profiles.length).fill('');
  const groups = new Map<string, { pw: PlannedWorkload; count: number }>();
  for (let pi = 0; pi < profiles.length; pi++) {
    const p = profiles[pi] as WorkloadProfile;
    const pw = plannedWorkload(p);
    if (pw === undefined) continue;
    planned.push(pw);
    plannedOf[pi] = pw;
    // The JSON of the workload with its calls, and with replicas left out (the group counts them).
    const callsJson = callSignature(pw);
    signatures[pi] = signatureWith(pw, pw.perNode ? 0 : pw.replicas, callsJson);
    const sig = signatureWith(pw, 0, callsJson);
    const g = groups.get(sig);
    const n = pw.perNode ? 1 : pw.replicas;
    if (g === undefined) groups.set(sig, { pw: { ...pw, replicas: pw.perNode ? 1 : 1 }, count: n });
    else g.count += n;
  }
  const whole: PlannedWorkload[] = [...groups.values()].map((g) => (g.count === 1 ? g.pw : { ...g.pw, key: `${g.pw.key} (×${g.count})`, count: g.count }));
  return { planned, plannedOf, signatures, whole };
}

/** A workload with calls as the estimate sees them (undefined: it makes none): unique call names, leader-only calls apart. */
export function plannedWorkload(p: WorkloadProfile): PlannedWorkload | undefined {
  if (p.calls.length === 0) return undefined;
  const calls = uniqueNames(p.calls);
  const leader = p.calls.some((c) => c.leaderOnly === true) ? new Set(calls.filter((_, i) => p.calls[i]?.leaderOnly === true).map((c) => c.name)) : undefined;
  return leader !== undefined ? { key: p.workload.id, perNode: p.workload.perNode, replicas: p.workload.replicas, level: p.priorityLevel, calls, leaderCalls: leader } : { key: p.workload.id, perNode: p.workload.perNode, replicas: p.workload.replicas, level: p.priorityLevel, calls };
}

/** A workload alone: its verdict per cluster, where it turns, its estimate at its worst cluster. */
interface Alone {
  readonly turn: Turn;
  readonly verdicts: readonly Verdict[];
  readonly worst: ClusterEstimate | undefined;
  /** The largest cluster it is not ok on (worstFlagged), whose estimate `worst` is. */
  readonly worstCluster: Cluster | undefined;
  readonly count: { readonly ok: number; readonly warn: number; readonly block: number };
  readonly verdict: Verdict;
}

/**
 * Each workload alone (workloads with the same calls share one search): its report, the findings at its
 * worst cluster, and over all of them the worst verdict each cluster gets from one workload alone.
 */
function aloneReports(
  profiles: readonly WorkloadProfile[],
  plannedOf: readonly (PlannedWorkload | undefined)[],
  signatures: readonly string[],
  clusters: readonly Cluster[],
  model: ModelConfig,
  podsPerNode: number,
  findings: Finding[],
): { workloadReports: WorkloadReport[]; aloneWorst: Verdict[] } {
  const memo = new Map<string, Alone>();
  const workloadReports: WorkloadReport[] = [];
  const aloneWorst: Verdict[] = clusters.map(() => 'ok');
  const noTurn: Turn = { warnAtNodes: null, blockAtNodes: null, blockAboveNodes: null, blockRanges: [], warnRanges: [], searchedUpToNodes: SEARCH_MAX_NODES };
  const quiet: Alone = { turn: noTurn, verdicts: [], worst: undefined, worstCluster: undefined, count: { ok: clusters.length, warn: 0, block: 0 }, verdict: 'ok' };
  for (let pi = 0; pi < profiles.length; pi++) {
    const p = profiles[pi] as WorkloadProfile;
    const pw = plannedOf[pi];
    let m = quiet;
    if (pw !== undefined) {
      const sig = signatures[pi] as string;
      const known = memo.get(sig);
      if (known !== undefined) m = known;
      else {
        const t = searchTurn([pw], model, podsPerNode);
        // Clusters at the searched ratio of pods per node take their verdict from the search; others are estimated.
        const vs = clusters.map((c) => (c.pods === c.nodes * podsPerNode && c.nodes <= t.searchedUpToNodes ? verdictFromTurn(t, c.nodes) : estimateWith([pw], cachedCapacity(model, c.nodes, c.pods), model, false).verdict));
        const worst = worstFlagged(clusters, vs);
        const count = { ok: 0, warn: 0, block: 0 };
        for (const v of vs) count[v]++;
        vs.forEach((v, i) => (aloneWorst[i] = worse(aloneWorst[i] ?? 'ok', v)));
        m = { turn: t, verdicts: vs, worst: worst === undefined ? undefined : estimate([pw], worst.nodes, worst.pods, model), worstCluster: worst, count, verdict: vs.reduce<Verdict>((a, v) => worse(a, v), 'ok') };
        memo.set(sig, m);
      }
      if (m.worst !== undefined) findings.push(...estimateFindings(p, pw, clusters, m, model, podsPerNode, m.worst));
    }
    workloadReports.push(workloadReport(p, m));
  }
  return { workloadReports, aloneWorst };
}

function workloadReport(p: WorkloadProfile, m: Alone): WorkloadReport {
  const w = p.workload;
  return {
    workload: w.id,
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    file: w.at.file,
    line: w.at.line,
    serviceAccount: w.serviceAccount,
    priorityLevel: p.priorityLevel,
    clients: w.perNode ? 'per-node' : w.replicas,
    profileSource: p.source,
    agents: p.agents,
    calls: p.calls.map((c): CallReport => {
      const r: { -readonly [K in keyof CallReport]: CallReport[K] } = {
        name: c.profile.name,
        verb: c.profile.verb,
        resource: c.profile.resource,
        scope: c.profile.scope,
        resourceVersion: c.profile.resourceVersion,
        periodSeconds: c.profile.verb === 'watch' ? null : roundSignificant4(c.profile.periodS),
        pageSize: c.profile.pageSize,
        file: c.at.file,
        line: c.at.line,
        because: c.because,
      };
      if (c.leaderOnly === true) r.leaderOnly = true;
      if (c.profile.nodeField !== undefined) r.fieldSelector = `${c.profile.nodeField}=$NODE`;
      return r;
    }),
    verdict: m.verdict,
    clusters: m.count,
    turn: m.turn,
  };
}

function uniqueNames(calls: readonly DerivedCall[]): PlannedWorkload['calls'] {
  // The n-th call of a name is "name-n" (counted among the calls before it: few, no map needed).
  return calls.map((c, i) => {
    let n = 0;
    for (let j = 0; j < i; j++) if ((calls[j] as DerivedCall).profile.name === c.profile.name) n++;
    return n === 0 ? c.profile : { ...c.profile, name: `${c.profile.name}-${n + 1}` };
  });
}

/** JSON of the calls' part of a planned workload's signature. */
function callSignature(pw: PlannedWorkload): string {
  return JSON.stringify(pw.calls.map((c) => [c.verb, c.resource, c.scope, c.resourceVersion, c.periodS, c.pageSize, c.qps, c.namespaceFraction, pw.leaderCalls?.has(c.name) === true]));
}

/** The signature with `replicas` in place of the workload's (the same text as JSON.stringify of the whole). */
function signatureWith(pw: PlannedWorkload, replicas: number, calls: string): string {
  return `[${JSON.stringify(pw.perNode)},${JSON.stringify(replicas)},${JSON.stringify(pw.level)},${calls}]`;
}

function sortProblems(problems: readonly Problem[]): Problem[] {
  const order = new Map<string, number>();
  for (const p of problems) if (!order.has(p.file)) order.set(p.file, order.size);
  return [...problems].sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.line ?? 1e9) - (b.line ?? 1e9) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Findings about the input itself: files the reader did not read, files that
 * hold no Kubernetes object, an input without a workload. An input without
 * any Kubernetes object (`helm template` that rendered nothing) is an input
 * error: there is nothing to pass.
 */
function inputFindings(docs: readonly ManifestDocument[], objects: readonly KObject[], workloads: number, input: AnalyzeOptions['input']): Finding[] {
  const files = input?.files ?? [...new Set(docs.map((d) => d.file))];
  if (objects.length === 0) {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, … (${files.length} files)` : '');
    throw new InputError([
      {
        file: files[0] ?? '<input>',
        path: '',
        message: `no Kubernetes object in the input${files.length > 0 ? ` (read: ${shown})` : ''}: nothing to analyze, which is not a pass`,
        hint: 'check that `helm template` / `kustomize build` rendered the manifests (values that disable every template render nothing), and pass the rendered files',
      },
    ]);
  }
  const out: Finding[] = (input?.notes ?? []).map((n) => ({ ...n, severity: 'note' as const, workload: null }));
  const withObjects = new Set(objects.map((o) => o.doc.file));
  const empty = new Set((input?.notes ?? []).filter((n) => n.rule === 'input-empty').map((n) => n.file));
  for (const f of files) {
    if (withObjects.has(f) || empty.has(f)) continue;
    out.push({ rule: 'input-empty', severity: 'note', file: f, line: 1, column: 1, workload: null, message: 'this file holds no Kubernetes object (an empty List); nothing in it is analyzed', fix: 'check that it was rendered with the values you meant' });
  }
  if (workloads === 0) {
    const first = objects[0] as KObject;
    const at = new Fields(first, []).loc(['kind']);
    const kinds = [...new Set(objects.map((o) => o.kind))].sort();
    out.push({
      rule: 'no-workload',
      severity: 'note',
      file: at.file,
      line: at.line,
      column: at.column,
      workload: null,
      message: `the input holds ${objects.length} Kubernetes object${objects.length === 1 ? '' : 's'} (${kinds.slice(0, 6).join(', ')}${kinds.length > 6 ? ', …' : ''}) but no workload (DaemonSet, Deployment, StatefulSet, ReplicaSet, Job, CronJob or Pod): no API calls are estimated`,
      fix: 'pass the manifests of the workloads the change deploys (with their RBAC and ConfigMaps); if the change has none, nothing is needed',
    });
  }
  return out;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { block: 0, warn: 1, note: 2 };

function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

function clusterReport(c: Cluster, e: ClusterEstimate): ClusterReport {
  const seats: Record<string, { added: number; nominal: number; available: number }> = {};
  for (const l of e.levels) seats[l.level] = { added: roundSignificant4(l.addedSeats), nominal: l.nominalSeats, available: l.availableSeats };
  const ratios = {} as Record<RatioName, number>;
  for (const k of RATIO_NAMES) ratios[k] = roundSignificant4(e.ratios[k]);
  return {
    name: c.name,
    nodes: c.nodes,
    pods: c.pods,
    sizeClass: c.sizeClass,
    verdict: e.verdict,
    reasons: e.reasons,
    addedRequestsPerSecond: roundSignificant4(e.addedRequestsPerSecond),
    addedSeats: roundSignificant4(e.addedSeats),
    seatsByPriorityLevel: seats,
    listBytesPerSecond: Math.round(e.listBytesPerSecond),
    etcdReadBytesPerSecond: Math.round(e.etcdReadBytesPerSecond),
    watchEventsPerSecond: roundSignificant4(e.watchEventsPerSecond),
    addedCpuCores: roundSignificant4(e.addedCpuCores),
    peakListMemoryBytes: Math.round(e.peakListMemoryBytes),
    steadyListMemoryBytes: Math.round(e.steadyListMemoryBytes),
    rolloutListMemoryBytes: Math.round(e.rolloutListMemoryBytes),
    relistMemoryBytes: Math.round(e.relistMemoryBytes),
    watchMemoryBytes: Math.round(e.watchMemoryBytes),
    baselineMemoryBytes: Math.round(e.baselineMemoryBytes),
    memoryLimitBytes: Math.round(e.memoryLimitBytes),
    apiServerCores: e.apiServerCores,
    etcdReadCapacityBytesPerSecond: e.etcdReadCapacityBytesPerSecond,
    ratios,
  };
}

export { turnText };
