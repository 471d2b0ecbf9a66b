import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, Stage } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';
import { AuthPlugin, PLUGIN_NAME } from '../src/index.ts';
import type { AuthOptions } from '../src/index.ts';

describe('AuthPlugin options', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 5, /options must be an object/],
    ['authorizers', { authorizers: 'yes' }, /'authorizers' must be a boolean/],
    ['cache without ttl', { authorizerCache: {} }, /'authorizerCache.ttlMs' is required/],
    ['cache ttl', { authorizerCache: { ttlMs: -1 } }, /'authorizerCache.ttlMs' must be a positive integer/],
    ['cache size', { authorizerCache: { ttlMs: 1, maxEntries: 1.5 } }, /'authorizerCache.maxEntries' must be a positive integer/],
    ['apiKeys', { apiKeys: 'on' }, /'apiKeys' must be a boolean or an object/],
    ['apiKeys.required', { apiKeys: { required: 1 } }, /'apiKeys.required' must be a boolean/],
    ['adminTokens empty', { adminTokens: [] }, /'adminTokens' must not be empty/],
    ['adminTokens type', { adminTokens: 'x' }, /'adminTokens' must be an array of non-empty strings/],
    ['adminTokens space', { adminTokens: ['a b'] }, /'adminTokens' must not contain whitespace/],
    ['open paths', { adminTokens: ['t'], adminOpenPaths: ['v1/status'] }, /'adminOpenPaths' must be paths/],
    ['jwt without keys', { jwt: {} }, /'jwt' needs 'jwksUrl' or 'keys'/],
    ['jwt url', { jwt: { jwksUrl: 'ftp://x' } }, /'jwt.jwksUrl' must be an http\(s\) URL/],
    ['jwt none', { jwt: { jwksUrl: 'http://x', algorithms: ['none'] } }, /must not allow "none"/],
    ['jwt unknown alg', { jwt: { jwksUrl: 'http://x', algorithms: ['XS1'] } }, /unsupported algorithm "XS1"/],
    ['jwt short secret', { jwt: { keys: [{ secret: 'short' }] } }, /'jwt.keys\[0\]'.secret must be a string of at least 32 bytes/],
    ['jwt bad pem', { jwt: { keys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] } }, /'jwt.keys\[0\]' is not a PEM public key/],
    ['jwt private jwk', { jwt: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] } }, /must be a public JWK/],
    ['jwt issuer', { jwt: { jwksUrl: 'http://x', issuer: [1] } }, /'jwt.issuer' must be a string or an array of strings/],
    ['jwt tolerance', { jwt: { jwksUrl: 'http://x', clockTolerance: -1 } }, /'jwt.clockTolerance' must be a number ≥ 0/],
  ];
  for (const [name, options, message] of bad) {
    it(`refuses ${name} with GW_ERR_PLUGIN_OPTIONS`, () => {
      assert.throws(() => new AuthPlugin(options as AuthOptions), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'GW_ERR_PLUGIN_OPTIONS');
        assert.match(err.message, /^AuthPlugin: /);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

describe('AuthPlugin taps', () => {
  it('registers named taps at named stages, only for the parts switched on', () => {
    const gateway = new Gateway({ logger: captureLogger() });
    gateway.use(new AuthPlugin());
    const taps = (hook: { taps: readonly { name: string; stage?: number }[] }) => hook.taps.filter((t) => t.name === PLUGIN_NAME).map((t) => t.stage);
    assert.deepEqual(taps(gateway.hooks.prepare), [Stage.EARLY]);
    assert.deepEqual(taps(gateway.hooks.auth), [Stage.EARLY]);
    assert.deepEqual(taps(gateway.hooks.configApi), []);
    assert.deepEqual(taps(gateway.hooks.start), []);

    const full = new Gateway({ logger: captureLogger() });
    const plugin = new AuthPlugin({ authorizers: false, apiKeys: { required: true }, adminTokens: ['t'] });
    full.use(plugin);
    assert.deepEqual(taps(full.hooks.prepare), []);
    assert.deepEqual(taps(full.hooks.configApi), [Stage.FIRST]);
    assert.deepEqual(taps(full.hooks.start), [Stage.DEFAULT]);
    assert.deepEqual(taps(full.hooks.close), [Stage.DEFAULT]);
    assert.ok(plugin.state(full)?.apiKeys);
    assert.equal(plugin.state(gateway), undefined);
  });

  it('warns at start when API keys are required but the Config API is open', async () => {
    const logger = captureLogger();
    const gateway = new Gateway({ logger, plugins: [new AuthPlugin({ apiKeys: { required: true } })] });
    await gateway.start({ eventsPort: 0, configPort: 0 });
    await gateway.close();
    assert.ok(logger.records.some((r) => r.level === 'warn' && /no adminTokens/.test(r.msg ?? '')));
  });

  it('one instance can serve two gateways, each with its own state', async () => {
    const plugin = new AuthPlugin({ apiKeys: true });
    const a = new Gateway({ logger: captureLogger(), plugins: [plugin] });
    const b = new Gateway({ logger: captureLogger(), plugins: [plugin] });
    assert.notEqual(plugin.state(a)?.apiKeys, plugin.state(b)?.apiKeys);
    await a.start({ eventsPort: 0, configPort: 0 });
    await b.start({ eventsPort: 0, configPort: 0 });
    const created = await plugin.state(a)!.apiKeys!.create('default', {});
    assert.ok(plugin.state(a)!.apiKeys!.verify(created.key));
    assert.equal(plugin.state(b)!.apiKeys!.verify(created.key), undefined);
    await a.close();
    await b.close();
  });
});
