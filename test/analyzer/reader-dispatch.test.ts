/**
 * Reader dispatch (profile.ts, AgentReader.mayRead): a reader is not run on a
 * container its quick test turns away, so the test must never turn away a
 * container the reader recognises. Checked reader by reader against the full
 * read — on every container of the corpus (and of the fixtures' blind spots),
 * on the benchmark's generated manifests, and on generated containers that mix
 * the corpus's images, arguments, environment and configuration texts with
 * variants of them — and, end to end, by the byte-identical analysis of the
 * corpus (scripts/check-analyze-identical.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Problem } from '../../src/core/errors.ts';
import type { AgentContext, ConfigText } from '../../src/analyzer/agents/agent.ts';
import { AGENT_READERS } from '../../src/analyzer/agents/registry.ts';
import { ByName, collectObjects, type KObject } from '../../src/analyzer/objects.ts';
import { configTexts, resolveEnv } from '../../src/analyzer/agents/scan.ts';
import { readWorkload, WORKLOAD_KINDS } from '../../src/analyzer/workloads.ts';
import { generateManifests } from '../../src/cli/bench-analyze.ts';
import { parseManifests } from '../../src/input/manifests.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { CORPUS } from './helpers.ts';

/** Every container of the manifests in `text`, as profile.ts offers it to the readers. */
function contexts(text: string, file: string): AgentContext[] {
  const problems: Problem[] = [];
  let objects: KObject[];
  try {
    objects = collectObjects(parseManifests(text, file), problems);
  } catch {
    return []; // a syntax error: nothing is analysed
  }
  const configMaps = new ByName<KObject>();
  const secrets = new ByName<KObject>();
  for (const o of objects) {
    if (o.kind === 'ConfigMap') configMaps.set(o.namespace, o.name, o);
    if (o.kind === 'Secret') secrets.set(o.namespace, o.name, o);
  }
  const out: AgentContext[] = [];
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const w = readWorkload(o, problems);
    const containers = w.containers.map((c) => resolveEnv(c, w.namespace, { configMaps }));
    const lookup = (kind: 'ConfigMap' | 'Secret', name: string): ConfigText[] | undefined => {
      const x = (kind === 'ConfigMap' ? configMaps : secrets).get(w.namespace, name);
      return x === undefined ? undefined : configTexts(x, problems);
    };
    for (const container of containers) {
      const configs = container.mounts.flatMap((m) => {
        const x = (m.kind === 'ConfigMap' ? configMaps : secrets).get(w.namespace, m.name);
        return x === undefined ? [] : configTexts(x, problems);
      });
      out.push({ workload: w, container, containers, configs, lookup, model: DEFAULT_MODEL });
    }
  }
  return out;
}

/** For every reader with a quick test: turned away ⟹ not recognised. Returns how many containers each recognised. */
function checkAll(ctxs: readonly AgentContext[], where: string): Map<string, number> {
  const recognised = new Map<string, number>();
  for (const ctx of ctxs) {
    const image = ctx.container.image.toLowerCase();
    for (const r of AGENT_READERS) {
      const result = r.read(ctx);
      if (result !== undefined) recognised.set(r.id, (recognised.get(r.id) ?? 0) + 1);
      if (r.mayRead === undefined || r.mayRead(image, ctx.container, ctx.configs)) continue;
      assert.equal(result, undefined, `${where}: ${r.id}'s quick test turns away container ${ctx.container.name} (image ${ctx.container.image}) of ${ctx.workload.id}, which it reads`);
    }
  }
  return recognised;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
}

const corpus = yamlFiles(CORPUS).map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));

test('the corpus: no reader is turned away from a container it recognises, and every reader recognises some container', () => {
  const all = corpus.flatMap(({ file, text }) => contexts(text, file));
  const recognised = checkAll(all, 'corpus');
  // Not vacuous: the corpus has a container of every agent.
  for (const r of AGENT_READERS) assert.ok((recognised.get(r.id) ?? 0) > 0, `no container of the corpus is recognised by ${r.id}`);
});

test("the benchmark's generated manifests: no reader turned away from a container it recognises", () => {
  const { file, text } = { file: 'generated.yaml', text: generateManifests(200, 11).map((m) => m.text).join('---\n') };
  checkAll(contexts(text, file), 'generated');
});

