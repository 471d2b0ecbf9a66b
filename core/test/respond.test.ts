import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapFunctionReply, errorReply, RESPONSE_MALFORMED } from '../src/respond.ts';
import { errorBody, GatewayError } from '../src/errors.ts';
import type { Invocation, InvokeResult } from '../src/context.ts';

const invocation = (eventType: string) => ({ subscription: { eventType }, event: { type: eventType } }) as unknown as Invocation;
const result = (body: string, headers: Record<string, string> = {}): InvokeResult => ({ status: 200, headers, body: Buffer.from(body) });
const fresh = () => ({ status: 200, headers: {}, body: '' });

describe('sync reply mapping (reference §4.5)', () => {
  it('maps the http.request response object', () => {
    const reply = mapFunctionReply(fresh(), result('{"statusCode":201,"headers":{"content-type":"text/html"},"body":"<head></head>"}'), invocation('http.request'));
    assert.deepEqual(reply, { status: 201, headers: { 'content-type': 'text/html' }, body: '<head></head>' });
  });

  it('treats {} and statusCode 0 as 200 with an empty body', () => {
    assert.deepEqual(mapFunctionReply(fresh(), result('{}'), invocation('http.request')), { status: 200, headers: {}, body: '' });
    assert.equal(mapFunctionReply(fresh(), result('{"statusCode":0}'), invocation('http.request')).status, 200);
  });

  for (const body of ['not json', '[]', '"x"', '{"body":{}}', '{"headers":{"a":1}}', '{"statusCode":"200"}', '{"statusCode":42}', '{"statusCode":200.5}', '{"headers":[]}']) {
    it(`refuses a malformed response object: ${body}`, () => {
      assert.throws(() => mapFunctionReply(fresh(), result(body), invocation('http.request')), (err: unknown) =>
        err instanceof GatewayError && err.message === RESPONSE_MALFORMED && err.status === 500 && err.expose);
    });
  }

  it('maps every sync event type the same way, as the original does (httpRequestHandler for every sync subscription)', () => {
    const reply = mapFunctionReply(fresh(), result('{"statusCode":201,"headers":{"x-a":"b"},"body":"created"}', { 'content-type': 'application/json' }), invocation('user.created'));
    assert.deepEqual(reply, { status: 201, headers: { 'x-a': 'b' }, body: 'created' });
    assert.throws(() => mapFunctionReply(fresh(), result('raw bytes', { 'content-type': 'text/plain' }), invocation('user.created')), (err: unknown) =>
      err instanceof GatewayError && err.message === RESPONSE_MALFORMED && err.status === 500);
  });
});

describe('error replies', () => {
  it('exposes 4xx messages and hides unexposed 5xx ones, always as the JSON envelope', () => {
    const bad = errorReply(new GatewayError('GW_ERR_VALIDATION', 'nope'), 'Internal Server Error');
    assert.equal(bad.status, 400);
    assert.equal(bad.body, '{"errors":[{"message":"nope"}]}\n');
    assert.equal(bad.headers['content-type'], 'application/json; charset=utf-8');
    const hidden = errorReply(new Error('secret detail'), 'Internal Server Error');
    assert.equal(hidden.status, 500);
    assert.equal(hidden.body, '{"errors":[{"message":"Internal Server Error"}]}\n');
    const full = errorReply(new GatewayError('GW_ERR_QUEUE_FULL', 'full', { headers: { 'Retry-After': '1' } }), 'x');
    assert.equal(full.status, 429);
    assert.equal(full.headers['Retry-After'], '1');
  });
});

describe('error details', () => {
  it('lists each detail as its own entry after the message, with its pointer when it has one', () => {
    const details = [{ message: '/age must be >= 0', pointer: '/age' }, { message: "must have required property 'name'", pointer: '' }, { message: 'no pointer' }];
    const reply = errorReply(new GatewayError('GW_ERR_VALIDATION', 'summary', { details }), 'Internal Server Error');
    assert.equal(reply.status, 400);
    assert.deepEqual(JSON.parse(reply.body as string), {
      errors: [{ message: 'summary' }, { message: '/age must be >= 0', pointer: '/age' }, { message: "must have required property 'name'", pointer: '' }, { message: 'no pointer' }],
    });
  });

  it('sends no details of an unexposed error, and none by default', () => {
    const hidden = errorReply(new GatewayError('GW_ERR_STORE', 'secret', { details: [{ message: 'secret detail' }] }), 'Internal Server Error');
    assert.equal(hidden.body, '{"errors":[{"message":"Internal Server Error"}]}\n');
    assert.deepEqual(new GatewayError('GW_ERR_VALIDATION', 'x').details, []);
  });

  it('errorBody (both APIs) renders the same envelope', () => {
    assert.deepEqual(errorBody('m'), { errors: [{ message: 'm' }] });
    assert.deepEqual(errorBody('m', [{ message: 'a', pointer: '/a' }, { message: 'b' }]), { errors: [{ message: 'm' }, { message: 'a', pointer: '/a' }, { message: 'b' }] });
  });
});
