/**
 * Go GC CPU in the twin (src/model/gc-cpu.ts, src/twin/cluster/service.ts): the GC's cost per allocated
 * byte slows every request, and a GOMEMLIMIT near the live heap makes the GC take more of the API
 * servers' CPU (apiserver_cpu_ratio), from serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Twin } from '../../src/twin/index.ts';
import { listAgentScenario } from '../helpers/list-agent-scenario.ts';

/** One 300-node cluster; at +5 min a DaemonSet lists its node's pods every 5 min with a consistent read. */
function peaks(model: string): { cpu: number; memory: number; p99: number; restarts: number } {
  const twin = new Twin(listAgentScenario({ name: 'gc', duration: '30m', nodes: 300, model }), { seed: 1 });
  const peak = { cpu: 0, memory: 0, p99: 0 };
  while (twin.step()) {
    const m = twin.observe('c');
    peak.cpu = Math.max(peak.cpu, m.apiserver_cpu_ratio);
    peak.memory = Math.max(peak.memory, m.apiserver_memory_ratio);
    peak.p99 = Math.max(peak.p99, m.apiserver_p99_seconds);
  }
  return { ...peak, restarts: twin.result().report.clusters[0]?.controlPlane.apiServerRestarts ?? -1 };
}

test('GC CPU per allocated byte: the API servers use more CPU and answer later; memory is not what it changes', () => {
  const off = peaks('{}');
  const on = peaks('{ costs: { gcCpuPerAllocatedByteS: 0.000000001 } }');
  assert.equal(off.restarts, 0);
  assert.equal(on.restarts, 0);
  assert.ok(on.cpu > off.cpu, `cpu ${off.cpu} → ${on.cpu}`);
  assert.ok(on.p99 > off.p99, `p99 ${off.p99} → ${on.p99}`);
});

test('a GOMEMLIMIT near the live heap: the GC takes more of the cores than at GOGC=100 alone, at most half of them', () => {
  const gogc = peaks('{ costs: { gcCpuPerAllocatedByteS: 0.000000001 } }');
  const limited = peaks('{ costs: { gcCpuPerAllocatedByteS: 0.000000001 }, apiServer: { goMemLimitShare: 0.3 } }');
  const roomy = peaks('{ costs: { gcCpuPerAllocatedByteS: 0.000000001 }, apiServer: { goMemLimitShare: 1 } }');
  assert.equal(limited.restarts, 0);
  assert.ok(limited.cpu > gogc.cpu, `cpu ${gogc.cpu} → ${limited.cpu}`);
  assert.ok(limited.cpu <= Math.min(1, gogc.cpu + 0.5) + 1e-9, `cpu ${limited.cpu}`);
  // With the limit far above the heap the GC keeps its GOGC=100 pace.
  assert.equal(roomy.cpu, gogc.cpu);
});
