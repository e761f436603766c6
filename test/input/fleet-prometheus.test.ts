/**
 * A fleet's Prometheus naming (src/input/fleet-prometheus.ts): the cluster
 * label, the API server's selector and each cluster's label value, with
 * defaults; bad names are located input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.ts';
import { parseFleet } from '../../src/input/fleet.ts';

const HEAD = 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: f }\nspec:\n';

test('defaults: label `cluster`, job="apiserver", each cluster named as itself (generated ones too)', () => {
  const f = parseFleet(`${HEAD}  clusters:\n    - { name: a, nodes: 3 }\n  generate: { count: 2, nodes: { min: 1, max: 5, median: 2 } }\n`, 'f.yaml');
  assert.equal(f.prometheus.clusterLabel, 'cluster');
  assert.equal(f.prometheus.apiserverSelector, 'job="apiserver"');
  assert.deepEqual([...f.prometheus.values], f.clusters.map((c) => [c.name, c.name]));
});

test('the fleet names its label, selector and a cluster’s value', () => {
  const f = parseFleet(`${HEAD}  prometheus: { clusterLabel: k8s_cluster, apiserverSelector: 'job="kube-apiserver", env!~"dev.*"' }\n  clusters:\n    - { name: a, nodes: 3, prometheus: { label: eu-a } }\n    - { name: b, nodes: 3 }\n`, 'f.yaml');
  assert.equal(f.prometheus.clusterLabel, 'k8s_cluster');
  assert.equal(f.prometheus.apiserverSelector, 'job="kube-apiserver", env!~"dev.*"');
  assert.deepEqual([...f.prometheus.values], [['a', 'eu-a'], ['b', 'b']]);
});

test('a label name or selector Prometheus would not take is a located input error', () => {
  for (const [extra, pattern] of [
    ['  prometheus: { clusterLabel: "my-cluster" }\n', /f\.yaml:5:\d+: spec\.prometheus\.clusterLabel:/],
    ['  prometheus: { apiserverSelector: "job=apiserver" }\n', /f\.yaml:5:\d+: spec\.prometheus\.apiserverSelector:/],
  ] as const) {
    assert.throws(() => parseFleet(`${HEAD}${extra}  clusters: [{ name: a, nodes: 3 }]\n`, 'f.yaml'), (e: unknown) => e instanceof InputError && pattern.test(e.message));
  }
});
