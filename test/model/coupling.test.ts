/**
 * The twin and the analyzer share one control-plane model (src/model): the
 * parameters, and every equation both use. Two kinds of proof:
 * - behaviour: perturbing each shared model parameter (through a scenario's
 *   `spec.model`, as a user would) moves the twin's figure for a small
 *   scenario (run through the Twin class) and the analyzer's estimate for
 *   the same change in the same direction. A side with its own copy of an
 *   equation that ignores the parameter, or reads it the other way, fails;
 * - structure: the parameters and terms of the shared equations are read only
 *   in src/model, so that a second copy in src/twin or src/analyzer (such as
 *   a service time with `sd` instead of `√sd`) cannot come back unseen.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimate } from '../../src/analyzer/estimate.ts';
import { DEFAULT_PRIORITY_LEVELS } from '../../src/model/kubernetes.ts';
import type { Scenario } from '../../src/twin/index.ts';
import { Twin } from '../../src/twin/index.ts';
import { listAgentScenario } from '../helpers/list-agent-scenario.ts';

const NODES = 300;

/**
 * One 300-node cluster; at +5 min a DaemonSet starts whose pods each list their node's pods every
 * 5 min with a consistent read (etcd reads every pod). It loads the API servers' memory, CPU, etcd
 * and APF seats without killing an API server, so every figure responds smoothly.
 */
function scenario(model: string): Scenario {
  return listAgentScenario({ name: 'coupling', duration: '40m', nodes: NODES, model });
}

type TwinFigure = 'memory' | 'seats' | 'p99';
type AnalyzerFigure = 'memory' | 'seats' | 'cpu';

interface Figures {
  readonly twin: Readonly<Record<TwinFigure, number>>;
  readonly analyzer: Readonly<Record<AnalyzerFigure, number>>;
  readonly restarts: number;
}

/** The twin's peaks over the run and the analyzer's estimate for the same change on the same model. */
function figures(model: string): Figures {
  const s = scenario(model);
  const twin = new Twin(s, { seed: 1 });
  const peak = { memory: 0, seats: 0, p99: 0 };
  while (twin.step()) {
    const m = twin.observe('c');
    peak.memory = Math.max(peak.memory, m.apiserver_memory_ratio);
    peak.seats = Math.max(peak.seats, m.apf_seat_saturation);
    peak.p99 = Math.max(peak.p99, m.apiserver_p99_seconds);
  }
  const cluster = s.clusters[0];
  const change = s.change;
  assert.ok(cluster !== undefined && change !== undefined);
  const e = estimate([{ key: 'agent', perNode: true, replicas: 1, level: change.priorityLevel, calls: change.calls }], cluster.nodes, cluster.pods, s.model);
  const restarts = twin.result().report.clusters[0]?.controlPlane.apiServerRestarts ?? -1;
  return { twin: peak, analyzer: { memory: Math.max(e.ratios.memorySteady, e.ratios.memoryRollout, e.ratios.memoryRelist), seats: e.ratios.seats, cpu: e.ratios.cpu }, restarts };
}

/** The default priority levels with `change` applied to those `which` selects. */
function levels(which: (name: string) => boolean, change: Record<string, number>): string {
  return JSON.stringify(DEFAULT_PRIORITY_LEVELS.map((l) => (which(l.name) ? { ...l, ...change } : l)));
}

interface Case {
  /** The equation the parameter enters, and how it is perturbed. */
  readonly name: string;
  readonly model: string;
  readonly twin: TwinFigure;
  readonly analyzer: AnalyzerFigure;
  readonly direction: 'up' | 'down';
}

