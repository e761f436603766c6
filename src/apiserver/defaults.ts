/**
 * Defaulting and validation of written objects — the part kubectl and the
 * rollout target depend on, not the whole of kube-apiserver's:
 *
 * - DaemonSet (k8s.io/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet):
 *   updateStrategy RollingUpdate (maxUnavailable 1, maxSurge 0),
 *   revisionHistoryLimit 10; Deployment: replicas 1, strategy RollingUpdate
 *   25 %/25 %, revisionHistoryLimit 10, progressDeadlineSeconds 600; pod
 *   templates (pkg/apis/core/v1/defaults.go): restartPolicy Always,
 *   terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, schedulerName
 *   default-scheduler, containers' imagePullPolicy (Always for `:latest` or no
 *   tag, else IfNotPresent), terminationMessagePath and policy.
 *   `kubectl rollout status` refuses a DaemonSet without a RollingUpdate
 *   strategy, so the defaulting is not cosmetic.
 * - Validation (422 Invalid): metadata.name a DNS-1123 subdomain; a
 *   DaemonSet's or Deployment's spec.selector present and matching its
 *   template's labels, and at least one container
 *   (pkg/apis/apps/validation/validation.go messages).
 *
 * @example
 *   applyDefaults('apps', 'daemonsets', ds);
 *   validate('apps', 'daemonsets', ds);   // [] or causes
 */
import type { KubeObject } from './backend.ts';
import { matchesLabels, objectSelector } from './selectors.ts';
import type { Cause } from './status.ts';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (isObject(v)) return v;
  const made: Obj = {};
  o[key] = made;
  return made;
}

function dflt(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function podTemplateDefaults(spec: Obj): void {
  const tmpl = child(spec, 'template');
  const ps = child(tmpl, 'spec');
  dflt(ps, 'restartPolicy', 'Always');
  dflt(ps, 'terminationGracePeriodSeconds', 30);
  dflt(ps, 'dnsPolicy', 'ClusterFirst');
  dflt(ps, 'schedulerName', 'default-scheduler');
  dflt(ps, 'securityContext', {});
  for (const key of ['containers', 'initContainers']) {
    const cs = ps[key];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      if (!isObject(c)) continue;
      const image = typeof c['image'] === 'string' ? c['image'] : '';
      const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
      dflt(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
      dflt(c, 'terminationMessagePath', '/dev/termination-log');
      dflt(c, 'terminationMessagePolicy', 'File');
      dflt(c, 'resources', {});
    }
  }
}

export function applyDefaults(group: string, plural: string, o: KubeObject): void {
  if (group !== 'apps') return;
  const spec = child(o, 'spec');
  if (plural === 'daemonsets') {
    const us = child(spec, 'updateStrategy');
    dflt(us, 'type', 'RollingUpdate');
    if (us['type'] === 'RollingUpdate') {
      const ru = child(us, 'rollingUpdate');
      dflt(ru, 'maxUnavailable', 1);
      dflt(ru, 'maxSurge', 0);
    }
    dflt(spec, 'revisionHistoryLimit', 10);
    podTemplateDefaults(spec);
  } else if (plural === 'deployments') {
    dflt(spec, 'replicas', 1);
    const st = child(spec, 'strategy');
    dflt(st, 'type', 'RollingUpdate');
    if (st['type'] === 'RollingUpdate') {
      const ru = child(st, 'rollingUpdate');
      dflt(ru, 'maxUnavailable', '25%');
      dflt(ru, 'maxSurge', '25%');
    }
    dflt(spec, 'revisionHistoryLimit', 10);
    dflt(spec, 'progressDeadlineSeconds', 600);
    podTemplateDefaults(spec);
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validate(group: string, plural: string, o: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const meta = isObject(o['metadata']) ? o['metadata'] : {};
  const name = meta['name'];
  if (typeof name !== 'string' || name === '') causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
  if (group === 'apps' && (plural === 'daemonsets' || plural === 'deployments')) {
    const spec = isObject(o['spec']) ? o['spec'] : {};
    const tmpl = isObject(spec['template']) ? spec['template'] : {};
    const tmeta = isObject(tmpl['metadata']) ? tmpl['metadata'] : {};
    const labels = isObject(tmeta['labels']) ? (tmeta['labels'] as Record<string, string>) : {};
    if (!isObject(spec['selector'])) causes.push({ field: 'spec.selector', message: 'Required value' });
    else {
      const sel = objectSelector(spec['selector']);
      if (sel.length === 0) causes.push({ field: 'spec.selector', message: 'Invalid value: empty selector is invalid for daemonset' });
      else if (!matchesLabels(sel, labels)) causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
    }
    const ps = isObject(tmpl['spec']) ? tmpl['spec'] : {};
    if (!Array.isArray(ps['containers']) || ps['containers'].length === 0) causes.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  }
  return causes;
}

/** Whether a write changed more than metadata and status (generation goes up). */
export function specChanged(before: KubeObject, after: KubeObject): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (!isObject(v)) return v;
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
    return out;
  };
  const strip = (o: KubeObject): string => {
    const rest: Obj = { ...o };
    delete rest['metadata'];
    delete rest['status'];
    return JSON.stringify(canonical(rest));
  };
  return strip(before) !== strip(after);
}
