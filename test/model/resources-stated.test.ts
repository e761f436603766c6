/**
 * Objects of any type (src/model/resources.ts): stated types with absolute counts or ratios, sizes
 * and event rates; the eight modelled types unchanged when nothing is stated; one resolution of a
 * call's type for the twin and the analyzer (stated, modelled, derived, assumed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import type { ObjectSizes } from '../../src/model/model-schema.ts';
import { clusterResources, MODELLED_RESOURCES, resolveResource, storedBytes, UNMODELLED_RESOURCE } from '../../src/model/resources.ts';

const withStated = (resources: ObjectSizes['resources']): ObjectSizes => ({ ...DEFAULT_MODEL.objects, resources });

test('nothing stated: exactly the eight modelled types', () => {
  assert.deepEqual([...clusterResources(5000, 150_000, DEFAULT_MODEL.objects).keys()], MODELLED_RESOURCES);
});

test('a stated type: absolute count, per node, per pod; its size and event rate; held in the watch cache', () => {
  const o = withStated({
    replicasets: { count: 8400, bytes: 3072 },
    secrets: { perPod: 0.5, bytes: 4096, eventsPerSecond: 0.2 },
    'cilium.io/v2/ciliumnodes': { perNode: 1, bytes: 4096, eventsPerSecond: 125 },
  });
  const r = clusterResources(30, 1200, o);
  // No rate stated: the derived table's (about one ReplicaSet change per Service an hour).
  assert.deepEqual(r.get('replicasets'), { count: 8400, bytes: 3072, eventsPerSecond: services(r) / 3600, nodeScope: 'none' });
  assert.deepEqual(r.get('secrets'), { count: 600, bytes: 4096, eventsPerSecond: 0.2, nodeScope: 'none' });
  // The derived table knows CiliumNodes are read by name: stating one keeps that.
  assert.deepEqual(resolveResource(r, 'cilium.io/v2/ciliumnodes', o), { stats: { count: 30, bytes: 4096, eventsPerSecond: 125, nodeScope: 'name' }, source: 'stated', name: 'ciliumnodes' });
  const base = storedBytes(clusterResources(30, 1200, DEFAULT_MODEL.objects));
  assert.equal(storedBytes(r), base + 8400 * 3072 + 600 * 4096 + 30 * 4096);
});

function services(r: ReadonlyMap<string, { count: number }>): number {
  return r.get('services')?.count ?? 0;
}

test('a stated modelled type keeps its ratios for what it does not state; pods and nodes keep the fleet\'s count', () => {
  const r = clusterResources(100, 3000, withStated({ pods: { bytes: 24_576 }, configmaps: { count: 7 } }));
  const d = clusterResources(100, 3000, DEFAULT_MODEL.objects);
  assert.deepEqual(r.get('pods'), { ...d.get('pods'), bytes: 24_576 });
  assert.deepEqual(r.get('configmaps'), { ...d.get('configmaps'), count: 7 });
  assert.deepEqual(r.get('nodes'), d.get('nodes'));
});

test('resolution: a subresource costs as its object; a custom type by its plural or by group/version/plural; derived and assumed types said so', () => {
  const o = withStated({ 'example.com/v1/widgets': { count: 10, bytes: 100 }, 'apps/v1/replicasets': { count: 5, bytes: 3000 } });
  const r = clusterResources(100, 3000, o);
  assert.equal(resolveResource(r, 'nodes/status', o).source, 'modelled');
  assert.equal(resolveResource(r, 'nodes/status', o).stats, r.get('nodes'));
  assert.equal(resolveResource(r, 'widgets', o).stats.count, 10);
  assert.equal(resolveResource(r, 'example.com/v1/widgets', o).source, 'stated');
  // apps/v1/replicasets states the built-in type: one key, found by either name.
  assert.equal(resolveResource(r, 'replicasets', o).stats.count, 5);
  assert.equal(resolveResource(r, 'replicasets', o).source, 'stated');
  assert.equal(resolveResource(r, 'secrets', o).source, 'derived');
  assert.deepEqual(resolveResource(r, 'example.com/v1/gadgets', o), { stats: UNMODELLED_RESOURCE, source: 'assumed', name: 'example.com/v1/gadgets' });
});

test('property: a stated count and size are what a LIST of the type sees, and the watch cache grows by count × bytes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1_500_000 }), fc.integer({ min: 1, max: 20_000 }), (count, bytes, nodes) => {
      const o = withStated({ 'example.com/v1/widgets': { count, bytes } });
      const r = clusterResources(nodes, nodes * 30, o);
      const s = resolveResource(r, 'widgets', o).stats;
      assert.equal(s.count, count);
      assert.equal(s.bytes, bytes);
      assert.equal(storedBytes(r) - storedBytes(clusterResources(nodes, nodes * 30, DEFAULT_MODEL.objects)), count * bytes);
    }),
    { seed: 7, numRuns: 100 },
  );
});
