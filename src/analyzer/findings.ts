/**
 * Findings from the estimates: for one workload at the largest cluster it is
 * not ok on, the memory phase or capacity (APF seats, API-server CPU, etcd
 * reads) it takes past the thresholds, the call that costs most there, and
 * the fix for what makes that call expensive — the agent's own (its reader's)
 * before the generic ones. Also where a verdict turns over cluster sizes, in
 * words.
 *
 * @example
 *   estimateFindings(profile, planned, clusters, alone, model, 30, worstEstimate);   // [{ rule: 'apiserver-memory-relist', … }]
 *   turnText(turn);   // "warn at 1,200–1,999 nodes; block at 2,000–20,000 nodes"
 */
import type { Cluster } from '../model/fleet.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import { percentWhole } from '../core/number.ts';
import { THRESHOLDS, type CallEstimate, type ClusterEstimate, type PlannedWorkload, type RatioName } from './estimate.ts';
import { WORST_CASE_WORDS } from './profile.ts';
import { bytes, num, ranges, rate, seconds } from './text.ts';
import type { DerivedCall, Finding, Severity, Turn, Verdict, WorkloadProfile } from './types.ts';

export function turnText(t: Turn): string {
  if (t.blockAtNodes === null && t.warnAtNodes === null) return `at no size up to ${num(t.searchedUpToNodes)} nodes`;
  const parts: string[] = [];
  if (t.warnAtNodes !== null) parts.push(`warn at ${ranges(t.warnRanges, t.searchedUpToNodes)} nodes`);
  if (t.blockAtNodes !== null) parts.push(`block at ${ranges(t.blockRanges, t.searchedUpToNodes)} nodes`);
  return parts.join('; ');
}


const RULES: Readonly<Record<RatioName, string>> = {
  memorySteady: 'apiserver-memory-steady',
  memoryRollout: 'apiserver-memory-rollout',
  memoryRelist: 'apiserver-memory-relist',
  memoryAtOnce: 'apiserver-memory-at-once',
  seats: 'apf-seats',
  cpu: 'apiserver-cpu',
  etcd: 'etcd-read-bandwidth',
};

const PHASE: Readonly<Record<'memorySteady' | 'memoryRollout' | 'memoryRelist', string>> = {
  memorySteady: 'in steady state',
  memoryRollout: 'while its pods start (the rollout)',
  memoryRelist: 'when every informer relists at once (after an API-server restart or an outage longer than the watch cache window)',
};

/** The largest cluster that is not ok (where every ratio is highest). */
export function worstFlagged(clusters: readonly Cluster[], verdicts: readonly Verdict[]): Cluster | undefined {
  let worst: Cluster | undefined;
  clusters.forEach((c, i) => {
    if ((verdicts[i] ?? 'ok') === 'ok') return;
    if (worst === undefined || c.nodes > worst.nodes || (c.nodes === worst.nodes && c.name < worst.name)) worst = c;
  });
  return worst;
}

