/** The estimate's mechanisms (acceptance 3: scope, resourceVersion, client count, fan-out), not the fixtures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterCapacity } from '../../src/analyzer/capacity.ts';
import { estimate, type PlannedWorkload } from '../../src/analyzer/estimate.ts';
import { searchTurn } from '../../src/analyzer/turn.ts';
import { callProfile } from '../../src/analyzer/agents/agent.ts';
import { clusterResources, storedBytes } from '../../src/model/resources.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { ClusterSim } from '../../src/twin/cluster-sim.ts';
import { Random } from '../../src/core/random.ts';
import { expandFleet } from '../../src/model/fleet.ts';
import type { CallProfile } from '../../src/model/profile.ts';

const ds = (calls: CallProfile[], level = 'workload-low'): PlannedWorkload => ({ key: 'ds', perNode: true, replicas: 1, level, calls });
const deploy = (replicas: number, calls: CallProfile[]): PlannedWorkload => ({ key: 'dep', perNode: false, replicas, level: 'workload-low', calls });
const at = (w: PlannedWorkload, n: number) => estimate([w], n, n * 30, DEFAULT_MODEL);

test('the object counts are the twin\'s own (src/model/resources.ts mirrors ClusterSim)', () => {
  for (const n of [1, 50, 501, 5000]) {
    const [c] = expandFleet({ clusters: [{ name: 'x', nodes: n }] }, 1);
    if (c === undefined) throw new Error('no cluster');
    const sim = new ClusterSim(c, DEFAULT_MODEL, undefined, Random.seeded(1), []);
    assert.deepEqual(clusterResources(c.nodes, c.pods, DEFAULT_MODEL.objects), sim.resources);
  }
});

test('capacity: the default priority levels give workload-low 735 nominal seats and 1,104 with borrowing on 3 replicas', () => {
  const cap = clusterCapacity(DEFAULT_MODEL, 5000, 150_000);
  assert.deepEqual(cap.levels.get('workload-low'), { nominal: 735, available: 1104, flowQueue: 900, exempt: false });
  assert.equal(cap.cores, 96);
  assert.equal(cap.tier.memoryBytes, 120 * 1024 ** 3);
  const stored = storedBytes(clusterResources(5000, 150_000, DEFAULT_MODEL.objects));
  assert.ok(cap.baselineBytes > DEFAULT_MODEL.apiServer.baseMemoryBytes + stored * 3);
});

test('scope: a node-scoped pod informer costs a fraction of a cluster-wide one', () => {
  const node = at(ds([callProfile('w', 'watch', 'pods', { scope: 'node' })]), 5000);
  const cluster = at(ds([callProfile('w', 'watch', 'pods')]), 5000);
  assert.equal(node.verdict, 'ok');
  assert.equal(cluster.verdict, 'block');
  assert.ok(cluster.peakListMemoryBytes > 100 * node.peakListMemoryBytes);
  assert.ok(cluster.watchEventsPerSecond > 1000 * node.watchEventsPerSecond);
});

test('resourceVersion: a consistent LIST reads etcd and holds ~5× it; from the watch cache it reads nothing from etcd', () => {
  const consistent = at(ds([callProfile('l', 'list', 'pods', { periodS: 300 })]), 1000);
  const cached = at(ds([callProfile('l', 'list', 'pods', { periodS: 300, rv: '0' })]), 1000);
  assert.ok(consistent.etcdReadBytesPerSecond > 1e9);
  assert.equal(cached.etcdReadBytesPerSecond, 0);
  assert.ok(consistent.ratios.memorySteady > cached.ratios.memorySteady);
  const watchList = at(ds([callProfile('w', 'watch', 'pods', { rv: 'watch-list' })]), 5000);
  assert.equal(watchList.verdict, 'ok', 'streaming lists keep memory to one object window');
});

test('client count: a DaemonSet has one client per node, a Deployment its replicas', () => {
  const call = callProfile('l', 'list', 'pods', { periodS: 60 });
  assert.equal(at(ds([call]), 2000).addedRequestsPerSecond, 2000 / 60);
  assert.equal(at(deploy(3, [call]), 2000).addedRequestsPerSecond, 3 / 60);
  assert.equal(at(deploy(3, [call]), 2000).verdict, 'ok');
});

test('leader election: a leader-only call is made by one client per cluster, whatever the DaemonSet\'s size', () => {
  const watch = callProfile('cluster-pods', 'watch', 'pods');
  const every = at(ds([watch]), 5000);
  const leader = at({ ...ds([watch]), leaderCalls: new Set(['cluster-pods']) }, 5000);
  const oneClient = at(deploy(1, [watch]), 5000);
  assert.equal(leader.watchEventsPerSecond, oneClient.watchEventsPerSecond);
  assert.ok(every.watchEventsPerSecond > 1000 * leader.watchEventsPerSecond);
  assert.equal(leader.verdict, 'ok');
  assert.equal(every.verdict, 'block');
});

test('fan-out: watch events are delivered to every watching client', () => {
  const e = at(ds([callProfile('w', 'watch', 'nodes')]), 1000);
  // 1,000 nodes × 1/60 node events per second each, to 1,000 clients.
  assert.ok(Math.abs(e.watchEventsPerSecond - (1000 * 1000) / 60) < 1e-6);
});

test('the verdict only worsens with size within a sizing tier, and the search finds where it turns', () => {
  const w = ds([callProfile('l', 'list', 'pods', { periodS: 300 }), callProfile('n', 'list', 'nodes', { periodS: 300 })]);
  const t = searchTurn([w], DEFAULT_MODEL, 30);
  assert.ok(t.blockAboveNodes !== null);
  const b = t.blockAboveNodes;
  assert.equal(at(w, b).verdict, 'block');
  assert.notEqual(at(w, b - 1).verdict, 'block');
  fc.assert(
    fc.property(fc.integer({ min: 501, max: 20_000 }), fc.integer({ min: 501, max: 20_000 }), (a, c) => {
      const [lo, hi] = a < c ? [a, c] : [c, a];
      const rank = { ok: 0, warn: 1, block: 2 } as const;
      return rank[at(w, lo).verdict] <= rank[at(w, hi).verdict];
    }),
    { numRuns: 60 },
  );
});

test('a change with no calls is ok whatever the cluster', () => {
  assert.equal(estimate([], 100_000, 3_000_000, DEFAULT_MODEL).verdict, 'ok');
});

test('property: estimates are finite and non-negative for any call on any cluster', () => {
  const verbs = ['list', 'watch', 'get', 'create', 'patch'] as const;
  fc.assert(
    fc.property(
      fc.constantFrom(...verbs),
      fc.constantFrom('pods', 'nodes', 'services', 'replicasets', 'widgets.example.com', 'nodes/status'),
      fc.constantFrom<'cluster' | 'namespace' | 'node'>('cluster', 'namespace', 'node'),
      fc.constantFrom<'consistent' | '0'>('consistent', '0'),
      fc.integer({ min: 1, max: 3600 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.boolean(),
      (verb, resource, scope, rv, period, nodes, perNode) => {
        const w: PlannedWorkload = { key: 'x', perNode, replicas: 7, level: 'workload-low', calls: [callProfile('c', verb, resource, { scope, rv, periodS: period })] };
        const e = estimate([w], nodes, nodes * 30, DEFAULT_MODEL);
        for (const v of Object.values(e.ratios)) if (!(Number.isFinite(v) && v >= 0)) return false;
        return Number.isFinite(e.peakListMemoryBytes) && e.addedRequestsPerSecond >= 0;
      },
    ),
    { numRuns: 150 },
  );
});

test('property: an estimate without per-call figures is the same estimate, every other figure bit for bit, with no calls', () => {
  const verbs = ['list', 'watch', 'get'] as const;
  const call = fc.record({
    verb: fc.constantFrom(...verbs),
    resource: fc.constantFrom('pods', 'nodes', 'services', 'configmaps', 'widgets.example.com'),
    scope: fc.constantFrom<'cluster' | 'namespace' | 'node'>('cluster', 'namespace', 'node'),
    rv: fc.constantFrom<'consistent' | '0'>('consistent', '0'),
    period: fc.integer({ min: 1, max: 3600 }),
  });
  const workload = fc.record({
    perNode: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 50 }),
    level: fc.constantFrom('workload-low', 'workload-high', 'global-default'),
    calls: fc.array(call, { minLength: 1, maxLength: 4 }),
  });
  fc.assert(
    fc.property(fc.array(workload, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 20_000 }), (ws, nodes) => {
      const planned: PlannedWorkload[] = ws.map((w, i) => ({
        key: `w${i}`,
        perNode: w.perNode,
        replicas: w.replicas,
        level: w.level,
        calls: w.calls.map((c, j) => callProfile(`c${j}`, c.verb, c.resource, { scope: c.scope, rv: c.rv, periodS: c.period })),
      }));
      const full = estimate(planned, nodes, nodes * 30, DEFAULT_MODEL);
      const sums = estimate(planned, nodes, nodes * 30, DEFAULT_MODEL, false);
      assert.ok(full.calls.length > 0);
      assert.deepEqual(sums.calls, []);
      assert.deepEqual({ ...sums, calls: full.calls }, full);
    }),
    { numRuns: 150 },
  );
});
