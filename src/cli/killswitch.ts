/**
 * The kill switch's commands (docs/killswitch.md): `killswitch serve`,
 * `killswitch set`, `killswitch get`, `killswitch keys` and `guard`. Each
 * checks its arguments and files first — a bad one is a UsageError or an
 * InputError (exit 2) before anything starts — then runs the shell's server
 * or guard (src/shell/killswitch/) or the orchestrator's client
 * (src/adapters/killswitch/).
 *
 * Exit codes: the contract (run-errors.ts), except `guard`, which exits with
 * its agent's code once it runs (docs/killswitch.md).
 *
 * @example
 *   firebreak killswitch keys --out /etc/firebreak/switch
 *   firebreak killswitch serve --port 8080 --key /etc/firebreak/switch/switch.key --admin-token /etc/firebreak/switch/admin.token --state /var/lib/firebreak/switch.json
 *   firebreak killswitch set telemetry-agent off --url http://10.0.0.7:8080 --token /etc/firebreak/switch/admin.token
 *   firebreak guard --url http://10.0.0.7:8080 --change telemetry-agent --key "$(cat switch.pub)" -- /usr/bin/agent --config /etc/agent.yaml
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDuration } from '../core/duration.ts';
import { SystemError, UsageError } from '../core/errors.ts';
import { readInputFile } from '../input/read.ts';
import { KillSwitchClient } from '../adapters/killswitch/client.ts';
import {
  checkSwitchUrl,
  DEFAULT_GRACE_S,
  DEFAULT_POLL_S,
  DEFAULT_UNREACHABLE,
  effectiveState,
  ENV_CHANGE,
  ENV_CLUSTER,
  ENV_KEY,
  ENV_POLL,
  ENV_UNREACHABLE,
  ENV_URL,
  GUARD_STATE_DIR,
  isChangeName,
  isClusterName,
  keyId,
  MAX_POLL_S,
  MIN_POLL_S,
  parsePrivateKey,
  parsePublicKey,
  publicKeyText,
  UNREACHABLE_POLICIES,
  verifySigned,
  type UnreachablePolicy,
} from '../killswitch/index.ts';
import { fetchSwitch } from '../shell/killswitch/fetch-switch.ts';
import { runGuard } from '../shell/killswitch/guard.ts';
import { generateSwitchKeys } from '../shell/killswitch/keys.ts';
import { startSwitchServer } from '../shell/killswitch/server.ts';
import { runSidecar } from '../shell/killswitch/sidecar.ts';

type Env = Readonly<Record<string, string | undefined>>;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function checkedUrl(url: string | undefined, from: string): string {
  if (url === undefined || url === '') throw new UsageError(`${from} is required: the switch endpoint by IP address, e.g. http://10.0.0.7:8080`);
  const problem = checkSwitchUrl(url);
  if (problem !== undefined) throw new UsageError(`${from}: ${problem}`);
  return url;
}

function checkedChange(change: string | undefined, from: string): string {
  if (change === undefined || change === '') throw new UsageError(`${from} is required: the change's name (its workload's name)`);
  if (!isChangeName(change)) throw new UsageError(`${from}: ${JSON.stringify(change)} is not a change name (a Kubernetes object name: lower-case letters, digits, '-' and '.')`);
  return change;
}

function checkedCluster(cluster: string | undefined, from: string): string | undefined {
  if (cluster === undefined || cluster === '') return undefined;
  if (!isClusterName(cluster)) throw new UsageError(`${from}: ${JSON.stringify(cluster)} is not a cluster name (RFC 1123 label)`);
  return cluster;
}

function secondsIn(value: string, from: string, min: number, max: number): number {
  const s = parseDuration(value);
  if (s === undefined || s < min || s > max) throw new UsageError(`${from} expects seconds from ${min} to ${max} (or a duration such as 10s, 500ms), got ${JSON.stringify(value)}`);
  return s;
}

function publicKeyFrom(value: string | undefined, file: string | undefined, from: string): KeyObject {
  if (file !== undefined) {
    const key = parsePublicKey(readInputFile(file));
    if (key === undefined) throw new UsageError(`--key-file ${file} does not hold an Ed25519 public key (PEM or one line of base64 DER, as \`firebreak killswitch keys\` writes to switch.pub)`);
    return key;
  }
  if (value === undefined || value.trim() === '') throw new UsageError(`${from} is required: the switch server's public key (switch.pub), or --key-file <file>`);
  const key = parsePublicKey(value);
  if (key === undefined) throw new UsageError(`${from} is not an Ed25519 public key (PEM, or one line of base64 DER as in switch.pub)`);
  return key;
}

function tokenFrom(file: string): string {
  const token = readInputFile(file).trim();
  if (token === '' || /\s/.test(token)) throw new UsageError(`${file} does not hold an admin token (one line without spaces, as \`firebreak killswitch keys\` writes to admin.token)`);
  return token;
}

// ---------------------------------------------------------------------------

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly key?: string;
  readonly adminToken?: string;
  readonly state?: string;
}

/** Runs the switch server until SIGTERM or SIGINT. Prints one JSON line first: where it is and how to verify it. */
export async function killswitchServe(o: ServeOptions): Promise<void> {
  const generated = o.key === undefined || o.adminToken === undefined ? generateSwitchKeys() : undefined;
  let privateKey = generated?.privateKey;
  if (o.key !== undefined) {
    privateKey = parsePrivateKey(readInputFile(o.key));
    if (privateKey === undefined) throw new UsageError(`--key ${o.key} does not hold an Ed25519 private key (PKCS#8 PEM, as \`firebreak killswitch keys\` writes to switch.key)`);
  }
  if (privateKey === undefined) throw new UsageError('--key: no signing key');
  const adminToken = o.adminToken !== undefined ? tokenFrom(o.adminToken) : (generated?.adminToken ?? '');
  if (o.host !== '127.0.0.1' && o.host !== '0.0.0.0' && o.host !== '::' && checkSwitchUrl(`http://${o.host.includes(':') ? `[${o.host}]` : o.host}`) !== undefined) {
    throw new UsageError(`--host expects an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(o.host)}`);
  }
  if (o.state !== undefined) checkStateFile(o.state);
  let server;
  try {
    server = await startSwitchServer({ port: o.port, host: o.host, privateKey, adminToken, ...(o.state !== undefined ? { stateFile: o.state } : {}), now: () => new Date(), log });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${o.host}:${o.port} (${String(code)}); choose another --port or --host`, { cause: e });
    throw e;
  }
  const publicKey = createPublicKey(privateKey);
  process.stdout.write(
    JSON.stringify({ url: server.url, keyId: keyId(publicKey), publicKey: publicKeyText(publicKey), ...(o.adminToken === undefined ? { adminToken } : {}), ...(o.state !== undefined ? { state: resolve(o.state) } : {}) }) + '\n',
  );
  if (generated !== undefined && o.key === undefined) log('no --key: signing with a key made for this run only (guards must be given the publicKey above; a restarted server has another)');
  if (o.adminToken === undefined) log('no --admin-token: the admin token made for this run is printed above');
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void server.close().then(done);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function checkStateFile(path: string): void {
  if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(`--state ${path} is not a regular file`);
  const dir = resolve(path, '..');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--state ${path}: the directory ${dir} does not exist`);
}

