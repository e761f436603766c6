/**
 * The large report opens in a real browser: the synthetic worst case (1,000
 * clusters, 2 days, every alert flapping every 15 s) is loaded from a file://
 * URL into Debian's Chromium driven by playwright-core; the headline and the
 * timeline must be in the DOM, with no console error, and a screenshot is
 * taken into the temp directory. Chromium must be installed (CI installs it,
 * .ci/run): without it this test fails, it does not skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderRunReport } from '../../src/report/html.ts';
import { worstCase } from './worst-case.ts';

/** Debian's Chromium: on PATH as `chromium`, else /usr/bin/chromium; null when absent. */
function findChromium(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), '/usr/bin'];
  for (const d of dirs) {
    const p = join(d, 'chromium');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

test('the 1,000-cluster, 2-day report opens in Chromium: headline and timeline rendered, no console error', { timeout: 300_000 }, async () => {
  const executablePath = findChromium();
  assert.ok(executablePath !== null, 'Chromium is not installed: install it with `apt-get update && apt-get install -y chromium` (.ci/run does this before npm test)');
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-browser-'));
  const worst = worstCase();
  const file = join(dir, 'worst-case-report.html');
  writeFileSync(file, await renderRunReport(worst.report, worst.series));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
    assert.equal(await page.title(), 'worst-case-1000 · firebreak twin report');
    const verdict = await page.locator('p.verdict').innerText();
    assert.match(verdict, /Customers were affected\./);
    assert.match(verdict, /not fully recovered/);
    // The incident timeline figure is laid out with its lanes, and the full-timeline table is there.
    const box = await page.locator('svg#chart-timeline').boundingBox();
    assert.ok(box !== null && box.width > 500 && box.height > 100, `timeline figure ${JSON.stringify(box)}`);
    assert.ok((await page.locator('svg#chart-timeline [aria-roledescription="tick"]').count()) > 50);
    assert.ok((await page.locator('section#log tbody tr').count()) > 2000);
    assert.deepEqual(errors, []);
    const shot = join(tmpdir(), 'firebreak-worst-case-report.png');
    await page.screenshot({ path: shot });
    assert.ok(statSync(shot).size > 10_000, 'a screenshot with something on it');
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
