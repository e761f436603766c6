/**
 * Well-known Kubernetes agents and controllers, recognised by their container
 * image. Used only to say so when no agent reader (agents/registry.ts)
 * recognised a workload: "its image names Datadog Agent, which the analyzer
 * has no reader for" — the profile then comes from its RBAC (an assumption)
 * and the user knows which configuration the analyzer could not read. The
 * list names projects; it derives no calls.
 *
 * @example
 *   wellKnownAgent('gcr.io/datadoghq/agent:7.60.0');   // 'Datadog Agent'
 *   wellKnownAgent('nginx:1.27');                       // undefined
 */

/** Image repository patterns (matched against the image without its tag) and the project they name. */
const KNOWN: readonly (readonly [RegExp, string])[] = [
  [/(^|\/)(datadoghq|datadog)\/cluster-agent$/, 'Datadog Cluster Agent'],
  [/(^|\/)(datadoghq|datadog)\/agent$/, 'Datadog Agent'],
  [/(^|\/)kube-state-metrics$/, 'kube-state-metrics'],
  [/(^|\/)cilium\/(cilium|cilium-dev)$/, 'Cilium agent'],
  [/(^|\/)cilium\/operator(-generic|-aws|-azure|-alibabacloud)?$/, 'Cilium operator'],
  [/(^|\/)(timberio|vectordotdev)\/vector$/, 'Vector'],
  [/(^|\/)fluent\/fluentd(-kubernetes-daemonset)?$/, 'Fluentd'],
  [/(^|\/)grafana\/promtail$/, 'Promtail'],
  [/(^|\/)grafana\/(alloy|agent)$/, 'Grafana Alloy / Agent'],
  [/(^|\/)elastic\/(filebeat|metricbeat|elastic-agent)$/, 'Elastic Beats / Agent'],
  [/(^|\/)beats\/(filebeat|metricbeat)$/, 'Elastic Beats'],
  [/(^|\/)newrelic\/(infrastructure-k8s|nri-kubernetes|k8s-events-forwarder)$/, 'New Relic Kubernetes integration'],
  [/(^|\/)dynatrace\/(oneagent|dynatrace-operator)$/, 'Dynatrace'],
  [/(^|\/)sysdig\/(agent|sysdig-agent)$/, 'Sysdig agent'],
  [/(^|\/)falcosecurity\/falco(-no-driver)?$/, 'Falco'],
  [/(^|\/)kube-proxy(-amd64|-arm64)?$/, 'kube-proxy'],
  [/(^|\/)coredns(\/coredns)?$/, 'CoreDNS'],
  [/(^|\/)metrics-server(\/metrics-server)?(-amd64)?$/, 'metrics-server'],
  [/(^|\/)(autoscaling\/)?cluster-autoscaler(-amd64)?$/, 'Cluster Autoscaler'],
  [/(^|\/)amazon-k8s-cni$/, 'Amazon VPC CNI (aws-node)'],
  [/(^|\/)flannel(io)?\/flannel$|(^|\/)coreos\/flannel$/, 'Flannel'],
  [/(^|\/)antrea\/antrea-(agent|controller)(-ubuntu)?$/, 'Antrea'],
  [/(^|\/)istio\/(pilot|proxyv2|install-cni|ztunnel)$/, 'Istio'],
  [/(^|\/)linkerd\/(controller|proxy|policy-controller)$/, 'Linkerd'],
  [/(^|\/)jetstack\/cert-manager-(controller|cainjector|webhook)$/, 'cert-manager'],
  [/(^|\/)ingress-nginx\/controller$/, 'ingress-nginx'],
  [/(^|\/)external-dns(\/external-dns)?$/, 'ExternalDNS'],
  [/(^|\/)prometheus\/node-exporter$/, 'node-exporter'],
  [/(^|\/)node-problem-detector(\/node-problem-detector)?$/, 'node-problem-detector'],
];

/** The well-known project an image names, if any. */
export function wellKnownAgent(image: string): string | undefined {
  const repo = image.toLowerCase().replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]*$/, '');
  return KNOWN.find(([re]) => re.test(repo))?.[1];
}
