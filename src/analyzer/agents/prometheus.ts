/**
 * Prometheus service discovery, for Prometheus itself and for the
 * OpenTelemetry Collector's prometheus receiver:
 *
 *   node-filtered with `node`).
 * Prometheus `kubernetes_sd_configs` (prometheus.io/docs/prometheus/latest/
 *   configuration/configuration/#kubernetes_sd_config): informers per role —
 *   pod: pods; node: nodes; service: services; endpoints: endpoints, services
 *   and pods; endpointslice: endpointslices, services and pods; ingress:
 *   ingresses; `attach_metadata.node` adds nodes, `.namespace` namespaces —
 *   in all namespaces, or one informer per namespace of `namespaces.names` /
 *   `own_namespace`; `selectors` narrow the list (a `spec.nodeName=` field
 *   selector on pods scopes it to one node). Identical discovery configs share
 *
 * @example
 *   prometheusReader.read(ctx)?.calls;   // prometheus-sd-pod-pods: an informer per discovery role
 */
import type { Scope } from '../../model/profile.ts';
import { isObj } from '../objects.ts';
import type { DerivedCall, DocPath } from '../types.ts';
import type { Container } from '../workloads.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { envRefs, get, isNodeNameEnv, text, YamlConfig } from './config-text.ts';

const SD_ROLES: Readonly<Record<string, readonly string[]>> = {
  pod: ['pods'],
  node: ['nodes'],
  service: ['services'],
  endpoints: ['endpoints', 'services', 'pods'],
  endpointslice: ['endpointslices', 'services', 'pods'],
  ingress: ['ingresses'],
};

export function isPrometheusConfig(v: unknown): boolean {
  // Promtail's configuration also has scrape_configs, beside keys Prometheus rejects (promtail.ts reads it).
  return isObj(v) && Array.isArray(v.scrape_configs) && !isPromtailConfig(v);
}

/** Promtail's configuration: scrape_configs beside keys Prometheus rejects (positions, clients, server) or pipeline stages. */
export function isPromtailConfig(v: unknown): boolean {
  if (!isObj(v) || !Array.isArray(v.scrape_configs)) return false;
  return 'positions' in v || 'clients' in v || 'client' in v || 'server' in v || v.scrape_configs.some((sc) => isObj(sc) && ('pipeline_stages' in sc || 'journal' in sc || 'syslog' in sc));
}

