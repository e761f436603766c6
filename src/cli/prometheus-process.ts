/**
 * A real Prometheus for the benchmark and the tests: started as a child
 * process (the `prometheus` binary, 2.42 on this project's machines) on
 * 127.0.0.1 and a free port, with a generated config and its storage in a
 * temporary directory, after data is loaded into that storage with the real
 * `promtool tsdb create-blocks-from openmetrics`; ready when `/-/ready`
 * answers 200; stopped with SIGTERM (then SIGKILL). Never a system service.
 *
 * @example
 *   const dir = mkdtempSync(join(tmpdir(), 'fb-prom-'));
 *   await loadOpenMetrics(dir, (out) => writeOpenMetrics(clusters, window, out));
 *   const prom = await startPrometheus({ dir });
 *   prom.url; // http://127.0.0.1:40123
 *   await prom.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningPrometheus {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ChildProcess;
  /** The tail of Prometheus' log (stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err}`))));
  });
}

/** Writes OpenMetrics text (`write` pushes its lines) to `<dir>/data.om`, streamed in chunks, and loads it into `<dir>/data` with promtool. */
export async function loadOpenMetrics(dir: string, write: (out: (line: string) => void) => void): Promise<void> {
  const file = join(dir, 'data.om');
  const fd = openSync(file, 'w');
  try {
    let chunk: string[] = [];
    write((line) => {
      chunk.push(line);
      if (chunk.length >= 20_000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    });
    if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'data')]);
}

export interface StartOptions {
  /** Working directory: the config is written here and the storage is `<dir>/data`. */
  readonly dir: string;
  /** A config file to use as is (e.g. `twin serve --prometheus-config`'s); else one is written to `<dir>/prometheus.yml`. */
  readonly config?: string;
  /** The TSDB directory (default `<dir>/data`). */
  readonly storage?: string;
  /** `--storage.tsdb.retention.time` (default 30d; data loaded from a simulated past needs more). */
  readonly retention?: string;
  /** Extra `scrape_configs` entries as YAML (each starting with `- job_name:`), indented by the caller for the list. */
  readonly scrapeConfigs?: string;
  readonly port?: number;
  /** How long to wait for /-/ready (ms). */
  readonly readyTimeoutMs?: number;
}

export async function startPrometheus(o: StartOptions): Promise<RunningPrometheus> {
  const port = o.port ?? (await freePort());
  const config = o.config ?? join(o.dir, 'prometheus.yml');
  if (o.config === undefined) writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${o.scrapeConfigs ?? '  []\n'}`);
  const storage = o.storage ?? join(o.dir, 'data');
  mkdirSync(storage, { recursive: true });
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.retention.time=${o.retention ?? '30d'}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (exited) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`prometheus exited before it was ready: ${err}`);
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${(o.readyTimeoutMs ?? 60_000) / 1000} s: ${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, port, dir: o.dir, process: child, output: () => err, stop };
}
