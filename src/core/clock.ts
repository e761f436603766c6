/**
 * Time for deterministic code. Simulation and decision code never read the wall
 * clock: they take a `Clock`. The twin and rehearsals use `SimulatedClock`;
 * shells that act on real clusters use `WallClock` (src/cli only).
 *
 * @example
 *   const clock = new SimulatedClock(Date.parse('2024-12-11T22:00:00Z'));
 *   clock.advance(1000);
 *   clock.now(); // start + 1 s, in epoch milliseconds
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

export class SimulatedClock implements Clock {
  #now: number;
  constructor(startMs: number) {
    this.#now = startMs;
  }
  now(): number {
    return this.#now;
  }
  /** Moves time forward; refuses to travel back in time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`SimulatedClock cannot move back in time (advance by ${ms} ms)`);
    this.#now += ms;
  }
  set(ms: number): void {
    if (ms < this.#now) throw new RangeError(`SimulatedClock cannot move back in time (to ${ms} from ${this.#now})`);
    this.#now = ms;
  }
}
