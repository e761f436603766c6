/**
 * The `resource-assumed` finding (src/analyzer/resource-findings.ts): a call on a type that no
 * table knows and no model states is costed as the twin's fallback (100 objects of 2 KiB) and said
 * so, once per workload; modelled and derived types are not reported; a model that states the type
 * silences it and costs the stated objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyzer/analyze.ts';
import { readManifestPaths } from '../../src/input/manifests.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { expandFleet } from '../../src/model/fleet.ts';

const manifest = (calls: string[]): string =>
  [
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata:',
    '  name: agent',
    '  namespace: tools',
    '  annotations:',
    '    firebreak.dev/api-profile: |',
    '      calls:',
    ...calls.map((c) => `        - ${c}`),
    'spec:',
    '  selector: { matchLabels: { app: agent } }',
    '  template:',
    '    metadata: { labels: { app: agent } }',
    '    spec:',
    '      serviceAccountName: agent',
    '      containers: [{ name: agent, image: example.com/agent:1 }]',
    '',
  ].join('\n');

function run(yaml: string, model = DEFAULT_MODEL) {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-assumed-'));
  try {
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, yaml);
    return analyze(readManifestPaths([file], { report: { files: [], notes: [] } }), expandFleet({ clusters: [{ name: 'c', nodes: 1000 }] }, 1), { fleetName: 'f', model }).analysis;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a type no table knows is one note per workload naming every such type; modelled and derived types are not reported', () => {
  const a = run(manifest(['{ verb: watch, resource: example.com/v1/gadgets }', '{ verb: watch, resource: gizmos }', '{ verb: watch, resource: nodes }', '{ verb: watch, resource: replicasets }', '{ verb: list, resource: gizmos, period: 60s, name: again }']));
  const notes = a.findings.filter((f) => f.rule === 'resource-assumed');
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.severity, 'note');
  assert.match(notes[0]?.message ?? '', /calls 2 types whose number and size of objects the analyzer does not know \(`example\.com\/v1\/gadgets`, `gizmos`\)/);
});

test('a model that states the type silences the note and costs the stated objects', () => {
  const yaml = manifest(['{ verb: list, resource: example.com/v1/gadgets, period: 60s, resourceVersion: consistent }']);
  const assumed = run(yaml);
  const stated = run(yaml, { ...DEFAULT_MODEL, objects: { ...DEFAULT_MODEL.objects, resources: { 'example.com/v1/gadgets': { count: 200_000, bytes: 8192 } } } });
  assert.equal(assumed.findings.filter((f) => f.rule === 'resource-assumed').length, 1);
  assert.equal(stated.findings.filter((f) => f.rule === 'resource-assumed').length, 0);
  assert.notEqual(assumed.verdict, 'block');
  // 1,000 nodes listing 1.6 GB from etcd every minute: the stated objects make it dangerous.
  assert.equal(stated.verdict, 'block');
});
