/**
 * `firebreak twin serve` as a command: input errors exit 2 with one clear
 * message and serve nothing (no kubeconfig written); a served twin on
 * `--port P` puts its clusters on P, P+1, … and the control endpoint after
 * them, answers the control endpoint's reads, and exits 0 on SIGTERM.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertExit, cli } from './spawn.ts';
import { startServe } from '../apiserver/serve-helper.ts';

const SMALL = 'test/fixtures/serve/small.yaml';

test('bad input exits 2 before anything is served', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-serve-bad-'));
  const kc = join(dir, 'kc');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: firebreak.dev/v1alpha1\nkind: Scenario\nmetadata: { name: x }\nspec:\n  start: "2024-01-01T00:00:00Z"\n  duration: -5\n  fleet: { clusters: [] }\n');
  mkdirSync(join(dir, 'a-directory'));
  const runs = await Promise.all([
    cli(['twin', 'serve', join(dir, 'missing.yaml'), '--kubeconfig', kc]),
    cli(['twin', 'serve', bad, '--kubeconfig', kc]),
    cli(['twin', 'serve', SMALL, '--kubeconfig', kc, '--speed', '0']),
    cli(['twin', 'serve', SMALL, '--kubeconfig', kc, '--port', '70000']),
    cli(['twin', 'serve', SMALL, '--kubeconfig', join(dir, 'a-directory')]),
    cli(['twin', 'serve', SMALL, '--kubeconfig', kc, '--port', '65535']),
  ]);
  for (const r of runs) assertExit(r, 2, r.args.join(' '));
  assert.match(runs[0]?.stderr ?? '', /missing\.yaml/);
  assert.match(runs[1]?.stderr ?? '', /bad\.yaml:\d+:\d+/);
  assert.match(runs[2]?.stderr ?? '', /--speed/);
  assert.match(runs[3]?.stderr ?? '', /--port/);
  assert.match(runs[4]?.stderr ?? '', /--kubeconfig/);
  assert.match(runs[5]?.stderr ?? '', /beyond 65535/);
  assert.equal(existsSync(kc), false, 'no kubeconfig written');
});

test('a port in use exits 2 naming --port', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const addr = blocker.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-serve-port-'));
  const r = await cli(['twin', 'serve', SMALL, '--kubeconfig', join(dir, 'kc'), '--port', String(port)]);
  blocker.close();
  assertExit(r, 2);
  assert.match(r.stderr, /--port \d+: a port of the range is in use/);
});

async function freeRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const servers = [];
    let ok = true;
    for (let i = 0; i < n; i++) {
      const s = createServer();
      const bound = await new Promise<boolean>((r) => {
        s.once('error', () => r(false));
        s.listen(base + i, '127.0.0.1', () => r(true));
      });
      servers.push(s);
      if (!bound) {
        ok = false;
        break;
      }
    }
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
    if (ok) return base;
  }
  throw new Error('no free port range');
}

test('--port P: clusters on P and P+1, the control endpoint on P+2; clock and clusters read; SIGTERM exits 0', async () => {
  const port = await freeRange(3);
  const t = await startServe(SMALL, ['--port', String(port), '--speed', '30']);
  try {
    assert.equal(t.config.server('alpha'), `https://127.0.0.1:${port}`);
    assert.equal(t.config.server('beta'), `https://127.0.0.1:${port + 1}`);
    assert.equal(t.config.control, `https://127.0.0.1:${port + 2}`);
    const get = (path: string, token: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(new URL(`${t.config.control}${path}`), { ca: t.config.ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    await new Promise((r) => setTimeout(r, 500));
    const clock = await get('/twin/v1/clock', t.config.token('firebreak'));
    assert.equal(clock.status, 200);
    const c = JSON.parse(clock.body) as { t: number; speed: number; done: boolean; epochMs: number };
    assert.equal(c.speed, 30);
    assert.ok(c.t > 0, 'the twin advances in wall-clock time');
    assert.equal(c.epochMs, Date.parse('2024-12-11T14:30:00Z') + c.t * 1000);
    const clusters = JSON.parse((await get('/twin/v1/clusters', t.config.token('admin'))).body) as { name: string; nodes: number; sizeClass: string }[];
    assert.deepEqual(clusters.map((x) => `${x.name}:${x.nodes}:${x.sizeClass}`), ['alpha:50:small', 'beta:12:small']);
    assert.equal((await get('/twin/v1/clock', 'not-a-token')).status, 401);
    assert.equal((await get('/twin/v1/levels?cluster=nope', t.config.token('admin'))).status, 404);
    assert.equal((await get('/twin/v1/series?cluster=alpha&metric=nope', t.config.token('admin'))).status, 404);
    const series = JSON.parse((await get(`/twin/v1/series?cluster=alpha&metric=apiserver_ready_ratio&from=0&to=${c.epochMs + 60_000}`, t.config.token('admin'))).body) as { times: number[]; values: number[] };
    assert.ok(series.times.length > 1 && series.values.every((v) => v === 1));
    assert.equal(JSON.parse((await get('/twin/v1/workload?cluster=alpha', t.config.token('admin'))).body), null);
  } finally {
    assert.equal(await t.stop(), 0);
  }
  assert.match(t.stderr(), /SIGTERM: stopping/);
});
