/**
 * Fluent Bit, read from its own configuration (classic `[FILTER]` sections
 * following `@INCLUDE`, or YAML `pipeline.filters`):
 *
 * Fluent Bit `kubernetes` filter (docs.fluentbit.io/manual/pipeline/filters/kubernetes):
 *   for each pod whose logs it tails, the filter GETs the pod from the API
 *   server and caches it (`Kube_Meta_Cache_TTL`, default 0 = no expiry), or
 *   with `Use_Kubelet On` asks the local kubelet's /pods instead ("this could
 *   mitigate the Kube API heavy traffic issue for large cluster");
 *   `Namespace_Labels` / `Namespace_Annotations` GET namespaces from the API
 *   server even then (cached `Kube_Meta_Namespace_Cache_TTL`, default 900 s);
 *   `Use_Tag_For_Meta On` makes no API call at all.
 *
 * @example
 *   fluentBitReader.read(ctx)?.calls;   // fluent-bit-get-pod (one GET per tailed pod) unless Use_Kubelet
 */
import { parseDuration } from '../../core/duration.ts';
import { DEFAULT_PODS_PER_NODE } from '../../model/kubernetes.ts';
import { isObj } from '../objects.ts';
import type { DerivedCall, Loc } from '../types.ts';
import { callProfile, configHas, type AgentNote, type AgentReader, type AgentResult, type ConfigText } from './agent.ts';
import { get, Located, text, truthy, YamlConfig } from './config-text.ts';

interface FbSection {
  readonly type: string;
  readonly props: Map<string, { value: string; offset: number }>;
  readonly offset: number;
}

/** Classic-mode sections (`[FILTER]` + `Key Value` lines), following @INCLUDE to other keys of the same ConfigMap. */
function fluentBitClassic(cfg: ConfigText, siblings: readonly ConfigText[], seen = new Set<string>()): { sections: FbSection[]; cfgOf: Map<FbSection, ConfigText> } {
  const sections: FbSection[] = [];
  const cfgOf = new Map<FbSection, ConfigText>();
  if (seen.has(cfg.key)) return { sections, cfgOf };
  seen.add(cfg.key);
  let cur: FbSection | undefined;
  let offset = 0;
  for (const line of cfg.text.split('\n')) {
    const t = line.trim();
    const lead = line.length - line.trimStart().length;
    const sec = /^\[([A-Za-z_]+)\]$/.exec(t);
    const inc = /^@INCLUDE\s+(\S+)/i.exec(t);
    if (sec !== null) {
      cur = { type: (sec[1] ?? '').toUpperCase(), props: new Map(), offset: offset + lead };
      sections.push(cur);
      cfgOf.set(cur, cfg);
    } else if (inc !== null) {
      const target = (inc[1] ?? '').split('/').pop() ?? '';
      const sib = siblings.find((s) => s.key === target);
      if (sib !== undefined) {
        const r = fluentBitClassic(sib, siblings, seen);
        sections.push(...r.sections);
        for (const [k, v] of r.cfgOf) cfgOf.set(k, v);
      }
      cur = undefined;
    } else if (cur !== undefined && t !== '' && !t.startsWith('#')) {
      const kv = /^(\S+)\s+(.*)$/.exec(t);
      if (kv !== null) cur.props.set((kv[1] ?? '').toLowerCase(), { value: (kv[2] ?? '').trim(), offset: offset + lead });
    }
    offset += line.length + 1;
  }
  return { sections, cfgOf };
}

export function isFluentBitClassic(text: string): boolean {
  return text.includes('[') && /^\s*\[(INPUT|FILTER|OUTPUT|SERVICE)\]\s*$/im.test(text);
}

/**
 * Fluent Bit's kubernetes filters, classic or YAML configuration: per node,
 * one GET per pod it tails (about the node's pods, 30 at the scalability
 * envelope's ratio, ref), re-done every `Kube_Meta_Cache_TTL` when set and for
 * every new pod (estimated by the pod event rate of the model), unless
 * Use_Kubelet or Use_Tag_For_Meta.
 */
