import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_COST_PARAMS, requestCost, watchEventsPerClient } from '../../src/model/cost.ts';
import type { CallProfile, ResourceStats } from '../../src/model/profile.ts';

const pods = (count: number): ResourceStats => ({ count, bytes: 10_000, eventsPerSecond: count / 600, nodeScope: 'index' });
const call = (p: Partial<CallProfile>): CallProfile => ({
  name: 'x', verb: 'list', resource: 'pods', scope: 'cluster', resourceVersion: 'consistent', periodS: 60, jitter: 0.1, pageSize: 0, qps: 5, burst: 10,
  retry: { policy: 'backoff', initialS: 0.8, factor: 2, maxS: 30, jitter: 1 }, namespaceFraction: 0.05, ...p,
});

test('a consistent cluster-wide LIST holds about 5× the etcd response in memory', () => {
  const c = requestCost(call({}), pods(150_000), 5000, DEFAULT_COST_PARAMS);
  assert.equal(c.etcdBytes, 150_000 * 10_000);
  assert.equal(c.memoryBytes, 5 * 150_000 * 10_000);
  assert.equal(c.seats, 10);
});

test('a node-scoped LIST from the watch cache scans only the node\'s pods; from etcd it reads them all', () => {
  const cache = requestCost(call({ scope: 'node', resourceVersion: '0' }), pods(150_000), 5000, DEFAULT_COST_PARAMS);
  const etcd = requestCost(call({ scope: 'node', resourceVersion: 'consistent' }), pods(150_000), 5000, DEFAULT_COST_PARAMS);
  assert.equal(cache.etcdBytes, 0);
  assert.equal(cache.responseBytes, 30 * 10_000);
  assert.equal(etcd.etcdBytes, 150_000 * 10_000);
  assert.ok(etcd.cpuS > 10 * cache.cpuS);
});

test('watch-list keeps memory small whatever the size', () => {
  const c = requestCost(call({ verb: 'watch', resourceVersion: 'watch-list' }), pods(150_000), 5000, DEFAULT_COST_PARAMS);
  assert.ok(c.memoryBytes < 2e6);
});

test('property: seats stay within 1..maxSeats and cost grows with cluster size', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300_000 }), fc.integer({ min: 1, max: 300_000 }), fc.constantFrom<'consistent' | '0'>('consistent', '0'), (a, b, rv) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const p = call({ resourceVersion: rv });
      const x = requestCost(p, pods(lo), 100, DEFAULT_COST_PARAMS);
      const y = requestCost(p, pods(hi), 100, DEFAULT_COST_PARAMS);
      assert.ok(x.seats >= 1 && x.seats <= DEFAULT_COST_PARAMS.maxSeats);
      assert.ok(y.memoryBytes >= x.memoryBytes && y.cpuS >= x.cpuS);
    }),
    { seed: 42, numRuns: 200 },
  );
});

test("a node's own Node object (scope node on nodes: metadata.name=<node>) is a single-key read with one seat, from etcd or the cache", () => {
  const nodes: ResourceStats = { count: 7500, bytes: 12_288, eventsPerSecond: 7500 / 60, nodeScope: 'name' };
  for (const rv of ['consistent', '0'] as const) {
    const own = requestCost(call({ resource: 'nodes', scope: 'node', resourceVersion: rv }), nodes, 7500, DEFAULT_COST_PARAMS);
    const all = requestCost(call({ resource: 'nodes', scope: 'cluster', resourceVersion: rv }), nodes, 7500, DEFAULT_COST_PARAMS);
    assert.equal(own.seats, 1);
    assert.equal(own.responseBytes, 12_288);
    assert.equal(own.etcdBytes, rv === 'consistent' ? 12_288 : 0);
    assert.ok(all.responseBytes > 1000 * own.responseBytes);
  }
  assert.equal(watchEventsPerClient(call({ verb: 'watch', resource: 'nodes', scope: 'node', resourceVersion: '0' }), nodes, 7500), 1 / 60);
});
