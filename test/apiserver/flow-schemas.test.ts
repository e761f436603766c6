/**
 * APF classification of the served twin (src/apiserver/flow-schemas.ts,
 * twin-levels.ts): Kubernetes' matching of FlowSchemas — precedence then
 * name, subjects, resource and non-resource rules, namespaces and cluster
 * scope — and the mapping of the matched PriorityLevelConfiguration to the
 * twin's levels (exempt, break-glass, a level the twin does not model).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classify, orderFlowSchemas } from '../../src/apiserver/flow-schemas.ts';
import { twinLevel } from '../../src/apiserver/twin-levels.ts';
import type { KubeObject, RequestInfo, UserInfo } from '../../src/apiserver/backend.ts';
import { BOOTSTRAP_FLOW_SCHEMAS, BOOTSTRAP_PLCS, BREAK_GLASS_FLOW_SCHEMA } from './bootstrap-apf.ts';

const TWIN_LEVELS = ['exempt', 'system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'catch-all', 'break-glass'];

function req(user: UserInfo, verb: RequestInfo['verb'], apiGroup: string, resource: string, namespace?: string, nonResource = false): RequestInfo {
  return { user, verb, apiGroup, resource, ...(namespace !== undefined ? { namespace } : {}), ...(nonResource ? { nonResource } : {}), objects: 1, bytes: 1000 };
}

const ADMIN: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const AGENT: UserInfo = { name: 'system:serviceaccount:telemetry:telemetry-agent', groups: ['system:serviceaccounts', 'system:serviceaccounts:telemetry', 'system:authenticated'] };
const KUBE_SYSTEM_SA: UserInfo = { name: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:authenticated'] };
const KUBELET: UserInfo = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const PERSON: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const BREAK_GLASS: UserInfo = { name: 'system:serviceaccount:firebreak-system:firebreak-breakglass', groups: ['system:serviceaccounts', 'system:authenticated'] };
const ORCHESTRATOR: UserInfo = { name: 'system:serviceaccount:firebreak-system:firebreak', groups: ['system:serviceaccounts', 'system:authenticated'] };

const ordered = orderFlowSchemas([...BOOTSTRAP_FLOW_SCHEMAS].reverse());

test("Kubernetes' bootstrap FlowSchemas classify the served twin's users as kube-apiserver does", () => {
  const cases: [RequestInfo, string, string][] = [
    [req(ADMIN, 'list', '', 'pods'), 'exempt', 'exempt'],
    [req(AGENT, 'list', '', 'pods'), 'service-accounts', 'workload-low'],
    [req(AGENT, 'get', '', 'pods', 'telemetry'), 'service-accounts', 'workload-low'],
    [req(ORCHESTRATOR, 'patch', '', 'nodes'), 'service-accounts', 'workload-low'],
    [req(KUBE_SYSTEM_SA, 'list', '', 'endpointslices'), 'kube-system-service-accounts', 'workload-high'],
    [req(KUBELET, 'update', 'coordination.k8s.io', 'leases', 'kube-node-lease'), 'system-node-high', 'node-high'],
    [req(KUBELET, 'patch', '', 'nodes/status'), 'system-node-high', 'node-high'],
    [req(KUBELET, 'get', '', 'pods', 'default'), 'system-nodes', 'system'],
    [req(PERSON, 'list', 'apps', 'daemonsets', 'telemetry'), 'global-default', 'global-default'],
    [req(PERSON, 'get', '', '/healthz', undefined, true), 'probes', 'exempt'],
    [req(PERSON, 'get', '', '/version', undefined, true), 'global-default', 'global-default'],
  ];
  for (const [r, fs, level] of cases) assert.deepEqual(classify(r, ordered), { flowSchema: fs, priorityLevel: level }, `${r.user.name} ${r.verb} ${r.resource}`);
});

test('a break-glass FlowSchema at precedence 50 takes the break-glass identity to exempt, and only it', () => {
  const withIt = orderFlowSchemas([...BOOTSTRAP_FLOW_SCHEMAS, BREAK_GLASS_FLOW_SCHEMA('exempt')]);
  assert.deepEqual(classify(req(BREAK_GLASS, 'delete', 'apps', 'daemonsets', 'telemetry'), withIt), { flowSchema: 'firebreak-breakglass', priorityLevel: 'exempt' });
  // Its rules name the verbs and resources of a rollback only: a list goes to service-accounts.
  assert.equal(classify(req(BREAK_GLASS, 'list', '', 'pods', 'telemetry'), withIt).flowSchema, 'service-accounts');
  assert.equal(classify(req(ORCHESTRATOR, 'delete', 'apps', 'daemonsets', 'telemetry'), withIt).flowSchema, 'service-accounts');
  const plcs = new Map(BOOTSTRAP_PLCS.map((p) => [(p.metadata as { name: string }).name, p]));
  assert.deepEqual(twinLevel('exempt', plcs.get('exempt'), TWIN_LEVELS, 'exempt'), { level: 'exempt', modelled: true });
  // The dedicated variant: the kit's Limited level → the twin's dedicated break-glass level.
  const dedicated = orderFlowSchemas([...BOOTSTRAP_FLOW_SCHEMAS, BREAK_GLASS_FLOW_SCHEMA('firebreak-breakglass')]);
  const c = classify(req(BREAK_GLASS, 'delete', 'apps', 'daemonsets', 'telemetry'), dedicated);
  assert.equal(c.priorityLevel, 'firebreak-breakglass');
  assert.deepEqual(twinLevel(c.priorityLevel, { spec: { type: 'Limited' } }, TWIN_LEVELS, 'exempt'), { level: 'break-glass', modelled: true });
  // A twin without a break-glass level does not model it: the load goes to global-default, said so.
  assert.deepEqual(twinLevel(c.priorityLevel, { spec: { type: 'Limited' } }, TWIN_LEVELS.slice(0, -1), 'exempt'), { level: 'global-default', modelled: false });
});

test('an Exempt PLC of any name maps to the twin exempt level; a Limited one the twin lacks is never dropped', () => {
  assert.deepEqual(twinLevel('my-exempt', { spec: { type: 'Exempt' } }, TWIN_LEVELS, 'exempt'), { level: 'exempt', modelled: true });
  assert.deepEqual(twinLevel('workload-low', undefined, TWIN_LEVELS, 'exempt'), { level: 'workload-low', modelled: true });
  assert.deepEqual(twinLevel('batch-jobs', { spec: { type: 'Limited' } }, TWIN_LEVELS, 'exempt'), { level: 'global-default', modelled: false });
});

test('resource rules: namespaces, cluster scope, subresources, and the non-resource URL prefix rule', () => {
  const fs = (rule: Record<string, unknown>): KubeObject => ({ metadata: { name: 'x' }, spec: { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'workload-high' }, rules: [{ subjects: [{ kind: 'Group', group: { name: '*' } }], ...rule }] } });
  const ns = [fs({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['team-a'] }] })];
  assert.equal(classify(req(PERSON, 'get', '', 'pods', 'team-a'), ns).flowSchema, 'x');
  assert.equal(classify(req(PERSON, 'get', '', 'pods', 'team-b'), ns).flowSchema, 'catch-all');
  assert.equal(classify(req(PERSON, 'list', '', 'nodes'), ns).flowSchema, 'catch-all', 'a cluster-scoped request needs clusterScope');
  const cluster = [fs({ resourceRules: [{ verbs: ['list'], apiGroups: [''], resources: ['nodes'], clusterScope: true }] })];
  assert.equal(classify(req(PERSON, 'list', '', 'nodes'), cluster).flowSchema, 'x');
  assert.equal(classify(req(PERSON, 'watch', '', 'nodes'), cluster).flowSchema, 'catch-all');
  const sub = [fs({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['pods/status'], namespaces: ['*'] }] })];
  assert.equal(classify(req(PERSON, 'patch', '', 'pods/status', 'a'), sub).flowSchema, 'x');
  assert.equal(classify(req(PERSON, 'patch', '', 'pods', 'a'), sub).flowSchema, 'catch-all');
  const urls = [fs({ nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics/*'] }] })];
  for (const [path, hit] of [['/healthz', true], ['/healthz/etcd', true], ['/healthzx', false], ['/metrics/x', true], ['/metrics', false], ['/version', false]] as const)
    assert.equal(classify(req(PERSON, 'get', '', path, undefined, true), urls).flowSchema === 'x', hit, path);
  // A resource request never matches a non-resource rule, and the other way round.
  assert.equal(classify(req(PERSON, 'get', '', 'healthz', 'a'), urls).flowSchema, 'catch-all');
  const sa = [fs({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'telemetry', name: '*' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] }] })];
  assert.equal(classify(req(AGENT, 'get', '', 'pods', 'a'), sa).flowSchema, 'x');
  assert.equal(classify(req({ name: 'system:serviceaccount:telemetry-2:x', groups: [] }, 'get', '', 'pods', 'a'), sa).flowSchema, 'catch-all');
});

test('property: the FlowSchema with the lowest precedence, then the first name, among those that match wins, whatever the order given', () => {
  const schema = fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), precedence: fc.integer({ min: 1, max: 10_000 }), matches: fc.boolean() });
  fc.assert(
    fc.property(fc.uniqueArray(schema, { selector: (s) => s.name, minLength: 1, maxLength: 12 }), fc.nat(), (specs, seed) => {
      const objects: KubeObject[] = specs.map((s) => ({
        metadata: { name: s.name },
        spec: {
          matchingPrecedence: s.precedence,
          priorityLevelConfiguration: { name: `pl-${s.name}` },
          rules: [{ subjects: [{ kind: 'User', user: { name: s.matches ? '*' : 'nobody' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }],
        },
      }));
      const shuffled = [...objects].sort((a, b) => ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 31 + seed) % 7));
      const got = classify(req(PERSON, 'get', '', 'pods', 'a'), orderFlowSchemas(shuffled));
      const winners = specs.filter((s) => s.matches).sort((a, b) => a.precedence - b.precedence || (a.name < b.name ? -1 : 1));
      assert.equal(got.flowSchema, winners[0]?.name ?? 'catch-all');
      assert.equal(got.priorityLevel, winners[0] !== undefined ? `pl-${winners[0].name}` : 'catch-all');
    }),
    { numRuns: 300 },
  );
});
