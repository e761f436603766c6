/**
 * The OpenMetrics history writer (src/apiserver/exposition/openmetrics.ts and
 * src/cli/openmetrics-run.ts): property tests over random families and
 * emissions — every line parses as OpenMetrics text, values round-trip,
 * counters and buckets never decrease, gauges are repeated within the
 * look-back — and a real twin run's file: one block per family, `# EOF` at
 * the end, every sample line well formed, timestamps ascending per series.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { HistogramAcc, type Family } from '../../src/apiserver/exposition/families.ts';
import { GAUGE_REPEAT_S, HistoryBuckets, omNumber, sampleLines } from '../../src/apiserver/exposition/openmetrics.ts';
import { OpenMetricsRun } from '../../src/cli/openmetrics-run.ts';
import { loadScenarioFile } from '../../src/input/scenario.ts';
import { Twin } from '../../src/twin/index.ts';

/** One OpenMetrics sample line: name, optional labels, value, timestamp (seconds). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (NaN|[+-]Inf|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?) (\d+(?:\.\d+)?)$/;

function parse(line: string): { series: string; name: string; value: number; ts: number } {
  const m = SAMPLE.exec(line);
  assert.ok(m !== null, `not an OpenMetrics sample: ${line}`);
  const v = m[3] ?? '';
  return { series: `${m[1] ?? ''}${m[2] ?? ''}`, name: m[1] ?? '', value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v), ts: Number(m[4]) };
}

const labelValue = fc.string({ maxLength: 8 }).map((s) => [...s].filter((ch) => ch >= ' ').join(''));

test('sample lines parse, values round-trip to 12 digits, counters and buckets never decrease across emissions (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(labelValue, fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 4 }),
      fc.array(fc.double({ min: 0, max: 120, noNaN: true }), { minLength: 1, maxLength: 20 }),
      (counters, observations) => {
        const buckets = new HistoryBuckets();
        const totals = counters.map(() => 0);
        const hist = new HistogramAcc({ verb: 'GET' }, [0.1, 1, 10, 60]);
        const last = new Map<string, number>();
        const emissions = Math.max(...counters.map(([, incs]) => incs.length));
        for (let e = 0; e < emissions; e++) {
          const samples = counters.map(([label, incs], k) => {
            totals[k] = (totals[k] ?? 0) + (incs[e] ?? 0);
            return { labels: { id: `${k}`, text: label }, value: totals[k] ?? 0 };
          });
          for (const o of observations.slice(e * 2, e * 2 + 2)) hist.observe(o, 1.5);
          const fams: Family[] = [
            { kind: 'counter', name: 'x_requests_total', help: 'h', samples },
            { kind: 'histogram', name: 'x_seconds', help: 'h', bounds: hist.bounds, samples: [hist.sample()] },
          ];
          const out: string[] = [];
          for (const f of fams) sampleLines(f, { cluster: 'c' }, 1_700_000_000 + 60 * e, buckets, out);
          for (const line of out) {
            const p = parse(line);
            const before = last.get(p.series);
            if (before !== undefined) assert.ok(p.value >= before, `${p.series} decreased: ${before} → ${p.value}`);
            last.set(p.series, p.value);
          }
          for (const s of samples) {
            const line = out.find((l) => l.includes(`id="${s.labels.id}"`));
            assert.ok(line !== undefined);
            const v = parse(line).value;
            assert.ok(Math.abs(v - s.value) <= Math.abs(s.value) * 1e-11, `${s.value} written as ${v}`);
          }
          assert.ok(out.some((l) => l.startsWith('x_seconds_bucket{cluster="c",verb="GET",le="+Inf"}')), '+Inf bucket written');
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('an unchanged gauge is written again within the look-back; a changed one at once (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 40 }), fc.integer({ min: 1, max: 120 }), (values, intervalS) => {
      const buckets = new HistoryBuckets();
      let lastWritten = -Infinity;
      let lastValue: number | undefined;
      for (let e = 0; e < values.length; e++) {
        const out: string[] = [];
        const ts = 1_700_000_000 + e * intervalS;
        sampleLines({ kind: 'gauge', name: 'g', help: 'h', samples: [{ labels: {}, value: values[e] ?? 0 }] }, {}, ts, buckets, out);
        if (lastValue !== values[e]) assert.equal(out.length, 1, 'a changed value is written');
        if (out.length === 1) lastWritten = ts;
        assert.ok(ts - lastWritten < GAUGE_REPEAT_S, 'never longer than the repeat without a sample');
        lastValue = values[e];
      }
    }),
  );
});

test('omNumber writes what Prometheus parses: NaN, ±Inf, integers, and rounding keeps order (property)', () => {
  assert.equal(omNumber(NaN), 'NaN');
  assert.equal(omNumber(Infinity), '+Inf');
  assert.equal(omNumber(-Infinity), '-Inf');
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.ok(Number(omNumber(lo)) <= Number(omNumber(hi)));
    }),
  );
});

test('a real run: one block per family, # EOF at the end, every line well formed, timestamps ascending per series, counters never decrease', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-om-'));
  try {
    const twin = new Twin(loadScenarioFile('test/fixtures/serve/incident-two-simulated.yaml'), { seed: 1 });
    const om = new OpenMetricsRun(twin, { intervalS: 60 });
    while (!twin.done) {
      twin.step();
      om.afterStep();
    }
    const file = join(dir, 'run.om');
    om.write(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.at(-1), '# EOF');
    lines.pop();
    const seenFamilies = new Set<string>();
    let current = '';
    const last = new Map<string, { ts: number; value: number; counter: boolean }>();
    const types = new Map<string, string>();
    for (const line of lines) {
      if (line.startsWith('# TYPE ')) {
        const [, , name, type] = line.split(' ');
        assert.ok(!seenFamilies.has(name ?? ''), `family ${name} declared once`);
        seenFamilies.add(name ?? '');
        types.set(name ?? '', type ?? '');
        current = name ?? '';
        continue;
      }
      if (line.startsWith('# HELP ')) continue;
      const p = parse(line);
      assert.ok(p.name === current || p.name.startsWith(`${current}_`), `${p.name} inside family ${current}`);
      const counter = types.get(current) === 'counter' || types.get(current) === 'histogram';
      if (types.get(current) === 'counter') assert.ok(p.name.endsWith('_total'), `counter sample ${p.name} ends with _total`);
      const before = last.get(p.series);
      if (before !== undefined) {
        assert.ok(p.ts > before.ts, `${p.series}: timestamps ascend`);
        if (counter) assert.ok(p.value >= before.value, `${p.series}: ${before.value} → ${p.value}`);
      }
      last.set(p.series, { ts: p.ts, value: p.value, counter });
    }
    for (const name of ['apiserver_request', 'apiserver_request_sli_duration_seconds', 'etcd_request_duration_seconds', 'process_resident_memory_bytes', 'coredns_dns_responses', 'kube_node_status_condition', 'nginx_ingress_controller_requests']) assert.ok(seenFamilies.has(name), `family ${name}`);
    assert.ok(om.samples > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
