/**
 * A sleep that ends early when something happens (the agent exited, a signal
 * arrived): the guard's loops wait on it between polls. The poll interval is
 * jittered by ±10 % so that a fleet's guards, started together by a rollout,
 * do not read the switch in lock-step.
 *
 * @example
 *   const wake = new Wake();
 *   await wake.sleep(jittered(10_000)); // or sooner, on wake.now()
 */
export class Wake {
  #resolve: (() => void) | undefined;
  #pending = false;

  /** Ends the current (or the next) sleep now. */
  now(): void {
    if (this.#resolve !== undefined) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r();
    } else this.#pending = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#resolve = undefined;
        resolve();
      }, ms);
      this.#resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** `ms` ± 10 %, at random. */
export function jittered(ms: number): number {
  return Math.max(1, Math.round(ms * (0.9 + 0.2 * Math.random())));
}
