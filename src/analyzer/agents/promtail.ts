/**
 * Promtail, read from its configuration (`promtail.yaml`, which the Promtail
 * chart keeps in a Secret by default): its `scrape_configs` use Prometheus'
 * `kubernetes_sd_configs` (prometheus.ts), with one difference that decides
 * its cost — Promtail adds a node filter to pod discovery itself
 * (grafana/loki clients/pkg/promtail/targets/file/filetargetmanager.go, "Add
 * an additional api-level node filtering, so we only fetch pod metadata for
 * all the pods from the current node"), `spec.nodeName=<hostname>`, where the
 * hostname is the env var HOSTNAME (the chart sets it from spec.nodeName), or
 * the machine's hostname. How depends on the version, read from the image tag
 * (git history of that file in grafana/loki):
 *
 * - before 2.3.0: no filter — every Promtail watches every pod of the cluster
 *   and drops other nodes' pods client-side (the `__host__` label);
 * - 2.3.0 to 2.6.x: pod-role selectors are replaced by the node filter;
 * - 2.7.0 to 3.3.x (`fulfillKubePodSelector`): the filter is added only when
 *   the SD config has no `selectors`; with selectors, a Go range-variable copy
 *   dropped it (fixed by grafana/loki#14267 in 3.4.0), so a label selector made
 *   discovery cluster-wide;
 * - 3.4.0 and later: the filter is appended to every pod selector.
 *
 * Other roles (node, service, endpoints, …) are never filtered: as in
 * Prometheus. A tag that names no version (latest, a digest) is read as a
 * current Promtail for SD configs without selectors, and as configured
 * (unfiltered) for SD configs with selectors, with a note.
 *
 * @example
 *   promtailReader.read(ctx)?.calls;   // promtail-sd-pod-pods, node-scoped from 2.3.0
 */
