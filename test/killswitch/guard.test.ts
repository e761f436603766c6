/**
 * The guard against a real switch server: real `firebreak killswitch serve`
 * and `firebreak guard -- <agent>` processes, the agent a real node child
 * writing a heartbeat file. No API server anywhere: the switch works without
 * one (acceptance 5 of issue #11: "also with the API server down").
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KillSwitchClient } from '../../src/adapters/killswitch/client.ts';
import { alive, beating, beatPid, beats, cliProcess, cliRun, heartbeatAgent, serve, sleep, stop, stopAll, tempDir, waitFor, type Server } from './helpers.ts';

after(stopAll);

const POLL_S = 1;

function guard(server: Pick<Server, 'url' | 'publicKey'>, dir: string, extra: readonly string[] = [], agent = heartbeatAgent(join(dir, 'hb'))) {
  return cliProcess(['guard', '--url', server.url, '--change', 'agent', '--key', server.publicKey, '--poll', String(POLL_S), '--grace', '2', '--state-dir', join(dir, 'state'), ...extra, '--', ...agent]);
}

async function flip(server: Server, state: 'on' | 'off', cluster?: string): Promise<void> {
  const r = await new KillSwitchClient({ url: server.url, adminToken: server.adminToken, change: 'agent' }).set(state, cluster !== undefined ? { cluster } : {});
  assert.ok(r.ok, r.reason);
}

test('switched off, the wrapped agent stops within one poll interval and stays stopped; switched on, it runs again', async () => {
  const dir = tempDir();
  const hb = join(dir, 'hb');
  const server = await serve();
  const g = guard(server, dir);
  await waitFor('the agent to beat', () => beats(hb) > 0);
  assert.ok(await beating(hb));
  const pid = beatPid(hb);
  const flipAt = Date.now();
  await flip(server, 'off');
  await waitFor('the agent to be stopped', () => !alive(pid), 30_000);
  const stoppedBy = Date.now();
  const last = beats(hb);
  // Within one poll interval: the guard's first read after the flip stops the agent. The bound allows the
  // poll's ±10 % jitter, the read's timeout and scheduling on a loaded machine; the figure is in the report.
  assert.ok(stoppedBy - flipAt <= POLL_S * 1100 + 800 + 3000, `stopped ${stoppedBy - flipAt} ms after the flip`);
  assert.equal(await beating(hb, 2 * POLL_S * 1000 + 500), false, 'no beat while off (not restarted by the guard)');
  assert.equal(beats(hb), last);
  assert.equal(g.child.exitCode, null, 'the guard itself keeps running while off');
  assert.match(g.stderr(), /stopping the agent \(pid \d+\): switched off/);
  await flip(server, 'on');
  await waitFor('the agent to run again', () => beats(hb) !== last && beatPid(hb) !== pid);
  assert.ok(await beating(hb));
  const [code] = await stop(g);
  assert.equal(code, 143, 'SIGTERM passed to the agent; the guard exits with its code (128 + 15)');
  await stop(server);
  process.stdout.write(`# flip → agent gone: ${stoppedBy - flipAt} ms (poll ${POLL_S} s)\n`);
});

test('a switch off for one cluster stops the guard of that cluster only', async () => {
  const dir = tempDir();
  const server = await serve();
  const a = guard(server, join(dir, 'a'), ['--cluster', 'prod-a'], heartbeatAgent(join(dir, 'hb-a')));
  const b = guard(server, join(dir, 'b'), ['--cluster', 'prod-b'], heartbeatAgent(join(dir, 'hb-b')));
  await waitFor('both agents to beat', () => beats(join(dir, 'hb-a')) > 0 && beats(join(dir, 'hb-b')) > 0);
  const pidA = beatPid(join(dir, 'hb-a'));
  await flip(server, 'off', 'prod-a');
  await waitFor('the agent in prod-a to stop', () => !alive(pidA));
  assert.ok(await beating(join(dir, 'hb-b')), 'the agent in prod-b keeps running');
  await Promise.all([stop(a), stop(b), stop(server)]);
});

test('endpoint unreachable: the agent keeps running by default, with a log line; with --unreachable stop it is stopped', async () => {
  const dir = tempDir();
  const server = await serve();
  const keep = guard(server, join(dir, 'keep'), [], heartbeatAgent(join(dir, 'hb-keep')));
  const strict = guard(server, join(dir, 'strict'), ['--unreachable', 'stop'], heartbeatAgent(join(dir, 'hb-strict')));
  await waitFor('both agents to beat', () => beats(join(dir, 'hb-keep')) > 0 && beats(join(dir, 'hb-strict')) > 0);
  const strictPid = beatPid(join(dir, 'hb-strict'));
  await stop(server, 'SIGKILL');
  await waitFor('the keep-running guard to log the unreachable endpoint', () => /endpoint unreachable, policy keep-running: agent keeps running/.test(keep.stderr()));
  await waitFor('the strict agent to stop', () => !alive(strictPid));
  assert.match(strict.stderr(), /endpoint unreachable, policy stop: agent stopped/);
  assert.ok(await beating(join(dir, 'hb-keep')), 'keep-running: the agent still beats with the endpoint down');
  await Promise.all([stop(keep), stop(strict)]);
});

test('a forged document (signed by another key, served by an impostor) is refused: the agent keeps running', async () => {
  const dir = tempDir();
  const hb = join(dir, 'hb');
  const real = await serve();
  const impostor = await serve();
  await flip(impostor, 'off');
  // The guard trusts the real server's key but reads the impostor's endpoint.
  const g = guard({ url: impostor.url, publicKey: real.publicKey }, dir);
  await waitFor('the guard to refuse the document', () => /signature does not verify .*forged or tampered document refused/.test(g.stderr()));
  await waitFor('the agent to beat', () => beats(hb) > 0);
  assert.ok(await beating(hb), 'an "off" nobody trusted did not stop the agent');
  // A refused document counts as a failed read: after two, the endpoint is unreachable (policy keep-running).
  await waitFor('the guard to count the refusals as failed reads', () => /endpoint unreachable, policy keep-running: agent keeps running/.test(g.stderr()));
  assert.ok(await beating(hb));
  await Promise.all([stop(g), stop(real), stop(impostor)]);
});

test('a replayed older "on" does not undo an "off", not even after the guard restarts; the restarted guard does not start the agent', async () => {
  const dir = tempDir();
  const hb = join(dir, 'hb');
  const server = await serve();
  // Three genuine documents: off (g1), on (g2), off (g3); the attacker keeps the bytes of g2.
  await flip(server, 'off');
  await flip(server, 'on');
  const onBody = await (await fetch(`${server.url}/v1/switches/agent`)).text();
  await flip(server, 'off');
  const g = guard(server, dir);
  await waitFor('the guard to hold the agent', () => /the agent is not started: switched off/.test(g.stderr()));
  await stop(g);
  // The real server goes away; a replayer serves the genuine, older "on" at its address.
  const port = new URL(server.url).port;
  await stop(server);
  const replay = await import('node:http').then(({ createServer }) => createServer((_req, res) => res.end(onBody)));
  await new Promise<void>((r) => replay.listen(Number(port), '127.0.0.1', r));
  try {
    const again = guard(server, dir);
    await waitFor('the restarted guard to refuse the replay', () => /stale generation \d+ \(the guard has seen \d+\): replayed document refused/.test(again.stderr()));
    await sleep(2 * POLL_S * 1000);
    assert.equal(existsSync(hb), false, 'the agent never started');
    assert.match(again.stderr(), /remembered switch: off/);
    assert.match(again.stderr(), /the agent is not started: switched off/);
    await stop(again);
  } finally {
    replay.closeAllConnections();
    await new Promise<void>((r) => replay.close(() => r()));
  }
});

test('a guard restarted while its change is off, with the endpoint unreachable, does not start the agent (its marker)', async () => {
  const dir = tempDir();
  const hb = join(dir, 'hb');
  const server = await serve();
  await flip(server, 'off');
  const g = guard(server, dir);
  await waitFor('the guard to hold the agent', () => /the agent is not started: switched off/.test(g.stderr()));
  await stop(g);
  await stop(server, 'SIGKILL');
  const again = guard(server, dir);
  await waitFor('the restarted guard to find the endpoint unreachable', () => /endpoint unreachable/.test(again.stderr()));
  assert.equal(existsSync(hb), false, 'the agent never started');
  assert.match(again.stderr(), /remembered switch: off/);
  await stop(again);
});

test('the guard exits with the agent\'s own exit code, and passes signals on', async () => {
  const dir = tempDir();
  const server = await serve();
  const seven = guard(server, join(dir, 'a'), [], [process.execPath, '-e', 'setTimeout(() => process.exit(7), 300)']);
  assert.deepEqual(await seven.exited, [7, null]);
  const graceful = guard(server, join(dir, 'b'), [], [process.execPath, '-e', `process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(join(dir, 'term'))}, 'x'); process.exit(0); }); setInterval(() => {}, 1000); require('fs').writeFileSync(${JSON.stringify(join(dir, 'up'))}, 'x');`]);
  await waitFor('the agent to start', () => existsSync(join(dir, 'up')));
  const [code] = await stop(graceful, 'SIGTERM');
  assert.equal(code, 0, 'the agent handled SIGTERM and exited 0; so does the guard');
  assert.ok(existsSync(join(dir, 'term')), 'the agent received SIGTERM');
  const missing = await cliRun(['guard', '--url', server.url, '--change', 'agent', '--key', server.publicKey, '--state-dir', join(dir, 'c'), '--', join(dir, 'no-such-agent')]);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /cannot start the agent .*ENOENT/);
  await stop(server);
});

test('a marker that cannot be verified is not a pass: the agent is not started until a valid document is read', async () => {
  const dir = tempDir();
  const hb = join(dir, 'hb');
  assert.equal((await cliRun(['killswitch', 'keys', '--out', join(dir, 'keys')])).code, 0);
  const keyArgs = ['--key', join(dir, 'keys', 'switch.key'), '--admin-token', join(dir, 'keys', 'admin.token')];
  const server = await serve(keyArgs);
  mkdirSync(join(dir, 'state'), { recursive: true });
  writeFileSync(join(dir, 'state', 'agent.switch.json'), '{"kind":"SignedKillSwitch","payload":"garbage"}');
  const port = new URL(server.url).port;
  await stop(server, 'SIGKILL');
  const g = guard(server, dir);
  await waitFor('the guard to find the endpoint unreachable', () => /endpoint unreachable/.test(g.stderr()));
  assert.match(g.stderr(), /marker unusable .*counts as off until a valid switch document is read/);
  assert.equal(existsSync(hb), false, 'not started on an unverifiable marker, even under keep-running');
  // The server comes back on the same address: its signed "on" lets the agent start.
  const back = await serve([...keyArgs, '--port', port]);
  assert.equal(back.url, server.url);
  await waitFor('the agent to start', () => beats(hb) > 0);
  await Promise.all([stop(g), stop(back)]);
});
