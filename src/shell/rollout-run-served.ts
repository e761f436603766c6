/**
 * What `rollout run` needs from a twin-served fleet before it can start: its
 * gates read the twin's metrics and its clock is the twin's (contracts C).
 * A fleet whose clusters do not all carry the kubeconfig extension
 * `firebreak.dev/twin` is refused here, saying why (and that `--prometheus`
 * reads the gates from Prometheus instead): a rollout without gates is never
 * run. The priority levels the gates are expanded over are the served
 * twin's (its limited levels: not `exempt`).
 *
 * @example
 *   const served = await connectServed(connections); // throws UsageError for a fleet that is not twin-served
 *   served.clock.now(); // the twin's virtual time
 */
import { UsageError } from '../core/errors.ts';
import { ServedClock } from '../adapters/twin-served/clock.ts';
import { TwinControl } from '../adapters/twin-served/control.ts';
import { failureOf } from '../adapters/kubernetes/failure.ts';
import type { ServedCluster } from '../adapters/twin-served/metric-source.ts';
import type { Connection } from '../input/kubeconfig.ts';

export interface Served {
  readonly clusters: ReadonlyMap<string, ServedCluster>;
  readonly clock: ServedClock;
  /** Limited priority levels of the served clusters. */
  readonly levels: readonly string[];
  /** Every priority level, exempt included (the plan's identity must name one). */
  readonly allLevels: readonly string[];
}

/** Levels the gates are not judged on: exempt has no seats to saturate. */
const UNLIMITED = new Set(['exempt']);

/** Connects to the served twin behind every cluster; throws UsageError for a fleet that is not twin-served, or a twin that cannot be reached. */
export async function connectServed(connections: readonly Connection[]): Promise<Served> {
  const missing = connections.filter((c) => c.twin === undefined).map((c) => c.cluster);
  if (missing.length > 0 || connections.length === 0) {
    throw new UsageError(
      `rollout run reads its gates' metrics from a served twin, and ${missing.length === connections.length ? 'no cluster of this fleet is twin-served' : `cluster(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} are not twin-served`} (their kubeconfig entry has no firebreak.dev/twin extension); to read the gates from Prometheus give --prometheus URL (or spec.metrics.prometheus in the plan): a rollout without gates is never run`,
    );
  }
  const controls = new Map<string, TwinControl>();
  const clusters = new Map<string, ServedCluster>();
  for (const c of connections) {
    const twin = c.twin as { readonly control: string; readonly cluster: string };
    let control = controls.get(twin.control);
    if (control === undefined) {
      control = TwinControl.fromKubeconfig(c.kubeconfig, c.context, twin.control);
      controls.set(twin.control, control);
    }
    clusters.set(c.cluster, { control, twinName: twin.cluster });
  }
  const first = connections[0] as Connection;
  const firstServed = clusters.get(first.cluster) as ServedCluster;
  try {
    const clock = await ServedClock.start(firstServed.control);
    const levels = await firstServed.control.levels(firstServed.twinName);
    const allLevels = levels.map((l) => l.level);
    return { clusters, clock, levels: levels.filter((l) => Number.isFinite(l.seats) && !UNLIMITED.has(l.level)).map((l) => l.level), allLevels };
  } catch (e) {
    throw new UsageError(`cannot reach the served twin's control endpoint ${firstServed.control.url} (cluster ${first.cluster}): ${failureOf(e, 'firebreak', 'read the clock').reason}; is \`firebreak twin serve\` running?`, { cause: e });
  }
}
