/**
 * The exit-code contract, command by command, through the real CLI in child
 * processes: 0 success, 1 a negative verdict, 2 a usage or input error, 3 an
 * internal error (one line; --debug shows the stack). Output paths that
 * cannot be written are usage errors before any work; a full disk is 3; a
 * reader that goes away (EPIPE) ends the output quietly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExit, cli, pool, STACK_LINE, type CliRun } from './spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-exit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const P = 'test/fixtures/plans';
const BENIGN = `${P}/scenarios/small-benign.yaml`;
const INCIDENT = `${P}/scenarios/small-incident.yaml`;
const FAST = `${P}/valid/fast.yaml`;
const FLEET = 'fleets/openai-like.yaml';
const CORPUS = 'test/fixtures/manifests';

/** The fast plan, with a manual approval before wave 2. */
const APPROVAL_PLAN = join(dir, 'approval.yaml');
writeFileSync(APPROVAL_PLAN, readFileSync(FAST, 'utf8').replace('metadata: { name: fast }', 'metadata: { name: fast-approval }') + '  waves:\n    generate: { approvalBefore: [2] }\n');
const A_FILE = join(dir, 'a-file.txt');
writeFileSync(A_FILE, 'not a directory\n');
const BAD_SCENARIO = join(dir, 'bad-scenario.yaml');
writeFileSync(BAD_SCENARIO, readFileSync(BENIGN, 'utf8').replace('nodes: 50 }', 'nodes: -5 }'));

test('--help documents the exit codes; no command or an unknown option is a usage error', async () => {
  const [help, none, unknown, badSeed] = await Promise.all([cli(['--help']), cli([]), cli(['simulate', BENIGN, '--no-such-flag']), cli(['simulate', BENIGN, '--seed', 'abc'])]);
  assertExit(help, 0);
  for (const line of [/^ {2}0 {2}success/m, /^ {2}1 {2}a negative verdict/m, /^ {2}2 {2}a usage or input error/m, /^ {2}3 {2}an internal error/m, /--debug or FIREBREAK_DEBUG=1/, /--max-input-size/, /--stdin-timeout/]) assert.match(help.stdout, line);
  assertExit(none, 2);
  assertExit(unknown, 2);
  assertExit(badSeed, 2);
});

test('simulate: 0; 2 for bad input and for output paths that cannot be written (checked before the run); 3 for a full disk', async () => {
  const report = join(dir, 'sim', 'report.html');
  const [ok, bad, ontoDir, underFile, unwritable, full] = await pool([
    () => cli(['simulate', BENIGN, '--report', report, '--metrics', join(dir, 'sim', 'm.ndjson')]),
    () => cli(['simulate', BAD_SCENARIO]),
    () => cli(['simulate', BENIGN, '--report', dir]),
    () => cli(['simulate', BENIGN, '--metrics', join(A_FILE, 'm.ndjson')]),
    () => cli(['simulate', BENIGN, '--report', '/sys/firebreak-exit-test.html']),
    () => cli(['simulate', BENIGN, '--metrics', '/dev/full']),
  ]);
  assertExit(ok, 0);
  assert.match(readFileSync(report, 'utf8'), /^<!doctype html>/i);
  assert.deepEqual(readdirSync(join(dir, 'sim')).sort(), ['m.ndjson', 'report.html'], 'no temporary file left behind');
  assertExit(bad, 2);
  assertExit(ontoDir, 2);
  assert.match(ontoDir.stderr, new RegExp(`--report ${dir} is a directory; give a file name in it`));
  assertExit(underFile, 2);
  assert.match(underFile.stderr, /--metrics .*a-file\.txt.* is not a directory/);
  assertExit(unwritable, 2);
  assert.match(unwritable.stderr, /--report \/sys\/firebreak-exit-test\.html/);
  assertExit(full, 3);
  assert.match(full.stderr, /cannot write \/dev\/full \(--metrics\): no space left on device \(ENOSPC\)/);
});

