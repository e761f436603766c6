/**
 * Test helpers for the served twin: a real `firebreak twin serve` child
 * process (node src/cli/main.ts …) on free ports, its kubeconfig in a temp
 * directory, and the real kubectl run against it with its own HOME and
 * --cache-dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface ServedTwin {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** The admin token and CA of the kubeconfig, and a cluster's server URL. */
  readonly config: { server(cluster: string): string; token(user: string): string; ca: string; control: string };
  stop(): Promise<number | null>;
}

const NODE = 'node_modules/.bin/node';

export async function startServe(scenario: string, args: readonly string[] = []): Promise<ServedTwin> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-serve-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(NODE, ['src/cli/main.ts', 'twin', 'serve', scenario, '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  child.stdout.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`twin serve did not get ready in 60 s; stderr:\n${err}`)), 60_000);
    const check = (): void => {
      if (err.includes('— ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`twin serve exited ${code} before it was ready; stderr:\n${err}`));
    });
  });
  const kc = parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string; extensions: { extension: { control: string } }[] } }[];
    users: { name: string; user: { token: string } }[];
  };
  const first = kc.clusters[0];
  return {
    dir,
    kubeconfig,
    child,
    stderr: () => err,
    config: {
      server: (c) => kc.clusters.find((x) => x.name === c)?.cluster.server ?? '',
      token: (u) => kc.users.find((x) => x.name === u)?.user.token ?? '',
      ca: Buffer.from(first?.cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8'),
      control: first?.cluster.extensions[0]?.extension.control ?? '',
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export interface KubectlRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real kubectl on the PATH, with its own HOME and cache directory under the served twin's temp dir. */
export function kubectl(t: ServedTwin, args: readonly string[], timeoutMs = 60_000): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', t.kubeconfig, '--cache-dir', join(t.dir, 'kube-cache'), ...args], { env: { ...process.env, HOME: t.dir, KUBECONFIG: t.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
