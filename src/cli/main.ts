#!/usr/bin/env node
/**
 * The firebreak command line. A thin shell: it parses arguments, reads files,
 * calls the pure layers and writes results. Every command follows one
 * exit-code contract (src/cli/run-errors.ts, shown by `firebreak --help`):
 * 0 success, 1 a negative verdict, 2 a usage or input error, 3 an internal
 * error. Command modules are loaded when their command runs, so that a quick
 * command does not pay for the twin or the report renderer. Node's module
 * compile cache is on (see below), so a second run does not strip and compile
 * the same TypeScript again.
 *
 * @example
 *   firebreak simulate scenarios/openai-2024-12-11.yaml --seed 1 --report out/report.html
 */
import { enableCompileCache } from 'node:module';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../core/duration.ts';
import { SystemError, UsageError } from '../core/errors.ts';
import { DEFAULT_MAX_INPUT_BYTES, formatByteSize, parseByteSize, setMaxInputBytes } from '../input/read.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './run-errors.ts';
import { settings } from './settings.ts';
import { DEFAULT_STDIN_TIMEOUT_MS } from './stdin.ts';

// ---------------------------------------------------------------------------
// Output streams: a reader that went away (EPIPE, `| head`) ends the output
// quietly, the exit code stays the command's; any other write failure (a full
// disk under `> file`) is one line and exit 3.

settings.debug = process.env.FIREBREAK_DEBUG === '1' || process.argv.includes('--debug');

// Node's module compile cache (node:module enableCompileCache): the command modules, loaded on
// demand below, are read from an on-disk cache of their type-stripped source and V8 code instead
// of being stripped and compiled again on every run (nodejs/node 58d2dad, PR #56629, "module:
// integrate TypeScript into compile cache"). About 0.25 s of CPU per `bench twin` on this host
// (docs/performance.md, issue #10). The directory is NODE_COMPILE_CACHE, or node-compile-cache
// under the OS's temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off. It never throws:
// when the cache cannot be used, modules are compiled as before. Output does not change.
enableCompileCache();

const closed = { stdout: false, stderr: false };

function guard(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || (closed[name] && e.code === 'ERR_STREAM_DESTROYED')) {
      closed[name] = true;
      return;
    }
    closed[name] = true;
    const failure = exitCodeFor(e.code !== undefined && e.errno !== undefined ? new SystemError(`cannot write to standard ${name === 'stdout' ? 'output' : 'error'}: ${e.message}`, { cause: e }) : e, { debug: settings.debug });
    if (name === 'stdout') printErr(failure.message);
    process.exitCode = failure.code;
  });
}
guard(process.stdout, 'stdout');
guard(process.stderr, 'stderr');

function print(text: string): void {
  if (!closed.stdout && text !== '') process.stdout.write(text);
}
function printErr(text: string): void {
  if (!closed.stderr && text !== '') process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** Ends the run for an error: its exit code and message (run-errors.ts). */
function fail(err: unknown): void {
  const { code, message } = exitCodeFor(err, { debug: settings.debug });
  printErr(message);
  process.exitCode = code;
}

process.on('uncaughtException', (err) => {
  fail(err);
  process.exit();
});
process.on('unhandledRejection', (err) => {
  fail(err);
  process.exit();
});

// ---------------------------------------------------------------------------
// Argument parsers: every number within a documented range.

function seedArg(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('expected an integer seed, e.g. --seed 1');
  return Number(v);
}
function intIn(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
function numberIn(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !(n > min) || n > max) throw new InvalidArgumentError(`expected a number > ${min} and ≤ ${max}`);
    return n;
  };
}
/** A duration from `min` to `max` seconds, e.g. 15s or 1m. */
function secondsIn(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const s = parseDuration(v);
    if (s === undefined || s < min || s > max) throw new InvalidArgumentError(`expected a duration from ${min}s to ${max}s, e.g. 15s or 1m`);
    return s;
  };
}
/** Positions and counts users pass (waves, list lengths): bounded only by what is meaningful, 1,000,000. */
const count = intIn(1, 1_000_000);

