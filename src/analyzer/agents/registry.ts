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
import { awsVpcCniReader } from './aws-vpc-cni.ts';
import { beylaReader } from './beyla.ts';
import { calicoReader } from './calico.ts';
import { ciliumReader } from './cilium.ts';
import { corednsReader } from './coredns.ts';
import { datadogAgentReader, datadogClusterAgentReader } from './datadog.ts';
import { falcoReader, metacollectorReader } from './falco.ts';
import { filebeatReader } from './filebeat.ts';
import { flannelReader } from './flannel.ts';
import { fluentBitReader } from './fluent-bit.ts';
import { fluentdReader } from './fluentd.ts';
import { kubeNetworkPoliciesReader } from './kube-network-policies.ts';
import { kubeProxyReader } from './kube-proxy.ts';
import { kubeStateMetricsReader } from './kube-state-metrics.ts';
import { metricsServerReader } from './metrics-server.ts';
import { nodeProblemDetectorReader } from './node-problem-detector.ts';
import { otelCollectorReader } from './otel-collector.ts';
import { prometheusReader } from './prometheus.ts';
import { promtailReader } from './promtail.ts';
import { vectorReader } from './vector.ts';

export const AGENT_READERS: readonly AgentReader[] = [
  fluentBitReader, otelCollectorReader, prometheusReader, calicoReader,
  datadogAgentReader, // Datadog node agent: metadata mapper without the Cluster Agent
  datadogClusterAgentReader, // Datadog Cluster Agent: the fan-out cache
  kubeStateMetricsReader, // kube-state-metrics: --resources, --namespaces, --node, sharding
  falcoReader, // Falco: legacy -k client, or none with k8smeta
  metacollectorReader, // Falco k8s-metacollector: the fan-out cache
  nodeProblemDetectorReader, // node-problem-detector: its own Node's status, events
  metricsServerReader, // metrics-server: node and pod informers
  kubeProxyReader, // kube-proxy: Services and EndpointSlices cluster-wide, its own Node
  corednsReader, // CoreDNS kubernetes plugin: Services, EndpointSlices, Namespaces (Pods with `pods verified`)
  flannelReader, // flanneld --kube-subnet-mgr: every Node, on every node
  kubeNetworkPoliciesReader, // kube-network-policies (flannel chart netpol): every Pod per node unless kube-ip-tracker
  awsVpcCniReader, // Amazon VPC CNI aws-node (ipamd cache by version / MY_NODE_NAME) and its network policy agent
  ciliumReader, // Cilium agent (CEP/CES/identities/CiliumNodes unless kvstore), leader-elected operator, clustermesh-apiserver
  vectorReader, // Vector kubernetes_logs (vector.ts)
  promtailReader, // Promtail kubernetes_sd_configs with its own node filter (promtail.ts)
  alloyReader, // Grafana Alloy / Agent flow components (alloy.ts)
  filebeatReader, // Filebeat add_kubernetes_metadata and kubernetes autodiscover (filebeat.ts)
  fluentdReader, // Fluentd kubernetes_metadata filter (fluentd.ts)
  beylaReader, // Grafana Beyla Kubernetes metadata and its k8s-cache fan-out (beyla.ts)
];
