/**
 * `Status` objects, the body of every error the served API answers, shaped
 * and worded as kube-apiserver's (k8s.io/apimachinery/pkg/api/errors/errors.go:
 * NewNotFound, NewAlreadyExists, NewConflict, NewInvalid, NewForbidden,
 * NewUnauthorized, NewTooManyRequests, NewTimeoutError, NewResourceExpired).
 *
 * @example
 *   notFound({ group: 'apps', plural: 'daemonsets' }, 'agent').code;   // 404
 */
import type { KubeObject } from './backend.ts';
import { qualifiedName } from './resources.ts';

export interface StatusError {
  readonly code: number;
  readonly body: KubeObject;
  /** Extra response headers (Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

interface Res {
  readonly group: string;
  readonly plural: string;
}

export function status(code: number, reason: string, message: string, details?: KubeObject, headers?: Readonly<Record<string, string>>): StatusError {
  const body: KubeObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) body['details'] = details;
  return headers === undefined ? { code, body } : { code, body, headers };
}

export function success(r: Res, name: string, uid: string): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: r.group, kind: r.plural, uid } };
}

export function notFound(r: Res, name: string): StatusError {
  return status(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, { name, group: r.group, kind: r.plural });
}

export function pathNotFound(): StatusError {
  return status(404, 'NotFound', 'the server could not find the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });
}

export function alreadyExists(r: Res, name: string): StatusError {
  return status(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural });
}

export function conflict(r: Res, name: string, why: string): StatusError {
  return status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${why}`, { name, group: r.group, kind: r.plural });
}

export interface FieldConflict {
  readonly manager: string;
  readonly apiVersion: string;
  readonly field: string;
}

/** Server-side apply conflicts (k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go: NewConflictError). */
export function applyConflict(r: Res, name: string, conflicts: readonly FieldConflict[]): StatusError {
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
  const message = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0] ?? ''}` : `Apply failed with ${conflicts.length} conflicts: ${lines.map((l) => `\n- ${l}`).join('')}`;
  return status(409, 'Conflict', message, {
    name,
    group: r.group,
    kind: r.plural,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field })),
  });
}

export interface Cause {
  readonly field: string;
  readonly message: string;
}

export function invalid(kind: string, group: string, name: string, causes: readonly Cause[]): StatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return status(422, 'Invalid', `${kind} "${name}" is invalid: ${causes.length === 1 ? list : `[${list}]`}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): StatusError {
  return status(400, 'BadRequest', message);
}

export function methodNotAllowed(): StatusError {
  return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unsupportedMediaType(contentType: string): StatusError {
  return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got ${contentType})`);
}

export function unauthorized(): StatusError {
  return status(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(message: string, r?: Res, name?: string): StatusError {
  return status(403, 'Forbidden', message, r === undefined ? undefined : { ...(name === undefined ? {} : { name }), group: r.group, kind: r.plural });
}

/** APF rejection (k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go: tooManyRequests). */
export function tooManyRequests(retryAfterS: number): StatusError {
  const s = Math.max(1, Math.round(retryAfterS));
  return status(429, 'TooManyRequests', 'Too many requests, please try again later.', { causes: [{ reason: 'UnexpectedServerResponse', message: 'Too many requests, please try again later.' }], retryAfterSeconds: s }, { 'Retry-After': String(s) });
}

/** The request deadline passed (k8s.io/apiserver/pkg/server/filters/timeout.go: "request did not complete within the allotted timeout"). */
export function timeout(): StatusError {
  return status(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', { causes: [{ reason: 'UnexpectedServerResponse', message: '{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}' }] });
}

/** A watch or continue token whose resourceVersion left the event history (410 Gone). */
export function expired(message: string): StatusError {
  return status(410, 'Expired', message);
}
