/**
 * Bad input through every reading command: a table of bad inputs (missing
 * files, directories, FIFOs, /dev/zero, huge files, non-UTF-8, binary, empty,
 * the wrong kind, out-of-range numbers, standard input that never ends or
 * never comes, bad flags) put in every input slot of every command that reads
 * files, each run as a real process. None may print a stack trace, hang, or
 * exit with anything but 2; each names what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, pool, type CliOptions } from './spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-bad-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

const P = 'test/fixtures/plans';
const SCENARIO = `${P}/scenarios/small-benign.yaml`;
const PLAN = `${P}/valid/fast.yaml`;
const FLEET = 'fleets/openai-like.yaml';
const MANIFEST = 'test/fixtures/manifests/otel-agent-node-filter.yaml';

// --- The bad inputs -----------------------------------------------------------

mkdirSync(at('empty-dir'));
spawnSync('mkfifo', [at('fifo.yaml')]);
writeFileSync(at('huge.yaml'), '');
truncateSync(at('huge.yaml'), 17 * 1024 * 1024); // sparse: over the 16 MiB default without using the disk
writeFileSync(at('latin1.yaml'), Buffer.concat([Buffer.from('apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: caf'), Buffer.from([0xe9]), Buffer.from(' }\n')]));
writeFileSync(at('binary.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00]));
writeFileSync(at('empty.yaml'), '');
writeFileSync(at('deployment.yaml'), readFileSync(MANIFEST, 'utf8'));
writeFileSync(at('k8s-single.yaml'), 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: agent }\nspec: {}\n');
writeFileSync(at('fleet-1e300.yaml'), 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: f }\nspec:\n  clusters:\n    - { name: a, nodes: 10, pods: 1e300 }\n');
writeFileSync(at('scenario-1e300.yaml'), readFileSync(SCENARIO, 'utf8').replace('{ name: edge-a, nodes: 50 }', '{ name: edge-a, nodes: 50, pods: 1e300 }'));
writeFileSync(at('plan-1e300.yaml'), readFileSync(PLAN, 'utf8') + '  maxConcurrency: 1e300\n');
writeFileSync(at('manifest-1e300.yaml'), readFileSync('test/fixtures/manifests/peer-discovery-deployment.yaml', 'utf8').replace(/replicas: \d+/, 'replicas: 1e300'));
writeFileSync(at('fleet-doc.yaml'), readFileSync(FLEET, 'utf8'));

/** What each input slot is, and a valid value for it. */
type Slot = 'scenario' | 'plan' | 'fleet' | 'manifests';

/** Every command that reads files, with a placeholder where the bad input goes. */
const COMMANDS: readonly { readonly slot: Slot; readonly args: (x: string) => string[] }[] = [
  { slot: 'scenario', args: (x) => ['simulate', x] },
  { slot: 'scenario', args: (x) => ['scenario', 'validate', x] },
  { slot: 'scenario', args: (x) => ['rehearse', '--scenario', x, '--plan', PLAN] },
  { slot: 'plan', args: (x) => ['plan', 'validate', x] },
  { slot: 'plan', args: (x) => ['plan', 'show', x, '--fleet', FLEET] },
  { slot: 'plan', args: (x) => ['rehearse', '--scenario', SCENARIO, '--plan', x] },
  { slot: 'fleet', args: (x) => ['plan', 'show', PLAN, '--fleet', x] },
  { slot: 'fleet', args: (x) => ['analyze', MANIFEST, '--fleet', x] },
  { slot: 'manifests', args: (x) => ['analyze', x, '--fleet', FLEET] },
];

interface BadInput {
  readonly name: string;
  /** The argument, per slot (or the same for all). */
  readonly arg: string | Partial<Record<Slot, string>>;
  readonly opts?: CliOptions;
  /** What stderr must say. */
  readonly says: RegExp;
  /** Slots where this input is not bad (e.g. a directory of manifests). */
  readonly skip?: readonly Slot[];
}

