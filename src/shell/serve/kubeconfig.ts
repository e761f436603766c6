/**
 * The kubeconfig of the served twin (contract C of issue #11): one cluster
 * per simulated cluster, named as it, with the CA and the extension
 * `firebreak.dev/twin` = { control, cluster }; users `firebreak`,
 * `firebreak-breakglass`, `admin` with their bearer tokens; contexts
 * `<cluster>` (firebreak), `<cluster>-admin`, `<cluster>-breakglass`; the
 * current context the first cluster's admin. A cluster with a dedicated
 * break-glass API server (the scenario's `operators.breakGlass`) has a second
 * cluster entry `<cluster>-breakglass` (its server, the same extension) that
 * the `<cluster>-breakglass` context points at. Written atomically (a
 * temporary file in the same directory, then renamed), mode 0600.
 *
 * @example
 *   writeKubeconfig('out/twin.kubeconfig', kubeconfigText({ clusters, caPem, identities, controlUrl }));
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Identity } from './identities.ts';

export interface ServedCluster {
  readonly name: string;
  readonly port: number;
  /** The port of the cluster's dedicated break-glass API server, when the scenario models one. */
  readonly breakGlassPort?: number;
}

export interface KubeconfigInput {
  readonly clusters: readonly ServedCluster[];
  readonly caPem: string;
  readonly identities: readonly Identity[];
  readonly controlUrl: string;
}

export function kubeconfigText(k: KubeconfigInput): string {
  const ca = Buffer.from(k.caPem, 'utf8').toString('base64');
  const contexts: unknown[] = [];
  for (const c of k.clusters) {
    contexts.push({ name: c.name, context: { cluster: c.name, user: 'firebreak', namespace: 'default' } });
    contexts.push({ name: `${c.name}-admin`, context: { cluster: c.name, user: 'admin', namespace: 'default' } });
    // With a dedicated break-glass API server, the break-glass context points at it (cluster `<name>-breakglass`).
    contexts.push({ name: `${c.name}-breakglass`, context: { cluster: c.breakGlassPort === undefined ? c.name : `${c.name}-breakglass`, user: 'firebreak-breakglass', namespace: 'default' } });
  }
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: k.clusters.flatMap((c) =>
      [
        { name: c.name, port: c.port },
        ...(c.breakGlassPort === undefined ? [] : [{ name: `${c.name}-breakglass`, port: c.breakGlassPort }]),
      ].map((e) => ({
        name: e.name,
        cluster: {
          server: `https://127.0.0.1:${e.port}`,
          'certificate-authority-data': ca,
          extensions: [{ name: 'firebreak.dev/twin', extension: { control: k.controlUrl, cluster: c.name } }],
        },
      })),
    ),
    users: k.identities.map((i) => ({ name: i.user, user: { token: i.token } })),
    contexts,
    'current-context': k.clusters[0] === undefined ? '' : `${k.clusters[0].name}-admin`,
  };
  return stringify(doc, { lineWidth: 0 });
}

export function writeKubeconfig(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
