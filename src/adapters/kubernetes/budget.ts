/**
 * The orchestrator's client-side API budget for one cluster and identity: a
 * token bucket of `qps` sustained requests per second and `burst` at once,
 * the way client-go's rate limiter works (k8s.io/client-go/util/flowcontrol
 * NewTokenBucketRateLimiter; client-go's defaults are QPS 5, Burst 10 —
 * k8s.io/client-go/rest/config.go DefaultQPS/DefaultBurst — firebreak takes
 * the plan's `budget.qps`/`budget.burst`, by default stricter: 1 and 5),
 * and the backoff between retries: exponential from `initialS` by `factor`
 * up to `maxS`, with a relative jitter drawn from a seeded stream (so that a
 * run can be reproduced), never shorter than the server's Retry-After.
 *
 * Time is the caller's (`LiveTime`): against a twin-served fleet it is the
 * twin's virtual time, so the budget is spent in simulated seconds. Waiting
 * requests are served first come, first served; background work (node
 * labels) takes a token only when no request is waiting (`tryTake`).
 *
 * @example
 *   const bucket = new TokenBucket({ qps: 1, burst: 5 }, time);
 *   await bucket.take();           // waits for a token
 *   bucket.tryTake();              // true when one is free now and nobody waits
 */
import { Random } from '../../core/random.ts';
import { CLIENT_GO_BURST, CLIENT_GO_QPS } from '../../model/kubernetes.ts';

/** The time a live adapter runs in: epoch ms (virtual against a served twin) and a sleep in the same time. */
export interface LiveTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** client-go's defaults (k8s.io/client-go/rest/config.go: DefaultQPS 5.0, DefaultBurst 10; src/model/kubernetes.ts), for a budget of 0. */
const CLIENT_GO_DEFAULT_QPS = CLIENT_GO_QPS;
const CLIENT_GO_DEFAULT_BURST = CLIENT_GO_BURST;

export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #time: LiveTime;
  #tokens: number;
  #at: number;
  #waiting = 0;

  constructor(rate: { readonly qps: number; readonly burst: number }, time: LiveTime) {
    this.#qps = rate.qps > 0 ? rate.qps : CLIENT_GO_DEFAULT_QPS;
    this.#burst = Math.max(1, rate.burst > 0 ? rate.burst : CLIENT_GO_DEFAULT_BURST);
    this.#time = time;
    this.#tokens = this.#burst;
    this.#at = time.now();
  }

  #refill(): void {
    const now = this.#time.now();
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#qps);
      this.#at = now;
    }
  }

  /** Takes a token now if one is free and no request waits for one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#waiting > 0 || this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Waits for a token (in the caller's time), then takes it. */
  async take(): Promise<void> {
    this.#waiting++;
    try {
      for (;;) {
        this.#refill();
        if (this.#tokens >= 1) {
          this.#tokens -= 1;
          return;
        }
        await this.#time.sleep(Math.ceil(((1 - this.#tokens) / this.#qps) * 1000));
      }
    } finally {
      this.#waiting--;
    }
  }
}

export interface BackoffPolicy {
  readonly initialS: number;
  readonly factor: number;
  readonly maxS: number;
  /** Relative jitter: the wait is drawn from [w·(1−j), w·(1+j)]. */
  readonly jitter: number;
}

/** Waits between retries of one request, from a seeded stream per cluster (reproducible). */
export class Backoff {
  readonly #policy: BackoffPolicy;
  readonly #random: Random;

  constructor(policy: BackoffPolicy, seed: number, label: string) {
    this.#policy = policy;
    this.#random = Random.seeded(seed).fork(`kubernetes-backoff:${label}`);
  }

  /** Milliseconds before retry `attempt` (1 = the first retry), at least the server's Retry-After. */
  waitMs(attempt: number, retryAfterS: number | undefined): number {
    const { initialS, factor, maxS, jitter } = this.#policy;
    const base = Math.min(maxS, initialS * factor ** Math.max(0, attempt - 1));
    const drawn = base * (1 + jitter * (2 * this.#random.float() - 1));
    return Math.round(1000 * Math.max(drawn, retryAfterS ?? 0));
  }
}
