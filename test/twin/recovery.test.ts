/**
 * Full recovery covers every cluster, and the incident's operators remove the
 * change everywhere it reached (their fleet-wide revert), so that the incident
 * run ends healthy. Without the revert the run does not end healthy, and the
 * report and its headline say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin, type RunReport, type RunSeries, type Scenario } from '../../src/twin/index.ts';
import { renderRunReport } from '../../src/report/html.ts';
import { summary } from '../../src/cli/simulate.ts';
import { pst, run } from '../helpers/runs.ts';

function runScenario(s: Scenario, seed = 1): { report: RunReport; series: RunSeries } {
  const twin = new Twin(s, { seed });
  twin.run();
  return twin.result();
}

/** The incident without the fleet-wide revert: the teams work the lost clusters only. */
function withoutRevert(): Scenario {
  const base = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  assert.ok(base.operators?.revert !== undefined, 'the shipped incident turns the revert on');
  const operators = { ...base.operators };
  delete operators.revert;
  return { ...base, operators };
}

let noRevert: { report: RunReport; series: RunSeries } | undefined;
const bare = (): { report: RunReport; series: RunSeries } => (noRevert ??= runScenario(withoutRevert()));

test('seed 1 ends healthy: every control plane back, no cluster degraded, no alert firing, the change gone everywhere', () => {
  const { report } = run('openai-2024-12-11');
  assert.deepEqual(report.fleet.atEnd, { clustersDegraded: 0, controlPlanesLost: 0, alertsFiring: 0, changeDeployed: 0, degradedWithChange: 0 });
  for (const c of report.clusters) {
    assert.deepEqual(c.atEnd, { degraded: false, alertsFiring: [], changeDeployed: false }, c.name);
    if (c.changeAppliedAt !== null) assert.ok(c.changeRemovedAt !== null && c.changeRemovedAt > c.changeAppliedAt, `${c.name}: removed at ${c.changeRemovedAt}`);
  }
  const f = report.fleet;
  const planes = Date.parse(f.controlPlanesRecoveredAt ?? '');
  const full = Date.parse(f.fullRecoveryAt ?? '');
  const lastRecovered = Math.max(...report.clusters.map((c) => Date.parse(c.controlPlane.recoveredAt ?? '')).filter((x) => !Number.isNaN(x)));
  assert.equal(planes, lastRecovered, 'control planes recovered = the last lost control plane recovered');
  assert.ok(full >= planes, `full recovery ${f.fullRecoveryAt} not before the control planes ${f.controlPlanesRecoveredAt}`);
  // No alert resolves after full recovery.
  const lastResolution = Math.max(...report.timeline.filter((e) => e.kind === 'alert' && / resolved$/.test(e.message)).map((e) => Date.parse(e.at)));
  assert.ok(lastResolution <= full, `last alert resolution ${new Date(lastResolution).toISOString()} after full recovery ${f.fullRecoveryAt}`);
});

test('the fleet-wide revert deletes the change through the API, in the order the change reached the clusters, leaving alerting clusters to the teams', () => {
  const { report } = run('openai-2024-12-11');
  const tl = report.timeline;
  const reverts = tl.filter((e) => e.kind === 'operator' && /^fleet revert: kubectl delete daemonset telemetry-agent \(priority level global-default\): succeeded/.test(e.message));
  const teams = new Set(tl.filter((e) => e.kind === 'operator' && e.message.startsWith('operators start working')).map((e) => e.cluster));
  assert.ok(reverts.length >= 150, `${reverts.length} clusters reverted by the pipeline`);
  for (const c of report.clusters) {
    const byRevert = reverts.some((e) => e.cluster === c.name);
    // Every cluster the change reached is either reverted by the pipeline or worked by a team, never both.
    assert.notEqual(byRevert, teams.has(c.name), `${c.name}: reverted ${byRevert}, worked by a team ${teams.has(c.name)}`);
  }
  // Each revert is followed by the removal it made, and no two pipeline deletes are closer than 9 s.
  for (const e of reverts) assert.ok(tl.some((x) => x.cluster === e.cluster && x.at === e.at && x.message === 'telemetry-agent removed via api (fleet revert)'), `${e.cluster}`);
  const times = reverts.map((e) => Date.parse(e.at));
  for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 9000, `pipeline deletes at ${reverts[i - 1]?.at} and ${reverts[i]?.at}`);
  // The first pass goes in the order the change reached the clusters.
  const applied = new Map(report.clusters.map((c) => [c.name, c.changeAppliedAt ?? '']));
  const firstPass = reverts.filter((e) => Date.parse(e.at) < pst('15:45')).map((e) => applied.get(e.cluster ?? '') ?? '');
  assert.ok(firstPass.length >= 100);
  assert.deepEqual(firstPass, [...firstPass].sort());
  // It starts once the root cause is known. A cluster it cannot reach while a critical alert fires on it (a lost
  // control plane) is tried once and left to the teams, who take it.
  assert.ok(times.every((t) => t >= pst('15:16')));
  const left = tl.filter((e) => /^fleet revert: kubectl delete daemonset telemetry-agent \(priority level global-default\): failed: .*; a critical alert fires on it \([A-Za-z, ]+\): left to the incident teams$/.test(e.message));
  assert.ok(left.length >= 10, `${left.length} clusters left to the teams`);
  for (const l of left) {
    assert.ok(teams.has(l.cluster), `${l.cluster}: left to the teams, who never took it`);
    assert.equal(tl.filter((e) => e.cluster === l.cluster && e.message.startsWith('fleet revert: kubectl delete')).length, 1, `${l.cluster}: the pipeline tried it once`);
  }
  const lost = report.clusters.filter((c) => c.controlPlane.lostAt !== null);
  for (const c of lost) assert.ok(teams.has(c.name), `${c.name}: a lost control plane is worked by a team`);
});

