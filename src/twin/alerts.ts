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
 */
import type { AlertRule } from './scenario.ts';
import type { MetricName } from './metrics.ts';

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
  }

  evaluate(host: AlertHost): void {
    const clusters = host.clusters();
    for (let i = 0; i < this.#clusters; i++) {
      const name = clusters[i]?.name ?? '';
      for (let r = 0; r < this.rules.length; r++) {
        const rule = this.rules[r];
        if (rule === undefined) continue;
        const k = r * this.#clusters + i;
        const v = host.metricAt(i, rule.metric);
        const holds = rule.op === '>' ? v > rule.threshold : v < rule.threshold;
        if (!holds) {
          const keep = rule.keepFiringForS ?? 0;
          if (this.#firing[k] === 1 && keep > 0) {
            if ((this.#keepSince[k] ?? -1) < 0) this.#keepSince[k] = host.t;
            if (host.t - (this.#keepSince[k] ?? host.t) < keep) continue;
          }
          if (this.#firing[k] === 1) {
            host.log('alert', name, `${rule.name} resolved`, { rule: rule.name, firing: false });
            this.lastResolvedS = host.t;
          }
          this.#since[k] = -1;
          this.#keepSince[k] = -1;
          this.#firing[k] = 0;
          continue;
        }
        this.#keepSince[k] = -1;
        if ((this.#since[k] ?? -1) < 0) this.#since[k] = host.t;
        if (this.#firing[k] === 0 && host.t - (this.#since[k] ?? host.t) >= rule.forS) {
          this.#firing[k] = 1;
          host.log('alert', name, `${rule.name} firing (${rule.severity}): ${rule.metric} = ${fmt(v)} ${rule.op} ${rule.threshold} for ${Math.round(rule.forS / 60)} min`, { rule: rule.name, firing: true });
          if (this.firstFiringS === null) {
            this.firstFiringS = host.t;
            this.firstFiringRule = rule.name;
          }
        }
      }
    }
  }

  /** True while any critical rule fires for the cluster. */
  criticalFiring(index: number): boolean {
    for (let r = 0; r < this.rules.length; r++) {
      if (this.rules[r]?.severity === 'critical' && this.#firing[r * this.#clusters + index] === 1) return true;
    }
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
