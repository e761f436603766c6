/**
 * `firebreak analyze <files or dirs...> --fleet <fleet.yaml> [--format text|json|sarif] [--simulate] [--strict]`:
 * the pre-flight analyzer's shell. Reads the manifests and the fleet, runs the
 * pure analysis (src/analyzer), optionally simulates the derived profiles in
 * the twin, and returns what to print and the exit code: 0 when the fleet
 * verdict is ok or warn, 1 when block, 2 for usage or input errors (located
 * messages, no stack trace; an input with no Kubernetes object, a dangling
 * symbolic link). With --strict, a workload whose API use cannot be
 * determined from the input (`profile-unknown`) is block. One of the manifest
 * paths or the fleet may be `-` (standard input). docs/analyzer.md.
 */
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.ts';
import { analyze } from '../analyzer/analyze.ts';
import { formatJson, formatSarif, formatText, OUTPUT_FORMATS, type OutputFormat } from '../analyzer/format.ts';
import type { ManifestReadReport } from '../input/manifests.ts';
import { exitCodeFor } from './run-errors.ts';
import { fleetFrom, manifestsFrom, readStdinFor } from './inputs.ts';

export interface AnalyzeArgs {
  /** Manifest files and directories. */
  readonly paths: readonly string[];
  /** Fleet file (required). */
  readonly fleet?: string;
  /** text (default), json or sarif. */
  readonly format?: string;
  /** Also run the derived profiles in the fleet twin. */
  readonly simulate?: boolean;
  /** A workload whose API use cannot be determined from the input is block, not warn. */
  readonly strict?: boolean;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Runs the command; never throws for bad usage or input (exit 2 with the message on stderr). */
export async function analyzeCommand(args: AnalyzeArgs): Promise<CommandOutput> {
  try {
    const format = (args.format ?? 'text') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(args.format)}`);
    if (args.fleet === undefined || args.fleet === '') throw new UsageError('--fleet <fleet.yaml> is required: the clusters to estimate for (docs/fleet-format.md)');
    if (args.paths.length === 0) throw new UsageError('give at least one manifest file or directory');
    const stdin = await readStdinFor([['--fleet', args.fleet], ['<paths>', args.paths]]);
    const fleet = fleetFrom(args.fleet, stdin);
    const report: ManifestReadReport = { files: [], notes: [] };
    const docs = manifestsFrom(args.paths, stdin, report);
    const { analysis: a, simulation } = analyze(docs, fleet.clusters, { fleetName: fleet.name, strict: args.strict === true, input: report, simulate: args.simulate === true });
    const stdout = format === 'json' ? formatJson(a, simulation) : format === 'sarif' ? formatSarif(a, { toolVersion: toolVersion() }) : formatText(a, simulation);
    return { stdout, stderr: '', exitCode: a.verdict === 'block' ? 1 : 0 };
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      const { code, message } = exitCodeFor(err);
      return { stdout: '', stderr: message.endsWith('\n') ? message : message + '\n', exitCode: code };
    }
    throw err;
  }
}