export function estimateFindings(
  p: WorkloadProfile,
  pw: PlannedWorkload,
  clusters: readonly Cluster[],
  alone: { readonly worstCluster: Cluster | undefined; readonly count: { readonly warn: number; readonly block: number }; readonly turn: Turn },
  model: ModelConfig,
  podsPerNode: number,
  e: ClusterEstimate,
): Finding[] {
  const worstCluster = alone.worstCluster;
  if (worstCluster === undefined) return [];
  const worst = { c: worstCluster };
  const { block, warn } = alone.count;
  const where = `${block > 0 ? `block on ${block}` : ''}${block > 0 && warn > 0 ? ', ' : ''}${warn > 0 ? `warn on ${warn}` : ''} of ${clusters.length} clusters; alone it turns ${turnText(alone.turn)} (at ${podsPerNode} pods per node)`;
  const head = `${worst.c.name} (${num(worst.c.nodes)} nodes, ${num(worst.c.pods)} pods)`;
  const out: Finding[] = [];
  const w = p.workload;
  // A profile from RBAC is an assumption: every finding it causes says so first.
  const assumed = p.source === 'rbac' ? `Assumed, not seen: ${WORST_CASE_WORDS}, and this is what that worst case would cost. ` : '';
  const push = (rule: string, severity: Severity, call: DerivedCall, message: string, fix: string): void => {
    out.push({ rule, severity, file: call.at.file, line: call.at.line, column: call.at.column, workload: w.id, message: `${assumed}${message}`, fix });
  };
  const callOf = (name: string): DerivedCall => p.calls[pw.calls.findIndex((c) => c.name === name)] ?? (p.calls[0] as DerivedCall);

  // Memory: one finding, for the phase that needs the most.
  const memPhases = (['memorySteady', 'memoryRollout', 'memoryRelist'] as const).filter((k) => e.ratios[k] >= THRESHOLDS.warnMemory);
  const memKey = memPhases.length > 0 ? memPhases.reduce((a, b) => (e.ratios[b] > e.ratios[a] ? b : a)) : undefined;
  if (memKey !== undefined) {
    const pick = (c: CallEstimate): number => (memKey === 'memorySteady' ? c.steadyMemoryBytes : memKey === 'memoryRollout' ? c.rolloutMemoryBytes : memKey === 'memoryRelist' ? c.relistMemoryBytes : c.atOnceMemoryBytes);
    const inflight = (c: CallEstimate): number => (memKey === 'memorySteady' ? c.steadyInflight : memKey === 'memoryRollout' ? c.rolloutInflight : memKey === 'memoryRelist' ? c.relistInflight : c.atOnceInflight);
    const dom = e.calls.reduce((a, b) => (pick(b) > pick(a) ? b : a));
    const call = callOf(dom.call);
    const sev: Severity = e.ratios[memKey] >= THRESHOLDS.blockMemory ? 'block' : 'warn';
    const perReq = dom.cost.etcdBytes > 0 && call.profile.resourceVersion === 'consistent' ? `${bytes(dom.cost.memoryBytes)} while served (about 5× the ${bytes(dom.cost.etcdBytes)} it reads from etcd)` : `${bytes(dom.cost.memoryBytes)} while served (${bytes(dom.cost.responseBytes)} response)`;
    const limit = e.memoryLimitBytes;
    const need = e.baselineMemoryBytes + e.watchMemoryBytes + (memKey === 'memorySteady' ? e.steadyListMemoryBytes : memKey === 'memoryRollout' ? e.rolloutListMemoryBytes : memKey === 'memoryRelist' ? e.relistMemoryBytes : e.peakListMemoryBytes);
    push(
      RULES[memKey],
      sev,
      call,
      `${where}. On ${head}, ${PHASE[memKey]}: ${num(inflight(dom))} ${verbNoun(call)} in flight at once (as many as APF's ${p.priorityLevel} seats admit, ${dom.cost.seats} seats each), each holding ${perReq}: an API server needs ${bytes(need)} of its ${bytes(limit)} (${percentWhole(e.ratios[memKey])}, with ${Math.round(model.apiServer.gcHeadroom * 100)} % GC headroom, ${model.apiServer.replicas} replicas); past 100 % it is OOM-killed and its clients retry on the others. Cause: ${call.because}.`,
      fixFor(p, call, memKey),
    );
  }
  const other = (k: 'seats' | 'cpu' | 'etcd', threshold: number, explain: string, metric: (c: CallEstimate) => number): void => {
    if (e.ratios[k] < threshold) return;
    const dom = e.calls.reduce((a, b) => (metric(b) > metric(a) ? b : a));
    const call = callOf(dom.call);
    push(RULES[k], 'warn', call, `${where}. On ${head}: ${explain} (${percentWhole(e.ratios[k])}). Cause: ${call.because}.`, fixFor(p, call, k));
  };
  const lvl = e.levels.find((l) => l.level === p.priorityLevel);
  other('seats', THRESHOLDS.warnSeats, `the calls hold ${num(e.addedSeats, 1)} APF seats in steady state, of the ${num(lvl?.availableSeats ?? 0)} priority level ${p.priorityLevel} has with borrowing (${num(lvl?.nominalSeats ?? 0)} nominal); beyond them requests queue and get 429 after 15 s`, (c) => c.seats);
  other('cpu', THRESHOLDS.warnCpu, `${num(e.addedCpuCores, 1)} API-server cores of ${num(e.apiServerCores)} (${rate(e.addedRequestsPerSecond)} requests/s; ${num(e.watchEventsPerSecond)} watch events/s fanned out to its clients)`, (c) => c.cpuCores);
  other('etcd', THRESHOLDS.warnEtcd, `consistent reads take ${bytes(e.etcdReadBytesPerSecond)}/s of etcd's ${bytes(e.etcdReadCapacityBytesPerSecond)}/s read bandwidth; other requests' etcd latency grows with it`, (c) => c.etcdReadBytesPerSecond);
  return out;
}

