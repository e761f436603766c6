/**
 * The Kubernetes target's pure parts, without a server: which nodes a batch
 * takes (stable across runs, keeps what is labelled), the client-side budget
 * and backoff, failures in words (from client-node's real ApiException and
 * real network errors), and the break-glass kit's objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { ApiException } from '@kubernetes/client-node';
import { batchOrder, chooseNodes } from '../../../src/adapters/kubernetes/node-batches.ts';
import { Backoff, TokenBucket, type LiveTime } from '../../../src/adapters/kubernetes/budget.ts';
import { failureOf, RequestTimeout } from '../../../src/adapters/kubernetes/failure.ts';
import { breakGlassObjects, covers } from '../../../src/adapters/kubernetes/breakglass.ts';
import { ApiClient } from '../../../src/adapters/kubernetes/api-client.ts';

const nodeNames = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { minLength: 0, maxLength: 60 });

test('a batch takes the labelled nodes first, then the hash order; the same inputs give the same batch', () => {
  fc.assert(
    fc.property(nodeNames, fc.nat(80), fc.nat(80), (names, want, labelledCount) => {
      const labelled = new Set(batchOrder('other-change', names).slice(0, Math.min(labelledCount, want)));
      const chosen = chooseNodes('agent', names, labelled, want);
      assert.equal(chosen.length, Math.min(want, names.length));
      assert.equal(new Set(chosen).size, chosen.length);
      for (const n of labelled) assert.ok(chosen.includes(n), `labelled node ${n} kept`);
      assert.deepEqual(chooseNodes('agent', [...names].reverse(), labelled, want).sort(), [...chosen].sort(), 'listing order does not matter');
    }),
  );
});

test('widening a batch keeps the smaller batch inside it (a resume never moves a batch)', () => {
  fc.assert(
    fc.property(nodeNames, fc.nat(60), fc.nat(60), (names, a, b) => {
      const small = chooseNodes('agent', names, new Set(), Math.min(a, b));
      const big = chooseNodes('agent', names, new Set(small), Math.max(a, b));
      for (const n of small) assert.ok(big.includes(n));
      assert.deepEqual(new Set(big), new Set(chooseNodes('agent', names, new Set(), Math.max(a, b))));
    }),
  );
});

test('two changes do not start on the same nodes', () => {
  const names = Array.from({ length: 1000 }, (_, i) => `c-node-${String(i + 1).padStart(5, '0')}`);
  const a = new Set(chooseNodes('agent-a', names, new Set(), 10));
  const b = chooseNodes('agent-b', names, new Set(), 10);
  assert.ok(b.filter((n) => a.has(n)).length < 5);
});

/** A time that moves only when slept through. */
function fakeTime(): LiveTime & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

test('the token bucket gives `burst` at once, then `qps` per second; background work never jumps the queue', async () => {
  const time = fakeTime();
  const bucket = new TokenBucket({ qps: 2, burst: 3 }, time);
  for (let i = 0; i < 3; i++) await bucket.take();
  assert.equal(time.slept.length, 0);
  const start = time.now();
  for (let i = 0; i < 4; i++) await bucket.take();
  assert.equal(time.now() - start, 2000, '4 more tokens at 2/s take 2 s');
  assert.equal(bucket.tryTake(), false, 'no token left');
  await time.sleep(500);
  assert.equal(bucket.tryTake(), true);
});

test('backoff grows, stays within the jitter, never under Retry-After, and is the same for the same seed', () => {
  const policy = { initialS: 1, factor: 2, maxS: 60, jitter: 0.5 };
  const a = new Backoff(policy, 7, 'prod-a');
  const b = new Backoff(policy, 7, 'prod-a');
  for (let attempt = 1; attempt <= 8; attempt++) {
    const base = Math.min(60, 2 ** (attempt - 1)) * 1000;
    const w = a.waitMs(attempt, undefined);
    assert.ok(w >= base * 0.5 - 1 && w <= base * 1.5 + 1, `attempt ${attempt}: ${w} within ±50 % of ${base}`);
    assert.equal(b.waitMs(attempt, undefined), w);
  }
  assert.ok(new Backoff(policy, 7, 'x').waitMs(1, 30) >= 30_000);
});

