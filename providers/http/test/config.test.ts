/**
 * validate(), provider options, and the host allow-list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpProvider, MISSING_URL } from '../src/index.ts';
import { invocation, startServer } from './helpers.ts';

test('validate(): url must be an absolute http(s) URL, with the original message', () => {
  const { validate } = new HttpProvider(); // detached on purpose: the gateway calls it that way
  assert.equal(MISSING_URL, 'missing required fields for HTTP endpoint');
  for (const config of [{}, { url: '' }, { url: 42 }, { url: '/relative' }, { url: 'example.com/x' }, { url: 'ftp://example.com/' }, { url: 'http://' }]) {
    assert.equal(validate(config), MISSING_URL, JSON.stringify(config));
  }
  assert.equal(validate(null as unknown as Record<string, unknown>), MISSING_URL);
  assert.equal(validate({ url: 'http://example.com' }), undefined);
  assert.equal(validate({ url: 'https://example.com:8443/fn?x=1' }), undefined);
  assert.equal(validate({ url: 'http://[::1]:3000/fn' }), undefined);
});

test('validate(): timeout, binary and headers are checked by name', () => {
  const provider = new HttpProvider();
  const url = 'http://example.com/';
  assert.equal(provider.validate({ url, timeout: 1000, binary: true, headers: { 'X-Key': 'v' } }), undefined);
  assert.equal(provider.validate({ url, timeout: null, binary: null, headers: null }), undefined);
  for (const timeout of [0, -5, 1.5, '100', 2 ** 31]) {
    assert.match(provider.validate({ url, timeout }) ?? '', /^timeout must be a positive integer number of milliseconds/, String(timeout));
  }
  assert.equal(provider.validate({ url, binary: 'yes' }), 'binary must be a boolean');
  assert.match(provider.validate({ url, headers: 'x' }) ?? '', /^headers must be an object/);
  assert.match(provider.validate({ url, headers: ['a'] }) ?? '', /^headers must be an object/);
  assert.equal(provider.validate({ url, headers: { 'x-n': 1 } }), 'headers: the value of "x-n" must be a string');
  assert.equal(provider.validate({ url, headers: { 'bad name': 'v' } }), 'headers: "bad name" is not a valid header name');
  assert.equal(provider.validate({ url, headers: { 'x-a': 'v\r\nInjected: 1' } }), 'headers: the value of "x-a" must not contain CR, LF or NUL');
  assert.equal(provider.validate({ url, headers: { 'Content-Type': 'text/plain' } }), 'headers: "Content-Type" is set by the gateway and cannot be configured');
  assert.equal(provider.validate({ url, headers: { Connection: 'close' } }), 'headers: "Connection" is set by the gateway and cannot be configured');
  assert.equal(provider.validate({ url, headers: { 'X-A': '1', 'x-a': '2' } }), 'headers: "x-a" is given more than once');
});

test('allow-list: validate() refuses hosts outside it', () => {
  const { validate } = new HttpProvider({ allowHosts: ['api.example.com', '*.functions.example.com', '10.0.0.7:8080', '[::1]:3000'] });
  assert.equal(validate({ url: 'https://api.example.com/fn' }), undefined);
  assert.equal(validate({ url: 'http://API.example.com:9999/fn' }), undefined);
  assert.equal(validate({ url: 'https://a.functions.example.com/' }), undefined);
  assert.equal(validate({ url: 'https://a.b.functions.example.com/' }), undefined);
  assert.equal(validate({ url: 'http://10.0.0.7:8080/' }), undefined);
  assert.equal(validate({ url: 'http://[::1]:3000/' }), undefined);
  assert.equal(validate({ url: 'https://functions.example.com/' }), 'url host "functions.example.com" is not in the allowed hosts of the HTTP provider');
  assert.equal(validate({ url: 'https://evil.com/' }), 'url host "evil.com" is not in the allowed hosts of the HTTP provider');
  assert.equal(validate({ url: 'https://api.example.com.evil.com/' }), 'url host "api.example.com.evil.com" is not in the allowed hosts of the HTTP provider');
  assert.equal(validate({ url: 'http://10.0.0.7/' }), 'url host "10.0.0.7" is not in the allowed hosts of the HTTP provider');
  assert.equal(validate({ url: 'http://[::1]:3001/' }), 'url host "[::1]:3001" is not in the allowed hosts of the HTTP provider');
  // the URL check comes first, with the original message
  assert.equal(validate({ url: 'nope' }), MISSING_URL);
});

test('allow-list: the default port counts, and "*" allows every host', () => {
  const ports = new HttpProvider({ allowHosts: ['example.com:443', 'plain.example.com:80'] });
  assert.equal(ports.validate({ url: 'https://example.com/' }), undefined);
  assert.notEqual(ports.validate({ url: 'http://example.com/' }), undefined);
  assert.equal(ports.validate({ url: 'http://plain.example.com/' }), undefined);
  const any = new HttpProvider({ allowHosts: ['*'] });
  assert.equal(any.validate({ url: 'http://anything.test:1234/' }), undefined);
  const none = new HttpProvider({ allowHosts: [] });
  assert.notEqual(none.validate({ url: 'http://anything.test/' }), undefined);
});

test('allow-list: a URL outside it is refused at invoke without a request', async (t) => {
  const server = await startServer();
  const provider = new HttpProvider({ allowHosts: ['localhost'] });
  t.after(() => Promise.all([provider.close(), server.close()]));

  await assert.rejects(provider.invoke(invocation({ url: server.origin })), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.match(err.message, /not in the allowed hosts/);
    return true;
  });
  assert.equal(server.connections, 0);

  const allowed = new HttpProvider({ allowHosts: ['127.0.0.1'] });
  t.after(() => allowed.close());
  const result = await allowed.invoke(invocation({ url: server.origin }));
  assert.equal(result.status, 200);
});

test('options: bad values fail loud with GW_ERR_PLUGIN_OPTIONS', () => {
  const bad: unknown[] = [
    { timeoutMs: 0 },
    { timeoutMs: 1.5 },
    { maxResponseBytes: -1 },
    { connections: 0 },
    { pipelining: '2' },
    { keepAliveTimeoutMs: 0 },
    { allowHosts: 'example.com' },
    { allowHosts: [''] },
    { allowHosts: ['ex*ample.com'] },
    { allowHosts: ['example.com:http'] },
    { allowHosts: ['[::1'] },
  ];
  for (const options of bad) {
    assert.throws(() => new HttpProvider(options as never), { name: 'GatewayError', code: 'GW_ERR_PLUGIN_OPTIONS' }, JSON.stringify(options));
  }
  assert.doesNotThrow(() => new HttpProvider({ timeoutMs: 100, maxResponseBytes: 10, connections: 4, pipelining: 2, keepAliveTimeoutMs: 1000 }));
});
