/**
 * DNS of one cluster: CoreDNS replicas and node-level caches.
 *
 * CoreDNS (ref: coredns/coredns#5642 and the kubernetes plugin README): a
 * running replica keeps answering from its informer store while the API is
 * down; a replica (re)started during the outage has no store and answers
 * SERVFAIL for cluster names until it can list services and endpoints. Replicas
 * placed on control-plane nodes are killed (OOM killer, eviction, failed
 * liveness probes) at a hazard proportional to the node's pressure: the
 * kubelet evicts them, so a replacement needs the ReplicaSet controller to
 * create a pod through the API, then scheduling and start-up. Replicas are
 * discrete and drawn from the cluster's seeded stream.
 *
 * Node caches: each record class has a TTL; entries expire exactly TTL seconds
 * after their last refresh (a ring buffer per class, O(1) per second), so after
 * upstream resolution fails the valid share falls linearly over the TTL — the
 * "stale but functional records expired over ~20 minutes" of the incident.
 * With RFC 8767 serve-stale, expired entries keep answering up to maxStaleS.
 */
import type { Random } from '../core/random.ts';
import type { DnsModel } from '../model/model-schema.ts';

interface RecordRing {
  readonly ttl: number;
  readonly weight: number;
  readonly ring: Float64Array;
  head: number;
  invalid: number;
  invalidSince: number;
}

type ReplicaState = 'ok' | 'nostore' | 'dead';

export class DnsState {
  readonly #m: DnsModel;
  readonly #rng: Random;
  readonly #state: ReplicaState[];
  readonly #until: number[];
  readonly #rings: RecordRing[];
  #restarted = 0;
  /** Replicas not in state ok (kept so the healthy case skips the per-replica loop). */
  #notOk = 0;
  #syncCredit = 0;
  #pOk = 1;
  #pQuery = 1;
  #error = 0;
  #valid = 1;
  /**
   * Whole seconds advanced quiet and not yet applied to the rings' heads: applied at the next step
   * (the only reader of the heads), so a quiet cluster costs one addition per step, not one modulo
   * per record. (h + a) % ttl then + b, mod ttl, equals (h + a + b) % ttl for whole numbers: the same heads.
   */
  #quietLag = 0;

