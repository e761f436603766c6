/**
 * The `resource-assumed` finding: a call on a type whose objects neither the
 * model states nor any table derives (resources.ts, source `assumed`), costed
 * as UNMODELLED_RESOURCE — 100 objects of 2 KiB, as the twin costs it too. A
 * guess, so it is said (note), with how to state the type instead.
 *
 * @example
 *   resourceFindings(profiles, DEFAULT_MODEL); // [{ rule: 'resource-assumed', severity: 'note', … }]
 */
import type { ModelConfig } from '../model/model-schema.ts';
import { resourcePlural } from '../model/resource-name.ts';
import { clusterResources, UNMODELLED_RESOURCE, resolveResource } from '../model/resources.ts';
import type { Finding, WorkloadProfile } from './types.ts';

export const RESOURCE_ASSUMED = 'resource-assumed';

/** One finding per workload and assumed type, at its first call on the type. */
export function resourceFindings(profiles: readonly WorkloadProfile[], model: ModelConfig): Finding[] {
  // The source of a type does not depend on the cluster's size: resolve against any.
  const types = clusterResources(1, 30, model.objects);
  const out: Finding[] = [];
  for (const p of profiles) {
    const seen = new Set<string>();
    for (const c of p.calls) {
      const r = resolveResource(types, c.profile.resource, model.objects);
      if (r.source !== 'assumed' || seen.has(r.name)) continue;
      seen.add(r.name);
      out.push({
        rule: RESOURCE_ASSUMED,
        severity: 'note',
        file: c.at.file,
        line: c.at.line,
        column: c.at.column,
        workload: p.workload.id,
        message: `${p.workload.id} calls ${c.profile.verb} on \`${c.profile.resource}\`, a type whose number and size of objects the analyzer does not know: estimated as ${UNMODELLED_RESOURCE.count} objects of ${UNMODELLED_RESOURCE.bytes} bytes per cluster (the twin's assumption too); a cluster with many more of them costs more`,
        fix: `state the type's count and object size in a scenario (spec.model.objects.resources) and rehearse the change, or check the count on your largest cluster (kubectl get ${resourcePlural(c.profile.resource)} -A --no-headers | wc -l)`,
      });
    }
  }
  return out;
}
