/**
 * The TokenRequest subresource (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`,
 * what `kubectl create token <sa>` sends): a bearer token that authenticates as the service
 * account, with the groups kube-apiserver gives a service account's token
 * (system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated). As in
 * kubernetes/kubernetes pkg/registry/core/serviceaccount/storage/token.go: the service account
 * must exist (404), the answer is 201 with the TokenRequest and `status.token` /
 * `status.expirationTimestamp`; `spec.expirationSeconds` defaults to 3,600
 * (pkg/apis/authentication/v1/defaults.go) and may not be under 600
 * (pkg/apis/authentication/validation: "may not specify a duration less than 10 minutes").
 * The token itself comes from the shell (random, no clock here); the twin's tokens do not
 * expire (docs/twin-serve.md, fidelity limits).
 *
 * @example
 *   const r = tokenRequest(store, 'telemetry', 'telemetry-agent', body, nowMs, mint, minted, delayS);
 */
import type { KubeObject, UserInfo } from './backend.ts';
import { BodyError, parseBody, respond, respondError, type ApiResult } from './request.ts';
import { invalid, notFound } from './status.ts';
import type { ObjectStore } from './store.ts';

/** Default and least `spec.expirationSeconds` (kubernetes pkg/apis/authentication/v1/defaults.go, validation). */
export const TOKEN_DEFAULT_EXPIRATION_S = 3600;
export const TOKEN_MIN_EXPIRATION_S = 600;

export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
}

export function tokenRequest(store: ObjectStore, namespace: string, name: string, body: string, contentType: string, nowMs: number, mint: () => string, minted: Map<string, UserInfo>, delayS: number): ApiResult {
  if (store.get('', 'serviceaccounts', namespace, name) === undefined) return respondError(notFound({ group: '', plural: 'serviceaccounts' }, name), delayS);
  let spec: KubeObject = {};
  if (body.trim() !== '') {
    try {
      const doc = parseBody(body, contentType);
      const s = typeof doc === 'object' && doc !== null ? (doc as KubeObject)['spec'] : undefined;
      if (typeof s === 'object' && s !== null) spec = s as KubeObject;
    } catch (e) {
      if (e instanceof BodyError) return respondError(e.status, delayS);
      throw e;
    }
  }
  const exp = spec['expirationSeconds'] ?? TOKEN_DEFAULT_EXPIRATION_S;
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp < TOKEN_MIN_EXPIRATION_S)
    return respondError(invalid('TokenRequest', 'authentication.k8s.io', name, [{ field: 'spec.expirationSeconds', message: 'may not specify a duration less than 10 minutes' }]), delayS);
  const token = mint();
  minted.set(token, serviceAccountUser(namespace, name));
  const audiences = Array.isArray(spec['audiences']) ? spec['audiences'] : ['https://kubernetes.default.svc.cluster.local'];
  return respond(
    201,
    {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: null },
      status: { token, expirationTimestamp: new Date(nowMs + exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
    },
    delayS,
  );
}
