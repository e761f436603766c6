/**
 * `firebreak bench analyze`: analyzes a generated set of manifests (by default
 * 10,000, each a workload with its ServiceAccount, ClusterRole, binding and,
 * for known agents, its ConfigMap — the shape of the test corpus) against a
 * generated 200-cluster fleet (50 to 7,500 nodes, median 900, like `bench
 * twin`), and reports the speed. The manifests are generated as YAML text and
 * go through the same parser as files (src/input/manifests.ts); generation is
 * not timed. This is a shell: it reads the wall clock.
 *
 * Side by side in the same process, alternating (this machine's speed drifts
 * by 20 % or more over minutes): parsing the same files with the YAML library
 * alone (js-yaml's loadAll, the parser the analyzer reads manifests with),
 * then the whole analysis (parse with positions, profiles, estimates,
 * findings). Each is run `rounds` times; the figures are the medians, and
 * the ratio is the median of each round's analysis time over its parse time
 * (goals: ≥ 5,000 manifests/s and ≤ 2× the parse-only time, issue #9).
 */
import { performance } from 'node:perf_hooks';
import { loadAll } from 'js-yaml';
import { Random } from '../core/random.ts';
import { analyze } from '../analyzer/analyze.ts';
import { expandFleet } from '../model/fleet.ts';
import { parseManifests } from '../input/manifests.ts';
import type { ManifestDocument } from '../analyzer/types.ts';
import { median, roundDecimals } from '../core/number.ts';

export interface AnalyzeBenchResult {
  /** Manifests analyzed: workloads with their RBAC and configuration. */
  readonly manifests: number;
  readonly clusters: number;
  readonly wallSeconds: number;
  readonly manifestsPerSecond: number;
  /** YAML documents (Kubernetes objects) in them. */
  readonly documents: number;
  readonly verdict: string;
  /** Parsing the same files with js-yaml alone (median seconds over the rounds). */
  readonly parseOnlySeconds: number;
  /** Analysis time over parse-only time, median over the rounds (goal ≤ 2). */
  readonly ratioToParseOnly: number;
  /** Alternating rounds of parse-only and analysis. */
  readonly rounds: number;
}

export interface AnalyzeBenchOptions {
  readonly json: boolean;
  readonly manifests?: number;
  readonly clusters?: number;
  /** Alternating rounds of parse-only and analysis (default 3). */
  readonly rounds?: number;
}

