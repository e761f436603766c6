/**
 * A workload's API access profile, from the first source that has one:
 * 1. its `firebreak.dev/api-profile` annotation (annotation.ts);
 * 2. the configuration of the known agents it runs (agents/registry.ts);
 * 3. otherwise the worst its service account may do (RBAC): an informer on
 *    every type it may list and watch, a LIST every minute of every type it
 *    may only list, at the scope of the binding that grants it — an
 *    assumption, and every finding it causes says so.
 * What the input does not show is a `profile-unknown` finding (warn; block
 * with --strict), never "no API calls": a service account not in the input
 * and named by no binding, a binding to a role neither in the input nor
 * bootstrapped by every cluster, an aggregated ClusterRole that selects
 * nothing, a DaemonSet on the `default` service account with no binding, the
 * configuration of a known agent that is not in the input. Determined to make
 * no API calls: no service account token; a ServiceAccount the input ships
 * with no binding anywhere (noted for DaemonSets); the `default` service
 * account of any other workload with no binding (docs/analyzer.md, "What the
 * analyzer cannot see").
 * Then the RBAC the profile needs is checked against the input's RBAC, and
 * the priority level its requests land in is found (APF FlowSchemas: the
 * bootstrap defaults, unless a FlowSchema of the input matches first).
 *
 * @example
 *   const p = deriveProfile(workload, { configMaps, secrets, rbac, flowSchemas, model, problems, findings, strict: false });
 *   p.source;   // 'annotation' | 'agent-config' | 'rbac' | 'none' | 'unknown'
 */
import type { Problem } from '../core/errors.ts';
import { defaultPriorityLevel } from '../model/kubernetes.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import { isGroupVersionResource, resourcePlural } from '../model/resource-name.ts';
import { wellKnownAgent } from './agent-images.ts';
import { callProfile } from './agents/agent.ts';
import { AGENT_READERS } from './agents/registry.ts';
import { scanAgents } from './agents/scan.ts';
import { parseProfileAnnotation, PROFILE_ANNOTATION } from './annotation.ts';
import { KNOWN_RESOURCES } from './capacity.ts';
import { type ByName, Fields, type KObject } from './objects.ts';
import { grantsAllow, ruleAllows, type Grant, type Rbac } from './rbac.ts';
import type { DerivedCall, Finding, Loc, Severity, WorkloadProfile } from './types.ts';
import type { Container, WorkloadInfo } from './workloads.ts';

/** Period assumed for a client that may list a type but not watch it (RBAC worst case): it must poll. */
export const RBAC_POLL_PERIOD_S = 60;

/** The rule of the findings about what the analyzer cannot see. */
export const PROFILE_UNKNOWN = 'profile-unknown';

/** What the fallback to the RBAC worst case says, in its note and in every finding it causes. */
export const WORST_CASE_WORDS = "the agent's configuration is not understood; assumed the worst its RBAC allows";

export interface ProfileContext {
  readonly configMaps: ByName<KObject>;
  /** Secrets of the input by "namespace/name" (some charts keep an agent's configuration in one). */
  readonly secrets: ByName<KObject>;
  readonly rbac: Rbac;
  readonly flowSchemas: readonly KObject[];
  readonly model: ModelConfig;
  readonly problems: Problem[];
  readonly findings: Finding[];
  /** `profile-unknown` findings are block instead of warn (--strict). */
  readonly strict?: boolean;
}

function finding(w: WorkloadInfo, rule: string, severity: Finding['severity'], at: Loc, message: string, fix: string): Finding {
  return { rule, severity, file: at.file, line: at.line, column: at.column, workload: w.id, message, fix };
}

/** One thing the input does not show about a workload's API use, and how to provide it. */
interface Blind {
  readonly at: Loc;
  readonly what: string;
  readonly how: string;
}

