/**
 * KEP-3157's reproducer (scenarios/published/kep-3157-*.yaml; kubernetes/enhancements
 * keps/sig-api-machinery/3157-watch-list/README.md): 16 informers of 400 one-MiB secrets in one
 * process. Acceptance (issue #13), seeds 1–5: with one API server it is OOM-killed; with three
 * replicas the kill cascades to all of them; with watch-list none is killed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';

interface Run {
  /** OOM kills of each replica by the end of the run. */
  readonly oomByReplica: number[];
  readonly oomKills: number;
  readonly lost: boolean;
  readonly peakMemoryRatio: number;
}

function run(name: string, seed: number): Run {
  const twin = new Twin(loadScenarioFile(`scenarios/published/${name}.yaml`), { seed });
  const restartsByReplica: number[] = [];
  while (twin.step()) twin.replicasAt(0).forEach((r, i) => (restartsByReplica[i] = r.restarts));
  const c = twin.result().report.clusters[0];
  assert.ok(c !== undefined);
  // No injected kill in these scenarios: every restart is an OOM kill (checked below).
  assert.equal(c.controlPlane.apiServerInjectedKills, 0);
  assert.equal(c.controlPlane.apiServerRestarts, c.controlPlane.apiServerOomKills);
  return { oomByReplica: restartsByReplica, oomKills: c.controlPlane.apiServerOomKills, lost: c.controlPlane.lostAt !== null, peakMemoryRatio: c.controlPlane.peakMemoryRatio };
}

void describe('published: KEP-3157, 16 informers listing 400 one-MiB secrets', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    void it(`seed ${seed}: one API server is OOM-killed`, () => {
      const r = run('kep-3157-single-server', seed);
      assert.equal(r.oomByReplica.length, 1);
      assert.ok(r.oomKills >= 1, `OOM kills ${r.oomKills}`);
    });
    void it(`seed ${seed}: with three replicas the kill cascades to all of them`, () => {
      const r = run('kep-3157-three-replicas', seed);
      assert.equal(r.oomByReplica.length, 3);
      for (const [i, n] of r.oomByReplica.entries()) assert.ok(n >= 1, `replica ${i} never OOM-killed (${r.oomByReplica.join(', ')})`);
      assert.ok(r.lost);
    });
    void it(`seed ${seed}: with watch-list no API server is killed`, () => {
      const r = run('kep-3157-watch-list', seed);
      assert.equal(r.oomKills, 0);
      assert.equal(r.lost, false);
      assert.ok(r.peakMemoryRatio < 0.9, `peak memory ${r.peakMemoryRatio}`);
    });
  }
});
