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
 *
 * They keep an eye on the clusters whose remedies they lifted. If the API
 * servers are lost again — OOM-killed anew, and still being killed
 * `RELAPSE_AFTER_S` after the first new kill without having been all ready for
 * `STABLE_S` in between (the lift's own relist burst kills them for a minute or
 * two; that settles by itself) — they take the cluster back like any cluster
 * (it holds a slot while they work it), re-apply the remedies that stop the
 * load (block, scale-down; the larger API servers are still in place), and once
 * these have taken hold shed the change's requests with an APF FlowSchema (if
 * their runbook has it, `shedChange`): the
 * change is deleted, so what is left are agents whose kubelets have not seen
 * the deletion, and kubelets see it only through the API. With the agents' calls
 * rejected before any work they lift the block; they bring the nodes back only
 * once the agents are confirmed stopped, so the lift cannot bring the relapse
 * back.
 */
import type { Random } from '../core/random.ts';
import type { Controller, TwinApi } from './api.ts';
import type { OperatorsSpec } from './scenario.ts';

type Phase =
  | 'deleting'
  | 'remedying'
  | 'draining'
  | 'restoring'
  | 'done'
  // After a relapse: waiting for a team; re-applying the remedies until they hold; the block lifted
  // under the FlowSchema, waiting for the agents to stop.
  | 'relapsed'
  | 're-remedying'
  | 'confirming';

/** A new crash loop that outlasts this (from the first new OOM kill) is a relapse, not the lift's own relist burst. */
const RELAPSE_AFTER_S = 600;
/** All API servers ready this long ends a crash loop (kubelet's CrashLoopBackOff resets after 10 min up). */
const STABLE_S = 600;
/** Agents of the change still running below which they count as stopped (fewer than one: none left). */
const AGENTS_GONE = 0.5;

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
  /** The remedies were lifted: the operators watch the cluster for a relapse. */
  lifted: boolean;
  /** API server restarts counted so far, and since when the replicas have all been ready (-1: not all). */
  restarts: number;
  readySince: number;
  /** First OOM kill of the current crash loop after the lift (-1: none). */
  lossSince: number;
  /** Relapses taken back so far, and the phase to go back to if a relapse ends before a team is free. */
  relapses: number;
  resume: Phase;
}

export class OperatorsController implements Controller {
  readonly #spec: OperatorsSpec;
  readonly #rng: Random;
  readonly #jobs = new Map<number, Job>();
  /** The same jobs by cluster index (filled on the first step): the per-cluster scans read this, not the Map. */
  #jobAt: (Job | undefined)[] = [];
  #shiftStarted = false;
  /** Fleet revert: next visit, when each failed cluster is due again, clusters it deleted the change from. */
  #revertStarted = false;
  #revertNext = -Infinity;
  readonly #revertDue = new Map<number, number>();
  readonly #reverted = new Set<number>();

  constructor(spec: OperatorsSpec, rng: Random) {
    this.#spec = spec;
    this.#rng = rng;
  }

