/**
 * The status a workload reports, from the twin's ChangeWorkload. The fluid
 * model counts pods in fractions; the status counts whole pods: a pod is
 * counted once it is wholly there (floor, with 1e-6 of slack for rounding
 * error), so `numberReady` never runs ahead of the twin. A DaemonSet's
 * desired count is the nodes its template selects (the backend counts them
 * from the node labels); the agents running are ready, available and updated
 * (the twin has one version of the change); none is misscheduled. A
 * Deployment reports its replicas and the ready ones likewise.
 * Field meanings: kubernetes/api apps/v1 types.go (DaemonSetStatus, DeploymentStatus).
 *
 * @example
 *   daemonSetStatus(workload, { desired: 5000, running: 1234.6, deployed: true }); // numberReady 1234
 */
import type { ChangeWorkload } from '../twin/index.ts';
import type { KubeObject } from './backend.ts';

/** Whole pods of a fluid count. */
export function wholePods(x: number): number {
  return Math.max(0, Math.floor(x + 1e-6));
}

function generation(o: KubeObject): number {
  const g = (o.metadata as { generation?: unknown } | undefined)?.generation;
  return typeof g === 'number' ? g : 1;
}

export function daemonSetStatus(o: KubeObject, desired: number, w: ChangeWorkload | undefined): KubeObject {
  const running = Math.min(desired, wholePods(w?.deployed === true || (w?.running ?? 0) > 0 ? (w?.running ?? 0) : 0));
  return {
    currentNumberScheduled: running,
    desiredNumberScheduled: desired,
    numberAvailable: running,
    numberMisscheduled: 0,
    numberReady: running,
    ...(desired - running > 0 ? { numberUnavailable: desired - running } : {}),
    observedGeneration: generation(o),
    updatedNumberScheduled: running,
  };
}

export function deploymentStatus(o: KubeObject, w: ChangeWorkload | undefined): KubeObject {
  const spec = (o.spec as { replicas?: unknown } | undefined) ?? {};
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const ready = Math.min(replicas, wholePods(w?.running ?? 0));
  return {
    observedGeneration: generation(o),
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
  };
}
