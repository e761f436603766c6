/**
 * Compares `npm run bench`'s figures of this working tree with another git
 * revision, side by side in one sitting: this machine's speed drifts by 20 %
 * or more between runs, so only figures taken alternately are comparable.
 *
 *   node scripts/bench-compare.ts <rev> [--runs <n>] [--only twin,analyze,rehearse]
 *
 * (through `node_modules/.bin/node`). It checks `<rev>` out with
 * `git worktree add --detach` into a temporary directory (node_modules
 * symlinked), then `--runs` times (default 3) runs each benchmark with the
 * revision's code and with this tree's, alternating which goes first, each in
 * a process of its own: `bench twin --json`, `bench analyze --json`,
 * `bench rehearse --clusters 1000 --json`. Beside each benchmark's own
 * figures it records the process's CPU time (user + system, all threads:
 * scripts/cpu-usage.ts, preloaded with `--import`, the same for both trees),
 * the fairer figure when other processes share the host. It prints, per
 * figure, the medians before and now and now/before (a time ratio under 1 is
 * faster) with every run's values, as text or, with --json, one JSON object. Exit 0, or 2 on a usage error; it measures,
 * it does not judge (docs/performance.md says what the goals are).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RevisionTree } from './revision-tree.ts';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/bench-compare.ts <rev> [--runs <n>] [--only twin,analyze,rehearse] [--json]';

interface Bench {
  readonly name: string;
  readonly args: readonly string[];
  /** The figures read from the benchmark's JSON: label → field. */
  readonly figures: Readonly<Record<string, string>>;
}

const BENCHES: readonly Bench[] = [
  { name: 'twin', args: ['bench', 'twin', '--json'], figures: { 'twin wall s': 'wallSeconds' } },
  { name: 'analyze', args: ['bench', 'analyze', '--json'], figures: { 'analyze wall s': 'wallSeconds', 'analyze parse-only s': 'parseOnlySeconds', 'analyze ratio to parse-only': 'ratioToParseOnly' } },
  { name: 'rehearse', args: ['bench', 'rehearse', '--clusters', '1000', '--json'], figures: { 'rehearse wall s': 'wallSeconds' } },
];


function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

function runBench(root: string, b: Bench): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-cpu-'));
  try {
    const cpuFile = join(dir, 'cpu.json');
    const r = spawnSync(join(HERE, 'node_modules/.bin/node'), ['--import', join(HERE, 'scripts/cpu-usage.ts'), join(root, 'src/cli/main.ts'), ...b.args], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, FIREBREAK_CPU_USAGE_FILE: cpuFile },
    });
    if (r.status !== 0) throw new Error(`bench ${b.name} in ${root} failed (exit ${r.status ?? r.signal}): ${r.stderr.trim()}`);
    const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [label, field] of Object.entries(b.figures)) {
      const v = parsed[field];
      if (typeof v !== 'number') throw new Error(`bench ${b.name}: no number ${field} in ${r.stdout.trim()}`);
      out[label] = v;
    }
    const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as { userSeconds: number; systemSeconds: number };
    out[`${b.name} cpu s (user+sys)`] = Math.round((cpu.userSeconds + cpu.systemSeconds) * 100) / 100;
    out[`${b.name} user cpu s`] = Math.round(cpu.userSeconds * 100) / 100;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  let rev: string | undefined;
  let runs = 3;
  let json = false;
  let only: Set<string> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--json') json = true;
    else if (a === '--only') only = new Set((argv[++i] ?? '').split(','));
    else if (!a.startsWith('-') && rev === undefined) rev = a;
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  const benches = BENCHES.filter((b) => only === undefined || only.has(b.name));
  if (rev === undefined || !Number.isInteger(runs) || runs < 1 || benches.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const revision = RevisionTree.open(HERE, rev, 'firebreak-bench-compare-');
  const { commit } = revision;
  const old = revision.dir;
  const before: Record<string, number[]> = {};
  const now: Record<string, number[]> = {};
  try {
    if (!json) console.log(`comparing this working tree with ${rev} (${commit.slice(0, 12)}), ${runs} alternating runs`);
    for (let run = 0; run < runs; run++) {
      for (const b of benches) {
        const order: [string, Record<string, number[]>][] = run % 2 === 0 ? [[old, before], [HERE, now]] : [[HERE, now], [old, before]];
        for (const [root, into] of order) {
          for (const [label, v] of Object.entries(runBench(root, b))) (into[label] ??= []).push(v);
        }
        if (!json) process.stderr.write(`run ${run + 1}/${runs}: ${b.name} done\n`);
      }
    }
  } finally {
    revision.remove();
  }
  const rows = Object.keys(now).map((label) => {
    const b = median(before[label] ?? []);
    const n = median(now[label] ?? []);
    return { figure: label, before: b, now: n, ratio: Math.round((n / b) * 1000) / 1000, beforeRuns: before[label] ?? [], nowRuns: now[label] ?? [] };
  });
  if (json) console.log(JSON.stringify({ rev, commit, runs, figures: rows }));
  else for (const r of rows) console.log(`${r.figure.padEnd(32)} before ${String(r.before).padStart(7)}  now ${String(r.now).padStart(7)}  now/before ${r.ratio.toFixed(3)}   (before ${r.beforeRuns.join(', ')}; now ${r.nowRuns.join(', ')})`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
