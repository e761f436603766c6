/**
 * Property tests of the served API's invariants:
 * - paging with limit/continue returns every object that exists throughout
 *   exactly once, in key order, whatever is created or deleted between pages;
 * - server-side apply: applying the same configuration again changes
 *   nothing; two managers applying disjoint fields both keep theirs; a
 *   manager applying a field another owns with a different value conflicts
 *   (409) unless forced.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { json, makeApi, pick } from './scripted-backend.ts';

const CM_PATH = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

test('paging returns every object that exists throughout exactly once, in order, under concurrent writes', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { minLength: 0, maxLength: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 999 })), { maxLength: 30 }),
      (stable, limit, writes) => {
        const { api } = makeApi(1);
        const name = (n: number, kind: string): string => `${kind}-${String(n).padStart(3, '0')}`;
        for (const n of stable) assert.equal(json(api, { method: 'POST', path: CM_PATH, body: cm(name(n, 's')) }).status, 201);
        const seen: string[] = [];
        let token: string | undefined;
        let w = 0;
        for (let page = 0; page < 200; page++) {
          const r = json(api, { path: CM_PATH, query: `limit=${limit}${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}` });
          assert.equal(r.status, 200);
          const items = pick(r.body, 'items') as unknown[];
          assert.ok(items.length <= limit);
          seen.push(...items.map((i) => String(pick(i, 'metadata.name'))));
          // Writers between pages: other objects created or deleted anywhere in the key space.
          for (let k = 0; k < 3 && w < writes.length; k++, w++) {
            const [create, n] = writes[w] ?? [true, 0];
            if (create) json(api, { method: 'POST', path: CM_PATH, body: cm(name(n, 'o')) });
            else json(api, { method: 'DELETE', path: `${CM_PATH}/${name(n, 'o')}` });
          }
          const next = pick(r.body, 'metadata.continue');
          if (typeof next !== 'string' || next === '') break;
          token = next;
        }
        const stableNames = stable.map((n) => name(n, 's')).sort();
        assert.deepEqual(seen.filter((s) => s.startsWith('s-')), stableNames, 'each stable object once');
        for (let i = 1; i < seen.length; i++) assert.ok((seen[i - 1] ?? '') < (seen[i] ?? ''), `in key order: ${seen[i - 1] ?? ''} < ${seen[i] ?? ''}`);
      },
    ),
    { numRuns: 60 },
  );
});

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const value = fc.constantFrom('1', '2', '3');
const dataArb = fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true });

function apply(api: ReturnType<typeof makeApi>['api'], manager: string, data: Record<string, string>, force = false) {
  return json(api, { method: 'PATCH', path: `${CM_PATH}/p`, query: `fieldManager=${manager}${force ? '&force=true' : ''}`, contentType: 'application/apply-patch+yaml', body: cm('p', data) });
}

test('server-side apply: idempotent, disjoint managers keep their fields, overlapping different values conflict unless forced', () => {
  fc.assert(
    fc.property(dataArb, dataArb, (da, db) => {
      const { api } = makeApi(1);
      const first = apply(api, 'A', da);
      assert.equal(first.status, 201);
      const again = apply(api, 'A', da);
      assert.equal(again.status, 200);
      assert.deepEqual(pick(again.body, 'data') ?? {}, pick(first.body, 'data') ?? {}, 'applying again changes nothing');
      assert.equal(pick(again.body, 'metadata.resourceVersion') !== undefined, true);

      const clash = Object.keys(db).filter((k) => k in da && da[k] !== db[k]);
      const b = apply(api, 'B', db);
      if (clash.length > 0) {
        assert.equal(b.status, 409);
        for (const k of clash) assert.match(String(pick(b.body, 'message')), new RegExp(`conflict with "A" using v1: \\.data\\.${k}`));
        const forced = apply(api, 'B', db, true);
        assert.equal(forced.status, 200);
        assert.deepEqual(pick(forced.body, 'data'), { ...da, ...db });
        // A no longer owns the clashing fields: A re-applying without them keeps B's values.
        const aWithout = Object.fromEntries(Object.entries(da).filter(([k]) => !clash.includes(k)));
        const a2 = apply(api, 'A', aWithout);
        assert.equal(a2.status, 200);
        assert.deepEqual(pick(a2.body, 'data') ?? {}, { ...aWithout, ...db });
      } else {
        assert.equal(b.status, 200);
        assert.deepEqual(pick(b.body, 'data') ?? {}, { ...da, ...db }, 'both managers\' fields');
        // A drops its fields: those B does not also own go, B's stay.
        const a2 = apply(api, 'A', {});
        assert.deepEqual(pick(a2.body, 'data') ?? {}, db);
      }
    }),
    { numRuns: 150 },
  );
});
