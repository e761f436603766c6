/**
 * The twin served live (issue #11, contract A): requests submitted through
 * the served API become load through the same APF/service/memory model
 * (submit), a change can be installed at run time (installChange, changeAt),
 * nodes and pods are read by index, a 429 carries kube-apiserver's
 * Retry-After, and the kill switch stops agents within one poll interval on
 * the nodes that reach it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseScenario } from '../../src/input/scenario.ts';
import { Twin, TwinError, type ChangeSpec, type Scenario } from '../../src/twin/index.ts';
import { ClusterSim } from '../../src/twin/cluster-sim.ts';
import { requestCost } from '../../src/model/cost.ts';
import { Random } from '../../src/core/random.ts';
import { dropAt } from '../../src/twin/cluster/retry-after.ts';

/** A scenario of the given clusters, with the incident's change (every agent lists all pods and nodes from etcd every 5 min) unless `change` is false. */
function scenario(clusters: readonly { name: string; nodes: number }[], opts: { change?: boolean; model?: string; duration?: string } = {}): Scenario {
  const change = opts.change === false ? '' : `
  change:
    name: telemetry-agent
    namespace: telemetry
    calls:
      - { name: list-pods, verb: list, resource: pods, resourceVersion: consistent, period: 5m }
      - { name: list-nodes, verb: list, resource: nodes, resourceVersion: consistent, period: 5m }`;
  return parseScenario(
    `apiVersion: firebreak.dev/v1alpha1
kind: Scenario
metadata: { name: live }
spec:
  start: "2024-12-11T14:30:00"
  duration: ${opts.duration ?? '2h'}
  fleet:
    clusters:
${clusters.map((c) => `      - { name: ${c.name}, nodes: ${c.nodes} }`).join('\n')}
${opts.model ?? ''}${change}
`,
    '<test>',
  );
}

const INCIDENT = scenario([{ name: 'x', nodes: 10 }]).change as ChangeSpec;

test('a submitted LIST of 200,000 pods costs what the shared cost model says', () => {
  const sc = scenario([{ name: 'big', nodes: 5000 }], { change: false });
  const sim = new ClusterSim(sc.clusters[0]!, sc.model, undefined, Random.seeded(1), []);
  const out = sim.submit('workload-low', { objects: 200_000, bytes: 200_000 * 12_288, write: false }, 0);
  assert.equal(out.status, 'served');
  const ext = sim.state.classes.filter((c) => c.external);
  assert.equal(ext.length, 1);
  const profile = { ...ext[0]!.profile, verb: 'list' as const, scope: 'cluster' as const, resourceVersion: 'consistent' as const, pageSize: 0 };
  const expected = requestCost(profile, { count: 200_000, bytes: 12_288, eventsPerSecond: 0, nodeScope: 'none' }, 5000, sc.model.costs);
  assert.deepEqual(ext[0]!.cost, expected);
  assert.equal(expected.seats, sc.model.costs.maxSeats);
  // The request is load: after a step the level holds its seats and the server its memory.
  const memBefore = sim.memoryRatio();
  sim.step(0, 1);
  const lvl = sim.levels().find((l) => l.level === 'workload-low');
  assert.ok((lvl?.inUse ?? 0) >= expected.seats * 0.99, `in use ${lvl?.inUse}`);
  assert.ok(sim.memoryRatio() > memBefore, 'its response buffers are held in memory');
});

