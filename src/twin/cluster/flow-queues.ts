/**
 * A read of one priority level's APF queues as the fluid model holds them
 * now, for the served API's per-request admission
 * (src/apiserver/apf-queues.ts): the level's queue configuration, the ready
 * API servers (each holds its own set of queues), its seats and drain, and
 * what each client class has queued over how many flows. It computes
 * nothing the step uses and changes no state.
 *
 * @example
 *   const q = flowQueues(s, 'workload-low'); // { queues: 128, handSize: 6, queueLengthLimit: 50, ready: 3, classes: [...] }
 */
import type { ApfQueues } from '../api.ts';
import type { ClientClass, ClusterState } from './state.ts';
import { readyCount } from './replicas.ts';
import { levelDrain } from './apf.ts';
import { queueShape } from '../../model/apf-capacity.ts';

/** The level's APF queues now; undefined when the cluster has no such level. */
export function flowQueues(s: ClusterState, levelName: string): ApfQueues | undefined {
  const l = s.levelNames.indexOf(levelName);
  if (l < 0) return undefined;
  const spec = s.model.apf.levels.find((x) => x.name === levelName);
  // The twin's extra (break-glass) level queues as state.ts sizes it: 16 queues × 50, hands of 4.
  const shape = spec !== undefined ? queueShape(spec) : { queues: 16, handSize: 4, queueLengthLimit: 50 };
  const ch = s.change;
  const classes = [];
  for (let ci = 0; ci < s.classes.length; ci++) {
    const c = s.classes[ci] as ClientClass;
    if (c.level !== l) continue;
    const user = c.group === 'change' && ch !== undefined ? `system:serviceaccount:${ch.namespace}:${ch.serviceAccount}` : undefined;
    classes.push({ name: c.name, flows: c.flows, queued: c.queued, rejected: c.rejected, ...(user !== undefined ? { user } : {}) });
  }
  return {
    level: levelName,
    exempt: s.exempt[l] === true,
    dedicated: s.dedicated.has(levelName),
    reject: s.reject[l] === true,
    ...shape,
    ready: readyCount(s),
    seats: s.levelCap[l] ?? 0,
    inUse: s.levelUse[l] ?? 0,
    drainPerS: levelDrain(s, l),
    queueWaitS: s.model.apiServer.queueWaitS,
    requestTimeoutS: s.model.apiServer.requestTimeoutS,
    retryAfterS: s.retryAfterS[l] ?? s.model.apiServer.retryAfterMinS,
    classes,
  };
}
