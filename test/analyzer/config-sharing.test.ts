/**
 * Configuration texts shared by workloads (agents/config-text.ts parses a text once for every
 * ConfigMap that holds it): each workload's calls stay located in its own ConfigMap, and what is
 * derived is what the workload gives analyzed alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, type WorkloadReport } from '../../src/analyzer/analyze.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import type { ManifestDocument } from '../../src/analyzer/types.ts';
import { fleetOf } from './helpers.ts';

const PROMETHEUS = `scrape_configs:
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
  - job_name: nodes
    kubernetes_sd_configs:
      - role: node
`;
const OTEL = `receivers:
  otlp:
    protocols:
      grpc: {}
processors:
  k8sattributes:
    extract:
      metadata: [k8s.pod.name]
exporters:
  otlp:
    endpoint: gateway:4317
service:
  pipelines:
    traces: { receivers: [otlp], processors: [k8sattributes], exporters: [otlp] }
`;

const indent = (text: string, by: string): string => text.split('\n').map((l) => (l === '' ? l : by + l)).join('\n');

function agentFile(i: number, padding: number, agent: 'prometheus' | 'otel'): string {
  const [key, config, image] = agent === 'prometheus' ? ['prometheus.yml', PROMETHEUS, 'quay.io/prometheus/prometheus:v3.1.0'] : ['relay', OTEL, 'otel/opentelemetry-collector-k8s:0.116.0'];
  return `${'# padding\n'.repeat(padding)}apiVersion: v1
kind: ConfigMap
metadata:
  name: agent-${i}
  namespace: ns-${i}
data:
  ${key}: |
${indent(config, '    ')}---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent-${i}
  namespace: ns-${i}
spec:
  selector: { matchLabels: { app: a } }
  template:
    metadata: { labels: { app: a } }
    spec:
      automountServiceAccountToken: true
      containers:
        - name: agent
          image: ${image}
          volumeMounts:
            - { name: config, mountPath: /etc/agent }
      volumes:
        - name: config
          configMap:
            name: agent-${i}
`;
}

const calls = (w: WorkloadReport | undefined) => w?.calls.map((c) => [c.name, c.verb, c.resource, c.scope, c.file, c.line]);

test('property: workloads sharing a configuration text each get the calls located in their own file, as when analyzed alone', () => {
  const clusters = fleetOf(500, 5000);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom<'prometheus' | 'otel'>('prometheus', 'otel')), { minLength: 2, maxLength: 5 }), (specs) => {
      const files = specs.map(([padding, agent], i) => ({ file: `f${i}.yaml`, text: agentFile(i, padding, agent) }));
      const docs: ManifestDocument[] = files.flatMap((f) => parseManifests(f.text, f.file));
      const together = analyze(docs, clusters, { fleetName: 't' }).analysis;
      files.forEach((f, i) => {
        const alone = analyze(parseManifests(f.text, f.file), clusters, { fleetName: 't' }).analysis;
        const id = `DaemonSet ns-${i}/agent-${i}`;
        const a = alone.workloads.find((w) => w.workload.endsWith(`ns-${i}/agent-${i}`));
        const t = together.workloads.find((w) => w.workload.endsWith(`ns-${i}/agent-${i}`));
        assert.ok(a !== undefined && a.calls.length > 0, `${id} has calls alone`);
        assert.deepEqual(calls(t), calls(a));
        for (const c of t?.calls ?? []) assert.equal(c.file, f.file);
      });
    }),
    { numRuns: 25 },
  );
});
