/**
 * Acceptance 1: the corpus of test/fixtures/manifests (agents as their
 * projects document them, each with its RBAC) has the expected verdicts on a
 * 5,000-node cluster; no safe configuration is flagged, every unsafe one is
 * block and names the cluster size where it turns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeFiles, CORPUS, corpusFiles, fleetOf } from './helpers.ts';

/**
 * Each fixture states what it should get in a header line, `# Expected: ok at 5,000 nodes` (or `warn`, or
 * `block`), written from the agent's documented behaviour beside its source.
 */
const EXPECTED: Readonly<Record<string, 'ok' | 'warn' | 'block'>> = Object.fromEntries(
  corpusFiles().map((f) => {
    const m = /^# Expected: (ok|warn|block) at 5,000 nodes/m.exec(readFileSync(f, 'utf8'));
    if (m === null) throw new Error(`${f}: no "# Expected: ok|warn|block at 5,000 nodes" header line`);
    return [f.slice(CORPUS.length + 1), m[1] as 'ok' | 'warn' | 'block'];
  }),
);

test('the corpus has at least 12 manifests, safe and unsafe, DaemonSets and Deployments, each with its RBAC', () => {
  const files = corpusFiles();
  assert.ok(files.length >= 12, `${files.length} manifests`);
  assert.deepEqual(files.map((f) => f.slice(CORPUS.length + 1)), Object.keys(EXPECTED).sort());
  const kinds = new Set<string>();
  for (const f of files) {
    const { analysis } = analyzeFiles([f], fleetOf(100));
    for (const w of analysis.workloads) kinds.add(`${w.kind}:${EXPECTED[f.slice(CORPUS.length + 1)] ?? ''}`);
  }
  for (const k of ['DaemonSet:ok', 'DaemonSet:block', 'Deployment:ok', 'Deployment:block']) assert.ok(kinds.has(k), `the corpus has a ${k}`);
});

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`${file}: ${expected} at 5,000 nodes`, () => {
    const { analysis } = analyzeFiles([`${CORPUS}/${file}`], fleetOf(5000));
    assert.equal(analysis.verdict, expected, analysis.findings.map((f) => `${f.severity} ${f.rule}: ${f.message}`).join('\n'));
    const rbacMissing = analysis.findings.filter((f) => f.rule === 'rbac-missing');
    assert.deepEqual(rbacMissing, [], 'every corpus workload carries the RBAC it needs');
    if (expected === 'ok') {
      assert.equal(analysis.clusters[0]?.verdict, 'ok');
      assert.deepEqual(analysis.findings.filter((f) => f.severity !== 'note'), [], 'a safe configuration gets no warning');
    } else if (expected === 'warn') {
      const warnings = analysis.findings.filter((f) => f.severity === 'warn');
      assert.ok(warnings.length >= 1, 'a warn verdict comes with a warn finding that says why');
      for (const f of warnings) {
        assert.ok(f.line > 1 && f.file.endsWith(file), `${f.file}:${f.line}`);
        assert.ok(f.fix.length > 20);
      }
    } else {
      const turn = analysis.fleet.turn;
      assert.ok(turn.blockAtNodes !== null && turn.blockAtNodes <= 5000, `turns block at ${String(turn.blockAtNodes)}`);
      const blocking = analysis.findings.filter((f) => f.severity === 'block');
      assert.ok(blocking.length >= 1);
      for (const f of blocking) {
        assert.match(f.message, new RegExp(`block at [^;]*${turn.blockAtNodes.toLocaleString('en-US')}`), 'the finding names the size where it turns');
        assert.ok(f.line > 1 && f.file.endsWith(file), `${f.file}:${f.line}`);
        assert.ok(f.fix.length > 20);
      }
    }
  });
}

// The safe corpus now holds 30-odd agents, several of each kind (four CNIs, three kube-proxies, seven log
// shippers): no cluster runs them all. A cluster runs one of each kind, and that stack must stay ok together;
// the whole set together (every agent at once) may reach warn on seats and watch fan-out, never block.
const NODE_STACK = [
  'calico-typha.yaml', // CNI with its fan-out cache
  'kube-proxy-kubeadm.yaml',
  'coredns-deployment.yaml',
  'fluent-bit-use-kubelet.yaml', // logs
  'otel-agent-node-filter.yaml', // traces / metrics
  'kube-state-metrics.yaml',
  'metrics-server-release.yaml',
  'node-problem-detector.yaml',
  'falco-k8smeta-metacollector.yaml', // security
];

test('safe configurations are ok at 5,000 nodes together as a cluster runs them: one agent of each kind', () => {
  for (const f of NODE_STACK) assert.equal(EXPECTED[f], 'ok', `${f} is a safe fixture`);
  const { analysis } = analyzeFiles(NODE_STACK.map((f) => `${CORPUS}/${f}`), fleetOf(5000));
  assert.equal(analysis.verdict, 'ok', analysis.findings.filter((f) => f.severity !== 'note').map((f) => f.message).join('\n'));
});

test('every safe configuration at once (several of each kind) is not block at 5,000 nodes', () => {
  const safe = Object.entries(EXPECTED).filter(([, v]) => v === 'ok').map(([f]) => `${CORPUS}/${f}`);
  const { analysis } = analyzeFiles(safe, fleetOf(5000));
  assert.notEqual(analysis.verdict, 'block', analysis.findings.filter((f) => f.severity !== 'note').map((f) => f.message).join('\n'));
});

test('the unsafe ones turn block at the sizes the mechanisms give (regression figures)', () => {
  const at = (file: string): number | null => analyzeFiles([`${CORPUS}/${file}`], fleetOf(100)).analysis.fleet.turn.blockAboveNodes;
  // Consistent cluster-wide LISTs of pods every 5 min per node: etcd saturates, LISTs pile up to APF's seats.
  assert.ok(within(at('telemetry-agent-incident.yaml'), 900, 1200));
  // One pod informer per node: the rollout / relist of ~110 concurrent full lists from the watch cache.
  assert.ok(within(at('otel-agent-no-filter.yaml'), 2800, 3800));
  // 40 replicas listing all pods from etcd every 30 s.
  assert.ok(within(at('peer-discovery-deployment.yaml'), 2200, 3200));
});

function within(x: number | null, lo: number, hi: number): boolean {
  return x !== null && x >= lo && x <= hi;
}
