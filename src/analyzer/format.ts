/**
 * The analysis as text for a terminal, as JSON (docs/analyzer.md, "JSON
 * output") and as SARIF 2.1.0 for code-scanning tools. All three are pure
 * functions of the analysis: the same input gives the same bytes.
 */
import type { Analysis } from './analyze.ts';
import { turnText } from './analyze.ts';
import type { TwinSimulation } from './simulate.ts';
import { RULES } from './rules.ts';
import { percentWhole } from '../core/number.ts';
import { bytes, num, rate } from './text.ts';
import type { Severity } from './types.ts';

export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

export function formatJson(a: Analysis, simulation?: TwinSimulation): string {
  return JSON.stringify(simulation === undefined ? a : { ...a, simulation }, null, 2) + '\n';
}

const VERDICT_WORD = { ok: 'OK', warn: 'WARN', block: 'BLOCK' } as const;

export function formatText(a: Analysis, simulation?: TwinSimulation): string {
  const L: string[] = [];
  const f = a.fleet;
  L.push(`firebreak analyze: ${VERDICT_WORD[a.verdict]} — fleet ${f.name}: ${f.clusters} clusters, ${num(f.nodes)} nodes; ${f.block} block, ${f.warn} warn, ${f.ok} ok`);
  L.push(`  the whole change turns ${turnText(f.turn)} (searched at ${f.podsPerNode} pods per node)`);
  L.push('');
  L.push('Workloads');
  if (a.workloads.length === 0) L.push('  none found (DaemonSet, Deployment, StatefulSet, ReplicaSet, Job, CronJob or Pod)');
  for (const w of a.workloads) {
    const clients = w.clients === 'per-node' ? 'one per node' : `${w.clients} replica${w.clients === 1 ? '' : 's'}`;
    L.push(`  ${w.workload}  ${VERDICT_WORD[w.verdict]}  (${clients}; serviceaccount ${w.namespace}/${w.serviceAccount} → ${w.priorityLevel}; profile from ${w.profileSource}${w.agents.length > 0 ? `: ${w.agents.join(', ')}` : ''})`);
    if (w.profileSource === 'unknown') L.push('    API use not determined from the input (see its profile-unknown finding)');
    else if (w.calls.length === 0) L.push('    no API calls');
    else if (w.profileSource === 'rbac') L.push('    calls assumed from RBAC (the worst it allows), not read from its configuration:');
    for (const c of w.calls) {
      const how = c.verb === 'watch' ? `informer (list ${c.resourceVersion === '0' ? 'from the watch cache' : c.resourceVersion === 'watch-list' ? 'by watch-list' : 'from etcd'}, then watch)` : `every ${rate(c.periodSeconds ?? 0)} s${c.verb === 'list' ? (c.resourceVersion === 'consistent' ? ', from etcd' : ', from the watch cache') : ''}`;
      L.push(`    ${c.verb} ${c.resource} ${c.scope === 'cluster' ? 'cluster-wide' : c.scope === 'node' ? `on its node${c.fieldSelector !== undefined ? ` (${c.fieldSelector})` : ''}` : 'in a namespace'}, ${how}${c.leaderOnly === true ? ', by the elected leader only' : ''}   ${c.file}:${c.line}`);
    }
    if (w.calls.length > 0) L.push(`    alone: ${w.clusters.block} block, ${w.clusters.warn} warn, ${w.clusters.ok} ok; turns ${turnText(w.turn)}`);
  }
  L.push('');
  L.push('Findings');
  if (a.findings.length === 0) L.push('  none');
  for (const x of a.findings) {
    L.push(`  ${x.file}:${x.line}:${x.column}: ${x.severity} [${x.rule}]${x.workload !== null ? ` ${x.workload}` : ''}`);
    L.push(`    ${x.message}`);
    L.push(`    fix: ${x.fix}`);
  }
  L.push('');
  L.push('Clusters (not ok, largest first)');
  const shown = a.clusters.filter((c) => c.verdict !== 'ok').sort((x, y) => y.nodes - x.nodes || (x.name < y.name ? -1 : 1));
  if (shown.length > 0) {
    const rows = [['cluster', 'nodes', 'verdict', 'req/s', 'seats', 'LIST/s', 'etcd/s', 'watch ev/s', 'peak LIST mem', 'mem need/limit', 'why']];
    for (const c of shown) {
      const need = Math.max(c.ratios.memorySteady, c.ratios.memoryRollout, c.ratios.memoryRelist);
      rows.push([c.name, num(c.nodes), c.verdict, rate(c.addedRequestsPerSecond), num(c.addedSeats), bytes(c.listBytesPerSecond), bytes(c.etcdReadBytesPerSecond), num(c.watchEventsPerSecond), bytes(c.peakListMemoryBytes), percentWhole(need), c.reasons.join(',')]);
    }
    const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) L.push('  ' + r.map((v, i) => (i === 0 || i === 2 || i === r.length - 1 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ').trimEnd());
  }
  const ok = a.clusters.filter((c) => c.verdict === 'ok');
  if (ok.length > 0) L.push(`  ${ok.length} cluster${ok.length === 1 ? '' : 's'} ok (${num(Math.min(...ok.map((c) => c.nodes)))}–${num(Math.max(...ok.map((c) => c.nodes)))} nodes)`);
  L.push('  (memory per API server: in-flight request memory × GC headroom on top of the watch cache, steady / rollout / relist, whichever is highest)');
  if (simulation !== undefined) {
    L.push('');
    L.push(`Simulation in the fleet twin (seed ${simulation.seed}; applied at +${simulation.applyAtSeconds / 60} min, ${simulation.durationSeconds / 3600} h simulated)`);
    for (const w of simulation.workloads) {
      L.push(`  ${w.workload}: control plane lost on ${w.lost} cluster${w.lost === 1 ? '' : 's'}, API servers OOM-killed on ${w.oomKilled}; estimate and twin agree on ${w.agree} of ${w.clusters.length}`);
      if (w.notSimulated !== undefined) L.push(`    not simulated (only an elected leader makes them; the twin runs a change's calls on every pod): ${w.notSimulated.join(', ')}`);
      const lost = w.clusters.filter((c) => c.lostAt !== null).sort((x, y) => y.nodes - x.nodes);
      if (lost.length > 0) L.push(`    lost: ${lost.map((c) => `${c.name} (${num(c.nodes)})`).join(', ')}`);
      for (const c of w.clusters.filter((x) => !x.agree)) {
        L.push(`    disagree: ${c.name} (${num(c.nodes)} nodes): estimate ${c.estimate} at ${percentWhole(c.estimateMemoryRatio)} of memory; twin peak ${percentWhole(c.peakMemoryRatio)}, ${c.apiServerRestarts} OOM kill${c.apiServerRestarts === 1 ? '' : 's'}${c.lostAt !== null ? ', lost' : ''}`);
      }
    }
  }
  return L.join('\n') + '\n';
}

const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { block: 'error', warn: 'warning', note: 'note' };

/** A relative or absolute file path as a SARIF artifact URI (forward slashes, percent-encoded). */
function artifactUri(file: string): string {
  const p = file.replace(/\\/g, '/');
  return encodeURI(p).replace(/#/g, '%23').replace(/\?/g, '%3F');
}

export function formatSarif(a: Analysis, opts: { readonly toolVersion: string }): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'firebreak',
            semanticVersion: opts.toolVersion,
            informationUri: 'https://firebreak.dev/docs/analyzer',
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.full },
              help: { text: `${r.short} ${r.full}` },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
            })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: a.findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.workload !== null ? `${f.workload}: ` : ''}${f.message}\nFix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.file) },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
          partialFingerprints: { 'firebreak/v1': fingerprint(`${f.rule}|${f.file}|${f.workload ?? ''}|${f.line}`) },
          properties: { workload: f.workload, fix: f.fix, severity: f.severity },
        })),
        properties: { verdict: a.verdict, fleet: a.fleet.name, clustersBlocked: a.fleet.block, clustersWarned: a.fleet.warn },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** FNV-1a, 32 bit, hex: a stable fingerprint without a crypto dependency in the pure layer. */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
