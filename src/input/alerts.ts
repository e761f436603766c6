/**
 * Alert rules of a scenario (`spec.alerts`), evaluated per cluster like
 * Prometheus rules: the schema, the default rules of a scenario that gives
 * none, and the compilation into the twin's AlertRules (durations in
 * seconds, unique names).
 *
 * @example
 *   compileAlerts(ctx, [{ name: 'Slow', metric: 'apiserver_p99_single_object_seconds', op: '>', threshold: 1, for: '5m' }]);
 *   // [{ name: 'Slow', metric: 'apiserver_p99_single_object_seconds', op: '>', threshold: 1, forS: 300, severity: 'warning' }]
 */
import { Type, type Static } from '@sinclair/typebox';
import { METRIC_NAMES } from '../twin/index.ts';
import type { AlertRule } from '../twin/index.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { duration, MAX_METRIC_VALUE, obj, opt, str } from './schema-kit.ts';
import { checkDuration } from './units.ts';

export const AlertSchema = obj(
  {
    name: Type.String({ minLength: 1, description: 'Alert name (unique).' }),
    metric: str(METRIC_NAMES, 'Per-cluster metric the rule watches.'),
    op: str(['>', '<'], 'Comparison with the threshold.'),
    threshold: Type.Number({ minimum: -MAX_METRIC_VALUE, maximum: MAX_METRIC_VALUE, description: 'Threshold value (within ±1e12).' }),
    for: opt(duration('How long the condition must hold before the alert fires. Default: 0s.')),
    keepFiringFor: opt(
      duration("Prometheus' keep_firing_for: once firing, the alert resolves only after the condition has been absent this long; the condition coming back restarts the clock. Default: 0s (resolve at the first evaluation without it)."),
    ),
    severity: opt(str(['warning', 'critical'], 'Severity. Default: "warning".')),
  },
  'An alert rule, evaluated per cluster.',
);

export type AlertInput = Static<typeof AlertSchema>;

/**
 * Alert rules of a scenario that gives no `alerts`: the usual control-plane, DNS and data-plane alerts.
 * Each keeps firing 5 minutes after its condition clears (`keep_firing_for`, Prometheus ≥ 2.42.0:
 * prometheus/prometheus#11827; https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/),
 * so that a crash-looping control plane, whose API servers serve for seconds between kills, does not
 * resolve and re-fire them at every such window (docs/model.md, "Alerts"). 5 minutes is our choice.
 */
export const DEFAULT_ALERTS: readonly AlertRule[] = [
  { name: 'KubeAPIServerUnavailable', metric: 'apiserver_success_ratio', op: '<', threshold: 0.9, forS: 120, keepFiringForS: 300, severity: 'critical' },
  { name: 'KubeAPILatencyHigh', metric: 'apiserver_p99_single_object_seconds', op: '>', threshold: 1, forS: 300, keepFiringForS: 300, severity: 'warning' },
  { name: 'KubeAPITooManyRequests', metric: 'apiserver_429_ratio', op: '>', threshold: 0.05, forS: 300, keepFiringForS: 300, severity: 'warning' },
  { name: 'KubeAPIServerMemoryHigh', metric: 'apiserver_memory_ratio', op: '>', threshold: 0.9, forS: 120, keepFiringForS: 300, severity: 'warning' },
  { name: 'CoreDNSErrors', metric: 'dns_servfail_ratio', op: '>', threshold: 0.05, forS: 120, keepFiringForS: 300, severity: 'critical' },
  { name: 'DataPlaneErrors', metric: 'dataplane_error_ratio', op: '>', threshold: 0.01, forS: 60, keepFiringForS: 300, severity: 'critical' },
];

/** spec.alerts as the twin evaluates them; a duplicate name or a bad duration is reported. */
export function compileAlerts(ctx: ScenarioContext, alerts: readonly AlertInput[]): AlertRule[] {
  const seen = new Map<string, number>();
  return alerts.map((a, i) => {
    const first = seen.get(a.name);
    if (first !== undefined) ctx.add(['spec', 'alerts', i, 'name'], `two alerts are named \`${a.name}\`; the other is alerts[${first}]`, 'give each alert a distinct name');
    else seen.set(a.name, i);
    const forS = a.for === undefined ? 0 : (checkDuration(ctx, ['spec', 'alerts', i, 'for'], a.for) ?? 0);
    const keepFiringForS = a.keepFiringFor === undefined ? 0 : (checkDuration(ctx, ['spec', 'alerts', i, 'keepFiringFor'], a.keepFiringFor) ?? 0);
    return { name: a.name, metric: a.metric, op: a.op, threshold: a.threshold, forS, ...(keepFiringForS > 0 ? { keepFiringForS } : {}), severity: a.severity ?? 'warning' };
  });
}
