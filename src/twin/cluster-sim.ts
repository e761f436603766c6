/**
 * One cluster of the twin: a fixed-step fluid model of its control plane (API
 * server replicas with APF, etcd), its clients (kubelets, kube-proxy,
 * controllers, CoreDNS, other workloads, the change's agents), its DNS and its
 * data plane. Populations are fluid (fractional clients) so a 7,500-node
 * cluster costs the same to step as a 50-node one; the few discrete things
 * (API server replicas, CoreDNS replicas on control-plane nodes) are discrete
 * and draw from the cluster's seeded random stream.
 *
 * Nothing here is scripted: overload, OOM kills, relist storms, 429 retry
 * loops, lockout and recovery all come out of the same equations. See
 * docs/model.md for the equations and docs/twin-calibration.md for the numbers.
 *
 * ClusterSim is the twin's handle on a cluster: it builds the cluster's state
 * (./cluster/state.ts) and delegates to one file per concept in ./cluster/:
 * clients.ts (client classes), arrivals.ts, retry.ts, apf.ts (APF admission),
 * service.ts (processor sharing, etcd), memory.ts (memory per replica, OOM),
 * replicas.ts (replicas, start-up, the load balancer), infrastructure.ts
 * (scale-ups, nodes, network blocks), agents.ts (the change's agents),
 * leases.ts (controllers' leader lease, node leases), coredns.ts,
 * quiescence.ts, step.ts, observe.ts (metrics), actions.ts, request.ts.
 *
 * @example
 *   const sim = new ClusterSim(cluster, DEFAULT_MODEL, scenario.change, rng.fork(`cluster:${cluster.name}`), []);
 *   sim.applyChange(1, 0);
 *   sim.step(0, 1);
 *   sim.successRatio();
 */
import type { Cluster } from '../model/fleet.ts';
import type { ResourceStats } from '../model/profile.ts';
import type { Random } from '../core/random.ts';
import type { ModelConfig } from '../model/model-schema.ts';
import type { BlockSource, ChangeSpec } from './scenario.ts';
import { DnsState } from './dns.ts';
import type { LevelSample, MetricName, MetricSample } from './metrics.ts';
import { ClusterState, type OperatorOutcome } from './cluster/state.ts';
import { buildClasses, computeResources, indexByLevel, recost } from './cluster/clients.ts';
import { dnsReplicas } from './cluster/coredns.ts';
import { newReplica, recountReady, totalRestarts } from './cluster/replicas.ts';
import { stepCluster } from './cluster/step.ts';
import { tryRequest } from './cluster/request.ts';
import { submitRequest, type SubmittedCost } from './cluster/external.ts';
import { installChange } from './cluster/install.ts';
import { applyChange, block, controlPlaneDown, etcdSlowdown, killApiServers, removeChange, replaceHosts, restartCoreDns, scaleApiServers, scaleNodes, shedChange, unblock } from './cluster/actions.ts';

import { classRate, dataPlaneErrorRatio, levels, metrics, metricValue, readyRatio, sampleInto, successRatio } from './cluster/observe.ts';

export type { ClientGroup, OperatorOutcome } from './cluster/state.ts';

export class ClusterSim {
  /** The cluster's state, stepped and read by the functions of ./cluster/. */
  readonly state: ClusterState;

  constructor(cluster: Cluster, model: ModelConfig, change: ChangeSpec | undefined, rng: Random, extraLevels: readonly { name: string; seats: number; dedicated: boolean }[]) {
    const s = new ClusterState(cluster, model, change, rng, extraLevels);
    this.state = s;
    for (let i = 0; i < model.apiServer.replicas; i++) s.replicas.push(newReplica(s, 0, 'ready'));
    recountReady(s);
    computeResources(s);
    buildClasses(s);
    s.dns = new DnsState(model.dns, dnsReplicas(s), rng.fork('dns'));
    recost(s);
    // Informers start synced.
    for (const c of s.classes) if (c.informer) c.watching = c.n;
    indexByLevel(s);
    s.demand = new Float64Array(s.levelNames.length);
    s.controllerWrites = s.classes.find((x) => x.name === 'controller-writes');
    s.controllerInformerClass = s.classes.find((x) => x.name === 'controller-informers');
    s.kubeletPods = s.classes.find((x) => x.name === 'kubelet-pods');
    s.coredns = s.classes.find((x) => x.name === 'coredns');
  }

