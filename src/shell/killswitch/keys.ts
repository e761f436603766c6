/**
 * Key material of a switch server: an Ed25519 key pair (the private key
 * signs the switch documents, the public key is what every guard is given)
 * and the admin token that authorises flips. Random, so here in the shell.
 *
 * @example
 *   const k = generateSwitchKeys();
 *   k.publicKey; // 'MCowBQYDK2VwAyEA…' (FIREBREAK_KILLSWITCH_KEY)
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { publicKeyText } from '../../killswitch/index.ts';

export interface SwitchKeys {
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string;
  /** The public key, one line of base64 DER (SPKI). */
  readonly publicKey: string;
  /** A new admin token: 32 random bytes, base64url. */
  readonly adminToken: string;
}

export function generateSwitchKeys(): SwitchKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKeyText(publicKey),
    adminToken: randomBytes(32).toString('base64url'),
  };
}

/** Whether `given` is the admin token, compared in constant time (over their SHA-256 digests, so lengths do not leak). */
export function tokenMatches(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
