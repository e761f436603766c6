/**
 * The switch's contract (src/killswitch), pure: documents, signatures, the
 * generation rule, the guard's decision, endpoint addresses. Property tests
 * for sign/verify (every document round-trips; every change to a signed byte
 * or another key is refused) and for generation ordering (whatever order
 * documents arrive in, replays included, the guard ends on the newest).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  acceptDocument,
  checkSwitchUrl,
  decide,
  effectiveState,
  nextGeneration,
  parseDocument,
  parsePublicKey,
  publicKeyText,
  serializeDocument,
  serializeSigned,
  signDocument,
  SWITCH_API_VERSION,
  SWITCH_KIND,
  switchUrl,
  verifySigned,
  type SwitchDocument,
} from '../../src/killswitch/index.ts';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const issued = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString());
const documentArb: fc.Arbitrary<SwitchDocument> = fc.record({
  apiVersion: fc.constant(SWITCH_API_VERSION),
  kind: fc.constant(SWITCH_KIND),
  change: name,
  state: fc.constantFrom('on' as const, 'off' as const),
  clustersOff: fc.uniqueArray(name, { maxLength: 5 }).map((a) => a.sort()),
  generation: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  issued,
});

test('property: every signed document verifies with its key and gives back the same document', () => {
  fc.assert(
    fc.property(documentArb, (doc) => {
      const v = verifySigned(serializeSigned(signDocument(doc, keys.privateKey)), keys.publicKey);
      assert.ok(v.ok);
      assert.deepEqual(v.document, { ...doc });
    }),
  );
});

test('property: a document signed by another key, or with any payload character changed, is refused', () => {
  fc.assert(
    fc.property(documentArb, fc.nat(), fc.integer({ min: 1, max: 25 }), (doc, at, shift) => {
      const signed = signDocument(doc, keys.privateKey);
      assert.equal(verifySigned(serializeSigned(signDocument(doc, other.privateKey)), keys.publicKey).ok, false);
      const i = at % signed.payload.length;
      const c = signed.payload.charCodeAt(i);
      const changed = signed.payload.slice(0, i) + String.fromCharCode(c === 0x7e ? 0x21 : c + (shift % (0x7e - c) || 1)) + signed.payload.slice(i + 1);
      assert.notEqual(changed, signed.payload);
      const v = verifySigned(serializeSigned({ ...signed, payload: changed }), keys.publicKey);
      assert.equal(v.ok, false);
    }),
  );
});

test('unsigned, malformed and tampered documents are refused with a reason', () => {
  const doc: SwitchDocument = { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: 'on', clustersOff: [], generation: 3, issued: '2026-12-07T16:00:00.000Z' };
  const signed = signDocument(doc, keys.privateKey);
  const cases: [string, RegExp][] = [
    [serializeDocument(doc), /unsigned documents are refused/],
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [serializeSigned({ ...signed, signature: '' }), /base64 signature/],
    [serializeSigned({ ...signed, payload: serializeDocument({ ...doc, state: 'off' }) }), /signature does not verify/],
    [serializeSigned(signDocument(doc, other.privateKey)), /signed by key [0-9a-f]{16}, this guard trusts [0-9a-f]{16}/],
  ];
  for (const [text, reason] of cases) {
    const v = verifySigned(text, keys.publicKey);
    assert.equal(v.ok, false, text);
    if (!v.ok) assert.match(v.reason, reason);
  }
  // A correctly signed payload that is not a valid document is refused too.
  const bad = signDocument({ ...doc, change: 'Not_A_Name' }, keys.privateKey);
  const v = verifySigned(serializeSigned(bad), keys.publicKey);
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.reason, /change must be a Kubernetes object name/);
});

test('parseDocument checks every field and refuses unknown ones', () => {
  const good = { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: 'off', clustersOff: ['b', 'a'], generation: 1, issued: '2026-12-07T16:00:00.000Z' };
  const ok = parseDocument(JSON.stringify(good));
  assert.ok(ok.ok);
  if (ok.ok) assert.deepEqual(ok.document.clustersOff, ['a', 'b']);
  const broken: [Record<string, unknown>, RegExp][] = [
    [{ ...good, extra: 1 }, /unknown field extra/],
    [{ ...good, apiVersion: 'v1' }, /apiVersion/],
    [{ ...good, kind: 'Other' }, /kind/],
    [{ ...good, state: 'maybe' }, /state must be/],
    [{ ...good, clustersOff: ['UPPER'] }, /clustersOff/],
    [{ ...good, generation: -1 }, /generation/],
    [{ ...good, generation: 1.5 }, /generation/],
    [{ ...good, issued: 'yesterday' }, /issued/],
  ];
  for (const [doc, reason] of broken) {
    const r = parseDocument(JSON.stringify(doc));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
});

test('property: whatever order documents arrive in (replays included), the guard ends on the newest generation and never goes back', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (gens, order, states) => {
      const docs = gens.map((g, i): SwitchDocument => ({ apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: states[i] === true ? 'off' : 'on', clustersOff: [], generation: g, issued: '2026-12-07T16:00:00.000Z' }));
      // Every document at least once, then replays in any order.
      const arrivals = [...docs, ...order.map((k) => docs[k % docs.length] as SwitchDocument)];
      let known: SwitchDocument | undefined;
      for (const d of arrivals) {
        const before = known?.generation ?? -1;
        const a = acceptDocument(known, d, 'agent');
        if (a.accept) known = d;
        assert.ok((known?.generation ?? -1) >= before, 'never back to an older generation');
        if (d.generation < before) assert.equal(a.accept, false, 'an older document is refused');
      }
      const newest = docs.reduce((m, d) => (d.generation > m.generation ? d : m));
      assert.deepEqual(known, newest);
    }),
  );
});

test('generation rule: another change, a different document with the same generation, and the same document again', () => {
  const doc: SwitchDocument = { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: 'off', clustersOff: [], generation: 5, issued: '2026-12-07T16:00:00.000Z' };
  assert.deepEqual(acceptDocument(undefined, { ...doc, change: 'other' }, 'agent'), { accept: false, reason: 'document of change "other", not "agent": refused' });
  const same = acceptDocument(doc, { ...doc, state: 'on' }, 'agent');
  assert.equal(same.accept, false);
  assert.deepEqual(acceptDocument(doc, { ...doc }, 'agent'), { accept: true, newer: false });
});

test('property: the next generation is above the last and at least the issue time, whatever the clock did', () => {
  fc.assert(
    fc.property(fc.option(fc.nat({ max: 2 ** 50 }), { nil: undefined }), fc.nat({ max: 2 ** 50 }), (last, now) => {
      const g = nextGeneration(last, now);
      assert.ok(g > (last ?? 0));
      assert.ok(g >= now);
      assert.ok(Number.isSafeInteger(g));
    }),
  );
});

test("the guard's decision: off stops; unreachable stops only under policy stop; a switch never read stops under policy stop after a failed read", () => {
  const table: [Parameters<typeof decide>[0], 'run' | 'stop'][] = [
    [{ known: 'off', failures: 0, policy: 'keep-running' }, 'stop'],
    [{ known: 'off', failures: 9, policy: 'keep-running' }, 'stop'],
    [{ known: 'on', failures: 0, policy: 'stop' }, 'run'],
    [{ known: 'on', failures: 1, policy: 'stop' }, 'run'],
    [{ known: 'on', failures: 2, policy: 'stop' }, 'stop'],
    [{ known: 'on', failures: 2, policy: 'keep-running' }, 'run'],
    [{ known: undefined, failures: 0, policy: 'stop' }, 'run'],
    [{ known: undefined, failures: 1, policy: 'stop' }, 'stop'],
    [{ known: undefined, failures: 5, policy: 'keep-running' }, 'run'],
  ];
  for (const [view, action] of table) assert.equal(decide(view).action, action, JSON.stringify(view));
});

test('effective state: off everywhere, or off in the listed clusters only', () => {
  const doc: SwitchDocument = { apiVersion: SWITCH_API_VERSION, kind: SWITCH_KIND, change: 'agent', state: 'on', clustersOff: ['prod-a'], generation: 1, issued: '2026-12-07T16:00:00.000Z' };
  assert.equal(effectiveState(doc, 'prod-a'), 'off');
  assert.equal(effectiveState(doc, 'prod-b'), 'on');
  assert.equal(effectiveState(doc, undefined), 'on');
  assert.equal(effectiveState({ ...doc, state: 'off' }, 'prod-b'), 'off');
});

test('the endpoint is named by IP address, never by a host name', () => {
  assert.equal(checkSwitchUrl('http://10.0.0.7:8080'), undefined);
  assert.equal(checkSwitchUrl('https://[fd00::7]:8443/prefix'), undefined);
  assert.match(checkSwitchUrl('http://switch.internal:8080') ?? '', /by IP address/);
  assert.match(checkSwitchUrl('ftp://10.0.0.7') ?? '', /http/);
  assert.match(checkSwitchUrl('http://10.0.0.300') ?? '', /not a URL/);
  assert.match(checkSwitchUrl('http://localhost:8080') ?? '', /by IP address/);
  assert.match(checkSwitchUrl('http://u:p@10.0.0.7') ?? '', /credentials/);
  assert.match(checkSwitchUrl('nonsense') ?? '', /not a URL/);
  assert.equal(switchUrl('http://10.0.0.7:8080/base/', 'agent'), 'http://10.0.0.7:8080/base/v1/switches/agent');
});

test('public keys are read from one line of base64 or PEM, and only Ed25519', () => {
  const line = publicKeyText(keys.publicKey);
  assert.equal(parsePublicKey(line)?.asymmetricKeyType, 'ed25519');
  assert.equal(parsePublicKey(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString())?.asymmetricKeyType, 'ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.equal(parsePublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()), undefined);
  assert.equal(parsePublicKey('not a key'), undefined);
  assert.equal(parsePublicKey(''), undefined);
});
