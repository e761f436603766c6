/**
 * The Prometheus source's time base (src/adapters/prometheus/time-base.ts):
 * virtual ↔ wall is a round trip for any clock reading (property), range
 * selectors scale by the speed, and — against a real Prometheus with
 * promtool-loaded data — a source on a time base of speed 4 returns exactly
 * what an identity source returns over the corresponding wall range, with
 * sample times mapped into the virtual clock and the per-second rate divided
 * by the speed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { PrometheusClient } from '../../../src/adapters/prometheus/client.ts';
import { PrometheusMetricSource } from '../../../src/adapters/prometheus/metric-source.ts';
import { DEFAULT_QUERIES } from '../../../src/adapters/prometheus/queries.ts';
import { durationMs, IDENTITY, linearTimeBase, scaleRanges } from '../../../src/adapters/prometheus/time-base.ts';
import { DEFAULT_SHAPE } from '../../../src/cli/prometheus-data.ts';
import { GATE_METRICS } from '../../../src/orchestrator/gate-catalogue.ts';
import { seriesName } from '../../../src/orchestrator/ports.ts';
import { prometheusWith, type TestPrometheus } from '../../helpers/prometheus.ts';

void describe('time base: virtual ↔ wall', () => {
  void it('round trip: toVirtualMs(toWallMs(v)) = v and toWallMs(toVirtualMs(w)) = w for any reading, and the map is increasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e12 }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.integer({ min: -1e10, max: 1e10 }),
        fc.integer({ min: 1, max: 1e9 }),
        (epochAtMs, wallAtMs, speed, offset, step) => {
          const tb = linearTimeBase(() => ({ epochAtMs, wallAtMs, speed }));
          const v = epochAtMs + offset;
          const tol = 1e-6 * Math.max(1, Math.abs(v), Math.abs(wallAtMs)) * Math.max(1, speed, 1 / speed);
          assert.ok(Math.abs(tb.toVirtualMs(tb.toWallMs(v)) - v) <= tol);
          const w = wallAtMs + offset;
          assert.ok(Math.abs(tb.toWallMs(tb.toVirtualMs(w)) - w) <= tol);
          assert.ok(tb.toWallMs(v + step) > tb.toWallMs(v));
          // The reading itself maps onto itself.
          assert.ok(Math.abs(tb.toWallMs(epochAtMs) - wallAtMs) <= tol);
        },
      ),
    );
    assert.equal(IDENTITY.toWallMs(123), 123);
    assert.equal(IDENTITY.toVirtualMs(456), 456);
  });

  void it('scaleRanges divides every range, subquery range and resolution, and offset by the speed; at speed 1 the query is unchanged', () => {
    const q = 'sum(rate(x{a="[1m]x"}[1m])) + changes(y[1m30s]) + max_over_time(z[10m:30s]) offset 2h + w[5m:]';
    assert.equal(scaleRanges(q, 1), q);
    assert.equal(scaleRanges('rate(x[1m])', 10), 'rate(x[6000ms])');
    assert.equal(scaleRanges('changes(y[1m30s])', 10), 'changes(y[9000ms])');
    assert.equal(scaleRanges('max_over_time(z[10m:30s]) offset 2h', 4), 'max_over_time(z[150000ms:7500ms]) offset 1800000ms');
    assert.equal(scaleRanges('w[5m:]', 5), 'w[60000ms:]');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('ms', 's', 'm', 'h'), fc.double({ min: 1, max: 100, noNaN: true }), (n, unit, speed) => {
        const out = scaleRanges(`rate(x[${n}${unit}])`, speed);
        if (speed === 1) {
          assert.equal(out, `rate(x[${n}${unit}])`, 'at speed 1 the query is unchanged');
          return;
        }
        const m = /\[(\d+ms)\]/.exec(out);
        assert.ok(m !== null, out);
        const want = Math.max(1, durationMs(`${n}${unit}`) / speed);
        assert.ok(Math.abs(durationMs(m[1] as string) - want) <= 0.5 + 1e-9, `${out}: want ${want} ms`);
      }),
    );
  });
});

void describe('time base: a source on a fast twin’s clock reads the same samples as one on the wall clock (real Prometheus)', () => {
  let prom: TestPrometheus;
  before(async () => {
    prom = await prometheusWith([{ label: 'a', ...DEFAULT_SHAPE }, { label: 'b', ...DEFAULT_SHAPE, ok: 40 }]);
  });
  after(async () => prom.stop());

  void it('speed 4: ranges, steps and the rate window translated to wall time; times mapped back; requests per second per simulated second', async () => {
    const speed = 4;
    const epochAtMs = Date.UTC(2024, 11, 11, 14, 30);
    const wallAtMs = prom.nowS * 1000;
    const tb = linearTimeBase(() => ({ epochAtMs, wallAtMs, speed }));
    const base = { client: new PrometheusClient({ url: prom.url, timeoutMs: 10_000 }), clusterLabel: 'cluster', apiserverSelector: 'job="apiserver"', labelValues: new Map<string, string>(), staleAfterS: 60, queries: DEFAULT_QUERIES, levels: ['global', 'workload-low'] };
    const wall = new PrometheusMetricSource({ ...base, rateWindowS: 60, stepS: 15 });
    const virtual = new PrometheusMetricSource({ ...base, rateWindowS: 60 * speed, stepS: 15 * speed, staleAfterS: 60 * speed, timeBase: tb });
    assert.match(virtual.promql('apiserver_429_ratio', ['a']), /\[60000ms\]/);
    assert.match(virtual.promql('apiserver_restarts', ['a']), /changes\(process_start_time_seconds\{[^}]*\}\[15000ms\]\)/);
    const series = [...GATE_METRICS.filter((m) => m !== 'apf_seat_utilisation'), seriesName('apf_seat_utilisation', 'global'), 'apiserver_requests_per_second'];
    const w = await wall.query({ clusters: ['a', 'b'], series, fromMs: wallAtMs - 300_000, toMs: wallAtMs });
    const v = await virtual.query({ clusters: ['a', 'b'], series, fromMs: epochAtMs - 300_000 * speed, toMs: epochAtMs });
    for (const cluster of ['a', 'b']) {
      for (const s of series) {
        const ws = w[cluster]?.[s];
        const vs = v[cluster]?.[s];
        assert.ok(ws !== undefined && vs !== undefined, `${cluster} ${s}`);
        assert.equal(ws.problem, undefined, `${cluster} ${s}: ${ws.problem?.message ?? ''}`);
        assert.equal(vs.problem, undefined, `${cluster} ${s}: ${vs.problem?.message ?? ''}`);
        assert.ok(ws.times.length >= 10, `${cluster} ${s}: ${ws.times.length} samples`);
        assert.deepEqual(vs.times, ws.times.map((t) => Math.round(epochAtMs + (t - wallAtMs) * speed)), `${cluster} ${s}: times`);
        const div = s === 'apiserver_requests_per_second' ? speed : 1;
        assert.deepEqual(vs.values, ws.values.map((x) => x / div), `${cluster} ${s}: values`);
      }
    }
    // The per-second rate differs between the clusters as the data does (ok 90 vs 40 per s), divided by the speed.
    const rps = (c: string): number => v[c]?.apiserver_requests_per_second?.values.at(-1) ?? Number.NaN;
    assert.ok(Math.abs(rps('a') - rps('b') - 50 / speed) < 1e-6, `${rps('a')} − ${rps('b')}`);
  });
});
