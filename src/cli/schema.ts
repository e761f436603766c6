/** `firebreak schema`: writes the JSON Schemas editors use for the input formats. */
import { join } from 'node:path';
import { jsonSchemas } from '../input/json-schema.ts';
import { writeOut } from './simulate.ts';

export function writeSchemas(dir: string): string {
  const out: string[] = [];
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    const path = join(dir, name);
    writeOut(path, JSON.stringify(schema, null, 2) + '\n');
    out.push(`wrote ${path}`);
  }
  return out.join('\n') + '\n';
}
