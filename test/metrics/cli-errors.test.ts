/**
 * Bad input to the metrics options is a usage error (exit 2, one line, no
 * stack trace) before any work: `simulate --openmetrics` at a directory or
 * with a bad `--openmetrics-interval`, `twin serve --prometheus-config` at a
 * directory or with a bad `--scrape-interval`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function cli(args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync('node_modules/.bin/node', ['src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

test('metrics options: bad paths and durations exit 2 with one message and leave no file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-metrics-cli-'));
  try {
    const cases: [readonly string[], RegExp][] = [
      [['simulate', 'test/fixtures/serve/small.yaml', '--openmetrics', dir], /--openmetrics .* is a directory/],
      [['simulate', 'test/fixtures/serve/small.yaml', '--openmetrics', join(dir, 'x.om'), '--openmetrics-interval', '0s'], /--openmetrics-interval.*expected a duration/],
      [['simulate', 'test/fixtures/serve/small.yaml', '--openmetrics', join(dir, 'x.om'), '--openmetrics-interval', 'soon'], /--openmetrics-interval.*expected a duration/],
      [['twin', 'serve', 'test/fixtures/serve/small.yaml', '--kubeconfig', join(dir, 'kc'), '--prometheus-config', dir], /--prometheus-config .* is a directory/],
      [['twin', 'serve', 'test/fixtures/serve/small.yaml', '--kubeconfig', join(dir, 'kc'), '--prometheus-config', join(dir, 'p.yml'), '--scrape-interval', '0.5s'], /--scrape-interval.*expected a duration/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