test('a storm of submitted LISTs saturates the level; later submits are rejected with a growing Retry-After', () => {
  const sc = scenario([{ name: 'big', nodes: 5000 }], { change: false });
  const twin = new Twin(sc, { seed: 1, pipeline: false });
  for (let k = 0; k < 30; k++) twin.step();
  const first = twin.submit(0, 'workload-low', { objects: 1, bytes: 2048, write: false });
  assert.equal(first.status, 'served');
  assert.equal(first.retryAfterS, 0);
  const statuses: string[] = [];
  const retryAfters: number[] = [];
  for (let k = 0; k < 120; k++) {
    for (let r = 0; r < 400; r++) {
      const o = twin.submit(0, 'workload-low', { objects: 5_000, bytes: 5_000 * 2_048, write: false });
      statuses.push(o.status);
      if (o.status === 'rejected') {
        assert.ok(o.retryAfterS >= sc.model.apiServer.retryAfterMinS && o.retryAfterS <= sc.model.apiServer.retryAfterMaxS);
        assert.equal(o.ok, false);
        retryAfters.push(o.retryAfterS);
      } else assert.equal(o.retryAfterS, 0);
    }
    twin.step();
  }
  assert.equal(statuses[0], 'served');
  assert.ok(retryAfters.length > 0, `some submits were rejected: ${JSON.stringify(statuses.slice(-5))}`);
  assert.equal(retryAfters[0], 1, 'Retry-After starts at 1 s');
  assert.ok(Math.max(...retryAfters) >= 4, `Retry-After grew under sustained drops: max ${Math.max(...retryAfters)}`);
  const lvl = twin.levelsAt(0).find((l) => l.level === 'workload-low')!;
  assert.ok(lvl.inUse >= lvl.seats * 0.99, `the level's seats are all in use: ${lvl.inUse} of ${lvl.seats}`);
  // Another level is untouched: APF isolates the storm.
  assert.equal(twin.submit(0, 'global-default', { objects: 1, bytes: 2048, write: false }).status, 'served');
});

test("Retry-After follows kube-apiserver's dropped-requests tracker: doubles after 3×, falls by 1 when calm, within 1..32 s", () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 200 }), (drops) => {
      const sc = scenario([{ name: 'a', nodes: 50 }], { change: false, duration: '1h' });
      const sim = new ClusterSim(sc.clusters[0]!, sc.model, undefined, Random.seeded(1), []);
      const s = sim.state;
      let prev = s.retryAfterS[5]!;
      for (let sec = 0; sec < drops.length; sec++) {
        if (drops[sec]! > 0) dropAt(s, 5, sec, drops[sec]!);
        const ra = s.retryAfterS[5]!;
        assert.ok(ra >= 1 && ra <= 32);
        assert.ok(ra === prev || ra === prev * 2 || ra === 32 || ra === prev - 1, `${prev} → ${ra}`);
        prev = ra;
      }
    }),
    { numRuns: 100 },
  );
  const sc = scenario([{ name: 'a', nodes: 50 }], { change: false, duration: '1h' });
  const s = new ClusterSim(sc.clusters[0]!, sc.model, undefined, Random.seeded(1), []).state;
  for (let sec = 0; sec < 100; sec++) dropAt(s, 5, sec, 100);
  assert.equal(s.retryAfterS[5], 32);
  for (let sec = 100; sec < 200; sec++) dropAt(s, 5, sec, 0.5);
  assert.equal(s.retryAfterS[5], 1);
});

test('installChange then apply of the incident agent: a 5,000-node cluster answers 429s, then refuses connections; a 50-node cluster stays healthy', () => {
  const sc = scenario([{ name: 'small', nodes: 50 }, { name: 'big', nodes: 5000 }], { change: false });
  const twin = new Twin(sc, { seed: 1, pipeline: false });
  assert.equal(twin.changeAt(1), undefined);
  assert.equal(twin.nodesAt(1), 5000);
  assert.ok(twin.podsAt(1) > 5000);
  for (let i = 0; i < 2; i++) {
    twin.installChange(i, INCIDENT);
    assert.equal(twin.changeAt(i), INCIDENT);
    twin.act(twin.clusters()[i]!.name, { kind: 'apply-change', nodeFraction: 1 }, 'test');
  }
  // Probe each cluster every 5 s as a kubectl user would (its own flow at global-default), and
  // watch the agents' own level: their requests are the ones APF rejects.
  const seen = [new Set<string>(), new Set<string>()];
  const firstAt: Record<string, number>[] = [{}, {}];
  let agents429 = [0, 0];
  let first429 = Infinity;
  while (twin.step()) {
    for (let i = 0; i < 2; i++) {
      const rej = twin.levelsAt(i).find((l) => l.level === INCIDENT.priorityLevel)?.rejectedPerS ?? 0;
      agents429[i]! += rej;
      if (i === 1 && rej > 0) first429 = Math.min(first429, twin.t);
    }
    if (Math.round(twin.t) % 5 !== 0) continue;
    for (let i = 0; i < 2; i++) {
      const o = twin.submit(i, 'global-default', { objects: 1, bytes: 2048, write: false });
      seen[i]!.add(o.status);
      firstAt[i]![o.status] ??= twin.t;
    }
  }
  agents429 = agents429.map((x) => Math.round(x));
  assert.deepEqual([...seen[0]!], ['served'], 'the 50-node cluster serves every request');
  assert.equal(agents429[0], 0, 'and rejects none of its agents');
  assert.ok(twin.successRatioAt(0) > 0.99);
  assert.ok(agents429[1]! > 1000, `the 5,000-node cluster answers its agents with 429s: ${agents429[1]}`);
  assert.ok(seen[1]!.has('refused'), `then refuses connections: ${[...seen[1]!].join(", ")}`);
  assert.ok(first429 < firstAt[1]!.refused!, `429s (${first429} s) before refusals (${firstAt[1]!.refused} s)`);
});

