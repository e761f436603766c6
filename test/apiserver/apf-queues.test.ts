/**
 * The served API's per-request APF admission (src/apiserver/apf-queues.ts):
 * shuffle sharding as Kubernetes deals it, the queues' occupancy from the
 * twin's classes, and the decision for a lone flow against them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { admitInQueues, deal, flowHash, queueOccupancy, DEALT_FLOWS } from '../../src/apiserver/apf-queues.ts';
import type { ApfQueues } from '../../src/twin/index.ts';

const FIREBREAK = 'system:serviceaccount:firebreak-system:firebreak';
const AGENTS = 'system:serviceaccount:telemetry:telemetry-agent';

/** workload-low of the bootstrap configuration (128 queues, hands of 6, 50 per queue) on 3 replicas, every seat taken. */
function level(classes: ApfQueues['classes'], over: Partial<ApfQueues> = {}): ApfQueues {
  return { level: 'workload-low', exempt: false, dedicated: false, reject: false, queues: 128, handSize: 6, queueLengthLimit: 50, ready: 3, seats: 735, inUse: 735, drainPerS: 3000, queueWaitS: 15, requestTimeoutS: 60, retryAfterS: 4, classes, ...over };
}

test('deal: handSize distinct queues of the deck, for any hash (shufflesharding_test.go TestCardDuplication)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 8 }), (hash, deck, hand) => {
      const h = deal(hash, deck, Math.min(hand, deck));
      assert.equal(h.length, Math.min(hand, deck));
      assert.equal(new Set(h).size, h.length);
      for (const q of h) assert.ok(q >= 0 && q < deck);
    }),
  );
});

