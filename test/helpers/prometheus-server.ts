/**
 * A real Prometheus for the tests (the Debian package's /usr/bin/prometheus):
 * started on 127.0.0.1 and a free port with a given config file (or none)
 * and a temporary storage directory, ready once /-/ready answers 200, stopped
 * by the test. Also a small client for its HTTP API (instant queries) and
 * `promtool`.
 *
 * (promsource writes test/helpers/prometheus.ts for the same purpose; the lead
 * unifies them.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusServer {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** An instant query at `time` (epoch seconds; default now): the vector's [labels, value] pairs. */
  query(expr: string, time?: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function promtool(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts Prometheus. `config`: a config file (default: an empty one); `storage`: a TSDB directory
 * (default: a new temporary one, removed at stop); `extra`: more flags.
 */
export async function startPrometheus(opts: { config?: string; storage?: string; extra?: readonly string[] } = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prometheus-'));
  const config = opts.config ?? join(dir, 'prometheus.yml');
  if (opts.config === undefined) writeFileSync(config, 'global: {}\n');
  const port = await freePort();
  const child = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${opts.storage ?? join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...(opts.extra ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready in 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => out,
    async query(expr, time) {
      const q = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
      const r = await fetch(`${url}/api/v1/query?${q.toString()}`);
      const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr}: ${body.error ?? r.status}`);
      if (body.data.resultType !== 'vector') throw new Error(`query ${expr}: a ${body.data.resultType}, not a vector`);
      return body.data.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
