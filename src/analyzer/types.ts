/**
 * Types of the pre-flight analyzer: the manifest documents it reads (already
 * parsed, with positions, by src/input/manifests.ts), the workloads and API
 * access profiles it derives, and the analysis it reports (docs/analyzer.md).
 */
import type { CallProfile } from '../model/profile.ts';

/** 1-based position in a file. */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

export type DocPath = readonly (string | number)[];

/** One YAML document of a manifest file, as plain data with a way back to positions. */
export interface ManifestDocument {
  /** File name as the user gave it (or as found under a directory they gave). */
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** The document as plain data. */
  readonly value: unknown;
  /** Position of the value (or its key) at `path`; of the deepest existing ancestor when the path is missing. */
  locate(path: DocPath, target?: 'key' | 'value'): Pos | undefined;
  /**
   * Position of the character at `offset` in the string at `path` (a ConfigMap
   * key holding a whole configuration file): its own line for block scalars
   * (`|`), the string's start otherwise.
   */
  locateInString(path: DocPath, offset: number): Pos | undefined;
}

/** Where something is in the input. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Verdict = 'ok' | 'warn' | 'block';
export type Severity = 'block' | 'warn' | 'note';

export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { ok: 0, warn: 1, block: 2 };

export function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

export type WorkloadKind = 'DaemonSet' | 'Deployment' | 'StatefulSet' | 'ReplicaSet' | 'Job' | 'CronJob' | 'Pod';

/**
 * Where a workload's API access profile came from, in order of precedence;
 * `none`: determined to make no API calls (docs/analyzer.md, "What the
 * analyzer cannot see"); `unknown`: not determined from the input (a
 * `profile-unknown` finding says what is missing).
 */
export type ProfileSource = 'annotation' | 'agent-config' | 'rbac' | 'none' | 'unknown';

/** One API call a workload's pods make, with the input position that makes them make it. */
export interface DerivedCall {
  readonly profile: CallProfile;
  readonly at: Loc;
  /** What in the input implies the call, for messages: "k8sattributes pod informer without a node filter". */
  readonly because: string;
  /** The agent the call comes from, when a known agent's configuration implied it. */
  readonly agent?: string;
  /** For namespace-scoped calls: the namespaces they cover (absent: every namespace, one at a time). */
  readonly namespaces?: readonly string[];
  /**
   * Made only by the replica that holds a leader-election lease: one client
   * per cluster whatever the workload's pod count (an OpenTelemetry receiver
   * behind `k8s_leader_elector`, an operator's leader-elected controllers).
   * The election itself is not free: every candidate's lease requests are calls
   * of their own, made by every client.
   */
  readonly leaderOnly?: boolean;
  /**
   * The reader's own fix for a call that costs too much when every pod of a
   * DaemonSet makes it (what the agent's documentation says to do); without
   * it the analyzer proposes a generic one.
   */
  readonly fix?: string;
}

export interface Workload {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** "DaemonSet telemetry/telemetry-agent". */
  readonly id: string;
  readonly at: Loc;
  /** Position of `serviceAccountName` (or of the pod spec when it is not set). */
  readonly serviceAccountAt: Loc;
  /** A DaemonSet runs one pod per node; everything else a fixed number. */
  readonly perNode: boolean;
  readonly replicas: number;
}

export interface WorkloadProfile {
  readonly workload: Workload;
  readonly source: ProfileSource;
  /** Known agents whose configuration was read ("fluent-bit", "otel-collector", ...). */
  readonly agents: readonly string[];
  readonly calls: readonly DerivedCall[];
  /** APF priority level its requests land in (default FlowSchemas). */
  readonly priorityLevel: string;
}

/**
 * Something about the input files themselves that the reader noticed (a file
 * a directory walk did not read, an empty file), reported as a note.
 */
export interface InputNote {
  readonly rule: 'input-skipped' | 'input-empty';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly fix: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** "DaemonSet telemetry/telemetry-agent", or null for findings about the input as a whole. */
  readonly workload: string | null;
  readonly message: string;
  readonly fix: string;
}

/** Node-count ranges in which a verdict holds, from the search over cluster sizes. */
export interface Turn {
  /** Smallest node count at which it is at least warn / block (null: not up to the searched maximum). */
  readonly warnAtNodes: number | null;
  readonly blockAtNodes: number | null;
  /** Every size from this one up to the searched maximum is block (null when the top of the range is not). */
  readonly blockAboveNodes: number | null;
  /** Inclusive [from, to] node ranges that are block, and that are at least warn. */
  readonly blockRanges: readonly (readonly [number, number])[];
  readonly warnRanges: readonly (readonly [number, number])[];
  /** Largest node count searched. */
  readonly searchedUpToNodes: number;
}
