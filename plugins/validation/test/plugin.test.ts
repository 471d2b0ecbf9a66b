import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, GatewayError } from '@switchyard/core';
import type { ConfigResource } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';
import { DRAFT_2020_12, MAX_LISTED_VIOLATIONS, ValidationPlugin } from '../src/index.ts';
import type { ValidationOptions } from '../src/index.ts';
import { contextFor, putEventType } from './helpers.ts';

const USER_SCHEMA = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 0 } },
};

function setup(options?: ValidationOptions) {
  const logger = captureLogger();
  const plugin = new ValidationPlugin(options);
  const gateway = new Gateway({ logger, plugins: [plugin] });
  const configure = (name: string, body: Record<string, unknown>, op: 'create' | 'update' = 'create', space = 'default') =>
    gateway.hooks.configResource.promise({ space, name }, { kind: 'eventtypes', op, space, body: { name, ...body } });
  const validate = (...args: Parameters<typeof contextFor>) => gateway.hooks.validation.promise(contextFor(...args));
  return { gateway, plugin, logger, configure, validate };
}

/** Assert a rejection is the plugin's GatewayError with this code, status and message. */
function rejectsWith(code: string, status: number, message: string | RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

describe('ValidationPlugin: options', () => {
  const bad: [unknown, RegExp][] = [
    [null, /options must be an object/],
    ['strict', /options must be an object/],
    [{ strictEventTypes: 'yes' }, /"strictEventTypes" must be a boolean/],
    [{ formats: 1 }, /"formats" must be a boolean/],
    [{ strictEventType: true }, /unknown option "strictEventType" \(known: strictEventTypes, formats\)/],
  ];
  for (const [options, expected] of bad) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(() => new ValidationPlugin(options as ValidationOptions), (err: unknown) =>
        err instanceof GatewayError && err.code === 'GW_ERR_PLUGIN_OPTIONS' && expected.test(err.message) && err.message.startsWith('ValidationPlugin: '));
    });
  }

  it('types catch option misuse', () => {
    // @ts-expect-error strictEventTypes is a boolean
    assert.throws(() => new ValidationPlugin({ strictEventTypes: 'yes' }));
    // @ts-expect-error unknown option
    assert.throws(() => new ValidationPlugin({ strict: true }));
  });

  it('accepts none, and taps configResource, start, close and validation under its name', () => {
    const { gateway } = setup();
    for (const hook of [gateway.hooks.configResource, gateway.hooks.start, gateway.hooks.close, gateway.hooks.validation]) {
      assert.deepEqual(hook.taps.map((t) => t.name), ['ValidationPlugin']);
    }
  });
});

describe('ValidationPlugin: the schema field on event types (configResource)', () => {
  it('keeps the schema as sent, after the core fields; adds nothing when absent; ignores other kinds', async () => {
    const { configure, gateway } = setup();
    assert.deepEqual(await configure('user.created', { schema: USER_SCHEMA }), { space: 'default', name: 'user.created', schema: USER_SCHEMA });
    assert.deepEqual(await configure('plain', {}), { space: 'default', name: 'plain' });
    assert.deepEqual(await configure('bool', { schema: false }), { space: 'default', name: 'bool', schema: false });
    const fn = { space: 'default', functionId: 'f', type: 'http', provider: { url: 'http://127.0.0.1/' } } as ConfigResource;
    assert.equal(await gateway.hooks.configResource.promise(fn, { kind: 'functions', op: 'create', space: 'default', body: { schema: 5 } }), fn);
  });

  const invalid: [string, unknown, string][] = [
    ['null', null, 'a JSON Schema must be an object or a boolean (omit "schema" for none)'],
    ['a string', 'object', 'a JSON Schema must be an object or a boolean'],
    ['an unknown $schema', { $schema: 'https://json-schema.org/draft/2019-09/schema' }, 'unknown "$schema" "https://json-schema.org/draft/2019-09/schema": use "http://json-schema.org/draft-07/schema#" (draft-07, the default) or "https://json-schema.org/draft/2020-12/schema" (2020-12)'],
    ['an unknown keyword', { type: 'object', requird: ['a'] }, 'strict mode: unknown keyword: "requird"'],
    ['a meta-schema violation', { type: 'object', properties: [] }, 'schema/properties must be object'],
    ['an unknown format', { type: 'string', format: 'e-mail' }, 'unknown format "e-mail" ignored in schema at path "#"'],
  ];
  for (const [label, schema, problem] of invalid) {
    it(`refuses ${label} with a 400 naming the problem`, async () => {
      const { configure } = setup();
      await assert.rejects(configure('a.b', { schema }), rejectsWith('GW_ERR_VALIDATION', 400, `Event Type doesn't validate. Validation error: schema is invalid: ${problem}`));
    });
  }

  it('with formats off, accepts unknown formats and does not assert them', async () => {
    const { configure, gateway, validate } = setup({ formats: false });
    const resource = await configure('a.b', { schema: { type: 'string', format: 'e-mail' } });
    putEventType(gateway, resource as never);
    await validate({ type: 'a.b', data: 'anything' });
  });
});

