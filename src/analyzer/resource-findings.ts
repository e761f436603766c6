/**
 * The `resource-assumed` finding: a call on a type whose objects neither the
 * model states nor any table derives (resources.ts, source `assumed`), costed
 * as UNMODELLED_RESOURCE — 100 objects of 2 KiB, as the twin costs it too. A
 * guess, so it is said (note), with how to state the type instead.
 *
 * @example
 *   resourceFindings(profiles, DEFAULT_MODEL); // [{ rule: 'resource-assumed', severity: 'note', … }], one per workload
 */
import type { ModelConfig } from '../model/model-schema.ts';
import { resourcePlural } from '../model/resource-name.ts';
import { clusterResources, UNMODELLED_RESOURCE, resolveResource } from '../model/resources.ts';
import type { DerivedCall, Finding, WorkloadProfile } from './types.ts';

export const RESOURCE_ASSUMED = 'resource-assumed';

/** One finding per workload that calls assumed types, at its first call on one, naming them all. */
export function resourceFindings(profiles: readonly WorkloadProfile[], model: ModelConfig): Finding[] {
  // The source of a type does not depend on the cluster's size: resolve against any.
  const types = clusterResources(1, 30, model.objects);
  const out: Finding[] = [];
  for (const p of profiles) {
    const assumed = new Map<string, DerivedCall>();
    for (const c of p.calls) {
      const r = resolveResource(types, c.profile.resource, model.objects);
      if (r.source === 'assumed' && !assumed.has(r.name)) assumed.set(r.name, c);
    }
    const first = [...assumed.values()][0];
    if (first === undefined) continue;
    const names = [...assumed.keys()];
    const listed = names.map((n) => `\`${n}\``).join(', ');
    out.push({
      rule: RESOURCE_ASSUMED,
      severity: 'note',
      file: first.at.file,
      line: first.at.line,
      column: first.at.column,
      workload: p.workload.id,
      message: `${p.workload.id} calls ${names.length === 1 ? 'a type' : `${names.length} types`} whose number and size of objects the analyzer does not know (${listed}): each estimated as ${UNMODELLED_RESOURCE.count} objects of ${UNMODELLED_RESOURCE.bytes} bytes per cluster (the twin's assumption too); a cluster with many more of them costs more`,
      fix: `state ${names.length === 1 ? 'its' : 'their'} count and object size in a scenario (spec.model.objects.resources) and rehearse the change, or check the count on your largest cluster (kubectl get ${resourcePlural(names[0] ?? '')} -A --no-headers | wc -l)`,
    });
  }
  return out;
}
