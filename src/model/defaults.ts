/**
 * The model's defaults: what every cluster of the twin runs, and what the
 * analyzer estimates with, unless a scenario overrides them (`spec.model`,
 * model-patch.ts; merged with model-merge.ts). Their type and bounds are the
 * schema's (model-schema.ts; a test checks the defaults against it).
 * Sources: "ref" = ../shared/reference/kubernetes-control-plane.md; fitted
 * parameters ("cal") are listed with their reasons in docs/twin-calibration.md.
 *
 * @example
 *   DEFAULT_MODEL.apiServer.replicas; // 3
 */
import {
  CLIENT_GO_BACKOFF,
  CRASHLOOP_BACKOFF,
  DEFAULT_PRIORITY_LEVELS,
  DEFAULT_QUEUE_WAIT_S,
  DEFAULT_REQUEST_TIMEOUT_S,
  DEFAULT_SERVER_SEATS,
  NODE_LEASE_PERIOD_S,
  NODE_MONITOR_GRACE_S,
  RETRY_AFTER_MAX_S,
  RETRY_AFTER_MIN_S,
} from './kubernetes.ts';
import { DEFAULT_COST_PARAMS } from './cost.ts';
import type { ModelConfig } from './model-schema.ts';

const GiB = 1024 ** 3;

export const DEFAULT_MODEL: ModelConfig = {
  apiServer: {
    replicas: 3,
    seats: DEFAULT_SERVER_SEATS,
    requestTimeoutS: DEFAULT_REQUEST_TIMEOUT_S,
    queueWaitS: DEFAULT_QUEUE_WAIT_S,
    // Control-plane machine per cluster size: the Kubernetes "Considerations for large clusters"
    // table for GCE (11–100 nodes n1-standard-4, 101–250 n1-standard-8, 251–500 n1-standard-16,
    // more than 500 n1-standard-32 = 32 vCPU, 120 GB).
    sizing: [
      { minNodes: 0, cpuCores: 4, memoryBytes: 15 * GiB },
      { minNodes: 101, cpuCores: 8, memoryBytes: 30 * GiB },
      { minNodes: 251, cpuCores: 16, memoryBytes: 60 * GiB },
      { minNodes: 501, cpuCores: 32, memoryBytes: 120 * GiB },
    ],
    baseMemoryBytes: 2 * GiB,
    gcHeadroom: 0.85,
    // kube-apiserver's manifests (kubeadm, kube-up) set no GOMEMLIMIT: 0 = unset (gc-cpu.ts).
    goMemLimitShare: 0,
    memoryRampShare: 0.1,
    watchCacheFactor: 3,
    startupS: 20,
    startupBytesPerS: 200e6,
    crashLoopInitialS: CRASHLOOP_BACKOFF.initialS,
    crashLoopMaxS: CRASHLOOP_BACKOFF.maxS,
    crashLoopResetS: 600,
    memoryJitter: 0.05,
    retryAfterMinS: RETRY_AFTER_MIN_S,
    retryAfterMaxS: RETRY_AFTER_MAX_S,
    // cal: a cloud network load balancer checking every 30 s, healthy / unhealthy after 2 checks in
    // a row. Published defaults span 4 s (HAProxy in kubeadm's HA guide: 2 s, rise 2, fall 3) to
    // 150 s / 60 s (AWS NLB: 30 s, 5 healthy, 2 unhealthy); Google Cloud 10 s. docs/twin-calibration.md.
    loadBalancer: { healthyAfterS: 60, unhealthyAfterS: 60 },
  },
  apf: { levels: DEFAULT_PRIORITY_LEVELS },
  costs: DEFAULT_COST_PARAMS,
  etcd: { readBytesPerS: 400e6, writesPerS: 10_000, baseLatencyS: 0.005, maxLatencyS: 30, rangeInterference: 0.01 },
  objects: {
    // cal: JSON pods with managedFields, several containers and env: 5–20 KiB; see docs/twin-calibration.md.
    podBytes: 12 * 1024,
    nodeBytes: 12_288,
    serviceBytes: 1024,
    endpointSliceBytes: 2048,
    configMapBytes: 2048,
    servicesPer100Pods: 5,
    configMapsPerNamespace: 10,
    podsPerNamespace: 200,
    podEventsPerPodS: 1 / 600,
    nodeEventsPerNodeS: 1 / 60,
    serviceEventsPerServiceS: 1 / 3600,
    // Only the eight modelled types (resources.ts) unless a scenario states more.
    resources: {},
  },
  clients: {
    leasePeriodS: NODE_LEASE_PERIOD_S,
    nodeStatusPeriodS: 60,
    nodeMonitorGraceS: NODE_MONITOR_GRACE_S,
    controllerInformers: 4,
    controllerWritesPerPodEvent: 1,
    workloadCallsPerNamespaceS: 0.2,
    backoffInitialS: CLIENT_GO_BACKOFF.initialS,
    backoffFactor: CLIENT_GO_BACKOFF.factor,
    backoffMaxS: CLIENT_GO_BACKOFF.maxS,
    backoffJitter: CLIENT_GO_BACKOFF.jitter,
    controllerQps: 20,
    // kube-controller-manager / kube-scheduler --leader-elect-lease-duration 15s, --leader-elect-renew-deadline 10s.
    leaderElection: { leaseDurationS: 15, renewDeadlineS: 10 },
  },
  dns: {
    replicas: 'auto',
    nodesPerReplica: 16,
    minReplicas: 2,
    maxReplicas: 1000,
    placement: 'workers',
    killRateAtPressure: 1 / 60,
    pressureThreshold: 0.8,
    recreateS: 30,
    syncTimeoutS: 5,
    qpsPerReplica: 20_000,
    lookupsPerNodeS: 2,
    // NodeLocal DNSCache: cluster.local success 30 s (ref); longer-lived records cached by clients.
    records: [{ ttlS: 30, weight: 1 }],
    serveStale: false,
    maxStaleS: 86_400,
    attempts: 2,
  },
  dataPlane: { dnsDependentShare: 1, headroom: 0.25 },
  // killSwitch.pollS: the guard sidecar's default poll interval, FIREBREAK_KILLSWITCH_POLL (docs/killswitch.md).
  change: { podCreationsPerS: 20, startDelayS: 15, startSpreadS: 60, killSwitch: { pollS: 10, reach: 1 } },
  engine: { coarseDownStepS: 10 },
};