const program = new Command()
  .name('firebreak')
  .description('Safe fleet-wide changes on Kubernetes: rehearse changes, rollouts and faults in a deterministic fleet twin.')
  .option('--debug', 'show the stack trace of an internal error (also FIREBREAK_DEBUG=1)')
  .option('--max-input-size <size>', `largest input file, or standard input, e.g. 64Mi (default ${formatByteSize(DEFAULT_MAX_INPUT_BYTES)}; also FIREBREAK_MAX_INPUT_SIZE)`)
  .option('--stdin-timeout <duration>', `longest wait for data on standard input (\`-\`), e.g. 2m (default ${DEFAULT_STDIN_TIMEOUT_MS / 1000}s; also FIREBREAK_STDIN_TIMEOUT)`)
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .exitOverride()
  .addHelpText(
    'after',
    `
Input files: every file argument may be \`-\` for standard input (one \`-\` per command).
Only regular files are read (a FIFO or device is refused: pipe it into \`-\`), at most
--max-input-size bytes each, as UTF-8 text.

${EXIT_CODES_HELP}`,
  );

program.hook('preAction', (_root, action) => {
  const o = action.optsWithGlobals<{ debug?: boolean; maxInputSize?: string; stdinTimeout?: string }>();
  if (o.debug === true) settings.debug = true;
  const size = o.maxInputSize ?? process.env.FIREBREAK_MAX_INPUT_SIZE;
  if (size !== undefined && size !== '') {
    const n = parseByteSize(size);
    if (n === undefined) throw new UsageError(`${o.maxInputSize !== undefined ? '--max-input-size' : 'FIREBREAK_MAX_INPUT_SIZE'} expects a size such as 16Mi, 64MiB or 1048576 (bytes), got ${JSON.stringify(size)}`);
    setMaxInputBytes(n);
  }
  const wait = o.stdinTimeout ?? process.env.FIREBREAK_STDIN_TIMEOUT;
  if (wait !== undefined && wait !== '') {
    const s = parseDuration(wait);
    if (s === undefined || s <= 0 || s > 86_400) throw new UsageError(`${o.stdinTimeout !== undefined ? '--stdin-timeout' : 'FIREBREAK_STDIN_TIMEOUT'} expects a duration from 1ms to 1d such as 30s or 2m, got ${JSON.stringify(wait)}`);
    settings.stdinTimeoutMs = Math.max(1, Math.round(s * 1000));
  }
});

program
  .command('simulate')
  .description('run a scenario in the fleet twin')
  .argument('<scenario>', 'scenario YAML file, or - for standard input')
  .option('--seed <n>', 'random seed', seedArg, 1)
  .option('--json', 'print the JSON report (docs/report-format.md) instead of a summary', false)
  .option('--report <file>', 'write the self-contained HTML report')
  .option('--metrics <file>', 'write per-cluster per-minute metrics as NDJSON')
  .option('--openmetrics <file>', 'write the run\'s Prometheus series with simulated timestamps, OpenMetrics text for promtool tsdb create-blocks-from openmetrics (docs/metrics.md)')
  .option('--openmetrics-interval <duration>', 'simulated time between two samples of a series in --openmetrics (default 2m; docs/metrics.md)', secondsIn(1, 3600), 120)
  .action(async (file: string, o: { seed: number; json: boolean; report?: string; metrics?: string; openmetrics?: string; openmetricsInterval: number }) => {
    const { simulate } = await import('./simulate.ts');
    print(await simulate(file, { seed: o.seed, json: o.json, ...(o.report !== undefined ? { report: o.report } : {}), ...(o.metrics !== undefined ? { metrics: o.metrics } : {}), ...(o.openmetrics !== undefined ? { openmetrics: o.openmetrics, openmetricsIntervalS: o.openmetricsInterval } : {}) }));
  });

