/**
 * Field paths as people read them in error messages:
 * `['spec', 'clusters', 3, 'nodes']` → `spec.clusters[3].nodes`; odd keys are
 * quoted: `labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
