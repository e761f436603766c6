/**
 * A change installed in a cluster at run time (TwinApi.installChange: a
 * DaemonSet or Deployment written through the served API): it replaces the
 * cluster's change when none is deployed or still running there. The old
 * change's client classes leave the cluster, the new one's join it (no agents
 * yet); the change's history (applied, removed, shed, kill switch) starts
 * over. Applying it is then an ordinary apply-change.
 *
 * @example
 *   installChange(s, spec); // throws TwinError 'change-busy' while another change runs
 */
import type { ChangeSpec } from '../scenario.ts';
import { TwinError } from '../errors.ts';
import type { ClientClass, ClusterState } from './state.ts';
import { buildChangeClasses, indexByLevel, recost } from './clients.ts';
import { startingTotal } from './agents.ts';
import { wake } from './step.ts';

/** Whether another change occupies the cluster: deployed, or agents still running, starting or being deleted. */
export function changeBusy(s: ClusterState): boolean {
  return s.changeDeployed || s.agentsRunning > 1e-9 || startingTotal(s) > 1e-9 || s.agentsToDelete > 1e-9;
}

export function installChange(s: ClusterState, change: ChangeSpec): void {
  if (s.change !== undefined && s.change !== change && changeBusy(s))
    throw new TwinError('change-busy', `cluster ${s.cluster.name}: change ${s.change.name} is deployed (or its agents still run); remove it before installing ${change.name}`);
  if (!s.levelNames.includes(change.priorityLevel)) throw new TwinError('unknown-level', `cluster ${s.cluster.name} has no priority level ${change.priorityLevel} for change ${change.name}`);
  if (s.change === change) return;
  wake(s);
  const old = new Set(s.changeClasses);
  for (let i = s.classes.length - 1; i >= 0; i--) if (old.has(s.classes[i] as ClientClass)) s.classes.splice(i, 1);
  s.changeClasses.length = 0;
  s.change = change;
  buildChangeClasses(s);
  indexByLevel(s);
  recost(s);
  s.changeFraction = 0;
  s.changeAppliedAtS = null;
  s.changeRemovedAtS = null;
  s.changeDeployed = false;
  s.changeShed = false;
  s.starting.fill(0);
  s.agentsRunning = 0;
  s.agentsCreated = 0;
  s.agentsToDelete = 0;
  s.deletedNotStopped = 0;
  s.killSwitch = false;
  s.killLeft = 0;
  s.killRate = 0;
}
