/**
 * The input files of a command, standard input included: `-` in place of a
 * file name (a scenario, plan, fleet or manifest path) reads that input from
 * standard input — at most one `-` per command, read once, before the
 * synchronous loaders run (src/cli/stdin.ts), then handed to them as text.
 * Problems in it are reported against `<stdin>`; relative paths inside it
 * (spec.fleet.file) are relative to the current directory.
 *
 * @example
 *   const stdin = await readStdinFor([['--scenario', o.scenario], ['--plan', o.plan]]);
 *   const scenario = scenarioFrom(o.scenario, stdin);
 */
import { UsageError } from '../core/errors.ts';
import type { ManifestDocument } from '../analyzer/types.ts';
import { loadFleetFile, parseFleet, type LoadedFleet } from '../input/fleet.ts';
import { readManifestPaths, type ManifestReadReport } from '../input/manifests.ts';
import { loadPlanFile, parsePlan, type LoadedPlan } from '../input/plan.ts';
import { maxInputBytes, STDIN_NAME } from '../input/read.ts';
import { loadScenarioFile, parseScenario } from '../input/scenario.ts';
import type { Scenario } from '../twin/index.ts';
import { settings } from './settings.ts';
import { readStdin } from './stdin.ts';

/**
 * Standard input's text when one of the named inputs is `-` (undefined when
 * none is). Throws UsageError when more than one is: standard input is one
 * stream.
 */
export async function readStdinFor(inputs: readonly (readonly [what: string, value: string | readonly string[] | undefined])[]): Promise<string | undefined> {
  const dashes = inputs.flatMap(([what, v]) => (v === undefined ? [] : (typeof v === 'string' ? [v] : v).filter((x) => x === '-').map(() => what)));
  if (dashes.length === 0) return undefined;
  if (dashes.length > 1) {
    throw new UsageError(`only one input can come from standard input, but \`-\` is given ${dashes.length} times (${dashes.join(', ')}); pass the others as files`);
  }
  return readStdin({ maxBytes: maxInputBytes(), timeoutMs: settings.stdinTimeoutMs });
}

function text(stdin: string | undefined): string {
  if (stdin === undefined) throw new UsageError('`-` (standard input) was not read for this input; this is a bug in the command');
  return stdin;
}

export function scenarioFrom(arg: string, stdin: string | undefined): Scenario {
  return arg === '-' ? parseScenario(text(stdin), STDIN_NAME) : loadScenarioFile(arg);
}

export function planFrom(arg: string, stdin: string | undefined): LoadedPlan {
  return arg === '-' ? parsePlan(text(stdin), STDIN_NAME) : loadPlanFile(arg);
}

export function fleetFrom(arg: string, stdin: string | undefined): LoadedFleet {
  return arg === '-' ? parseFleet(text(stdin), STDIN_NAME) : loadFleetFile(arg);
}

export function manifestsFrom(paths: readonly string[], stdin: string | undefined, report?: ManifestReadReport): ManifestDocument[] {
  return readManifestPaths(paths, { ...(stdin !== undefined ? { stdin } : {}), ...(report !== undefined ? { report } : {}) });
}