const CASES: readonly Case[] = [
  // Service time: CPU × slowdown + transfer × √slowdown + etcd time (service-time.ts).
  { name: 'service time, CPU per object read from etcd ×5', model: '{ costs: { cpuPerEtcdObjectS: 0.00002 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'service time, CPU per byte encoded ×10', model: '{ costs: { cpuPerByteS: 0.0000001 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'service time, transfer rate ÷10', model: '{ costs: { responseBytesPerS: 20000000 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'etcd term, read bandwidth ÷4', model: '{ etcd: { readBytesPerS: 100000000 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'etcd term, base latency ×10', model: '{ etcd: { baseLatencyS: 0.05 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  // Go GC CPU per allocated byte (gc-cpu.ts), part of every request's CPU (cost.ts).
  { name: 'GC CPU, 1 ns per allocated byte instead of none', model: '{ costs: { gcCpuPerAllocatedByteS: 0.000000001 } }', twin: 'p99', analyzer: 'cpu', direction: 'up' },
  // CPU share weight and slowdown (cpu-sharing.ts), through the sizing tier's cores (sizing.ts).
  { name: 'CPU sharing, 4 cores per replica instead of 16', model: '{ apiServer: { sizing: [{ minNodes: 0, cpuCores: 4, memoryBytes: 15Gi }, { minNodes: 251, cpuCores: 4, memoryBytes: 60Gi }] } }', twin: 'p99', analyzer: 'cpu', direction: 'up' },
  // Memory per API server replica (apiserver-memory.ts).
  { name: 'request memory, LIST memory 6× the etcd response instead of 5×', model: '{ costs: { listMemoryFactorEtcd: 6 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'GC headroom 1 instead of 0.85', model: '{ apiServer: { gcHeadroom: 1 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'watch cache 6× the stored bytes instead of 3×', model: '{ apiServer: { watchCacheFactor: 6 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'memory per open watch 1Mi instead of 64Ki', model: '{ costs: { watchMemoryBytes: 1Mi } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'base memory 4Gi instead of 2Gi', model: '{ apiServer: { baseMemoryBytes: 4Gi } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'memory limit spread ±30 % instead of ±5 %', model: '{ apiServer: { memoryJitter: 0.3 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  // Sizing tier (sizing.ts): the 300-node cluster falls into a 45Gi tier instead of the 251+ tier's 60Gi.
  { name: 'sizing tiers, 45Gi below 301 nodes', model: '{ apiServer: { sizing: [{ minNodes: 0, cpuCores: 16, memoryBytes: 45Gi }, { minNodes: 301, cpuCores: 16, memoryBytes: 60Gi }] } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'API server replicas 5 instead of 3', model: '{ apiServer: { replicas: 5 } }', twin: 'memory', analyzer: 'memory', direction: 'down' },
  // The cluster's own watchers (own-clients.ts), CoreDNS replica count (coredns.ts).
  { name: 'CoreDNS, one replica per node instead of per 16', model: '{ dns: { nodesPerReplica: 1 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  { name: 'own watchers, 400 controller informers instead of 4', model: '{ clients: { controllerInformers: 400 } }', twin: 'memory', analyzer: 'memory', direction: 'up' },
  // APF level capacity and borrowing (apf-capacity.ts) and the work estimator's seats (cost.ts).
  { name: 'APF seats per replica 200 instead of 600', model: '{ apiServer: { seats: 200 } }', twin: 'seats', analyzer: 'seats', direction: 'up' },
  { name: 'APF seats per replica 200: fewer requests in flight', model: '{ apiServer: { seats: 200 } }', twin: 'memory', analyzer: 'memory', direction: 'down' },
  { name: "APF shares, workload-low's halved", model: `{ apf: { levels: ${levels((n) => n === 'workload-low', { shares: 50 })} } }`, twin: 'seats', analyzer: 'seats', direction: 'up' },
  { name: 'APF borrowing, no other level lends', model: `{ apf: { levels: ${levels((n) => n !== 'workload-low', { lendablePercent: 0 })} } }`, twin: 'seats', analyzer: 'seats', direction: 'up' },
  { name: 'APF borrowing, no other level lends: fewer requests in flight', model: `{ apf: { levels: ${levels((n) => n !== 'workload-low', { lendablePercent: 0 })} } }`, twin: 'memory', analyzer: 'memory', direction: 'down' },
  { name: 'APF work estimator, at most 50 seats per request instead of 10', model: '{ costs: { maxSeats: 50 } }', twin: 'memory', analyzer: 'memory', direction: 'down' },
];

void describe('one control-plane model: a perturbed parameter moves the twin and the analyzer the same way', () => {
  const base = figures('{}');

  void it('the base scenario loads the control plane without an OOM kill, and both sides see the load', () => {
    assert.equal(base.restarts, 0);
    assert.ok(base.twin.memory > 0.3 && base.twin.memory < 0.9, `twin memory ${base.twin.memory}`);
    assert.ok(base.analyzer.memory > 0.3 && base.analyzer.memory < 0.9, `analyzer memory ${base.analyzer.memory}`);
    assert.ok(base.analyzer.seats > 0 && base.analyzer.cpu > 0);
  });

  for (const c of CASES) {
    void it(`${c.name}: twin ${c.twin} and analyzer ${c.analyzer} ${c.direction}`, () => {
      const f = figures(c.model);
      assert.equal(f.restarts, 0, 'the perturbation stays out of OOM kills, where figures jump');
      const moved = (before: number, after: number): string => (after > before ? 'up' : after < before ? 'down' : 'unchanged');
      assert.equal(moved(base.twin[c.twin], f.twin[c.twin]), c.direction, `twin ${c.twin}: ${base.twin[c.twin]} → ${f.twin[c.twin]}`);
      assert.equal(moved(base.analyzer[c.analyzer], f.analyzer[c.analyzer]), c.direction, `analyzer ${c.analyzer}: ${base.analyzer[c.analyzer]} → ${f.analyzer[c.analyzer]}`);
    });
  }
});

void describe('the shared equations live only in src/model', () => {
  /**
   * Terms of the shared equations that only src/model may read: the model parameters they use (read as
   * a property) and the request-cost fields of the service time. Each allowance gives its reason.
   */
  const SHARED_TERMS: readonly (readonly [string, RegExp])[] = [
    ...['gcHeadroom', 'watchCacheFactor', 'baseMemoryBytes', 'watchMemoryBytes', 'cpuPerWatchEventS', 'memoryJitter', 'nodesPerReplica', 'minReplicas', 'maxReplicas', 'controllerInformers', 'lendablePercent', 'queueLengthLimit', 'handSize', 'minNodes', 'transferS', 'etcdObjects'].map(
      (name) => [name, new RegExp(`\\.${name}\\b`)] as const,
    ),
    ['Math.sqrt', /Math\.sqrt\(/],
  ];
  const ALLOWED: readonly { readonly file: string; readonly term: string; readonly why: string }[] = [
    { file: 'src/analyzer/findings.ts', term: 'gcHeadroom', why: 'the memory finding names the GC headroom in its message' },
    { file: 'src/analyzer/findings.ts', term: 'watchMemoryBytes', why: "the estimate's own figure of that name (ClusterEstimate.watchMemoryBytes), not the parameter" },
    { file: 'src/analyzer/analyze.ts', term: 'watchMemoryBytes', why: "the estimate's own figure of that name (ClusterEstimate.watchMemoryBytes) in the report, not the parameter" },
    { file: 'src/analyzer/estimate.ts', term: 'transferS', why: "the steady state's closed form (M/G/1 processor sharing), which the twin has no counterpart of" },
  ];
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  void it('src/twin and src/analyzer call src/model for them instead of computing them', () => {
    const found: string[] = [];
    for (const f of [...files('src/twin'), ...files('src/analyzer')]) {
      const code = readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line))
        .join('\n');
      for (const [term, re] of SHARED_TERMS) {
        if (re.test(code) && !ALLOWED.some((a) => a.file === f && a.term === term)) found.push(`${f}: ${term}`);
      }
    }
    assert.deepEqual(found, []);
  });

  void it('every allowance is still needed', () => {
    for (const a of ALLOWED) assert.ok(readFileSync(a.file, 'utf8').includes(a.term), `${a.file} no longer reads ${a.term}: remove the allowance`);
  });
});