const twinCmd = program.command('twin').description('the fleet twin as a service');
twinCmd
  .command('serve')
  .description('serve a Kubernetes API per simulated cluster over HTTPS, the twin running in wall-clock time (docs/twin-serve.md); until SIGINT/SIGTERM')
  .argument('<scenario>', 'scenario YAML file, or - for standard input')
  .option('--speed <n>', 'simulated seconds per wall second', numberIn(0, 100_000), 1)
  .option('--port <p>', 'first port (clusters on consecutive ports, then the control endpoint); 0: any free ports', intIn(0, 65535), 0)
  .option('--kubeconfig <file>', 'where to write the kubeconfig (one context per cluster and identity)', 'twin.kubeconfig')
  .option('--seed <n>', 'random seed', seedArg, 1)
  .option('--prometheus-config <file>', 'also write a Prometheus config scraping every cluster, with its CA and token files beside it (docs/metrics.md)')
  .option('--scrape-interval <duration>', 'scrape interval of --prometheus-config', secondsIn(1, 3600), 15)
  .action(async (file: string, o: { speed: number; port: number; kubeconfig: string; seed: number; prometheusConfig?: string; scrapeInterval: number }) => {
    const { twinServe } = await import('./twin-serve.ts');
    await twinServe(file, o);
  });

const scenario = program.command('scenario').description('work with scenario files');
scenario
  .command('validate')
  .description('check a scenario (or fleet) file and report every problem with its location')
  .argument('<file>', 'scenario or fleet YAML file, or - for standard input')
  .action(async (file: string) => {
    const { validateFile } = await import('./validate.ts');
    print(await validateFile(file));
  });

program
  .command('analyze')
  .description("estimate a change's API-server cost at every cluster's size before it is deployed (exit 1 when the verdict is block)")
  .argument('<paths...>', 'Kubernetes manifests: files or directories (multi-document YAML, with RBAC), or - for standard input')
  .requiredOption('--fleet <file>', 'the Fleet to estimate against (or - for standard input)')
  .option('--format <format>', 'text, json or sarif', 'text')
  .option('--simulate', 'also run the derived change in the fleet twin and compare', false)
  // The option's former name, kept working: "rehearse" now means only a rollout plan run against the twin.
  .addOption(new Option('--rehearse', 'deprecated: --simulate').hideHelp())
  .option('--strict', 'a workload whose API use cannot be determined from the input (profile-unknown) is block, not warn', false)
  .action(async (paths: string[], o: { fleet: string; format: string; simulate: boolean; rehearse?: boolean; strict: boolean }) => {
    const { analyzeCommand } = await import('./analyze.ts');
    if (o.rehearse === true) printErr('firebreak: analyze --rehearse is deprecated; use --simulate\n');
    const r = await analyzeCommand({ paths, fleet: o.fleet, format: o.format, simulate: o.simulate || o.rehearse === true, strict: o.strict });
    print(r.stdout);
    printErr(r.stderr);
    process.exitCode = r.exitCode;
  });

const plan = program.command('plan').description('work with rollout plans');
plan
  .command('validate')
  .description('check a RolloutPlan and report every problem with its location')
  .argument('<plan>', 'RolloutPlan YAML file, or - for standard input')
  .action(async (file: string) => {
    const [{ planValidate }, { readStdinFor }] = await Promise.all([import('./plan.ts'), import('./inputs.ts')]);
    const stdin = await readStdinFor([['<plan>', file]]);
    print(planValidate(file, stdin));
  });
plan
  .command('show')
  .description('print the waves and node batches a plan would run over a fleet')
  .argument('<plan>', 'RolloutPlan YAML file, or - for standard input')
  .option('--fleet <file>', "the Fleet (default: the plan's spec.fleet), or - for standard input")
  .option('--json', 'print JSON', false)
  .option('--max-clusters <n>', 'clusters listed per wave (the rest are counted)', count)
  .action(async (file: string, o: { fleet?: string; json: boolean; maxClusters?: number }) => {
    const [{ planShow }, { readStdinFor }] = await Promise.all([import('./plan.ts'), import('./inputs.ts')]);
    const stdin = await readStdinFor([['<plan>', file], ['--fleet', o.fleet]]);
    print(planShow(file, { json: o.json, ...(o.fleet !== undefined ? { fleet: o.fleet } : {}), ...(o.maxClusters !== undefined ? { maxClusters: o.maxClusters } : {}), ...(stdin !== undefined ? { stdin } : {}) }));
  });

