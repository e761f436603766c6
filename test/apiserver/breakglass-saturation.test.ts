/**
 * Acceptance 5 of issue #11, the proof of part 3: under saturation, against a
 * real `firebreak twin serve`, the ordinary identity's delete gets 429s and
 * the break-glass delete is served; with the scenario's dedicated break-glass
 * API server, also while the cluster's API servers are down.
 *
 * The scenario (test/fixtures/serve/breakglass-saturated.yaml) is a
 * multi-tenant cluster whose workload-low level is saturated by many APF
 * flows (3,000 tenants' service accounts) once etcd slows down 100×: every
 * queue of the level is full on every API server, so the orchestrator's
 * `firebreak` flow — a lone flow, fair queuing aside — finds every queue of
 * its shuffle-sharded hand full and APF rejects it (queue-full, 429 with
 * Retry-After: src/apiserver/apf-queues.ts). Nothing here scripts the
 * answers: the served twin decides each request from its state. Then every
 * API server replica is killed: the cluster's endpoint refuses connections,
 * and only the dedicated break-glass API server (its own listener, the
 * kubeconfig's `tenants-breakglass` context) still answers — the real kubectl
 * deletes the DaemonSet through it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { kubectl, startServe, type ServedTwin } from './serve-helper.ts';
import { cli } from '../orchestrator/procs.ts';

const NS = 'node-problem-detector';
const DS = 'node-problem-detector';
const DS_PATH = `/apis/apps/v1/namespaces/${NS}/daemonsets/${DS}`;
const AGENT = 'test/fixtures/rollout-run/benign-agent.yaml';

let t: ServedTwin;
let fleet: string;
let plan: string;

type Outcome = { kind: 'status'; code: number; retryAfter: string | undefined; body: string } | { kind: 'refused' } | { kind: 'reset' } | { kind: 'error'; message: string };

/** One raw HTTPS request to a server of the kubeconfig as a user (what the Kubernetes adapter sends: no discovery first). */
function call(server: string, method: string, path: string, user: string): Promise<Outcome> {
  return new Promise((done) => {
    const req = request(new URL(`${server}${path}`), { method, ca: t.config.ca, headers: { Authorization: `Bearer ${t.config.token(user)}`, Accept: 'application/json' }, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => done({ kind: 'status', code: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? { kind: 'refused' } : e.code === 'ECONNRESET' || e.code === 'EPIPE' ? { kind: 'reset' } : { kind: 'error', message: `${e.code ?? ''} ${e.message}` }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function label(o: Outcome): string {
  return o.kind === 'status' ? String(o.code) : o.kind === 'error' ? `error ${o.message}` : o.kind;
}

/** The break-glass API server of a cluster, from the kubeconfig (its own cluster entry). */
function breakGlassServer(cluster: string): string {
  const kc = parse(readFileSync(t.kubeconfig, 'utf8')) as { clusters: { name: string; cluster: { server: string } }[]; contexts: { name: string; context: { cluster: string } }[] };
  const ctx = kc.contexts.find((c) => c.name === `${cluster}-breakglass`);
  return kc.clusters.find((c) => c.name === ctx?.context.cluster)?.cluster.server ?? '';
}

async function simulatedSeconds(): Promise<number> {
  const r = await new Promise<string>((done, fail) => {
    const req = request(new URL(`${t.config.control}/twin/v1/clock`), { ca: t.config.ca, headers: { Authorization: `Bearer ${t.config.token('admin')}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => done(body));
    });
    req.on('error', fail);
    req.end();
  });
  return (JSON.parse(r) as { t: number }).t;
}

async function until(what: string, check: () => Promise<boolean>, wallMs: number): Promise<void> {
  const end = Date.now() + wallMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  t = await startServe('test/fixtures/serve/breakglass-saturated.yaml', ['--speed', '5']);
  fleet = join(t.dir, 'fleet.yaml');
  writeFileSync(fleet, `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: tenants }\nspec:\n  kubeconfig:\n    identities:\n      breakGlass: { user: firebreak-breakglass }\n  clusters:\n    - { name: tenants, nodes: 2000 }\n`);
  plan = join(t.dir, 'plan.yaml');
  const text = readFileSync('test/fixtures/rollout-run/plan-benign.yaml', 'utf8').replace('file: benign-agent.yaml', `file: ${resolve(AGENT)}`);
  assert.ok(text.includes(resolve(AGENT)));
  writeFileSync(plan, text);
});
after(async () => {
  await t.stop();
});

test('the kubeconfig points the break-glass context at the cluster\'s dedicated break-glass API server', () => {
  const server = breakGlassServer('tenants');
  assert.match(server, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(server, t.config.server('tenants'));
});

test('saturated by many flows: the ordinary identity\'s delete gets 429 with Retry-After, the break-glass delete is served and the DaemonSet is gone', { timeout: 240_000 }, async () => {
  const applied = await kubectl(t, ['--context', 'tenants-admin', 'apply', '--server-side', '-f', AGENT]);
  assert.equal(applied.status, 0, applied.stderr);
  const install = cli(['breakglass', 'install', '--plan', plan, '--fleet', fleet, '--kubeconfig', t.kubeconfig, '--user', 'admin']);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const main = t.config.server('tenants');

  // Before etcd slows down (14:32, 120 simulated s), the ordinary identity is served.
  if ((await simulatedSeconds()) < 110) assert.equal(label(await call(main, 'GET', DS_PATH, 'firebreak')), '200', 'served before the saturation');

  await until('the etcd slowdown to saturate workload-low', async () => (await simulatedSeconds()) >= 150, 120_000);
  const deletes = await Promise.all([0, 1, 2].map(() => call(main, 'DELETE', DS_PATH, 'firebreak')));
  for (const d of deletes) {
    assert.equal(label(d), '429', `the ordinary identity's delete is rejected by APF (${label(d)}${d.kind === 'status' ? `: ${d.body.slice(0, 200)}` : ''})`);
    assert.ok(d.kind === 'status' && Number(d.retryAfter) >= 1, `with Retry-After ≥ 1 s (${d.kind === 'status' ? String(d.retryAfter) : ''})`);
    assert.match(d.kind === 'status' ? d.body : '', /"reason":"TooManyRequests"/);
  }
  const still = await kubectl(t, ['--context', 'tenants-admin', '-n', NS, 'get', 'ds', DS, '-o', 'name']);
  assert.equal(still.status, 0, `the DaemonSet is still there: ${still.stderr}`);

  // The break-glass identity, on the same endpoint: the kit's FlowSchema takes its delete to the break-glass level.
  const bg = await call(main, 'DELETE', DS_PATH, 'firebreak-breakglass');
  assert.equal(label(bg), '200', `the break-glass delete is served (${bg.kind === 'status' ? bg.body.slice(0, 200) : label(bg)})`);
  const gone = await kubectl(t, ['--context', 'tenants-admin', '-n', NS, 'get', 'ds', DS]);
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /NotFound/, gone.stderr);
  // Still saturated: the ordinary identity is still turned away.
  assert.equal(label(await call(main, 'GET', `/apis/apps/v1/namespaces/${NS}/daemonsets`, 'firebreak')), '429');
});

test('API servers down: the cluster refuses connections, the real kubectl deletes through the dedicated break-glass API server', { timeout: 300_000 }, async () => {
  const applied = await kubectl(t, ['--context', 'tenants-admin', 'apply', '--server-side', '-f', AGENT]);
  assert.equal(applied.status, 0, applied.stderr);
  const main = t.config.server('tenants');
  const glass = breakGlassServer('tenants');

  // 14:36: every API server replica is killed.
  await until('the API servers to be killed', async () => (await call(main, 'GET', '/version', 'admin')).kind === 'refused', 150_000);
  assert.equal(label(await call(main, 'DELETE', DS_PATH, 'firebreak')), 'refused', 'the ordinary identity cannot reach the API');

  const del = await kubectl(t, ['--context', 'tenants-breakglass', '-n', NS, 'delete', 'ds', DS, '--wait=false']);
  assert.equal(del.status, 0, del.stderr);
  assert.match(del.stdout, /daemonset\.apps "node-problem-detector" deleted/);
  const get = await kubectl(t, ['--context', 'tenants-breakglass', '-n', NS, 'get', 'ds', DS]);
  assert.notEqual(get.status, 0);
  assert.match(get.stderr, /NotFound/, get.stderr);
  assert.equal(label(await call(main, 'GET', '/version', 'admin')), 'refused', 'the ordinary API servers were down all along');

  // The dedicated server is the break-glass identity's only: another identity's request does not reach it.
  const other = await call(glass, 'GET', `/apis/apps/v1/namespaces/${NS}/daemonsets`, 'firebreak');
  assert.ok(other.kind === 'reset' || other.kind === 'refused', `not served to the ordinary identity (${label(other)})`);

  // Once the API servers are back, the cluster agrees: the DaemonSet is gone.
  await until('the API servers to come back', async () => label(await call(main, 'GET', '/version', 'admin')) === '200', 150_000);
  const back = await call(main, 'GET', DS_PATH, 'admin');
  assert.equal(label(back), '404');
});
