/**
 * injectGuard: the guard sidecar in a change's pod template (contract E).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { DEFAULT_POLL_S, GUARD_CONTAINER, GUARD_RESOURCES, GUARD_STATE_DIR, injectGuard, publicKeyText, type PodTemplate } from '../../src/killswitch/index.ts';

const key = publicKeyText(generateKeyPairSync('ed25519').publicKey);
const options = { url: 'http://10.0.0.7:8080', change: 'telemetry-agent', key, image: 'registry.example/firebreak:0.1.0' };

function template(): PodTemplate {
  return {
    metadata: { labels: { app: 'telemetry-agent' } },
    spec: {
      serviceAccountName: 'telemetry-agent',
      containers: [{ name: 'agent', image: 'telemetry:1.0', command: ['/usr/bin/telemetry-agent', '--config', '/etc/agent.yaml'], securityContext: { runAsUser: 1000, runAsGroup: 1000 } }],
      volumes: [{ name: 'config', configMap: { name: 'agent' } }],
    },
  };
}

type Container = { name: string; image: string; command: string[]; args: string[]; env: { name: string; value: string }[]; resources: unknown; securityContext: Record<string, unknown>; volumeMounts: { name: string; mountPath: string }[] };
type Spec = { shareProcessNamespace: boolean; containers: Container[]; volumes: { name: string; emptyDir?: object }[] };

test('the guard sidecar: shared process namespace, the firebreak-guard container with the env of contract E, a state volume; the agent untouched', () => {
  const input = template();
  const before = structuredClone(input);
  const out = injectGuard(input, { ...options, cluster: 'prod-a' });
  assert.deepEqual(input, before, 'the input is not modified');
  const spec = out.spec as Spec;
  assert.equal(spec.shareProcessNamespace, true);
  assert.equal(spec.containers.length, 2);
  assert.deepEqual(spec.containers[0], (before.spec as Spec).containers[0]);
  const guard = spec.containers[1];
  assert.ok(guard !== undefined);
  assert.equal(guard.name, GUARD_CONTAINER);
  assert.equal(guard.image, options.image);
  assert.deepEqual(guard.command, ['firebreak']);
  assert.deepEqual(guard.args, ['guard', '--sidecar', '--process-name', 'telemetry-agent', '--state-dir', GUARD_STATE_DIR, '--grace', '10']);
  assert.deepEqual(guard.env, [
    { name: 'FIREBREAK_KILLSWITCH_URL', value: 'http://10.0.0.7:8080' },
    { name: 'FIREBREAK_CHANGE', value: 'telemetry-agent' },
    { name: 'FIREBREAK_KILLSWITCH_POLL', value: String(DEFAULT_POLL_S) },
    { name: 'FIREBREAK_KILLSWITCH_UNREACHABLE', value: 'keep-running' },
    { name: 'FIREBREAK_KILLSWITCH_KEY', value: key },
    { name: 'FIREBREAK_CLUSTER', value: 'prod-a' },
  ]);
  assert.deepEqual(guard.resources, GUARD_RESOURCES);
  assert.equal(guard.securityContext.runAsUser, 1000, "the agent's user, so that it may signal the agent");
  assert.deepEqual(guard.securityContext.capabilities, { drop: ['ALL'], add: ['KILL'] });
  assert.deepEqual(guard.volumeMounts, [{ name: 'firebreak-guard-state', mountPath: GUARD_STATE_DIR }]);
  assert.deepEqual(spec.volumes, [{ name: 'config', configMap: { name: 'agent' } }, { name: 'firebreak-guard-state', emptyDir: {} }]);
});

test('options: poll, policy, grace, process name, command and resources are configurable', () => {
  const out = injectGuard(template(), { ...options, pollS: 2, unreachable: 'stop', graceS: 5, processName: 'agentd', command: ['/bin/firebreak'], resources: { requests: { cpu: '5m' } } });
  const guard = (out.spec as Spec).containers[1];
  assert.ok(guard !== undefined);
  assert.deepEqual(guard.command, ['/bin/firebreak']);
  assert.deepEqual(guard.args, ['guard', '--sidecar', '--process-name', 'agentd', '--state-dir', GUARD_STATE_DIR, '--grace', '5']);
  assert.equal(guard.env.find((e) => e.name === 'FIREBREAK_KILLSWITCH_POLL')?.value, '2');
  assert.equal(guard.env.find((e) => e.name === 'FIREBREAK_KILLSWITCH_UNREACHABLE')?.value, 'stop');
  assert.equal(guard.env.find((e) => e.name === 'FIREBREAK_CLUSTER'), undefined);
  assert.deepEqual(guard.resources, { requests: { cpu: '5m' } });
});

test('property: injecting twice is injecting once (a re-applied template does not grow)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 2, 10, 30), (containers, pollS) => {
      const t = { spec: { containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: 'x', command: [`/bin/agent${i}`] })) } };
      const once = injectGuard(t, { ...options, pollS });
      assert.deepEqual(injectGuard(once, { ...options, pollS }), once);
      assert.equal((once.spec as Spec).containers.filter((c) => c.name === GUARD_CONTAINER).length, 1);
    }),
  );
});

test('refused: hostPID, no containers, no command to name the process, a host name for the endpoint, a bad change name', () => {
  const cases: [PodTemplate, Partial<typeof options> & { processName?: string }, RegExp][] = [
    [{ spec: { hostPID: true, containers: [{ name: 'a', command: ['/a'] }] } }, {}, /hostPID/],
    [{ spec: { containers: [] } }, {}, /no container to guard/],
    [{}, {}, /no spec/],
    [{ spec: { containers: [{ name: 'a', image: 'a' }] } }, {}, /no command .* give processName/],
    [template(), { url: 'http://switch.internal:8080' }, /by IP address/],
    [template(), { change: 'Bad_Name' }, /not a Kubernetes object name/],
    [template(), { image: '' }, /image is empty/],
  ];
  for (const [t, o, message] of cases) assert.throws(() => injectGuard(t, { ...options, ...o }), (e: Error) => e.name === 'UsageError' && message.test(e.message));
});
