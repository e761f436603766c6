/**
 * The control plane's host faults (issue #13): `control-plane-down` stops every API server for a
 * duration, then they start again; `replace-hosts` restarts the replicas one by one, `every` apart,
 * each on a new host (no crash-loop back-off, a cold watch cache).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';

function scenario(events: readonly string[], replicas = 3): string {
  return [
    'apiVersion: firebreak.dev/v1alpha1',
    'kind: Scenario',
    'metadata: { name: faults }',
    'spec:',
    '  start: "2025-01-10T12:00:00Z"',
    '  duration: 1h',
    '  fleet:',
    '    clusters: [{ name: test, nodes: 2000 }]',
    '  model:',
    `    apiServer: { replicas: ${replicas} }`,
    '  events:',
    ...events.map((e) => `    - ${e}`),
    '',
  ].join('\n');
}

void describe('control-plane host faults', () => {
  void it('control-plane-down: no replica runs for the duration; then every replica starts again, counted as injected kills', () => {
    const twin = new Twin(parseScenario(scenario(['{ at: "+10m", action: control-plane-down, duration: 15m }']), 'faults.yaml'), { seed: 1 });
    let readyDuring = 0;
    let readyAfter = 0;
    while (twin.step()) {
      const ready = twin.replicasAt(0).filter((r) => r.state === 'ready').length;
      if (twin.t > 601 && twin.t < 600 + 900) readyDuring = Math.max(readyDuring, ready);
      if (twin.t >= 600 + 900 + 300) readyAfter = Math.max(readyAfter, ready);
    }
    assert.equal(readyDuring, 0);
    assert.equal(readyAfter, 3);
    const cp = twin.result().report.clusters[0]?.controlPlane;
    assert.equal(cp?.apiServerInjectedKills, 3);
    assert.equal(cp?.apiServerOomKills, 0);
    assert.ok(cp?.lostAt !== null && cp?.recoveredAt !== null);
    const restartedAt = (cp?.recoveredAt ?? '').slice(11, 16);
    assert.ok(restartedAt >= '12:25', `recovered at ${restartedAt}, before the outage ended`);
  });

  void it('replace-hosts: each replica restarts once, one at a time, `every` apart; the others stay ready; the control plane is never lost', () => {
    const twin = new Twin(parseScenario(scenario(['{ at: "+5m", action: replace-hosts, every: 10m, down: 1m }'], 4), 'faults.yaml'), { seed: 1 });
    const firstDown: number[] = [];
    let minReady = 4;
    while (twin.step()) {
      const reps = twin.replicasAt(0);
      reps.forEach((r, i) => {
        if (r.state !== 'ready' && firstDown[i] === undefined) firstDown[i] = twin.t;
      });
      minReady = Math.min(minReady, reps.filter((r) => r.state === 'ready').length);
      if (twin.t === 3599) assert.deepEqual(reps.map((r) => [r.state, r.restarts]), [['ready', 1], ['ready', 1], ['ready', 1], ['ready', 1]]);
    }
    assert.equal(minReady, 3);
    assert.deepEqual(firstDown.map((t) => Math.round((t - 300) / 60)), [0, 10, 20, 30]);
    const cp = twin.result().report.clusters[0]?.controlPlane;
    assert.equal(cp?.lostAt, null);
    assert.equal(cp?.apiServerOomKills, 0);
    assert.equal(cp?.apiServerInjectedKills, 0);
    assert.equal(cp?.apiServerRestarts, 4);
  });
});