test('deal: over the hashes 0 … deck!/(deck−hand)! − 1 every hand comes out exactly hand! times (shufflesharding_test.go TestUniformDistribution)', () => {
  const deck = 20;
  const hand = 3;
  const seen = new Map<string, number>();
  for (let i = 0; i < deck * (deck - 1) * (deck - 2); i++) {
    const key = deal(BigInt(i), deck, hand).sort((a, b) => a - b).join(',');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.equal(seen.size, (deck * (deck - 1) * (deck - 2)) / 6);
  for (const n of seen.values()) assert.equal(n, 6);
});

test('flowHash: one flow per FlowSchema and distinguisher; the same flow always gets the same hand', () => {
  assert.equal(flowHash('service-accounts', FIREBREAK), flowHash('service-accounts', FIREBREAK));
  assert.notEqual(flowHash('service-accounts', FIREBREAK), flowHash('service-accounts', AGENTS));
  assert.notEqual(flowHash('service-accounts', FIREBREAK), flowHash('global-default', FIREBREAK));
  // The separator keeps ("ab", "c") and ("a", "bc") apart, as hashFlowID's 0 byte does.
  assert.notEqual(flowHash('ab', 'c'), flowHash('a', 'bc'));
});

test('one saturating flow (the agents\' service account) fills its own hand: its requests get 429 queue-full, a lone other flow is queued', () => {
  // The agents have 6 × 50 queued per replica: their whole hand.
  const q = level([{ name: 'change:list-pods', flows: 1, queued: 900, rejected: 500, user: AGENTS }]);
  const agents = admitInQueues(q, 'service-accounts', AGENTS, 1, 1);
  assert.equal(agents.kind, 'reject');
  assert.match(agents.kind === 'reject' ? agents.reason : '', /queue-full/);
  assert.equal(agents.kind === 'reject' ? agents.afterS : -1, 0);
  assert.equal(agents.kind === 'reject' ? agents.retryAfterS : -1, 4);
  const hands = [deal(flowHash('service-accounts', AGENTS), 128, 6), deal(flowHash('service-accounts', FIREBREAK), 128, 6)];
  assert.ok(hands[1]?.some((x) => !(hands[0] ?? []).includes(x)), 'the two hands differ (else the test would not tell)');
  assert.deepEqual(admitInQueues(q, 'service-accounts', FIREBREAK, 1, 1), { kind: 'pass' });
});

test('many flows (tenants\' service accounts) filling every queue: a lone new flow finds its hand full and gets 429', () => {
  const full = level([{ name: 'workloads', flows: 3000, queued: 128 * 50 * 3 - 1000, rejected: 2000 }]);
  const d = admitInQueues(full, 'service-accounts', FIREBREAK, 1, 1);
  assert.equal(d.kind, 'reject');
  assert.match(d.kind === 'reject' ? d.reason : '', /queue-full/);
  // Half full, draining fast: queued and served within the queue-wait limit.
  assert.deepEqual(admitInQueues(level([{ name: 'workloads', flows: 3000, queued: 128 * 25 * 3, rejected: 0 }]), 'service-accounts', FIREBREAK, 1, 1), { kind: 'pass' });
});

test('queues that drain too slowly: 429 time-out, answered when the queue-wait limit passes', () => {
  // 30 waiting per queue, 128 queues served in turn at 30 requests/s per replica: ≈ 133 s to its turn.
  const slow = level([{ name: 'workloads', flows: 3000, queued: 128 * 30 * 3, rejected: 0 }], { drainPerS: 90 });
  const d = admitInQueues(slow, 'service-accounts', FIREBREAK, 1, 1);
  assert.equal(d.kind, 'reject');
  assert.match(d.kind === 'reject' ? d.reason : '', /time-out/);
  assert.equal(d.kind === 'reject' ? d.afterS : -1, 15);
});

test('a free seat, an exempt or dedicated level, no ready API server: not decided here', () => {
  const full = [{ name: 'workloads', flows: 3000, queued: 19_200, rejected: 2000 }];
  assert.deepEqual(admitInQueues(level(full, { inUse: 700 }), 'service-accounts', FIREBREAK, 1, 1), { kind: 'pass' });
  assert.deepEqual(admitInQueues(level(full, { exempt: true }), 'exempt', FIREBREAK, 1, 1), { kind: 'pass' });
  assert.deepEqual(admitInQueues(level(full, { dedicated: true }), 'firebreak-breakglass', FIREBREAK, 1, 1), { kind: 'pass' });
  assert.deepEqual(admitInQueues(level(full, { ready: 0 }), 'service-accounts', FIREBREAK, 1, 1), { kind: 'pass' });
  // The twin before its first step: no seats computed, nothing queued, nothing drained.
  assert.deepEqual(admitInQueues(level([{ name: 'workloads', flows: 8, queued: 0, rejected: 0 }], { seats: 0, inUse: 0, drainPerS: 0 }), 'service-accounts', FIREBREAK, 1, 1), { kind: 'pass' });
});

test('occupancy: never beyond queueLengthLimit, never more than what waits; a class of many flows covers every queue evenly', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ flows: fc.integer({ min: 1, max: DEALT_FLOWS * 4 }), queued: fc.double({ min: 0, max: 40_000, noNaN: true }), rejected: fc.double({ min: 0, max: 5_000, noNaN: true }) }), { maxLength: 5 }),
      fc.integer({ min: 1, max: 5 }),
      (classes, ready) => {
        const q = level(classes.map((c, i) => ({ name: `c${i}`, ...c })), { ready });
        const occ = queueOccupancy(q, 1);
        let total = 0;
        for (const x of occ) {
          assert.ok(x >= 0 && x <= 50 + 1e-9, `a queue holds ${x}`);
          total += x;
        }
        const waiting = classes.reduce((s, c) => s + c.queued + c.rejected, 0) / ready;
        assert.ok(total <= waiting + 1e-6, `${total} poured of ${waiting}`);
      },
    ),
  );
  const even = queueOccupancy(level([{ name: 'workloads', flows: 5000, queued: 128 * 10 * 3, rejected: 0 }]), 1);
  for (const x of even) assert.ok(Math.abs(x - 10) < 1e-9);
});