program
  .command('rehearse')
  .description('run a rollout plan against the fleet twin in virtual time (exit 1 when the rollout halts, is aborted or does not finish)')
  .requiredOption('--scenario <file>', 'scenario YAML (its fleet, model and change), or - for standard input')
  .requiredOption('--plan <file>', 'RolloutPlan YAML, or - for standard input')
  .option('--seed <n>', 'random seed', seedArg, 1)
  .option('--json', 'print the JSON result (docs/orchestrator.md) instead of a summary', false)
  .option('--report <file>', 'write the HTML report with the waves')
  .option('--state <db>', 'SQLite state database (resume from it if it exists); default: in memory')
  .option('--compare', "also run the scenario's own naive pipeline and put both side by side", false)
  .option('--approve-after <duration>', 'grant manual approvals after this long in virtual time, or "never"', '5m')
  .action(async (o: { scenario: string; plan: string; seed: number; json: boolean; report?: string; state?: string; compare: boolean; approveAfter: string }) => {
    const { rehearseRun } = await import('./rehearse.ts');
    const r = await rehearseRun({
      scenario: o.scenario,
      plan: o.plan,
      seed: o.seed,
      json: o.json,
      compare: o.compare,
      approveAfter: o.approveAfter,
      ...(o.report !== undefined ? { report: o.report } : {}),
      ...(o.state !== undefined ? { state: o.state } : {}),
    });
    print(r.stdout);
    printErr(r.stderr);
    process.exitCode = r.exitCode;
  });

program
  .command('gates')
  .description("check a plan's gates against their metric source")
  .command('check')
  .description("run every enabled gate's query once for all the plan's clusters against Prometheus and print what each returns (exit 1 when some gate lacks data for some cluster)")
  .requiredOption('--plan <file>', 'RolloutPlan YAML')
  .requiredOption('--fleet <file>', 'Fleet YAML: the clusters and their Prometheus label (docs/fleet-format.md)')
  .option('--prometheus <url>', "Prometheus' base URL (default: the plan's spec.metrics.prometheus.url)")
  .option('--json', 'print JSON instead of a table', false)
  .action(async (o: { plan: string; fleet: string; prometheus?: string; json: boolean }) => {
    const { gatesCheck } = await import('./gates-check.ts');
    const r = await gatesCheck({ plan: o.plan, fleet: o.fleet, json: o.json, ...(o.prometheus !== undefined ? { prometheus: o.prometheus } : {}) });
    print(r.stdout);
    process.exitCode = r.exitCode;
  });

const rollout = program.command('rollout').description('inspect and steer a rollout through its state database');
rollout
  .command('status')
  .description('where the rollout stands')
  .requiredOption('--state <db>', 'state database')
  .option('--json', 'print JSON', false)
  .action(async (o: { state: string; json: boolean }) => {
    const { rolloutStatus } = await import('./rollout.ts');
    print(rolloutStatus(o.state, { json: o.json }));
  });
