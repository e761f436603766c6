/**
 * Alert rules over the simulated metrics, evaluated like Prometheus alerting
 * rules (prometheus/rules/alerting.go): a condition must hold at every
 * evaluation for `for` before the alert fires (one evaluation without it
 * clears a pending alert), and a firing alert resolves at the first
 * evaluation without the condition — unless the rule has `keep_firing_for`
 * (Prometheus ≥ 2.42.0, prometheus/prometheus#11827): then it keeps firing
 * until the condition has been absent for that long (counted from the first
 * evaluation without it, as `KeepFiringSince` in alerting.go), and the
 * condition coming back restarts that clock.
 *
 * With the default rules' 5 minutes of keep_firing_for, a lost control plane's
 * KubeAPIServerUnavailable fires once per outage and resolves once when the
 * cluster is back, though a crash-looping API server serves for seconds
 * between kills (docs/model.md, "Alerts"); kubernetes-mixin's SLO rules get the
 * same steadiness from `rate()` over long windows (alerts/kube_apiserver.libsonnet,
 * KubeAPIErrorBudgetBurn), which the twin's instantaneous metrics do not have.
 */
import type { AlertRule } from './scenario.ts';
import type { MetricName } from './metrics.ts';
import type { ClusterState } from './cluster/state.ts';
import { metricColumn } from './cluster/observe.ts';

export interface AlertHost {
  readonly t: number;
  clusters(): readonly { readonly name: string }[];
  metricAt(index: number, name: MetricName): number;
  log(kind: 'alert', cluster: string | null, message: string, transition?: AlertTransition): void;
}

/** An alert firing or resolving on a cluster (tags the timeline entry, which the recorder folds when repeated). */
export interface AlertTransition {
  readonly rule: string;
  readonly firing: boolean;
}

export class AlertEvaluator {
  readonly rules: readonly AlertRule[];
  readonly #since: Float64Array;
  /** First evaluation without the condition while firing (keep_firing_for), -1 when none. */
  readonly #keepSince: Float64Array;
  readonly #firing: Uint8Array;
  readonly #clusters: number;
  /** The rules' metrics at the current evaluation, [rule * clusters + cluster] (evaluateStates). */
  readonly #values: Float64Array;
  /** Indices of the critical rules. */
  readonly #critical: Int32Array;
  firstFiringS: number | null = null;
  firstFiringRule: string | null = null;
  /** Last resolution of any alert (null: none resolved). */
  lastResolvedS: number | null = null;

  constructor(rules: readonly AlertRule[], clusters: number) {
    this.rules = rules;
    this.#clusters = clusters;
    this.#since = new Float64Array(rules.length * clusters).fill(-1);
    this.#keepSince = new Float64Array(rules.length * clusters).fill(-1);
    this.#firing = new Uint8Array(rules.length * clusters);
    this.#values = new Float64Array(rules.length * clusters);
    this.#critical = Int32Array.from(rules.flatMap((r, i) => (r.severity === 'critical' ? [i] : [])));
  }

  /** One evaluation of every rule on every cluster, the metrics read through `host.metricAt`. */
  evaluate(host: AlertHost): void {
    const clusters = host.clusters();
    const rules = this.rules;
    for (let i = 0; i < this.#clusters; i++) {
      const name = clusters[i]?.name ?? '';
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r] as AlertRule;
        this.#decide(host, r * this.#clusters + i, rule, host.metricAt(i, rule.metric), name);
      }
    }
  }

  /**
   * The same evaluation, the engine's per-step path: `states` are the clusters' states (engine order,
   * as host.clusters()), `share` their customer-traffic shares (the `traffic_share` metric); each
   * metric is read straight from its state (observe.ts's metricValue, as Twin.metricAt reads it).
   */
  evaluateStates(host: Pick<AlertHost, 't' | 'log'>, states: readonly ClusterState[], share: Float64Array): void {
    const rules = this.rules;
    const n = this.#clusters;
    if (rules.length === 0) return;
    // The metrics first, rule by rule (reading has no effect), then the decisions in the order
    // evaluate() makes them (cluster by cluster: the timeline's order).
    const values = this.#values;
    for (let r = 0; r < rules.length; r++) metricColumn(states, (rules[r] as AlertRule).metric, share, values, r * n);
    const firing = this.#firing;
    const since = this.#since;
    const keepSince = this.#keepSince;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r] as AlertRule;
        const k = r * n + i;
        const v = values[k] as number;
        // Neither holding nor pending nor firing, and still not holding: #decide would change nothing.
        if (firing[k] === 0 && (since[k] as number) < 0 && (keepSince[k] as number) < 0 && !(rule.op === '>' ? v > rule.threshold : v < rule.threshold)) continue;
        this.#decide(host, k, rule, v, (states[i] as ClusterState).cluster.name);
      }
    }
  }

  /** One rule on one cluster (cell `k`) whose metric reads `v` now. */
  #decide(host: Pick<AlertHost, 't' | 'log'>, k: number, rule: AlertRule, v: number, name: string): void {
    const t = host.t;
    const holds = rule.op === '>' ? v > rule.threshold : v < rule.threshold;
    if (!holds) {
      const keep = rule.keepFiringForS ?? 0;
      if (this.#firing[k] === 1 && keep > 0) {
        if ((this.#keepSince[k] ?? -1) < 0) this.#keepSince[k] = t;
        if (t - (this.#keepSince[k] ?? t) < keep) return;
      }
      if (this.#firing[k] === 1) {
        host.log('alert', name, `${rule.name} resolved`, { rule: rule.name, firing: false });
        this.lastResolvedS = t;
      }
      this.#since[k] = -1;
      this.#keepSince[k] = -1;
      this.#firing[k] = 0;
      return;
    }
    this.#keepSince[k] = -1;
    if ((this.#since[k] ?? -1) < 0) this.#since[k] = t;
    if (this.#firing[k] === 0 && t - (this.#since[k] ?? t) >= rule.forS) {
      this.#firing[k] = 1;
      host.log('alert', name, `${rule.name} firing (${rule.severity}): ${rule.metric} = ${fmt(v)} ${rule.op} ${rule.threshold} for ${Math.round(rule.forS / 60)} min`, { rule: rule.name, firing: true });
      if (this.firstFiringS === null) {
        this.firstFiringS = t;
        this.firstFiringRule = rule.name;
      }
    }
  }

  /** True while any critical rule fires for the cluster. */
  criticalFiring(index: number): boolean {
    const critical = this.#critical;
    for (let c = 0; c < critical.length; c++) if (this.#firing[(critical[c] as number) * this.#clusters + index] === 1) return true;
    return false;
  }

  anyFiring(index: number): boolean {
    for (let r = 0; r < this.rules.length; r++) if (this.#firing[r * this.#clusters + index] === 1) return true;
    return false;
  }

  /** Names of the rules firing for the cluster now, in rule order. */
  firingRules(index: number): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rules.length; r++) if (this.#firing[r * this.#clusters + index] === 1) out.push(this.rules[r]?.name ?? '');
    return out;
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
