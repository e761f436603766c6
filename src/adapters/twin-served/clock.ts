/**
 * The served twin's clock as a rollout's clock: the decision core decides in
 * the twin's virtual time (`GET /twin/v1/clock`), and waiting `ms` of it
 * takes ms / speed of wall time. Between readings of the endpoint the time
 * is extrapolated from the wall clock at the twin's speed; it never goes
 * back (a reading behind the extrapolation is held until time catches up).
 *
 * @example
 *   const clock = await ServedClock.start(control);
 *   clock.now();           // virtual epoch ms
 *   await clock.sleep(1000); // one simulated second
 */
import type { LiveTime } from '../kubernetes/budget.ts';
import type { TwinControl } from './control.ts';

/** Shortest wall wait of a sleep, so that a fast twin does not spin the loop. */
const MIN_WALL_MS = 5;
/** Wall time between readings of the endpoint. */
const RESYNC_WALL_MS = 2000;

export class ServedClock implements LiveTime {
  readonly #control: TwinControl;
  #epochMs: number;
  #wallAt: number;
  #speed: number;
  #last: number;
  /** Simulated seconds since the twin's start at the last reading. */
  t: number;
  /** Virtual epoch ms of the twin's t = 0. */
  readonly startEpochMs: number;
  done: boolean;

  private constructor(control: TwinControl, reading: { t: number; epochMs: number; speed: number; done: boolean }) {
    this.#control = control;
    this.#epochMs = reading.epochMs;
    this.#wallAt = Date.now();
    this.#speed = reading.speed > 0 ? reading.speed : 1;
    this.#last = reading.epochMs;
    this.t = reading.t;
    this.startEpochMs = reading.epochMs - reading.t * 1000;
    this.done = reading.done;
  }

  static async start(control: TwinControl): Promise<ServedClock> {
    return new ServedClock(control, await control.clock());
  }

  get speed(): number {
    return this.#speed;
  }

  now(): number {
    const extrapolated = this.#epochMs + (Date.now() - this.#wallAt) * this.#speed;
    this.#last = Math.max(this.#last, Math.floor(extrapolated));
    return this.#last;
  }

  /** Reads the endpoint again when the last reading is old. */
  async sync(force = false): Promise<void> {
    if (!force && Date.now() - this.#wallAt < RESYNC_WALL_MS) return;
    const reading = await this.#control.clock();
    this.#epochMs = reading.epochMs;
    this.#wallAt = Date.now();
    this.#speed = reading.speed > 0 ? reading.speed : this.#speed;
    this.t = reading.t;
    this.done = reading.done;
  }

  sleep(ms: number): Promise<void> {
    const wall = Math.max(MIN_WALL_MS, ms / this.#speed);
    return new Promise((resolve) => setTimeout(resolve, wall));
  }

  /** The last reading: virtual `epochAtMs` at wall `wallAtMs`, at `speed` (wall = wallAtMs + (virtual − epochAtMs) / speed). */
  reading(): { readonly epochAtMs: number; readonly wallAtMs: number; readonly speed: number } {
    return { epochAtMs: this.#epochMs, wallAtMs: this.#wallAt, speed: this.#speed };
  }

  /** Wall milliseconds of `ms` of virtual time. */
  wallMs(ms: number): number {
    return ms / this.#speed;
  }
}