rollout
  .command('history')
  .description('the persisted events and decisions')
  .requiredOption('--state <db>', 'state database')
  .option('--json', 'print JSON', false)
  .option('--limit <n>', 'newest N entries', count)
  .action(async (o: { state: string; json: boolean; limit?: number }) => {
    const { rolloutHistoryResult } = await import('./rollout.ts');
    const r = rolloutHistoryResult(o.state, { json: o.json, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    print(r.stdout);
    if (r.problem !== null) {
      printErr(`error: ${r.problem}`);
      process.exitCode = EXIT.usage;
    }
  });
for (const action of ['pause', 'resume', 'approve', 'abort'] as const) {
  rollout
    .command(action)
    .description(`${action} the rollout`)
    .requiredOption('--state <db>', 'state database')
    .option('--by <who>', 'who asks (default: the OS user)')
    .option('--reason <text>', 'why')
    .option('--wave <n>', 'approve: the wave (1-based) being approved', count)
    .action(async (o: { state: string; by?: string; reason?: string; wave?: number }) => {
      const { rolloutControl } = await import('./rollout.ts');
      print(rolloutControl(o.state, action, { ...(o.by !== undefined ? { by: o.by } : {}), ...(o.reason !== undefined ? { reason: o.reason } : {}), ...(o.wave !== undefined ? { wave: o.wave } : {}) }));
    });
}

rollout
  .command('run')
  .description('roll the plan out to real clusters through their Kubernetes API, in wall-clock time (exit 1 when it halts, is aborted or does not finish)')
  .requiredOption('--plan <file>', 'RolloutPlan YAML whose change is manifests')
  .requiredOption('--fleet <file>', 'Fleet YAML: the clusters and how to reach them (docs/fleet-format.md)')
  .option('--kubeconfig <file>', "kubeconfig file (default: the fleet's, else $KUBECONFIG, else ~/.kube/config)")
  .requiredOption('--state <db>', 'SQLite state database (run the same command again to resume)')
  .option('--json', 'print the JSON result instead of a summary', false)
  .option('--killswitch-url <url>', 'the kill switch endpoint (by IP address), used when the plan enables the kill switch (docs/killswitch.md)')
  .option('--killswitch-token <file>', "the kill switch's admin token file")
  .option('--killswitch-key <file>', "the guards' verification key file (switch.pub)")
  .option('--guard-image <image>', 'the image of the guard sidecar injected into the pod template')
  .option('--prometheus <url>', "read the gates from this Prometheus (overrides the plan's spec.metrics.prometheus.url; any fleet, not only a twin-served one)")
  .action(async (o: { plan: string; fleet: string; kubeconfig?: string; state: string; json: boolean; killswitchUrl?: string; killswitchToken?: string; killswitchKey?: string; guardImage?: string; prometheus?: string }) => {
    const { rolloutRun } = await import('./rollout-run.ts');
    const { plan, fleet, state, json, kubeconfig, killswitchUrl, killswitchToken, killswitchKey, guardImage, prometheus } = o;
    const opt = { ...(prometheus !== undefined ? { prometheus } : {}), ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...(killswitchUrl !== undefined ? { killswitchUrl } : {}), ...(killswitchToken !== undefined ? { killswitchToken } : {}), ...(killswitchKey !== undefined ? { killswitchKey } : {}), ...(guardImage !== undefined ? { guardImage } : {}) };
    const r = await rolloutRun({ plan, fleet, state, json, ...opt }, (line) => printErr(`${line}\n`));
    print(r.stdout);
    printErr(r.stderr);
    process.exitCode = r.exitCode;
  });

const breakglass = program.command('breakglass').description('the break-glass kit: identity, RBAC and APF priority for the rollback (docs/breakglass.md)');
for (const action of ['install', 'check'] as const) {
  breakglass
    .command(action)
    .description(action === 'install' ? 'install the kit in every cluster of the fleet (server-side apply, idempotent)' : 'check the kit in every cluster, object by object (exit 1 when something is missing or wrong)')
    .requiredOption('--fleet <file>', 'Fleet YAML')
    .requiredOption('--plan <file>', 'RolloutPlan YAML whose change (manifests) the kit covers')
    .option('--kubeconfig <file>', "kubeconfig file (default: the fleet's, else $KUBECONFIG, else ~/.kube/config)")
    .option('--user <name>', "kubeconfig user to send the requests as (default: each context's own)")
    .option('--level <level>', 'dedicated (a PriorityLevelConfiguration with reserved seats, lendablePercent 0) or exempt', 'dedicated')
    .option('--json', 'print JSON', false)
    .action(async (o: { fleet: string; plan: string; kubeconfig?: string; user?: string; level: string; json: boolean }) => {
      const { breakglassCommand } = await import('./breakglass.ts');
      const r = await breakglassCommand(action, { fleet: o.fleet, plan: o.plan, level: o.level, json: o.json, ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}), ...(o.user !== undefined ? { user: o.user } : {}) }, (line) => printErr(`${line}\n`));
      print(r.stdout);
      process.exitCode = r.exitCode;
    });
}

// Benchmark sizes stay within the input formats' own ranges (docs/fleet-format.md: up to 10,000 clusters; a scenario runs up to 7 days).
const bench = program.command('bench').description('benchmarks');
bench
  .command('rehearse')
  .description('rehearse the default plan over a generated fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--clusters <n>', 'clusters in the generated fleet (1 to 10000)', intIn(1, 10_000), 1000)
  .action(async (o: { json: boolean; clusters: number }) => {
    const { benchRehearse } = await import('./bench-rehearse.ts');
    print(await benchRehearse(o));
  });
