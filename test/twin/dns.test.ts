import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsState } from '../../src/twin/dns.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { Random } from '../../src/core/random.ts';

const model = { ...DEFAULT_MODEL.dns, placement: 'control-plane' as const, killRateAtPressure: 1, records: [{ ttlS: 1200, weight: 1 }] };

test('after CoreDNS fails, node caches expire linearly over the TTL', () => {
  const d = new DnsState(model, 2, Random.seeded(1));
  let t = 0;
  for (; t < 10; t++) d.step(t, 1, 0, 1, 1000);
  assert.equal(d.validRatio(), 1);
  // Full pressure kills every replica at once (hazard 1/s); the API is down, so none resyncs.
  for (let k = 0; k < 600; k++, t++) d.step(t, 1, 1, 0, 1000);
  assert.ok(Math.abs(d.validRatio() - 0.5) < 0.01, `valid after 600 of 1200 s: ${d.validRatio()}`);
  for (let k = 0; k < 700; k++, t++) d.step(t, 1, 1, 0, 1000);
  assert.equal(d.validRatio(), 0);
  assert.ok(d.errorRatio() > 0.99);
});

test('serve-stale answers with expired data', () => {
  const d = new DnsState({ ...model, serveStale: true }, 2, Random.seeded(1));
  for (let t = 0; t < 1500; t++) d.step(t, 1, 1, 0, 1000);
  assert.equal(d.validRatio(), 0);
  assert.equal(d.errorRatio(), 0);
});

test('a healthy cluster is quiet and stays so', () => {
  const d = new DnsState(model, 4, Random.seeded(1));
  for (let t = 0; t < 100; t++) d.step(t, 1, 0, 1, 1000);
  assert.ok(d.isQuiet());
});
