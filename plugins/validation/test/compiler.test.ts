import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DRAFT_07, DRAFT_2020_12, SchemaCompiler } from '../src/index.ts';
import type { CompiledSchema } from '../src/index.ts';

function problem(compiled: CompiledSchema): string {
  assert.equal(compiled.ok, false, 'expected the schema to be refused');
  return compiled.ok ? '' : compiled.problem;
}

function validator(compiled: CompiledSchema): (data: unknown) => boolean {
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.problem);
  return (data) => (compiled.ok ? compiled.validate(data) : false);
}

describe('SchemaCompiler: dialects', () => {
  const compiler = new SchemaCompiler();

  it('uses draft-07 by default and when $schema says so (with or without the empty fragment)', () => {
    for (const schema of [{ type: 'object' }, { $schema: DRAFT_07, type: 'object' }, { $schema: 'http://json-schema.org/draft-07/schema', type: 'object' }]) {
      const compiled = compiler.compile(schema);
      assert.ok(compiled.ok && compiled.dialect === 'draft-07', JSON.stringify(schema));
    }
  });

  it('uses 2020-12 when $schema says so: prefixItems, unevaluatedProperties and $defs work', () => {
    const schema = {
      $schema: DRAFT_2020_12,
      type: 'object',
      properties: { point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false }, name: { $ref: '#/$defs/name' } },
      $defs: { name: { type: 'string', minLength: 1 } },
      unevaluatedProperties: false,
    };
    const compiled = compiler.compile(schema);
    assert.ok(compiled.ok && compiled.dialect === '2020-12');
    const valid = validator(compiled);
    assert.equal(valid({ point: [1, 2], name: 'a' }), true);
    assert.equal(valid({ point: [1, 2, 3] }), false, 'items: false after prefixItems');
    assert.equal(valid({ name: '' }), false);
    assert.equal(valid({ other: 1 }), false, 'unevaluatedProperties');
    assert.ok(compiler.compile({ $schema: `${DRAFT_2020_12}#`, type: 'string' }).ok);
  });

  it('refuses 2020-12 keywords in a draft-07 schema as unknown (strict mode)', () => {
    assert.match(problem(compiler.compile({ prefixItems: [{ type: 'string' }] })), /unknown keyword: "prefixItems"/);
  });

  it('refuses an unknown or malformed $schema, naming the supported ones', () => {
    assert.match(problem(compiler.compile({ $schema: 'http://json-schema.org/draft-04/schema#' })),
      /^unknown "\$schema" "http:\/\/json-schema.org\/draft-04\/schema#": use "http:\/\/json-schema.org\/draft-07\/schema#" \(draft-07, the default\) or "https:\/\/json-schema.org\/draft\/2020-12\/schema" \(2020-12\)$/);
    assert.equal(problem(compiler.compile({ $schema: 7 })), '"$schema" must be a string');
  });
});

describe('SchemaCompiler: invalid schemas are refused with the problem', () => {
  const compiler = new SchemaCompiler();
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /^a JSON Schema must be an object or a boolean$/],
    ['an array', [{ type: 'string' }], /^a JSON Schema must be an object or a boolean$/],
    ['a string', 'object', /^a JSON Schema must be an object or a boolean$/],
    ['a number', 1, /^a JSON Schema must be an object or a boolean$/],
    ['an unknown keyword (typo)', { type: 'object', propertiez: { a: {} } }, /^strict mode: unknown keyword: "propertiez"$/],
    ['a nested unknown keyword', { properties: { a: { type: 'string', minLenght: 1 } } }, /unknown keyword: "minLenght"/],
    ['a wrong type name', { type: 'strin' }, /schema\/type must be equal to one of the allowed values/],
    ['a non-array required', { required: 'name' }, /^schema\/required must be array$/],
    ['a non-number limit', { minimum: '0' }, /schema\/minimum must be number/],
    ['an unknown format', { type: 'string', format: 'emial' }, /unknown format "emial"/],
    ['an unresolvable $ref', { $ref: '#/definitions/missing' }, /can't resolve reference #\/definitions\/missing/],
    ['a remote $ref (never fetched)', { $ref: 'https://example.com/schema.json' }, /can't resolve reference https:\/\/example.com\/schema.json/],
    ['an invalid pattern', { type: 'string', pattern: '(' }, /Invalid regular expression/],
  ];
  for (const [label, schema, expected] of cases) {
    it(label, () => assert.match(problem(compiler.compile(schema)), expected));
  }

  it('never throws, even for a schema nested deeper than the stack', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20_000; i++) deep = { type: 'object', properties: { a: deep } };
    const compiled = compiler.compile(deep);
    if (!compiled.ok) assert.ok(compiled.problem.length > 0);
  });
});

describe('SchemaCompiler: validation', () => {
  it('accepts boolean schemas', () => {
    const compiler = new SchemaCompiler();
    assert.equal(validator(compiler.compile(true))({ any: 'thing' }), true);
    assert.equal(validator(compiler.compile(false))(null), false);
  });

  it('reports every violation with its JSON pointer (allErrors)', () => {
    const compiled = new SchemaCompiler().compile({
      type: 'object',
      required: ['name'],
      properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 0 }, 'a/b': { type: 'string' } },
    });
    assert.ok(compiled.ok);
    assert.equal(compiled.validate({ email: 'nope', age: -1, 'a/b': 1 }), false);
    assert.deepEqual(compiled.validate.errors?.map((e) => [e.instancePath, e.message]), [
      ['', "must have required property 'name'"],
      ['/email', 'must match format "email"'],
      ['/age', 'must be >= 0'],
      ['/a~1b', 'must be string'],
    ]);
  });

  it('asserts formats by default (ajv-formats, full mode)', () => {
    const valid = validator(new SchemaCompiler().compile({
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time' }, url: { type: 'string', format: 'uri' }, id: { type: 'string', format: 'uuid' } },
    }));
    assert.equal(valid({ at: '2024-02-29T12:00:00Z', url: 'https://example.com/a', id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' }), true);
    assert.equal(valid({ at: '2023-02-29T12:00:00Z' }), false, 'no 29 February in 2023');
    assert.equal(valid({ url: 'not a uri' }), false);
    assert.equal(valid({ id: 'x' }), false);
  });

  it('with formats off, format is an annotation: not asserted, and any format name is accepted', () => {
    const compiler = new SchemaCompiler({ formats: false });
    assert.equal(validator(compiler.compile({ type: 'string', format: 'email' }))('not an email'), true);
    assert.ok(compiler.compile({ type: 'string', format: 'my-own-format' }).ok);
  });

  it('keeps schemas apart: the same $id twice, and no $ref into another schema', () => {
    const compiler = new SchemaCompiler();
    assert.ok(compiler.compile({ $id: 'https://example.com/user', type: 'object' }).ok);
    assert.ok(compiler.compile({ $id: 'https://example.com/user', type: 'string' }).ok, 'an update keeps its $id');
    assert.match(problem(compiler.compile({ $ref: 'https://example.com/user' })), /can't resolve reference/);
  });

  it('does not change the data (no defaults, no coercion, nothing removed)', () => {
    const valid = validator(new SchemaCompiler().compile({
      type: 'object', properties: { n: { type: 'number' }, d: { type: 'string', default: 'x' } }, additionalProperties: true,
    }));
    const data = { n: 1, extra: true };
    assert.equal(valid(data), true);
    assert.deepEqual(data, { n: 1, extra: true });
    assert.equal(valid({ n: '1' }), false, 'a numeric string is not a number');
  });
});