bench
  .command('analyze')
  .description('analyze generated manifests against a generated fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--manifests <n>', 'manifests to analyze (1 to 1000000)', intIn(1, 1_000_000), 10000)
  .option('--clusters <n>', 'clusters in the fleet (1 to 10000)', intIn(1, 10_000), 200)
  .option('--rounds <n>', 'alternating rounds of parse-only and analysis; medians are reported (1 to 50)', intIn(1, 50), 3)
  .action(async (o: { json: boolean; manifests: number; clusters: number; rounds: number }) => {
    const { benchAnalyze } = await import('./bench-analyze.ts');
    print(benchAnalyze(o));
  });
bench
  .command('serve')
  .description('time kubectl get nodes and a client-node LIST of all pods against a served 7,500-node cluster; report the serve process\'s peak RSS')
  .option('--json', 'print JSON', false)
  .option('--nodes <n>', 'nodes of the served cluster (1 to 100000)', intIn(1, 100_000), 7500)
  .option('--pods <n>', 'pods of the served cluster (0 to 1000000)', intIn(0, 1_000_000), 200_000)
  .option('--rounds <n>', 'timed rounds; medians are reported (1 to 20)', intIn(1, 20), 3)
  .option('--speed <n>', 'the served twin\'s speed (answers wait the simulated latency / speed)', numberIn(0, 100_000), 1)
  .action(async (o: { json: boolean; nodes: number; pods: number; rounds: number; speed: number }) => {
    const { benchServe } = await import('./bench-serve.ts');
    print(await benchServe(o));
  });
bench
  .command('gates')
  .description('time one gate evaluation against a real Prometheus (promtool-loaded) for a wave of clusters: range queries per evaluation and wall time')
  .option('--json', 'print JSON', false)
  .option('--clusters <n>', 'clusters of the wave (1 to 10000)', intIn(1, 10_000), 1000)
  .option('--rounds <n>', 'timed evaluations; the median is reported (1 to 50)', intIn(1, 50), 5)
  .action(async (o: { json: boolean; clusters: number; rounds: number }) => {
    const { benchGates } = await import('./bench-gates.ts');
    print(await benchGates(o));
  });
bench
  .command('twin')
  .description('simulate a reference fleet and report speed')
  .option('--json', 'print JSON', false)
  .option('--clusters <n>', 'clusters in the reference fleet (1 to 10000)', intIn(1, 10_000), 200)
  .option('--hours <h>', 'simulated hours (up to 168)', numberIn(0, 168), 6)
  .option('--scaling', 'also measure wall time for 50, 100, 200 and 400 clusters', false)
  .action(async (o: { json: boolean; clusters: number; hours: number; scaling: boolean }) => {
    const { benchTwin } = await import('./bench.ts');
    print(benchTwin(o));
  });

const killswitch = program.command('killswitch').description('the out-of-band kill switch: serve, flip and read signed switch states (docs/killswitch.md)');
killswitch
  .command('serve')
  .description("publish each change's signed switch state over HTTP, reached by address; runs until SIGTERM/SIGINT")
  .option('--port <n>', 'port to listen on (0: any free port)', intIn(0, 65_535), 8080)
  .option('--host <ip>', 'address to listen on (a management address; 0.0.0.0 for all)', '127.0.0.1')
  .option('--key <file>', 'Ed25519 private key (PEM) that signs the documents (default: a key made for this run, printed as publicKey)')
  .option('--admin-token <file>', 'file holding the token that authorises flips (default: one made for this run, printed)')
  .option('--state <file>', 'keep the switches in this file, written atomically on every flip (survives restarts)')
  .action(async (o: { port: number; host: string; key?: string; adminToken?: string; state?: string }) => {
    const { killswitchServe } = await import('./killswitch.ts');
    await killswitchServe({ port: o.port, host: o.host, ...(o.key !== undefined ? { key: o.key } : {}), ...(o.adminToken !== undefined ? { adminToken: o.adminToken } : {}), ...(o.state !== undefined ? { state: o.state } : {}) });
  });
