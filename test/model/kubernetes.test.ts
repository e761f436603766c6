import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPriorityLevel } from '../../src/model/kubernetes.ts';

test('default FlowSchemas: a DaemonSet service account lands in workload-low, kube-system in workload-high', () => {
  assert.equal(defaultPriorityLevel({ kind: 'service-account', namespace: 'telemetry', name: 'agent' }, 'pods'), 'workload-low');
  assert.equal(defaultPriorityLevel({ kind: 'service-account', namespace: 'kube-system', name: 'agent' }, 'pods'), 'workload-high');
  assert.equal(defaultPriorityLevel({ kind: 'node' }, 'leases'), 'node-high');
  assert.equal(defaultPriorityLevel({ kind: 'user', name: 'alice', groups: ['system:masters'] }, 'pods'), 'exempt');
  assert.equal(defaultPriorityLevel({ kind: 'user', name: 'alice', groups: [] }, 'pods'), 'global-default');
});
