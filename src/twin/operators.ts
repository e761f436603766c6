/**
 * The scenario's operators: the incident response the 2024-12-11 postmortem
 * describes, as a controller in the twin. From `respondAtS` they take clusters
 * whose control plane alerts (critical), `parallelism` at a time (until the
 * delete succeeds: draining and lifting remedies need no one), largest
 * traffic first. On each, they try to delete the change through the API every
 * `retryEveryS` — a real request at their priority level, so while the API
 * server is saturated or crash-looping it fails (the lockout), and with a
 * break-glass level it can get through. After `escalateAfterS` without success
 * they start the remedies (scale the API servers up, scale nodes down, block
 * network access to the API); once the delete succeeds and the change's pods
 * are gone, they lift the remedies and move on.
 */
import type { Random } from '../core/random.ts';
import type { Controller, Twin } from './engine.ts';
import type { OperatorsSpec } from './scenario.ts';

type Phase = 'deleting' | 'remedying' | 'draining' | 'restoring' | 'done';

interface Job {
  readonly index: number;
  readonly name: string;
  phase: Phase;
  readonly startedAt: number;
  nextAttempt: number;
  attempts: number;
  escalated: boolean;
  shed: boolean;
  restoreUntil: number;
}

export class OperatorsController implements Controller {
  readonly #spec: OperatorsSpec;
  readonly #rng: Random;
  readonly #jobs = new Map<number, Job>();
  #shiftStarted = false;

  constructor(spec: OperatorsSpec, rng: Random) {
    this.#spec = spec;
    this.#rng = rng;
  }

  onStep(twin: Twin): void {
    const s = this.#spec;
    const t = twin.t;
    if (s.shiftTraffic !== undefined && !this.#shiftStarted && t >= s.shiftTraffic.atS) {
      this.#shiftStarted = true;
      twin.act(twin.sims[0]?.cluster.name ?? '', { kind: 'shift-traffic', overS: s.shiftTraffic.overS, errorThreshold: s.shiftTraffic.errorThreshold }, 'operators');
    }
    if (t < s.respondAtS) return;
    this.#takeNewClusters(twin);
    for (const job of this.#jobs.values()) if (job.phase !== 'done') this.#work(twin, job);
  }

  /** Clusters an operator is working by hand: deleting, or applying remedies. Draining and lifting the remedies need no one. */
  #active(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.phase === 'deleting' || j.phase === 'remedying') n++;
    return n;
  }

