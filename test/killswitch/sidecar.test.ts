/**
 * The guard as a sidecar (`firebreak guard --sidecar --process-name <name>`):
 * a real guard process finds a real agent process by name — here every
 * process of this machine is in one process namespace, as a pod's containers
 * are with shareProcessNamespace — and stops it when the switch is off, and
 * again when it reappears (the kubelet restarting the agent's container).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KillSwitchClient } from '../../src/adapters/killswitch/client.ts';
import { alive, beating, beatPid, beats, cliProcess, heartbeatAgent, serve, start, stop, stopAll, tempDir, waitFor } from './helpers.ts';

after(stopAll);

test('sidecar mode stops the agent found by name while off, again when it reappears, and leaves it once on', async () => {
  const dir = tempDir();
  // A name no other process has (the kernel keeps 15 bytes of it as comm; argv[0] keeps all of it).
  const name = `fbks-${randomBytes(4).toString('hex')}-agent`;
  const server = await serve();
  const sidecar = cliProcess(['guard', '--sidecar', '--process-name', name, '--url', server.url, '--change', 'agent', '--key', server.publicKey, '--poll', '0.5', '--grace', '2', '--state-dir', join(dir, 'state')]);
  const hb1 = join(dir, 'hb1');
  const [file, ...args] = heartbeatAgent(hb1, name);
  const agent1 = start(file ?? '', args);
  await waitFor('the agent to beat', () => beats(hb1) > 0);
  assert.ok(await beating(hb1), 'switch on: the sidecar leaves the agent alone');
  const client = new KillSwitchClient({ url: server.url, adminToken: server.adminToken, change: 'agent' });
  assert.ok((await client.set('off')).ok);
  const [, signal] = await agent1.exited;
  assert.equal(signal, 'SIGTERM', 'the sidecar sent SIGTERM');
  assert.match(sidecar.stderr(), new RegExp(`stopping ${name} \\(pid ${agent1.pid}\\): switched off`));
  // The kubelet restarts the container: the agent reappears and is stopped again.
  const hb2 = join(dir, 'hb2');
  const agent2 = start(file ?? '', heartbeatAgent(hb2, name).slice(1));
  const [, signal2] = await agent2.exited;
  assert.equal(signal2, 'SIGTERM');
  // An agent that ignores SIGTERM is killed after the grace period.
  const hb3 = join(dir, 'hb3');
  const stubborn = start(process.execPath, ['-e', `process.title=${JSON.stringify(name)};process.on('SIGTERM',()=>{});let n=0;setInterval(()=>require('fs').writeFileSync(${JSON.stringify(hb3)}, process.pid+' '+(++n)),50);`]);
  const [, signal3] = await stubborn.exited;
  assert.equal(signal3, 'SIGKILL');
  assert.match(sidecar.stderr(), /did not stop within 2 s: SIGKILL/);
  // Back on: a new agent is left running.
  assert.ok((await client.set('on')).ok);
  await waitFor('the sidecar to see the switch on', () => /may run again: switched on/.test(sidecar.stderr()));
  const hb4 = join(dir, 'hb4');
  const agent4 = start(file ?? '', heartbeatAgent(hb4, name).slice(1));
  await waitFor('the new agent to beat', () => beats(hb4) > 0);
  assert.ok(await beating(hb4, 1500), 'switch on: the agent runs');
  assert.ok(alive(beatPid(hb4)));
  await stop(agent4);
  const [code] = await stop(sidecar);
  assert.equal(code, 0, 'the sidecar ends with 0 on SIGTERM');
  await stop(server);
});