const rbac = (ns: string, name: string, rules: string): string => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${ns}-${name}
rules:
${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${ns}-${name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${ns}-${name}
subjects:
  - kind: ServiceAccount
    name: ${name}
    namespace: ${ns}
`;

const podsRule = `  - apiGroups: [""]
    resources: ["pods", "namespaces", "nodes"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["replicasets"]
    verbs: ["get", "list", "watch"]`;

function workload(kind: string, ns: string, name: string, replicas: number, containers: string, volumes: string, annotations = ''): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${ns}
${annotations}spec:
${kind === 'Deployment' ? `  replicas: ${replicas}\n` : ''}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
${containers}${volumes}`;
}

/** One manifest of the generated set: a mix of the corpus's shapes, safe and unsafe. */
function manifest(i: number, rng: Random): string {
  const ns = `team-${i % 97}`;
  const name = `app-${i}`;
  const kindOf = (): string => (rng.float() < 0.5 ? 'DaemonSet' : 'Deployment');
  const replicas = 1 + rng.int(0, 9);
  switch (i % 5) {
    case 0: {
      const filter = rng.float() < 0.7 ? '        filter:\n          node_from_env_var: K8S_NODE_NAME\n' : '';
      return `${rbac(ns, name, podsRule)}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  relay: |
    receivers:
      otlp:
        protocols:
          grpc: {}
    processors:
      k8sattributes:
${filter}        extract:
          metadata: [k8s.namespace.name, k8s.pod.name, k8s.deployment.name]
    exporters:
      otlp:
        endpoint: gateway:4317
    service:
      pipelines:
        traces: { receivers: [otlp], processors: [k8sattributes], exporters: [otlp] }
---
${workload(kindOf(), ns, name, replicas, `        - name: otelcol
          image: otel/opentelemetry-collector-k8s:0.116.0
          env:
            - name: K8S_NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          volumeMounts:
            - { name: config, mountPath: /conf }
`, `      volumes:
        - name: config
          configMap:
            name: ${name}
`)}`;
    }
    case 1: {
      const kubelet = rng.float() < 0.5 ? 'On' : 'Off';
      return `${rbac(ns, name, podsRule)}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  fluent-bit.conf: |
    [INPUT]
        Name tail
        Path /var/log/containers/*.log
        Tag kube.*
    [FILTER]
        Name kubernetes
        Match kube.*
        Use_Kubelet ${kubelet}
    [OUTPUT]
        Name stdout
        Match *
---
${workload('DaemonSet', ns, name, 1, `        - name: fluent-bit
          image: cr.fluentbit.io/fluent/fluent-bit:3.2.2
          volumeMounts:
            - { name: config, mountPath: /fluent-bit/etc }
`, `      volumes:
        - name: config
          configMap:
            name: ${name}
`)}`;
    }
    case 2: {
      const selector = rng.float() < 0.5 ? '\n        selectors:\n          - role: pod\n            field: spec.nodeName=${env:K8S_NODE_NAME}' : '';
      return `${rbac(ns, name, podsRule)}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
  prometheus.yml: |
    scrape_configs:
      - job_name: pods
        kubernetes_sd_configs:
          - role: pod${selector}
      - job_name: nodes
        kubernetes_sd_configs:
          - role: node
---
${workload(kindOf(), ns, name, replicas, `        - name: prometheus
          image: quay.io/prometheus/prometheus:v3.1.0
          volumeMounts:
            - { name: config, mountPath: /etc/prometheus }
`, `      volumes:
        - name: config
          configMap:
            name: ${name}
`)}`;
    }
    case 3: {
      const period = [30, 60, 300, 600][rng.int(0, 3)] ?? 300;
      const scope = rng.float() < 0.6 ? 'node' : 'cluster';
      const rv = rng.float() < 0.5 ? 'consistent' : '"0"';
      const ann = `  annotations:
    firebreak.dev/api-profile: |
      calls:
        - { name: list-pods, verb: list, resource: pods, scope: ${scope}, resourceVersion: ${rv}, period: ${period}s }
        - { name: watch-services, verb: watch, resource: services }
`;
      return `${rbac(ns, name, podsRule + '\n  - apiGroups: [""]\n    resources: ["services"]\n    verbs: ["list", "watch"]')}---
${workload(kindOf(), ns, name, replicas, `        - name: app
          image: registry.example.com/${name}:1.0.0
`, '', ann)}`;
    }
    default:
      return `${rbac(ns, name, `  - apiGroups: [""]
    resources: ["configmaps", "services", "endpoints"]
    verbs: ["get", "list", "watch"]`)}---
${workload(kindOf(), ns, name, replicas, `        - name: app
          image: registry.example.com/${name}:1.0.0
`, '')}`;
  }
}

export function generateManifests(count: number, seed = 1): { file: string; text: string }[] {
  const rng = Random.seeded(seed).fork('bench-analyze');
  return Array.from({ length: count }, (_, i) => ({ file: `generated/manifest-${String(i).padStart(5, '0')}.yaml`, text: manifest(i, rng) }));
}

export function benchAnalyze(o: AnalyzeBenchOptions): string {
  const n = o.manifests ?? 10_000;
  const rounds = o.rounds ?? 3;
  const clusters = expandFleet({ generate: { count: o.clusters ?? 200, nodes: { min: 50, max: 7500, median: 900 }, namePrefix: 'ref' } }, 1);
  const files = generateManifests(n);
  const parseTimes: number[] = [];
  const analyzeTimes: number[] = [];
  const ratios: number[] = [];
  let documents = 0;
  let verdict = '';
  for (let round = 0; round < rounds; round++) {
    let t0 = performance.now();
    let parsed = 0;
    for (const f of files) parsed += loadAll(f.text).length;
    const parse = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const docs: ManifestDocument[] = [];
    for (const f of files) docs.push(...parseManifests(f.text, f.file));
    const result = analyze(docs, clusters, { fleetName: 'reference' });
    const wall = (performance.now() - t0) / 1000;
    if (parsed < docs.length) throw new Error(`parse-only read ${parsed} documents, the analysis ${docs.length}`);
    parseTimes.push(parse);
    analyzeTimes.push(wall);
    ratios.push(wall / parse);
    documents = docs.length;
    verdict = result.analysis.verdict;
  }
  const wall = median(analyzeTimes);
  const r: AnalyzeBenchResult = {
    manifests: n,
    clusters: clusters.length,
    wallSeconds: roundDecimals(wall, 2),
    manifestsPerSecond: Math.round(n / wall),
    documents,
    verdict,
    parseOnlySeconds: roundDecimals(median(parseTimes), 2),
    ratioToParseOnly: roundDecimals(median(ratios), 2),
    rounds,
  };
  if (o.json) return JSON.stringify(r) + '\n';
  return `analyze: ${r.manifests} manifests (${r.documents} documents) against ${r.clusters} clusters in ${r.wallSeconds} s: ${r.manifestsPerSecond} manifests/s (goal ≥ 5,000); parse-only (js-yaml) ${r.parseOnlySeconds} s, analysis ${r.ratioToParseOnly}× that (goal ≤ 2×; medians of ${r.rounds} alternating rounds); fleet verdict ${r.verdict}\n`;
}
