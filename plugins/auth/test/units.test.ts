import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudEvent } from '@switchyard/core';
import { AuthorizerCache, attachAuthorization, bearerToken, readVerdict, stripAuthorization } from '../src/index.ts';
import { presentedCredentials } from '../src/credentials.ts';
import { generateKey, hashKey, keyIdOf, keyMatches, digestOf } from '../src/apikeys/keys.ts';
import { parseApiKeyInput, checkSpace } from '../src/apikeys/validate.ts';

const v1: CloudEvent = { specversion: '1.0', id: '1', source: '/s', type: 't', data: {} };
const v01: CloudEvent = { specversion: '0.1', id: '1', source: '/s', type: 't', extensions: { eventgateway: { transformed: 'true' }, x: 1 } };
const authz = { principalId: 'p', context: { a: 'b' } };

describe('readVerdict', () => {
  const cases: [string, string, unknown][] = [
    ['allowed with authorization', '{"authorization":{"principalId":"u","context":{"k":"v"}}}', { ok: true, authorization: { principalId: 'u', context: { k: 'v' } } }],
    ['allowed, error null', '{"error":null,"authorization":{"principalId":"u"}}', { ok: true, authorization: { principalId: 'u', context: {} } }],
    ['allowed, {} (original quirk)', '{}', { ok: true, authorization: undefined }],
    ['denied with a message', '{"error":{"message":"nope"}}', { ok: false, denied: true, reason: 'authorizer "a" denied the event: nope', message: 'nope' }],
    ['denied without a message', '{"error":{}}', { ok: false, denied: true, reason: 'authorizer "a" denied the event', message: undefined }],
    ['denied even with an authorization', '{"authorization":{"principalId":"u"},"error":{"message":"x"}}', { ok: false, denied: true, reason: 'authorizer "a" denied the event: x', message: 'x' }],
    ['empty body', '', { ok: false, denied: false, reason: 'authorizer "a" reply is not JSON', message: undefined }],
    ['null', 'null', { ok: false, denied: false, reason: 'authorizer "a" reply is not a JSON object', message: undefined }],
    ['array', '[]', { ok: false, denied: false, reason: 'authorizer "a" reply is not a JSON object', message: undefined }],
    ['error is a string', '{"error":"x"}', { ok: false, denied: false, reason: 'authorizer "a" reply has a malformed "error"', message: undefined }],
    ['principalId not a string', '{"authorization":{"principalId":5}}', { ok: false, denied: false, reason: 'authorizer "a" reply has a malformed "authorization"', message: undefined }],
    ['context value not a string', '{"authorization":{"principalId":"u","context":{"n":1}}}', { ok: false, denied: false, reason: 'authorizer "a" reply has a malformed "authorization"', message: undefined }],
  ];
  for (const [name, body, expected] of cases) it(name, () => assert.deepEqual(readVerdict('a', body), expected));

  it('keeps a "__proto__" context key as data', () => {
    const verdict = readVerdict('a', '{"authorization":{"principalId":"u","context":{"__proto__":"x"}}}');
    assert.ok(verdict.ok);
    assert.equal(Object.getPrototypeOf(verdict.authorization!.context), Object.prototype);
    assert.equal(verdict.authorization!.context['__proto__'], 'x');
  });
});

describe('attach and strip', () => {
  it('1.0: the eventgatewayauthorization attribute, on a copy', () => {
    const out = attachAuthorization(v1, authz);
    assert.deepEqual(out['eventgatewayauthorization'], authz);
    assert.equal(v1['eventgatewayauthorization'], undefined);
  });
  it('0.1: merged into extensions.eventgateway; a non-object eventgateway is replaced', () => {
    assert.deepEqual(attachAuthorization(v01, authz)['extensions'], { eventgateway: { transformed: 'true', authorization: authz }, x: 1 });
    assert.deepEqual(attachAuthorization({ ...v01, extensions: { eventgateway: 'str' } }, authz)['extensions'], { eventgateway: { authorization: authz } });
    assert.deepEqual(attachAuthorization({ ...v01, extensions: undefined }, authz)['extensions'], { eventgateway: { authorization: authz } });
    assert.deepEqual(v01['extensions'], { eventgateway: { transformed: 'true' }, x: 1 });
  });
  it('strips what clients send, returns the same object when there is nothing to strip', () => {
    assert.equal(stripAuthorization(v1), v1);
    assert.equal(stripAuthorization(v01), v01);
    assert.equal(Object.hasOwn(stripAuthorization(attachAuthorization(v1, authz)), 'eventgatewayauthorization'), false);
    assert.deepEqual(stripAuthorization(attachAuthorization(v01, authz))['extensions'], v01['extensions']);
    const v1WithExtensions = { ...v1, extensions: { eventgateway: { authorization: 'kept: 1.0 has no extensions map' } } };
    assert.equal(stripAuthorization(v1WithExtensions), v1WithExtensions);
  });
});

