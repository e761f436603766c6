/**
 * Every known agent reader, in the order they are tried. A workload's profile
 * is the union of the calls of every reader that recognises one of its
 * containers (a pod may run a log shipper beside a metrics agent).
 *
 * To add an agent: write `agents/<agent>.ts` exporting an `AgentReader`
 * (agent.ts), with its project's documentation cited for every call it
 * derives, fixtures of its real manifests (safe and unsafe) in
 * test/fixtures/manifests/, and list it here.
 *
 * @example
 *   for (const r of AGENT_READERS) r.read(ctx);
 */
import type { AgentReader } from './agent.ts';
import { alloyReader } from './alloy.ts';
import { beylaReader } from './beyla.ts';
import { calicoReader } from './calico.ts';
import { filebeatReader } from './filebeat.ts';
import { fluentBitReader } from './fluent-bit.ts';
import { fluentdReader } from './fluentd.ts';
import { otelCollectorReader } from './otel-collector.ts';
import { prometheusReader } from './prometheus.ts';
import { promtailReader } from './promtail.ts';
import { vectorReader } from './vector.ts';

export const AGENT_READERS: readonly AgentReader[] = [
  fluentBitReader,
  otelCollectorReader,
  prometheusReader,
  calicoReader,
  vectorReader, // Vector kubernetes_logs (vector.ts)
  promtailReader, // Promtail kubernetes_sd_configs with its own node filter (promtail.ts)
  alloyReader, // Grafana Alloy / Agent flow components (alloy.ts)
  filebeatReader, // Filebeat add_kubernetes_metadata and kubernetes autodiscover (filebeat.ts)
  fluentdReader, // Fluentd kubernetes_metadata filter (fluentd.ts)
  beylaReader, // Grafana Beyla Kubernetes metadata and its k8s-cache fan-out (beyla.ts)
];