test('simulate: a failed run leaves an existing report untouched (written atomically, only after success)', async () => {
  const report = join(dir, 'keep.html');
  writeFileSync(report, 'the previous report\n');
  assertExit(await cli(['simulate', BAD_SCENARIO, '--report', report]), 2);
  assert.equal(readFileSync(report, 'utf8'), 'the previous report\n');
  assertExit(await cli(['simulate', BENIGN, '--report', report]), 0);
  assert.match(readFileSync(report, 'utf8'), /^<!doctype html>/i);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('scenario validate, plan validate, plan show: 0 for valid input, 2 otherwise; a RolloutPlan is pointed to plan validate', async () => {
  const [sv, svBad, svPlan, pv, pvBad, ps, psNoFleet] = await pool([
    () => cli(['scenario', 'validate', BENIGN]),
    () => cli(['scenario', 'validate', BAD_SCENARIO]),
    () => cli(['scenario', 'validate', FAST]),
    () => cli(['plan', 'validate', FAST]),
    () => cli(['plan', 'validate', `${P}/invalid/semantic.yaml`]),
    () => cli(['plan', 'show', FAST, '--fleet', FLEET]),
    () => cli(['plan', 'show', FAST]),
  ]);
  assertExit(sv, 0);
  assertExit(svBad, 2);
  assertExit(svPlan, 2);
  assert.match(svPlan.stderr, /fast\.yaml:\d+:\d+: kind: this is a RolloutPlan document; `scenario validate` checks Scenario and Fleet files\n {4}fix: check it with `firebreak plan validate/);
  assert.equal(svPlan.stderr.trim().split('\n').length, 2, 'one problem, not a cascade of schema errors');
  assertExit(pv, 0);
  assertExit(pvBad, 2);
  assertExit(ps, 0);
  assertExit(psNoFleet, 2);
});

test('rehearse: 0 completed, 1 halted, 1 incomplete, 1 aborted (each said on stderr), 2 swapped inputs', async () => {
  const state = join(dir, 'rehearse.db');
  const [completed, halted, swapped, incomplete] = await pool([
    () => cli(['rehearse', '--scenario', BENIGN, '--plan', FAST]),
    () => cli(['rehearse', '--scenario', INCIDENT, '--plan', FAST, '--json']),
    () => cli(['rehearse', '--scenario', FAST, '--plan', BENIGN]),
    () => cli(['rehearse', '--scenario', BENIGN, '--plan', APPROVAL_PLAN, '--approve-after', 'never', '--state', state]),
  ]);
  assertExit(completed, 0);
  assert.match(completed.stdout, /: COMPLETED/);
  assert.equal(completed.stderr, '');
  assertExit(halted, 1);
  assert.equal((JSON.parse(halted.stdout) as { outcome: string }).outcome, 'halted');
  assert.match(halted.stderr, /^firebreak: the rehearsed rollout halted in wave \d+: .*\(exit status 1\)$/m);
  assertExit(swapped, 2);
  assert.match(swapped.stderr, /fast\.yaml:\d+:\d+: kind: this is a RolloutPlan document, expected a Scenario\n {4}fix: .*were --scenario and --plan swapped\?/);
  assert.equal(swapped.stderr.trim().split('\n').length, 2, 'one problem, not 16 schema errors');
  assertExit(incomplete, 1);
  assert.match(incomplete.stdout, /: INCOMPLETE/);
  assert.match(incomplete.stderr, /did not finish \(awaiting-approval when the run ended\), so it is not a success/);
  // Abort the stopped rollout through its state database; the resumed rehearsal takes the abort.
  assertExit(await cli(['rollout', 'abort', '--state', state, '--by', 'test', '--reason', 'exit-code test']), 0);
  const aborted = await cli(['rehearse', '--scenario', BENIGN, '--plan', APPROVAL_PLAN, '--approve-after', 'never', '--state', state]);
  assertExit(aborted, 1);
  assert.match(aborted.stdout, /: ABORTED/);
  assert.match(aborted.stderr, /^firebreak: the rehearsed rollout was aborted/m);
});

test('rollout status, history, pause, resume, approve, abort: 0 on a state database, 2 for a missing one or a directory', async () => {
  const state = join(dir, 'rollout.db');
  assertExit(await cli(['rehearse', '--scenario', BENIGN, '--plan', APPROVAL_PLAN, '--approve-after', 'never', '--state', state]), 1);
  const cmds = [['status'], ['status', '--json'], ['history', '--limit', '3'], ['pause'], ['resume'], ['approve', '--wave', '2'], ['abort']];
  const ok = await pool(cmds.map((c) => () => cli(['rollout', ...c, '--state', state])), 1);
  ok.forEach((r) => assertExit(r, 0));
  const missing = await pool(cmds.map((c) => () => cli(['rollout', ...c, '--state', join(dir, 'no-such.db')])));
  missing.forEach((r) => assertExit(r, 2));
  const aDir = join(dir, 'a-dir.db');
  mkdirSync(aDir);
  const onDir = await pool(cmds.map((c) => () => cli(['rollout', ...c, '--state', aDir])));
  onDir.forEach((r) => assertExit(r, 2));
  assertExit(await cli(['rollout', 'history', '--state', state, '--limit', '0']), 2);
});

test('analyze: 0 ok, 1 block, 2 bad input', async () => {
  const [ok, block, bad] = await pool([
    () => cli(['analyze', `${CORPUS}/otel-agent-node-filter.yaml`, '--fleet', FLEET]),
    () => cli(['analyze', `${CORPUS}/otel-agent-no-filter.yaml`, '--fleet', FLEET]),
    () => cli(['analyze', `${CORPUS}/invalid/yaml-error.yaml`, '--fleet', FLEET]),
  ]);
  assertExit(ok, 0);
  assertExit(block, 1);
  assertExit(bad, 2);
});

test('schema: 0 into a directory, 2 onto a file or under one', async () => {
  const out = join(dir, 'schemas');
  const [ok, ontoFile, underFile] = await pool([() => cli(['schema', '--out', out]), () => cli(['schema', '--out', A_FILE]), () => cli(['schema', '--out', join(A_FILE, 'x')])]);
  assertExit(ok, 0);
  assert.deepEqual(readdirSync(out).sort(), ['fleet.schema.json', 'plan.schema.json', 'scenario.schema.json']);
  assertExit(ontoFile, 2);
  assert.match(ontoFile.stderr, /--out .*a-file\.txt is not a directory/);
  assertExit(underFile, 2);
  assert.equal(readFileSync(A_FILE, 'utf8'), 'not a directory\n');
});

test('bench: 0 for a small run, 2 for sizes out of range', async () => {
  const [twin, analyze, rehearse, ...bad] = await pool([
    () => cli(['bench', 'twin', '--clusters', '2', '--hours', '0.1', '--json']),
    () => cli(['bench', 'analyze', '--manifests', '20', '--clusters', '3', '--json']),
    () => cli(['bench', 'rehearse', '--clusters', '3', '--json']),
    () => cli(['bench', 'twin', '--clusters', '0']),
    () => cli(['bench', 'twin', '--clusters', '1e9']),
    () => cli(['bench', 'twin', '--hours', '1e300']),
    () => cli(['bench', 'analyze', '--manifests', '99999999999']),
    () => cli(['bench', 'rehearse', '--clusters', '-3']),
  ]);
  for (const r of [twin, analyze, rehearse]) assertExit(r ?? assert.fail('no run'), 0);
  bad.forEach((r) => assertExit(r, 2));
});

test('an internal error (a bug): exit 3, one line with a pointer to --debug; --debug and FIREBREAK_DEBUG=1 show the stack', async () => {
  // A preload that makes opening one file name throw a TypeError, as a bug would.
  const preload = join(dir, 'inject-bug.mjs');
  writeFileSync(
    preload,
    `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const open = fs.openSync;
fs.openSync = function (p, ...rest) {
  if (String(p).endsWith('inject-bug.yaml')) throw new TypeError('injected bug for the exit-code test');
  return open.call(this, p, ...rest);
};
syncBuiltinESMExports();
`,
  );
  const target = join(dir, 'inject-bug.yaml');
  writeFileSync(target, readFileSync(BENIGN));
  const nodeArgs = ['--import', preload];
  const [plain, debug, env] = await Promise.all([
    cli(['scenario', 'validate', target], { nodeArgs }),
    cli(['--debug', 'scenario', 'validate', target], { nodeArgs }),
    cli(['scenario', 'validate', target], { nodeArgs, env: { FIREBREAK_DEBUG: '1' } }),
  ]);
  assertExit(plain, 3);
  assert.match(plain.stderr, /^firebreak: internal error \(a bug; please report it\): TypeError: injected bug for the exit-code test; re-run with --debug \(or FIREBREAK_DEBUG=1\) for the stack trace\n$/);
  for (const r of [debug, env]) {
    assert.equal(r.status, 3);
    assert.match(r.stderr, /injected bug for the exit-code test/);
    assert.match(r.stderr, STACK_LINE);
  }
});

/** firebreak … | head -1 in a real shell pipeline: the exit status of firebreak, and its stderr. */
function piped(args: string): { status: number; stderr: string; head: string } {
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" src/cli/main.ts ${args} 2>"${dir}/pipe.err" | head -1; echo "\${PIPESTATUS[0]}" >"${dir}/pipe.status"`], { encoding: 'utf8' });
  return { status: Number(readFileSync(join(dir, 'pipe.status'), 'utf8').trim()), stderr: readFileSync(join(dir, 'pipe.err'), 'utf8'), head: r.stdout };
}

test('EPIPE: output into `| head -1` ends quietly with the command’s own exit code', () => {
  const fleet = join(dir, 'big-fleet.yaml');
  writeFileSync(fleet, 'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: big }\nspec:\n  generate: { count: 5000, nodes: { min: 10, max: 5000, median: 300 } }\n');
  // About 1 MB of JSON: far more than a pipe holds, so head's exit breaks the pipe mid-write.
  const show = piped(`plan show plans/default.yaml --fleet "${fleet}" --json`);
  assert.equal(show.head, '{\n');
  assert.equal(show.status, 0, show.stderr);
  assert.equal(show.stderr, '');
  const block = piped(`analyze ${CORPUS}/otel-agent-no-filter.yaml --fleet ${FLEET} --format sarif`);
  assert.equal(block.status, 1, block.stderr);
  assert.equal(block.stderr, '');
});

test('EPIPE: a reader that closed the pipe before any output', async () => {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'plan', 'show', 'plans/default.yaml', '--fleet', FLEET, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', (s) => resolve(s)));
  assert.equal(status, 0, stderr);
  assert.equal(stderr, '');
});

test('standard output onto a full disk: exit 3, one line', async () => {
  const fd = openSync('/dev/full', 'w');
  try {
    const r = await runWithStdout(fd);
    assertExit(r, 3);
    assert.match(r.stderr, /^firebreak: cannot write to standard output: .*no space left on device/);
  } finally {
    closeSync(fd);
  }
});

function runWithStdout(fd: number): Promise<CliRun> {
  const args = ['plan', 'show', 'plans/default.yaml', '--fleet', FLEET, '--json'];
  const child = spawn(process.execPath, ['src/cli/main.ts', ...args], { stdio: ['ignore', fd, 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ args, status, signal, stdout: '', stderr })));
}

test('output is never partial: no report file when the run fails before writing it', async () => {
  const report = join(dir, 'never.html');
  assertExit(await cli(['rehearse', '--scenario', BAD_SCENARIO, '--plan', FAST, '--report', report]), 2);
  assert.equal(existsSync(report), false);
});
