/**
 * Action dispatch: one scenario action carried out on one cluster's model,
 * and the timeline entry that says so. Fleet-level actions (`shift-traffic`)
 * belong to the traffic model and are dispatched by the engine.
 *
 * @example
 *   const note = applyAction(sim, { kind: 'kill-apiservers' }, 'event', 'telemetry-agent', twin.t);
 *   note.message; // 'all API servers killed'
 */
import type { ClusterSim } from './cluster-sim.ts';
import type { TimelineKind } from './report-types.ts';
import type { Action } from './scenario.ts';
import { percentUpToOneDecimal } from '../core/number.ts';

/** An action on one cluster. */
export type ClusterAction = Exclude<Action, { readonly kind: 'shift-traffic' }>;

/** What the timeline says about an action. */
export interface ActionNote {
  readonly kind: TimelineKind;
  readonly message: string;
}

/**
 * Carries out `action` on the cluster at `t` (the engine's time: the step about to run); `source`
 * names who did it (operators' actions are logged as theirs).
 */
export function applyAction(s: ClusterSim, action: ClusterAction, source: string, changeName: string, t: number): ActionNote {
  const byOperators = source === 'operators';
  switch (action.kind) {
    case 'apply-change':
      s.applyChange(action.nodeFraction, t);
      return { kind: 'change', message: `${changeName} applied to ${percentUpToOneDecimal(action.nodeFraction)} of nodes (${source})` };
    case 'remove-change':
      s.removeChange(action.via, t);
      return { kind: 'change', message: `${changeName} removed via ${action.via} (${source})` };
    case 'shed-change':
      s.shedChange();
      return { kind: byOperators ? 'operator' : 'change', message: `${changeName}'s requests shed by an APF FlowSchema (429 before any work)` };
    case 'scale-nodes':
      s.scaleNodes(action.fraction, action.overS);
      return { kind: byOperators ? 'operator' : 'fault', message: `scale nodes to ${percentUpToOneDecimal(action.fraction)} of ${s.cluster.nodes} over ${Math.round(action.overS / 60)} min` };
    case 'scale-apiservers':
      s.scaleApiServers(action.replicas, action.memoryFactor, action.cpuFactor, action.provisionS);
      return {
        kind: byOperators ? 'operator' : 'fault',
        message: `scale API servers to ${action.replicas} × (${action.cpuFactor}× CPU, ${action.memoryFactor}× memory), ready in ${Math.round(action.provisionS / 60)} min`,
      };
    case 'block-admin-api':
      s.block(action.sources, action.overS);
      return { kind: byOperators ? 'operator' : 'fault', message: `block network access to the API for ${action.sources.join(', ')}` };
    case 'unblock-admin-api':
      s.unblock(action.overS);
      return { kind: byOperators ? 'operator' : 'fault', message: `unblock network access to the API over ${Math.round(action.overS / 60)} min` };
    case 'etcd-slowdown':
      s.etcdSlowdown(action.factor, action.durationS);
      return { kind: 'fault', message: `etcd slowed ${action.factor}× for ${Math.round(action.durationS / 60)} min` };
    case 'kill-apiservers':
      s.killApiServers();
      return { kind: 'fault', message: 'all API servers killed' };
    case 'control-plane-down':
      s.controlPlaneDown(action.durationS);
      return { kind: 'fault', message: `control plane down for ${Math.round(action.durationS / 60)} min` };
    case 'replace-hosts':
      s.replaceHosts(action.everyS, action.downS);
      return { kind: 'fault', message: `API server hosts replaced one by one, ${Math.round(action.everyS / 60)} min apart` };
    case 'restart-coredns':
      s.restartCoreDns();
      return { kind: 'fault', message: 'CoreDNS restarted' };
  }
}

