/**
 * Which switch documents a guard takes: those of its own change, never an
 * older generation than one it has taken (a replayed "on" cannot undo an
 * "off"), and at an equal generation only the very same document (two
 * different documents claiming one generation: neither is trusted over what
 * the guard knows). Pure: the guard keeps what it knows (and persists it,
 * so that a restarted guard still knows it).
 *
 * @example
 *   acceptDocument(known, doc, 'agent'); // { accept: false, reason: 'stale generation 3 (the guard has seen 5): replayed document refused' }
 */
import { serializeDocument, type SwitchDocument } from './document.ts';

export type Acceptance = { readonly accept: true; readonly newer: boolean } | { readonly accept: false; readonly reason: string };

/** Whether to take `doc` for `change`, given the newest document taken so far (`known`). `newer`: it moves the guard forward. */
export function acceptDocument(known: SwitchDocument | undefined, doc: SwitchDocument, change: string): Acceptance {
  if (doc.change !== change) return { accept: false, reason: `document of change ${JSON.stringify(doc.change)}, not ${JSON.stringify(change)}: refused` };
  if (known === undefined || doc.generation > known.generation) return { accept: true, newer: true };
  if (doc.generation < known.generation) return { accept: false, reason: `stale generation ${doc.generation} (the guard has seen ${known.generation}): replayed document refused` };
  if (serializeDocument(doc) !== serializeDocument(known)) return { accept: false, reason: `a different document with the same generation ${doc.generation}: refused, the guard keeps what it knows` };
  return { accept: true, newer: false };
}

/**
 * The generation of the next document the server makes: above the last one, and at least `nowMs` (the
 * issue time in epoch ms), so that a server that lost its state file still issues generations above those
 * its guards have seen (as long as its clock moves forward) instead of starting again at 1 and being
 * refused as a replay.
 */
export function nextGeneration(last: number | undefined, nowMs: number): number {
  return Math.max((last ?? 0) + 1, Math.floor(nowMs));
}
