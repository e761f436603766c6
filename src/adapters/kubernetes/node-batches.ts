/**
 * Node batches of a DaemonSet on a real cluster (contracts D): the batch's
 * nodes carry the label `rollout.firebreak.dev/<change>=enabled` and the
 * DaemonSet's pod template gets the same `nodeSelector`, so its pods run on
 * the labelled nodes only; widening a batch is labelling more nodes.
 *
 * Which nodes: the order is a hash of the change and the node's name
 * (FNV-1a), not the API's listing order, so that every run — a resumed one
 * included — picks the same nodes, and two changes do not always start on
 * the same ones. Nodes already labelled stay in the batch (a resumed run
 * never moves a batch), and the rest come in hash order.
 *
 * @example
 *   batchLabel('telemetry-agent');                        // 'rollout.firebreak.dev/telemetry-agent'
 *   chooseNodes('telemetry-agent', names, labelled, 50);  // the 50 nodes of the batch
 */

export const LABEL_PREFIX = 'rollout.firebreak.dev/';
export const LABEL_VALUE = 'enabled';
/** Annotation on every object firebreak applies: the command that applied it (contracts D). */
export const COMMAND_ANNOTATION = 'rollout.firebreak.dev/command';
/** Annotation on the workload: how many nodes its batch covers (so a resumed run can finish labelling them). */
export const NODES_ANNOTATION = 'rollout.firebreak.dev/nodes';

/** The node label of a change's batches. */
export function batchLabel(change: string): string {
  return `${LABEL_PREFIX}${change}`;
}

/** FNV-1a over UTF-16 code units, unsigned 32-bit. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Node names in the change's batch order. */
export function batchOrder(change: string, nodes: readonly string[]): string[] {
  return nodes
    .map((name) => ({ name, h: fnv1a(`${change}/${name}`) }))
    .sort((a, b) => a.h - b.h || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((x) => x.name);
}

/** The `want` nodes of a batch: those already labelled (kept), then the others in batch order. */
export function chooseNodes(change: string, nodes: readonly string[], labelled: ReadonlySet<string>, want: number): string[] {
  const existing = new Set(nodes);
  const chosen = [...labelled].filter((n) => existing.has(n)).sort();
  if (chosen.length >= want) return chosen;
  for (const name of batchOrder(change, nodes)) {
    if (chosen.length >= want) break;
    if (!labelled.has(name)) chosen.push(name);
  }
  return chosen;
}