export function fluentBit(cfgs: readonly ConfigText[], podEventsPerPodS: number): AgentResult | undefined {
  interface Filter {
    readonly get: (k: string) => string | undefined;
    readonly at: (k?: string) => Loc;
  }
  const filters: Filter[] = [];
  let found = false;
  for (const cfg of cfgs) {
    if (isFluentBitClassic(cfg.text)) {
      // Only entry files: a file @INCLUDEd by another is read through it.
      const included = cfgs.some((o) => o !== cfg && new RegExp(`^\\s*@INCLUDE\\s+\\S*${cfg.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'im').test(o.text));
      if (included) continue;
      found = true;
      const { sections, cfgOf } = fluentBitClassic(cfg, cfgs);
      for (const s of sections) {
        if (s.type !== 'FILTER' || s.props.get('name')?.value.toLowerCase() !== 'kubernetes') continue;
        const where = new Located(cfgOf.get(s) ?? cfg);
        filters.push({ get: (k) => s.props.get(k.toLowerCase())?.value, at: (k) => where.at(k === undefined ? s.offset : (s.props.get(k.toLowerCase())?.offset ?? s.offset)) });
      }
    } else {
      const y = cfg.text.includes('pipeline') && /^\s*pipeline\s*:/m.test(cfg.text) ? YamlConfig.parse(cfg) : undefined;
      if (y === undefined) continue;
      const fl = get(y.value, ['pipeline', 'filters']);
      if (!Array.isArray(fl)) continue;
      found = true;
      fl.forEach((f, i) => {
        if (!isObj(f) || text(f.name).toLowerCase() !== 'kubernetes') return;
        const keys = new Map(Object.keys(f).map((k) => [k.toLowerCase(), k]));
        filters.push({
          get: (k) => {
            const real = keys.get(k.toLowerCase());
            const v = real === undefined ? undefined : f[real];
            return v === undefined || v === null ? undefined : text(v);
          },
          at: (k) => y.loc(['pipeline', 'filters', i, ...(k !== undefined && keys.has(k.toLowerCase()) ? [keys.get(k.toLowerCase()) ?? k] : [])]),
        });
      });
    }
  }
  if (!found) return undefined;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  filters.forEach((f, i) => {
    const suffix = filters.length > 1 ? `-${i + 1}` : '';
    if (truthy(f.get('Use_Tag_For_Meta'))) return;
    const nsMeta = truthy(f.get('Namespace_Labels')) || truthy(f.get('Namespace_Annotations')) || truthy(f.get('Namespace_Metadata_Only'));
    if (nsMeta) {
      const ttl = parseDuration(f.get('Kube_Meta_Namespace_Cache_TTL') ?? '900') ?? 900;
      calls.push({
        profile: callProfile(`fluent-bit-get-namespace${suffix}`, 'get', 'namespaces', { periodS: Math.max(1, ttl) }),
        at: f.at(f.get('Namespace_Labels') !== undefined ? 'Namespace_Labels' : 'Namespace_Annotations'),
        because: `Fluent Bit's kubernetes filter fetches namespace metadata from the API server (cached ${ttl} s), even with Use_Kubelet`,
        agent: 'fluent-bit',
      });
    }
    if (truthy(f.get('Use_Kubelet')) || truthy(f.get('Namespace_Metadata_Only'))) return;
    const ttl = parseDuration(f.get('Kube_Meta_Cache_TTL') ?? '0') ?? 0;
    // GETs per node per second: every pod re-fetched each TTL, plus each new pod.
    const perS = DEFAULT_PODS_PER_NODE * (podEventsPerPodS + (ttl > 0 ? 1 / ttl : 0));
    calls.push({
      profile: callProfile(`fluent-bit-get-pod${suffix}`, 'get', 'pods', { scope: 'namespace', periodS: 1 / Math.max(1e-9, perS) }),
      at: f.get('Use_Kubelet') !== undefined ? f.at('Use_Kubelet') : f.at(),
      because: `Fluent Bit's kubernetes filter GETs each pod it tails from the API server${ttl > 0 ? ` and again every ${ttl} s (Kube_Meta_Cache_TTL)` : ''} (Use_Kubelet is off)`,
      agent: 'fluent-bit',
    });
  });
  return { agent: 'fluent-bit', calls, notes };
}

/** The project's own fix for a call every node makes for the whole cluster (analyze.ts fixFor). */
const clusterWideFix = (call: DerivedCall): string | undefined =>
  call.agent === 'fluent-bit' && call.profile.resource === 'pods' ? 'set `Use_Kubelet On` to ask the local kubelet instead of the API server' : undefined;

export const fluentBitReader: AgentReader = {
  id: 'fluent-bit',
  image: /fluent-?bit/,
  read: (ctx) => fluentBit(ctx.configs, ctx.model.objects.podEventsPerPodS),
  // A classic file (`[FILTER]`) or a YAML one (`pipeline:`).
  mayRead: (_image, _c, configs) => configHas(configs, '[') || configHas(configs, 'pipeline'),
  fix: clusterWideFix,
};
