/**
 * `firebreak killswitch serve` as a real process: flips persist across a
 * SIGKILL and restart (--state), command ids make flips idempotent (the
 * orchestrator's client), the admin token is required, and the commands'
 * bad input exits 2 with a clear message.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KillSwitchClient } from '../../src/adapters/killswitch/client.ts';
import { cliRun, serve, stop, stopAll, tempDir } from './helpers.ts';

after(stopAll);

async function keys(dir: string): Promise<{ key: string; pub: string; token: string }> {
  const r = await cliRun(['killswitch', 'keys', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  return { key: join(dir, 'switch.key'), pub: join(dir, 'switch.pub'), token: join(dir, 'admin.token') };
}

test('a flip survives a SIGKILL of the server: restarted on the same --state, it serves the same signed document', async () => {
  const dir = tempDir();
  const k = await keys(join(dir, 'keys'));
  const state = join(dir, 'switch.json');
  const args = ['--key', k.key, '--admin-token', k.token, '--state', state];
  const first = await serve(args);
  const set = await cliRun(['killswitch', 'set', 'agent', 'off', '--url', first.url, '--token', k.token]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /switch agent off \(generation \d+\)/);
  const before = await (await fetch(`${first.url}/v1/switches/agent`)).text();
  await stop(first, 'SIGKILL');
  const second = await serve(args);
  const afterRestart = await (await fetch(`${second.url}/v1/switches/agent`)).text();
  assert.equal(afterRestart, before, 'the same signed bytes');
  const get = await cliRun(['killswitch', 'get', 'agent', '--url', second.url, '--key-file', k.pub]);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^agent: off \(generation \d+/);
  await stop(second);
  // Another key cannot take over the state: the file's documents do not verify.
  const otherKeys = await keys(join(dir, 'other'));
  const wrong = await cliRun(['killswitch', 'serve', '--port', '0', '--key', otherKeys.key, '--admin-token', otherKeys.token, '--state', state]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /switches\[0\]\.signed: signature does not verify/);
});

test("the orchestrator's client: killSwitch turns the change off in the request's cluster, once per command id", async () => {
  const dir = tempDir();
  const server = await serve([]);
  const client = new KillSwitchClient({ url: server.url, adminToken: server.adminToken, change: 'agent' });
  const first = await client.killSwitch({ commandId: 'kill-switch:prod-a:1', cluster: 'prod-a' });
  assert.equal(first.ok, true, first.reason);
  assert.equal(first.alreadyDone, undefined);
  const again = await client.killSwitch({ commandId: 'kill-switch:prod-a:1', cluster: 'prod-a' });
  assert.deepEqual([again.ok, again.alreadyDone], [true, true]);
  const a = await cliRun(['killswitch', 'get', 'agent', '--url', server.url, '--key', server.publicKey, '--cluster', 'prod-a', '--json']);
  const b = await cliRun(['killswitch', 'get', 'agent', '--url', server.url, '--key', server.publicKey, '--cluster', 'prod-b', '--json']);
  const docA = JSON.parse(a.stdout) as { effective: string; clustersOff: string[]; generation: number };
  const docB = JSON.parse(b.stdout) as { effective: string; generation: number };
  assert.equal(docA.effective, 'off');
  assert.deepEqual(docA.clustersOff, ['prod-a']);
  assert.equal(docB.effective, 'on');
  assert.equal(docA.generation, docB.generation, 'one document for the change, one generation');
  // The whole change, through the client's change scope.
  const everywhere = new KillSwitchClient({ url: server.url, adminToken: server.adminToken, change: 'agent', scope: 'change' });
  assert.equal((await everywhere.killSwitch({ commandId: 'kill-switch:all', cluster: 'prod-b' })).ok, true);
  const c = JSON.parse((await cliRun(['killswitch', 'get', 'agent', '--url', server.url, '--key', server.publicKey, '--cluster', 'prod-b', '--json'])).stdout) as { effective: string; generation: number };
  assert.equal(c.effective, 'off');
  assert.ok(c.generation > docA.generation);
  // Unreachable: ok false with the reason, no exception.
  await stop(server);
  const down = await client.killSwitch({ commandId: 'kill-switch:prod-c:1', cluster: 'prod-c' });
  assert.equal(down.ok, false);
  assert.match(down.reason, /unreachable: ECONNREFUSED/);
  assert.equal(existsSync(join(dir, 'nothing')), false);
});

test('flips need the admin token: without it or with another, 401 and exit 2; the switch is unchanged', async () => {
  const dir = tempDir();
  const server = await serve([]);
  writeFileSync(join(dir, 'wrong.token'), 'not-the-token\n');
  const r = await cliRun(['killswitch', 'set', 'agent', 'off', '--url', server.url, '--token', join(dir, 'wrong.token')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /HTTP 401 a flip needs the admin token/);
  const raw = await fetch(`${server.url}/v1/switches/agent`, { method: 'PUT', body: '{"state":"off"}' });
  assert.equal(raw.status, 401);
  const get = await cliRun(['killswitch', 'get', 'agent', '--url', server.url, '--key', server.publicKey]);
  assert.match(get.stdout, /agent: on \(generation 0/);
  assert.match(server.stderr(), /refused a flip of agent: wrong admin token/);
  const bad = await fetch(`${server.url}/v1/switches/agent`, { method: 'PUT', headers: { authorization: `Bearer ${server.adminToken}` }, body: '{"state":"maybe"}' });
  assert.equal(bad.status, 400);
  assert.equal((await fetch(`${server.url}/v1/switches/%E0%A4%A`)).status, 400, 'malformed percent-encoding');
  assert.equal((await fetch(`${server.url}/v1/switches/Not_A_Name`)).status, 400);
  assert.equal((await fetch(`${server.url}/v1/switches/agent`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${server.url}/other`)).status, 404);
  await stop(server);
});

test('bad input exits 2 with a clear message, before anything starts', async () => {
  const dir = tempDir();
  const k = await keys(join(dir, 'keys'));
  const pub = readFileSync(k.pub, 'utf8').trim();
  writeFileSync(join(dir, 'garbage.json'), '{"hello": 1}');
  const agent = ['--', process.execPath, '-e', '0'];
  const cases: [string[], RegExp][] = [
    [['guard', '--change', 'agent', '--key', pub, ...agent], /--url \(or FIREBREAK_KILLSWITCH_URL\) is required/],
    [['guard', '--url', 'http://switch.internal', '--change', 'agent', '--key', pub, ...agent], /by IP address/],
    [['guard', '--url', 'http://127.0.0.1:1', '--key', pub, ...agent], /--change \(or FIREBREAK_CHANGE\) is required/],
    [['guard', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', 'bm90IGEga2V5', ...agent], /not an Ed25519 public key/],
    [['guard', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', pub, '--poll', 'soon', ...agent], /--poll .* expects seconds/],
    [['guard', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', pub, '--unreachable', 'panic', ...agent], /must be keep-running or stop/],
    [['guard', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', pub], /give the agent command after --/],
    [['guard', '--sidecar', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', pub], /--sidecar needs --process-name/],
    [['guard', '--url', 'http://127.0.0.1:1', '--change', 'agent', '--key', pub, '--state-dir', k.pub, ...agent], /--state-dir .* is not a directory/],
    [['killswitch', 'serve', '--key', k.pub, '--admin-token', k.token], /does not hold an Ed25519 private key/],
    [['killswitch', 'serve', '--key', join(dir, 'missing.key')], /missing\.key/],
    [['killswitch', 'serve', '--port', '0', '--key', k.key, '--admin-token', k.token, '--state', join(dir, 'garbage.json')], /not a kill-switch state file/],
    [['killswitch', 'serve', '--port', '99999'], /--port/],
    [['killswitch', 'set', 'agent', 'maybe', '--url', 'http://127.0.0.1:1', '--token', k.token], /must be on or off/],
    [['killswitch', 'set', 'Bad_Name', 'off', '--url', 'http://127.0.0.1:1', '--token', k.token], /not a change name/],
    [['killswitch', 'keys', '--out', join(dir, 'keys')], /never overwritten/],
  ];
  const runs = await Promise.all(cases.map(([args]) => cliRun(args)));
  runs.forEach((r, i) => {
    const [args, message] = cases[i] ?? [[], /./];
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
  // The environment of contract E configures the guard as the flags do.
  const env = await cliRun(['guard', ...agent], { FIREBREAK_KILLSWITCH_URL: 'http://127.0.0.1:1', FIREBREAK_CHANGE: 'agent', FIREBREAK_KILLSWITCH_KEY: pub, FIREBREAK_KILLSWITCH_UNREACHABLE: 'nope' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /FIREBREAK_KILLSWITCH_UNREACHABLE\) must be keep-running or stop, got "nope"/);
  // A switch server that is not there: set is a failure of the machine (exit 3, one line), not a user error.
  const down = await cliRun(['killswitch', 'set', 'agent', 'off', '--url', 'http://127.0.0.1:1', '--token', k.token]);
  assert.equal(down.code, 3);
  assert.match(down.stderr, /unreachable: ECONNREFUSED/);
});
