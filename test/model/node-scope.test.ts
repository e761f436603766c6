/**
 * Node scope through a call's field selector (src/model/node-scope.ts, cost.ts): by name a single
 * key, pods by spec.nodeName through the watch cache's node index, any other field a full scan that
 * returns the node's share; the same for every type, built-in or custom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { callObjects, DEFAULT_COST_PARAMS, requestCost, watchEventsPerClient } from '../../src/model/cost.ts';
import { nodeScopeOf } from '../../src/model/node-scope.ts';
import type { CallProfile, ResourceStats } from '../../src/model/profile.ts';

const call = (p: Partial<CallProfile>): CallProfile => ({
  name: 'x', verb: 'watch', resource: 'pods', scope: 'node', resourceVersion: '0', periodS: 0, jitter: 0.1, pageSize: 0, qps: 5, burst: 10,
  retry: { policy: 'backoff', initialS: 0.8, factor: 2, maxS: 30, jitter: 1 }, namespaceFraction: 0.05, ...p,
});
const NODES = 7500;
const pods: ResourceStats = { count: NODES * 30, bytes: 12_288, eventsPerSecond: (NODES * 30) / 600, nodeScope: 'index' };
const nodes: ResourceStats = { count: NODES, bytes: 12_288, eventsPerSecond: NODES / 60, nodeScope: 'name' };
const secrets: ResourceStats = { count: 40_000, bytes: 4096, eventsPerSecond: 2, nodeScope: 'none' };
const widgets: ResourceStats = { count: 3 * NODES, bytes: 2048, eventsPerSecond: 30, nodeScope: 'none' };

test('the field decides the node scope: metadata.name → name, spec.nodeName on pods → index, any other field → filter', () => {
  assert.equal(nodeScopeOf(call({ nodeField: 'metadata.name' }), nodes), 'name');
  assert.equal(nodeScopeOf(call({ nodeField: 'metadata.name' }), widgets), 'name');
  assert.equal(nodeScopeOf(call({ nodeField: 'spec.nodeName' }), pods), 'index');
  // Only pods have the node index (pkg/registry/core/pod/strategy.go): the same field elsewhere is a scan.
  assert.equal(nodeScopeOf(call({ nodeField: 'spec.nodeName' }), widgets), 'filter');
  assert.equal(nodeScopeOf(call({ nodeField: 'spec.providerID' }), nodes), 'filter');
  // No field: the type's own (pods by node, nodes by name, others cluster-wide, as before fields existed).
  assert.equal(nodeScopeOf(call({}), pods), 'index');
  assert.equal(nodeScopeOf(call({}), nodes), 'name');
  assert.equal(nodeScopeOf(call({}), secrets), 'none');
  assert.equal(nodeScopeOf(call({ scope: 'cluster', nodeField: 'metadata.name' }), nodes), 'none');
});

test('by metadata.name: one object, one seat, its own events, from the cache or etcd, for any type', () => {
  for (const r of [nodes, widgets, secrets]) {
    for (const rv of ['0', 'consistent'] as const) {
      const c = requestCost(call({ nodeField: 'metadata.name', resourceVersion: rv }), r, NODES, DEFAULT_COST_PARAMS);
      assert.equal(c.seats, 1);
      assert.equal(c.responseBytes, r.bytes);
      assert.equal(c.etcdBytes, rv === 'consistent' ? r.bytes : 0);
    }
    assert.equal(watchEventsPerClient(call({ nodeField: 'metadata.name' }), r, NODES), r.eventsPerSecond / r.count);
  }
});

test('by a field with no index: the node\'s share returned, every object scanned, seats as for the whole type', () => {
  const filter = requestCost(call({ resource: 'widgets', nodeField: 'spec.nodeName' }), widgets, NODES, DEFAULT_COST_PARAMS);
  const all = requestCost(call({ resource: 'widgets', scope: 'cluster' }), widgets, NODES, DEFAULT_COST_PARAMS);
  const own = callObjects(call({ nodeField: 'spec.nodeName' }), widgets, NODES);
  assert.deepEqual(own, { returned: widgets.count / NODES, scanned: widgets.count });
  assert.equal(filter.seats, all.seats);
  assert.equal(filter.responseBytes, (widgets.count / NODES) * widgets.bytes);
  assert.ok(filter.cpuS < all.cpuS && filter.cpuS > requestCost(call({ nodeField: 'metadata.name' }), widgets, NODES, DEFAULT_COST_PARAMS).cpuS);
  assert.equal(watchEventsPerClient(call({ nodeField: 'spec.nodeName' }), widgets, NODES), widgets.eventsPerSecond / NODES);
});

test('pods by spec.nodeName: the index serves the watch cache; a consistent read still reads every pod from etcd', () => {
  const cache = callObjects(call({ nodeField: 'spec.nodeName', verb: 'list', periodS: 60 }), pods, NODES);
  const etcd = callObjects(call({ nodeField: 'spec.nodeName', verb: 'list', periodS: 60, resourceVersion: 'consistent' }), pods, NODES);
  assert.deepEqual(cache, { returned: 30, scanned: 30 });
  assert.deepEqual(etcd, { returned: 30, scanned: pods.count });
  // Naming the field a call already implied changes nothing.
  for (const rv of ['0', 'consistent'] as const) {
    assert.deepEqual(requestCost(call({ nodeField: 'spec.nodeName', resourceVersion: rv }), pods, NODES, DEFAULT_COST_PARAMS), requestCost(call({ resourceVersion: rv }), pods, NODES, DEFAULT_COST_PARAMS));
    assert.deepEqual(requestCost(call({ nodeField: 'metadata.name', resourceVersion: rv }), nodes, NODES, DEFAULT_COST_PARAMS), requestCost(call({ resourceVersion: rv }), nodes, NODES, DEFAULT_COST_PARAMS));
  }
});

test('property: for any type with at least one object per node, name ≤ index/filter ≤ cluster-wide in CPU, memory and bytes; scanned ≥ returned', () => {
  const stats = fc.record({
    count: fc.integer({ min: 1, max: 2_000_000 }),
    bytes: fc.integer({ min: 100, max: 1_500_000 }),
    eventsPerSecond: fc.double({ min: 0, max: 10_000, noNaN: true }),
    nodeScope: fc.constantFrom<ResourceStats['nodeScope']>('index', 'name', 'none'),
  });
  fc.assert(
    fc.property(stats, fc.integer({ min: 1, max: 20_000 }), fc.constantFrom<'0' | 'consistent'>('0', 'consistent'), fc.constantFrom('metadata.name', 'spec.nodeName', 'spec.providerID'), (r0, n, rv, field) => {
      // The node's share of a type with fewer objects than nodes is below the one object a name returns.
      const r = { ...r0, count: Math.max(r0.count, n) };
      const at = (p: Partial<CallProfile>): ReturnType<typeof requestCost> => requestCost(call({ verb: 'list', periodS: 60, resourceVersion: rv, ...p }), r, n, DEFAULT_COST_PARAMS);
      const byName = at({ nodeField: 'metadata.name' });
      const byField = at({ nodeField: field });
      const whole = at({ scope: 'cluster' });
      for (const k of ['cpuS', 'memoryBytes', 'responseBytes', 'etcdBytes'] as const) {
        assert.ok(byName[k] <= byField[k] + 1e-12, `${k}: name ${byName[k]} > ${field} ${byField[k]}`);
        assert.ok(byField[k] <= whole[k] + 1e-12, `${k}: ${field} ${byField[k]} > cluster ${whole[k]}`);
      }
      const o = callObjects(call({ verb: 'list', periodS: 60, resourceVersion: rv, nodeField: field }), r, n);
      assert.ok(o.scanned >= o.returned);
    }),
    { seed: 13, numRuns: 300 },
  );
});