export function deriveProfile(w: WorkloadInfo, ctx: ProfileContext): WorkloadProfile {
  const { problems, findings } = ctx;
  const unknownSeverity: Severity = ctx.strict === true ? 'block' : 'warn';
  let source: WorkloadProfile['source'] = 'none';
  let calls: DerivedCall[] = [];
  const agents: string[] = [];
  let levelOverride: { level: string; at: Loc } | undefined;
  const blind: Blind[] = [];
  /** Containers no reader recognised that name a well-known agent: "Datadog Agent (gcr.io/datadoghq/agent:7.60.0)". */
  const unread: string[] = [];

  // 1. The annotation.
  const ann = w.annotations.get(PROFILE_ANNOTATION);
  if (ann !== undefined) {
    const abs = w.f.abs(ann.path);
    const parsed = parseProfileAnnotation(w.obj.doc, abs, ann.value, problems);
    if (parsed !== undefined) {
      source = 'annotation';
      calls = parsed.calls.map((c) => ({ profile: c.profile, at: c.at, because: `the ${PROFILE_ANNOTATION} annotation states it`, ...(c.profile.scope === 'namespace' ? { namespaces: [w.namespace] } : {}) }));
      if (parsed.priorityLevel !== undefined) levelOverride = { level: parsed.priorityLevel, at: parsed.priorityLevelAt ?? w.at };
    }
  }

  // 2. Known agents' configuration (agents/scan.ts).
  if (source === 'none') {
    const scan = scanAgents(w, ctx);
    for (const n of scan.notes) {
      // A reader that cannot read what decides the agent's calls says so as profile-unknown; --strict makes it block.
      findings.push(finding(w, n.rule, n.rule === PROFILE_UNKNOWN ? unknownSeverity : n.severity, n.at, n.message, n.fix));
    }
    agents.push(...scan.agents);
    calls = scan.calls;
    if (agents.length > 0) source = 'agent-config';
    // Missing configuration: of a container whose image names an agent with a reader, the agent's calls are
    // not known (profile-unknown); of anything else, a note (an upper bound still comes from RBAC).
    const reported = new Set<string>();
    for (const { i, ref } of scan.missing) {
      const c = scan.containers[i] as Container;
      const key = `${c.name}/${ref.kind}/${ref.name}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const readerOf = scan.recognised[i] === true ? undefined : AGENT_READERS.find((r) => r.image?.test(c.image.toLowerCase()) === true);
      const at = w.f.loc([...c.path, 'volumeMounts']);
      if (readerOf !== undefined) {
        blind.push({ at, what: `container ${c.name} runs ${readerOf.id} (image ${c.image}), whose configuration would be in ${ref.kind} ${w.namespace}/${ref.name}, which is not in the input`, how: `include ${ref.kind} ${w.namespace}/${ref.name} (helm template / kustomize build output holds both)` });
      } else {
        findings.push(finding(w, 'config-not-found', 'note', at, `container ${c.name} mounts ${ref.kind} ${w.namespace}/${ref.name}, which is not in the input; an agent configuration in it cannot be read`, `pass the ${ref.kind} with the workload (helm template / kustomize build output holds both)`));
      }
    }
    scan.containers.forEach((c, i) => {
      if (scan.recognised[i] === true) return;
      const name = wellKnownAgent(c.image);
      if (name !== undefined) unread.push(`${name} (${c.image})`);
    });
  }

  const saKey = `${w.namespace}/${w.serviceAccount}`;
  // The pod's automountServiceAccountToken wins over the ServiceAccount's; a projected serviceAccountToken volume is a token either way.
  const noToken = !w.projectedToken && (w.automountToken ?? ctx.rbac.automount(w.namespace, w.serviceAccount) ?? true) === false;
  const res = ctx.rbac.resolve(w.namespace, w.serviceAccount);
  const grants = res.grants;
  const bindings = res.bindings;
  const unreadText = unread.length > 0 ? `; its image names ${unread.join(' and ')}, which the analyzer has no reader for` : '';

  // 3. The RBAC worst case — or what the input does not show.
  if (source === 'none' && noToken) blind.length = 0; // no token: no API calls, whatever its configuration says
  else if (source === 'none') {
    for (const u of res.unresolved) blind.push({ at: u.at, what: `${u.binding} grants ${u.role}, which ${u.why}`, how: `include ${u.role} in the input` });
    const saInInput = ctx.rbac.serviceAccount(w.namespace, w.serviceAccount) !== undefined;
    if (bindings.length === 0) {
      if (w.serviceAccount !== 'default' && !saInInput) {
        blind.push({ at: w.serviceAccountAt, what: `serviceaccount ${saKey} is not in the input and no RoleBinding or ClusterRoleBinding of the input names it: its RBAC lives elsewhere`, how: `include the ServiceAccount ${saKey} with its (Cluster)Role and binding` });
      } else if (w.serviceAccount === 'default' && w.perNode) {
        blind.push({ at: w.serviceAccountAt, what: `the DaemonSet runs as the default service account of ${w.namespace} and no binding of the input names it: whether it is granted anything elsewhere cannot be told from the input`, how: `give it its own ServiceAccount with its (Cluster)Role and binding in the input, or set automountServiceAccountToken: false if it does not call the API` });
      } else if (saInInput && w.perNode) {
        findings.push(
          finding(
            w,
            'rbac-worst-case',
            'note',
            w.serviceAccountAt,
            `no ${PROFILE_ANNOTATION} annotation and no agent configuration the analyzer understands${unreadText}; serviceaccount ${saKey} is in the input and no binding of the input names it, so it is taken to make no API calls (an assumption: a binding outside the input would change that)`,
            `if it is bound elsewhere, include that binding in the input or state its calls in a ${PROFILE_ANNOTATION} annotation`,
          ),
        );
      }
    }
    const worst = worstCase(grants);
    if (worst.length > 0) {
      calls = worst;
      source = 'rbac';
    }
    if (blind.length === 0 && bindings.length > 0 && (worst.length > 0 || unread.length > 0)) {
      findings.push(
        finding(
          w,
          'rbac-worst-case',
          'note',
          worst[0]?.at ?? w.serviceAccountAt,
          `no ${PROFILE_ANNOTATION} annotation and no agent configuration the analyzer understands${unreadText}: ${WORST_CASE_WORDS} — ${worst.length > 0 ? `serviceaccount ${saKey} may ${worst.map((c) => `${c.profile.verb === 'watch' ? 'list and watch' : 'list'} ${c.profile.resource}${c.profile.scope === 'namespace' ? ` in ${(c.namespaces ?? []).join(', ')}` : ' cluster-wide'}`).join(', ')}; every finding on these calls is an assumption, not what the workload was seen to do` : `its RBAC allows no list or watch of any collection, so it is estimated to make no such calls`}`,
          `state the real calls in a ${PROFILE_ANNOTATION} annotation, or narrow its RBAC to what it uses`,
        ),
      );
    }
  }
  if (blind.length > 0) {
    if (source === 'none') source = 'unknown';
    const first = blind[0] as Blind;
    const counted =
      calls.length === 0
        ? ' It is estimated as making no API calls, which is not known.'
        : res.unresolved.length > 0
          ? ` The estimate counts what the RBAC that can be seen allows (${summary(calls)}): ${WORST_CASE_WORDS}, and the grants that cannot be seen may allow more — a lower bound.`
          : ` The estimate counts the worst its RBAC allows (${summary(calls)}): ${WORST_CASE_WORDS} — an upper bound, not what it was seen to do.`;
    findings.push(
      finding(
        w,
        PROFILE_UNKNOWN,
        unknownSeverity,
        first.at,
        `the API use of ${w.id} cannot be determined from the input${unreadText}: ${blind.map((b) => b.what).join('; ')}.${counted}`,
        `${[...new Set(blind.map((b) => b.how))].join('; ')}; or state its calls in a ${PROFILE_ANNOTATION} annotation (\`none\` if it makes none)${ctx.strict === true ? '' : ' (--strict makes this finding block)'}`,
      ),
    );
  }

  // The RBAC the profile needs.
  if (calls.length > 0 && (source === 'annotation' || source === 'agent-config')) {
    if (noToken) {
      findings.push(finding(w, 'rbac-missing', 'warn', w.serviceAccountAt, `${w.id} makes API calls but automountServiceAccountToken is false: without a token of its own the calls are refused (and retried)`, 'mount the service account token, or remove the calls'));
    } else if (bindings.length === 0) {
      const saMissing = w.serviceAccount !== 'default' && ctx.rbac.serviceAccount(w.namespace, w.serviceAccount) === undefined;
      findings.push(
        finding(
          w,
          'rbac-missing',
          'warn',
          w.serviceAccountAt,
          `${w.id} makes API calls (${summary(calls)}) as serviceaccount ${saKey}, but no RoleBinding or ClusterRoleBinding in the input grants it anything${saMissing ? ', and the ServiceAccount itself is not in the input' : ''}: refused calls are retried, adding load instead of removing it`,
          'put the ServiceAccount, its (Cluster)Role and binding beside the workload (as its chart ships them)',
        ),
      );
    } else {
      const missing: string[] = [];
      for (const c of calls) {
        const p = c.profile;
        const verbs = p.verb === 'watch' ? ['list', 'watch'] : [p.verb];
        const nss = p.scope === 'namespace' ? (c.namespaces ?? null) : null;
        // RBAC names a custom type by its plural (under its apiGroups): cilium.io/v2/ciliumnodes is `ciliumnodes`.
        if (!grantsAllow(grants, verbs, isGroupVersionResource(p.resource) ? resourcePlural(p.resource) : p.resource, nss)) missing.push(`${verbs.join('+')} ${p.resource}${nss !== null ? ` in ${nss.join(', ')}` : ' in all namespaces'}`);
      }
      const unresolved = res.unresolved.map((u) => `${u.binding} → ${u.role}`);
      if (missing.length > 0) {
        findings.push(
          finding(
            w,
            'rbac-missing',
            unresolved.length > 0 ? 'note' : 'warn',
            w.serviceAccountAt,
            `serviceaccount ${saKey} lacks what ${w.id} calls: ${[...new Set(missing)].join('; ')}${unresolved.length > 0 ? ` (roles not in the input: ${unresolved.join(', ')})` : ''}; refused calls are retried, adding load instead of removing it`,
            'grant exactly these verbs and resources (ClusterRole for cluster-wide and node-filtered lists)',
          ),
        );
      }
    }
  }

  if (w.nodeSubset && calls.length > 0) {
    findings.push(finding(w, 'node-subset', 'note', w.f.loc([...w.podSpecPath, 'nodeSelector']), `${w.id} runs on a subset of nodes (nodeSelector or node affinity); it is estimated as if on every node, an upper bound`, 'none needed'));
  }

  // Priority level.
  let level = defaultPriorityLevel({ kind: 'service-account', namespace: w.namespace, name: w.serviceAccount }, calls[0]?.profile.resource ?? 'pods');
  const fs = matchFlowSchema(ctx.flowSchemas, w, problems);
  const known = levelNames(ctx.model);
  if (levelOverride !== undefined) {
    if (known.has(levelOverride.level)) level = levelOverride.level;
    else {
      problems.push({ file: levelOverride.at.file, line: levelOverride.at.line, column: levelOverride.at.column, path: `metadata.annotations["${PROFILE_ANNOTATION}"] → priorityLevel`, message: `priority level \`${levelOverride.level}\` is not one of the model's levels`, hint: `levels: ${[...known].join(', ')}` });
    }
  } else if (fs !== undefined) {
    if (known.has(fs.level)) level = fs.level;
    else findings.push(finding(w, 'flowschema', 'note', fs.at, `FlowSchema ${fs.name} sends ${w.id}'s requests to priority level ${fs.level}, which the model does not know; estimated at ${level} (the default)`, 'none needed'));
  }
  return { workload: w, source, agents, calls, priorityLevel: level };
}

