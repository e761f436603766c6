/**
 * The agent readers run over one workload's containers (profile.ts, step 2):
 * every reader in registry order, on the containers whose image its `image`
 * hint names (or, when none does, on every container its quick test does not
 * turn away, AgentReader.mayRead), each container with its environment and
 * mounted configuration texts resolved once and shared by every reader. The
 * calls of every reader that recognises a container are merged (each call
 * once), with the agent's own fixes, and so are their notes.
 *
 * @example
 *   const s = scanAgents(workload, { configMaps, secrets, model, problems });
 *   s.agents;   // ['otel-collector']
 *   s.calls;    // the calls its configuration implies, located
 */
import type { Problem } from '../../core/errors.ts';
import type { ModelConfig } from '../../model/model-schema.ts';
import { type ByName, Fields, type KObject } from '../objects.ts';
import type { DerivedCall } from '../types.ts';
import type { Container, EnvVar, MountedObject, WorkloadInfo } from '../workloads.ts';
import type { AgentContext, AgentNote, AgentReader, AgentResult, ConfigText } from './agent.ts';
import { forgetParsedConfigs } from './config-text.ts';
import { AGENT_READERS } from './registry.ts';

export interface ScanInput {
  readonly configMaps: ByName<KObject>;
  /** Secrets of the input by "namespace/name" (some charts keep an agent's configuration in one). */
  readonly secrets: ByName<KObject>;
  readonly model: ModelConfig;
  readonly problems: Problem[];
}

export interface AgentScan {
  /** The workload's containers, their env vars from ConfigMap keys resolved where the ConfigMap is in the input. */
  readonly containers: readonly Container[];
  /** Whether some reader recognised container i. */
  readonly recognised: readonly boolean[];
  /** Known agents whose configuration was read, in the order first met. */
  readonly agents: string[];
  readonly calls: DerivedCall[];
  readonly notes: AgentNote[];
  /** Mounted ConfigMaps and Secrets (not optional) that are not in the input, by container index. */
  readonly missing: readonly { readonly i: number; readonly ref: MountedObject }[];
}

export function scanAgents(w: WorkloadInfo, input: ScanInput): AgentScan {
  const { problems } = input;
  const n = w.containers.length;
  const containers: Container[] = new Array<Container>(n);
  const images: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const c = resolveEnv(w.containers[i] as Container, w.namespace, input);
    containers[i] = c;
    // A sidecar that mounts the same ConfigMap (a config reloader) is not the agent: when some
    // container's image names the agent, only those containers run it.
    images[i] = c.image.toLowerCase();
  }
  const recognised: boolean[] = new Array<boolean>(n).fill(false);
  const missing: { i: number; ref: MountedObject }[] = [];
  const agents: string[] = [];
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];

  // Agents that read their configuration through the API (not mounted) look it up by name.
  let looked: Map<string, ConfigText[] | undefined> | undefined;
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string): ConfigText[] | undefined => {
    looked ??= new Map();
    const key = `${kind}/${name}`;
    if (!looked.has(key)) {
      const o = (kind === 'ConfigMap' ? input.configMaps : input.secrets).get(w.namespace, name);
      looked.set(key, o === undefined ? undefined : configTexts(o, problems));
    }
    return looked.get(key);
  };
  // One context per container, made when a reader first looks at it (its mounted configurations read
  // then, in that order), shared by every reader.
  const contexts: (AgentContext | undefined)[] = new Array<AgentContext | undefined>(n).fill(undefined);
  const contextOf = (i: number): AgentContext => {
    let x = contexts[i];
    if (x === undefined) {
      const container = containers[i] as Container;
      const configs: ConfigText[] = [];
      for (let m = 0; m < container.mounts.length; m++) {
        const ref = container.mounts[m] as MountedObject;
        const o = (ref.kind === 'ConfigMap' ? input.configMaps : input.secrets).get(w.namespace, ref.name);
        if (o === undefined) {
          if (!ref.optional) missing.push({ i, ref });
          continue;
        }
        const texts = configTexts(o, problems);
        for (let t = 0; t < texts.length; t++) configs.push(texts[t] as ConfigText);
      }
      x = { workload: w, container, containers, configs, lookup, model: input.model };
      contexts[i] = x;
    }
    return x;
  };

  // Calls are taken once each (the same profile, position and leader-only flag: the same JSON). Their keys
  // are made only when a second result brings calls, or a result repeats a call name (equal calls share it).
  let seenCalls: Set<string> | undefined;
  let seenNotes: Set<string> | undefined;
  const take = (reader: AgentReader, i: number, r: AgentResult | undefined): void => {
    if (r === undefined) return;
    recognised[i] = true;
    if (!agents.includes(r.agent)) agents.push(r.agent);
    const rc = r.calls;
    if (calls.length === 0 && rc.length > 0 && distinctNames(rc)) {
      for (let k = 0; k < rc.length; k++) calls.push(fixed(reader, rc[k] as DerivedCall));
    } else if (rc.length > 0) {
      if (seenCalls === undefined) {
        seenCalls = new Set();
        for (let k = 0; k < calls.length; k++) seenCalls.add(callKey(calls[k] as DerivedCall));
      }
      for (let k = 0; k < rc.length; k++) {
        const c = rc[k] as DerivedCall;
        const key = callKey(c);
        if (!seenCalls.has(key)) calls.push(fixed(reader, c));
        seenCalls.add(key);
      }
    }
    for (let k = 0; k < r.notes.length; k++) {
      const note = r.notes[k] as AgentNote;
      seenNotes ??= new Set();
      const key = JSON.stringify(note);
      if (!seenNotes.has(key)) notes.push(note);
      seenNotes.add(key);
    }
  };

  // Every reader in order, on its hinted containers (or all of them), each in order — not on those its
  // quick test (AgentReader.mayRead) says it cannot recognise.
  for (let ri = 0; ri < AGENT_READERS.length; ri++) {
    const reader = AGENT_READERS[ri] as AgentReader;
    let hinted = false;
    if (reader.image !== null) {
      for (let i = 0; i < n; i++) {
        if (!reader.image.test(images[i] as string)) continue;
        hinted = true;
        take(reader, i, reader.read(contextOf(i)));
      }
    }
    if (hinted) continue;
    for (let i = 0; i < n; i++) {
      const x = contextOf(i);
      if (reader.mayRead !== undefined && !reader.mayRead(images[i] as string, x.container, x.configs)) continue;
      take(reader, i, reader.read(x));
    }
  }
  forgetParsedConfigs();
  return { containers, recognised, agents, calls, notes, missing };
}

