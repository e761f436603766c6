/**
 * How many clusters a scenario expands to (the listeners `twin serve` needs),
 * without running it.
 */
import { Twin, type Scenario } from '../twin/index.ts';

export function expandedClusterCount(scenario: Scenario): number {
  return new Twin(scenario, { seed: 1 }).clusters().length;
}
