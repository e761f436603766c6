/** The model described once: its schema types the defaults, bounds them, and gives the scenario's override schema. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';
import { mergeModel } from '../../src/model/model-merge.ts';
import { ModelPatchSchema, QUANTITY_PATTERN } from '../../src/model/model-patch.ts';
import { ModelSchema } from '../../src/model/model-schema.ts';

type Node = Readonly<Record<string, unknown>>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const props = (s: unknown): Node => (isNode(s) && isNode(s.properties) ? s.properties : {});

/** Every [path, model node, patch node] of fields that are not objects, walking both schemas together. */
function leaves(model: unknown, patch: unknown, at: string[] = []): [string, Node, Node][] {
  const out: [string, Node, Node][] = [];
  for (const [k, m] of Object.entries(props(model))) {
    const p = props(patch)[k];
    assert.ok(isNode(m) && isNode(p), `${[...at, k].join('.')} is in the model but not in the override schema`);
    if (m.type === 'object') out.push(...leaves(m, p, [...at, k]));
    else out.push([[...at, k].join('.'), m, p]);
  }
  return out;
}

void describe('the model schema', () => {
  const check = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(ModelSchema);

  void it('accepts the defaults: every default is within its bounds', () => {
    assert.equal(check(DEFAULT_MODEL), true, JSON.stringify(check.errors));
  });

  void it('rejects a model with a value out of bounds, a field it does not know, or a missing field', () => {
    assert.equal(check(mergeModel(DEFAULT_MODEL, { apiServer: { replicas: 0 } })), false);
    assert.equal(check({ ...DEFAULT_MODEL, extra: 1 }), false);
    assert.equal(check(Object.fromEntries(Object.entries(DEFAULT_MODEL).filter(([k]) => k !== 'engine'))), false);
  });
});

void describe('the override schema is derived from the model schema', () => {
  const fields = leaves(ModelSchema, ModelPatchSchema);

  void it('has every object of the model, all fields optional at every depth (a deep partial)', () => {
    const required: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (!isNode(s) || s.type !== 'object') return;
      if (Array.isArray(s.required) && s.required.length > 0) required.push(at);
      for (const [k, v] of Object.entries(props(s))) walk(v, `${at}.${k}`);
    };
    walk(ModelPatchSchema, 'model');
    assert.deepEqual(required, []);
    assert.ok(fields.length > 80, `${fields.length} fields`);
  });

  void it("keeps each field's bounds and description, and adds its default to the description", () => {
    for (const [path, m, p] of fields) {
      for (const bound of ['minimum', 'exclusiveMinimum', 'maximum', 'minItems'] as const) assert.equal(p[bound], m[bound], `${path}.${bound}`);
      assert.ok(typeof m.description === 'string' && typeof p.description === 'string');
      assert.ok(p.description.startsWith(`${m.description} Default: `), `${path}: ${p.description}`);
    }
    const replicas = fields.find(([path]) => path === 'apiServer.replicas');
    assert.equal(replicas?.[2].description, `API server replicas per cluster (1 to 20). Default: ${DEFAULT_MODEL.apiServer.replicas}.`);
  });

  void it('lets every …Bytes field, and only those, be written as a quantity', () => {
    const quantities: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (!isNode(s)) return;
      if (s.pattern === QUANTITY_PATTERN) quantities.push(at);
      for (const [k, v] of Object.entries(props(s))) walk(v, `${at}.${k}`);
      if (isNode(s.items)) walk(s.items, `${at}[]`);
    };
    walk(ModelPatchSchema, 'model');
    const bytes: string[] = [];
    const names = (v: unknown, at: string): void => {
      if (Array.isArray(v)) return names(v[0], `${at}[]`);
      if (!isNode(v)) return;
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith('Bytes')) bytes.push(`${at}.${k}`);
        else names(x, `${at}.${k}`);
      }
    };
    names(DEFAULT_MODEL, 'model');
    assert.deepEqual(quantities.sort(), bytes.sort());
    assert.ok(bytes.includes('model.apiServer.sizing[].memoryBytes'));
  });
});

void describe('docs/scenario-format.md', () => {
  void it("gives every model field the override schema's description, default included", () => {
    const doc = readFileSync('docs/scenario-format.md', 'utf8');
    const wrong: string[] = [];
    for (const [path, , p] of leaves(ModelSchema, ModelPatchSchema)) {
      const row = new RegExp(`^\\| \`${path.replace(/\./g, '\\.')}\` \\| [^|]+ \\| (.*) \\|$`, 'm').exec(doc);
      if (row?.[1] !== p.description) wrong.push(`${path}: documented ${JSON.stringify(row?.[1])}, generated ${JSON.stringify(p.description)}`);
    }
    assert.deepEqual(wrong, []);
  });
});
