/**
 * The served twin polls the kill switch as a guarded workload's agents would
 * (contract E of issue #11, docs/killswitch.md, docs/twin-serve.md): for each
 * workload whose pod template carries the guard sidecar
 * (TwinBackend.guardedChanges()), it reads `GET <url>/v1/switches/<change>`
 * every pollS / speed wall seconds (the guard's FIREBREAK_KILLSWITCH_POLL in
 * simulated seconds), verifies it with the guard's key (verifySigned), keeps
 * the newest document by the generation rule (acceptDocument), takes the
 * state for the workload's cluster (effectiveState: FIREBREAK_CLUSTER, else
 * the served cluster's name; `clustersOff`), and applies the unreachable
 * policy (decide). When the decision is stop, the twin removes the cluster's
 * change through the kill switch (act remove-change via kill-switch), which it
 * models with its own poll interval and reach (model.change.killSwitch). Once
 * stopped the twin does not restart the agents when the switch comes back on
 * (docs/twin-serve.md, fidelity limits). The switch server is out of band: it
 * is polled whether or not the cluster's API answers.
 *
 * @example
 *   const poller = new KillSwitchPoller({ twin, speed: 10, backends: () => backends, log });
 *   poller.tick(); // on every driver tick: starts the reads that are due
 */
import type { KeyObject } from 'node:crypto';
import { acceptDocument, decide, effectiveState, parsePublicKey, verifySigned, type SwitchDocument } from '../../killswitch/index.ts';
import type { GuardedChange } from '../../apiserver/twin-backend.ts';
import type { TwinApi } from '../../twin/index.ts';
import { fetchSwitch } from '../killswitch/fetch-switch.ts';
import { readTimeoutMs } from '../killswitch/watcher.ts';

export interface PollerOptions {
  readonly twin: TwinApi;
  readonly speed: number;
  /** The guarded workloads of every served cluster now. */
  readonly guarded: () => readonly GuardedChange[];
  readonly log: (line: string) => void;
}

interface Watch {
  readonly guard: GuardedChange;
  readonly key: KeyObject | undefined;
  known: SwitchDocument | undefined;
  failures: number;
  nextMs: number;
  reading: boolean;
  stopped: boolean;
  said: string;
}

export class KillSwitchPoller {
  readonly #o: PollerOptions;
  readonly #watches = new Map<string, Watch>();

  constructor(o: PollerOptions) {
    this.#o = o;
  }

  /** Starts the reads that are due (wall clock `nowMs`); a read runs in the background. */
  tick(nowMs = performance.now()): void {
    const live = new Set<string>();
    for (const g of this.#o.guarded()) {
      const id = `${g.cluster}/${g.kind}/${g.namespace}/${g.name}|${g.url}|${g.change}|${g.key}|${g.pollS}|${g.unreachable}|${g.switchCluster ?? ''}`;
      live.add(id);
      let w = this.#watches.get(id);
      if (w === undefined) {
        w = { guard: g, key: parsePublicKey(g.key), known: undefined, failures: 0, nextMs: nowMs, reading: false, stopped: false, said: '' };
        this.#watches.set(id, w);
        if (w.key === undefined) this.#say(w, `${g.cluster}: ${g.kind} ${g.namespace}/${g.name}: the guard's key is not a public key: every read fails`);
      }
      if (!w.reading && !w.stopped && nowMs >= w.nextMs) {
        w.reading = true;
        w.nextMs = nowMs + (g.pollS / this.#o.speed) * 1000;
        void this.#read(w)
          .catch((e: unknown) => this.#say(w, `${g.cluster}: kill switch ${g.change}: ${e instanceof Error ? e.message : String(e)}`))
          .finally(() => (w.reading = false));
      }
    }
    for (const id of this.#watches.keys()) if (!live.has(id)) this.#watches.delete(id);
  }

  #say(w: Watch, line: string): void {
    if (line === w.said) return;
    w.said = line;
    this.#o.log(line);
  }

  async #read(w: Watch): Promise<void> {
    const g = w.guard;
    const cluster = g.cluster;
    const where = `${cluster}: ${g.kind} ${g.namespace}/${g.name}: kill switch ${g.change}`;
    const r = await fetchSwitch(g.url, g.change, readTimeoutMs(g.pollS / this.#o.speed));
    let ok = false;
    if (r.ok && w.key !== undefined) {
      const v = verifySigned(r.body, w.key);
      if (v.ok) {
        const a = acceptDocument(w.known, v.document, g.change);
        if (a.accept) {
          if (a.newer) w.known = v.document;
          ok = true;
        } else this.#say(w, `${where}: document refused (${a.reason})`);
      } else this.#say(w, `${where}: document refused (${v.reason})`);
    } else if (!r.ok) this.#say(w, `${where}: read failed (${r.reason})`);
    w.failures = ok ? 0 : w.failures + 1;
    const state = w.known === undefined ? undefined : effectiveState(w.known, clusterOf(g));
    const d = decide({ known: state, failures: w.failures, policy: g.unreachable });
    if (ok) this.#say(w, `${where}: ${state ?? 'unknown'}`);
    if (d.action === 'stop' && !w.stopped) {
      w.stopped = true;
      const index = this.#o.twin.clusters().findIndex((c) => c.name === cluster);
      const ch = index >= 0 ? this.#o.twin.changeAt(index) : undefined;
      if (ch === undefined || ch.name !== g.name) {
        this.#say(w, `${where}: ${d.reason}, but the twin does not run ${g.name} in ${cluster}: nothing to stop`);
        return;
      }
      this.#o.twin.act(cluster, { kind: 'remove-change', via: 'kill-switch' }, 'kill switch');
      this.#say(w, `${where}: ${d.reason}: the twin's agents stop at their guard's next poll`);
    }
  }
}

/** The cluster the guard says it runs in (FIREBREAK_CLUSTER), else the served cluster. */
function clusterOf(g: GuardedChange): string {
  return g.switchCluster ?? g.cluster;
}
