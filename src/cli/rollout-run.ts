/**
 * `firebreak rollout run --plan <plan> --fleet <fleet> [--kubeconfig F]
 * --state <db> [--json]`: rolls the plan's manifests out to the fleet's
 * clusters through their Kubernetes API (src/shell/rollout-run.ts), with the
 * same decision core and state database as a rehearsal. The gates read
 * Prometheus when the plan (`spec.metrics.prometheus`) or `--prometheus URL`
 * names it — any fleet then; its queries are validated by Prometheus first
 * (a malformed one: exit 2 at the plan's file:line), and Prometheus must
 * answer — else the served twin's metrics, and a fleet that is not
 * twin-served is refused, saying why.
 *
 * Before anything is sent: the plan, the fleet and every kubeconfig context,
 * user and token file are checked (each problem located, exit 2); the
 * served twin is reached; when the plan's rollback may use break-glass, the
 * break-glass identity and kit must be in place in every cluster
 * (`firebreak breakglass install`), or the run does not start (exit 2).
 *
 * Progress (notifications, phase changes) goes to stderr as it happens; the
 * result is a summary on stdout, or JSON with `--json`. Exit status: 0 the
 * rollout completed; 1 it halted, was aborted, or did not finish; 2 usage or
 * input errors, a state database that is refused; 3 internal errors. Run the
 * same command again to resume a run that was killed.
 *
 * @example
 *   const r = await rolloutRun({ plan: 'plan.yaml', fleet: 'fleet.yaml', kubeconfig: 'out/twin.kubeconfig', state: 'out/r.db', json: true });
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.ts';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadFleetFile } from '../input/fleet.ts';
import { resolveConnections } from '../input/kubeconfig.ts';
import { parsePlan } from '../input/plan.ts';
import { readInputFile } from '../input/read.ts';
import { liveSpec } from '../input/rollout-spec.ts';
import { servedMetricCatalogue } from '../adapters/twin-served/metric-source.ts';
import type { Manifest } from '../adapters/kubernetes/target.ts';
import { InjectedCrash } from '../shell/event-store.ts';
import { requireBreakGlass } from '../shell/breakglass.ts';
import { runRollout, type RolloutRunResult } from '../shell/rollout-run.ts';
import { connectServed, type Served } from '../shell/rollout-run-served.ts';
import { buildPrometheusSource, onServedClock, prometheusSettings, validateQueries } from '../shell/prometheus-source.ts';
import type { MetricSource } from '../orchestrator/ports.ts';
import { APF_GATE_METRIC } from '../orchestrator/gate-catalogue.ts';
import { CRASH_EXIT_CODE, crashAtFromEnv, storeRefusal } from './rehearse.ts';

export interface RolloutRunOptions {
  readonly plan: string;
  readonly fleet: string;
  readonly kubeconfig?: string;
  readonly state: string;
  readonly json: boolean;
  /** The kill switch: its endpoint, the admin token's file, the guards' verification key's file, the guard image. */
  readonly killswitchUrl?: string;
  readonly killswitchToken?: string;
  readonly killswitchKey?: string;
  readonly guardImage?: string;
  /** Prometheus' URL: the gates read it (overrides the plan's spec.metrics.prometheus.url). */
  readonly prometheus?: string;
}

/** The guard's image when none is given: firebreak's own (docs/killswitch.md). */
export const DEFAULT_GUARD_IMAGE = 'ghcr.io/firebreak/firebreak:0.1.0';

function killSwitchOf(o: RolloutRunOptions): { url: string; adminToken: string; key: string; image: string } | undefined {
  if (o.killswitchUrl === undefined) {
    if (o.killswitchToken !== undefined || o.killswitchKey !== undefined) throw new UsageError('--killswitch-token and --killswitch-key go with --killswitch-url');
    return undefined;
  }
  if (o.killswitchToken === undefined || o.killswitchKey === undefined) throw new UsageError('--killswitch-url needs --killswitch-token (the admin token file) and --killswitch-key (the guards\' verification key file, switch.pub)');
  return { url: o.killswitchUrl, adminToken: readInputFile(o.killswitchToken).trim(), key: readInputFile(o.killswitchKey).trim(), image: o.guardImage ?? DEFAULT_GUARD_IMAGE };
}

