/**
 * One cluster and a DaemonSet that lists its node's pods every 5 minutes with a consistent read, applied at
 * +5 min: the small scenario the model–twin coupling tests (test/model/coupling.test.ts) and the GC tests
 * (test/twin/gc-pressure.test.ts) perturb a model parameter of.
 */
import { parseScenario } from '../../src/input/scenario.ts';
import type { Scenario } from '../../src/twin/index.ts';

export function listAgentScenario(o: { readonly name: string; readonly duration: string; readonly nodes: number; readonly model: string }): Scenario {
  const text = [
    'apiVersion: firebreak.dev/v1alpha1',
    'kind: Scenario',
    `metadata: { name: ${o.name} }`,
    'spec:',
    '  start: "2024-12-11T14:00:00Z"',
    `  duration: ${o.duration}`,
    `  fleet: { clusters: [{ name: c, nodes: ${o.nodes} }] }`,
    `  model: ${o.model}`,
    '  change:',
    '    name: agent',
    '    namespace: telemetry',
    '    calls:',
    '      - { verb: list, resource: pods, scope: node, resourceVersion: consistent, period: 300s }',
    '  events:',
    '    - { at: "+5m", action: apply-change }',
    '  alerts: []',
    '',
  ].join('\n');
  return parseScenario(text, `${o.name}.yaml`);
}
