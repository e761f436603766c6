/**
 * `firebreak scenario validate <file>`: a Scenario or a Fleet file (or `-`,
 * standard input); throws InputError with every problem. A RolloutPlan is
 * pointed to `firebreak plan validate`, Kubernetes manifests to `analyze`.
 */
import { InputError } from '../core/errors.ts';
import { compileFleetDocument } from '../input/fleet.ts';
import { readInputFile, STDIN_NAME } from '../input/read.ts';
import { compileScenarioDocument } from '../input/scenario.ts';
import { KIND_TAKEN_BY, problemAt } from '../input/validate.ts';
import { parseYaml } from '../input/yaml.ts';
import { readStdinFor } from './inputs.ts';

export async function validateFile(file: string): Promise<string> {
  const stdin = await readStdinFor([['<file>', file]]);
  const name = file === '-' ? STDIN_NAME : file;
  const doc = parseYaml(file === '-' ? (stdin ?? '') : readInputFile(file), name);
  const kind = (doc.value as { kind?: unknown } | null)?.kind;
  if (kind === 'Fleet') {
    const f = compileFleetDocument(doc);
    return `${name}: valid Fleet ${f.name} (${f.clusters.length} clusters, ${f.clusters.reduce((s, c) => s + c.nodes, 0)} nodes)\n`;
  }
  if (kind === 'RolloutPlan') {
    throw new InputError([problemAt(doc, ['kind'], 'this is a RolloutPlan document; `scenario validate` checks Scenario and Fleet files', `check it with \`firebreak plan validate ${file}\` (${KIND_TAKEN_BY.RolloutPlan})`)]);
  }
  const s = compileScenarioDocument(doc);
  return `${name}: valid Scenario ${s.name} (${s.clusters.length} clusters, ${Math.round(s.durationS / 60)} min at ${s.stepS} s steps)\n`;
}
