/**
 * The switch server's state: every change's newest signed document and the
 * command ids already carried out for it (a flip repeated by a restarted
 * orchestrator is not carried out twice). Kept in memory and, with
 * `--state <file>`, written atomically to the file on every flip, before
 * the flip is answered — so that a flip the server acknowledged survives a
 * restart of the server (SIGKILL included).
 *
 * The file (JSON): `{ apiVersion, kind: "KillSwitchServerState", switches:
 * [{ signed: <SignedSwitch>, commands: [<command id>…] }] }`. Loading
 * verifies every document's signature with the server's key: a file signed
 * by another key, or not a state file, is an input error (exit 2).
 *
 * @example
 *   const store = SwitchStore.open('out/switch.json', publicKey);
 *   store.put(record); // written through to the file
 */
import { existsSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { InputError } from '../../core/errors.ts';
import { readInputFile } from '../../input/read.ts';
import { serializeSigned, SWITCH_API_VERSION, verifySigned, type SignedSwitch, type SwitchDocument } from '../../killswitch/index.ts';
import { writeFileAtomic } from './atomic-file.ts';

export const STATE_KIND = 'KillSwitchServerState';
/** Command ids remembered per change (the newest): far more than one rollout's flips. */
export const MAX_COMMANDS = 10_000;

export interface SwitchRecord {
  readonly signed: SignedSwitch;
  readonly document: SwitchDocument;
  readonly commands: readonly string[];
}

function problem(file: string, path: string, message: string, hint?: string): InputError {
  return new InputError([{ file, path, message, ...(hint !== undefined ? { hint } : {}) }]);
}

export class SwitchStore {
  readonly #file: string | undefined;
  readonly #records = new Map<string, SwitchRecord>();

  private constructor(file: string | undefined) {
    this.#file = file;
  }

  /** The store, loaded from `file` when it exists (a missing file is an empty store, created on the first flip). */
  static open(file: string | undefined, publicKey: KeyObject): SwitchStore {
    const store = new SwitchStore(file);
    if (file === undefined || !existsSync(file)) return store;
    const text = readInputFile(file);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw problem(file, '', `not JSON (${e instanceof Error ? e.message : String(e)})`, 'give --state a kill-switch state file written by `firebreak killswitch serve`, or a new path');
    }
    const o = v as { apiVersion?: unknown; kind?: unknown; switches?: unknown } | null;
    if (typeof o !== 'object' || o === null || o.kind !== STATE_KIND || o.apiVersion !== SWITCH_API_VERSION || !Array.isArray(o.switches)) {
      throw problem(file, '', `not a kill-switch state file (kind ${STATE_KIND}, apiVersion ${SWITCH_API_VERSION} expected)`, 'give --state a kill-switch state file written by `firebreak killswitch serve`, or a new path');
    }
    o.switches.forEach((entry: unknown, i) => {
      const e = entry as { signed?: unknown; commands?: unknown } | null;
      const at = `switches[${i}]`;
      if (typeof e !== 'object' || e === null) throw problem(file, at, 'expected an object with signed and commands');
      const verified = verifySigned(JSON.stringify(e.signed), publicKey);
      if (!verified.ok) throw problem(file, `${at}.signed`, verified.reason, 'start the server with the key that signed this state (--key), or move the state file away');
      if (!Array.isArray(e.commands) || !e.commands.every((c): c is string => typeof c === 'string')) throw problem(file, `${at}.commands`, 'expected a list of command ids (strings)');
      const doc = verified.document;
      if (store.#records.has(doc.change)) throw problem(file, `${at}.signed`, `a second switch for change ${JSON.stringify(doc.change)}`);
      store.#records.set(doc.change, { signed: e.signed as SignedSwitch, document: doc, commands: e.commands });
    });
    return store;
  }

  get(change: string): SwitchRecord | undefined {
    return this.#records.get(change);
  }

  /** Every change's record, by name. */
  all(): readonly SwitchRecord[] {
    return [...this.#records.values()].sort((a, b) => (a.document.change < b.document.change ? -1 : 1));
  }

  /** Records `record` (the newest document of its change); written to the file before this returns. */
  put(record: SwitchRecord): void {
    const commands = record.commands.length > MAX_COMMANDS ? record.commands.slice(-MAX_COMMANDS) : record.commands;
    const next = new Map(this.#records);
    next.set(record.document.change, { ...record, commands });
    if (this.#file !== undefined) {
      const switches = [...next.values()].sort((a, b) => (a.document.change < b.document.change ? -1 : 1)).map((r) => `{"signed":${serializeSigned(r.signed)},"commands":${JSON.stringify(r.commands)}}`);
      writeFileAtomic(this.#file, `{"apiVersion":"${SWITCH_API_VERSION}","kind":"${STATE_KIND}","switches":[\n${switches.join(',\n')}\n]}\n`, 0o600);
    }
    this.#records.set(record.document.change, next.get(record.document.change) ?? record);
  }
}
