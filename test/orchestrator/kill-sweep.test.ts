/**
 * SIGKILL sweep (issue #9): a writer is killed at a point in its log while a
 * second writer waits for the lock (it is refused, exit 2 naming the first,
 * and tries again); once the first is dead the second takes the lock at once,
 * resumes, and ends with the JSON of an uninterrupted run; `rollout status`
 * verifies the log. The writer is frozen (SIGSTOP) when its log reaches the
 * point, so that the second is seen waiting, then killed. Real processes.
 *
 * By default a few points in a completed and in a halted rollout;
 * FIREBREAK_SWEEP=1: every 25th record of both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rolloutStatus } from '../../src/cli/rollout.ts';
import { LOCKED, logCount, reference, rehearsalExit, rehearseArgs, start, waitUntil, type Exit } from './procs.ts';

const FULL = process.env.FIREBREAK_SWEEP === '1';
const dir = mkdtempSync(join(tmpdir(), 'firebreak-kill-sweep-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A writer that tries again while it is refused because another process writes. */
function waitingWriter(args: readonly string[]): { refusals: () => number; stop: () => void; done: Promise<Exit> } {
  let refusals = 0;
  let stopped = false;
  const done = (async (): Promise<Exit> => {
    for (;;) {
      const r = await start(args).done;
      if (r.status === 2 && LOCKED.test(r.stderr) && !stopped) {
        refusals++;
        await sleep(20);
        continue;
      }
      return r;
    }
  })();
  return { refusals: () => refusals, stop: () => (stopped = true), done };
}

async function sweep(scenario: 'small-benign' | 'small-incident', points: (total: number) => number[]): Promise<{ killed: number; tried: number }> {
  const { json: clean, records: total } = await reference(scenario);
  let killed = 0;
  const ks = points(total);
  for (const k of ks) {
    const state = join(dir, `${scenario}-${k}.db`);
    const args = rehearseArgs(scenario, state);
    const a = start(args);
    let b: ReturnType<typeof waitingWriter> | undefined;
    try {
      let ended = false;
      void a.done.then(
        () => (ended = true),
        () => (ended = true),
      );
      await waitUntil(() => ended || logCount(state) >= k, 30_000, 2);
      assert.ok(a.pid > 0, 'the writer started');
      if (!ended) a.freeze();
      b = waitingWriter(args);
      // The second writer is refused at least once while the first (frozen) holds the lock…
      if (!ended) assert.ok(await waitUntil(() => (b?.refusals() ?? 0) > 0, 30_000, 10), `point ${k}: the second writer was never refused`);
      const at = logCount(state);
      a.kill();
      const first = await a.done;
      if (first.signal === 'SIGKILL') killed++;
      else assert.equal(first.status, rehearsalExit(first), `point ${k}: the first writer ended with ${first.status}\n${first.stderr}`);
      // …and takes it once the first is dead, resumes, and ends as an uninterrupted run.
      const second = await b.done;
      assert.equal(second.status, rehearsalExit(second), `killed at record ${at} (point ${k}):\n${second.stderr}`);
      assert.equal(second.stdout, clean, `killed at record ${at} (point ${k}): other JSON`);
      // `firebreak rollout status`, in-process: it throws (exit 2) when the log does not verify.
      assert.match(rolloutStatus(state, { json: false }), new RegExp(`log verified: ${total} records`));
    } finally {
      a.kill();
      b?.stop();
    }
    rmSync(state, { force: true });
  }
  return { killed, tried: ks.length };
}

test('SIGKILL of a completing rollout’s writer with a second writer waiting: never an unresumable store', { timeout: FULL ? 3_600_000 : 240_000 }, async () => {
  const { killed, tried } = await sweep('small-benign', (t) => (FULL ? range(1, t, 25) : [1, Math.round(t / 3), Math.round((2 * t) / 3)]));
  assert.ok(killed >= tried - 1, `${killed} of ${tried} writers were killed before they finished`);
});

test('SIGKILL of a halting rollout’s writer (rollback included) with a second writer waiting: never an unresumable store', { timeout: FULL ? 3_600_000 : 240_000 }, async () => {
  const { killed, tried } = await sweep('small-incident', (t) => (FULL ? range(1, t, 25) : [Math.round(t * 0.9)]));
  assert.ok(killed >= tried - 1, `${killed} of ${tried}`);
});

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k += step) out.push(k);
  return out;
}