  onStep(twin: TwinApi): void {
    const s = this.#spec;
    const t = twin.t;
    if (this.#jobAt.length !== twin.clusters().length) this.#jobAt = new Array<Job | undefined>(twin.clusters().length).fill(undefined);
    if (s.shiftTraffic !== undefined && !this.#shiftStarted && t >= s.shiftTraffic.atS) {
      this.#shiftStarted = true;
      twin.act(twin.clusters()[0]?.name ?? '', { kind: 'shift-traffic', overS: s.shiftTraffic.overS, errorThreshold: s.shiftTraffic.errorThreshold }, 'operators');
    }
    if (t >= s.respondAtS) {
      for (const job of this.#jobs.values()) if (job.lifted) this.#watch(twin, job);
      this.#takeNewClusters(twin);
      for (const job of this.#jobs.values()) if (job.phase !== 'done' && job.phase !== 'relapsed') this.#work(twin, job);
    }
    if (s.revert !== undefined && t >= s.revert.atS) this.#revert(twin, s.revert.everyS);
  }

  /**
   * The fleet-wide revert: at most one cluster every `everyS`, among those that still run the
   * change and no team works on — the one the change reached first among those not tried yet,
   * else the failed one whose retry has been due longest. A delete that fails on a cluster a
   * critical alert fires on leaves it to the teams (their intake); the pipeline tries it again
   * only if that alert stops before a team takes it.
   */
  #revert(twin: TwinApi, everyS: number): void {
    const t = twin.t;
    if (t < this.#revertNext) return;
    const s = this.#spec;
    const changeName = twin.scenario.change?.name ?? 'the change';
    if (!this.#revertStarted) {
      this.#revertStarted = true;
      twin.log('operator', null, `fleet-wide revert of ${changeName} through the deployment pipeline: one cluster every ${everyS} s, in the order the change reached them; a cluster it cannot reach while a critical alert fires on it is left to the incident teams`);
    }
    let pick = -1;
    let pickAt = Infinity;
    let retry = -1;
    let retryAt = Infinity;
    let nextDue = Infinity;
    const n = twin.clusters().length;
    for (let i = 0; i < n; i++) {
      if (!twin.changeDeployedAt(i) || this.#jobAt[i] !== undefined) continue;
      const due = this.#revertDue.get(i);
      if (due === undefined) {
        const applied = twin.changeAppliedAtS(i) ?? 0;
        if (applied < pickAt) {
          pickAt = applied;
          pick = i;
        }
      } else if (twin.criticalFiringAt(i)) continue;
      else if (due > t) nextDue = Math.min(nextDue, due);
      else if (due < retryAt) {
        retryAt = due;
        retry = i;
      }
    }
    if (pick < 0) pick = retry;
    const picked = twin.clusters()[pick];
    if (picked === undefined) {
      // Nothing due: look again when a retry is due, or after retryEvery (an alert may stop).
      this.#revertNext = Math.min(nextDue, t + s.retryEveryS);
      return;
    }
    this.#revertNext = t + everyS;
    const name = picked.name;
    const what = `fleet revert: kubectl delete daemonset ${changeName} (priority level ${s.priorityLevel})`;
    const out = twin.request(name, s.priorityLevel);
    if (out.ok) {
      twin.log('operator', name, `${what}: succeeded in ${out.latencyS.toFixed(1)} s`);
      twin.act(name, { kind: 'remove-change', via: 'api' }, 'fleet revert');
      this.#reverted.add(pick);
      this.#revertDue.delete(pick);
      return;
    }
    this.#revertDue.set(pick, t + s.retryEveryS);
    const critical = twin.firingAlertsAt(pick, 'critical');
    const next = critical.length > 0 ? `a critical alert fires on it (${critical.join(', ')}): left to the incident teams` : `retried in ${Math.round(s.retryEveryS)} s`;
    twin.log('operator', name, `${what}: failed: ${out.reason}; ${next}`);
  }

  /** Clusters an operator is working by hand: deleting, or applying remedies. Draining and lifting the remedies need no one. */
  #active(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.phase === 'deleting' || j.phase === 'remedying' || j.phase === 're-remedying') n++;
    return n;
  }

  /**
   * After the lift: a fresh loss is new kills of the API servers, still going on RELAPSE_AFTER_S
   * after the first of them with no STABLE_S of all replicas ready in between. The critical alert of
   * the first loss may still be firing then; it plays no part. A relapse that ends on its own before
   * a team is free is closed again.
   */
  #watch(twin: TwinApi, job: Job): void {
    const t = twin.t;
    if (twin.readyRatioAt(job.index) >= 1) {
      if (job.readySince < 0) job.readySince = t;
      if (job.lossSince >= 0 && t - job.readySince >= STABLE_S) {
        job.lossSince = -1;
        if (job.phase === 'relapsed') {
          job.phase = job.resume;
          twin.log('operator', job.name, `API servers all ready for ${Math.round(STABLE_S / 60)} min before a team was free: the control plane came back on its own`);
        }
      }
    } else job.readySince = -1;
    const restarts = twin.restartsAt(job.index);
    if (restarts <= job.restarts) return;
    job.restarts = restarts;
    if (job.lossSince < 0) {
      job.lossSince = t;
      return;
    }
    if (job.phase === 'relapsed' || t - job.lossSince < RELAPSE_AFTER_S) return;
    job.resume = job.phase;
    job.phase = 'relapsed';
    twin.log('operator', job.name, `API servers still being killed ${Math.round((t - job.lossSince) / 60)} min after the first new kill since the remedies were lifted: control plane lost again`);
  }

  #takeNewClusters(twin: TwinApi): void {
    if (this.#active() >= this.#spec.parallelism) return;
    const candidates: number[] = [];
    const clusters = twin.clusters();
    for (let i = 0; i < clusters.length; i++) {
      const job = this.#jobAt[i];
      if (job !== undefined) {
        // A cluster that relapsed after the remedies were lifted waits for a team like a new one.
        if (job.phase === 'relapsed') candidates.push(i);
        continue;
      }
      // The change still deployed, or deleted by the fleet revert while its agents run on.
      if (!(twin.changeDeployedAt(i) || (this.#reverted.has(i) && agentsLeft(twin, i)))) continue;
      if (twin.criticalFiringAt(i)) candidates.push(i);
    }
    // Largest customer traffic first; ties by name for determinism.
    candidates.sort((a, b) => twin.trafficShare(b) - twin.trafficShare(a) || (clusters[b]?.nodes ?? 0) - (clusters[a]?.nodes ?? 0) || a - b);
    for (const i of candidates) {
      if (this.#active() >= this.#spec.parallelism) break;
      const name = clusters[i]?.name ?? '';
      const relapsed = this.#jobs.get(i);
      if (relapsed !== undefined) {
        this.#reapply(twin, relapsed);
        continue;
      }
      // Already deleted by the fleet revert: the team waits for the agents to stop, and escalates as in 'draining'.
      const deleted = !twin.changeDeployedAt(i);
      const job: Job = { index: i, name, phase: deleted ? 'draining' : 'deleting', startedAt: twin.t, nextAttempt: twin.t, attempts: 0, escalated: false, shed: false, restoreUntil: 0, lifted: false, restarts: 0, readySince: -1, lossSince: -1, relapses: 0, resume: 'done' };
      this.#jobs.set(i, job);
      this.#jobAt[i] = job;
      twin.log('operator', name, deleted ? `operators start working on this cluster (the fleet revert deleted ${twin.scenario.change?.name ?? 'the change'}, but its agents still run)` : 'operators start working on this cluster');
    }
  }

  #work(twin: TwinApi, job: Job): void {
    const s = this.#spec;
    const t = twin.t;
    const i = job.index;
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
        if (agentsLeft(twin, i)) {
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
        if (twin.readyRatioAt(i) < 1 || twin.scaleUpPendingAt(i) || !twin.request(job.name, s.priorityLevel).ok) return;
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
      case 're-remedying': {
        // As in 'remedying': wait until the re-applied remedies have taken hold; then, with the API
        // answering and if the scenario's runbook has the FlowSchema, shed the agents' requests so
        // that the nodes' kubelets can come back and see the deletion without the agents' lists
        // reaching the API servers. Without it, the nodes stay scaled down while the block lifts.
        if (twin.readyRatioAt(i) < 1 || twin.scaleUpPendingAt(i) || !twin.request(job.name, s.priorityLevel).ok) return;
        if (s.shedChange && !job.shed) {
          const shed = twin.request(job.name, s.priorityLevel);
          twin.log('operator', job.name, `kubectl apply flowschema shedding ${changeName} (priority level ${s.priorityLevel}): ${shed.ok ? `succeeded in ${shed.latencyS.toFixed(1)} s` : `failed: ${shed.reason}`}`);
          if (!shed.ok) return;
          job.shed = true;
          twin.act(job.name, { kind: 'shed-change' }, 'operators');
        }
        if (s.remedies.blockAdminApi !== undefined) {
          twin.log('operator', job.name, `remedies have taken hold again${job.shed ? ` and ${changeName}'s requests are shed` : ''}: lifting the block so kubelets see the deletion; nodes stay scaled down until its agents are stopped`);
          twin.act(job.name, { kind: 'unblock-admin-api', overS: s.restore.unblockOverS }, 'operators');
        }
        job.phase = 'confirming';
        return;
      }
      case 'confirming': {
        // Nodes come back only once the agents are confirmed stopped and the API servers are all
        // ready and answering.
        if (twin.agentsAt(i) >= AGENTS_GONE || twin.readyRatioAt(i) < 1 || !twin.request(job.name, s.priorityLevel).ok) return;
        twin.log('operator', job.name, `${changeName} agents confirmed stopped and API servers serving: lifting the remedies`);
        if (s.remedies.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: 1, overS: s.restore.scaleNodesBackOverS }, 'operators');
        this.#lift(twin, job, t + (s.remedies.scaleDownNodes !== undefined ? s.restore.scaleNodesBackOverS : 0));
        job.phase = 'restoring';
        return;
      }
      case 'done':
      case 'relapsed':
        return;
    }
  }

  /** The cluster relapsed after the lift: take it back and re-apply the remedies that stop the load. */
  #reapply(twin: TwinApi, job: Job): void {
    const r = this.#spec.remedies;
    job.relapses++;
    job.lifted = false;
    const back = twin.changeDeployedAt(job.index);
    twin.log('operator', job.name, `control plane lost again after the remedies were lifted (relapse ${job.relapses}): re-applying them${back ? `; ${twin.scenario.change?.name ?? 'the change'} is deployed again, so delete it again` : ''}`);
    // The larger API servers stay in place; the block and the scale-down stop the load.
    if (r.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: r.scaleDownNodes.fraction, overS: r.scaleDownNodes.overS }, 'operators');
    if (r.blockAdminApi !== undefined) twin.act(job.name, { kind: 'block-admin-api', sources: r.blockAdminApi.sources, overS: r.blockAdminApi.overS }, 'operators');
    if (back) {
      // Redeployed: the same runbook as the first time, with the remedies already under way.
      job.phase = 'deleting';
      job.nextAttempt = twin.t;
    } else job.phase = 're-remedying';
  }

  /** The remedies are being lifted from now until `until`: from here on, watch for a relapse. */
  #lift(twin: TwinApi, job: Job, until: number): void {
    job.restoreUntil = until;
    job.lifted = true;
    job.restarts = twin.restartsAt(job.index);
    job.readySince = -1;
    job.lossSince = -1;
  }

  #restore(twin: TwinApi, job: Job): void {
    const s = this.#spec;
    const r = s.restore;
    if (s.remedies.blockAdminApi !== undefined) twin.act(job.name, { kind: 'unblock-admin-api', overS: r.unblockOverS }, 'operators');
    if (s.remedies.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: 1, overS: r.scaleNodesBackOverS }, 'operators');
    this.#lift(twin, job, twin.t + Math.max(s.remedies.blockAdminApi !== undefined ? r.unblockOverS : 0, s.remedies.scaleDownNodes !== undefined ? r.scaleNodesBackOverS : 0));
  }

  #escalate(twin: TwinApi, job: Job): void {
    const r = this.#spec.remedies;
    if (r.scaleApiServers !== undefined) twin.act(job.name, { kind: 'scale-apiservers', ...r.scaleApiServers }, 'operators');
    if (r.scaleDownNodes !== undefined) twin.act(job.name, { kind: 'scale-nodes', fraction: r.scaleDownNodes.fraction, overS: r.scaleDownNodes.overS }, 'operators');
    if (r.blockAdminApi !== undefined) twin.act(job.name, { kind: 'block-admin-api', sources: r.blockAdminApi.sources, overS: r.blockAdminApi.overS }, 'operators');
  }
}

/** More agents of the change still run than a delete's stragglers (0.5 % of the nodes, at least one). */
function agentsLeft(twin: TwinApi, index: number): boolean {
  return twin.agentsAt(index) > Math.max(1, 0.005 * (twin.clusters()[index]?.nodes ?? 0));
}
