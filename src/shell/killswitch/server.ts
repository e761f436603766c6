/**
 * `firebreak killswitch serve`: the switch endpoint. Publishes each change's
 * signed switch document over HTTP, reached by address, and takes flips from
 * whoever holds the admin token (the operator's `firebreak killswitch set`,
 * the orchestrator's kill-switch client). Routes (src/killswitch/endpoint.ts):
 *
 * - `GET /v1/switches/<change>` → 200, the signed document (SignedSwitch JSON);
 *   a change never flipped: a signed "on" at generation 0 (signed once at start);
 * - `PUT /v1/switches/<change>` with `Authorization: Bearer <admin token>` and
 *   `{"state":"off"|"on", "cluster"?: "<name>", "commandId"?: "<id>"}` →
 *   200 `{ "signed": …, "changed": bool, "alreadyDone": bool }`; the flip is
 *   persisted (--state) before it is answered; a flip that changes nothing
 *   makes no new generation; a command id already carried out does nothing;
 *   401 without the token, 400 for a bad body or name;
 * - `GET /healthz` → 200 `ok`.
 *
 * Plain HTTP: the documents carry their own integrity (signatures), and their
 * content is not secret. The admin token travels in clear: bind the server to
 * a management address (docs/killswitch.md).
 *
 * @example
 *   const server = await startSwitchServer({ port: 0, host: '127.0.0.1', privateKey, adminToken, now: () => new Date(), log });
 *   server.url; // 'http://127.0.0.1:41234'
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  isChangeName,
  isClusterName,
  nextGeneration,
  serializeSigned,
  signDocument,
  SWITCH_API_VERSION,
  SWITCH_KIND,
  SWITCH_PATH,
  type SignedSwitch,
  type SwitchDocument,
} from '../../killswitch/index.ts';
import { tokenMatches } from './keys.ts';
import { SwitchStore, type SwitchRecord } from './store.ts';

export interface SwitchServerOptions {
  readonly port: number;
  readonly host: string;
  readonly privateKey: KeyObject;
  readonly adminToken: string;
  /** The state file (--state); undefined: in memory only. */
  readonly stateFile?: string;
  readonly now: () => Date;
  /** One line per flip and per refused request. */
  readonly log: (line: string) => void;
}

export interface SwitchServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Largest PUT body read (a flip is a few dozen bytes). */
const MAX_BODY = 4096;
const MAX_COMMAND_ID = 512;

interface Flip {
  readonly state: 'on' | 'off';
  readonly cluster?: string;
  readonly commandId?: string;
}

