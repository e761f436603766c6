/**
 * The break-glass kit across a fleet (`firebreak breakglass install|check`,
 * docs/breakglass.md): for every cluster, the kit's objects
 * (src/adapters/kubernetes/breakglass.ts) applied or checked one by one, as
 * the identity given (`--user`, a kubeconfig user that may write RBAC and
 * APF objects; default each context's own user). Clusters are done one
 * after another; a cluster that cannot be reached is reported, never
 * skipped silently.
 *
 * `rollout run` calls `requireBreakGlass` before it starts when the plan's
 * rollback may use the break-glass identity: every cluster needs that
 * identity in the fleet file and its kit in place, or the run does not
 * start.
 *
 * @example
 *   const report = await breakGlassFleet('check', connections, changes, { level: 'dedicated' });
 *   report.every((c) => c.ok); // false → exit 1
 */
import { UsageError } from '../core/errors.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { ApiClient } from '../adapters/kubernetes/api-client.ts';
import { breakGlassObjects, checkBreakGlass, installBreakGlass, type BreakGlassLevel, type ChangeRef, type ObjectCheck } from '../adapters/kubernetes/breakglass.ts';
import { TokenBucket } from '../adapters/kubernetes/budget.ts';
import type { Connection } from '../input/kubeconfig.ts';

export interface ClusterKitReport {
  readonly cluster: string;
  readonly ok: boolean;
  readonly objects: readonly ObjectCheck[];
}

const WALL = { now: (): number => Date.now(), sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)) };

function client(c: Connection, user: string | undefined, timeoutMs: number): ApiClient {
  // client-go's default budget (5 requests/s, burst 10) for the kit's handful of requests per cluster.
  return ApiClient.fromKubeconfig(c.kubeconfig, c.context, user === undefined ? undefined : { user, name: user }, { bucket: new TokenBucket({ qps: 0, burst: 0 }, WALL), timeoutMs });
}

/** Installs or checks the kit in every cluster. */
export async function breakGlassFleet(
  action: 'install' | 'check',
  connections: readonly Connection[],
  changes: readonly ChangeRef[],
  o: { readonly level: BreakGlassLevel; readonly user?: string; readonly timeoutMs?: number; readonly onCluster?: (r: ClusterKitReport) => void },
): Promise<ClusterKitReport[]> {
  const objects = breakGlassObjects(changes, { level: o.level });
  const out: ClusterKitReport[] = [];
  for (const c of connections) {
    let report: ClusterKitReport;
    try {
      const api = client(c, o.user, o.timeoutMs ?? 30_000);
      const checks = action === 'install' ? await installBreakGlass(api, objects) : await checkBreakGlass(api, objects);
      report = { cluster: c.cluster, ok: checks.every((x) => x.state === 'ok'), objects: checks };
    } catch (e) {
      report = { cluster: c.cluster, ok: false, objects: [{ object: '(cluster)', state: 'unknown', detail: e instanceof Error ? e.message : String(e) }] };
    }
    o.onCluster?.(report);
    out.push(report);
  }
  return out;
}

/** Refuses to start a rollout whose rollback may use break-glass without the identity and the kit in every cluster. */
export async function requireBreakGlass(spec: RolloutSpec, connections: readonly Connection[], o: { readonly level?: BreakGlassLevel; readonly timeoutMs?: number } = {}): Promise<void> {
  if (spec.rollback.breakGlass === 'never') return;
  const inSpec = new Set(spec.clusters.map((c) => c.name));
  const mine = connections.filter((c) => inSpec.has(c.cluster));
  const noIdentity = mine.filter((c) => c.breakGlass === undefined).map((c) => c.cluster);
  if (noIdentity.length > 0) {
    throw new UsageError(
      `the plan's rollback may use the break-glass identity (rollback.breakGlass: ${spec.rollback.breakGlass}), but the fleet names none for ${noIdentity.slice(0, 5).join(', ')}${noIdentity.length > 5 ? ', …' : ''}; give \`kubeconfig.identities.breakGlass\` in the fleet file (docs/fleet-format.md), or set rollback.breakGlass: never`,
    );
  }
  const change: ChangeRef = spec.change;
  const reports = await breakGlassFleet('check', mine, [change], { level: o.level ?? 'dedicated', ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  const bad = reports.filter((r) => !r.ok);
  if (bad.length > 0) {
    const first = bad[0] as ClusterKitReport;
    const what = first.objects.find((x) => x.state !== 'ok');
    throw new UsageError(
      `the break-glass kit is not in place in ${bad.length} cluster(s) (${bad
        .slice(0, 5)
        .map((r) => r.cluster)
        .join(', ')}${bad.length > 5 ? ', …' : ''}): ${first.cluster}: ${what?.object ?? ''} ${what?.state ?? ''} (${what?.detail ?? ''}); run \`firebreak breakglass install\` first (\`firebreak breakglass check\` lists every object)`,
    );
  }
}
