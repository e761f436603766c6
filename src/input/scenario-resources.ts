/**
 * The structural check of the types a scenario's change calls: each is one of
 * the eight modelled types (or a subresource of one) or a type the scenario
 * states somewhere in its model (`spec.model.objects.resources`, or a
 * `clusterModels` entry's). Run with the schema, in the first phase, so that
 * a misspelt type (`pod`) is reported with the other structural problems;
 * whether every cluster's model states it is checked once the models are
 * compiled (change.ts).
 *
 * @example
 *   checkCallTypes(doc, problems); // spec.change.calls[0].resource: expected one of "pods", …, got "pod"
 */
import { MODELLED_RESOURCES } from '../model/resources.ts';
import { resourceBase, resourcePlural } from '../model/resource-name.ts';
import type { Problems } from './validate.ts';
import type { YamlDocument } from './yaml.ts';

type Loose = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** The names the document's models state (as written), from any model override in it. */
function statedNames(spec: Loose): Set<string> {
  const out = new Set<string>();
  const models = [spec.model, ...list(spec.clusterModels).map((cm) => (isObj(cm) ? cm.model : undefined))];
  for (const m of models) {
    if (!isObj(m) || !isObj(m.objects)) continue;
    if (isObj(m.objects.resources)) for (const type of Object.keys(m.objects.resources)) out.add(type);
  }
  return out;
}

/** Reports every call whose type is neither modelled nor stated by any model of the document. */
export function checkCallTypes(doc: YamlDocument, problems: Problems): void {
  const root = doc.value;
  if (!isObj(root) || !isObj(root.spec) || !isObj(root.spec.change)) return;
  const stated = statedNames(root.spec);
  const statedPlurals = new Set([...stated].map(resourcePlural));
  list(root.spec.change.calls).forEach((c, i) => {
    if (!isObj(c) || typeof c.resource !== 'string') return;
    const base = resourceBase(c.resource);
    if (MODELLED_RESOURCES.includes(base) || stated.has(base) || statedPlurals.has(resourcePlural(base))) return;
    const near = MODELLED_RESOURCES.find((r) => r === `${base}s` || r === base.toLowerCase() || `${r}s` === base);
    problems.add(
      doc,
      ['spec', 'change', 'calls', i, 'resource'],
      `expected one of ${MODELLED_RESOURCES.map((r) => JSON.stringify(r)).join(', ')} or a type the scenario states in model.objects.resources, got ${JSON.stringify(c.resource)}`,
      near !== undefined ? `did you mean "${near}"?` : `state it in spec.model.objects.resources, e.g. \`objects: { resources: { ${base}: { count: 5000, bytes: 3072 } } }\``,
    );
  });
}
