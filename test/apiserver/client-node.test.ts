/**
 * @kubernetes/client-node against a real `firebreak twin serve` process:
 * CoreV1Api.listNode (whole and paged with limit/continue), server-side apply
 * through KubernetesObjectApi.patch (apply-patch+yaml), AppsV1Api reads, a
 * Watch that sees the DaemonSet's ADDED, MODIFIED and DELETED events, and a
 * LIST of pods with a fieldSelector.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type V1DaemonSet } from '@kubernetes/client-node';
import { startServe, type ServedTwin } from './serve-helper.ts';

let t: ServedTwin;
let kc: KubeConfig;

before(async () => {
  t = await startServe('test/fixtures/serve/small.yaml', ['--speed', '20']);
  kc = new KubeConfig();
  kc.loadFromFile(t.kubeconfig);
  kc.setCurrentContext('alpha');
});
after(async () => {
  assert.equal(await t.stop(), 0);
});

const ds = (image: string): V1DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'watched', namespace: 'default', labels: { team: 'obs' } },
  spec: {
    selector: { matchLabels: { app: 'watched' } },
    template: { metadata: { labels: { app: 'watched' } }, spec: { containers: [{ name: 'agent', image }] } },
  },
});

test('CoreV1Api.listNode returns every node, whole and page by page', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const all = await core.listNode();
  assert.equal(all.items.length, 50);
  assert.match(all.items[0]?.metadata?.name ?? '', /^alpha-node-0*1$/);
  assert.equal(all.items[0]?.metadata?.labels?.['kubernetes.io/os'], 'linux');
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await core.listNode({ limit: 16, ...(token === undefined ? {} : { _continue: token }) });
    names.push(...page.items.map((n) => n.metadata?.name ?? ''));
    token = page.metadata?._continue;
    pages++;
  } while (token !== undefined && token !== '');
  assert.equal(pages, 4);
  assert.deepEqual(names, all.items.map((n) => n.metadata?.name ?? ''));
});

test('CoreV1Api lists pods by spec.nodeName', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const second = (await core.listNode()).items[1]?.metadata?.name ?? '';
  const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${second}` });
  assert.ok(pods.items.length > 0);
  assert.ok(pods.items.every((p) => p.spec?.nodeName === second));
});

test('server-side apply through KubernetesObjectApi.patch, read back with AppsV1Api, seen by a Watch', async () => {
  const events: string[] = [];
  const watch = new Watch(kc);
  let resolveDeleted: () => void = () => undefined;
  const deleted = new Promise<void>((r) => (resolveDeleted = r));
  const ctl = await watch.watch(
    '/apis/apps/v1/namespaces/default/daemonsets',
    { fieldSelector: 'metadata.name=watched' },
    (phase) => {
      events.push(phase);
      if (phase === 'DELETED') resolveDeleted();
    },
    () => undefined,
  );
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const applied = await objects.patch(ds('example.com/agent:1'), undefined, undefined, 'firebreak', false, PatchStrategy.ServerSideApply);
  assert.equal(applied.metadata?.managedFields?.[0]?.manager, 'firebreak');
  assert.equal(applied.metadata?.managedFields?.[0]?.operation, 'Apply');
  await objects.patch(ds('example.com/agent:2'), undefined, undefined, 'firebreak', false, PatchStrategy.ServerSideApply);

  const apps = kc.makeApiClient(AppsV1Api);
  const read = await apps.readNamespacedDaemonSet({ name: 'watched', namespace: 'default' });
  assert.equal(read.spec?.template.spec?.containers[0]?.image, 'example.com/agent:2');
  assert.equal(read.metadata?.generation, 2);
  assert.equal(read.spec?.updateStrategy?.type, 'RollingUpdate', 'defaulted as kube-apiserver does');
  assert.equal(read.status?.desiredNumberScheduled, 50);

  await apps.deleteNamespacedDaemonSet({ name: 'watched', namespace: 'default' });
  await deleted;
  ctl.abort();
  assert.deepEqual(events.filter((e) => e !== 'BOOKMARK').slice(0, 2), ['ADDED', 'MODIFIED']);
  assert.equal(events.at(-1), 'DELETED');
});

test('a conflicting apply by another manager is a 409 naming the owner; force takes the field over', async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const cm = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', namespace: 'default' }, data: { k: v } });
  await objects.patch(cm('a'), undefined, undefined, 'one', false, PatchStrategy.ServerSideApply);
  await assert.rejects(objects.patch(cm('b'), undefined, undefined, 'two', false, PatchStrategy.ServerSideApply), (e: unknown) => {
    const err = e as { code?: number; body?: string };
    assert.equal(err.code, 409);
    assert.match(String(err.body), /conflict with \\"one\\"/);
    return true;
  });
  const forced = await objects.patch(cm('b'), undefined, undefined, 'two', true, PatchStrategy.ServerSideApply);
  assert.equal((forced as { data?: Record<string, string> }).data?.['k'], 'b');
  const managers = ((forced as { metadata?: { managedFields?: { manager?: string }[] } }).metadata?.managedFields ?? []).map((m) => m.manager);
  assert.deepEqual(managers, ['two']);
});
