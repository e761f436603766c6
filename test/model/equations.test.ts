/** The shared equations of src/model on their own (the coupling test runs them through the twin and the analyzer). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryLimitBytes, perReplicaBytes, replicaMemoryBytes, watchBytes } from '../../src/model/apiserver-memory.ts';
import { corednsReplicas } from '../../src/model/coredns.ts';
import { requestCost, type RequestCost } from '../../src/model/cost.ts';
import { cpuSlowdown, cpuWanted } from '../../src/model/cpu-sharing.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { exitsInStep } from '../../src/model/exit-rate.ts';
import { mergeModel } from '../../src/model/model-merge.ts';
import { ownClients, ownWatchers } from '../../src/model/own-clients.ts';
import type { CallProfile } from '../../src/model/profile.ts';
import { clusterResources } from '../../src/model/resources.ts';
import { etcdRangeRate, etcdTimeS, heldS, serviceTimeS } from '../../src/model/service-time.ts';
import { sizingTier, tierBoundaries } from '../../src/model/sizing.ts';

const GiB = 1024 ** 3;
const list = (resourceVersion: CallProfile['resourceVersion']): CallProfile => ({
  name: 'l', verb: 'list', resource: 'pods', scope: 'cluster', resourceVersion, periodS: 60, jitter: 0.1, pageSize: 0, qps: 5, burst: 10,
  retry: { policy: 'backoff', initialS: 0.8, factor: 2, maxS: 30, jitter: 1 }, namespaceFraction: 0.05,
});
const pods = { count: 30_000, bytes: 12_288, eventsPerSecond: 50, nodeScope: 'index' as const };
const consistent = requestCost(list('consistent'), pods, 1000, DEFAULT_MODEL.costs);
const cached = requestCost(list('0'), pods, 1000, DEFAULT_MODEL.costs);

test('service time: CPU × slowdown + transfer × √slowdown + etcd; a range read adds its bytes at its share of the bandwidth', () => {
  const etcdS = etcdTimeS(consistent, 0.005, etcdRangeRate(400e6, 4));
  assert.equal(etcdS, 0.005 + consistent.etcdBytes / 100e6);
  assert.equal(etcdTimeS(cached, 0.005, 400e6), 0, 'the watch cache answers without etcd');
  assert.equal(serviceTimeS(consistent, 4, etcdS), consistent.cpuS * 4 + consistent.transferS * 2 + etcdS);
  assert.equal(serviceTimeS(consistent, 1, 0), consistent.cpuS + consistent.transferS);
  assert.equal(heldS(100, 60), 60);
});

test('property: service time grows with the slowdown, and what leaves a step never exceeds what is in flight', () => {
  fc.assert(
    fc.property(fc.double({ min: 1, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1e4, noNaN: true }), fc.double({ min: 0.1, max: 60, noNaN: true }), fc.double({ min: 1e-3, max: 120, noNaN: true }), (sd, inflight, dt, hold) => {
      const etcdS = etcdTimeS(consistent, 0.005, 400e6);
      assert.ok(serviceTimeS(consistent, sd * 1.5, etcdS) > serviceTimeS(consistent, sd, etcdS));
      const exits = exitsInStep(inflight, dt, hold);
      assert.ok(exits >= 0 && exits <= inflight);
      if (hold >= dt) assert.ok(Math.abs(exits - (inflight * dt) / hold) <= 1e-9 * Math.max(1, inflight), 'a request held longer than the step leaves at 1 / held per second');
    }),
  );
});

test('CPU sharing: a request in flight wants its CPU share of its unloaded service time; slowdown only past the cores', () => {
  const one = cpuWanted(1, cached, 0.005);
  assert.equal(one, cached.cpuS / Math.max(1e-3, cached.cpuS + cached.transferS));
  assert.equal(cpuWanted(10, cached, 0.005), (10 * cached.cpuS) / Math.max(1e-3, cached.cpuS + cached.transferS));
  assert.equal(cpuSlowdown(8, 16), 1);
  assert.equal(cpuSlowdown(32, 16), 2);
  const write: RequestCost = { ...cached, etcdObjects: 1, mutating: true };
  assert.ok(cpuWanted(1, write, 1) < cpuWanted(1, write, 0), 'time waiting on etcd is not CPU time');
});

test('memory per replica: resident + watch cache + a share of what requests and watches hold, with GC headroom', () => {
  const a = DEFAULT_MODEL.apiServer;
  const shared = 1e9 + watchBytes(1000, DEFAULT_MODEL.costs);
  assert.equal(watchBytes(1000, DEFAULT_MODEL.costs), 1000 * 64 * 1024);
  assert.equal(replicaMemoryBytes(a, 5e8, shared, 3), 2 * GiB + 5e8 * 3 + (shared * 1.85) / 3);
  assert.equal(perReplicaBytes(300, 2, 3), 200);
  assert.equal(memoryLimitBytes(a, 100, 0), 95);
  assert.equal(memoryLimitBytes(a, 100, 1), 105);
  assert.equal(memoryLimitBytes(a, 100, 0.5), 100);
});

test('sizing: the last tier a cluster reaches, in node order whatever the list order; no tier is a bug, not a default', () => {
  const sizing = DEFAULT_MODEL.apiServer.sizing;
  assert.deepEqual([1, 100, 101, 250, 251, 501, 100_000].map((n) => sizingTier(sizing, n).cpuCores), [4, 4, 8, 8, 16, 32, 32]);
  assert.equal(sizingTier([...sizing].reverse(), 300).cpuCores, 16);
  assert.equal(sizingTier([{ minNodes: 10, cpuCores: 2, memoryBytes: GiB }], 5).cpuCores, 2, 'below every tier: the smallest');
  assert.throws(() => sizingTier([], 10), /no control-plane sizing tier/);
  assert.deepEqual(tierBoundaries(sizing), [1, 101, 251, 501]);
});

test('CoreDNS replicas: the autoscaler, ceil(nodes / nodesPerReplica) within [min, max], or a fixed count', () => {
  const d = DEFAULT_MODEL.dns;
  assert.deepEqual([1, 16, 17, 5000].map((n) => corednsReplicas(d, n)), [2, 2, 2, 313]);
  assert.equal(corednsReplicas({ ...d, maxReplicas: 100 }, 5000), 100);
  assert.equal(corednsReplicas({ ...d, replicas: 7 }, 5000), 7);
});

test("the cluster's own clients: kubelets and kube-proxy per node, controllers and CoreDNS fixed; their watches", () => {
  const nodes = 5000;
  const clients = ownClients(DEFAULT_MODEL, nodes, clusterResources(nodes, 150_000, DEFAULT_MODEL.objects));
  assert.deepEqual(clients.map((c) => c.name), ['kubelet-lease', 'kubelet-status', 'kubelet-pods', 'kube-proxy', 'controller-informers', 'controller-writes', 'coredns', 'workloads']);
  assert.equal(ownWatchers(clients, nodes), 2 * nodes + DEFAULT_MODEL.clients.controllerInformers + corednsReplicas(DEFAULT_MODEL.dns, nodes));
  const more = mergeModel(DEFAULT_MODEL, { clients: { controllerInformers: 10 } });
  assert.equal(ownWatchers(ownClients(more, nodes, new Map()), nodes) - ownWatchers(clients, nodes), 6);
  for (const c of clients) assert.equal(c.profile.retry.initialS, DEFAULT_MODEL.clients.backoffInitialS, `${c.name} retries with the model's backoff`);
});
