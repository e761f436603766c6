/**
 * The orchestrator's side of the out-of-band kill switch: flips a change's
 * switch on a `firebreak killswitch serve` endpoint (docs/killswitch.md) with
 * the admin token. It implements what the orchestrator's kill-switch command
 * needs of a RolloutTarget (`killSwitch`), so that a target for real clusters
 * can hand its kill-switch action to it: the switch of the change is turned
 * off for the request's cluster (scope `cluster`, the default: other clusters'
 * agents keep running) or everywhere (scope `change`).
 *
 * Idempotent by command id: the server records the ids it has carried out;
 * a repeated id changes nothing and comes back `alreadyDone`.
 * No files, no API server, no DNS (the endpoint is an IP address).
 *
 * @example
 *   const ks = new KillSwitchClient({ url: 'http://10.0.0.7:8080', adminToken, change: 'telemetry-agent' });
 *   await ks.killSwitch({ commandId: 'kill-switch:prod-a:1', cluster: 'prod-a' }); // { ok: true, reason: 'switch off …', latencyS: 0.004 }
 */
import type { KillSwitchRequest, RolloutTarget, TargetOutcome } from '../../orchestrator/ports.ts';
import { checkSwitchUrl, isChangeName, switchUrl, type SwitchState } from '../../killswitch/index.ts';
import { UsageError } from '../../core/errors.ts';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Largest answer read: a signed document and two flags. */
const MAX_ANSWER = 256 * 1024;

type Answer = { readonly ok: true; readonly status: number; readonly body: string } | { readonly ok: false; readonly reason: string };

/**
 * One PUT over node:http(s) (not fetch: fetch refuses the ports of the WHATWG "bad port" list, e.g. 6000, on which
 * an operator may well run a switch server — https://fetch.spec.whatwg.org/#port-blocking).
 */
function put(url: string, token: string, body: string, timeoutMs: number): Promise<Answer> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(a);
    };
    const req = request(url, { method: 'PUT', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_ANSWER) {
          finish({ ok: false, reason: `answer larger than ${MAX_ANSWER} bytes` });
          res.destroy();
        } else parts.push(b);
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', (e) => finish({ ok: false, reason: e.message }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, reason: e.code ?? e.message }));
    req.end(body);
  });
}

export interface KillSwitchClientOptions {
  readonly url: string;
  readonly adminToken: string;
  readonly change: string;
  /** `cluster`: killSwitch turns the change off in the request's cluster only; `change`: everywhere. Default `cluster`. */
  readonly scope?: 'cluster' | 'change';
  /** Per request; default 5,000 ms. */
  readonly timeoutMs?: number;
}

/** The server's answer to a flip. */
export interface FlipResult {
  readonly ok: boolean;
  /** HTTP status (0: no answer). */
  readonly status: number;
  readonly reason: string;
  /** The new document's generation, when the server answered one. */
  readonly generation?: number;
  /** The flip changed the switch (false: it already was so, or the command id was done). */
  readonly changed: boolean;
  readonly alreadyDone: boolean;
  readonly latencyS: number;
}

export class KillSwitchClient implements Pick<RolloutTarget, 'killSwitch'> {
  readonly #o: KillSwitchClientOptions;

  constructor(o: KillSwitchClientOptions) {
    const problem = checkSwitchUrl(o.url);
    if (problem !== undefined) throw new UsageError(problem);
    if (!isChangeName(o.change)) throw new UsageError(`change ${JSON.stringify(o.change)} is not a Kubernetes object name`);
    if (o.adminToken.trim() === '') throw new UsageError('the admin token is empty');
    this.#o = o;
  }

  /** Sets the change's switch (for one cluster when `cluster` is given). Never throws for the network: a failure is `ok: false`. */
  async set(state: SwitchState, opts: { readonly cluster?: string; readonly commandId?: string } = {}): Promise<FlipResult> {
    const started = performance.now();
    const latency = (): number => Math.round(performance.now() - started) / 1000;
    const body = JSON.stringify({ state, ...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}), ...(opts.commandId !== undefined ? { commandId: opts.commandId } : {}) });
    const res = await put(switchUrl(this.#o.url, this.#o.change), this.#o.adminToken.trim(), body, this.#o.timeoutMs ?? 5000);
    if (!res.ok) return { ok: false, status: 0, reason: `kill switch at ${this.#o.url} unreachable: ${res.reason}`, changed: false, alreadyDone: false, latencyS: latency() };
    const text = res.body;
    let json: { signed?: { payload?: unknown }; changed?: unknown; alreadyDone?: unknown; message?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // Not JSON: reported by status below.
    }
    if (res.status !== 200) {
      const message = typeof json.message === 'string' ? json.message : text.slice(0, 200);
      return { ok: false, status: res.status, reason: `kill switch refused the flip: HTTP ${res.status} ${message}`, changed: false, alreadyDone: false, latencyS: latency() };
    }
    let generation: number | undefined;
    try {
      const g = (JSON.parse(typeof json.signed?.payload === 'string' ? json.signed.payload : '{}') as { generation?: unknown }).generation;
      if (typeof g === 'number') generation = g;
    } catch {
      // No generation to report.
    }
    const where = opts.cluster !== undefined ? ` in ${opts.cluster}` : '';
    return {
      ok: true,
      status: 200,
      reason: json.alreadyDone === true ? `switch ${this.#o.change}${where} already set by this command` : `switch ${this.#o.change}${where} ${state}${generation !== undefined ? ` (generation ${generation})` : ''}`,
      ...(generation !== undefined ? { generation } : {}),
      changed: json.changed === true,
      alreadyDone: json.alreadyDone === true,
      latencyS: latency(),
    };
  }

  async killSwitch(req: KillSwitchRequest): Promise<TargetOutcome> {
    const r = await this.set('off', { commandId: req.commandId, ...((this.#o.scope ?? 'cluster') === 'cluster' ? { cluster: req.cluster } : {}) });
    return { ok: r.ok, reason: r.reason, latencyS: r.latencyS, ...(r.alreadyDone ? { alreadyDone: true } : {}) };
  }
}
