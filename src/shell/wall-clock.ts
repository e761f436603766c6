/**
 * The wall clock as a live rollout's clock, when its gates read Prometheus
 * (whose samples carry wall-clock timestamps): the decision core decides in
 * wall time, one second a second. Same face as the served twin's clock
 * (src/adapters/twin-served/clock.ts), so that the run loop takes either.
 *
 * @example
 *   const clock = new WallClock();
 *   await clock.sleep(1000);
 */
export class WallClock {
  readonly startEpochMs: number;
  readonly speed = 1;
  /** A wall clock never runs out (a served twin's scenario does). */
  readonly done = false;

  constructor() {
    this.startEpochMs = Date.now();
  }

  /** Seconds since this clock was made. */
  get t(): number {
    return (Date.now() - this.startEpochMs) / 1000;
  }

  now(): number {
    return Date.now();
  }

  async sync(): Promise<void> {
    // Nothing to read: the wall clock is local.
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
  }

  wallMs(ms: number): number {
    return ms;
  }
}