test('a revert delete is judged against the cluster: refused on a locked-out cluster and retried, served on a healthy one', () => {
  // No alert rules: no cluster alerts, so the teams take none and the pipeline tries every cluster, the lost ones too.
  const base = loadScenarioFile('scenarios/openai-2024-12-11.yaml');
  const { report } = runScenario({ ...base, durationS: 2 * 3600, alerts: [] });
  const tl = report.timeline;
  const attempts = (name: string) => tl.filter((e) => e.cluster === name && e.message.startsWith('fleet revert: kubectl delete'));
  const large = report.clusters.filter((c) => c.nodes >= 2000 && c.controlPlane.lostAt !== null);
  assert.ok(large.length >= 10);
  let retried = 0;
  for (const c of large) {
    const a = attempts(c.name);
    assert.ok(a.length >= 1, `${c.name}: the pipeline tried it`);
    assert.match(a[0]?.message ?? '', /failed: connection refused/, `${c.name}: first delete on a locked-out cluster`);
    if (a.length >= 2) {
      retried++;
      assert.ok(Date.parse(a[1]?.at ?? '') - Date.parse(a[0]?.at ?? '') >= 60_000, `${c.name}: retried after retryEvery (1 min)`);
    }
  }
  assert.ok(retried >= 10, `${retried} locked-out clusters retried`);
  const small = report.clusters.filter((c) => c.nodes <= 300 && c.changeAppliedAt !== null);
  for (const c of small) assert.match(attempts(c.name)[0]?.message ?? '', /succeeded/, `${c.name}: a healthy cluster's delete is served`);
});

test('without the revert the change stays on degraded clusters: no full recovery, and the headline says what is still wrong', async () => {
  const { report, series } = bare();
  const f = report.fleet;
  assert.equal(f.fullRecoveryAt, null, 'no full recovery while clusters are degraded and alerts fire');
  assert.ok(f.controlPlanesRecoveredAt !== null && Math.abs(Date.parse(f.controlPlanesRecoveredAt) - pst('19:38')) <= 20 * 60_000, `control planes back ${f.controlPlanesRecoveredAt}`);
  assert.equal(f.atEnd.controlPlanesLost, 0);
  assert.ok(f.atEnd.clustersDegraded >= 10, `${f.atEnd.clustersDegraded} clusters degraded at the end`);
  assert.equal(f.atEnd.degradedWithChange, f.atEnd.clustersDegraded);
  assert.ok(f.atEnd.alertsFiring >= f.atEnd.clustersDegraded);
  const degraded = report.clusters.filter((c) => c.atEnd.degraded);
  assert.equal(degraded.length, f.atEnd.clustersDegraded);
  for (const c of degraded) {
    assert.ok(c.atEnd.changeDeployed && c.changeRemovedAt === null, `${c.name} still runs the change`);
    assert.ok(c.atEnd.alertsFiring.includes('KubeAPITooManyRequests'), `${c.name}: ${c.atEnd.alertsFiring.join()}`);
  }

  const html = await renderRunReport(report, series);
  const verdict = /<p class="verdict[^"]*">[\s\S]*?<\/p>/.exec(html)?.[0] ?? '';
  assert.doesNotMatch(verdict, /full recovery came/);
  assert.match(verdict, new RegExp(`control planes recovered at ${f.controlPlanesRecoveredAt?.slice(11, 16)}, but the fleet had <strong>not fully recovered</strong> by the end of the run`));
  assert.match(verdict, new RegExp(`${f.atEnd.clustersDegraded} clusters are still degraded: the change is still deployed there`));
  assert.match(html, /<dt>Full recovery<\/dt><dd><span class="never">not recovered<\/span><\/dd>/);
  assert.match(html, new RegExp(`<dt>Control planes back</dt><dd><time [^>]*>${f.controlPlanesRecoveredAt?.slice(11, 16)}</time>`));
  const text = summary(report, {});
  assert.match(text, /full recovery —/);
  assert.match(text, new RegExp(`at the end: ${f.atEnd.clustersDegraded} cluster\\(s\\) still degraded \\(the change still deployed on ${f.atEnd.degradedWithChange}\\); \\d+ alert\\(s\\) still firing — not fully recovered`));
});

test('with the revert the headline claims full recovery, and the figure it names', async () => {
  const { report, series } = run('openai-2024-12-11');
  const html = await renderRunReport(report, series);
  const verdict = /<p class="verdict[^"]*">[\s\S]*?<\/p>/.exec(html)?.[0] ?? '';
  const full = report.fleet.fullRecoveryAt?.slice(11, 16) ?? 'none';
  assert.match(verdict, new RegExp(`full recovery came at ${full} \\(every lost control plane back at ${report.fleet.controlPlanesRecoveredAt?.slice(11, 16)}\\)`));
  assert.doesNotMatch(verdict, /still degraded|not fully recovered/);
});