describe('ValidationPlugin: validating events', () => {
  const { gateway, validate } = setup();
  putEventType(gateway, { space: 'default', name: 'user.created', schema: USER_SCHEMA });
  putEventType(gateway, { space: 'default', name: 'no.schema' });
  putEventType(gateway, { space: 'default', name: 'closed', schema: { $schema: DRAFT_2020_12, type: 'object', properties: { a: true }, unevaluatedProperties: false } });
  after(() => gateway.close());

  it('passes valid data, events of types without a schema, and unregistered types (not strict)', async () => {
    await validate({ type: 'user.created', data: { name: 'Ada', email: 'ada@example.com', age: 36 } });
    await validate({ type: 'no.schema', data: 'whatever' });
    await validate({ type: 'not.registered', data: 1 });
  });

  it('refuses invalid data with a 400 listing every violation with its pointer, also as details', async () => {
    await assert.rejects(validate({ type: 'user.created', data: { email: 'nope', age: -1 } }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'GW_ERR_VALIDATION');
      assert.equal(err.status, 400);
      assert.equal(err.expose, true);
      assert.equal(err.message,
        'Event data doesn\'t match the schema of event type "user.created": must have required property \'name\'; /email must match format "email"; /age must be >= 0');
      assert.deepEqual(err.details, [
        { message: "must have required property 'name'", pointer: '' },
        { message: '/email must match format "email"', pointer: '/email' },
        { message: '/age must be >= 0', pointer: '/age' },
      ]);
      assert.equal(err.tap, 'validation/ValidationPlugin');
      return true;
    });
  });

  it('names the extra property of additional/unevaluated properties', async () => {
    await assert.rejects(validate({ type: 'closed', data: { a: 1, b: 2 } }),
      rejectsWith('GW_ERR_VALIDATION', 400, 'Event data doesn\'t match the schema of event type "closed": must NOT have unevaluated properties: \'b\''));
  });

  it('validates an event without data as null', async () => {
    await assert.rejects(validate({ type: 'user.created' }), rejectsWith('GW_ERR_VALIDATION', 400, /: must be object$/));
  });

  it('decodes data_base64 when datacontenttype is JSON, and refuses it when it does not parse', async () => {
    const base64 = (value: string) => Buffer.from(value).toString('base64');
    await validate({ type: 'user.created', datacontenttype: 'application/json; charset=utf-8', data_base64: base64('{"name":"Ada"}') });
    await assert.rejects(validate({ type: 'user.created', datacontenttype: 'application/vnd.api+json', data_base64: base64('{"age":-1}') }), rejectsWith('GW_ERR_VALIDATION', 400, /required property 'name'; \/age must be >= 0$/));
    await assert.rejects(validate({ type: 'user.created', datacontenttype: 'application/json', data_base64: base64('{nope') }),
      rejectsWith('GW_ERR_VALIDATION', 400, /^Event data doesn't match the schema of event type "user.created": data_base64 is not valid JSON \(datacontenttype "application\/json"\): /));
  });

  it('validates other data_base64 as the base64 string itself', async () => {
    putEventType(gateway, { space: 'default', name: 'blob', schema: { type: 'string', contentEncoding: 'base64', maxLength: 8 } });
    await validate({ type: 'blob', datacontenttype: 'application/octet-stream', data_base64: 'AAEC' });
    await assert.rejects(validate({ type: 'blob', datacontenttype: 'application/octet-stream', data_base64: 'AAECAwQFBgcICQ==' }), rejectsWith('GW_ERR_VALIDATION', 400, /: must NOT have more than 8 characters$/));
  });

  it(`lists at most ${MAX_LISTED_VIOLATIONS} violations and says how many more there were`, async () => {
    putEventType(gateway, { space: 'default', name: 'numbers', schema: { type: 'array', items: { type: 'number' } } });
    await assert.rejects(validate({ type: 'numbers', data: Array.from({ length: 250 }, () => 'x') }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.details.length, MAX_LISTED_VIOLATIONS);
      assert.deepEqual(err.details[99], { message: '/99 must be number', pointer: '/99' });
      assert.match(err.message, /\/99 must be number; and 150 more$/);
      return true;
    });
  });

  it('survives deeply nested data: a 400 for a recursive schema, and no stack use for a flat one', async () => {
    putEventType(gateway, { space: 'default', name: 'tree', schema: { type: 'array', items: { $ref: '#' } } });
    putEventType(gateway, { space: 'default', name: 'flat', schema: { type: 'array' } });
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    await assert.rejects(validate({ type: 'tree', data: deep }),
      rejectsWith('GW_ERR_VALIDATION', 400, 'Event data doesn\'t match the schema of event type "tree": the data is nested too deeply to be validated'));
    await validate({ type: 'flat', data: deep });
    await validate({ type: 'tree', data: [[[], [[]]]] });
  });

  it('uses the definition that applies to the space (global routing: its own, else the default space\'s, else the first)', async () => {
    putEventType(gateway, { space: 'other', name: 'spaced', schema: { type: 'string' } });
    await assert.rejects(validate({ type: 'spaced', data: 1 }, 'default'), rejectsWith('GW_ERR_VALIDATION', 400, /: must be string$/));
    putEventType(gateway, { space: 'default', name: 'spaced', schema: { type: 'number' } });
    await validate({ type: 'spaced', data: 1 }, 'default');
    await validate({ type: 'spaced', data: 'x' }, 'other');
    await assert.rejects(validate({ type: 'spaced', data: 'x' }, 'third'), rejectsWith('GW_ERR_VALIDATION', 400, /: must be number$/));
  });
});

describe('ValidationPlugin: strict event types', () => {
  it('refuses events of unregistered types, http.request included, and passes registered ones', async () => {
    const { gateway, validate } = setup({ strictEventTypes: true });
    await assert.rejects(validate({ type: 'user.deleted' }), rejectsWith('GW_ERR_VALIDATION', 400, 'Event type "user.deleted" is not registered.'));
    await assert.rejects(validate({ type: 'http.request', data: {} }), rejectsWith('GW_ERR_VALIDATION', 400, 'Event type "http.request" is not registered.'));
    putEventType(gateway, { space: 'default', name: 'http.request' });
    putEventType(gateway, { space: 'default', name: 'user.deleted' });
    await validate({ type: 'http.request', data: {} });
    await validate({ type: 'user.deleted' });
  });
});