/** Whether no two calls share a name. */
function distinctNames(calls: readonly DerivedCall[]): boolean {
  for (let a = 1; a < calls.length; a++) {
    const name = (calls[a] as DerivedCall).profile.name;
    for (let b = 0; b < a; b++) if ((calls[b] as DerivedCall).profile.name === name) return false;
  }
  return true;
}

const callKey = (c: DerivedCall): string => JSON.stringify([c.profile, c.at, c.leaderOnly === true]);

/** The call with the agent's own fix, for a call that carries none (AgentReader.fix). */
function fixed(reader: AgentReader, c: DerivedCall): DerivedCall {
  const fix = c.fix ?? reader.fix?.(c);
  return fix === undefined || fix === c.fix ? c : { ...c, fix };
}

/** The keys of a ConfigMap (`data`) or Secret (`stringData`, and `data` decoded from base64) as configuration texts. */
export function configTexts(o: KObject, problems: Problem[]): ConfigText[] {
  // The same texts for every workload and reader that reads the object, so that each is parsed once
  // (YamlConfig.parse); its problems (a value that is not a string) are reported once.
  let known = textsOf.get(o);
  if (known === undefined) {
    const probs: Problem[] = [];
    const f = new Fields(o, probs);
    const kind = o.kind === 'Secret' ? 'Secret' : 'ConfigMap';
    const texts: ConfigText[] = [];
    for (const [key, text] of Object.entries(f.stringMap(['data']))) {
      texts.push({ kind, configMap: o.name, key, text: kind === 'Secret' ? Buffer.from(text, 'base64').toString('utf8') : text, doc: o.doc, path: f.abs(['data', key]) });
    }
    if (kind === 'Secret') for (const [key, text] of Object.entries(f.stringMap(['stringData']))) texts.push({ kind, configMap: o.name, key, text, doc: o.doc, path: f.abs(['stringData', key]) });
    known = { texts, problems: probs, reported: false };
    textsOf.set(o, known);
  }
  if (!known.reported && known.problems.length > 0) {
    problems.push(...known.problems);
    known.reported = true;
  }
  return known.texts;
}

const textsOf = new WeakMap<KObject, { readonly texts: ConfigText[]; readonly problems: readonly Problem[]; reported: boolean }>();

/** Env vars from ConfigMap keys take their value from the input's ConfigMap, when it is there. */
export function resolveEnv(c: Container, namespace: string, input: Pick<ScanInput, 'configMaps'>): Container {
  // Most containers have no such variable: the environment is copied only for one that resolves.
  let env: Map<string, EnvVar> | undefined;
  c.env.forEach((v, k) => {
    if (v.value !== undefined || v.configMapKeyRef === undefined) return;
    const cm = input.configMaps.get(namespace, v.configMapKeyRef.name);
    const data = cm?.value.data;
    const value = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>)[v.configMapKeyRef.key] : undefined;
    if (typeof value === 'string') {
      env ??= new Map(c.env);
      env.set(k, { ...v, value });
    }
  });
  return env !== undefined ? { ...c, env } : c;
}
