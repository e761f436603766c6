/**
 * Workloads of the input and what their pods run: how many clients each makes
 * (one per node for a DaemonSet, its replicas otherwise), the service account
 * they call the API as, and each container's image, arguments, environment
 * and mounted ConfigMaps (where known agents keep their configuration).
 */
import type { Problem } from '../core/errors.ts';
import { Fields, isObj, item, key, type KObject } from './objects.ts';
import type { DocPath, Loc, Workload, WorkloadKind } from './types.ts';

export interface EnvVar {
  readonly value?: string;
  /** Downward API field (`spec.nodeName` for the node name). */
  readonly fieldPath?: string;
  /** valueFrom.configMapKeyRef, resolved against the input's ConfigMaps when the profile is derived. */
  readonly configMapKeyRef?: { readonly name: string; readonly key: string };
}

/** A ConfigMap or Secret a container reads (an agent may keep its configuration there). */
export interface MountedObject {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  /** `optional: true` on the volume or reference: its absence is expected. */
  readonly optional: boolean;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args: readonly string[];
  readonly env: ReadonlyMap<string, EnvVar>;
  /** ConfigMaps and Secrets mounted into this container (volumes, projected volumes, envFrom), in the workload's namespace. */
  readonly mounts: readonly MountedObject[];
  /** Path of the container inside the workload object. */
  readonly path: DocPath;
}

