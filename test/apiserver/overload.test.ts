/**
 * Acceptance 2 of issue #11: the incident's telemetry agent applied with the
 * real kubectl to a twin-served cluster of 5,200 nodes makes that cluster's
 * API answer 429 with Retry-After and then refuse connections; a 50-node
 * cluster given the same agent stays healthy. The twin's own metrics
 * (control endpoint) say the same.
 *
 * Whose requests get the 429s: the twin's report for the same change (a
 * scenario applying the agent to the same two clusters) shows the 429s at the
 * workload-low level, in the agents' own APF flow — one flow per user under
 * the service-accounts FlowSchema (distinguisher ByUser), and every agent
 * shares the telemetry-agent service account, so its queues fill and its
 * requests are rejected, while another service account's flow at the same
 * level (the orchestrator's `firebreak`) is queued and served by fair
 * queuing until the API servers fall (then refused), and the admin
 * (system:masters → exempt) never gets a 429, as in Kubernetes. Nor does the
 * first fall show a 429 window: the API servers run out of memory within a
 * simulated second of their seats filling. The 429s come when the API servers
 * restart into the agents' relist storm, before they fall again. So the test
 * polls as the agents do — with a token of their service account
 * (`kubectl create token telemetry-agent -n telemetry`, the TokenRequest
 * subresource) — and expects: 200, refused, then 429 with Retry-After as the
 * servers come back, then refused again.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kubectl, startServe, type ServedTwin } from './serve-helper.ts';

let t: ServedTwin;

before(async () => {
  t = await startServe('test/fixtures/serve/incident-two.yaml', ['--speed', '5']);
});
after(async () => {
  await t.stop();
});

/** `reset`: a request in flight when the API server fell (its connection reset, as when a real one is OOM-killed). */
type Outcome = { kind: 'status'; code: number; retryAfter: string | undefined } | { kind: 'refused' } | { kind: 'reset' } | { kind: 'error'; message: string };