function parseFlip(text: string): Flip | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'the body is not JSON; send {"state":"off"} or {"state":"on"}, optionally with "cluster" and "commandId"';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body must be a JSON object';
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'state' && k !== 'cluster' && k !== 'commandId');
  if (extra.length > 0) return `unknown field ${extra[0] ?? ''}; the fields are state, cluster, commandId`;
  if (o.state !== 'on' && o.state !== 'off') return 'state must be "on" or "off"';
  if (o.cluster !== undefined && (typeof o.cluster !== 'string' || !isClusterName(o.cluster))) return 'cluster must be a cluster name (RFC 1123 label)';
  if (o.commandId !== undefined && (typeof o.commandId !== 'string' || o.commandId === '' || o.commandId.length > MAX_COMMAND_ID)) return `commandId must be a non-empty string of at most ${MAX_COMMAND_ID} characters`;
  return { state: o.state, ...(typeof o.cluster === 'string' ? { cluster: o.cluster } : {}), ...(typeof o.commandId === 'string' ? { commandId: o.commandId } : {}) };
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function status(res: ServerResponse, code: number, message: string): void {
  send(res, code, JSON.stringify({ kind: 'Status', code, message }));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** The document after `flip`, or undefined when the flip changes nothing. */
function flipped(current: SwitchDocument, flip: Flip): { state: 'on' | 'off'; clustersOff: string[] } | undefined {
  if (flip.cluster === undefined) return flip.state === current.state ? undefined : { state: flip.state, clustersOff: [...current.clustersOff] };
  const has = current.clustersOff.includes(flip.cluster);
  if ((flip.state === 'off') === has) return undefined;
  const clustersOff = flip.state === 'off' ? [...current.clustersOff, flip.cluster].sort() : current.clustersOff.filter((c) => c !== flip.cluster);
  return { state: current.state, clustersOff };
}

export async function startSwitchServer(o: SwitchServerOptions): Promise<SwitchServer> {
  const store = SwitchStore.open(o.stateFile, createPublicKey(o.privateKey));
  const startedAt = o.now().toISOString();
  /** Signed "on" at generation 0 for changes never flipped, signed once per change name. */
  const initial = new Map<string, SignedSwitch>();
  const initialFor = (change: string): SwitchRecord => {
    const document: SwitchDocument = { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change, state: 'on', clustersOff: [], generation: 0, issued: startedAt };
    let signed = initial.get(change);
    if (signed === undefined) {
      signed = signDocument(document, o.privateKey);
      if (initial.size < 100_000) initial.set(change, signed);
    }
    return { signed, document, commands: [] };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://switch');
    if (url.pathname === '/healthz') return send(res, 200, 'ok\n', 'text/plain');
    if (!url.pathname.startsWith(SWITCH_PATH)) return status(res, 404, `not found: the switches are at ${SWITCH_PATH}<change>`);
    let change: string;
    try {
      change = decodeURIComponent(url.pathname.slice(SWITCH_PATH.length));
    } catch {
      return status(res, 400, 'the change name is not valid percent-encoding');
    }
    if (!isChangeName(change)) return status(res, 400, `${JSON.stringify(change)} is not a change name (a Kubernetes object name)`);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const record = store.get(change) ?? initialFor(change);
      return send(res, 200, serializeSigned(record.signed));
    }
    if (req.method !== 'PUT') {
      res.setHeader('allow', 'GET, HEAD, PUT');
      return status(res, 405, `method ${req.method ?? ''} not allowed`);
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
    if (!tokenMatches(token, o.adminToken)) {
      o.log(`refused a flip of ${change}: ${token === '' ? 'no admin token' : 'wrong admin token'} (from ${req.socket.remoteAddress ?? '?'})`);
      return status(res, 401, 'a flip needs the admin token: Authorization: Bearer <token>');
    }
    const body = await readBody(req);
    if (body === undefined) return status(res, 413, `body larger than ${MAX_BODY} bytes`);
    const flip = parseFlip(body);
    if (typeof flip === 'string') return status(res, 400, flip);
    const current = store.get(change) ?? initialFor(change);
    if (flip.commandId !== undefined && current.commands.includes(flip.commandId)) {
      return send(res, 200, `{"signed":${serializeSigned(current.signed)},"changed":false,"alreadyDone":true}`);
    }
    const next = flipped(current.document, flip);
    const commands = flip.commandId !== undefined ? [...current.commands, flip.commandId] : current.commands;
    let record: SwitchRecord = current;
    if (next !== undefined) {
      const now = o.now();
      const document: SwitchDocument = { ...current.document, ...next, generation: nextGeneration(current.document.generation, now.getTime()), issued: now.toISOString() };
      record = { signed: signDocument(document, o.privateKey), document, commands };
      store.put(record);
      const where = flip.cluster !== undefined ? ` in cluster ${flip.cluster}` : '';
      o.log(`switch ${change}${where} ${flip.state} (generation ${document.generation}${flip.commandId !== undefined ? `, command ${flip.commandId}` : ''})`);
    } else if (commands !== current.commands) {
      record = { ...current, commands };
      if (current.document.generation > 0) store.put(record);
    }
    return send(res, 200, `{"signed":${serializeSigned(record.signed)},"changed":${next !== undefined},"alreadyDone":false}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.log(`internal error answering ${req.method ?? ''} ${req.url ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) status(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