test('failures from client-node name the cause: 401, 403, 429 with Retry-After, 504, a timeout', () => {
  const status = (message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message });
  const f401 = failureOf(new ApiException(401, 'HTTP 401', status('Unauthorized'), {}), 'firebreak', 'apply DaemonSet a/b');
  assert.equal(f401.kind, 'unauthorized');
  assert.match(f401.reason, /^401 Unauthorized: the credentials of firebreak were refused \(expired or wrong\)/);
  const f403 = failureOf(new ApiException(403, 'HTTP 403', status('daemonsets.apps "b" is forbidden: User "x" cannot patch resource'), {}), 'firebreak', 'apply DaemonSet a/b');
  assert.equal(f403.kind, 'forbidden');
  assert.match(f403.reason, /403 Forbidden: firebreak may not apply DaemonSet a\/b \(missing RBAC\): daemonsets.apps "b" is forbidden/);
  const f429 = failureOf(new ApiException(429, 'HTTP 429', status('Too many requests'), { 'retry-after': '4' }), 'firebreak', 'delete x');
  assert.deepEqual([f429.kind, f429.retryAfterS, f429.retryable], ['throttled', 4, true]);
  assert.equal(failureOf(new ApiException(504, 'HTTP 504', '', {}), 'f', 'x').kind, 'timeout');
  assert.equal(failureOf(new RequestTimeout(30), 'f', 'x').kind, 'timeout');
  assert.equal(failureOf(new ApiException(409, 'HTTP 409', status('conflict'), {}), 'f', 'x').retryable, false);
});

test('a refused connection (a real closed port) is `unreachable`, in words, with no stack', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: a, context: {cluster: a, user: u}}]\n`;
  const api = ApiClient.fromKubeconfig(kubeconfig, 'a', undefined, { bucket: new TokenBucket({ qps: 10, burst: 10 }, fakeTime()), timeoutMs: 10_000 });
  const e = await api.request('GET', '/version').then(
    () => assert.fail('no server listens there'),
    (x: unknown) => x,
  );
  const f = failureOf(e, 'firebreak', 'read the version');
  assert.equal(f.kind, 'unreachable');
  assert.match(f.reason, /^unreachable: read the version: connection refused \(ECONNREFUSED\)$/);
});

test('the break-glass kit allows exactly delete (and get) of the change’s workload, ahead of the default FlowSchemas', () => {
  const objects = breakGlassObjects([{ name: 'telemetry-agent', kind: 'DaemonSet', namespace: 'telemetry' }], { level: 'dedicated' });
  const role = objects.find((o) => o.kind === 'Role') as unknown as { rules: { resources: string[]; resourceNames: string[]; verbs: string[] }[] };
  assert.deepEqual(role.rules, [{ apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: ['telemetry-agent'], verbs: ['delete', 'get'] }]);
  const fs = objects.find((o) => o.kind === 'FlowSchema') as unknown as { spec: { matchingPrecedence: number; priorityLevelConfiguration: { name: string } } };
  assert.ok(fs.spec.matchingPrecedence > 2 && fs.spec.matchingPrecedence < 100, 'after exempt (1) and probes (2), before system-leader-election (100)');
  assert.equal(fs.spec.priorityLevelConfiguration.name, 'firebreak-breakglass');
  const plc = objects.find((o) => o.kind === 'PriorityLevelConfiguration') as unknown as { spec: { limited: { lendablePercent: number } } };
  assert.equal(plc.spec.limited.lendablePercent, 0);
  const exempt = breakGlassObjects([{ name: 'a', kind: 'Deployment', namespace: 'x' }], { level: 'exempt' });
  assert.equal(exempt.some((o) => o.kind === 'PriorityLevelConfiguration'), false);
  assert.equal((exempt.find((o) => o.kind === 'FlowSchema') as unknown as { spec: { priorityLevelConfiguration: { name: string } } }).spec.priorityLevelConfiguration.name, 'exempt');
});

test('covers: a served object with extra fields is in place; a changed value is named', () => {
  assert.equal(covers({ spec: { a: 1, l: [1, 2] } }, { spec: { a: 1, b: 2, l: [1, 2] }, status: {} }), null);
  assert.equal(covers({ spec: { a: 1 } }, { spec: { a: 2 } }), 'spec.a is 2, expected 1');
  assert.equal(covers({ rules: [{ verbs: ['delete'] }] }, { rules: [{ verbs: ['delete', 'list'] }] }), 'rules is [{"verbs":["delete","list"]}], expected [{"verbs":["delete"]}]');
});