const BAD: readonly BadInput[] = [
  { name: 'a missing file', arg: at('no-such.yaml'), says: /no-such\.yaml.*not found/ },
  { name: 'a directory', arg: at('empty-dir'), says: /empty-dir.*(is a directory|no manifest files)/ },
  { name: 'a FIFO', arg: at('fifo.yaml'), says: /fifo\.yaml: is a FIFO \(named pipe\), not a regular file.*\n {4}fix: pass it on standard input/ },
  { name: '/dev/zero', arg: '/dev/zero', says: /\/dev\/zero: is a character device, not a regular file/ },
  { name: 'a file over the size cap', arg: at('huge.yaml'), says: /huge\.yaml: is 17 MiB, more than the 16 MiB an input file may hold\n {4}fix: .*--max-input-size/ },
  { name: 'Latin-1 text', arg: at('latin1.yaml'), says: /latin1\.yaml:3:22: not UTF-8 text: byte 0xE9 at byte offset 68 does not start a valid UTF-8 character/ },
  { name: 'a binary file', arg: at('binary.yaml'), says: /binary\.yaml:1:1: .*(control character|NUL byte)/ },
  { name: 'an empty file', arg: at('empty.yaml'), says: /empty\.yaml.*(the file is empty|holds no|no manifest|expected)/ },
  {
    name: 'the wrong kind',
    arg: { scenario: PLAN, plan: SCENARIO, fleet: at('k8s-single.yaml'), manifests: at('fleet-doc.yaml') },
    says: /kind: this is a (RolloutPlan|Scenario|Kubernetes DaemonSet|firebreak Fleet)|this is a RolloutPlan document; `scenario validate`/,
  },
  {
    name: 'Kubernetes manifests where a firebreak document belongs',
    arg: at('deployment.yaml'),
    says: /deployment\.yaml:\d+:\d+: expected one firebreak document, found \d+ YAML documents, the first a Kubernetes \w+.*\n {4}fix: Kubernetes manifests are read by `firebreak analyze/,
    skip: ['manifests'],
  },
  {
    name: 'a number out of range (1e300)',
    arg: { scenario: at('scenario-1e300.yaml'), plan: at('plan-1e300.yaml'), fleet: at('fleet-1e300.yaml'), manifests: at('manifest-1e300.yaml') },
    says: /(pods: expected an integer between 0 and 10000000|maxConcurrency: expected an integer between 1 and 10000|replicas: expected a whole number ≤ 2147483647 \(a Kubernetes int32\)), got 1e\+300/,
  },
  { name: 'standard input without end (/dev/zero)', arg: '-', opts: { stdinFd: -1 }, says: /<stdin>: standard input holds more than the 16 MiB an input may hold/ },
  { name: 'standard input that never comes', arg: '-', opts: { holdStdin: true, env: { FIREBREAK_STDIN_TIMEOUT: '300ms' } }, says: /<stdin>: no data on standard input for 0\.3 s/ },
  { name: 'non-UTF-8 standard input', arg: '-', opts: { input: Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0x0a]) }, says: /<stdin>:1:4: not UTF-8 text: byte 0xFF at byte offset 3/ },
  { name: 'empty standard input', arg: '-', says: /<stdin>.*(empty|holds no|expected)/ },
];

function argFor(b: BadInput, slot: Slot): string {
  return typeof b.arg === 'string' ? b.arg : (b.arg[slot] ?? '');
}

test('every bad input in every input slot of every reading command: exit 2, a message naming the problem, no stack trace', async () => {
  const zero = openSync('/dev/zero', 'r');
  try {
    const cases = BAD.flatMap((b) => COMMANDS.filter((c) => !(b.skip ?? []).includes(c.slot)).map((c) => ({ b, c, args: c.args(argFor(b, c.slot)) })));
    const runs = await pool(cases.map(({ b, args }) => () => cli(args, b.opts?.stdinFd === -1 ? { ...b.opts, stdinFd: zero } : (b.opts ?? {}))));
    const failures: string[] = [];
    runs.forEach((r, i) => {
      const { b } = cases[i] ?? assert.fail();
      try {
        assertExit(r, 2, `(${b.name})`);
        assert.match(r.stderr, b.says, `(${b.name})`);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    });
    assert.deepEqual(failures, [], `${failures.length} of ${runs.length} runs broke the contract`);
  } finally {
    closeSync(zero);
  }
});

test('the wrong kind is one message naming the kind found and the command that takes it', async () => {
  const runs = await pool([
    () => cli(['simulate', PLAN]),
    () => cli(['rehearse', '--scenario', PLAN, '--plan', SCENARIO]),
    () => cli(['plan', 'validate', SCENARIO]),
    () => cli(['plan', 'show', PLAN, '--fleet', SCENARIO]),
    () => cli(['analyze', MANIFEST, '--fleet', at('k8s-single.yaml')]),
    () => cli(['analyze', at('fleet-doc.yaml'), '--fleet', FLEET]),
  ]);
  const expected = [
    /kind: this is a RolloutPlan document, expected a Scenario\n {4}fix: a RolloutPlan is checked by `firebreak plan validate`.*were --scenario and --plan swapped\?/,
    /kind: this is a RolloutPlan document, expected a Scenario\n {4}fix: .*were --scenario and --plan swapped\?/,
    /kind: this is a Scenario document, expected a RolloutPlan\n {4}fix: a Scenario is run by `firebreak simulate`.*`firebreak rehearse --scenario`; were --scenario and --plan swapped\?/,
    /kind: this is a Scenario document, expected a Fleet\n {4}fix: a Scenario is run by `firebreak simulate`/,
    /kind: this is a Kubernetes DaemonSet \(apps\/v1\), expected a firebreak Fleet document\n {4}fix: Kubernetes manifests are read by `firebreak analyze/,
    /kind: this is a firebreak Fleet, not a Kubernetes manifest\n {4}fix: pass a Fleet with --fleet/,
  ];
  runs.forEach((r, i) => {
    assertExit(r, 2);
    assert.match(r.stderr, expected[i] ?? /$^/);
    assert.equal(r.stderr.trim().split('\n').length, 2, `one problem and its fix:\n${r.stderr}`);
  });
});

