/**
 * A progress bar on a terminal for long runs (shown only once a run has taken
 * more than a second, and only when stderr is a TTY); nothing on a pipe.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(fraction: number): void;
  stop(): void;
}

export function progressBar(label: string): Progress {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(fraction: number): void {
      if (!tty) return;
      if (bar === null) {
        if (Date.now() - started < 1000) return;
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(1000, 0);
      }
      bar.update(Math.round(fraction * 1000));
    },
    stop(): void {
      bar?.stop();
    },
  };
}
