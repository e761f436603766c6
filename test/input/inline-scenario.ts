/**
 * A scenario written inline in a test, as if it were the file INLINE in the
 * valid fixtures directory (so its `fleet: { file: fleet.yaml }` resolves).
 * Its `spec` lines start at line 9.
 */
export const INLINE = 'test/fixtures/input/valid/inline.yaml';

export function inlineScenario(...specLines: string[]): string {
  return [
    'apiVersion: firebreak.dev/v1alpha1',
    'kind: Scenario',
    'metadata: { name: inline }',
    'spec:',
    '  start: "2024-12-11T14:00:00"',
    '  timeZone: America/Los_Angeles',
    '  duration: 2h',
    '  fleet: { file: fleet.yaml }',
    ...specLines,
    '',
  ].join('\n');
}