test('standard input: `-` works for every input slot; a second `-` is a usage error', async () => {
  const runs = await pool([
    () => cli(['scenario', 'validate', '-'], { input: readFileSync(SCENARIO) }),
    () => cli(['plan', 'validate', '-'], { input: readFileSync(PLAN) }),
    () => cli(['plan', 'show', PLAN, '--fleet', '-'], { input: readFileSync(FLEET) }),
    () => cli(['analyze', '-', '--fleet', FLEET], { input: readFileSync(MANIFEST) }),
    () => cli(['analyze', MANIFEST, '--fleet', '-'], { input: readFileSync(FLEET) }),
    () => cli(['rehearse', '--scenario', SCENARIO, '--plan', '-'], { input: readFileSync(PLAN) }),
    () => cli(['rehearse', '--scenario', '-', '--plan', '-'], { input: readFileSync(PLAN) }),
    () => cli(['analyze', '-', '-', '--fleet', FLEET], { input: readFileSync(MANIFEST) }),
  ]);
  for (const r of runs.slice(0, 6)) assertExit(r, 0);
  assert.match(runs[0]?.stdout ?? '', /^<stdin>: valid Scenario small-benign/);
  assert.match(runs[1]?.stdout ?? '', /^<stdin>: valid RolloutPlan fast/);
  for (const r of runs.slice(6)) {
    assertExit(r, 2);
    assert.match(r.stderr, /only one input can come from standard input, but `-` is given 2 times/);
  }
});

test('the size cap is configurable: --max-input-size and FIREBREAK_MAX_INPUT_SIZE, for files and standard input', async () => {
  const size = readFileSync(PLAN).length;
  const runs = await pool([
    () => cli(['--max-input-size', '100', 'plan', 'validate', PLAN]),
    () => cli(['plan', 'validate', PLAN], { env: { FIREBREAK_MAX_INPUT_SIZE: '100B' } }),
    () => cli(['plan', 'validate', '-', '--max-input-size', '100'], { input: readFileSync(PLAN) }),
    () => cli(['plan', 'validate', PLAN, '--max-input-size', `${size}`]),
    () => cli(['plan', 'validate', PLAN, '--max-input-size', 'lots']),
    () => cli(['plan', 'validate', PLAN], { env: { FIREBREAK_STDIN_TIMEOUT: 'soon' } }),
  ]);
  for (const r of runs.slice(0, 3)) {
    assertExit(r, 2);
    assert.match(r.stderr, /more than the 100 bytes an input (file )?may hold/);
  }
  assertExit(runs[3] ?? assert.fail(), 0);
  assertExit(runs[4] ?? assert.fail(), 2);
  assert.match(runs[4]?.stderr ?? '', /--max-input-size expects a size such as 16Mi/);
  assertExit(runs[5] ?? assert.fail(), 2);
  assert.match(runs[5]?.stderr ?? '', /FIREBREAK_STDIN_TIMEOUT expects a duration/);
});

test('bad flags of every command: exit 2, no stack trace', async () => {
  const runs = await pool(
    [
      ['simulate', SCENARIO, '--seed', '1.5'],
      ['simulate', SCENARIO, '--seed', '99999999999999999999'],
      ['simulate'],
      ['scenario', 'validate'],
      ['plan', 'show', PLAN, '--fleet', FLEET, '--max-clusters', '0'],
      ['plan', 'show', PLAN, '--fleet', FLEET, '--max-clusters', '1e300'],
      ['rehearse', '--scenario', SCENARIO],
      ['rehearse', '--scenario', SCENARIO, '--plan', PLAN, '--approve-after', 'soon'],
      ['rehearse', '--scenario', SCENARIO, '--plan', PLAN, '--seed', 'x'],
      ['analyze', MANIFEST],
      ['analyze', MANIFEST, '--fleet', FLEET, '--format', 'xml'],
      ['rollout', 'history', '--state', 'x.db', '--limit', '-1'],
      ['rollout', 'approve', '--state', 'x.db', '--wave', 'two'],
      ['schema', '--out', ''],
      ['bench', 'twin', '--hours', '0'],
    ].map((args) => () => cli(args)),
  );
  for (const r of runs) assertExit(r, 2);
});
