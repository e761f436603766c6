/**
 * The cluster state's numbers get their double representation when they are
 * built (src/twin/cluster/doubles.ts): storing them so changes no value, and a
 * fraction arriving mid-run — a node scale-down's rate, agents left to delete,
 * a lifted network block, a crashed replica's restart time, a cost at a new
 * cluster size — leaves the objects' hidden classes as they were, so the
 * twin's optimised step functions are not thrown away mid-run (issue #10).
 * The hidden classes are compared by V8 itself (%HaveSameMap) in a child
 * process started with --allow-natives-syntax.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { storeAsDoubles } from '../../src/twin/cluster/doubles.ts';

test('storeAsDoubles leaves every value as it was (integers, fractions, -0, NaN, infinities)', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer(), fc.double()), { minLength: 1, maxLength: 8 }), (values) => {
      const o: Record<string, number> = {};
      const keys = values.map((_, i) => `f${i}`);
      values.forEach((v, i) => (o[`f${i}`] = v));
      storeAsDoubles(o, keys);
      for (let i = 0; i < values.length; i++) assert.ok(Object.is(o[`f${i}`], values[i]), `f${i}: ${o[`f${i}`]} !== ${values[i]}`);
      assert.deepEqual(Object.keys(o), keys);
    }),
  );
});

const ROOT = pathToFileURL(join(import.meta.dirname, '../..')).href;

/** Builds two clusters' states, stores fractions into the first's fields, and asks V8 whether both still share hidden classes. */
const PROBE = `
import { parseScenario } from '${ROOT}/src/input/scenario.ts';
import { ClusterSim } from '${ROOT}/src/twin/cluster-sim.ts';
import { Random } from '${ROOT}/src/core/random.ts';
const sc = parseScenario(\`apiVersion: firebreak.dev/v1alpha1
kind: Scenario
metadata: { name: doubles }
spec:
  start: "2024-12-11T14:30:00"
  duration: 1h
  fleet:
    clusters:
      - { name: a, nodes: 500 }
      - { name: b, nodes: 700 }
  change:
    name: telemetry-agent
    namespace: telemetry
    calls:
      - { name: list-pods, verb: list, resource: pods, resourceVersion: consistent, period: 5m }
\`, '<test>');
const [a, b] = sc.clusters.map((c, i) => new ClusterSim(c, sc.model, sc.change, Random.seeded(i + 1), []).state);
const same = (x, y) => %HaveSameMap(x, y);
for (const k of ['nodeRate', 'agentsToDelete', 'deletedNotStopped', 'agentsCreated', 'nodes', 'nodeTarget', 'coarseEnd', 'notReady', 'memRatio', 'etcdWrites']) a[k] += 0.25;
for (const r of [a.block, a.blockTarget, a.blockRate]) for (const k of ['nodes', 'change', 'workloads']) r[k] += 0.25;
const c = a.classes[0];
for (const k of ['n', 'pending', 'queued', 'inflight', 'watching', 'rewatch', 'arrivals', 'ok', 'failed', 'rejected', 'latency', 'exitRate', 'memHeld', 'seatShare']) c[k] += 0.25;
for (const k of ['seats', 'etcdObjects', 'etcdBytes', 'memoryBytes', 'responseBytes']) c.cost[k] += 0.25;
for (const k of ['until', 'readySince', 'downSince', 'lastCrash', 'memLimit']) a.replicas[0][k] += 0.25;
console.log(JSON.stringify({
  state: same(a, b),
  block: same(a.block, b.block) && same(a.blockTarget, b.blockTarget) && same(a.blockRate, b.blockRate),
  clientClass: same(c, b.classes[0]),
  cost: same(c.cost, b.classes[0].cost),
  replica: same(a.replicas[0], b.replicas[0]),
}));
`;

test('fractions stored mid-run leave the cluster state, client classes, costs, replicas and blocks on their hidden classes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-doubles-'));
  try {
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', probe], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { state: true, block: true, clientClass: true, cost: true, replica: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
