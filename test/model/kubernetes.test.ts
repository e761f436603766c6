import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRIORITY_LEVELS, defaultPriorityLevel, lendableSeats, nominalSeats } from '../../src/model/kubernetes.ts';

test('nominal seats at 600 match the reference table', () => {
  const n = nominalSeats(DEFAULT_PRIORITY_LEVELS, 600);
  const by = Object.fromEntries(DEFAULT_PRIORITY_LEVELS.map((l, i) => [l.name, n[i]]));
  assert.deepEqual(by, { exempt: 0, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49, 'catch-all': 13 });
});

test('lendable seats follow lendablePercent', () => {
  const n = nominalSeats(DEFAULT_PRIORITY_LEVELS, 600);
  const l = lendableSeats(DEFAULT_PRIORITY_LEVELS, n);
  const i = DEFAULT_PRIORITY_LEVELS.findIndex((x) => x.name === 'workload-low');
  assert.equal(l[i], Math.round(245 * 0.9));
});

test('default FlowSchemas: a DaemonSet service account lands in workload-low, kube-system in workload-high', () => {
  assert.equal(defaultPriorityLevel({ kind: 'service-account', namespace: 'telemetry', name: 'agent' }, 'pods'), 'workload-low');
  assert.equal(defaultPriorityLevel({ kind: 'service-account', namespace: 'kube-system', name: 'agent' }, 'pods'), 'workload-high');
  assert.equal(defaultPriorityLevel({ kind: 'node' }, 'leases'), 'node-high');
  assert.equal(defaultPriorityLevel({ kind: 'user', name: 'alice', groups: ['system:masters'] }, 'pods'), 'exempt');
  assert.equal(defaultPriorityLevel({ kind: 'user', name: 'alice', groups: [] }, 'pods'), 'global-default');
});
