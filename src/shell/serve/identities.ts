/**
 * The identities of the served twin (contract C of issue #11): `firebreak`
 * (the orchestrator's ordinary identity), `firebreak-breakglass` and `admin`,
 * each with a bearer token generated at start (32 random bytes, base64url).
 * Service-account users carry the groups kube-apiserver gives a service
 * account's token (system:serviceaccounts, system:serviceaccounts:<ns>,
 * system:authenticated).
 *
 * @example
 *   const ids = makeIdentities();
 *   ids.find((i) => i.user === 'admin')?.info.groups;   // ['system:masters', 'system:authenticated']
 */
import { randomBytes } from 'node:crypto';
import type { UserInfo } from '../../apiserver/backend.ts';

export interface Identity {
  /** The kubeconfig user's name. */
  readonly user: string;
  readonly token: string;
  readonly info: UserInfo;
}

function serviceAccount(ns: string, name: string): UserInfo {
  return { name: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] };
}

export function makeIdentities(): Identity[] {
  const token = (): string => randomBytes(32).toString('base64url');
  return [
    { user: 'firebreak', token: token(), info: serviceAccount('firebreak-system', 'firebreak') },
    { user: 'firebreak-breakglass', token: token(), info: serviceAccount('firebreak-system', 'firebreak-breakglass') },
    { user: 'admin', token: token(), info: { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } },
  ];
}