/** Informers of the kubernetes_sd_configs of `scrapeConfigs` (at `base` in `y`). */
export function prometheusSd(y: YamlConfig, base: DocPath, c: Container, agent: string, workloadNamespace: string): { calls: DerivedCall[]; notes: AgentNote[] } {
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const seen = new Set<string>(); // identical discovery configs share one set of informers
  const scrape = get(y.value, base);
  if (!Array.isArray(scrape)) return { calls, notes };
  scrape.forEach((sc, i) => {
    const sds = isObj(sc) ? sc.kubernetes_sd_configs : undefined;
    if (!Array.isArray(sds)) return;
    const job = isObj(sc) && typeof sc.job_name === 'string' ? sc.job_name : `scrape_configs[${i}]`;
    sds.forEach((sd, j) => {
      if (!isObj(sd)) return;
      const sdPath: DocPath = [...base, i, 'kubernetes_sd_configs', j];
      const role = typeof sd.role === 'string' ? sd.role.toLowerCase() : '';
      const resources = SD_ROLES[role];
      if (resources === undefined) {
        notes.push({ rule: 'agent-config', severity: 'note', at: y.loc([...sdPath, 'role']), message: `${agent}: kubernetes_sd_configs role ${JSON.stringify(sd.role)} is not one Prometheus knows (pod, node, service, endpoints, endpointslice, ingress); skipped`, fix: 'use one of the documented roles' });
        return;
      }
      const identity = JSON.stringify([role, sd.namespaces ?? null, sd.selectors ?? null, sd.attach_metadata ?? null, sd.api_server ?? null, sd.kubeconfig_file ?? null]);
      if (seen.has(identity)) return;
      seen.add(identity);
      const ns = isObj(sd.namespaces) ? sd.namespaces : undefined;
      const names = Array.isArray(ns?.names) ? ns.names.filter((x): x is string => typeof x === 'string') : [];
      const own = ns?.own_namespace === true;
      const namespaces = own ? [workloadNamespace] : names;
      const selectors = Array.isArray(sd.selectors) ? sd.selectors.filter(isObj) : [];
      const attach = isObj(sd.attach_metadata) ? sd.attach_metadata : {};
      const all = [...resources, ...(attach.node === true && role !== 'node' && role !== 'service' && role !== 'ingress' ? ['nodes'] : []), ...(attach.namespace === true ? ['namespaces'] : [])];
      for (const res of all) {
        const own1 = res === 'nodes' && role !== 'node' ? 'node' : res === 'services' && role !== 'service' ? 'service' : res === 'pods' && role !== 'pod' ? 'pod' : role;
        const sel = selectors.find((s) => text(s.role).toLowerCase() === own1);
        const field = typeof sel?.field === 'string' ? sel.field : '';
        const label = typeof sel?.label === 'string' ? sel.label : '';
        const byNode = res === 'pods' && /(^|,)\s*spec\.nodeName\s*=/.test(field);
        const nodeByName = res === 'nodes' && /(^|,)\s*metadata\.name\s*=/.test(field);
        const scoped = res !== 'nodes' && res !== 'namespaces' && namespaces.length > 0;
        const scope: Scope = byNode || nodeByName ? 'node' : scoped ? 'namespace' : 'cluster';
        for (const v of envRefs(field)) {
          if (!isNodeNameEnv(c, v) && c.env.get(v) === undefined) {
            notes.push({
              rule: 'agent-config',
              severity: 'warn',
              at: y.loc([...sdPath, 'selectors']),
              message: `${agent}: the field selector ${JSON.stringify(field)} uses $${v}, but container ${c.name} defines no env var ${v}; the selector will not match this node`,
              fix: `add env ${v} from the downward API (valueFrom.fieldRef.fieldPath: spec.nodeName)`,
            });
          }
        }
        const count = scoped ? namespaces.length : 1;
        for (let k = 0; k < count; k++) {
          const suffix = scoped && count > 1 ? `-${namespaces[k] ?? k}` : '';
          calls.push({
            profile: callProfile(`${agent}-sd-${role}-${res}${suffix}`, 'watch', res, { scope, namespaceFraction: 0.05 }),
            at: y.loc(sel !== undefined ? [...sdPath, 'selectors'] : [...sdPath, 'role']),
            because: `${agent} kubernetes_sd_configs role ${role} (job ${job}) watches ${res} ${scope === 'node' ? 'on its own node' : scope === 'namespace' ? `in namespace ${namespaces[k] ?? ''}` : 'in all namespaces'}${label !== '' ? ` (label selector ${label}: the server still scans every object)` : ''}`,
            agent,
            ...(scope === 'namespace' ? { namespaces: [namespaces[k] ?? workloadNamespace] } : {}),
          });
        }
      }
    });
  });
  return { calls, notes };
}

export function prometheus(cfgs: readonly ConfigText[], c: Container, workloadNamespace: string): AgentResult | undefined {
  let found = false;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  for (const cfg of cfgs) {
    if (!cfg.text.includes('scrape_configs') || !/^\s*scrape_configs\s*:/m.test(cfg.text)) continue;
    const y = YamlConfig.parse(cfg);
    if (y === undefined || !isPrometheusConfig(y.value)) continue;
    found = true;
    const r = prometheusSd(y, ['scrape_configs'], c, 'prometheus', workloadNamespace);
    calls.push(...r.calls);
    notes.push(...r.notes);
  }
  return found ? { agent: 'prometheus', calls, notes } : undefined;
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'prometheus' && call.profile.resource === 'pods' ? 'scope discovery to the node: `selectors: [{ role: pod, field: spec.nodeName=$NODE_NAME }]` with NODE_NAME from the downward API, or scrape from one cluster-level Prometheus' : undefined;

export const prometheusReader: AgentReader = {
  id: 'prometheus',
  image: /(^|\/)prometheus(:|@|$)/,
  read: (ctx) => prometheus(ctx.configs, ctx.container, ctx.workload.namespace),
  mayRead: (_image, _c, configs) => configHas(configs, 'scrape_configs'),
  fix: clusterWideFix,
};
