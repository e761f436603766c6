/**
 * node-problem-detector, read from its command line (kubernetes/
 * node-problem-detector cmd/options/options.go, pkg/exporters/k8sexporter):
 *
 * - `--enable-k8s-exporter` (default true): the Kubernetes exporter is the
 *   only part that talks to the API server; `=false` makes no call.
 * - Node conditions (`--k8s-exporter-update-node-conditions`, default true):
 *   a PATCH of its own Node's status by name (problemclient/problem_client.go
 *   `SetConditions` → `Nodes().PatchStatus(nodeName)`), at least every
 *   `--k8s-exporter-heartbeat-period` (default 5m) and when a condition
 *   changes (condition/manager.go checks every 1 s, resyncs failures after
 *   10 s) — one object, one seat, whatever the cluster's size.
 * - Events (`--k8s-exporter-write-events`, default true): created through
 *   client-go's event recorder for the node's problems, in
 *   `--event-namespace` (empty: the recorder's `default`). Problems are rare
 *   on a healthy node; the estimate counts one event per node per heartbeat
 *   period (an assumption, stated in the call).
 * - At start-up one GET of its Node from the watch cache (resourceVersion
 *   "0", `waitForAPIServerReadyWithTimeout`) to learn its UID: once per pod,
 *   negligible, not modelled as a periodic call.
 * - `--kube-api-qps` / `--kube-api-burst` (default 500 / 500) rate-limit the
 *   client.
 *
 * node-problem-detector has no configuration whose cost grows with the
 * cluster: every call names its own node.
 *
 * @example
 *   nodeProblemDetectorReader.read(ctx)?.calls;   // npd-patch-node-status, npd-create-events
 */
import { parseDuration } from '../../core/duration.ts';
import type { DerivedCall } from '../types.ts';
import { argHas, callProfile, type AgentNote, type AgentReader, type AgentResult, type AgentContext } from './agent.ts';
import { ContainerSettings } from './container-settings.ts';

export const NPD_IMAGE = /(^|\/)node-problem-detector(:|@|$)/;

/** Defaults of cmd/options/options.go. */
const HEARTBEAT_S = 300;
const QPS = 500;

export function nodeProblemDetector(ctx: AgentContext): AgentResult | undefined {
  const c = ctx.container;
  const s = ContainerSettings.of(ctx.workload, c);
  const named = NPD_IMAGE.test(c.image.toLowerCase()) || s.argv.some((a) => /(^|\/)node-problem-detector$/.test(a));
  if (!named) return undefined;
  const calls: DerivedCall[] = [];
  const notes: AgentNote[] = [];
  const exporter = s.bool(['--enable-k8s-exporter'], true);
  if (!exporter.value) return { agent: 'node-problem-detector', calls, notes };
  const hb = s.flag(['--k8s-exporter-heartbeat-period']);
  const hbS = hb !== undefined ? parseDuration(hb.value) : HEARTBEAT_S;
  if (hb !== undefined && (hbS === undefined || hbS <= 0)) {
    notes.push({ rule: 'agent-config', severity: 'warn', at: hb.at, message: `node-problem-detector: --k8s-exporter-heartbeat-period=${hb.value} is not a duration the analyzer can read`, fix: 'write it as a Go duration (30s, 5m)' });
  }
  const period = hbS !== undefined && hbS > 0 ? hbS : HEARTBEAT_S;
  const qpsFlag = s.flag(['--kube-api-qps']);
  const qps = qpsFlag !== undefined && Number.isFinite(Number(qpsFlag.value)) && Number(qpsFlag.value) > 0 ? Number(qpsFlag.value) : QPS;
  const at = hb?.at ?? exporter.at ?? s.argsAt;
  const conditions = s.bool(['--k8s-exporter-update-node-conditions'], true);
  if (conditions.value) {
    calls.push({
      profile: callProfile('npd-patch-node-status', 'patch', 'nodes/status', { scope: 'node', periodS: period, qps }),
      at,
      because: `node-problem-detector patches its own Node's status conditions by name every ${period} s (--k8s-exporter-heartbeat-period) and when a condition changes`,
      agent: 'node-problem-detector',
    });
  }
  const events = s.bool(['--k8s-exporter-write-events'], true);
  if (events.value) {
    const ns = s.flag(['--event-namespace'])?.expanded ?? '';
    const namespace = ns === '' ? 'default' : ns;
    calls.push({
      profile: callProfile('npd-create-events', 'create', 'events', { scope: 'namespace', periodS: period, qps }),
      at: events.at ?? at,
      because: `node-problem-detector records an event in namespace ${namespace} for each problem its monitors report (counted as one per node every ${period} s)`,
      agent: 'node-problem-detector',
      namespaces: [namespace],
    });
  }
  return { agent: 'node-problem-detector', calls, notes };
}

export const nodeProblemDetectorReader: AgentReader = {
  id: 'node-problem-detector',
  image: NPD_IMAGE,
  read: nodeProblemDetector,
  mayRead: (image, c) => image.includes('node-problem-detector') || argHas(c, 'node-problem-detector'),
};
