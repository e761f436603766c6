import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { jsonSchemas, SCHEMA_BASE_URL } from '../../src/input/json-schema.ts';
import { ModelPatchSchema } from '../../src/model/model-patch.ts';
import { parseYaml } from '../../src/input/yaml.ts';
import { DEFAULT_MODEL } from '../../src/model/defaults.ts';

type Node = Readonly<Record<string, unknown>>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

void describe('JSON Schemas', () => {
  const schemas = jsonSchemas();

  void it('are committed in schemas/ exactly as generated (regenerate with `npm run schemas`)', () => {
    assert.deepEqual(Object.keys(schemas).sort(), ['fleet.schema.json', 'plan.schema.json', 'scenario.schema.json']);
    for (const [name, schema] of Object.entries(schemas)) {
      const committed: unknown = JSON.parse(readFileSync(`schemas/${name}`, 'utf8'));
      assert.deepEqual(committed, schema, `schemas/${name} is out of date`);
    }
  });

  void it('declare draft-07 and a versioned $id', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      assert.ok(isNode(schema));
      assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
      assert.equal(schema.$id, `${SCHEMA_BASE_URL}${name}`);
      assert.equal(SCHEMA_BASE_URL, 'https://firebreak.dev/schemas/v1alpha1/');
    }
  });

  void it('describe every field and close every object not deliberately opened', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (!isNode(node)) return;
      // Objects are closed unless deliberately opened (additionalProperties: true, e.g. an inline Kubernetes object of any kind).
      if (node.type === 'object' && isNode(node.properties) && node.additionalProperties === undefined) missing.push(`${at}: open object`);
      if (isNode(node.properties)) {
        for (const [k, v] of Object.entries(node.properties)) if (isNode(v) && v.$ref === undefined && typeof v.description !== 'string') missing.push(`${at}/properties/${k}`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    };
    for (const [name, schema] of Object.entries(schemas)) walk(schema, name);
    assert.deepEqual(missing, []);
  });

  void it('validate the valid fixtures and reject a broken one, as editors would', () => {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, discriminator: true, strictRequired: false });
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    const check = (name: string, file: string): boolean => {
      const validate = ajv.getSchema(`${SCHEMA_BASE_URL}${name}`);
      assert.ok(validate !== undefined);
      return validate(parseYaml(readFileSync(file, 'utf8'), file).value) === true;
    };
    assert.ok(check('fleet.schema.json', 'test/fixtures/input/valid/fleet.yaml'));
    assert.ok(check('scenario.schema.json', 'test/fixtures/input/valid/scenario-full.yaml'));
    assert.ok(check('scenario.schema.json', 'test/fixtures/input/valid/scenario-minimal.yaml'));
    assert.ok(check('plan.schema.json', 'plans/default.yaml'));
    assert.ok(!check('fleet.schema.json', 'test/fixtures/input/invalid/fleet-schema.yaml'));
    assert.ok(!check('scenario.schema.json', 'test/fixtures/input/invalid/scenario-schema.yaml'));
  });
});

void describe('model override schema', () => {
  /** Field tree of a value: objects by key; lists by the fields of their items. */
  function valueTree(v: unknown): unknown {
    if (Array.isArray(v)) return { '[]': valueTree(v[0]) };
    if (!isNode(v)) return 'leaf';
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, valueTree(v[k])]));
  }
  function schemaTree(s: unknown): unknown {
    if (!isNode(s)) return 'leaf';
    if (s.type === 'array') return { '[]': schemaTree(s.items) };
    if (!isNode(s.properties)) return 'leaf';
    const props = s.properties;
    return Object.fromEntries(Object.keys(props).sort().map((k) => [k, schemaTree(props[k])]));
  }

  void it('has exactly the fields of ModelConfig (update src/input/schema.ts when the model changes)', () => {
    assert.deepEqual(schemaTree(ModelPatchSchema), valueTree(DEFAULT_MODEL));
  });
});

void describe('docs/scenario-format.md', () => {
  void it('documents every model field', () => {
    const doc = readFileSync('docs/scenario-format.md', 'utf8');
    const fields: string[] = [];
    const walk = (s: unknown, at: string[]): void => {
      if (!isNode(s) || !isNode(s.properties)) return;
      for (const [k, v] of Object.entries(s.properties)) {
        fields.push([...at, k].join('.'));
        if (isNode(v) && v.type === 'object') walk(v, [...at, k]);
      }
    };
    walk(ModelPatchSchema, []);
    assert.deepEqual(
      fields.filter((f) => !doc.includes(`\`${f}\``)),
      [],
    );
  });
});
