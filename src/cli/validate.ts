/** `firebreak scenario validate <file>`: a scenario or a fleet file; throws InputError with every problem. */
import { readFileSync } from 'node:fs';
import { loadFleetFile } from '../input/fleet.ts';
import { loadScenarioFile } from '../input/scenario.ts';

export function validateFile(file: string): string {
  let kind = 'Scenario';
  try {
    if (/^kind:\s*Fleet\s*$/m.test(readFileSync(file, 'utf8'))) kind = 'Fleet';
  } catch {
    // The loader reports unreadable files with a located message.
  }
  if (kind === 'Fleet') {
    const f = loadFleetFile(file);
    return `${file}: valid Fleet ${f.name} (${f.clusters.length} clusters, ${f.clusters.reduce((s, c) => s + c.nodes, 0)} nodes)\n`;
  }
  const s = loadScenarioFile(file);
  return `${file}: valid Scenario ${s.name} (${s.clusters.length} clusters, ${Math.round(s.durationS / 60)} min at ${s.stepS} s steps)\n`;
}
