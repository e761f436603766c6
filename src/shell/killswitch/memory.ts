/**
 * What a guard remembers across its own restarts: the newest signed switch
 * document it accepted, in a marker file `<state-dir>/<change>.switch.json`
 * (written atomically when a newer document is accepted). In a pod the state
 * directory is an emptyDir volume: it outlives container restarts, which
 * the kubelet does on its own while the API server is down — so a guard
 * restarted while its change is off does not start the agent again, and a
 * replayed older "on" is still refused after the restart.
 *
 * A marker that exists but cannot be read or verified is not a pass: the
 * guard treats its change as off until it reads a valid document.
 *
 * @example
 *   const m = loadMemory('/var/run/firebreak-guard', 'agent', publicKey); // { document?: SwitchDocument, corrupt: boolean, reason?: string }
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { verifySigned, type SwitchDocument } from '../../killswitch/index.ts';
import { writeFileAtomic } from './atomic-file.ts';

export interface Memory {
  readonly document?: SwitchDocument;
  /** The marker exists but is not a valid signed document of this change. */
  readonly corrupt: boolean;
  readonly reason?: string;
}

export function markerPath(stateDir: string, change: string): string {
  return join(stateDir, `${change}.switch.json`);
}

export function loadMemory(stateDir: string, change: string, publicKey: KeyObject): Memory {
  const file = markerPath(stateDir, change);
  if (!existsSync(file)) return { corrupt: false };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { corrupt: true, reason: `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const v = verifySigned(text, publicKey);
  if (!v.ok) return { corrupt: true, reason: `${file}: ${v.reason}` };
  if (v.document.change !== change) return { corrupt: true, reason: `${file} holds the switch of ${v.document.change}` };
  return { document: v.document, corrupt: false };
}

/** Remembers `signedText` (the verified signed document of `change`, as received) in the state directory, creating it if needed. */
export function saveMemory(stateDir: string, change: string, signedText: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(markerPath(stateDir, change), signedText.endsWith('\n') ? signedText : signedText + '\n', 0o600);
}
