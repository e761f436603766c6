/** Shared by the analyzer tests: the corpus, fleets and a one-call analysis. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalysisResult } from '../../src/analyzer/analyze.ts';
import { expandFleet, type Cluster } from '../../src/model/fleet.ts';
import { readManifestPaths } from '../../src/input/manifests.ts';
import type { InputNote } from '../../src/analyzer/types.ts';
import { loadFleetFile } from '../../src/input/fleet.ts';

export const CORPUS = 'test/fixtures/manifests';

export function corpusFiles(): string[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(CORPUS, f));
}

export function fleetOf(...nodes: number[]): Cluster[] {
  return expandFleet({ clusters: nodes.map((n, i) => ({ name: `c${i}-${n}`, nodes: n })) }, 1);
}

export function analyzeFiles(paths: readonly string[], clusters: readonly Cluster[], fleetName = 'test', opts: { readonly strict?: boolean; readonly simulate?: boolean } = {}): AnalysisResult {
  const report = { files: [] as string[], notes: [] as InputNote[] };
  const docs = readManifestPaths(paths, { report });
  return analyze(docs, clusters, { fleetName, input: report, ...opts });
}

let openai: { name: string; clusters: Cluster[] } | undefined;
export function openaiFleet(): { name: string; clusters: Cluster[] } {
  openai ??= loadFleetFile('fleets/openai-like.yaml');
  return openai;
}
