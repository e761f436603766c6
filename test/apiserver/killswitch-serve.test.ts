/**
 * Contract E in the served twin: a DaemonSet whose pod template carries the
 * kill-switch guard (injectGuard), applied with the real kubectl through a
 * real `firebreak twin serve`, is polled by the served twin at its switch URL
 * (a real `firebreak killswitch serve`), as its agents' guards would. While
 * the 5,200-node cluster's API servers are down, `firebreak killswitch set
 * telemetry-agent off` stops the twin's agents there (control endpoint
 * /twin/v1/workload: running → 0 whole pods); the 50-node cluster runs the same agent
 * without the guard, and its agents keep running.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { wholePods } from '../../src/apiserver/workload-status.ts';
import { injectGuard } from '../../src/killswitch/index.ts';
import { cliRun, serve, stopAll, tempDir, type Server } from '../killswitch/helpers.ts';
import { kubectl, startServe, type ServedTwin } from './serve-helper.ts';

let twin: ServedTwin | undefined;
after(async () => {
  await twin?.stop();
  await stopAll();
});

function control(t: ServedTwin, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`${t.config.control}${path}`), { ca: t.config.ca, headers: { Authorization: `Bearer ${t.config.token('admin')}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number, detail: () => Promise<string> = () => Promise.resolve('')): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} ${await detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The incident agent's manifests, the DaemonSet's pod template given the guard when `guard` is set. */
function manifests(dir: string, name: string, guard: { url: string; key: string } | undefined): string {
  const docs = parseAllDocuments(readFileSync('test/fixtures/manifests/telemetry-agent-incident.yaml', 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
  if (guard !== undefined) {
    const ds = docs.find((d) => d['kind'] === 'DaemonSet') as { spec: { template: Record<string, unknown> } };
    ds.spec.template = injectGuard(ds.spec.template, { url: guard.url, change: 'telemetry-agent', key: guard.key, image: 'firebreak:test', pollS: 5, processName: 'telemetry-agent' });
  }
  const file = join(dir, name);
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return file;
}

test('killswitch set off stops the guarded agents of a served cluster whose API servers are down; unguarded agents keep running', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const keys = await cliRun(['killswitch', 'keys', '--out', join(dir, 'keys')]);
  assert.equal(keys.code, 0, keys.stderr);
  const token = join(dir, 'keys', 'admin.token');
  const sw: Server = await serve(['--key', join(dir, 'keys', 'switch.key'), '--admin-token', token, '--state', join(dir, 'switch.json')]);
  const on = await cliRun(['killswitch', 'set', 'telemetry-agent', 'on', '--url', sw.url, '--token', token]);
  assert.equal(on.code, 0, on.stderr);

  const t = await startServe('test/fixtures/serve/incident-two.yaml', ['--speed', '5']);
  twin = t;
  const guarded = await kubectl(t, ['--context', 'big-admin', 'apply', '--server-side', '-f', manifests(dir, 'guarded.yaml', { url: sw.url, key: sw.publicKey })]);
  assert.equal(guarded.status, 0, guarded.stderr);
  const plain = await kubectl(t, ['--context', 'small-admin', 'apply', '--server-side', '-f', manifests(dir, 'plain.yaml', undefined)]);
  assert.equal(plain.status, 0, plain.stderr);

  type Workload = { deployed: boolean; running: number } | null;
  const workload = async (c: string): Promise<Workload> => (await control(t, `/twin/v1/workload?cluster=${c}`)) as Workload;
  // The served twin reads the switch (on) while the agents start and take the big cluster's API servers down.
  await until('the served twin to read the switch', () => Promise.resolve(/big: DaemonSet telemetry\/telemetry-agent: kill switch telemetry-agent: on/.test(t.stderr())), 60_000);
  await until('the big cluster to lose its API servers', async () => {
    const clock = (await control(t, '/twin/v1/clock')) as { epochMs: number };
    const ready = (await control(t, `/twin/v1/series?cluster=big&metric=apiserver_ready_ratio&from=${clock.epochMs - 2000}&to=${clock.epochMs}`)) as { values: number[] };
    return ready.values.at(-1) === 0;
  }, 120_000);
  const before = await workload('big');
  assert.ok(before !== null && before.running > 0, `agents run in the big cluster (${JSON.stringify(before)})`);

  const off = await cliRun(['killswitch', 'set', 'telemetry-agent', 'off', '--url', sw.url, '--token', token]);
  assert.equal(off.code, 0, off.stderr);
  // Whole pods, as the served API counts them (the twin's fluid count leaves a residue of ~1e-15).
  await until('the big cluster\'s agents to stop', async () => wholePods((await workload('big'))?.running ?? 1) === 0, 120_000, async () => `(workload ${JSON.stringify(await workload('big'))}; twin serve's stderr:\n${t.stderr()})`);
  assert.match(t.stderr(), /big: DaemonSet telemetry\/telemetry-agent: kill switch telemetry-agent: switched off: the twin's agents stop/);
  const small = await workload('small');
  assert.ok(small !== null && wholePods(small.running) > 0, `the unguarded agents keep running (${JSON.stringify(small)})`);
});
