/**
 * The scenario's resource types and field selectors (docs/scenario-format.md, `objects.resources`
 * and `change.calls[].fieldSelector`): what compiles into the twin's model and call profiles, and
 * the located errors for what cannot (a type no model states, a count the fleet owns, a selector
 * on the wrong scope or verb).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/input/scenario.ts';
import { INLINE, inlineScenario } from './inline-scenario.ts';
import { assertProblems, problemsOf } from './problems.ts';

const change = (...calls: string[]): string[] => ['  change:', '    name: agent', '    calls:', ...calls.map((c) => `      - ${c}`)];
const problems = (...lines: string[]) => problemsOf(() => parseScenario(inlineScenario(...lines), INLINE));

void describe('objects.resources and calls on any type', () => {
  void it('compiles stated types into the model and calls on them (by plural or group/version/plural) with their field selectors', () => {
    const s = parseScenario(
      inlineScenario(
        '  model:',
        '    objects:',
        '      resources:',
        '        replicasets: { count: 8400, bytes: 3072 }',
        '        example.com/v1/widgets: { perNode: 2, bytes: 1024, eventsPerSecond: 3 }',
        ...change('{ verb: list, resource: replicasets, period: 60s }', '{ verb: watch, resource: widgets, fieldSelector: metadata.name=$NODE }', '{ verb: watch, resource: example.com/v1/widgets, fieldSelector: spec.nodeName=$NODE, name: own }'),
      ),
      INLINE,
    );
    assert.deepEqual(s.model.objects.resources, { replicasets: { count: 8400, bytes: 3072 }, 'example.com/v1/widgets': { perNode: 2, bytes: 1024, eventsPerSecond: 3 } });
    const calls = s.change?.calls ?? [];
    assert.deepEqual(calls.map((c) => [c.resource, c.scope, c.nodeField]), [['replicasets', 'cluster', undefined], ['widgets', 'node', 'metadata.name'], ['example.com/v1/widgets', 'node', 'spec.nodeName']]);
  });

  void it('a clusterModels entry merges into spec.model\'s stated types by type and field', () => {
    const s = parseScenario(
      inlineScenario('  model: { objects: { resources: { replicasets: { count: 10, bytes: 3000 } } } }', '  clusterModels:', '    - clusters: { names: [prod-a] }', '      model: { objects: { resources: { replicasets: { count: 9000 } } } }'),
      INLINE,
    );
    assert.deepEqual(s.clusterModels[0]?.model.objects.resources, { replicasets: { count: 9000, bytes: 3000 } });
  });

  void it('a call on a type no model states is an error with the structural problems (with a suggestion for a near miss)', () => {
    const p = problems(...change('{ verb: list, resource: replicasets, period: 60s }', '{ verb: watch, resource: node }'));
    assertProblems(p, [
      [INLINE, 12, 33, 'spec.change.calls[0].resource', /^expected one of "pods", .*"namespaces" or a type the scenario states in model\.objects\.resources, got "replicasets"$/],
      [INLINE, 13, 34, 'spec.change.calls[1].resource', /got "node"$/],
    ]);
    assert.equal(p[1]?.hint, 'did you mean "nodes"?');
  });

  void it('a type stated for some clusters only is an error naming a cluster whose model lacks it', () => {
    const p = problems('  clusterModels:', '    - clusters: { names: [prod-a] }', '      model: { objects: { resources: { replicasets: { count: 9000, bytes: 3072 } } } }', ...change('{ verb: list, resource: replicasets, period: 60s }'));
    assertProblems(p, [[INLINE, 15, 33, 'spec.change.calls[0].resource', /the model does not state it for cluster prod-b/]]);
  });

  void it('rules of a stated type: a count and a size for a new type, one count only, no count for pods and nodes', () => {
    const p = problems('  model:', '    objects:', '      resources:', '        secrets: { count: 5 }', '        widgets: { count: 5, perNode: 1, bytes: 10 }', '        pods: { count: 100 }');
    assertProblems(p, [
      [INLINE, 12, 18, 'spec.model.objects.resources.secrets', '`secrets` is not one of the eight modelled types: the size of its objects is not known'],
      [INLINE, 13, 39, 'spec.model.objects.resources.widgets.perNode', '`widgets` gives both count and perNode'],
      [INLINE, 14, 24, 'spec.model.objects.resources.pods.count', /the number of pods is the cluster's/],
    ]);
  });

  void it('a bad type name or field selector is a schema error', () => {
    const p = problems('  model: { objects: { resources: { Widgets: { count: 1, bytes: 1 } } } }', ...change('{ verb: watch, resource: pods, fieldSelector: spec.nodeName=node-1 }'));
    assertProblems(p, [
      [INLINE, 9, 36, 'spec.model.objects.resources.Widgets', /^`Widgets` is not a valid name here: expected a resource type: a built-in one in lowercase plural/],
      [INLINE, 13, 55, 'spec.change.calls[0].fieldSelector', 'expected a node field selector `<field>=$NODE`, such as "metadata.name=$NODE" or "spec.nodeName=$NODE", got "spec.nodeName=node-1"'],
    ]);
  });

  void it('a field selector needs scope node and a list or watch', () => {
    const p = problems(...change('{ verb: watch, resource: nodes, scope: cluster, fieldSelector: metadata.name=$NODE }', '{ verb: get, resource: nodes, period: 10s, fieldSelector: metadata.name=$NODE }'));
    assertProblems(p, [
      [INLINE, 12, 72, 'spec.change.calls[0].fieldSelector', /selects its own node's objects, but the scope is cluster/],
      [INLINE, 13, 67, 'spec.change.calls[1].fieldSelector', 'a field selector applies to list and watch calls, but the verb is get'],
    ]);
  });
});
