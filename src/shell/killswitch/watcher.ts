/**
 * A guard's view of its switch, shared by the wrapping guard and the
 * sidecar: reads the switch (fetch-switch.ts), verifies the signature,
 * applies the generation rule (a replayed or forged document is refused and
 * counted as a failed read), remembers a newer document (memory.ts), and
 * answers the pure decision (src/killswitch/decision.ts): run or stop.
 * Logs a line when what it sees changes (not on every poll).
 *
 * @example
 *   const w = new SwitchWatcher({ url, change: 'agent', publicKey, policy: 'keep-running', stateDir, pollS: 10, log });
 *   await w.read();
 *   w.decision(); // { action: 'run', reason: 'switched on' }
 */
import type { KeyObject } from 'node:crypto';
import { acceptDocument, decide, effectiveState, isUnreachable, verifySigned, type GuardAction, type SwitchDocument, type UnreachablePolicy } from '../../killswitch/index.ts';
import { fetchSwitch } from './fetch-switch.ts';
import { loadMemory, saveMemory } from './memory.ts';

export interface WatchOptions {
  readonly url: string;
  readonly change: string;
  readonly cluster?: string;
  readonly publicKey: KeyObject;
  readonly policy: UnreachablePolicy;
  readonly stateDir: string;
  readonly pollS: number;
  readonly log: (line: string) => void;
}

/** A read waits at most this long: most of a poll interval, from 0.5 s to 10 s. */
export function readTimeoutMs(pollS: number): number {
  return Math.round(Math.min(10_000, Math.max(500, pollS * 800)));
}

export class SwitchWatcher {
  readonly #o: WatchOptions;
  #known: SwitchDocument | undefined;
  /** The marker was unreadable: off until a valid document is read. */
  #suspect: boolean;
  #failures = 0;
  #lastMessage = '';

  constructor(o: WatchOptions) {
    this.#o = o;
    const memory = loadMemory(o.stateDir, o.change, o.publicKey);
    this.#known = memory.document;
    this.#suspect = memory.corrupt;
    if (memory.corrupt) this.#say(`marker unusable (${memory.reason ?? ''}): the change counts as off until a valid switch document is read`);
    else if (memory.document !== undefined) this.#say(`remembered switch: ${this.state() ?? 'unknown'} (generation ${memory.document.generation})`);
  }

  #say(line: string): void {
    if (line === this.#lastMessage) return;
    this.#lastMessage = line;
    this.#o.log(line);
  }

  /** The effective switch state the guard knows (undefined: none yet). */
  state(): 'on' | 'off' | undefined {
    if (this.#suspect) return 'off';
    return this.#known === undefined ? undefined : effectiveState(this.#known, this.#o.cluster);
  }

  get generation(): number | undefined {
    return this.#known?.generation;
  }

  get failures(): number {
    return this.#failures;
  }

  decision(): { readonly action: GuardAction; readonly reason: string } {
    return decide({ known: this.state(), failures: this.#failures, policy: this.#o.policy });
  }

  /** One read of the switch; never throws. */
  async read(): Promise<void> {
    const got = await fetchSwitch(this.#o.url, this.#o.change, readTimeoutMs(this.#o.pollS));
    if (!got.ok) return this.#failed(`switch read failed: ${got.reason}`);
    const v = verifySigned(got.body, this.#o.publicKey);
    if (!v.ok) return this.#failed(`switch document refused: ${v.reason}`);
    const acceptance = acceptDocument(this.#known, v.document, this.#o.change);
    if (!acceptance.accept) return this.#failed(`switch document refused: ${acceptance.reason}`);
    const before = this.state();
    const wasUnreachable = isUnreachable(this.#failures);
    this.#failures = 0;
    if (acceptance.newer || this.#suspect) {
      try {
        saveMemory(this.#o.stateDir, this.#o.change, got.body);
      } catch (e) {
        this.#say(`cannot write the marker in ${this.#o.stateDir}: ${e instanceof Error ? e.message : String(e)} (the switch is still obeyed while this guard runs)`);
      }
      this.#known = v.document;
      this.#suspect = false;
    }
    const after = this.state();
    if (before !== after || wasUnreachable) this.#say(`switch ${this.#o.change}${this.#o.cluster !== undefined ? ` (cluster ${this.#o.cluster})` : ''}: ${after ?? 'unknown'} (generation ${v.document.generation})`);
  }

  #failed(reason: string): void {
    this.#failures++;
    const d = this.decision();
    this.#say(isUnreachable(this.#failures) ? `${reason}; endpoint unreachable, policy ${this.#o.policy}: agent ${d.action === 'run' ? 'keeps running' : 'stopped'}` : reason);
  }
}