  constructor(m: DnsModel, replicas: number, rng: Random) {
    this.#m = m;
    this.#rng = rng;
    const r = Math.max(1, Math.round(replicas));
    this.#state = new Array<ReplicaState>(r).fill('ok');
    this.#until = new Array<number>(r).fill(0);
    const wsum = m.records.reduce((s, x) => s + x.weight, 0) || 1;
    this.#rings = m.records.map((rec) => {
      const ttl = Math.max(1, Math.round(rec.ttlS));
      // Steady state: refresh times spread evenly, so entries expire uniformly over the TTL.
      return { ttl, weight: rec.weight / wsum, ring: new Float64Array(ttl).fill(1 / ttl), head: 0, invalid: 0, invalidSince: 0 };
    });
  }

  replicas(): number {
    return this.#state.length;
  }

  /** Replicas restarted since the last call: they must list before serving. */
  takeRestarted(): number {
    const n = this.#restarted;
    this.#restarted = 0;
    return n;
  }

  /** CoreDNS list successes (fluid): replicas without a store get one. */
  onSynced(k: number): void {
    this.#syncCredit += k;
  }

  restartAll(t: number): void {
    this.#notOk = this.#state.length;
    for (let i = 0; i < this.#state.length; i++) {
      this.#state[i] = 'nostore';
      this.#until[i] = t + this.#m.syncTimeoutS;
      this.#restarted++;
    }
  }

  /**
   * @param pressure control-plane node pressure 0..1 (0 when CoreDNS runs on workers)
   * @param recreate share of controller requests that succeed (0 when the API is down): an
   *   evicted replica comes back only when its ReplicaSet can create a new pod
   * @param nodes current node count (query load)
   */
  step(t: number, dt: number, pressure: number, recreate: number, nodes: number): void {
    const m = this.#m;
    if (this.#quietLag > 0) this.#applyQuietLag();
    // Kills under pressure, restarts after CrashLoopBackOff.
    const hazard = m.killRateAtPressure * pressure * dt;
    // Fast path: nothing to kill, restart or sync.
    const idle = hazard <= 0 && this.#notOk === 0;
    for (let i = 0; !idle && i < this.#state.length; i++) {
      const s = this.#state[i];
      if (s === 'dead') {
        // An evicted pod is gone: its ReplicaSet must create a new one (through the API), then it
        // is scheduled and started; only then does it try to list.
        if (t >= (this.#until[i] ?? 0) && this.#rng.float() < recreate * (dt / m.recreateS)) {
          this.#state[i] = 'nostore';
          this.#restarted++;
        }
        continue;
      }
      if (hazard > 0 && this.#rng.float() < hazard) {
        this.#state[i] = 'dead';
        this.#until[i] = t + m.recreateS;
      }
    }
    // Replicas without a store sync when CoreDNS's lists succeed.
    // Each restarted replica needs its own successful list (credited by the CoreDNS informer class);
    // the population's watches being healthy says nothing about a replica that lost its store.
    if (!idle && this.#syncCredit > 0) {
      for (let i = 0; i < this.#state.length; i++) {
        if (this.#state[i] !== 'nostore') continue;
        if (this.#syncCredit >= 1) {
          this.#state[i] = 'ok';
          this.#syncCredit = Math.max(0, this.#syncCredit - 1);
        }
      }
      this.#syncCredit = Math.min(this.#syncCredit, this.#state.length);
    }
    let ok = this.#state.length;
    let alive = ok;
    if (!idle) {
      ok = 0;
      alive = 0;
      for (let i = 0; i < this.#state.length; i++) {
        const s = this.#state[i];
        if (s === 'ok') ok++;
        if (s !== 'dead') alive++;
      }
    }
    const n = this.#state.length;
    this.#notOk = n - ok;
    // Queries reaching CoreDNS: cache misses, multiplied as node caches empty.
    let invalidW = 0;
    for (let i = 0; i < this.#rings.length; i++) {
      const r = this.#rings[i] as RecordRing;
      invalidW += r.weight * r.invalid;
    }
    const load = Math.max(1, nodes * m.lookupsPerNodeS * (1 + 10 * invalidW));
    const capacity = alive * m.qpsPerReplica;
    const answered = Math.min(1, capacity / load);
    // kube-proxy keeps sending to every endpoint it knows: dead and store-less replicas fail.
    this.#pQuery = (ok / n) * answered;
    this.#pOk = 1 - Math.pow(1 - this.#pQuery, Math.max(1, m.attempts));
    let err = 0;
    let valid = 0;
    for (let i = 0; i < this.#rings.length; i++) {
      const r = this.#rings[i] as RecordRing;
      for (let s = 0; s < dt; s++) {
        const e = r.ring[r.head] ?? 0;
        r.ring[r.head] = 0;
        if (r.invalid <= 1e-12 && e > 0) r.invalidSince = t;
        r.invalid += e;
        const refreshed = r.invalid * this.#pOk;
        // Clamp: the ring's shares sum to 1 up to rounding.
        r.invalid = Math.min(1, Math.max(0, r.invalid - refreshed));
        r.ring[r.head] = refreshed;
        r.head = (r.head + 1) % r.ttl;
      }
      if (r.invalid < 1e-9) r.invalidSince = t;
      const failing = m.serveStale ? (t - r.invalidSince > m.maxStaleS ? r.invalid : 0) : r.invalid;
      err += r.weight * failing * (1 - this.#pOk);
      valid += r.weight * Math.max(0, 1 - r.invalid);
    }
    this.#error = err;
    this.#valid = valid;
  }

  /** Fully healthy: every replica answers from a store and no cache entry is invalid. */
  isQuiet(): boolean {
    if (this.#pQuery < 1 || this.#notOk > 0) return false;
    for (let i = 0; i < this.#rings.length; i++) if ((this.#rings[i] as RecordRing).invalid > 1e-12) return false;
    return true;
  }

  /** Advances a quiet cache: with every refresh succeeding, only the ring positions move. */
  advanceQuiet(dt: number): void {
    this.#quietLag += Math.round(dt);
  }

  #applyQuietLag(): void {
    const lag = this.#quietLag;
    this.#quietLag = 0;
    for (let i = 0; i < this.#rings.length; i++) {
      const r = this.#rings[i] as RecordRing;
      r.head = (r.head + lag) % r.ttl;
    }
  }

  /** Share of lookups to CoreDNS that fail (SERVFAIL or timeout), one attempt. */
  servfailRatio(): number {
    return 1 - this.#pQuery;
  }

  validRatio(): number {
    return this.#valid;
  }

  /** Share of data-plane resolutions that fail. */
  errorRatio(): number {
    return this.#error;
  }

  okReplicas(): number {
    return this.#state.filter((s) => s === 'ok').length;
  }
}