function verbNoun(c: DerivedCall): string {
  const p = c.profile;
  const what = p.scope === 'node' ? `node-scoped ${p.resource}` : p.scope === 'namespace' ? `namespace ${p.resource}` : `cluster-wide ${p.resource}`;
  if (p.verb === 'watch') return `${what} informer lists`;
  if (p.verb === 'list') return `${what} LISTs`;
  return `${p.verb.toUpperCase()}s of ${p.resource}`;
}

/** The fix, from what makes the call expensive. */
function fixFor(p: WorkloadProfile, c: DerivedCall, rule: RatioName): string {
  const fixes: string[] = [];
  const pr = c.profile;
  const w = p.workload;
  // Calls assumed from RBAC: the only fixes that apply are to state the real calls or narrow the RBAC —
  // never an agent's own setting for a call the agent was not seen to make.
  if (p.source === 'rbac') {
    return `state the calls ${w.id} really makes in a firebreak.dev/api-profile annotation (this estimate is the worst its RBAC allows, not what it was seen to do), or narrow its RBAC to what it uses (e.g. no ${pr.verb === 'watch' ? 'list/watch' : 'list'} of ${pr.resource}${pr.scope === 'namespace' ? ` in ${(c.namespaces ?? []).join(', ')}` : ' cluster-wide'})`;
  }
  if (pr.scope === 'cluster' && w.perNode && c.leaderOnly !== true) {
    // The agent's own fix (its reader's, agents/*.ts), else the generic ones.
    if (c.fix !== undefined) fixes.push(c.fix);
    else if (pr.resource === 'pods') fixes.push('scope it by node with a fieldSelector spec.nodeName=<this node> (from the downward API), or ask the local kubelet (/pods) instead');
    else fixes.push(`aggregate through one cluster-level client that watches ${pr.resource} once and fans out to the nodes (as Calico's Typha or Datadog's Cluster Agent do)`);
  }
  if (pr.verb === 'list' && pr.resourceVersion === 'consistent') fixes.push(`serve it from the watch cache (resourceVersion=0) or make it an informer with watch-list streaming, which holds one object window instead of the whole ${pr.resource} list`);
  if (pr.verb === 'list' && pr.periodS > 0) fixes.push(`watch instead of re-listing every ${seconds(pr.periodS)}`);
  if (pr.verb === 'watch' && pr.resourceVersion !== 'watch-list' && (rule === 'memoryRelist' || rule === 'memoryRollout')) fixes.push('list with watch-list streaming (client-go WatchListClient) so the initial list holds one object window, not the whole response');
  if (rule === 'memoryRollout' || rule === 'memoryRelist') fixes.push(`stagger start-up (DaemonSet rollingUpdate.maxUnavailable / maxSurge, start jitter) and set client rate limits (QPS/burst) so fewer ${pr.resource} lists run at once`);
  if (rule === 'seats' || rule === 'cpu') fixes.push('set client rate limits (QPS/burst) and lengthen the period');
  if (fixes.length === 0) fixes.push('reduce the number of clients or the size of what each request returns');
  return fixes.join('; ');
}
