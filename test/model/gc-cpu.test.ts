/**
 * The Go GC's CPU (src/model/gc-cpu.ts): a cost per allocated byte at GOGC=100 that every request's CPU
 * carries (cost.ts), and its rise when a GOMEMLIMIT squeezes the heap's headroom, capped by the GC CPU
 * limiter (https://go.dev/doc/gc-guide).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_COST_PARAMS, requestCost } from '../../src/model/cost.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { GC_CPU_LIMIT_SHARE, gcCoresUnderPressure, gcCpuS, gcPressureFactor } from '../../src/model/gc-cpu.ts';
import type { CallProfile, ResourceStats } from '../../src/model/profile.ts';

const GiB = 1024 ** 3;
const pods = (count: number): ResourceStats => ({ count, bytes: 12_288, eventsPerSecond: count / 600, nodeScope: 'index' });
const call = (p: Partial<CallProfile>): CallProfile => ({
  name: 'x', verb: 'list', resource: 'pods', scope: 'cluster', resourceVersion: 'consistent', periodS: 60, jitter: 0.1, pageSize: 0, qps: 5, burst: 10,
  retry: { policy: 'backoff', initialS: 0.8, factor: 2, maxS: 30, jitter: 1 }, namespaceFraction: 0.05, ...p,
});
const withGc = { ...DEFAULT_COST_PARAMS, gcCpuPerAllocatedByteS: 1e-9 };
const limited = { ...DEFAULT_MODEL.apiServer, goMemLimitShare: 0.9 };

test('kube-apiserver defaults: no GC term in request costs, no GOMEMLIMIT (outputs unchanged)', () => {
  assert.equal(DEFAULT_COST_PARAMS.gcCpuPerAllocatedByteS, 0);
  assert.equal(DEFAULT_MODEL.apiServer.goMemLimitShare, 0);
  assert.equal(gcPressureFactor(50 * GiB, 60 * GiB, DEFAULT_MODEL.apiServer), 1);
});

test('a LIST pays GC CPU for every byte it holds: from etcd its 5× memory, from the watch cache its buffered response', () => {
  for (const rv of ['consistent', '0'] as const) {
    const off = requestCost(call({ resourceVersion: rv }), pods(15_000), 500, DEFAULT_COST_PARAMS);
    const on = requestCost(call({ resourceVersion: rv }), pods(15_000), 500, withGc);
    assert.ok(Math.abs(on.cpuS - off.cpuS - gcCpuS(off.memoryBytes, withGc)) < 1e-9, rv);
    assert.equal(on.memoryBytes, off.memoryBytes);
  }
  // A streamed watch-list holds one window but allocates its whole response.
  const wl = requestCost(call({ verb: 'watch', resourceVersion: 'watch-list' }), pods(15_000), 500, withGc);
  const wl0 = requestCost(call({ verb: 'watch', resourceVersion: 'watch-list' }), pods(15_000), 500, DEFAULT_COST_PARAMS);
  assert.ok(wl.cpuS - wl0.cpuS >= gcCpuS(wl.responseBytes, withGc) - 1e-9);
});

test('without GOMEMLIMIT the GC CPU per allocated byte does not depend on the live heap (GOGC=100: a cycle per live heap allocated)', () => {
  fc.assert(
    fc.property(fc.double({ min: 1e6, max: 1e12, noNaN: true }), fc.double({ min: 1e6, max: 1e12, noNaN: true }), (live, limit) => {
      assert.equal(gcPressureFactor(live, limit, DEFAULT_MODEL.apiServer), 1);
    }),
  );
});

test('with a GOMEMLIMIT the GC works harder as the live heap nears it: 1 with headroom to spare, rising, never below 1', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.01, max: 1.2, noNaN: true }), fc.double({ min: 0.01, max: 1.2, noNaN: true }), (a, b) => {
      const limit = 64 * GiB;
      const lo = Math.min(a, b) * limit;
      const hi = Math.max(a, b) * limit;
      const fLo = gcPressureFactor(lo, limit, limited);
      const fHi = gcPressureFactor(hi, limit, limited);
      assert.ok(fLo >= 1 && fHi >= fLo, `${lo} → ${fLo}, ${hi} → ${fHi}`);
    }),
  );
  // Heap goal 2 × live below the GOMEMLIMIT (0.9 × 64 GiB): no extra cycles.
  assert.equal(gcPressureFactor(20 * GiB, 64 * GiB, limited), 1);
  // Live 50 GiB: headroom 7.6 GiB instead of 50 GiB, so cycles come 50 / 7.6 ≈ 6.6× as often.
  assert.ok(Math.abs(gcPressureFactor(50 * GiB, 64 * GiB, limited) - 50 / (0.9 * 64 - 50)) < 1e-9);
});

test('the GC CPU limiter caps the GC at half the cores once a memory limit drives it, never below what GOGC alone costs', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }), fc.integer({ min: 1, max: 96 }), (gc, f, cores) => {
      const c = gcCoresUnderPressure(gc, f, cores);
      assert.ok(c >= gc - 1e-12);
      assert.ok(c <= Math.max(gc, GC_CPU_LIMIT_SHARE * cores) + 1e-9);
      if (f > 1) assert.ok(c >= Math.min(gc * f, GC_CPU_LIMIT_SHARE * cores) - 1e-9);
    }),
  );
});
