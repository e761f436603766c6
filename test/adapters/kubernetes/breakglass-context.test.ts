/**
 * The break-glass identity's own API server: a fleet whose break-glass identity
 * names a kubeconfig context (`breakGlass: { context: "{cluster}-breakglass" }`)
 * has the Kubernetes target send its break-glass requests to that context's
 * server — against a real `firebreak twin serve` of a scenario with a dedicated
 * break-glass API server (test/fixtures/serve/breakglass-saturated.yaml), which
 * serves only what the stored FlowSchemas classify to the break-glass level and
 * resets every other connection. So before `breakglass install` the
 * break-glass read fails (reset) while the ordinary read is served; after it,
 * the break-glass read and delete are served there, and the DaemonSet is gone.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { KubernetesTarget, type Manifest } from '../../../src/adapters/kubernetes/target.ts';
import type { LiveTime } from '../../../src/adapters/kubernetes/budget.ts';
import type { Identity } from '../../../src/orchestrator/ports.ts';
import { parseFleet } from '../../../src/input/fleet.ts';
import { resolveConnections } from '../../../src/input/kubeconfig.ts';
import { parseManifests } from '../../../src/input/manifests.ts';
import { kubectl, startServe, type ServedTwin } from '../../apiserver/serve-helper.ts';
import { cli } from '../../orchestrator/procs.ts';

const AGENT = 'test/fixtures/rollout-run/benign-agent.yaml';
const MANIFESTS = parseManifests(readFileSync(AGENT, 'utf8'), 'benign-agent.yaml').map((d) => d.value as Manifest);
const CHANGE = { name: 'node-problem-detector', kind: 'DaemonSet', namespace: 'node-problem-detector' } as const;
const WALL: LiveTime = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const ORDINARY: Identity = { name: 'firebreak', priorityLevel: 'workload-low', breakGlass: false };
const BREAK_GLASS: Identity = { name: 'firebreak-breakglass', priorityLevel: 'firebreak-breakglass', breakGlass: true };

let t: ServedTwin;
let fleetFile: string;
let plan: string;

before(async () => {
  t = await startServe('test/fixtures/serve/breakglass-saturated.yaml', ['--speed', '1']);
  fleetFile = join(t.dir, 'fleet.yaml');
  writeFileSync(
    fleetFile,
    'apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: tenants }\nspec:\n  kubeconfig:\n    identities:\n      breakGlass: { context: "{cluster}-breakglass" }\n  clusters:\n    - { name: tenants, nodes: 2000 }\n',
  );
  plan = join(t.dir, 'plan.yaml');
  writeFileSync(plan, readFileSync('test/fixtures/rollout-run/plan-benign.yaml', 'utf8').replace('file: benign-agent.yaml', `file: ${resolve(AGENT)}`));
});
after(async () => {
  await t.stop();
});

test('a break-glass identity with a context goes to that context’s API server: reset before the kit, served after it', { timeout: 180_000 }, async () => {
  const conns = resolveConnections(parseFleet(readFileSync(fleetFile, 'utf8'), fleetFile).access, { cli: t.kubeconfig });
  const conn = conns[0];
  assert.ok(conn?.breakGlass !== undefined);
  assert.equal(conn.breakGlass.context, 'tenants-breakglass', '{cluster} is the cluster’s name');
  assert.equal('user' in conn.breakGlass ? conn.breakGlass.user : '', 'firebreak-breakglass', 'alone, the context’s own user');

  const target = new KubernetesTarget({
    change: CHANGE,
    manifests: MANIFESTS,
    clusters: conns,
    time: WALL,
    budget: { qps: 50, burst: 20, initialS: 0.1, factor: 2, maxS: 1, jitter: 0.5 },
    seed: 1,
    timeoutMs: 20_000,
    cleanupCap: 600,
  });
  const applied = await kubectl(t, ['--context', 'tenants-admin', 'apply', '--server-side', '-f', AGENT]);
  assert.equal(applied.status, 0, applied.stderr);

  // The ordinary identity reaches the cluster's own server, which answers (served, or 429 from this
  // multi-tenant cluster's busy workload-low level); the break-glass server, without the kit, resets the connection.
  const ordinary = await target.status('tenants', ORDINARY);
  assert.ok(ordinary.ok || /^429 /.test(ordinary.reason), `the ordinary identity is answered by the cluster's own server: ${ordinary.reason}`);
  const before = await target.status('tenants', BREAK_GLASS);
  assert.equal(before.ok, false, 'without the kit, the break-glass API server serves nothing of this identity');
  assert.doesNotMatch(before.reason, /^\d{3} /, `no HTTP answer at all: the connection is reset (${before.reason})`);

  const install = cli(['breakglass', 'install', '--plan', plan, '--fleet', fleetFile, '--kubeconfig', t.kubeconfig, '--user', 'admin']);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const read = await target.status('tenants', BREAK_GLASS);
  assert.equal(read.ok, true, `with the kit, the break-glass read is served by its own server: ${read.reason}`);
  const removed = await target.remove({ commandId: 'remove:tenants:1', cluster: 'tenants', identity: BREAK_GLASS });
  assert.equal(removed.ok, true, removed.reason);
  const gone = await kubectl(t, ['--context', 'tenants-admin', '-n', CHANGE.namespace, 'get', 'ds', CHANGE.name]);
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /NotFound/);
  await target.idle();
});