// ---------------------------------------------------------------------------

export interface SetOptions {
  readonly change: string;
  readonly state: string;
  readonly url: string;
  readonly token: string;
  readonly cluster?: string;
  readonly commandId?: string;
}

/** Flips a switch; the line to print. Refused (401, 400): UsageError; no answer or a server error: SystemError. */
export async function killswitchSet(o: SetOptions): Promise<string> {
  if (o.state !== 'on' && o.state !== 'off') throw new UsageError(`the switch state must be on or off, got ${JSON.stringify(o.state)}`);
  const client = new KillSwitchClient({ url: checkedUrl(o.url, '--url'), adminToken: tokenFrom(o.token), change: checkedChange(o.change, '<change>') });
  const cluster = checkedCluster(o.cluster, '--cluster');
  const r = await client.set(o.state, { ...(cluster !== undefined ? { cluster } : {}), ...(o.commandId !== undefined ? { commandId: o.commandId } : {}) });
  if (!r.ok) {
    if (r.status >= 400 && r.status < 500) throw new UsageError(`${r.reason}${r.status === 401 ? '\n    fix: give --token the admin token file the server was started with' : ''}`);
    throw new SystemError(r.reason);
  }
  return `${r.reason}${r.changed || r.alreadyDone ? '' : ' (it already was)'}\n`;
}

export interface GetOptions {
  readonly change: string;
  readonly url: string;
  readonly key?: string;
  readonly keyFile?: string;
  readonly cluster?: string;
  readonly json: boolean;
}

/** Reads and verifies a switch as a guard would; the text to print. */
export async function killswitchGet(o: GetOptions): Promise<string> {
  const url = checkedUrl(o.url, '--url');
  const change = checkedChange(o.change, '<change>');
  const cluster = checkedCluster(o.cluster, '--cluster');
  const publicKey = publicKeyFrom(o.key, o.keyFile, '--key');
  const got = await fetchSwitch(url, change, 5000);
  if (!got.ok) throw new SystemError(`cannot read the switch: ${got.reason}`);
  const v = verifySigned(got.body, publicKey);
  if (!v.ok) throw new UsageError(`the switch document from ${url} is refused: ${v.reason}`);
  const state = effectiveState(v.document, cluster);
  if (o.json) return JSON.stringify({ ...v.document, effective: state, ...(cluster !== undefined ? { cluster } : {}) }) + '\n';
  return `${change}${cluster !== undefined ? ` in ${cluster}` : ''}: ${state} (generation ${v.document.generation}, issued ${v.document.issued}${v.document.clustersOff.length > 0 ? `, off in ${v.document.clustersOff.join(', ')}` : ''})\n`;
}

