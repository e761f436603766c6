/**
 * `firebreak breakglass install|check --fleet F --plan P [--kubeconfig K]
 * [--user U] [--level dedicated|exempt] [--json]`: puts the break-glass kit
 * in every cluster of the fleet, or checks it, object by object
 * (docs/breakglass.md). The kit covers the plan's change (its workload).
 *
 * `install` applies every object (server-side apply: running it twice
 * changes nothing); `check` reads them and compares. Exit status: 0 when
 * every object of every cluster is in place; 1 when one is missing, wrong, or
 * could not be read (an unreachable cluster, a 401, a 403); 2 input errors.
 *
 * @example
 *   const r = await breakglassCommand('check', { fleet: 'fleet.yaml', plan: 'plan.yaml', json: false, level: 'dedicated' });
 */
import { UsageError } from '../core/errors.ts';
import { loadFleetFile } from '../input/fleet.ts';
import { resolveConnections } from '../input/kubeconfig.ts';
import { loadPlanFile } from '../input/plan.ts';
import { planChange } from '../input/rollout-spec.ts';
import { breakGlassFleet, type ClusterKitReport } from '../shell/breakglass.ts';
import { defaultKubeconfig } from './rollout-run.ts';

export interface BreakglassOptions {
  readonly fleet: string;
  readonly plan: string;
  readonly kubeconfig?: string;
  readonly user?: string;
  readonly level: string;
  readonly json: boolean;
}

export async function breakglassCommand(action: 'install' | 'check', o: BreakglassOptions, progress: (line: string) => void): Promise<{ stdout: string; exitCode: number; reports: ClusterKitReport[] }> {
  if (o.level !== 'dedicated' && o.level !== 'exempt') throw new UsageError(`--level expects dedicated or exempt, got ${JSON.stringify(o.level)}`);
  const plan = loadPlanFile(o.plan);
  if (plan.plan.change.source !== 'manifests') throw new UsageError(`${o.plan}: the break-glass kit covers the plan's workload, and this plan names the twin's change; give a plan with change.manifests`);
  const fleet = loadFleetFile(o.fleet);
  const connections = resolveConnections(fleet.access, { ...(o.kubeconfig !== undefined ? { cli: o.kubeconfig } : {}), fallback: defaultKubeconfig(process.env) });
  const reports = await breakGlassFleet(action, connections, [planChange(plan.plan)], {
    level: o.level,
    ...(o.user !== undefined ? { user: o.user } : {}),
    onCluster: (r) => progress(`${r.cluster}: ${r.ok ? (action === 'install' ? 'installed' : 'in place') : 'NOT in place'}`),
  });
  const ok = reports.every((r) => r.ok);
  const stdout = o.json
    ? JSON.stringify({ action, ok, clusters: reports }, null, 2) + '\n'
    : reports.map((r) => [`${r.cluster}: ${r.ok ? 'ok' : 'NOT OK'}`, ...r.objects.map((x) => `  ${x.state.padEnd(7)} ${x.object}${x.state === 'ok' ? '' : `: ${x.detail}`}`)].join('\n')).join('\n') + '\n';
  return { stdout, exitCode: ok ? 0 : 1, reports };
}
