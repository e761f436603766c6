/**
 * From a PriorityLevelConfiguration (the level a FlowSchema names) to the
 * twin's priority level that carries its load. The twin models Kubernetes'
 * bootstrap levels (src/model/kubernetes.ts DEFAULT_PRIORITY_LEVELS, or the
 * scenario's own) and, when it offers break-glass, a dedicated `break-glass`
 * level served by its own API server:
 * - a PLC of `spec.type: Exempt` (or, when the PLC is not stored, the name
 *   `exempt`) → the twin's exempt level;
 * - a PLC the twin has by name → that level;
 * - the break-glass kit's dedicated PLC (`firebreak-breakglass`,
 *   docs/breakglass.md) or `break-glass` → the twin's `break-glass` level
 *   when it has one;
 * - any other PLC (one the twin does not model) → the twin's `global-default`
 *   level (Kubernetes' level for whatever no other schema claims; else the
 *   first level that queues), and the mapping says so (`modelled: false`):
 *   its load is never dropped, the backend records the substitution.
 *
 * @example
 *   twinLevel('firebreak-breakglass', plc, ['exempt', 'system', …, 'break-glass']); // { level: 'break-glass', modelled: true }
 */
import type { KubeObject } from './backend.ts';

export interface LevelMapping {
  readonly level: string;
  /** False: the PLC is not one the twin models; `level` carries its load instead. */
  readonly modelled: boolean;
}

/** The break-glass kit's dedicated level (contract C: the served twin's break-glass identity; k8s target's kit). */
export const BREAK_GLASS_PLCS: readonly string[] = ['firebreak-breakglass', 'break-glass'];
/** The twin's dedicated break-glass level (src/twin engine's extra level). */
export const TWIN_BREAK_GLASS_LEVEL = 'break-glass';

function specType(plc: KubeObject | undefined): string | undefined {
  const spec = plc?.spec;
  if (typeof spec !== 'object' || spec === null) return undefined;
  const t = (spec as Record<string, unknown>).type;
  return typeof t === 'string' ? t : undefined;
}

export function twinLevel(name: string, plc: KubeObject | undefined, levels: readonly string[], exemptLevel: string | undefined): LevelMapping {
  const type = specType(plc);
  if (type === 'Exempt' || (plc === undefined && name === 'exempt')) {
    if (exemptLevel !== undefined) return { level: exemptLevel, modelled: true };
  }
  if (BREAK_GLASS_PLCS.includes(name) && levels.includes(TWIN_BREAK_GLASS_LEVEL)) return { level: TWIN_BREAK_GLASS_LEVEL, modelled: true };
  if (levels.includes(name) && name !== exemptLevel) return { level: name, modelled: true };
  const fallback = levels.includes('global-default') ? 'global-default' : (levels.find((l) => l !== exemptLevel && l !== 'catch-all') ?? levels[0] ?? 'global-default');
  return { level: fallback, modelled: false };
}
