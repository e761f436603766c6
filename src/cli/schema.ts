/**
 * `firebreak schema [--out <dir>]`: writes the JSON Schemas editors use for
 * the input formats. `--out` must be a directory (or a path where one can be
 * created): a file there is a usage error. Each schema is written atomically.
 */
import { join } from 'node:path';
import { jsonSchemas } from '../input/json-schema.ts';
import { checkOutputDir, writeOutputFile } from './output.ts';

export function writeSchemas(dir: string): string {
  checkOutputDir(dir, '--out');
  const out: string[] = [];
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    const path = join(dir, name);
    writeOutputFile(path, JSON.stringify(schema, null, 2) + '\n', '--out');
    out.push(`wrote ${path}`);
  }
  return out.join('\n') + '\n';
}
