/**
 * `simulate --openmetrics <file>`: the run's Prometheus series with simulated
 * timestamps, in the OpenMetrics text format, for `promtool tsdb
 * create-blocks-from openmetrics` (docs/metrics.md). After every twin step
 * each cluster's exposition (src/apiserver/exposition/cluster-metrics.ts —
 * the same mapping `twin serve` answers `/metrics` with) accumulates the
 * step; every `intervalS` of simulated time the history families
 * (openmetrics.ts historyFamilies) are written with the labels a scrape
 * would add (`cluster`, `job`). A family's samples must stay together, so
 * each family is spooled to its own file under the system's temporary
 * directory and the families are joined, in order, into the output at the
 * end — written beside it and renamed, so no partial file is left.
 *
 * @example
 *   const om = new OpenMetricsRun(twin, { intervalS: 60 });
 *   while (twin.step()) om.afterStep();
 *   om.write('out/run.om');
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TwinApi } from '../twin/index.ts';
import { ClusterMetrics } from '../apiserver/exposition/cluster-metrics.ts';
import type { Family } from '../apiserver/exposition/families.ts';
import { familyHeader, historyFamilies, HistoryBuckets, OPENMETRICS_EOF, sampleLines } from '../apiserver/exposition/openmetrics.ts';
import { outputError } from './output.ts';

export interface OpenMetricsRunOptions {
  /** Simulated seconds between two samples of a series (the CLI's default: 120). */
  readonly intervalS: number;
  /** kube_node_status_condition nodes per cluster (default 20; ClusterMetricsOptions.nodeSeriesCap). */
  readonly nodeSeriesCap?: number;
}

const FLUSH_LINES = 20_000;

interface Spool {
  readonly file: string;
  readonly header: string[];
  buffer: string[];
}

export class OpenMetricsRun {
  readonly #twin: TwinApi;
  readonly #metrics: ClusterMetrics[];
  readonly #intervalS: number;
  readonly #dir: string;
  readonly #spools = new Map<string, Spool>();
  readonly #buckets = new HistoryBuckets();
  #nextS: number;
  /** Samples written (lines other than # TYPE, # HELP, # EOF). */
  samples = 0;

  constructor(twin: TwinApi, opts: OpenMetricsRunOptions) {
    this.#twin = twin;
    this.#intervalS = opts.intervalS;
    const cap = opts.nodeSeriesCap ?? 20;
    this.#metrics = twin.clusters().map((_, i) => new ClusterMetrics(twin, i, { nodeSeriesCap: cap }));
    this.#dir = mkdtempSync(join(tmpdir(), 'firebreak-openmetrics-'));
    this.#nextS = twin.t;
    this.#emit();
  }

  /** After each twin step: accumulate, and write a sample of every series when the interval is due. */
  afterStep(): void {
    for (const m of this.#metrics) m.accumulate();
    if (this.#twin.t + 1e-9 >= this.#nextS) this.#emit();
  }

  #spool(f: Family): Spool {
    let s = this.#spools.get(f.name);
    if (s === undefined) {
      s = { file: join(this.#dir, `${this.#spools.size}.om`), header: familyHeader(f), buffer: [] };
      this.#spools.set(f.name, s);
    }
    return s;
  }

  #emit(): void {
    const tsS = this.#twin.clock.now() / 1000;
    const clusters = this.#twin.clusters();
    for (let i = 0; i < this.#metrics.length; i++) {
      const m = this.#metrics[i];
      const cluster = clusters[i]?.name ?? '';
      if (m === undefined) continue;
      for (const [job, families] of [['apiserver', m.apiserver()], ['twin-components', m.components()]] as const) {
        for (const f of historyFamilies(families)) {
          const s = this.#spool(f);
          const before = s.buffer.length;
          sampleLines(f, { cluster, job }, tsS, this.#buckets, s.buffer);
          this.samples += s.buffer.length - before;
          if (s.buffer.length >= FLUSH_LINES) this.#flush(s);
        }
      }
    }
    this.#nextS = this.#twin.t + this.#intervalS;
  }

  #flush(s: Spool): void {
    if (s.buffer.length === 0) return;
    appendFileSync(s.file, s.buffer.join('\n') + '\n');
    s.buffer = [];
  }

  /** Joins the families into `path` (atomically: a file beside it, renamed), ending with `# EOF`; removes the spool. */
  write(path: string, flag = '--openmetrics'): void {
    try {
      const dir = dirname(path);
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const fd = openSync(tmp, 'wx');
      try {
        const putBytes = (buf: Buffer, length: number): void => {
          let off = 0;
          while (off < length) off += writeSync(fd, buf, off, length - off);
        };
        const put = (text: string): void => {
          const buf = Buffer.from(text, 'utf8');
          putBytes(buf, buf.length);
        };
        const chunk = Buffer.alloc(1 << 20);
        for (const s of this.#spools.values()) {
          this.#flush(s);
          put(s.header.join('\n') + '\n');
          if (!exists(s.file)) continue;
          const from = openSync(s.file, 'r');
          try {
            for (let n = readSync(from, chunk); n > 0; n = readSync(from, chunk)) putBytes(chunk, n);
          } finally {
            closeSync(from);
          }
        }
        put(`${OPENMETRICS_EOF}\n`);
        fsyncSync(fd);
      } catch (e) {
        closeSync(fd);
        unlinkSync(tmp);
        throw e;
      }
      closeSync(fd);
      renameSync(tmp, path);
    } catch (e) {
      throw outputError(e, path, flag);
    } finally {
      this.discard();
    }
  }

  /** Removes the spool (also when the run failed). */
  discard(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