/** Writes a new key pair and admin token into `dir` (switch.key, switch.pub, admin.token); refuses to overwrite. */
export function killswitchKeys(dir: string): string {
  const files = ['switch.key', 'switch.pub', 'admin.token'].map((f) => join(dir, f));
  const existing = files.filter((f) => existsSync(f));
  if (existing.length > 0) throw new UsageError(`--out ${dir} already holds ${existing.join(', ')}; keys are never overwritten: choose an empty directory`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a directory`);
  const k = generateSwitchKeys();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(files[0] ?? '', k.privateKeyPem, { mode: 0o600, flag: 'wx' });
  writeFileSync(files[1] ?? '', k.publicKey + '\n', { mode: 0o644, flag: 'wx' });
  writeFileSync(files[2] ?? '', k.adminToken + '\n', { mode: 0o600, flag: 'wx' });
  return `wrote ${files.join(', ')}\n  switch.key: the server's signing key (keep it on the switch server only)\n  switch.pub: the guards' verification key (FIREBREAK_KILLSWITCH_KEY)\n  admin.token: authorises flips (killswitch serve --admin-token, killswitch set --token)\n`;
}

// ---------------------------------------------------------------------------

export interface GuardCliOptions {
  readonly url?: string;
  readonly change?: string;
  readonly cluster?: string;
  readonly poll?: string;
  readonly unreachable?: string;
  readonly key?: string;
  readonly keyFile?: string;
  readonly stateDir?: string;
  readonly grace?: string;
  readonly sidecar: boolean;
  readonly processName?: string;
}

/** The default state directory: /var/run/firebreak-guard where it exists (the injected emptyDir), else under $TMPDIR. */
export function defaultStateDir(): string {
  return existsSync(GUARD_STATE_DIR) ? GUARD_STATE_DIR : join(tmpdir(), 'firebreak-guard');
}

/** Runs the guard (wrapping `agent`, or as a sidecar); its exit code. Options fall back to the environment of contract E. */
export async function guardCommand(agent: readonly string[], o: GuardCliOptions, env: Env): Promise<number> {
  const url = checkedUrl(o.url ?? env[ENV_URL], `--url (or ${ENV_URL})`);
  const change = checkedChange(o.change ?? env[ENV_CHANGE], `--change (or ${ENV_CHANGE})`);
  const cluster = checkedCluster(o.cluster ?? env[ENV_CLUSTER], `--cluster (or ${ENV_CLUSTER})`);
  const pollText = o.poll ?? env[ENV_POLL];
  const pollS = pollText === undefined || pollText === '' ? DEFAULT_POLL_S : secondsIn(pollText, `--poll (or ${ENV_POLL})`, MIN_POLL_S, MAX_POLL_S);
  const policyText = o.unreachable ?? env[ENV_UNREACHABLE] ?? DEFAULT_UNREACHABLE;
  if (!(UNREACHABLE_POLICIES as readonly string[]).includes(policyText)) throw new UsageError(`--unreachable (or ${ENV_UNREACHABLE}) must be ${UNREACHABLE_POLICIES.join(' or ')}, got ${JSON.stringify(policyText)}`);
  const policy = policyText as UnreachablePolicy;
  const publicKey = publicKeyFrom(o.key ?? env[ENV_KEY], o.keyFile, `--key (or ${ENV_KEY})`);
  const graceS = o.grace === undefined ? DEFAULT_GRACE_S : secondsIn(o.grace, '--grace', 0, MAX_POLL_S);
  const stateDir = o.stateDir ?? defaultStateDir();
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw new UsageError(`--state-dir ${stateDir} is not a directory`);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new UsageError(`--state-dir ${stateDir} cannot be created (${(e as { code?: string }).code ?? String(e)}); give a writable directory`, { cause: e });
  }
  const who = `firebreak-guard[${change}${cluster !== undefined ? `@${cluster}` : ''}]`;
  const watch = { url, change, ...(cluster !== undefined ? { cluster } : {}), publicKey, policy, stateDir, pollS, log: (line: string) => log(`${who} ${line}`) };
  if (o.sidecar) {
    if (agent.length > 0) throw new UsageError('--sidecar finds the agent by --process-name; do not give an agent command after --');
    if (o.processName === undefined || o.processName === '') throw new UsageError("--sidecar needs --process-name <name>: the agent's process name (as in /proc/<pid>/comm or argv[0])");
    return runSidecar({ ...watch, processName: o.processName, graceS });
  }
  if (o.processName !== undefined) throw new UsageError('--process-name is for --sidecar; without it the guard runs the agent command given after --');
  if (agent.length === 0) throw new UsageError('give the agent command after --, e.g. firebreak guard --url … --change … --key … -- /usr/bin/agent --flag (or use --sidecar)');
  return runGuard({ ...watch, command: agent, graceS });
}
