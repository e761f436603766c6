/**
 * Checks that firebreak's outputs are byte-identical to another git revision:
 * the acceptance check of a refactoring that must not change what firebreak
 * computes (issue #10). Run
 *
 *   node scripts/check-identical.ts <rev> [--skip-analyze] [--keep]
 *
 * (through `node_modules/.bin/node`). It checks `<rev>` out with
 * `git worktree add --detach` into a temporary directory (node_modules
 * symlinked to this checkout's) and runs the same real CLI commands with this
 * working tree's code (uncommitted changes included) and with the revision's,
 * on this working tree's input files, comparing stdout, stderr, the exit code
 * and every file written, byte for byte:
 * - `simulate <scenario> --seed 1|2 --json --metrics <file>` for every
 *   shipped scenario (scenarios/*.yaml): the JSON report and the metrics file;
 * - `rehearse --scenario <s> --plan plans/default.yaml --seed 1|2 --json
 *   --compare` for every shipped scenario with a change (the incident
 *   rehearsal's JSON among them);
 * then, unless --skip-analyze, scripts/check-analyze-identical.ts against the
 * same revision (`analyze --format json|text|sarif` over the test corpus and
 * 10,000 generated manifests).
 * Exit 0 when everything is identical, 1 when something differs (the first
 * differences are printed), 2 on a usage error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstDifference } from './first-difference.ts';
import { RevisionTree } from './revision-tree.ts';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/check-identical.ts <rev> [--skip-analyze] [--keep]';

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly files: ReadonlyMap<string, string>;
}

interface Case {
  readonly name: string;
  /** Arguments after `main.ts`; `{out}` is replaced by a fresh output directory. */
  readonly args: readonly string[];
  /** Files the command writes into `{out}`, compared too. */
  readonly writes: readonly string[];
}


function cases(): Case[] {
  const scenarios = readdirSync(join(HERE, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/${f}`);
  const out: Case[] = [];
  for (const s of scenarios) {
    for (const seed of ['1', '2']) {
      out.push({ name: `simulate ${s} --seed ${seed}`, args: ['simulate', s, '--seed', seed, '--json', '--metrics', '{out}/metrics.ndjson'], writes: ['metrics.ndjson'] });
    }
  }
  for (const s of scenarios.filter((f) => !f.includes('baseline-no-change'))) {
    for (const seed of ['1', '2']) {
      out.push({ name: `rehearse ${s} --seed ${seed}`, args: ['rehearse', '--scenario', s, '--plan', 'plans/default.yaml', '--seed', seed, '--json', '--compare'], writes: [] });
    }
  }
  return out;
}

function run(root: string, c: Case, outDir: string): Outcome {
  mkdirSync(outDir, { recursive: true });
  const args = c.args.map((a) => a.replace('{out}', outDir));
  const r = spawnSync(join(HERE, 'node_modules/.bin/node'), [join(root, 'src/cli/main.ts'), ...args], { cwd: HERE, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, FIREBREAK_DEBUG: '' } });
  const files = new Map<string, string>();
  for (const w of c.writes) files.set(w, existsSync(join(outDir, w)) ? readFileSync(join(outDir, w), 'utf8') : '<not written>');
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1, files };
}

function main(argv: string[]): number {
  let rev: string | undefined;
  let keep = false;
  let analyze = true;
  for (const a of argv) {
    if (a === '--keep') keep = true;
    else if (a === '--skip-analyze') analyze = false;
    else if (!a.startsWith('-') && rev === undefined) rev = a;
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (rev === undefined) {
    console.error(USAGE);
    return 2;
  }
  const revision = RevisionTree.open(HERE, rev, 'firebreak-identical-');
  const { commit, tmp } = revision;
  const old = revision.dir;
  let differ = 0;
  try {
    console.log(`comparing this working tree with ${rev} (${commit.slice(0, 12)})`);
    const all = cases();
    let bytes = 0;
    all.forEach((c, i) => {
      const before = run(old, c, join(tmp, 'old', String(i)));
      const now = run(HERE, c, join(tmp, 'new', String(i)));
      const problems: string[] = [];
      if (before.exitCode !== now.exitCode) problems.push(`exit code ${before.exitCode} before, ${now.exitCode} now`);
      if (before.stdout !== now.stdout) problems.push(`stdout: ${firstDifference(now.stdout, before.stdout)}`);
      if (before.stderr !== now.stderr) problems.push(`stderr: ${firstDifference(now.stderr, before.stderr)}`);
      for (const [f, text] of now.files) {
        const b = before.files.get(f) ?? '';
        if (b !== text) problems.push(`${f}: ${firstDifference(text, b)}`);
        bytes += text.length;
      }
      bytes += now.stdout.length;
      if (problems.length > 0) {
        differ++;
        console.log(`DIFFERENT  ${c.name}\n    ${problems.join('\n    ')}`);
      } else console.log(`identical  ${c.name}`);
    });
    console.log(`${all.length - differ} of ${all.length} twin and rehearsal cases identical (${(bytes / 1e6).toFixed(1)} MB of output)`);
  } finally {
    if (keep) console.log(`kept ${tmp} (remove the worktree with: git worktree remove --force ${old})`);
    else revision.remove();
  }
  if (analyze) {
    const r = spawnSync(join(HERE, 'node_modules/.bin/node'), [join(HERE, 'scripts/check-analyze-identical.ts'), rev], { cwd: HERE, stdio: 'inherit' });
    if (r.status !== 0) differ++;
  }
  return differ > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