// Generated containers: the corpus's images, arguments, environment variables and configuration texts,
// mixed and varied (prefixed, suffixed, tagged, in a `sh -c` script).
const ctxsOfCorpus = corpus.flatMap(({ file, text }) => contexts(text, file));
const images = [...new Set(ctxsOfCorpus.map((c) => c.container.image))];
const argLists = [...new Set(ctxsOfCorpus.map((c) => JSON.stringify(c.container.args)))].map((s) => JSON.parse(s) as string[]);
const envNames = [...new Set(ctxsOfCorpus.flatMap((c) => [...c.container.env.keys()]))];
const configs = ctxsOfCorpus.flatMap((c) => c.configs.map((t) => ({ key: t.key, text: t.text })));
const words = ['agent', 'cluster-agent', 'operator', 'cilium', 'proxy', 'hyperkube', 'fluentd', 'netpol', 'flanneld', 'exec', '--config=/etc/x', '-c'];
/** Agents started by their binary's name, whatever the image. */
const binaries: string[][] = [
  ['/kube-state-metrics', '--resources=pods'], ['/usr/bin/falco', '-k', 'https://kubernetes.default'], ['/meta-collector', 'run'], ['/metrics-server', '--kubelet-insecure-tls'],
  ['/node-problem-detector', '--enable-k8s-exporter=true'], ['/opt/bin/flanneld', '--kube-subnet-mgr'], ['/bin/netpol'], ['cilium-agent', '--config-dir=/tmp/cilium/config-map'],
  ['cilium-operator-generic', '--config-dir=/tmp/cilium'], ['/hyperkube', 'proxy', '--v=2'], ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'],
  ['/bin/sh', '-c', 'exec /usr/local/bin/kube-proxy --v=2'], ['/bin/sh', '-c', 'exec /kube-state-metrics --resources=pods'],
];
/** Configurations the corpus mounts only into their own agents, for any container. */
const handmade = [
  '<filter kubernetes.**>\n  @type kubernetes_metadata\n</filter>\n',
  '<source>\n  @type tail\n</source>\n<filter kubernetes.**>\n  @type kubernetes_metadata\n  watch false\n</filter>\n',
  'a: 1\n', '[INPUT]\n  Name tail\n[FILTER]\n  Name kubernetes\n', '.:53 {\n  kubernetes cluster.local\n  forward . /etc/resolv.conf\n}\n',
  'sources:\n  k:\n    type: kubernetes_logs\n', 'discovery.kubernetes "pods" {\n  role = "pod"\n}\n',
  'filebeat.autodiscover:\n  providers:\n    - type: kubernetes\n', 'kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\n',
];

const image = fc.oneof(
  fc.constantFrom(...images),
  fc.tuple(fc.constantFrom(...images), fc.constantFrom('mirror.example/', 'registry.local:5000/', ''), fc.constantFrom('', '-debug', ':latest', '@sha256:0')).map(([i, p, s]) => p + i + s),
  fc.tuple(fc.constantFrom('', 'example/', 'quay.io/x/'), fc.constantFrom(...words, 'app', 'sidecar')).map(([p, w]) => `${p}${w}:1.0`),
);
const args = fc.oneof(
  fc.constantFrom(...argLists, ...binaries),
  fc.array(fc.oneof(fc.constantFrom(...argLists.flat(), ...words)), { maxLength: 4 }),
  fc.array(fc.constantFrom(...argLists.flat(), ...words), { maxLength: 4 }).map((ws) => ['/bin/sh', '-c', `exec ${ws.join(' ')}`]),
);
const texts = [...configs.map((c) => c.text), ...handmade];
const config = fc.oneof(
  fc.constantFrom(...configs),
  fc.record({
    key: fc.constantFrom('config.yaml', 'Corefile', 'fluent-bit.conf', 'prometheus.yml', 'kubeconfig', 'fluent.conf', 'vector.yaml', 'config.alloy', 'filebeat.yml', 'config.conf'),
    // The same configuration, or with spaces before its keys' colons (`service :`, still YAML).
    text: fc.tuple(fc.constantFrom(...texts), fc.boolean()).map(([t, spaced]) => (spaced ? t.replace(/^(\s*[A-Za-z_][\w.-]*):/gm, '$1 :') : t)),
  }),
);

function containerYaml(img: string, argv: readonly string[], env: readonly string[], mounted: boolean): string {
  return [
    `        - name: c`,
    `          image: ${JSON.stringify(img)}`,
    ...(argv.length > 0 ? [`          args: ${JSON.stringify(argv)}`] : []),
    ...(env.length > 0 ? ['          env:', ...env.map((e) => `            - { name: ${JSON.stringify(e)}, value: "1" }`)] : []),
    ...(mounted ? ['          volumeMounts:', '            - { name: cfg, mountPath: /etc/cfg }'] : []),
  ].join('\n');
}

test('generated containers: no reader is turned away from a container it recognises', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ image, args, env: fc.array(fc.constantFrom(...envNames), { maxLength: 3 }), mounted: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      fc.array(config, { maxLength: 2 }),
      fc.constantFrom('DaemonSet', 'Deployment'),
      (cs, cfgs, kind) => {
        const data = cfgs.map((c, i) => `  ${JSON.stringify(`${i}-${c.key}`)}: ${JSON.stringify(c.text)}`).join('\n');
        const text = `apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: ns }
data:
${data.length > 0 ? data : '  none: ""'}
---
apiVersion: apps/v1
kind: ${kind}
metadata: { name: w, namespace: ns }
spec:
  selector: { matchLabels: { app: w } }
  template:
    metadata: { labels: { app: w } }
    spec:
      containers:
${cs.map((c) => containerYaml(c.image, c.args, c.env, c.mounted)).join('\n')}
      volumes:
        - { name: cfg, configMap: { name: cfg } }
`;
        checkAll(contexts(text, 'gen.yaml'), JSON.stringify(text));
      },
    ),
    { numRuns: 3000 },
  );
});