function summary(calls: readonly DerivedCall[]): string {
  const s = [...new Set(calls.map((c) => `${c.profile.verb} ${c.profile.resource}`))];
  return s.length > 4 ? `${s.slice(0, 4).join(', ')}, …` : s.join(', ');
}

/** Every type the grants allow listing, as informers (list + watch) or polls (list only), at the widest scope granted. */
function worstCase(grants: readonly Grant[]): DerivedCall[] {
  const byRes = new Map<string, { cluster: Grant | undefined; namespaces: Map<string, Grant> }>();
  for (const g of grants) {
    for (const r of g.rule.resources) {
      if (r.includes('/')) continue; // subresources (pods/log, nodes/proxy) are not collections
      for (const name of r === '*' ? KNOWN_RESOURCES : [r]) {
        if (!ruleAllows(g.rule, 'list', name)) continue;
        const e = byRes.get(name) ?? { cluster: undefined, namespaces: new Map<string, Grant>() };
        if (g.namespace === null) e.cluster ??= g;
        else if (!e.namespaces.has(g.namespace)) e.namespaces.set(g.namespace, g);
        byRes.set(name, e);
      }
    }
  }
  const out: DerivedCall[] = [];
  for (const [res, e] of [...byRes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const targets: { ns: string | null; g: Grant }[] = e.cluster !== undefined ? [{ ns: null, g: e.cluster }] : [...e.namespaces].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([ns, g]) => ({ ns, g }));
    for (const { ns, g } of targets) {
      const watch = grantsAllow(grants, ['watch'], res, ns === null ? null : [ns]);
      const j = g.rule.resources.indexOf(res);
      const at = g.rule.at(j >= 0 ? j : g.rule.resources.indexOf('*'));
      const scope = ns === null ? 'cluster' : 'namespace';
      out.push({
        profile: watch ? callProfile(`rbac-watch-${res}${ns !== null ? `-${ns}` : ''}`, 'watch', res, { scope }) : callProfile(`rbac-list-${res}${ns !== null ? `-${ns}` : ''}`, 'list', res, { scope, periodS: RBAC_POLL_PERIOD_S }),
        at,
        because: `assumed from RBAC, not seen in its configuration: ${g.binding} grants ${g.role}, which allows ${watch ? 'list and watch' : 'list'} of ${res} ${ns === null ? 'in every namespace' : `in ${ns}`}, taken as ${watch ? 'an informer' : `a LIST every ${RBAC_POLL_PERIOD_S} s`} (the worst case)`,
        ...(ns !== null ? { namespaces: [ns] } : {}),
      });
    }
  }
  return out;
}

