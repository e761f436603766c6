/**
 * `firebreak bench serve`: the served Kubernetes API under a large cluster.
 * Starts a real `firebreak twin serve` child process of one cluster of 7,500
 * nodes and 200,000 pods, then times `kubectl get nodes` (the real kubectl,
 * own HOME and cache directory; it pages 500 at a time) and a LIST of all
 * pods through @kubernetes/client-node (one unpaged answer, streamed by the
 * server), each `--rounds` times (median), and reports the serve process's
 * peak RSS (VmHWM) — bounded because nodes and pods are generated per
 * request, never stored. Each answer waits the twin's latency / `--speed`
 * (default 1: real time, the latency a client of such a cluster would see;
 * a high speed leaves the serving cost alone). A shell: it reads the wall
 * clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { roundDecimals } from '../core/number.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface ServeBenchResult {
  readonly nodes: number;
  readonly pods: number;
  readonly speed: number;
  readonly kubectlGetNodesS: number;
  readonly kubectlNodeLines: number;
  readonly listPodsS: number;
  readonly listedPods: number;
  readonly servePeakRssMB: number;
  readonly serveRssBeforeMB: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function rssOf(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) / 1024;
}

export async function benchServe(o: { json: boolean; nodes: number; pods: number; rounds: number; speed: number }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-serve-'));
  const scenario = join(dir, 'serve.yaml');
  writeFileSync(scenario, `apiVersion: firebreak.dev/v1alpha1\nkind: Scenario\nmetadata: { name: bench-serve }\nspec:\n  start: "2024-12-11T14:30:00Z"\n  duration: 24h\n  step: 1s\n  fleet:\n    clusters:\n      - { name: big, nodes: ${o.nodes}, pods: ${o.pods} }\n`);
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [MAIN, 'twin', 'serve', scenario, '--kubeconfig', kubeconfig, '--speed', String(o.speed)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`twin serve did not start: ${err}`)), 120_000);
      child.stderr.on('data', () => {
        if (err.includes('— ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`twin serve exited ${code}: ${err}`)));
    });
    const pid = child.pid ?? 0;
    const before = rssOf(pid, 'VmRSS');
    const kubectlTimes: number[] = [];
    let lines = 0;
    for (let r = 0; r < o.rounds; r++) {
      const t0 = performance.now();
      const k = spawnSync('kubectl', ['--kubeconfig', kubeconfig, '--context', 'big-admin', '--cache-dir', join(dir, `cache-${r}`), 'get', 'nodes'], { env: { ...process.env, HOME: dir }, encoding: 'utf8', maxBuffer: 1 << 28 });
      kubectlTimes.push((performance.now() - t0) / 1000);
      if (k.status !== 0) throw new Error(`kubectl get nodes failed: ${k.stderr}`);
      lines = k.stdout.trim().split('\n').length - 1;
    }
    const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    kc.setCurrentContext('big-admin');
    const core = kc.makeApiClient(CoreV1Api);
    const listTimes: number[] = [];
    let listed = 0;
    for (let r = 0; r < o.rounds; r++) {
      const t0 = performance.now();
      const pods = await core.listPodForAllNamespaces();
      listTimes.push((performance.now() - t0) / 1000);
      listed = pods.items.length;
    }
    const result: ServeBenchResult = {
      nodes: o.nodes,
      pods: o.pods,
      speed: o.speed,
      kubectlGetNodesS: roundDecimals(median(kubectlTimes), 2),
      kubectlNodeLines: lines,
      listPodsS: roundDecimals(median(listTimes), 2),
      listedPods: listed,
      servePeakRssMB: Math.round(rssOf(pid, 'VmHWM')),
      serveRssBeforeMB: Math.round(before),
    };
    if (o.json) return JSON.stringify(result) + '\n';
    return `serve: ${result.nodes} nodes, ${result.pods} pods, speed ${result.speed} — kubectl get nodes ${result.kubectlGetNodesS} s (${result.kubectlNodeLines} rows), client-node LIST of ${result.listedPods} pods ${result.listPodsS} s (medians of ${o.rounds}); serve process RSS ${result.serveRssBeforeMB} MB at start, peak ${result.servePeakRssMB} MB\n`;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}
