#!/usr/bin/env node
/**
 * The firebreak command line. A thin shell: it parses arguments, reads files,
 * calls the pure layers and writes results.
 *
 * @example
 *   firebreak simulate scenarios/openai-2024-12-11.yaml --seed 1 --report out/report.html
 */
import { Command, InvalidArgumentError } from 'commander';
import { simulate } from './simulate.ts';
import { validateFile } from './validate.ts';
import { benchTwin } from './bench.ts';
import { writeSchemas } from './schema.ts';
import { analyzeCommand } from './analyze.ts';
import { benchAnalyze } from './bench-analyze.ts';
import { planShow, planValidate } from './plan.ts';
import { rehearseCommand } from './rehearse.ts';
import { rolloutControl, rolloutHistoryResult, rolloutStatus } from './rollout.ts';
import { benchRehearse } from './bench-rehearse.ts';
import { exitCodeFor } from './run-errors.ts';

function seedArg(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('expected an integer seed, e.g. --seed 1');
  return Number(v);
}
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}
function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

const program = new Command()
  .name('firebreak')
  .description('Safe fleet-wide changes on Kubernetes: rehearse changes, rollouts and faults in a deterministic fleet twin.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('simulate')
  .description('run a scenario in the fleet twin')
  .argument('<scenario>', 'scenario YAML file')
  .option('--seed <n>', 'random seed', seedArg, 1)
  .option('--json', 'print the JSON report (docs/report-format.md) instead of a summary', false)
  .option('--report <file>', 'write the self-contained HTML report')
  .option('--metrics <file>', 'write per-cluster per-minute metrics as NDJSON')
  .action(async (file: string, o: { seed: number; json: boolean; report?: string; metrics?: string }) => {
    await simulate(file, { seed: o.seed, json: o.json, ...(o.report !== undefined ? { report: o.report } : {}), ...(o.metrics !== undefined ? { metrics: o.metrics } : {}) });
  });

const scenario = program.command('scenario').description('work with scenario files');
scenario
  .command('validate')
  .description('check a scenario (or fleet) file and report every problem with its location')
  .argument('<file>', 'scenario or fleet YAML file')
  .action((file: string) => {
    process.stdout.write(validateFile(file));
  });

program
  .command('analyze')
  .description("estimate a change's API-server cost at every cluster's size before it is deployed")
  .argument('<paths...>', 'Kubernetes manifests: files or directories (multi-document YAML, with RBAC)')
  .requiredOption('--fleet <file>', 'the Fleet to estimate against')
  .option('--format <format>', 'text, json or sarif', 'text')
  .option('--rehearse', 'also run the derived change in the fleet twin and compare', false)
  .action(async (paths: string[], o: { fleet: string; format: string; rehearse: boolean }) => {
    const r = await analyzeCommand({ paths, fleet: o.fleet, format: o.format, rehearse: o.rehearse });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });

const plan = program.command('plan').description('work with rollout plans');
plan
  .command('validate')
  .description('check a RolloutPlan and report every problem with its location')
  .argument('<plan>', 'RolloutPlan YAML file')
  .action((file: string) => {
    process.stdout.write(planValidate(file));
  });
plan
  .command('show')
  .description('print the waves and node batches a plan would run over a fleet')
  .argument('<plan>', 'RolloutPlan YAML file')
  .option('--fleet <file>', "the Fleet (default: the plan's spec.fleet)")
  .option('--json', 'print JSON', false)
  .option('--max-clusters <n>', 'clusters listed per wave (the rest are counted)', positiveInt)
  .action((file: string, o: { fleet?: string; json: boolean; maxClusters?: number }) => {
    process.stdout.write(planShow(file, { json: o.json, ...(o.fleet !== undefined ? { fleet: o.fleet } : {}), ...(o.maxClusters !== undefined ? { maxClusters: o.maxClusters } : {}) }));
  });

program
  .command('rehearse')
  .description('run a rollout plan against the fleet twin in virtual time')
  .requiredOption('--scenario <file>', 'scenario YAML (its fleet, model and change)')
  .requiredOption('--plan <file>', 'RolloutPlan YAML')
  .option('--seed <n>', 'random seed', seedArg, 1)
  .option('--json', 'print the JSON result (docs/orchestrator.md) instead of a summary', false)
  .option('--report <file>', 'write the HTML report with the waves')
  .option('--state <db>', 'SQLite state database (resume from it if it exists); default: in memory')
  .option('--compare', "also run the scenario's own naive pipeline and put both side by side", false)
  .option('--approve-after <duration>', 'grant manual approvals after this long in virtual time, or "never"', '5m')
  .action(async (o: { scenario: string; plan: string; seed: number; json: boolean; report?: string; state?: string; compare: boolean; approveAfter: string }) => {
    process.stdout.write(
      await rehearseCommand({
        scenario: o.scenario,
        plan: o.plan,
        seed: o.seed,
        json: o.json,
        compare: o.compare,
        approveAfter: o.approveAfter,
        ...(o.report !== undefined ? { report: o.report } : {}),
        ...(o.state !== undefined ? { state: o.state } : {}),
      }),
    );
  });

const rollout = program.command('rollout').description('inspect and steer a rollout through its state database');
rollout
  .command('status')
  .description('where the rollout stands')
  .requiredOption('--state <db>', 'state database')
  .option('--json', 'print JSON', false)
  .action((o: { state: string; json: boolean }) => {
    process.stdout.write(rolloutStatus(o.state, { json: o.json }));
  });
rollout
  .command('history')
  .description('the persisted events and decisions')
  .requiredOption('--state <db>', 'state database')
  .option('--json', 'print JSON', false)
  .option('--limit <n>', 'newest N entries', positiveInt)
  .action((o: { state: string; json: boolean; limit?: number }) => {
    const r = rolloutHistoryResult(o.state, { json: o.json, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    process.stdout.write(r.stdout);
    if (r.problem !== null) {
      process.stderr.write(`error: ${r.problem}\n`);
      process.exitCode = 2;
    }
  });
for (const action of ['pause', 'resume', 'approve', 'abort'] as const) {
  rollout
    .command(action)
    .description(`${action} the rollout`)
    .requiredOption('--state <db>', 'state database')
    .option('--by <who>', 'who asks (default: the OS user)')
    .option('--reason <text>', 'why')
    .option('--wave <n>', 'approve: the wave (1-based) being approved', positiveInt)
    .action((o: { state: string; by?: string; reason?: string; wave?: number }) => {
      process.stdout.write(
        rolloutControl(o.state, action, { ...(o.by !== undefined ? { by: o.by } : {}), ...(o.reason !== undefined ? { reason: o.reason } : {}), ...(o.wave !== undefined ? { wave: o.wave } : {}) }),
      );
    });
}

const bench = program.command('bench').description('benchmarks');
bench
  .command('rehearse')
  .description('rehearse the default plan over a generated fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--clusters <n>', 'clusters in the generated fleet', positiveInt, 1000)
  .action(async (o: { json: boolean; clusters: number }) => {
    process.stdout.write(await benchRehearse(o));
  });
bench
  .command('analyze')
  .description('analyze generated manifests against a generated fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--manifests <n>', 'manifests to analyze', positiveInt, 10000)
  .option('--clusters <n>', 'clusters in the fleet', positiveInt, 200)
  .action((o: { json: boolean; manifests: number; clusters: number }) => {
    process.stdout.write(benchAnalyze(o));
  });
bench
  .command('twin')
  .description('simulate a reference fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--clusters <n>', 'clusters in the reference fleet', positiveInt, 200)
  .option('--hours <h>', 'simulated hours', positive, 6)
  .option('--scaling', 'also measure wall time for 50, 100, 200 and 400 clusters', false)
  .action((o: { json: boolean; clusters: number; hours: number; scaling: boolean }) => {
    process.stdout.write(benchTwin(o));
  });

program
  .command('schema')
  .description('write the JSON Schemas of the input formats (for editors)')
  .option('--out <dir>', 'output directory', 'schemas')
  .action((o: { out: string }) => {
    process.stdout.write(writeSchemas(o.out));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const { code, message } = exitCodeFor(err);
  if (message !== '') process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exitCode = code;
}