test('installChange replaces an idle change, refuses while another is deployed, and the workload follows the installed one', () => {
  const sc = scenario([{ name: 'a', nodes: 200 }]);
  const twin = new Twin(sc, { seed: 1, pipeline: false });
  const other: ChangeSpec = { ...INCIDENT, name: 'log-shipper', kind: 'Deployment', replicas: 3, priorityLevel: 'workload-low' };
  twin.installChange(0, other);
  assert.equal(twin.changeAt(0)?.name, 'log-shipper');
  twin.act('a', { kind: 'apply-change', nodeFraction: 1 }, 'test');
  for (let k = 0; k < 200; k++) twin.step();
  assert.equal(twin.changeWorkload('a')?.fullPods, 3);
  assert.ok(Math.abs(twin.agentsAt(0) - 3) < 1e-6, `agents ${twin.agentsAt(0)}`);
  assert.throws(() => twin.installChange(0, INCIDENT), (e: unknown) => e instanceof TwinError && e.code === 'change-busy');
  assert.throws(() => twin.installChange(0, { ...INCIDENT, priorityLevel: 'no-such-level' }), (e: unknown) => e instanceof TwinError);
  twin.act('a', { kind: 'remove-change', via: 'api' }, 'test');
  for (let k = 0; k < 300 && twin.agentsAt(0) > 0; k++) twin.step();
  assert.equal(twin.agentsAt(0), 0);
  twin.installChange(0, INCIDENT);
  assert.equal(twin.changeAt(0)?.name, 'telemetry-agent');
  assert.deepEqual(twin.changeWorkload('a'), { deployed: false, fraction: 0, fullPods: 200, running: 0, appliedAtS: null });
  assert.throws(() => twin.submit(0, 'no-such-level', { objects: 1, bytes: 1, write: false }), TwinError);
});

test('the kill switch stops the agents within one poll interval, spread over it, only on the nodes that reach it', () => {
  for (const [pollS, reach] of [
    [10, 1],
    [30, 1],
    [20, 0.5],
  ] as const) {
    const sc = scenario([{ name: 'a', nodes: 400 }], { model: `  model: { change: { killSwitch: { pollS: ${pollS}, reach: ${reach} } } }\n` });
    const twin = new Twin(sc, { seed: 1, pipeline: false });
    twin.act('a', { kind: 'apply-change', nodeFraction: 1 }, 'test');
    for (let k = 0; k < 200; k++) twin.step();
    const before = twin.agentsAt(0);
    assert.ok(Math.abs(before - 400) < 1e-6, `all agents run: ${before}`);
    // Cut the nodes off the API so that the kubelets cannot see the deletion: only the switch stops agents.
    twin.act('a', { kind: 'block-admin-api', sources: ['nodes'], overS: 1 }, 'test');
    for (let k = 0; k < 5; k++) twin.step();
    twin.act('a', { kind: 'remove-change', via: 'kill-switch' }, 'test');
    twin.step();
    const afterOne = twin.agentsAt(0);
    assert.ok(afterOne < before && afterOne > before * (1 - 2 / pollS), `spread, not at once: ${afterOne} after 1 s of ${pollS} s`);
    for (let k = 1; k < pollS; k++) twin.step();
    assert.ok(Math.abs(twin.agentsAt(0) - before * (1 - reach)) < 1e-6, `after one interval, ${before * (1 - reach)} left: ${twin.agentsAt(0)}`);
    for (let k = 0; k < 60; k++) twin.step();
    assert.ok(Math.abs(twin.agentsAt(0) - before * (1 - reach)) < 1e-6, 'agents that cannot reach the switch keep running while their kubelets are cut off');
  }
});
