/**
 * How a fleet's clusters are reached (src/input/fleet-access.ts,
 * src/input/kubeconfig.ts): defaults (the context named as the cluster, the
 * context's user), precedence of the kubeconfig files, the twin extension,
 * and every problem located at the cluster's entry of the fleet file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseFleet } from '../../src/input/fleet.ts';
import { resolveConnections } from '../../src/input/kubeconfig.ts';
import { problemsOf } from './problems.ts';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-kubeconfig-'));
const KC = join(dir, 'kc.yaml');
writeFileSync(
  KC,
  `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster:
    server: https://127.0.0.1:6443
    extensions:
    - name: firebreak.dev/twin
      extension: { control: "https://127.0.0.1:7000", cluster: a }
- name: b
  cluster: { server: "https://127.0.0.1:6444" }
users:
- { name: firebreak, user: { token: t1 } }
- { name: firebreak-breakglass, user: { token: t2 } }
contexts:
- { name: a, context: { cluster: a, user: firebreak } }
- { name: b-admin, context: { cluster: b, user: firebreak } }
`,
);
writeFileSync(join(dir, 'bg.token'), 'secret-token\n');

function fleet(clusters: string, top = ''): string {
  return `apiVersion: firebreak.dev/v1alpha1\nkind: Fleet\nmetadata: { name: f }\nspec:\n${top}  clusters:\n${clusters}`;
}

test('defaults: the context named as the cluster, its user; the twin extension is read', () => {
  const f = parseFleet(fleet('    - { name: a, nodes: 5 }\n    - { name: b, nodes: 5, kubeconfig: { context: b-admin, identities: { breakGlass: { tokenFile: bg.token } } } }\n'), join(dir, 'fleet.yaml'));
  const conns = resolveConnections(f.access, { cli: KC });
  assert.deepEqual(
    conns.map((c) => ({ cluster: c.cluster, context: c.context, ordinary: c.ordinary, breakGlass: c.breakGlass, twin: c.twin })),
    [
      { cluster: 'a', context: 'a', ordinary: { user: 'firebreak', name: 'firebreak' }, breakGlass: undefined, twin: { control: 'https://127.0.0.1:7000', cluster: 'a' } },
      { cluster: 'b', context: 'b-admin', ordinary: { user: 'firebreak', name: 'firebreak' }, breakGlass: { token: 'secret-token', name: `token from ${join(dir, 'bg.token')}` }, twin: undefined },
    ],
  );
});

test('the cluster’s own file wins over --kubeconfig, which wins over the fleet’s, which wins over the default', () => {
  const f = parseFleet(fleet('    - { name: a, nodes: 5 }\n', '  kubeconfig: { file: nowhere.yaml }\n'), join(dir, 'fleet.yaml'));
  assert.equal(resolveConnections(f.access, { cli: KC, fallback: '/nonexistent' })[0]?.file, KC);
  const problems = problemsOf(() => resolveConnections(f.access, { fallback: KC }));
  assert.match(problems[0]?.file ?? '', /nowhere\.yaml$/);
  const own = parseFleet(fleet(`    - { name: a, nodes: 5, kubeconfig: { context: a, file: kc.yaml } }\n`), join(dir, 'fleet.yaml'));
  assert.equal(resolveConnections(own.access, { cli: '/nonexistent', fallback: '/nonexistent' })[0]?.file, KC);
});

test('every problem is located at the cluster’s entry: missing context, unknown user, bad token file, both or neither of user and tokenFile', () => {
  const file = join(dir, 'bad-fleet.yaml');
  const text = fleet(
    [
      '    - { name: nope, nodes: 5 }',
      '    - { name: a, nodes: 5, kubeconfig: { context: a, identities: { breakGlass: { user: ghost } } } }',
      '    - { name: c, nodes: 5, kubeconfig: { context: a, identities: { ordinary: { tokenFile: missing.token } } } }',
      '    - { name: d, nodes: 5, kubeconfig: { context: a, identities: { breakGlass: { user: x, tokenFile: y } } } }',
      '',
    ].join('\n'),
  );
  const structural = problemsOf(() => parseFleet(text, file));
  assert.equal(structural.length, 1);
  assert.match(`${structural[0]?.path}: ${structural[0]?.message}`, /^spec\.clusters\[3\]\.kubeconfig\.identities\.breakGlass: give exactly one of `user`/);
  assert.equal(structural[0]?.line, 9);
  const f = parseFleet(text.replace(', tokenFile: y', ''), file);
  const problems = problemsOf(() => resolveConnections(f.access, { cli: KC }));
  const lines = problems.map((p) => `${p.line ?? '?'} ${p.path}: ${p.message}`);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0] ?? '', /^6 spec\.clusters\[0\]: no context `nope` in the kubeconfig .*kc\.yaml$/);
  assert.match(lines[1] ?? '', /^7 spec\.clusters\[1\]\.kubeconfig\.identities\.breakGlass\.user: no user `ghost` in the kubeconfig/);
  assert.match(lines[2] ?? '', /^8 spec\.clusters\[2\]\.kubeconfig\.identities\.ordinary\.tokenFile: cannot read the token file/);
  assert.match(lines[3] ?? '', /^9 spec\.clusters\[3\]\.kubeconfig\.identities\.breakGlass\.user: no user `x`/);
  assert.match(problems[0]?.hint ?? '', /contexts there: a, b-admin/);
});

test('a kubeconfig that is not one is a problem in that file', () => {
  const notKc = join(dir, 'not.yaml');
  writeFileSync(notKc, 'apiVersion: v1\nkind: Pod\n');
  const f = parseFleet(fleet('    - { name: a, nodes: 5 }\n'), join(dir, 'fleet.yaml'));
  const problems = problemsOf(() => resolveConnections(f.access, { cli: notKc }));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.file, notKc);
  assert.match(problems[0]?.message ?? '', /not a kubeconfig/);
});

test('an identity’s context: `{cluster}` is the cluster’s name; alone, the context’s own user; beside a user, where that user’s requests go; a missing context located', () => {
  const kc = join(dir, 'kc-glass.yaml');
  writeFileSync(
    kc,
    readFileSync(KC, 'utf8')
      .replace('clusters:\n', 'clusters:\n- name: a-glass\n  cluster: { server: "https://127.0.0.1:6445" }\n')
      .replace('contexts:\n', 'contexts:\n- { name: a-breakglass, context: { cluster: a-glass, user: firebreak-breakglass } }\n'),
  );
  const fleetWide = parseFleet(fleet('    - { name: a, nodes: 5 }\n', '  kubeconfig:\n    identities:\n      breakGlass: { context: "{cluster}-breakglass" }\n'), join(dir, 'fleet.yaml'));
  assert.deepEqual(resolveConnections(fleetWide.access, { cli: kc })[0]?.breakGlass, { user: 'firebreak-breakglass', name: 'firebreak-breakglass', context: 'a-breakglass' });
  const withToken = parseFleet(fleet('    - { name: a, nodes: 5, kubeconfig: { context: a, identities: { breakGlass: { context: a-breakglass, tokenFile: bg.token } } } }\n'), join(dir, 'fleet.yaml'));
  assert.deepEqual(resolveConnections(withToken.access, { cli: kc })[0]?.breakGlass, { token: 'secret-token', name: `token from ${join(dir, 'bg.token')}`, context: 'a-breakglass' });
  const file = join(dir, 'glass-fleet.yaml');
  const missing = parseFleet(fleet('    - { name: b, nodes: 5, kubeconfig: { context: b-admin, identities: { breakGlass: { context: "{cluster}-glass" } } } }\n'), file);
  const problems = problemsOf(() => resolveConnections(missing.access, { cli: kc }));
  assert.equal(problems.length, 1);
  assert.equal(`${problems[0]?.line ?? '?'} ${problems[0]?.path}`, '6 spec.clusters[0].kubeconfig.identities.breakGlass.context');
  assert.match(problems[0]?.message ?? '', /^no context `b-glass` in the kubeconfig .*kc-glass\.yaml$/);
  const neither = problemsOf(() => parseFleet(fleet('    - { name: a, nodes: 5, kubeconfig: { context: a, identities: { breakGlass: {} } } }\n'), file));
  assert.match(neither[0]?.message ?? '', /or a `context` whose user it is/);
});
