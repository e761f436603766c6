/**
 * `twin serve --prometheus-config <file.yml>`: a Prometheus configuration
 * that scrapes every served cluster (contract F of issue #12), written with
 * the CA and a bearer token file beside it:
 *
 * - job `apiserver`: each cluster's API listener, `GET /metrics` over HTTPS,
 *   authenticated as the `firebreak` service account (so a scrape is an
 *   ordinary request at its priority level: refused or 429 when the cluster
 *   is, and `up` drops to 0);
 * - job `twin-components`: the control endpoint's
 *   `/twin/v1/metrics?cluster=<name>` (CoreDNS, kube-state-metrics and the
 *   data plane), one target per cluster (its `cluster` URL parameter set by
 *   relabelling into `__param_cluster`).
 *
 * Every target carries `cluster="<name>"` (static_configs labels). The shape
 * follows Prometheus' configuration reference (prometheus/prometheus
 * docs/configuration/configuration.md: scrape_config, tls_config,
 * authorization.credentials_file, params).
 *
 * @example
 *   writePrometheusConfig('out/prometheus.yml', { clusters, controlPort, caPem, token, scrapeIntervalS: 1 });
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusConfigInput {
  readonly clusters: readonly { readonly name: string; readonly port: number }[];
  readonly controlPort: number;
  readonly caPem: string;
  /** Bearer token the scrapes present. */
  readonly token: string;
  readonly scrapeIntervalS: number;
  /** The label naming the cluster (default `cluster`). */
  readonly clusterLabel?: string;
}

/** Prometheus durations are integers with a unit: whole seconds, or milliseconds. */
function promDuration(s: number): string {
  return Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`;
}

/** The configuration's YAML, the CA and token files named by absolute path. */
export function prometheusConfigText(k: PrometheusConfigInput, caFile: string, tokenFile: string): string {
  const label = k.clusterLabel ?? 'cluster';
  const interval = promDuration(k.scrapeIntervalS);
  const tls = { ca_file: caFile };
  const authorization = { type: 'Bearer', credentials_file: tokenFile };
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'apiserver',
        scheme: 'https',
        metrics_path: '/metrics',
        scrape_interval: interval,
        scrape_timeout: interval,
        tls_config: tls,
        authorization,
        static_configs: k.clusters.map((c) => ({ targets: [`127.0.0.1:${c.port}`], labels: { [label]: c.name } })),
      },
      {
        job_name: 'twin-components',
        scheme: 'https',
        metrics_path: '/twin/v1/metrics',
        scrape_interval: interval,
        scrape_timeout: interval,
        tls_config: tls,
        authorization,
        // One target per cluster at the control endpoint; `__param_cluster` makes its ?cluster= (the
        // relabelling Prometheus documents for per-target URL parameters).
        static_configs: k.clusters.map((c) => ({ targets: [`127.0.0.1:${k.controlPort}`], labels: { [label]: c.name } })),
        relabel_configs: [{ source_labels: [label], target_label: '__param_cluster' }],
      },
    ],
  };
  return `# Written by firebreak twin serve (docs/metrics.md): scrapes every served cluster.\n${stringify(config, { aliasDuplicateObjects: false })}`;
}

function atomicWrite(path: string, text: string, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/** Writes the config and, beside it, `<name>.ca.crt` and `<name>.token` (0600). Returns their paths. */
export function writePrometheusConfig(path: string, k: PrometheusConfigInput): { config: string; caFile: string; tokenFile: string } {
  const config = resolve(path);
  mkdirSync(dirname(config), { recursive: true });
  const stem = basename(config).replace(/\.ya?ml$/i, '');
  const caFile = join(dirname(config), `${stem}.ca.crt`);
  const tokenFile = join(dirname(config), `${stem}.token`);
  atomicWrite(caFile, k.caPem, 0o644);
  atomicWrite(tokenFile, k.token, 0o600);
  atomicWrite(config, prometheusConfigText(k, caFile, tokenFile), 0o644);
  return { config, caFile, tokenFile };
}
