/**
 * The twin as a rollout target: each orchestrator request is a real request
 * to the cluster's API servers, decided by the twin against the cluster's
 * state at that instant (`TwinApi.request`): refused when no API server is
 * ready, 429 when the identity's priority level is saturated, a timeout when
 * service would exceed 60 s. Only a request that succeeds changes anything
 * (`TwinApi.act`). The break-glass identity reaches the twin's dedicated
 * break-glass endpoint; the kill switch is out of band and needs no API.
 *
 * Idempotent by command id: a command id already carried out returns its
 * first outcome with `alreadyDone` and does nothing. `effects` lists every
 * change made, for tests that check no command is applied twice.
 *
 * API accounting: requests that reach the cluster's ordinary API servers are
 * counted per cluster and minute (break-glass requests separately), so the
 * rehearsal can report the orchestrator's share of each cluster's API
 * traffic. The twin's `request` decides a request without adding it to the
 * simulated load (a handful per minute against hundreds per second).
 *
 * @example
 *   const target = new TwinTarget(twin);
 *   await target.apply({ commandId: 'apply:a:0:1', cluster: 'a', batch: 0, nodes: 1, nodeFraction: 0.01, identity });
 */
import type { ApplyRequest, ChangeStatus, Identity, KillSwitchRequest, RemoveRequest, RolloutTarget, TargetOutcome } from '../../orchestrator/ports.ts';
import type { TwinApi } from '../../twin/index.ts';
import { roundDecimals, significant6 } from '../../core/number.ts';

export interface Effect {
  readonly commandId: string;
  readonly kind: 'apply' | 'delete' | 'kill-switch';
  readonly cluster: string;
  /** Seconds since the scenario start. */
  readonly atS: number;
  /** An apply's batch (0-based), from its request. */
  readonly batch?: number;
}

export class TwinTarget implements RolloutTarget {
  readonly name = 'twin';
  readonly #twin: TwinApi;
  readonly #done = new Map<string, TargetOutcome>();
  /** Clusters where the change's workload object exists, with the share of nodes it targets. */
  readonly #present = new Map<string, number>();
  readonly #label: (batch: number) => string;
  readonly effects: Effect[] = [];
  /** Clusters the change reached at least once, with the first time (seconds). */
  readonly changed = new Map<string, number>();
  /** Requests to the ordinary API servers: cluster → minute → count. */
  readonly apiRequests = new Map<string, Map<number, number>>();
  breakGlassRequests = 0;
  totalRequests = 0;

  constructor(twin: TwinApi, label: (batch: number) => string = (b) => `firebreak batch ${b + 1}`) {
    this.#twin = twin;
    this.#label = label;
  }

  #request(cluster: string, identity: Identity): TargetOutcome {
    if (identity.breakGlass) this.breakGlassRequests++;
    else {
      this.totalRequests++;
      const minute = Math.floor(this.#twin.t / 60);
      let m = this.apiRequests.get(cluster);
      if (m === undefined) {
        m = new Map();
        this.apiRequests.set(cluster, m);
      }
      m.set(minute, (m.get(minute) ?? 0) + 1);
    }
    const out = this.#twin.request(cluster, identity.priorityLevel);
    return { ok: out.ok, reason: out.reason, latencyS: significant6(out.latencyS) };
  }

  #once(id: string, run: () => TargetOutcome): Promise<TargetOutcome> {
    const prior = this.#done.get(id);
    if (prior !== undefined) return Promise.resolve({ ...prior, alreadyDone: true });
    const out = run();
    this.#done.set(id, out);
    return Promise.resolve(out);
  }

  apply(req: ApplyRequest): Promise<TargetOutcome> {
    return this.#once(req.commandId, () => {
      const out = this.#request(req.cluster, req.identity);
      if (out.ok) {
        this.#twin.act(req.cluster, { kind: 'apply-change', nodeFraction: req.nodeFraction }, this.#label(req.batch));
        this.#present.set(req.cluster, Math.max(this.#present.get(req.cluster) ?? 0, req.nodeFraction));
        if (!this.changed.has(req.cluster)) this.changed.set(req.cluster, this.#twin.t);
        this.effects.push({ commandId: req.commandId, kind: 'apply', cluster: req.cluster, atS: this.#twin.t, batch: req.batch });
      }
      return out;
    });
  }

  remove(req: RemoveRequest): Promise<TargetOutcome> {
    return this.#once(req.commandId, () => {
      const out = this.#request(req.cluster, req.identity);
      if (out.ok) {
        this.#twin.act(req.cluster, { kind: 'remove-change', via: 'api' }, req.identity.breakGlass ? 'firebreak rollback, break-glass identity' : 'firebreak rollback');
        this.#present.delete(req.cluster);
        this.effects.push({ commandId: req.commandId, kind: 'delete', cluster: req.cluster, atS: this.#twin.t });
      }
      return out;
    });
  }

  killSwitch(req: KillSwitchRequest): Promise<TargetOutcome> {
    return this.#once(req.commandId, () => {
      this.#twin.act(req.cluster, { kind: 'remove-change', via: 'kill-switch' }, 'firebreak rollback');
      this.effects.push({ commandId: req.commandId, kind: 'kill-switch', cluster: req.cluster, atS: this.#twin.t });
      return { ok: true, reason: 'agents told to stop out of band', latencyS: 0 };
    });
  }

  status(cluster: string, identity: Identity): Promise<ChangeStatus> {
    const out = this.#request(cluster, identity);
    if (!out.ok) return Promise.resolve({ ok: false, reason: out.reason, present: false, desired: 0, ready: 0 });
    const workload = this.#twin.changeWorkload(cluster);
    const fraction = this.#present.get(cluster);
    const desired = fraction === undefined || workload === undefined ? 0 : Math.max(1, Math.round(fraction * workload.fullPods));
    const running = workload?.running ?? 0;
    return Promise.resolve({ ok: true, reason: out.reason, present: fraction !== undefined, desired, ready: roundDecimals(running, 6) });
  }
}