function getNodes(cluster: string, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(`${t.config.server(cluster)}/api/v1/nodes?limit=500`);
    const req = request(url, { ca: t.config.ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, timeout: 20_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'status', code: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? { kind: 'refused' } : e.code === 'ECONNRESET' ? { kind: 'reset' } : { kind: 'error', message: `${e.code ?? ''} ${e.message}` }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function control(path: string): Promise<unknown> {
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

test('kubectl apply of the incident agent: the 5,200-node cluster answers 429 with Retry-After, then refuses connections; the 50-node cluster stays healthy', { timeout: 300_000 }, async () => {
  for (const ctx of ['big-admin', 'small-admin']) {
    const r = await kubectl(t, ['--context', ctx, 'apply', '--server-side', '-f', 'test/fixtures/manifests/telemetry-agent-incident.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /daemonset\.apps\/telemetry-agent serverside-applied/);
  }
  // The agents' identity, as a real cluster issues it (TokenRequest).
  const tokens: Record<string, string> = {};
  for (const c of ['big', 'small']) {
    const r = await kubectl(t, ['--context', `${c}-admin`, 'create', 'token', 'telemetry-agent', '-n', 'telemetry']);
    assert.equal(r.status, 0, r.stderr);
    tokens[c] = r.stdout.trim();
    assert.ok((tokens[c] ?? '').length > 20);
  }
  const seen: string[] = [];
  const events: { poll: number; label: string; retryAfter: string | undefined }[] = [];
  const deadline = Date.now() + 240_000;
  let refusedAfter429: number | undefined;
  for (let i = 0; Date.now() < deadline; i++) {
    // Three agents' requests to the big cluster at once, one to the small one (about every 0.3 simulated s at --speed 5).
    const [small, ...bigs] = await Promise.all([getNodes('small', tokens['small'] ?? ''), getNodes('big', tokens['big'] ?? ''), getNodes('big', tokens['big'] ?? ''), getNodes('big', tokens['big'] ?? '')]);
    assert.deepEqual(small.kind === 'status' ? small.code : small, 200, `the 50-node cluster stays healthy (poll ${i})`);
    for (const big of bigs) {
      assert.notEqual(big.kind, 'error', `no other failure than 200, 429, refused or reset: ${big.kind === 'error' ? big.message : ''}`);
      const label = big.kind === 'status' ? String(big.code) : big.kind;
      assert.ok(['200', '429', 'refused', 'reset', '504'].includes(label), `an answer of the twin's (${label})`);
      if (seen.at(-1) !== label) seen.push(label);
      events.push({ poll: i, label, retryAfter: big.kind === 'status' ? big.retryAfter : undefined });
    }
    const first429 = events.findIndex((e) => e.label === '429');
    if (first429 >= 0 && refusedAfter429 === undefined && events.slice(first429).some((e) => e.label === 'refused')) refusedAfter429 = i;
    if (refusedAfter429 !== undefined && i > refusedAfter429 + 10) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const rejected429 = events.filter((e) => e.label === '429');
  assert.ok(rejected429.length > 0, `the big cluster answered 429 (seen: ${seen.join(' → ')})`);
  for (const e of rejected429) assert.ok(Number(e.retryAfter) >= 1, `every 429 carries Retry-After ≥ 1 s (${String(e.retryAfter)})`);
  const first429 = events.findIndex((e) => e.label === '429');
  assert.ok(events.slice(first429).some((e) => e.label === 'refused'), `then refused connections (seen: ${seen.join(' → ')})`);
  assert.equal(events[0]?.label, '200', 'served before the agents\' load built up');

  // kubectl's view of the refusal.
  let refusedSeen = false;
  for (let k = 0; k < 40 && !refusedSeen; k++) {
    const get = await kubectl(t, ['--context', 'big', 'get', 'nodes', '--request-timeout=10s']);
    refusedSeen = get.status !== 0 && /connection to the server 127\.0\.0\.1:\d+ was refused/.test(get.stderr);
  }
  assert.ok(refusedSeen, 'kubectl get nodes finds the big cluster refusing connections');
  const ok = await kubectl(t, ['--context', 'small', 'get', 'nodes']);
  assert.equal(ok.status, 0, ok.stderr);

  const clock = (await control('/twin/v1/clock')) as { epochMs: number };
  const rejected = (await control(`/twin/v1/series?cluster=big&metric=apiserver_429_ratio&from=0&to=${clock.epochMs}`)) as { values: number[] };
  const ready = (await control(`/twin/v1/series?cluster=big&metric=apiserver_ready_ratio&from=0&to=${clock.epochMs}`)) as { values: number[] };
  const smallReady = (await control(`/twin/v1/series?cluster=small&metric=apiserver_ready_ratio&from=0&to=${clock.epochMs}`)) as { values: number[] };
  assert.ok(Math.max(...rejected.values) > 0, 'the twin\'s metrics show the 429s');
  assert.ok(Math.min(...ready.values) === 0, 'and times with no ready API server in the big cluster');
  assert.ok(smallReady.values.every((v) => v === 1), 'the small cluster\'s API servers stay ready');
});

test('TokenRequest: kubectl create token of a missing service account is 404; the token authenticates as the service account', { timeout: 60_000 }, async () => {
  const missing = await kubectl(t, ['--context', 'small-admin', 'create', 'token', 'nobody', '-n', 'telemetry']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  const r = await kubectl(t, ['--context', 'small-admin', 'create', 'token', 'telemetry-agent', '-n', 'telemetry']);
  assert.equal(r.status, 0, r.stderr);
  // The agent's ClusterRole grants get/list of pods and nodes, nothing more.
  const can = await kubectl(t, ['--context', 'small', '--token', r.stdout.trim(), 'get', 'nodes', '-o', 'name']);
  assert.equal(can.status, 0, can.stderr);
  const cannot = await kubectl(t, ['--context', 'small', '--token', r.stdout.trim(), 'get', 'configmaps']);
  assert.notEqual(cannot.status, 0);
  assert.match(cannot.stderr, /User "system:serviceaccount:telemetry:telemetry-agent" cannot list resource "configmaps"/);
});

test('the twin\'s report for the same change: 429s then a lost control plane in the big cluster, none in the small one', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-overload-'));
  try {
    const metrics = join(dir, 'm.ndjson');
    const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', 'simulate', 'test/fixtures/serve/incident-two-simulated.yaml', '--metrics', metrics], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cluster: string; rate429: number; ready: number });
    const big = rows.filter((x) => x.cluster === 'big');
    const small = rows.filter((x) => x.cluster === 'small');
    assert.ok(big.some((x) => x.rate429 > 0), 'the big cluster answers 429s');
    assert.ok(big.some((x) => x.ready === 0), 'and has minutes with no ready API server');
    assert.ok(small.every((x) => x.rate429 === 0 && x.ready === 1), 'the small cluster stays healthy');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