  #takeNewClusters(twin: Twin): void {
    if (this.#active() >= this.#spec.parallelism) return;
    const candidates: number[] = [];
    for (let i = 0; i < twin.sims.length; i++) {
      if (this.#jobs.has(i)) continue;
      const sim = twin.sims[i];
      if (sim === undefined || !sim.changeDeployed) continue;
      if (twin.alerts.criticalFiring(i)) candidates.push(i);
    }
    // Largest customer traffic first; ties by name for determinism.
    candidates.sort((a, b) => twin.trafficShare(b) - twin.trafficShare(a) || (twin.sims[b]?.cluster.nodes ?? 0) - (twin.sims[a]?.cluster.nodes ?? 0) || a - b);
    for (const i of candidates) {
      if (this.#active() >= this.#spec.parallelism) break;
      const name = twin.sims[i]?.cluster.name ?? '';
      this.#jobs.set(i, { index: i, name, phase: 'deleting', startedAt: twin.t, nextAttempt: twin.t, attempts: 0, escalated: false, shed: false, restoreUntil: 0 });
      twin.log('operator', name, 'operators start working on this cluster');
    }
  }

  #work(twin: Twin, job: Job): void {
    const s = this.#spec;
    const t = twin.t;
    const sim = twin.sims[job.index];
    if (sim === undefined) return;
    const changeName = twin.scenario.change?.name ?? 'the change';
    switch (job.phase) {
      case 'deleting': {
        if (!job.escalated && t - job.startedAt >= s.escalateAfterS) {
          job.escalated = true;
          this.#escalate(twin, job);
        }
        if (t < job.nextAttempt) return;
        job.attempts++;
        job.nextAttempt = t + s.retryEveryS * (0.8 + 0.4 * this.#rng.float());
        if (s.shedChange && !job.shed) {
          const shed = twin.request(job.name, s.priorityLevel);
          twin.log('operator', job.name, `kubectl apply flowschema shedding ${changeName} (attempt ${job.attempts}, priority level ${s.priorityLevel}): ${shed.ok ? `succeeded in ${shed.latencyS.toFixed(1)} s` : `failed: ${shed.reason}`}`);
          if (shed.ok) {
            job.shed = true;
            twin.act(job.name, { kind: 'shed-change' }, 'operators');
          }
        }
        const out = twin.request(job.name, s.priorityLevel);
        if (out.ok) {
          twin.log('operator', job.name, `kubectl delete daemonset ${changeName} (attempt ${job.attempts}, priority level ${s.priorityLevel}): succeeded in ${out.latencyS.toFixed(1)} s`);
          twin.act(job.name, { kind: 'remove-change', via: 'api' }, 'operators');
          // With remedies under way, they are lifted only once all of them have taken hold (see
          // 'remedying'); otherwise kubelets see the deletion and stop the agents.
          job.phase = job.escalated ? 'remedying' : 'draining';
        } else {
          twin.log('operator', job.name, `kubectl delete daemonset ${changeName} (attempt ${job.attempts}, priority level ${s.priorityLevel}): failed: ${out.reason}`);
        }
        return;
      }
      case 'draining': {
        if (sim.agents() > Math.max(1, 0.005 * sim.cluster.nodes)) {
          // Deleted, but the agents live on because kubelets cannot reach the API to see it: after
          // escalateAfter the operators notice and use the remedies anyway.
          if (!job.escalated && t - job.startedAt >= s.escalateAfterS) {
            job.escalated = true;
            twin.log('operator', job.name, `${changeName} deleted but its agents still run (kubelets cannot reach the API): starting the remedies`);
            this.#escalate(twin, job);
            job.phase = 'remedying';
          }
          return;
        }
        twin.log('operator', job.name, `${changeName} pods gone`);
        job.phase = job.escalated ? 'restoring' : 'done';
        return;
      }
      case 'remedying': {
        // The change is deleted, but its agents run until their kubelets see that, and the
        // kubelets are cut off. Lift the remedies only once all of them have taken hold — the
        // larger API servers in place, every API server ready, the operators' own request
        // answered — so the returning nodes do not bring the overload back; kubelets then see the
        // deletion and stop the agents.
        if (sim.readyRatio() < 1 || sim.scaleUpPending() || !twin.request(job.name, s.priorityLevel).ok) return;
        twin.log('operator', job.name, 'remedies have taken hold (API servers scaled up and serving): lifting them');
        this.#restore(twin, job);
        job.phase = 'draining';
        return;
      }
      case 'restoring':
        if (t >= job.restoreUntil) {
          job.phase = 'done';
          twin.log('operator', job.name, 'remedies lifted; operators move on');
        }
        return;
      case 'done':
        return;
    }
  }

  #restore(twin: Twin, job: Job): void {
    const s = this.#spec;
    const r = s.restore;
    if (s.remedies.blockAdminApi !== undefined) twin.act(job.name, { kind: 'unblock-admin-api', overS: r.unblockOverS }, 'operators');
    if (s.remedies.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: 1, overS: r.scaleNodesBackOverS }, 'operators');
    job.restoreUntil = twin.t + Math.max(s.remedies.blockAdminApi !== undefined ? r.unblockOverS : 0, s.remedies.scaleDownNodes !== undefined ? r.scaleNodesBackOverS : 0);
  }

  #escalate(twin: Twin, job: Job): void {
    const r = this.#spec.remedies;
    if (r.scaleApiServers !== undefined) twin.act(job.name, { kind: 'scale-apiservers', ...r.scaleApiServers }, 'operators');
    if (r.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: r.scaleDownNodes.fraction, overS: r.scaleDownNodes.overS }, 'operators');
    if (r.blockAdminApi !== undefined) twin.act(job.name, { kind: 'block-admin-api', sources: r.blockAdminApi.sources, overS: r.blockAdminApi.overS }, 'operators');
  }
}
