/**
 * Signed switch documents: Ed25519 signatures (RFC 8032) through node:crypto.
 *
 * Why Ed25519 and not an HMAC with a shared key: every node of the fleet
 * verifies the switch, so the verification key is on thousands of machines.
 * With an HMAC that key also signs: one compromised node could forge "on"
 * for every other. With Ed25519 the nodes hold only the public key; only the
 * switch server holds the private key. Ed25519 signatures are deterministic
 * (the same document and key give the same bytes) and verification needs no
 * clock and no randomness, so this stays in the deterministic layer; key
 * generation (random) is in the shell.
 *
 * The wire form is an envelope holding the document's exact text and the
 * signature over its UTF-8 bytes: the guard verifies the bytes it received,
 * then parses them (no re-serialisation, no canonicalisation on the way in).
 *
 * @example
 *   const signed = signDocument(doc, privateKey);          // { apiVersion, kind: 'SignedKillSwitch', keyId, payload, signature }
 *   verifySigned(JSON.stringify(signed), publicKey);       // { ok: true, document }
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { MAX_DOCUMENT_BYTES, parseDocument, serializeDocument, SWITCH_API_VERSION, type SwitchDocument } from './document.ts';

export const SIGNED_KIND = 'SignedKillSwitch';

/** What the endpoint serves: the document's text, signed. */
export interface SignedSwitch {
  readonly apiVersion: typeof SWITCH_API_VERSION;
  readonly kind: typeof SIGNED_KIND;
  /** The signing key's id (keyId()): says which key signed, for messages; not trusted for anything. */
  readonly keyId: string;
  /** The document's canonical text (serializeDocument). */
  readonly payload: string;
  /** Ed25519 signature of the payload's UTF-8 bytes, base64. */
  readonly signature: string;
}

export type VerifyResult = { readonly ok: true; readonly document: SwitchDocument } | { readonly ok: false; readonly reason: string };

/** A short id of a public key: the first 16 hex digits of the SHA-256 of its DER (SPKI) bytes. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** The public key as one line of text (base64 of its DER SubjectPublicKeyInfo): what FIREBREAK_KILLSWITCH_KEY holds. */
export function publicKeyText(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** An Ed25519 public key from PEM text or one line of base64 DER (SPKI); `undefined` when it is not one. */
export function parsePublicKey(text: string): KeyObject | undefined {
  const t = text.trim();
  try {
    const key = t.startsWith('-----BEGIN') ? createPublicKey(t) : /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' }) : undefined;
    return key?.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** An Ed25519 private key from PEM (PKCS#8) text; `undefined` when it is not one. */
export function parsePrivateKey(text: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(text.trim());
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The document signed with the server's private key. */
export function signDocument(document: SwitchDocument, privateKey: KeyObject): SignedSwitch {
  const payload = serializeDocument(document);
  const signature = sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
  return { apiVersion: SWITCH_API_VERSION, kind: SIGNED_KIND, keyId: keyId(createPublicKey(privateKey)), payload, signature };
}

/** The envelope's canonical text (what the endpoint sends). */
export function serializeSigned(s: SignedSwitch): string {
  return JSON.stringify({ apiVersion: s.apiVersion, kind: s.kind, keyId: s.keyId, payload: s.payload, signature: s.signature });
}

/**
 * The document of a signed envelope, when its signature verifies with `publicKey` and its payload is a
 * valid document; otherwise why not (unsigned, malformed, signed by another key, tampered).
 */
export function verifySigned(text: string, publicKey: KeyObject): VerifyResult {
  if (text.length > 2 * MAX_DOCUMENT_BYTES) return { ok: false, reason: 'response too large to be a switch document' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'response is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'response is not a JSON object' };
  const o = v as Record<string, unknown>;
  if (o.kind !== SIGNED_KIND || o.apiVersion !== SWITCH_API_VERSION) return { ok: false, reason: `not a signed switch document (kind ${SIGNED_KIND}, apiVersion ${SWITCH_API_VERSION} expected): unsigned documents are refused` };
  if (typeof o.payload !== 'string' || typeof o.signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(o.signature)) return { ok: false, reason: 'signed document without a payload or a base64 signature' };
  const signature = Buffer.from(o.signature, 'base64');
  let good: boolean;
  try {
    good = verify(null, Buffer.from(o.payload, 'utf8'), publicKey, signature);
  } catch {
    good = false;
  }
  if (!good) {
    const other = typeof o.keyId === 'string' && o.keyId !== keyId(publicKey) ? ` (signed by key ${o.keyId.slice(0, 16)}, this guard trusts ${keyId(publicKey)})` : '';
    return { ok: false, reason: `signature does not verify${other}: forged or tampered document refused` };
  }
  const parsed = parseDocument(o.payload);
  return parsed.ok ? parsed : { ok: false, reason: `signed payload is not a switch document: ${parsed.reason}` };
}
