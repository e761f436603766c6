/**
 * Kubernetes defaults the models start from. Every number cites its source in
 * ../shared/reference/kubernetes-control-plane.md (abbreviated "ref") and can
 * be overridden in a scenario.
 */
import type { PriorityLevelSpec } from './model-schema.ts';

/**
 * Bootstrap priority levels (ref: "Default priority levels", from
 * staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go).
 */
export const DEFAULT_PRIORITY_LEVELS: readonly PriorityLevelSpec[] = [
  { name: 'exempt', shares: 0, lendablePercent: 0, exempt: true, queues: 0, handSize: 0, queueLengthLimit: 0, reject: false },
  { name: 'system', shares: 30, lendablePercent: 33, exempt: false, queues: 64, handSize: 6, queueLengthLimit: 50, reject: false },
  { name: 'node-high', shares: 40, lendablePercent: 25, exempt: false, queues: 64, handSize: 6, queueLengthLimit: 50, reject: false },
  { name: 'leader-election', shares: 10, lendablePercent: 0, exempt: false, queues: 16, handSize: 4, queueLengthLimit: 50, reject: false },
  { name: 'workload-high', shares: 40, lendablePercent: 50, exempt: false, queues: 128, handSize: 6, queueLengthLimit: 50, reject: false },
  { name: 'workload-low', shares: 100, lendablePercent: 90, exempt: false, queues: 128, handSize: 6, queueLengthLimit: 50, reject: false },
  { name: 'global-default', shares: 20, lendablePercent: 50, exempt: false, queues: 128, handSize: 6, queueLengthLimit: 50, reject: false },
  { name: 'catch-all', shares: 5, lendablePercent: 0, exempt: false, queues: 0, handSize: 0, queueLengthLimit: 0, reject: true },
];

/** Total seats per API server: --max-requests-inflight 400 + --max-mutating-requests-inflight 200 (ref). */
export const DEFAULT_SERVER_SEATS = 600;

/** Which identity sends a request; decides its FlowSchema. */
export type Identity =
  | { readonly kind: 'node' } // kubelet, system:nodes group
  | { readonly kind: 'controller' } // kube-controller-manager / kube-scheduler
  | { readonly kind: 'service-account'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'user'; readonly name: string; readonly groups: readonly string[] };

/**
 * Default FlowSchema matching (ref: "Default FlowSchemas"), reduced to what
 * decides the level for the identities the twin models.
 * - system:masters → exempt (precedence 1)
 * - kubelets: leases and node status → node-high (400); other kubelet calls → system (500)
 * - kube-controller-manager, kube-scheduler → workload-high (800)
 * - service accounts in kube-system → workload-high (900)
 * - other service accounts → workload-low (9000), one flow per service account
 * - anything else (people, CI) → global-default (9900)
 */
export function defaultPriorityLevel(id: Identity, resource: string): string {
  switch (id.kind) {
    case 'node':
      return resource === 'leases' || resource === 'nodes' ? 'node-high' : 'system';
    case 'controller':
      return 'workload-high';
    case 'service-account':
      return id.namespace === 'kube-system' ? 'workload-high' : 'workload-low';
    case 'user':
      return id.groups.includes('system:masters') ? 'exempt' : 'global-default';
  }
}

/** Queue-wait limit ≈ min(request deadline / 4, 60 s) ≈ 15 s at the 60 s default timeout (ref). */
export const DEFAULT_REQUEST_TIMEOUT_S = 60;
export const DEFAULT_QUEUE_WAIT_S = 15;
/** Retry-After on 429: 1 s, doubling under sustained drops, at most 32 s (ref). */
export const RETRY_AFTER_MIN_S = 1;
export const RETRY_AFTER_MAX_S = 32;
/** Work estimator: 1..10 seats, ~100 objects per seat (ref). */
export const MAX_SEATS_PER_REQUEST = 10;
export const OBJECTS_PER_SEAT = 100;
/** LIST needs about 5× the response size in temporary memory (ref, KEP-3157). */
export const LIST_MEMORY_FACTOR = 5;
/** Watch cache history ≈ 75 s; older watchers get 410 Gone and relist (ref). */
export const WATCH_CACHE_WINDOW_S = 75;
/** client-go reflector backoff: 800 ms initial, ×2, cap 30 s, jitter 1.0 (ref). */
export const CLIENT_GO_BACKOFF = { initialS: 0.8, factor: 2, maxS: 30, jitter: 1.0 } as const;
/** client-go default client-side rate limit: QPS 5, burst 10; kubelet QPS 50, burst 100 (ref). */
export const CLIENT_GO_QPS = 5;
export const CLIENT_GO_BURST = 10;
export const KUBELET_QPS = 50;
/** Node lease renewal every 10 s; NotReady after ~40 s without heartbeat (ref). */
export const NODE_LEASE_PERIOD_S = 10;
export const NODE_MONITOR_GRACE_S = 40;
/** Scalability envelope: 5,000 nodes, 150,000 pods, so 30 pods per node on average (ref). */
export const DEFAULT_PODS_PER_NODE = 30;
/** SLOs: mutating/read single object p99 ≤ 1 s; LIST ≤ 30 s (ref). */
export const SLO_SINGLE_OBJECT_S = 1;
export const SLO_LIST_S = 30;
/** kubelet CrashLoopBackOff for static pods (API servers): 10 s doubling to 5 min (Kubernetes pod lifecycle docs). */
export const CRASHLOOP_BACKOFF = { initialS: 10, maxS: 300 } as const;