  get cluster(): Cluster {
    return this.state.cluster;
  }
  get model(): ModelConfig {
    return this.state.model;
  }
  get change(): ChangeSpec | undefined {
    return this.state.change;
  }
  /** Nodes now (scale-nodes moves it). */
  get nodes(): number {
    return this.state.nodes;
  }
  get changeDeployed(): boolean {
    return this.state.changeDeployed;
  }
  /** Fraction of the nodes the change is applied to (cumulative over node batches). */
  get changeFraction(): number {
    return this.state.changeFraction;
  }
  get changeAppliedAtS(): number | null {
    return this.state.changeAppliedAtS;
  }
  /** When the change was last removed (null: never). */
  get changeRemovedAtS(): number | null {
    return this.state.changeRemovedAtS;
  }
  get resources(): Map<string, ResourceStats> {
    return this.state.resources;
  }

  // ---------------------------------------------------------------- step

  step(t: number, dt: number): void {
    stepCluster(this.state, t, dt);
  }

  /** True while the cluster is advanced without recomputation. */
  quietFlag(): boolean {
    return this.state.quiet;
  }

  /** The last step left every observable value as it was (a quiet cluster, or inside a coarse step). */
  heldFlag(): boolean {
    return this.state.held;
  }

  // ---------------------------------------------------------------- actions

  /** Apply the change to `fraction` of the nodes (cumulative: node batches raise it), at `now` (the engine's time). */
  applyChange(fraction: number, now: number): void {
    applyChange(this.state, fraction, now);
  }

  /** Remove the change at `now`: through the API (kubelets must see it) or the agents' kill switch (actions.ts). */
  removeChange(via: 'api' | 'kill-switch', now: number): void {
    removeChange(this.state, via, now);
  }

  /** The change's service account is routed to a rejecting priority level (an APF FlowSchema). */
  shedChange(): void {
    shedChange(this.state);
  }

  scaleNodes(fraction: number, overS: number): void {
    scaleNodes(this.state, fraction, overS);
  }

  scaleApiServers(replicas: number, memoryFactor: number, cpuFactor: number, provisionS: number): void {
    scaleApiServers(this.state, replicas, memoryFactor, cpuFactor, provisionS);
  }

  block(sources: readonly BlockSource[], overS: number): void {
    block(this.state, sources, overS);
  }

  unblock(overS: number): void {
    unblock(this.state, overS);
  }

  etcdSlowdown(factor: number, durationS: number): void {
    etcdSlowdown(this.state, factor, durationS);
  }

  killApiServers(): void {
    killApiServers(this.state);
  }

  controlPlaneDown(durationS: number): void {
    controlPlaneDown(this.state, durationS);
  }

  replaceHosts(everyS: number, downS: number): void {
    replaceHosts(this.state, everyS, downS);
  }

  restartCoreDns(): void {
    restartCoreDns(this.state);
  }

  /** One request from an operator (or the orchestrator) at `levelName`, decided against the current state (request.ts). */
  tryRequest(levelName: string): OperatorOutcome {
    return tryRequest(this.state, levelName);
  }

  /** A request submitted through the served API, decided now and, when taken, added to the load (external.ts). */
  submit(levelName: string, cost: SubmittedCost, t: number): OperatorOutcome {
    return submitRequest(this.state, levelName, cost, t);
  }

  /** Installs a change at run time (install.ts); throws TwinError 'change-busy' while another runs. */
  installChange(change: ChangeSpec): void {
    installChange(this.state, change);
  }

  /** Pods of the cluster's workloads now (the change's agents aside). */
  pods(): number {
    return this.state.resources.get('pods')?.count ?? this.state.cluster.pods;
  }

  /** An API server scale-up is still being provisioned. */
  scaleUpPending(): boolean {
    return this.state.pendingScale !== null;
  }

  isBlocked(): boolean {
    const b = this.state.block;
    return b.nodes > 0 || b.change > 0 || b.workloads > 0;
  }

  // ---------------------------------------------------------------- observation

  readyRatio(): number {
    return readyRatio(this.state);
  }

  totalRestarts(): number {
    return totalRestarts(this.state);
  }

  successRatio(): number {
    return successRatio(this.state);
  }

  p99(): number {
    return this.state.p99;
  }

  memoryRatio(): number {
    return this.state.memRatio;
  }

  /** Agents of the change still running (pods). */
  agents(): number {
    return this.state.agentsRunning;
  }

  metrics(trafficShare: number): MetricSample {
    return metrics(this.state, trafficShare);
  }

  /** One metric of metrics(), computed alone (alert rules read a few of them every evaluation). */
  metricValue(name: MetricName, trafficShare: number): number {
    return metricValue(this.state, name, trafficShare);
  }

  /** Writes the recorded metrics (Recorder.RECORDED order) without allocating. */
  sampleInto(out: Float64Array): void {
    sampleInto(this.state, out);
  }

  dataPlaneErrorRatio(): number {
    return dataPlaneErrorRatio(this.state);
  }

  levels(): LevelSample[] {
    return levels(this.state);
  }

  /** Requests per second a class sent last step (for API-share accounting). */
  classRate(name: string): number {
    return classRate(this.state, name);
  }
}