/** kubectl's default kubeconfig: the first path of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfig(env: Readonly<Record<string, string | undefined>>): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '');
  return first ?? join(homedir(), '.kube', 'config');
}

export async function rolloutRun(o: RolloutRunOptions, progress: (line: string) => void): Promise<{ stdout: string; stderr: string; exitCode: number; result: RolloutRunResult }> {
  const killSwitch = killSwitchOf(o);
  const planText = readInputFile(o.plan);
  const loaded = parsePlan(planText, o.plan);
  const fleet = loadFleetFile(o.fleet);
  const connections = resolveConnections(fleet.access, { ...(o.kubeconfig !== undefined ? { cli: o.kubeconfig } : {}), fallback: defaultKubeconfig(process.env) });
  const settings = prometheusSettings(loaded, o.prometheus);
  let served: Served | undefined;
  let metrics: MetricSource | undefined;
  let spec;
  if (settings === undefined) {
    served = await connectServed(connections);
    spec = liveSpec(loaded, fleet.clusters, servedMetricCatalogue(served.levels), served.allLevels);
  } else {
    const names = fleet.clusters.map((c) => c.name);
    const built = await buildPrometheusSource({ loaded, fleet: fleet.prometheus, settings, staleAfterS: loaded.plan.evaluation.staleAfterS, clusters: names, nowMs: Date.now() });
    await validateQueries(built, loaded, names);
    if (built.levelsError !== null) throw new UsageError(`cannot ask Prometheus for the priority levels of the per-level gates: ${built.levelsError.message}`);
    const levels = built.source.levels();
    if (levels.length === 0 && loaded.plan.gates.some((g) => g.enabled && g.metric === APF_GATE_METRIC)) {
      throw new UsageError(`Prometheus at ${settings.url} has no apiserver_flowcontrol_nominal_limit_seats for the fleet's clusters: the APF gate (apf-seat-saturation) would judge nothing; check the fleet's spec.prometheus, or disable the gate (spec.gates.overrides.apf-seat-saturation.enabled: false)`);
    }
    spec = liveSpec(loaded, fleet.clusters, built.port, levels.length > 0 ? ['exempt', ...levels] : [loaded.plan.identity.priorityLevel]);
    metrics = built.port;
    // A twin-served fleet: the rollout decides in the twin's time, and the source maps it to Prometheus' wall clock.
    if (connections.length > 0 && connections.every((c) => c.twin !== undefined)) {
      served = await connectServed(connections);
      metrics = onServedClock(built.source, served.clock);
    }
  }
  const change = loaded.plan.change;
  const manifests = (change.source === 'manifests' ? change.objects : []).map((m) => m.body as Manifest);
  await requireBreakGlass(spec, connections);
  const fingerprint = createHash('sha256').update(planText).update('\0').update(JSON.stringify(manifests)).digest('hex');
  const crashAfter = crashAtFromEnv(process.env);
  let out;
  try {
    out = await runRollout({ spec, manifests, connections, ...(served !== undefined ? { served } : {}), ...(metrics !== undefined ? { metrics } : {}), statePath: o.state, fingerprint, onProgress: progress, ...(crashAfter !== undefined ? { crashAfter } : {}), ...(killSwitch !== undefined ? { killSwitch } : {}) });
  } catch (e) {
    if (e instanceof InjectedCrash) {
      process.stderr.write(`firebreak: ${e.message}; run the same command again to resume from ${o.state}\n`);
      process.exit(CRASH_EXIT_CODE);
    }
    throw storeRefusal(e, o.state) ?? e;
  }
  const r = out.result;
  const verdict = r.outcome === 'completed' ? '' : r.outcome === 'incomplete' ? `firebreak: the rollout did not finish (${r.incomplete ?? r.phase}), so it is not a success (exit status 1); run the same command again to continue it\n` : `firebreak: the rollout ${r.outcome}${r.haltedInWave !== null ? ` in wave ${r.haltedInWave}` : ''}${r.haltReason !== null ? `: ${r.haltReason.message}` : ''} (exit status 1)\n`;
  return { stdout: o.json ? JSON.stringify(r, null, 2) + '\n' : summary(r, o.state), stderr: verdict, exitCode: r.outcome === 'completed' ? 0 : 1, result: r };
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(3)} %`;
}

function summary(r: RolloutRunResult, state: string): string {
  const lines = [`${r.plan}: ${r.outcome.toUpperCase()}${r.resumed ? ' (resumed)' : ''}`];
  if (r.haltReason !== null) {
    lines.push(`  ${r.outcome} at ${r.haltedAt ?? '—'} in wave ${r.haltedInWave ?? '—'}${r.haltedCluster !== null ? ` (${r.haltedCluster})` : ''}: ${r.haltReason.message}${r.haltReason.gate !== null ? ` [metrics: ${r.haltReason.source}]` : ''}`);
    lines.push(`  rollback ${r.rollbackCompletedAt === null ? 'NOT complete' : `complete at ${r.rollbackCompletedAt} (${r.rollbackSeconds ?? 0} s after the halt)`}`);
  } else if (r.completedAt !== null) {
    lines.push(`  completed at ${r.completedAt}`);
  }
  if (r.incomplete !== null) lines.push(`  ${r.incomplete}`);
  lines.push(`  clusters changed: ${r.clustersChanged.length > 0 ? r.clustersChanged.join(', ') : 'none'}`);
  for (const c of r.cleanup) lines.push(`  clean-up of ${c.cluster}: ${c.left === null ? 'labels unknown' : `${c.left} node label(s) left`} after ${c.patches} patch(es)${c.lastError !== null && c.left !== 0 ? ` (${c.lastError})` : ''}${c.objectsLeft.length > 0 ? `; objects left: ${c.objectsLeft.join(', ')}` : ''}`);
  lines.push(`  orchestrator's share of a cluster's API requests: at most ${pct(r.apiShare.max)}`);
  if (r.joined.length > 0) lines.push(`  ignored (joined after the start): ${r.joined.join(', ')}`);
  if (r.left.length > 0) lines.push(`  left the fleet file: ${r.left.join(', ')}`);
  lines.push(`  state: ${state}`);
  return lines.join('\n') + '\n';
}
