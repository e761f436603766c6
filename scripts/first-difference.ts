/**
 * Where two outputs first differ, for the scripts that compare this tree's
 * outputs with a revision's (check-identical.ts, check-analyze-identical.ts):
 * the byte and line, with 80 characters either side of each.
 *
 * @example
 *   firstDifference('a\nbc', 'a\nbd'); // 'first difference at byte 3 (line 2): …'
 */
export function firstDifference(now: string, before: string): string {
  let i = 0;
  while (i < now.length && i < before.length && now[i] === before[i]) i++;
  const line = now.slice(0, i).split('\n').length;
  const from = Math.max(0, i - 80);
  return `first difference at byte ${i} (line ${line}):\n      before: ${JSON.stringify(before.slice(from, i + 80))}\n      now:    ${JSON.stringify(now.slice(from, i + 80))}`;
}
