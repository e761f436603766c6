/**
 * The twin and the analyzer agree on objects of any type and on node scope by field selector
 * (issue #13): one 300-node cluster whose scenario states a custom type (`example.com/v1/widgets`,
 * stated through spec.model as a user would), a DaemonSet listing it every 5 min. Perturbing the
 * stated object size or count moves the twin's peak API-server memory and the analyzer's estimate
 * the same way; the field a node-scoped call selects by orders the two the same way (a name, a
 * field with no index, the whole type). Both read the type through src/model/resources.ts and cost
 * it through src/model/cost.ts; a side that ignored the statement or the field would fail here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimate } from '../../src/analyzer/estimate.ts';
import { parseScenario } from '../../src/input/scenario.ts';
import type { Scenario } from '../../src/twin/index.ts';
import { Twin } from '../../src/twin/index.ts';

const NODES = 300;

interface Spec {
  readonly count: number;
  readonly bytes: number;
  /** The call's scope and selector, as written in the scenario. */
  readonly scope: string;
  readonly rv: 'consistent' | '"0"';
}

const BASE: Spec = { count: 9000, bytes: 12_288, scope: 'fieldSelector: spec.nodeName=$NODE', rv: 'consistent' };

function scenario(s: Spec): Scenario {
  const text = [
    'apiVersion: firebreak.dev/v1alpha1',
    'kind: Scenario',
    'metadata: { name: coupling-resources }',
    'spec:',
    '  start: "2024-12-11T14:00:00Z"',
    '  duration: 40m',
    `  fleet: { clusters: [{ name: c, nodes: ${NODES} }] }`,
    `  model: { objects: { resources: { example.com/v1/widgets: { count: ${s.count}, bytes: ${s.bytes}, eventsPerSecond: 1 } } } }`,
    '  change:',
    '    name: agent',
    '    namespace: telemetry',
    '    calls:',
    `      - { verb: list, resource: widgets, ${s.scope}, resourceVersion: ${s.rv}, period: 300s }`,
    '  events:',
    '    - { at: "+5m", action: apply-change }',
    '  alerts: []',
    '',
  ].join('\n');
  return parseScenario(text, 'coupling-resources.yaml');
}

interface Figures {
  readonly twinMemory: number;
  readonly analyzerMemory: number;
  readonly twinSeats: number;
  readonly analyzerSeats: number;
  readonly restarts: number;
}

function figures(spec: Spec): Figures {
  const s = scenario(spec);
  const twin = new Twin(s, { seed: 1 });
  // The peak once the change runs (applied at +5 min), so that a small change is not hidden by the start.
  let peak = 0;
  let seats = 0;
  for (let t = 0; twin.step(); t += s.stepS) {
    if (t < 360) continue;
    const m = twin.observe('c');
    peak = Math.max(peak, m.apiserver_memory_ratio);
    seats = Math.max(seats, m.apf_seat_saturation);
  }
  const cluster = s.clusters[0];
  const change = s.change;
  assert.ok(cluster !== undefined && change !== undefined);
  const e = estimate([{ key: 'agent', perNode: true, replicas: 1, level: change.priorityLevel, calls: change.calls }], cluster.nodes, cluster.pods, s.model);
  return {
    twinMemory: peak,
    analyzerMemory: Math.max(e.ratios.memorySteady, e.ratios.memoryRollout, e.ratios.memoryRelist),
    twinSeats: seats,
    analyzerSeats: e.ratios.seats,
    restarts: twin.result().report.clusters[0]?.controlPlane.apiServerRestarts ?? -1,
  };
}

const moved = (before: number, after: number): string => (after > before ? 'up' : after < before ? 'down' : 'unchanged');

void describe('objects of any type: a stated size or count moves the twin and the analyzer the same way', () => {
  const base = figures(BASE);

  void it('the base loads the API servers without an OOM kill, and both sides see the stated type', () => {
    assert.equal(base.restarts, 0);
    assert.ok(base.twinMemory > 0.2 && base.twinMemory < 0.9, `twin ${base.twinMemory}`);
    assert.ok(base.analyzerMemory > 0.2 && base.analyzerMemory < 0.9, `analyzer ${base.analyzerMemory}`);
  });

  for (const [name, spec, direction] of [
    ['object size ×1.5', { ...BASE, bytes: 18_432 }, 'up'],
    ['object size ÷2', { ...BASE, bytes: 6144 }, 'down'],
    ['count ×1.5', { ...BASE, count: 13_500 }, 'up'],
    ['count ÷2', { ...BASE, count: 4500 }, 'down'],
  ] as const) {
    void it(`${name}: twin and analyzer memory ${direction}`, () => {
      const f = figures(spec);
      assert.equal(f.restarts, 0, 'the perturbation stays out of OOM kills, where figures jump');
      assert.equal(moved(base.twinMemory, f.twinMemory), direction, `twin ${base.twinMemory} → ${f.twinMemory}`);
      assert.equal(moved(base.analyzerMemory, f.analyzerMemory), direction, `analyzer ${base.analyzerMemory} → ${f.analyzerMemory}`);
    });
  }
});

void describe('node scope by field selector: the twin and the analyzer order the scopes the same way', () => {
  // From the watch cache the lists are too small to move memory much: APF seats show the order
  // (work estimator seats × service time); from etcd, memory does (every object is read).
  const scopes = ['fieldSelector: metadata.name=$NODE', 'fieldSelector: spec.nodeName=$NODE', 'scope: cluster'] as const;
  for (const rv of ['"0"', 'consistent'] as const) {
    void it(`resourceVersion ${rv}: by name < by a field with no index < the whole type, in both (seats${rv === 'consistent' ? ' and memory' : ''}; memory never the other way)`, () => {
      const [byName, byField, whole] = scopes.map((scope) => figures({ ...BASE, rv, scope })) as [Figures, Figures, Figures];
      for (const f of [byName, byField, whole]) assert.equal(f.restarts, 0);
      const show = (k: keyof Figures): string => `${byName[k]}, ${byField[k]}, ${whole[k]}`;
      for (const k of ['twinSeats', 'analyzerSeats'] as const) assert.ok(byName[k] < byField[k] && byField[k] < whole[k], `${k}: ${show(k)}`);
      for (const k of ['twinMemory', 'analyzerMemory'] as const) {
        if (rv === 'consistent') assert.ok(byName[k] < byField[k] && byField[k] < whole[k], `${k}: ${show(k)}`);
        else assert.ok(byName[k] <= byField[k] && byField[k] <= whole[k], `${k}: ${show(k)}`);
      }
    });
  }
});
