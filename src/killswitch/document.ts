/**
 * The switch document: the state of one change's kill switch, as firebreak
 * publishes it and every guard reads it. Serialised canonically (fixed key
 * order, sorted cluster list, no spaces), so that the bytes a server signs
 * are the bytes a guard verifies; parsed strictly (every field present and
 * of its type, nothing unknown): anything else is not a switch document.
 *
 * - `state` is the change's switch everywhere: `off` stops every agent of the
 *   change; `clustersOff` lists clusters where it is off on its own (the
 *   orchestrator's rollback of one cluster). A guard that knows its cluster
 *   is off when either says so.
 * - `generation` orders documents: each flip makes a new document with a
 *   higher generation; a guard never goes back to a lower one (a replayed
 *   older "on" cannot undo an "off").
 * - `issued` is when the document was made (RFC 3339, UTC), given by the
 *   caller: this layer reads no clock.
 *
 * @example
 *   const text = serializeDocument({ apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: 'off', clustersOff: [], generation: 2, issued: '2026-12-07T16:00:00.000Z' });
 *   parseDocument(text); // { ok: true, document: { … } }
 */

export const SWITCH_API_VERSION = 'killswitch.firebreak.dev/v1';
export const SWITCH_KIND = 'KillSwitch';

export type SwitchState = 'on' | 'off';

export interface SwitchDocument {
  readonly apiVersion: typeof SWITCH_API_VERSION;
  readonly kind: typeof SWITCH_KIND;
  /** The change (its workload's name). */
  readonly change: string;
  /** The switch for the change everywhere. */
  readonly state: SwitchState;
  /** Clusters where the change is switched off on its own, sorted, without duplicates. */
  readonly clustersOff: readonly string[];
  /** Orders the documents of one change: a safe integer ≥ 0, higher is newer. */
  readonly generation: number;
  /** When the document was made: RFC 3339 in UTC with milliseconds (`Date.prototype.toISOString`). */
  readonly issued: string;
}

/** RFC 1123 subdomain, as Kubernetes requires of object names (a change is named by its workload). */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAME_MAX = 253;
/** RFC 1123 label (firebreak's cluster names, docs/fleet-format.md). */
const CLUSTER = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CLUSTER_MAX = 63;
const ISSUED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A document is small; anything larger is not one (and is not parsed). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/** Whether `name` can name a change (a Kubernetes object name: RFC 1123 subdomain, ≤ 253 characters). */
export function isChangeName(name: string): boolean {
  return name.length <= NAME_MAX && NAME.test(name);
}

/** Whether `name` can name a cluster (RFC 1123 label, ≤ 63 characters). */
export function isClusterName(name: string): boolean {
  return name.length <= CLUSTER_MAX && CLUSTER.test(name);
}

/** The document's canonical text: fixed key order, clusters sorted, no whitespace. */
export function serializeDocument(d: SwitchDocument): string {
  const clusters = [...new Set(d.clustersOff)].sort();
  return JSON.stringify({ apiVersion: d.apiVersion, kind: d.kind, change: d.change, state: d.state, clustersOff: clusters, generation: d.generation, issued: d.issued });
}

export type ParseResult = { readonly ok: true; readonly document: SwitchDocument } | { readonly ok: false; readonly reason: string };

const KEYS = ['apiVersion', 'kind', 'change', 'state', 'clustersOff', 'generation', 'issued'];

/** A switch document from its text, every field checked; `reason` says what is wrong otherwise. */
export function parseDocument(text: string): ParseResult {
  if (text.length > MAX_DOCUMENT_BYTES) return { ok: false, reason: `document larger than ${MAX_DOCUMENT_BYTES} bytes` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'document is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'document is not a JSON object' };
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) return { ok: false, reason: `unknown field ${unknown[0] ?? ''}` };
  if (o.apiVersion !== SWITCH_API_VERSION) return { ok: false, reason: `apiVersion must be ${SWITCH_API_VERSION}` };
  if (o.kind !== SWITCH_KIND) return { ok: false, reason: `kind must be ${SWITCH_KIND}` };
  if (typeof o.change !== 'string' || !isChangeName(o.change)) return { ok: false, reason: 'change must be a Kubernetes object name (RFC 1123 subdomain)' };
  if (o.state !== 'on' && o.state !== 'off') return { ok: false, reason: 'state must be "on" or "off"' };
  if (!Array.isArray(o.clustersOff) || !o.clustersOff.every((c): c is string => typeof c === 'string' && isClusterName(c))) {
    return { ok: false, reason: 'clustersOff must be a list of cluster names' };
  }
  if (typeof o.generation !== 'number' || !Number.isSafeInteger(o.generation) || o.generation < 0) return { ok: false, reason: 'generation must be a whole number ≥ 0' };
  if (typeof o.issued !== 'string' || !ISSUED.test(o.issued) || Number.isNaN(Date.parse(o.issued))) return { ok: false, reason: 'issued must be an RFC 3339 UTC time such as 2026-12-07T16:00:00.000Z' };
  return {
    ok: true,
    document: { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: o.change, state: o.state, clustersOff: [...new Set(o.clustersOff)].sort(), generation: o.generation, issued: o.issued },
  };
}

/** The switch for one cluster (or for the change everywhere when `cluster` is undefined): off when either says off. */
export function effectiveState(d: SwitchDocument, cluster: string | undefined): SwitchState {
  if (d.state === 'off') return 'off';
  return cluster !== undefined && d.clustersOff.includes(cluster) ? 'off' : 'on';
}