/** The names of the model's priority levels (made once per model). */
function levelNames(model: ModelConfig): ReadonlySet<string> {
  let names = levelNamesOf.get(model);
  if (names === undefined) {
    names = new Set(model.apf.levels.map((l) => l.name));
    levelNamesOf.set(model, names);
  }
  return names;
}
const levelNamesOf = new WeakMap<ModelConfig, ReadonlySet<string>>();

/** The input's FlowSchema that matches the workload's service account before the default ones do. */
function matchFlowSchema(flowSchemas: readonly KObject[], w: WorkloadInfo, problems: Problem[]): { name: string; level: string; at: Loc } | undefined {
  // Default FlowSchemas a service account meets first: kube-system-service-accounts (900) or service-accounts (9000) (ref).
  const defaultPrecedence = w.namespace === 'kube-system' ? 900 : 9000;
  let best: { name: string; level: string; at: Loc; precedence: number } | undefined;
  for (const o of flowSchemas) {
    const f = new Fields(o, problems);
    const precedence = f.int(['spec', 'matchingPrecedence']) ?? 1000;
    const level = f.str(['spec', 'priorityLevelConfiguration', 'name']);
    if (level === undefined || precedence >= defaultPrecedence || (best !== undefined && precedence >= best.precedence)) continue;
    const rules = f.list(['spec', 'rules']) ?? [];
    // A rule with no resourceRules (a non-resource rule: /healthz, /version…) never matches the
    // workload's calls, which are resource requests (apiserver flowcontrol rule.go matchesPolicyRule).
    const matches = rules.some((_, i) =>
      (f.list(['spec', 'rules', i, 'resourceRules']) ?? []).length > 0 &&
      (f.list(['spec', 'rules', i, 'subjects']) ?? []).some((__, j) => {
        const s: (string | number)[] = ['spec', 'rules', i, 'subjects', j];
        const kind = f.str([...s, 'kind']);
        if (kind === 'ServiceAccount') {
          const name = f.str([...s, 'serviceAccount', 'name']);
          const ns = f.str([...s, 'serviceAccount', 'namespace']);
          return (name === '*' || name === w.serviceAccount) && ns === w.namespace;
        }
        if (kind === 'Group') {
          const g = f.str([...s, 'group', 'name']);
          return g === 'system:serviceaccounts' || g === `system:serviceaccounts:${w.namespace}` || g === 'system:authenticated';
        }
        return f.str([...s, 'user', 'name']) === `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;
      }),
    );
    if (matches) best = { name: o.name, level, at: f.loc(['spec', 'priorityLevelConfiguration', 'name']), precedence };
  }
  return best;
}
