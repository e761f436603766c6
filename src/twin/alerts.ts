/**
 * Alert rules over the simulated metrics, evaluated like Prometheus rules:
 * a condition must hold continuously for `for` before the alert fires.
 */
import type { AlertRule } from './scenario.ts';
import type { MetricName } from './metrics.ts';

export interface AlertHost {
  readonly t: number;
  readonly sims: readonly { readonly cluster: { readonly name: string } }[];
  metricAt(index: number, name: MetricName): number;
  log(kind: 'alert', cluster: string | null, message: string): void;
}

export class AlertEvaluator {
  readonly rules: readonly AlertRule[];
  readonly #since: Float64Array;
  readonly #firing: Uint8Array;
  readonly #clusters: number;
  firstFiringS: number | null = null;
  firstFiringRule: string | null = null;

  constructor(rules: readonly AlertRule[], clusters: number) {
    this.rules = rules;
    this.#clusters = clusters;
    this.#since = new Float64Array(rules.length * clusters).fill(-1);
    this.#firing = new Uint8Array(rules.length * clusters);
  }

  evaluate(host: AlertHost): void {
    for (let i = 0; i < this.#clusters; i++) {
      const name = host.sims[i]?.cluster.name ?? '';
      for (let r = 0; r < this.rules.length; r++) {
        const rule = this.rules[r];
        if (rule === undefined) continue;
        const k = r * this.#clusters + i;
        const v = host.metricAt(i, rule.metric);
        const holds = rule.op === '>' ? v > rule.threshold : v < rule.threshold;
        if (!holds) {
          if (this.#firing[k] === 1) host.log('alert', name, `${rule.name} resolved`);
          this.#since[k] = -1;
          this.#firing[k] = 0;
          continue;
        }
        if ((this.#since[k] ?? -1) < 0) this.#since[k] = host.t;
        if (this.#firing[k] === 0 && host.t - (this.#since[k] ?? host.t) >= rule.forS) {
          this.#firing[k] = 1;
          host.log('alert', name, `${rule.name} firing (${rule.severity}): ${rule.metric} = ${fmt(v)} ${rule.op} ${rule.threshold} for ${Math.round(rule.forS / 60)} min`);
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
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
