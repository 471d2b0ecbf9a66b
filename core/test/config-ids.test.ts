import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { corsId, pathEscape, subscriptionId } from '../src/config/ids.ts';

describe('pathEscape (Go url.PathEscape)', () => {
  const cases: [string, string][] = [
    ['/', '%2F'],
    ['/users/:id', '%2Fusers%2F:id'],
    ['/files/*p', '%2Ffiles%2F%2Ap'],
    ['AZaz09-_.~', 'AZaz09-_.~'],
    ['$&+:=@', '$&+:=@'],
    [",;?/ *!'()#%\"<>[]{}|\\^`", '%2C%3B%3F%2F%20%2A%21%27%28%29%23%25%22%3C%3E%5B%5D%7B%7D%7C%5C%5E%60'],
    ['é', '%C3%A9'],
    ['😀', '%F0%9F%98%80'],
    ['\n\u0000', '%0A%00'],
  ];
  for (const [input, escaped] of cases) test(JSON.stringify(input), () => assert.equal(pathEscape(input), escaped));
});

describe('subscriptionId (verified vectors, reference §3.3)', () => {
  test('async,user.created,func,%2F,GET', () => {
    assert.equal(subscriptionId({ type: 'async', eventType: 'user.created', functionId: 'func', path: '/', method: 'GET' }), 'YXN5bmMsdXNlci5jcmVhdGVkLGZ1bmMsJTJGLEdFVA');
  });
  test('sync,http.request,%2F,POST (no function id)', () => {
    const id = subscriptionId({ type: 'sync', eventType: 'http.request', functionId: 'ignored', path: '/', method: 'POST' });
    assert.equal(id, 'c3luYyxodHRwLnJlcXVlc3QsJTJGLFBPU1Q');
  });
  test('async,test.event,test,%2F,POST (the SDK test id)', () => {
    assert.equal(subscriptionId({ type: 'async', eventType: 'test.event', functionId: 'test', path: '/', method: 'POST' }), 'YXN5bmMsdGVzdC5ldmVudCx0ZXN0LCUyRixQT1NU');
  });
  test('base64url without padding, path escaped', () => {
    const id = subscriptionId({ type: 'async', eventType: 'e', functionId: 'f', path: '/users/:id', method: 'GET' });
    assert.equal(Buffer.from(id, 'base64url').toString(), 'async,e,f,%2Fusers%2F:id,GET');
    assert.doesNotMatch(id, /[=+/]/);
  });
});

describe('corsId', () => {
  test('method + PathEscape(path)', () => {
    assert.equal(corsId('GET', '/hello'), 'GET%2Fhello');
    assert.equal(corsId('POST', '/users/:id'), 'POST%2Fusers%2F:id');
  });
});
