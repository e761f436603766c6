/**
 * `firebreak plan validate <plan.yaml>` and `firebreak plan show <plan.yaml>
 * [--fleet <fleet.yaml>] [--json]`: check a rollout plan (every problem
 * located, exit 2), and print the waves it would run over a fleet. The plan
 * or the fleet may be `-`: the caller reads standard input
 * (src/cli/inputs.ts) and passes its text as `stdin`.
 *
 * @example
 *   process.stdout.write(planShow('plans/default.yaml', { fleet: 'fleets/openai-like.yaml', json: false }));
 */
import { UsageError } from '../core/errors.ts';
import { formatDuration } from '../core/duration.ts';
import { SIZE_CLASSES } from '../model/fleet.ts';
import { formatBatch } from '../orchestrator/plan.ts';
import { specOverFleet } from '../input/rollout-spec.ts';
import { STDIN_NAME } from '../input/read.ts';
import { fleetFrom, planFrom } from './inputs.ts';

/** Checks a plan file; returns a one-line confirmation (throws InputError with every problem). */
export function planValidate(file: string, stdin?: string): string {
  const loaded = planFrom(file, stdin);
  const p = loaded.plan;
  const waves = p.waves.kind === 'generate' ? 'size-aware waves' : `${p.waves.waves.length} explicit waves`;
  const fleet = loaded.fleet === undefined ? '' : `; ${loaded.spec?.waves.length ?? 0} waves over its fleet of ${loaded.fleet.length} clusters`;
  return `${file === '-' ? STDIN_NAME : file}: valid RolloutPlan ${p.name} (${waves}, ${p.nodeBatches.length} node batches, ${p.gates.filter((g) => g.enabled).length} gates${fleet})\n`;
}

export interface PlanShowOptions {
  readonly fleet?: string;
  readonly json: boolean;
  /** Clusters listed per wave in the text output (the rest are counted). Default 12. */
  readonly maxClusters?: number;
  /** Standard input's text, when the plan or the fleet is `-`. */
  readonly stdin?: string;
}

/** The waves a plan would run over a fleet (`--fleet`, else the plan's own `spec.fleet`). */
export function planShow(file: string, opts: PlanShowOptions): string {
  const loaded = planFrom(file, opts.stdin);
  // The plan comes compiled over its own fleet; over --fleet it is compiled here, once.
  const spec = opts.fleet !== undefined ? specOverFleet(loaded, fleetFrom(opts.fleet, opts.stdin).clusters) : loaded.spec;
  if (spec === undefined) throw new UsageError(`${file} names no fleet (spec.fleet); give one with --fleet <fleet.yaml>`);
  if (opts.json) {
    const out = {
      plan: spec.name,
      clusters: spec.clusters.length,
      waves: spec.waves.map((w, i) => ({
        wave: i + 1,
        name: w.name,
        approval: w.approval,
        bakeSeconds: w.bakeS,
        maxConcurrency: w.maxConcurrency,
        clusters: w.clusters.map((k) => {
          const c = spec.clusters[k];
          return { name: c?.name, nodes: c?.nodes, sizeClass: c?.sizeClass, batches: c?.batches.map((b) => b.nodes) };
        }),
      })),
      batchBakeSeconds: spec.batchBakeS,
      gates: spec.gates.map((g) => g.series),
      gatesUnavailable: spec.unavailableGates,
    };
    return JSON.stringify(out, null, 2) + '\n';
  }
  const p = loaded.plan;
  const max = opts.maxClusters ?? 12;
  const lines = [
    `plan ${spec.name}: ${spec.clusters.length} clusters in ${spec.waves.length} waves`,
    `  node batches ${p.nodeBatches.map(formatBatch).join(', ')} (DaemonSets); bake ${formatDuration(p.bake.batchS)} per batch, ${formatDuration(p.bake.waveS)} per wave; up to ${p.maxConcurrency} clusters at once`,
    `  gates: ${p.gates.filter((g) => g.enabled).map((g) => g.name).join(', ')}`,
    `  rollback: newest first; kill switch ${p.rollback.killSwitch}, break-glass ${p.rollback.breakGlass}; API budget ${p.budget.qps} req/s, burst ${p.budget.burst} per cluster`,
  ];
  spec.waves.forEach((w, i) => {
    const members = w.clusters.map((k) => spec.clusters[k]).filter((c) => c !== undefined);
    const mix = SIZE_CLASSES.map((s) => [s, members.filter((c) => c.sizeClass === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    lines.push(`wave ${i + 1} (${w.name})${w.approval ? ' — waits for approval' : ''}: ${members.length} cluster${members.length === 1 ? '' : 's'} (${mix})`);
    for (const c of members.slice(0, max)) lines.push(`    ${c.name.padEnd(24)} ${String(c.nodes).padStart(6)} nodes  ${c.sizeClass.padEnd(6)}  batches ${c.batches.map((b) => b.nodes).join(' → ')}`);
    if (members.length > max) lines.push(`    … and ${members.length - max} more`);
  });
  return lines.join('\n') + '\n';
}