import type { DerivedCall, DocPath, Loc } from '../types.ts';
import type { Container } from '../workloads.ts';
import { isObj } from '../objects.ts';
import { configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { get, YamlConfig } from './config-text.ts';
import { isPromtailConfig, prometheusSd } from './prometheus.ts';

/** Promtail's version from its image tag ("grafana/promtail:2.9.3" → [2, 9, 3]), or undefined. */
export function promtailVersion(image: string): readonly [number, number, number] | undefined {
  const m = /promtail[^:@]*:v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(image);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

const atLeast = (v: readonly [number, number, number], maj: number, min: number): boolean => v[0] > maj || (v[0] === maj && v[1] >= min);

type FilterMode = 'none' | 'replace' | 'only-without-selectors' | 'append';

function filterMode(v: readonly [number, number, number] | undefined): FilterMode {
  if (v === undefined) return 'only-without-selectors';
  if (!atLeast(v, 2, 3)) return 'none';
  if (!atLeast(v, 2, 7)) return 'replace';
  if (!atLeast(v, 3, 4)) return 'only-without-selectors';
  return 'append';
}

/** The configuration as Promtail hands it to discovery, located in the original text (injected selectors at the SD's role). */
class PromtailView extends YamlConfig {
  readonly #original: YamlConfig;
  constructor(original: YamlConfig, value: unknown) {
    super(original.cfg, value);
    this.#original = original;
  }
  override loc(path: DocPath): Loc {
    if (path[path.length - 1] === 'selectors' && get(this.#original.value, path) === undefined) return this.#original.loc([...path.slice(0, -1), 'role']);
    return this.#original.loc(path);
  }
}

export function promtail(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string, imageIsPromtail: boolean): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const version = promtailVersion(c.image.toLowerCase());
  const mode = filterMode(version);
  const host = c.env.has('HOSTNAME') ? '${HOSTNAME}' : '<pod hostname>';
  for (const cfg of cfgs) {
    if (!cfg.text.includes('scrape_configs') || !/^\s*scrape_configs\s*:/m.test(cfg.text)) continue;
    // Another container's Prometheus configuration: not worth parsing again.
    if (!imageIsPromtail && !/^\s*(positions|clients|client|server)\s*:|pipeline_stages\s*:/m.test(cfg.text)) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isObj(y.value) || !Array.isArray(y.value.scrape_configs)) continue;
    if (!imageIsPromtail && !isPromtailConfig(y.value)) continue;
    found = true;
    const scrape = structuredClone(y.value.scrape_configs) as unknown[];
    const injected = new Set<string>();
    scrape.forEach((sc, i) => {
      const sds = isObj(sc) ? sc.kubernetes_sd_configs : undefined;
      if (!Array.isArray(sds)) return;
      sds.forEach((sd: unknown, j) => {
        if (!isObj(sd) || String(sd.role).toLowerCase() !== 'pod') return;
        const m = sd as Record<string, unknown>;
        const sels = Array.isArray(m.selectors) ? (m.selectors as unknown[]) : [];
        const nodeField = `spec.nodeName=${host}`;
        const at = ['scrape_configs', i, 'kubernetes_sd_configs', j];
        if (mode === 'none') return;
        if (sels.length === 0 || mode === 'replace') {
          m.selectors = [{ role: 'pod', field: nodeField }];
          injected.add(JSON.stringify(at));
          if (sels.length > 0) notes.push({ rule: 'agent-config', severity: 'note', at: y.loc([...at, 'selectors']), message: `Promtail ${version?.join('.') ?? ''}: pod selectors are replaced by the node filter (versions 2.3 to 2.6), so these selectors are not applied`, fix: 'none needed for the API server' });
          return;
        }
        if (mode === 'append') {
          m.selectors = sels.map((s) => {
            if (!isObj(s)) return s;
            const f = typeof s.field === 'string' && s.field !== '' ? `${s.field},${nodeField}` : nodeField;
            return { ...s, role: 'pod', field: f };
          });
          injected.add(JSON.stringify(at));
          return;
        }
        // 2.7.0–3.3.x (and an unknown version): the node filter is lost when selectors are set.
        notes.push({
          rule: 'agent-config',
          severity: version === undefined ? 'note' : 'warn',
          at: y.loc([...at, 'selectors']),
          message: `Promtail${version !== undefined ? ` ${version.join('.')}` : ' (version not in the image tag)'}: this pod discovery has selectors, and ${version !== undefined ? 'this version' : 'versions 2.7.0 to 3.3.x'} then ${version !== undefined ? 'does' : 'do'} not add its node filter (grafana/loki#14267): every Promtail watches the pods its selectors match in the whole cluster${version === undefined ? '; estimated that way' : ''}`,
          fix: 'add `field: spec.nodeName=${HOSTNAME}` to the pod selector yourself (with HOSTNAME from the downward API), or upgrade Promtail to 3.4.0 or later',
        });
      });
    });
    const view = new PromtailView(y, { ...y.value, scrape_configs: scrape });
    const r = prometheusSd(view, ['scrape_configs'], c, 'promtail', workloadNamespace);
    for (const call of r.calls) {
      const byPromtail = call.profile.resource === 'pods' && call.profile.scope === 'node' && /role pod/.test(call.because);
      calls.push({ ...call, because: byPromtail ? `${call.because} — Promtail adds the field selector spec.nodeName=<HOSTNAME> itself` : mode === 'none' && call.profile.resource === 'pods' ? `${call.because} (Promtail ${version?.join('.') ?? ''} adds no node filter; __host__ only drops other nodes' pods client-side)` : call.because });
    }
    notes.push(...r.notes);
    if (host === '<pod hostname>' && injected.size > 0) {
      notes.push({ rule: 'agent-config', severity: 'note', at: y.loc(['scrape_configs']), message: `Promtail: container ${c.name} does not set HOSTNAME, so its node filter uses the pod's hostname and matches no pod (cheap for the API server, but no logs are tailed)`, fix: 'set env HOSTNAME from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName), as the Promtail chart does' });
    }
    if (version === undefined && imageIsPromtail && injected.size > 0) {
      notes.push({ rule: 'agent-config', severity: 'note', at: y.loc(['scrape_configs']), message: `Promtail: the image tag of ${c.name} (${c.image}) names no version; pod discovery is estimated node-filtered, as Promtail 2.3.0 and later do it`, fix: 'pin the image to a version tag' });
    }
  }
  return found ? { agent: 'promtail', calls, notes } : undefined;
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'promtail' && call.profile.resource === 'pods' ? 'upgrade Promtail (from 2.3.0 it adds `spec.nodeName=$HOSTNAME` to pod discovery itself; with selectors, from 3.4.0) or add `field: spec.nodeName=${HOSTNAME}` to the pod selector, with HOSTNAME from the downward API' : undefined;

export const promtailReader: AgentReader = {
  id: 'promtail',
  image: /(^|\/)promtail(:|@|$)/,
  read: (ctx) => promtail(ctx.configs, ctx.container, ctx.workload.namespace, /(^|\/)promtail(:|@|$)/.test(ctx.container.image.toLowerCase())),
  mayRead: (_image, _c, configs) => configHas(configs, 'scrape_configs'),
  fix: clusterWideFix,
};
