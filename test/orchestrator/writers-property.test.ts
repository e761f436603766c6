/**
 * Property (issue #9): whatever two writers do to one state database —
 * started together or staggered, killed (SIGKILL) at random moments, crashed
 * after random records (FIREBREAK_CRASH_AT), run to the end — the store is
 * never left unresumable: each process ends cleanly (finished with the right
 * JSON, refused because the other writes, crashed or killed), and afterwards
 * the same rehearsal resumes to JSON byte-identical to an uninterrupted run's
 * while `rollout status` verifies the log. Real `firebreak` processes.
 *
 * A few histories by default (each costs a handful of process starts);
 * FIREBREAK_SWEEP=1 runs many more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { rolloutStatus } from '../../src/cli/rollout.ts';
import { cli, LOCKED_ANY, reference, rehearseArgs, start, type Exit, type Running } from './procs.ts';

const FULL = process.env.FIREBREAK_SWEEP === '1';
const dir = mkdtempSync(join(tmpdir(), 'firebreak-writers-prop-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

type Action = { readonly kind: 'run' } | { readonly kind: 'kill'; readonly afterMs: number } | { readonly kind: 'crash'; readonly at: number };

function launch(a: Action, state: string): Running {
  const r = start(rehearseArgs('small-benign', state), a.kind === 'crash' ? { FIREBREAK_CRASH_AT: String(a.at) } : {});
  if (a.kind === 'kill') {
    const t = setTimeout(() => r.kill(), a.afterMs);
    void r.done.then(
      () => clearTimeout(t),
      () => clearTimeout(t),
    );
  }
  return r;
}

/** How a process may end; anything else (exit 1, a stack trace, other JSON) is a failure. */
function ending(e: Exit, want: string): string | null {
  if (e.signal === 'SIGKILL') return 'killed';
  if (e.status === 75 && /injected crash after persisted record \d+/.test(e.stderr)) return 'crashed';
  if (e.status === 2 && LOCKED_ANY.test(e.stderr) && e.stderr.trim().split('\n').length === 1) return 'refused';
  if (e.status === 0 && e.stdout === want) return 'finished';
  return null;
}

test('two writers, random interleavings, kills and crashes: the store always resumes to the uninterrupted JSON and verifies', { timeout: FULL ? 3_600_000 : 240_000 }, async () => {
  const { json: clean, records: total } = await reference('small-benign');
  assert.ok(total > 300, `${total} records`);
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constant({ kind: 'run' as const }),
    fc.record({ kind: fc.constant('kill' as const), afterMs: fc.integer({ min: 150, max: 1800 }) }),
    fc.record({ kind: fc.constant('crash' as const), at: fc.integer({ min: 1, max: total }) }),
  );
  const round = fc.record({ stagger: fc.integer({ min: 0, max: 600 }), a: action, b: action });
  let n = 0;
  const seen = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 2 }), async (rounds) => {
      const state = join(dir, `history-${n++}.db`);
      for (const r of rounds) {
        const a = launch(r.a, state);
        await sleep(r.stagger);
        const b = launch(r.b, state);
        for (const [who, e] of [['a', await a.done], ['b', await b.done]] as const) {
          const how = ending(e, clean);
          assert.ok(how !== null, `${who} (${JSON.stringify(r)}) ended with exit ${e.status}, signal ${e.signal}:\n${e.stderr.slice(0, 2000)}`);
          seen.set(how, (seen.get(how) ?? 0) + 1);
        }
      }
      const resumed = cli(rehearseArgs('small-benign', state));
      assert.equal(resumed.status, 0, `resume after ${JSON.stringify(rounds)}:\n${resumed.stderr}`);
      assert.equal(resumed.stdout, clean, `resume after ${JSON.stringify(rounds)}: other JSON`);
      // `firebreak rollout status`, in-process: it throws (exit 2) when the log does not verify.
      assert.match(rolloutStatus(state, { json: false }), /log verified: \d+ records/);
      rmSync(state, { force: true });
    }),
    { numRuns: FULL ? 40 : 4, endOnFailure: true },
  );
  assert.ok((seen.get('finished') ?? 0) + (seen.get('refused') ?? 0) + (seen.get('killed') ?? 0) + (seen.get('crashed') ?? 0) > 0);
});