describe('AuthorizerCache', () => {
  const allowed = { ok: true, authorization: authz } as const;
  it('keys on identity headers; none: not cacheable; values are hashed', () => {
    const cache = new AuthorizerCache({ ttlMs: 1000 });
    assert.equal(cache.key('s', 'a', 't', {}), undefined);
    assert.equal(cache.key('s', 'a', 't', { 'x-other': 'v' }), undefined);
    const k1 = cache.key('s', 'a', 't', { authorization: 'Bearer secret-token' })!;
    assert.ok(!k1.includes('secret-token'));
    assert.notEqual(k1, cache.key('s', 'a', 't', { 'x-api-key': 'Bearer secret-token' }), 'the header name is part of the key');
    assert.notEqual(k1, cache.key('s', 'a', 'u', { authorization: 'Bearer secret-token' }));
    assert.notEqual(k1, cache.key('s2', 'a', 't', { authorization: 'Bearer secret-token' }));
    assert.notEqual(k1, cache.key('s', 'b', 't', { authorization: 'Bearer secret-token' }));
    assert.equal(k1, cache.key('s', 'a', 't', { authorization: 'Bearer secret-token', 'x-other': 'ignored' }));
    const custom = new AuthorizerCache({ ttlMs: 1000, identityHeaders: ['X-Tenant'] });
    assert.ok(custom.key('s', 'a', 't', { 'x-tenant': 't1' }) !== undefined);
    assert.equal(custom.key('s', 'a', 't', { authorization: 'x' }), undefined);
  });
  it('expires after the TTL, evicts the least recently used, never keeps failures', () => {
    const cache = new AuthorizerCache({ ttlMs: 100, maxEntries: 2 });
    cache.set('a', allowed, 0);
    cache.set('b', allowed, 0);
    assert.equal(cache.get('a', 50), allowed);
    cache.set('c', allowed, 50);
    assert.equal(cache.get('b', 60), undefined, 'b was least recently used');
    assert.equal(cache.get('a', 99), allowed);
    assert.equal(cache.get('a', 100), undefined, 'expired');
    cache.set('f', { ok: false, denied: false, reason: 'r', message: undefined }, 0);
    assert.equal(cache.get('f', 1), undefined);
    cache.set('d', { ok: false, denied: true, reason: 'r', message: 'm' }, 0);
    assert.equal(cache.get('d', 1)?.ok, false);
  });
});

describe('credentials', () => {
  it('reads bearer tokens case-insensitively', () => {
    assert.equal(bearerToken({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(bearerToken({ authorization: 'bearer abc' }), 'abc');
    assert.equal(bearerToken({ authorization: 'BEARER  abc ' }), 'abc');
    assert.equal(bearerToken({ authorization: 'Basic abc' }), undefined);
    assert.equal(bearerToken({ authorization: 'Bearer' }), undefined);
    assert.equal(bearerToken({ authorization: 'Bearer a b' }), undefined);
  });
  it('splits API keys and JWTs', () => {
    assert.deepEqual(presentedCredentials({ authorization: 'Bearer sy_x' }, true, true), { apiKey: 'sy_x', jwt: undefined });
    assert.deepEqual(presentedCredentials({ authorization: 'Bearer eyJ' }, true, true), { apiKey: undefined, jwt: 'eyJ' });
    assert.deepEqual(presentedCredentials({ authorization: 'Bearer eyJ' }, true, false), { apiKey: 'eyJ', jwt: undefined });
    assert.deepEqual(presentedCredentials({ authorization: 'Bearer sy_x' }, false, true), { apiKey: undefined, jwt: 'sy_x' });
    assert.deepEqual(presentedCredentials({ authorization: 'Bearer eyJ', 'x-api-key': 'sy_k' }, true, true), { apiKey: 'sy_k', jwt: 'eyJ' });
    assert.deepEqual(presentedCredentials({ 'x-api-key': 'sy_k' }, false, true), { apiKey: undefined, jwt: undefined });
  });
});

describe('API key material', () => {
  it('generates sy_<16 hex>_<43 base64url>, stores only sha256, verifies in constant time', () => {
    const { keyId, key, hash } = generateKey();
    assert.match(key, /^sy_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(keyIdOf(key), keyId);
    assert.equal(hash, hashKey(key));
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.ok(!hash.includes(key.slice(20)));
    assert.ok(keyMatches(key, digestOf(hash)));
    assert.ok(!keyMatches(`${key.slice(0, -1)}A` === key ? `${key.slice(0, -1)}B` : `${key.slice(0, -1)}A`, digestOf(hash)));
    assert.ok(!keyMatches(key, undefined));
    assert.equal(keyIdOf('sy_short_x'), undefined);
    assert.equal(digestOf('md5:abc'), undefined);
  });
  it('validates create bodies with the Config API\'s message style', () => {
    assert.deepEqual(parseApiKeyInput(Buffer.from('')), {});
    assert.deepEqual(parseApiKeyInput(Buffer.from('{"name":"ci","eventTypes":["a","a","b"],"metadata":{"z":"1","a":"2"},"other":1}')),
      { name: 'ci', eventTypes: ['a', 'b'], metadata: { a: '2', z: '1' } });
    const bad: [string, string][] = [
      ['{', 'malformed JSON'],
      ['[]', 'the body must be a JSON object'],
      ['{"name":5}', '"name" must be a string'],
      ['{"eventTypes":"a"}', '"eventTypes" must be an array of event type names'],
      ['{"eventTypes":[]}', '"eventTypes" must name at least one event type'],
      ['{"metadata":{"a":1}}', '"metadata" must be an object of strings'],
    ];
    for (const [body, message] of bad) {
      assert.throws(() => parseApiKeyInput(Buffer.from(body)), (err: Error & { status?: number }) => {
        assert.equal(err.status, 400);
        assert.ok(err.message.startsWith("API key doesn't validate. Validation error: "), err.message);
        assert.ok(err.message.includes(message), err.message);
        return true;
      });
    }
    assert.throws(() => checkSpace('ab'), /Key: 'APIKey.Space' Error:Field validation for 'Space' failed on the 'min' tag/);
    assert.throws(() => checkSpace('a b c'), /failed on the 'space' tag/);
    checkSpace('default');
  });
});
