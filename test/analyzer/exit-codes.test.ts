/**
 * `firebreak analyze` exit codes, from the real CLI: 0 for ok and warn, 1 for
 * block (a profile-unknown finding under --strict too), 2 for usage and input
 * errors (an empty input, a dangling symbolic link). Temporary files under
 * os.tmpdir().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const NODE = resolve('node_modules/.bin/node');
const FLEET = 'fleets/openai-like.yaml';
const analyze = (...args: string[]) => spawnSync(NODE, ['src/cli/main.ts', 'analyze', ...args], { encoding: 'utf8' });
const BLIND = 'test/fixtures/manifests/blind';

test('exit 0 for ok and for warn (a profile-unknown finding), 1 for the same with --strict', () => {
  const ok = analyze('test/fixtures/manifests/otel-agent-node-filter.yaml', '--fleet', FLEET);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^firebreak analyze: OK/);
  const warn = analyze(`${BLIND}/antrea-agent-without-rbac.yaml`, '--fleet', FLEET);
  assert.equal(warn.status, 0, warn.stderr);
  assert.match(warn.stdout, /^firebreak analyze: WARN/);
  assert.match(warn.stdout, /antrea-agent-without-rbac\.yaml:20:\d+: warn \[profile-unknown\] DaemonSet kube-system\/antrea-agent/);
  assert.match(warn.stdout, /API use not determined from the input/);
  const strict = analyze(`${BLIND}/antrea-agent-without-rbac.yaml`, '--fleet', FLEET, '--strict');
  assert.equal(strict.status, 1, strict.stderr);
  assert.match(strict.stdout, /^firebreak analyze: BLOCK/);
  assert.match(strict.stdout, /block \[profile-unknown\]/);
});

test('exit 1 for a block verdict', () => {
  const r = analyze('test/fixtures/manifests/otel-cluster-metrics-no-leader.yaml', '--fleet', FLEET, '--format', 'json');
  assert.equal(r.status, 1, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { verdict: string }).verdict, 'block');
});

test('exit 2 for an input with no Kubernetes object (helm template that rendered nothing), with the message and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-exit-'));
  const empty = join(dir, 'rendered.yaml');
  writeFileSync(empty, '');
  const r = analyze(empty, '--fleet', FLEET);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  // A file named on the command line that holds nothing is an input error of its own (src/input/manifests.ts).
  assert.match(r.stderr, /rendered\.yaml: holds no Kubernetes object/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('exit 2 for a dangling symbolic link in a directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-exit-'));
  copyFileSync('test/fixtures/manifests/kube-state-metrics.yaml', join(dir, 'ksm.yaml'));
  symlinkSync(join(dir, 'missing.yaml'), join(dir, 'agent.yaml'));
  const r = analyze(dir, '--fleet', FLEET);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /agent\.yaml: symbolic link to .*missing\.yaml, which does not exist \(a dangling link\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('--strict is listed in analyze --help', () => {
  const r = analyze('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--strict/);
});

test('--simulate runs the change in the twin; --rehearse, its former name, still does and says once on stderr that it is deprecated', () => {
  const file = 'test/fixtures/manifests/telemetry-agent-incident.yaml';
  const fleet = 'test/fixtures/input/valid/fleet.yaml';
  const now = analyze(file, '--fleet', fleet, '--format', 'json', '--simulate');
  const old = analyze(file, '--fleet', fleet, '--format', 'json', '--rehearse');
  const plain = analyze(file, '--fleet', fleet, '--format', 'json');
  assert.equal(now.stderr, '');
  assert.equal(old.stderr, 'firebreak: analyze --rehearse is deprecated; use --simulate\n');
  assert.equal(old.status, now.status);
  assert.equal(old.stdout, now.stdout);
  const sim = (JSON.parse(now.stdout) as { simulation?: { workloads: readonly { clusters: readonly unknown[] }[] } }).simulation;
  assert.equal(sim?.workloads[0]?.clusters.length, 23, 'one simulated cluster per cluster of the fleet');
  assert.equal((JSON.parse(plain.stdout) as { simulation?: unknown }).simulation, undefined);
  const help = analyze('--help');
  assert.match(help.stdout, /--simulate/);
  assert.doesNotMatch(help.stdout, /--rehearse/, 'the deprecated name is hidden from the help');
});
