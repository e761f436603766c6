/**
 * What an agent reader is: it reads one known agent's own configuration (the
 * ConfigMaps and Secrets mounted into its container, its image, arguments and
 * environment) and derives the calls that agent makes to the API server, each
 * located at the setting that causes it. Readers are listed in registry.ts;
 * profile.ts runs them on every workload that has no profile annotation.
 *
 * Informers list with resourceVersion "0" (client-go reflector) and then
 * watch. Label selectors shrink what comes back but the server still scans
 * every object of the type; the estimate counts them unfiltered (an upper
 * bound), as it does a node filtered by name (metadata.name=).
 *
 * @example
 *   const reader: AgentReader = { id: 'my-agent', image: /my-agent/, read: (ctx) => ({ agent: 'my-agent', calls: [], notes: [] }) };
 */
import { CLIENT_GO_BACKOFF, CLIENT_GO_BURST, CLIENT_GO_QPS } from '../../model/kubernetes.ts';
import type { CallProfile, RvSemantics, Scope, Verb } from '../../model/profile.ts';
import type { ModelConfig } from '../../model/model-schema.ts';
import type { Container, WorkloadInfo } from '../workloads.ts';
import type { DerivedCall, DocPath, Loc, ManifestDocument, Severity } from '../types.ts';

/** One configuration text: a key of a ConfigMap (or Secret) mounted into the container. */
export interface ConfigText {
  /** Kind of the object holding it. */
  readonly kind: 'ConfigMap' | 'Secret';
  /** Name of the ConfigMap or Secret. */
  readonly configMap: string;
  readonly key: string;
  readonly text: string;
  readonly doc: ManifestDocument;
  /** Path of the key's value inside its document. */
  readonly path: DocPath;
}

export interface AgentNote {
  readonly rule: string;
  readonly severity: Severity;
  readonly at: Loc;
  readonly message: string;
  readonly fix: string;
}

export interface AgentResult {
  readonly agent: string;
  readonly calls: DerivedCall[];
  readonly notes: AgentNote[];
}

export interface CallOptions {
  readonly scope?: Scope;
  readonly rv?: RvSemantics;
  readonly periodS?: number;
  readonly namespaceFraction?: number;
  readonly qps?: number;
}

/** Some argument (of command or args, a `sh -c` script whole) contains `word`. */
export const argHas = (c: Container, word: string): boolean => c.args.some((a) => a.includes(word));

/** Some configuration text contains `word`. */
export const configHas = (configs: readonly ConfigText[], word: string): boolean => configs.some((t) => t.text.includes(word));

/** client-go's retry, one object shared by every call profile a reader makes (never changed). */
const CLIENT_GO_RETRY: CallProfile['retry'] = Object.freeze({ policy: 'backoff', initialS: CLIENT_GO_BACKOFF.initialS, factor: CLIENT_GO_BACKOFF.factor, maxS: CLIENT_GO_BACKOFF.maxS, jitter: CLIENT_GO_BACKOFF.jitter });

export function callProfile(name: string, verb: Verb, resource: string, o: CallOptions = {}): CallProfile {
  return {
    name,
    verb,
    resource,
    scope: o.scope ?? 'cluster',
    resourceVersion: o.rv ?? (verb === 'watch' ? '0' : 'consistent'),
    periodS: verb === 'watch' ? 0 : (o.periodS ?? 60),
    jitter: 0.1,
    pageSize: 0,
    qps: o.qps ?? CLIENT_GO_QPS,
    burst: CLIENT_GO_BURST,
    retry: CLIENT_GO_RETRY,
    namespaceFraction: o.namespaceFraction ?? 0.05,
  };
}

/** What a reader is given: one container of a workload, with its environment resolved. */
export interface AgentContext {
  readonly workload: WorkloadInfo;
  /** The container, with env vars from ConfigMap keys resolved where the ConfigMap is in the input. */
  readonly container: Container;
  /** Every container of the workload (env resolved), for agents whose sidecars matter. */
  readonly containers: readonly Container[];
  /** The ConfigMap and Secret keys mounted into this container (volumes, projected volumes, envFrom). */
  readonly configs: readonly ConfigText[];
  /**
   * A ConfigMap or Secret of the workload's namespace from the input, by name, whether or not it
   * is mounted (undefined when the input does not hold it): for agents that read their
   * configuration through the API (Cilium's `cilium build-config` init container reads
   * `cilium-config`).
   */
  readonly lookup: (kind: 'ConfigMap' | 'Secret', name: string) => readonly ConfigText[] | undefined;
  readonly model: ModelConfig;
}

/** One known agent. */
export interface AgentReader {
  /** Stable id, also the `agent` of its calls ("fluent-bit"). */
  readonly id: string;
  /**
   * The image of the agent's own container. When some container of the
   * workload matches, only those run the reader: a sidecar that mounts the same
   * ConfigMap (a config reloader) is not the agent. null: every container is
   * offered and the reader decides (from the image, arguments or
   * configuration).
   */
  readonly image: RegExp | null;
  /** The agent's calls, or undefined when this container does not run it. */
  read(ctx: AgentContext): AgentResult | undefined;
  /**
   * A quick necessary condition for `read` to recognise a container, from the words its own tests look
   * for in the (lowercased) image, the arguments and the configuration texts: false only where `read`
   * returns undefined, so that the readers of other agents are not run on it (profile.ts;
   * test/analyzer/reader-dispatch.test.ts checks it on the corpus and generated containers). Absent: always read.
   */
  readonly mayRead?: (image: string, c: Container, configs: readonly ConfigText[]) => boolean;
  /**
   * The project's own fix for a call of this agent that every node makes for
   * the whole cluster (the finding's fix when such a call is what costs), for
   * calls that carry no `fix` of their own; undefined: the generic fixes.
   */
  readonly fix?: (call: DerivedCall) => string | undefined;
}
