/**
 * A ClusterBackend for the machinery's unit tests whose admission the test
 * sets (serve, reject, timeout, refuse), with `nodes` generated nodes and no
 * pods. The served twin's own backend (src/apiserver/twin-backend.ts) is
 * exercised by the tests that start `firebreak twin serve`.
 */
import type { Admission, ClusterBackend, KubeObject, RequestInfo } from '../../src/apiserver/backend.ts';
import { KubeApi } from '../../src/apiserver/api.ts';
import type { ApiRequest, ApiResult } from '../../src/apiserver/request.ts';

export class ScriptedBackend implements ClusterBackend {
  readonly name = 'unit';
  admission: Admission = { kind: 'serve', latencyS: 0.01, level: 'workload-low' };
  readonly requests: RequestInfo[] = [];
  readonly written: string[] = [];
  readonly #labels = new Map<number, Record<string, string>>();
  nodes: number;

  constructor(nodes: number) {
    this.nodes = nodes;
  }
  admit(request: RequestInfo): Admission {
    this.requests.push(request);
    return this.admission;
  }
  accepting(): boolean {
    return this.admission.kind !== 'refuse';
  }
  nodeCount(): number {
    return this.nodes;
  }
  node(i: number): KubeObject {
    const name = `unit-node-${String(i + 1).padStart(4, '0')}`;
    return { apiVersion: 'v1', kind: 'Node', metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z', labels: this.#labels.get(i) ?? { 'kubernetes.io/hostname': name, zone: i % 2 === 0 ? 'a' : 'b' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.4' } } };
  }
  nodeIndex(name: string): number {
    const m = /^unit-node-(\d{4})$/.exec(name);
    const i = m === null ? -1 : Number(m[1]) - 1;
    return i >= 0 && i < this.nodes ? i : -1;
  }
  setNodeLabels(i: number, labels: Readonly<Record<string, string>>): void {
    this.#labels.set(i, { ...labels });
  }
  podCount(): number {
    return 0;
  }
  pod(): KubeObject {
    throw new RangeError('no pods');
  }
  podIndex(): number {
    return -1;
  }
  workloadWritten(_g: string, resource: string, namespace: string, name: string, object: KubeObject | null): void {
    this.written.push(`${object === null ? 'deleted' : 'written'} ${resource} ${namespace}/${name}`);
  }
  workloadStatus(): KubeObject | undefined {
    return undefined;
  }
}

export const ADMIN = 'admin-token';
export const ALICE = 'alice-token';

export function makeApi(nodes = 10, historyEvents?: number): { api: KubeApi; backend: ScriptedBackend } {
  const backend = new ScriptedBackend(nodes);
  const api = new KubeApi({
    backend,
    tokens: new Map([
      [ADMIN, { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }],
      [ALICE, { name: 'alice', groups: ['system:authenticated'] }],
    ]),
    startMs: Date.parse('2024-01-01T00:00:00Z'),
    ...(historyEvents === undefined ? {} : { historyEvents }),
  });
  return { api, backend };
}

export interface Call {
  readonly method?: string;
  readonly path: string;
  readonly query?: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly token?: string | undefined;
}

export function call(api: KubeApi, c: Call, nowMs = Date.parse('2024-01-01T01:00:00Z')): ApiResult {
  const req: ApiRequest = {
    method: c.method ?? 'GET',
    path: c.path,
    query: new URLSearchParams(c.query ?? ''),
    accept: c.accept ?? 'application/json',
    contentType: c.contentType ?? 'application/json',
    userAgent: 'unit-test/v1',
    token: 'token' in c ? c.token : ADMIN,
    body: c.body === undefined ? '' : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
  };
  return api.handle(req, nowMs);
}

/** The JSON answer of a call (status and parsed body); throws for a watch, refusal or timeout. */
export function json(api: KubeApi, c: Call, nowMs?: number): { status: number; body: unknown; headers: Readonly<Record<string, string>>; delayS: number } {
  const r = call(api, c, nowMs);
  if (r.kind !== 'response') throw new Error(`expected a response, got ${r.kind}`);
  if (r.body instanceof Promise) throw new Error('expected a JSON answer, got an asynchronous body (/metrics)');
  const text = typeof r.body === 'string' ? r.body : [...r.body].join('');
  return { status: r.status, body: JSON.parse(text) as unknown, headers: r.headers, delayS: r.delayS };
}

/** A value inside parsed JSON by a dotted path (`items.0.metadata.name`); undefined when absent. */
export function pick(v: unknown, path: string): unknown {
  let cur = v;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