export interface WorkloadInfo extends Workload {
  readonly obj: KObject;
  readonly f: Fields;
  readonly podSpecPath: DocPath;
  readonly containers: readonly Container[];
  /** Workload annotations, then the pod template's (the workload's win). */
  readonly annotations: ReadonlyMap<string, { readonly value: string; readonly path: DocPath }>;
  /** automountServiceAccountToken: false on the pod: it has no service account token to call the API with. */
  readonly noToken: boolean;
  /** automountServiceAccountToken as the pod sets it (undefined: not set; the ServiceAccount's setting then decides). */
  readonly automountToken: boolean | undefined;
  /** A projected volume mounts a serviceAccountToken: the pod has a token whatever automountServiceAccountToken says. */
  readonly projectedToken: boolean;
  /** A DaemonSet with a nodeSelector or node affinity runs on a subset of nodes. */
  readonly nodeSubset: boolean;
}

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set<WorkloadKind>(['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** Where the pod spec is, by kind (shared arrays: paths are never changed). */
const POD_SPEC: DocPath = ['spec'];
const CRONJOB_POD_SPEC: DocPath = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
const TEMPLATE_POD_SPEC: DocPath = ['spec', 'template', 'spec'];

function podSpecPathOf(kind: WorkloadKind): DocPath {
  switch (kind) {
    case 'Pod':
      return POD_SPEC;
    case 'CronJob':
      return CRONJOB_POD_SPEC;
    default:
      return TEMPLATE_POD_SPEC;
  }
}

export function readWorkload(o: KObject, problems: Problem[]): WorkloadInfo {
  const kind = o.kind as WorkloadKind;
  const f = new Fields(o, problems);
  const ps = podSpecPathOf(kind);
  let replicas = 1;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      replicas = f.int(['spec', 'replicas']) ?? 1;
      break;
    case 'Job':
      replicas = f.int(['spec', 'parallelism']) ?? 1;
      break;
    case 'CronJob':
      replicas = f.int(['spec', 'jobTemplate', 'spec', 'parallelism']) ?? 1;
      break;
    default:
      break;
  }
  // Fields are read from the values reached once (key / item walk as Fields.get does); the paths
  // are made only for a problem.
  const pod = f.get(ps);
  f.mapOf(pod, ps);
  const saName = key(pod, 'serviceAccountName');
  const saOld = key(pod, 'serviceAccount');
  const sa = f.strOf(saName, () => [...ps, 'serviceAccountName']) ?? f.strOf(saOld, () => [...ps, 'serviceAccount']) ?? 'default';
  const saPath: DocPath = saName !== undefined ? [...ps, 'serviceAccountName'] : saOld !== undefined ? [...ps, 'serviceAccount'] : ps;

  // Volumes that are ConfigMaps or Secrets (directly or projected), by volume name.
  const volumeMaps = new Map<string, MountedObject[]>();
  let projectedToken = false;
  (f.listOf(key(pod, 'volumes'), () => [...ps, 'volumes']) ?? []).forEach((v, i) => {
    if (!isObj(v)) return;
    const vp = (): (string | number)[] => [...ps, 'volumes', i];
    const vn = v.name;
    const name = (typeof vn === 'string' ? vn : vn == null ? undefined : f.strOf(vn, () => [...vp(), 'name'])) ?? '';
    const maps: MountedObject[] = [];
    const cmv = key(v.configMap, 'name');
    const cm = typeof cmv === 'string' ? cmv : cmv == null ? undefined : f.strOf(cmv, () => [...vp(), 'configMap', 'name']);
    if (cm !== undefined) maps.push({ kind: 'ConfigMap', name: cm, optional: key(v.configMap, 'optional') === true });
    const sv = key(v.secret, 'secretName');
    const secret = typeof sv === 'string' ? sv : sv == null ? undefined : f.strOf(sv, () => [...vp(), 'secret', 'secretName']);
    if (secret !== undefined) maps.push({ kind: 'Secret', name: secret, optional: key(v.secret, 'optional') === true });
    const sources = key(v.projected, 'sources');
    (sources == null ? [] : (f.listOf(sources, () => [...vp(), 'projected', 'sources']) ?? [])).forEach((_, j) => {
      const src = item(key(v.projected, 'sources'), j);
      const sp = (): (string | number)[] => [...vp(), 'projected', 'sources', j];
      const n = f.strOf(key(key(src, 'configMap'), 'name'), () => [...sp(), 'configMap', 'name']);
      if (n !== undefined) maps.push({ kind: 'ConfigMap', name: n, optional: key(key(src, 'configMap'), 'optional') === true });
      const sn = f.strOf(key(key(src, 'secret'), 'name'), () => [...sp(), 'secret', 'name']);
      if (sn !== undefined) maps.push({ kind: 'Secret', name: sn, optional: key(key(src, 'secret'), 'optional') === true });
      if (isObj(key(src, 'serviceAccountToken'))) projectedToken = true;
    });
    volumeMaps.set(name, maps);
  });

  const containers: Container[] = [];
  (f.listOf(key(pod, 'containers'), () => [...ps, 'containers']) ?? []).forEach((c, i) => {
    const cp: DocPath = [...ps, 'containers', i];
    if (!isObj(c)) {
      f.problem(cp, 'expected a container (a mapping with name and image)');
      return;
    }
    const env = new Map<string, EnvVar>();
    // Strings (or nothing) are taken as they are; anything else goes to Fields, with its path made then.
    (c.env == null ? [] : (f.listOf(c.env, () => [...cp, 'env']) ?? [])).forEach((e, j) => {
      if (!isObj(e)) return;
      const nv = e.name;
      const n = typeof nv === 'string' ? nv : nv == null ? undefined : f.strOf(nv, () => [...cp, 'env', j, 'name']);
      if (n === undefined) return;
      const vv = e.value;
      const value = typeof vv === 'string' ? vv : vv == null ? undefined : f.strOf(vv, () => [...cp, 'env', j, 'value']);
      const from = e.valueFrom;
      const fv = key(key(from, 'fieldRef'), 'fieldPath');
      const fieldPath = typeof fv === 'string' ? fv : fv == null ? undefined : f.strOf(fv, () => [...cp, 'env', j, 'valueFrom', 'fieldRef', 'fieldPath']);
      const ref = key(from, 'configMapKeyRef');
      const cmName = ref === undefined ? undefined : f.strOf(key(ref, 'name'), () => [...cp, 'env', j, 'valueFrom', 'configMapKeyRef', 'name']);
      const cmKey = ref === undefined ? undefined : f.strOf(key(ref, 'key'), () => [...cp, 'env', j, 'valueFrom', 'configMapKeyRef', 'key']);
      const v: { value?: string; fieldPath?: string; configMapKeyRef?: { name: string; key: string } } = {};
      if (value !== undefined) v.value = value;
      if (fieldPath !== undefined) v.fieldPath = fieldPath;
      if (cmName !== undefined && cmKey !== undefined) v.configMapKeyRef = { name: cmName, key: cmKey };
      env.set(n, v);
    });
    const mounts: MountedObject[] = [];
    (c.volumeMounts == null ? [] : (f.listOf(c.volumeMounts, () => [...cp, 'volumeMounts']) ?? [])).forEach((m, j) => {
      const mv = key(m, 'name');
      const n = typeof mv === 'string' ? mv : mv == null ? undefined : f.strOf(mv, () => [...cp, 'volumeMounts', j, 'name']);
      if (n !== undefined) mounts.push(...(volumeMaps.get(n) ?? []));
    });
    // envFrom: the agent may read its config from the environment; its ConfigMap or Secret is readable too.
    (c.envFrom == null ? [] : (f.listOf(c.envFrom, () => [...cp, 'envFrom']) ?? [])).forEach((x, j) => {
      const n = f.strOf(key(key(x, 'configMapRef'), 'name'), () => [...cp, 'envFrom', j, 'configMapRef', 'name']);
      if (n !== undefined) mounts.push({ kind: 'ConfigMap', name: n, optional: key(key(x, 'configMapRef'), 'optional') === true });
      const sn = f.strOf(key(key(x, 'secretRef'), 'name'), () => [...cp, 'envFrom', j, 'secretRef', 'name']);
      if (sn !== undefined) mounts.push({ kind: 'Secret', name: sn, optional: key(key(x, 'secretRef'), 'optional') === true });
    });
    const cn = c.name;
    const ci = c.image;
    containers.push({
      name: (typeof cn === 'string' ? cn : f.strOf(cn, () => [...cp, 'name'])) ?? `container-${i}`,
      image: (typeof ci === 'string' ? ci : f.strOf(ci, () => [...cp, 'image'])) ?? '',
      args: c.command == null && c.args == null ? [] : [...f.stringsOf(c.command, () => [...cp, 'command']), ...f.stringsOf(c.args, () => [...cp, 'args'])],
      env,
      mounts: uniqueMounts(mounts),
      path: cp,
    });
  });

  const annotations = new Map<string, { value: string; path: DocPath }>();
  const tmplMeta: DocPath = kind === 'Pod' ? ['metadata'] : [...ps.slice(0, -1), 'metadata'];
  if (kind !== 'Pod') for (const [k, v] of Object.entries(f.stringMap([...tmplMeta, 'annotations']))) annotations.set(k, { value: v, path: [...tmplMeta, 'annotations', k] });
  for (const [k, v] of Object.entries(f.stringMap(['metadata', 'annotations']))) annotations.set(k, { value: v, path: ['metadata', 'annotations', k] });

  const automount = key(pod, 'automountServiceAccountToken');
  const nodeSubset = kind === 'DaemonSet' && (isObj(key(pod, 'nodeSelector')) || isObj(key(key(pod, 'affinity'), 'nodeAffinity')));
  return new ReadWorkload(o, f, kind, sa, saPath, ps, replicas, containers, annotations, automount, projectedToken, nodeSubset);
}

/** A workload as read (WorkloadInfo); its service account is located when a finding needs it. */
class ReadWorkload implements WorkloadInfo {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly id: string;
  readonly at: Loc;
  readonly perNode: boolean;
  readonly replicas: number;
  readonly obj: KObject;
  readonly f: Fields;
  readonly podSpecPath: DocPath;
  readonly containers: readonly Container[];
  readonly annotations: ReadonlyMap<string, { readonly value: string; readonly path: DocPath }>;
  readonly noToken: boolean;
  readonly automountToken: boolean | undefined;
  readonly projectedToken: boolean;
  readonly nodeSubset: boolean;
  readonly #saPath: DocPath;
  #saAt: Loc | undefined;
  constructor(
    o: KObject,
    f: Fields,
    kind: WorkloadKind,
    sa: string,
    saPath: DocPath,
    ps: DocPath,
    replicas: number,
    containers: readonly Container[],
    annotations: ReadonlyMap<string, { readonly value: string; readonly path: DocPath }>,
    automount: unknown,
    projectedToken: boolean,
    nodeSubset: boolean,
  ) {
    this.kind = kind;
    this.name = o.name;
    this.namespace = o.namespace;
    this.serviceAccount = sa;
    this.id = `${kind} ${o.namespace}/${o.name}`;
    this.at = f.loc(['kind']);
    this.perNode = kind === 'DaemonSet';
    this.replicas = kind === 'DaemonSet' ? 1 : replicas;
    this.obj = o;
    this.f = f;
    this.podSpecPath = ps;
    this.containers = containers;
    this.annotations = annotations;
    this.noToken = automount === false;
    this.automountToken = typeof automount === 'boolean' ? automount : undefined;
    this.projectedToken = projectedToken;
    this.nodeSubset = nodeSubset;
    this.#saPath = saPath;
  }

  get serviceAccountAt(): Loc {
    return (this.#saAt ??= this.f.loc(this.#saPath));
  }
}

/** The mounts without repeats (by kind and name), in the order each first appears, the last of each kept (as a Map of them would). */
function uniqueMounts(mounts: MountedObject[]): MountedObject[] {
  if (mounts.length < 2) return mounts;
  const out: MountedObject[] = [];
  for (const m of mounts) {
    const i = out.findIndex((x) => x.kind === m.kind && x.name === m.name);
    if (i < 0) out.push(m);
    else out[i] = m;
  }
  return out;
}