killswitch
  .command('set')
  .description("flip a change's switch on a killswitch server")
  .argument('<change>', "the change's name")
  .argument('<state>', 'off or on')
  .requiredOption('--url <url>', 'the switch server, by IP address (http://10.0.0.7:8080)')
  .requiredOption('--token <file>', 'file holding the admin token')
  .option('--cluster <name>', 'only in this cluster')
  .option('--command-id <id>', 'idempotency key: a flip with an id already carried out does nothing')
  .action(async (change: string, state: string, o: { url: string; token: string; cluster?: string; commandId?: string }) => {
    const { killswitchSet } = await import('./killswitch.ts');
    print(await killswitchSet({ change, state, url: o.url, token: o.token, ...(o.cluster !== undefined ? { cluster: o.cluster } : {}), ...(o.commandId !== undefined ? { commandId: o.commandId } : {}) }));
  });
killswitch
  .command('get')
  .description("read and verify a change's switch, as a guard does")
  .argument('<change>', "the change's name")
  .requiredOption('--url <url>', 'the switch server, by IP address')
  .option('--key <key>', "the server's public key (one line of base64, as in switch.pub)")
  .option('--key-file <file>', "file holding the server's public key")
  .option('--cluster <name>', 'the switch as a guard in this cluster sees it')
  .option('--json', 'print JSON', false)
  .action(async (change: string, o: { url: string; key?: string; keyFile?: string; cluster?: string; json: boolean }) => {
    const { killswitchGet } = await import('./killswitch.ts');
    print(await killswitchGet({ change, url: o.url, json: o.json, ...(o.key !== undefined ? { key: o.key } : {}), ...(o.keyFile !== undefined ? { keyFile: o.keyFile } : {}), ...(o.cluster !== undefined ? { cluster: o.cluster } : {}) }));
  });
killswitch
  .command('keys')
  .description("make a switch server's signing key pair and admin token (switch.key, switch.pub, admin.token)")
  .requiredOption('--out <dir>', 'directory to write them to (never overwritten)')
  .action(async (o: { out: string }) => {
    const { killswitchKeys } = await import('./killswitch.ts');
    print(killswitchKeys(o.out));
  });

program
  .command('guard')
  .description("run an agent under its change's kill switch, or stop it from a sidecar; exits with the agent's code (docs/killswitch.md)")
  .argument('[agent...]', 'the agent command and its arguments, after --')
  .option('--url <url>', 'the switch server, by IP address (also FIREBREAK_KILLSWITCH_URL)')
  .option('--change <name>', "the change's name (also FIREBREAK_CHANGE)")
  .option('--cluster <name>', 'the cluster this runs in (also FIREBREAK_CLUSTER)')
  .option('--poll <seconds>', 'seconds between reads of the switch, default 10 (also FIREBREAK_KILLSWITCH_POLL)')
  .option('--unreachable <policy>', 'keep-running (default) or stop, while the switch cannot be read (also FIREBREAK_KILLSWITCH_UNREACHABLE)')
  .option('--key <key>', "the switch server's public key, base64 or PEM (also FIREBREAK_KILLSWITCH_KEY)")
  .option('--key-file <file>', "file holding the switch server's public key")
  .option('--state-dir <dir>', 'where the guard remembers an "off" across its restarts (default /var/run/firebreak-guard if it exists, else $TMPDIR/firebreak-guard)')
  .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL when stopping the agent (default 10)')
  .option('--sidecar', "sidecar mode: find the agent by --process-name in the pod's shared process namespace and stop it", false)
  .option('--process-name <name>', "sidecar mode: the agent's process name")
  .action(async (agent: string[], o: { url?: string; change?: string; cluster?: string; poll?: string; unreachable?: string; key?: string; keyFile?: string; stateDir?: string; grace?: string; sidecar: boolean; processName?: string }) => {
    const { guardCommand } = await import('./killswitch.ts');
    process.exitCode = await guardCommand(agent, o, process.env);
  });

program
  .command('schema')
  .description('write the JSON Schemas of the input formats (for editors)')
  .option('--out <dir>', 'output directory (a file there is an error)', 'schemas')
  .action(async (o: { out: string }) => {
    const { writeSchemas } = await import('./schema.ts');
    print(writeSchemas(o.out));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
if (process.exitCode === undefined) process.exitCode = EXIT.ok;
