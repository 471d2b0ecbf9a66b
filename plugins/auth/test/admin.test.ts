import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { GatewayPlugin } from '@switchyard/core';
import { Stage } from '@switchyard/core';
import { AuthPlugin } from '../src/index.ts';
import type { FunctionServer, Running } from './helpers.ts';
import { request, startDistribution, startFunction, waitFor } from './helpers.ts';

/** The part of `@serverless/event-gateway-sdk@0.11.0` used here (CommonJS, untyped; installed in the workspace). */
interface Sdk {
  createFunction(p: Record<string, unknown>): Promise<Record<string, unknown>>;
  listFunctions(): Promise<Record<string, unknown>[]>;
  createEventType(p: Record<string, unknown>): Promise<Record<string, unknown>>;
  subscribe(p: Record<string, unknown>): Promise<Record<string, unknown>>;
  unsubscribe(p: { subscriptionId: string }): Promise<undefined>;
  emit(event: Record<string, unknown>): Promise<{ status: number }>;
}
type SdkConstructor = new (options: { url: string; configurationUrl?: string; space?: string; accessKey?: string }) => Sdk;
const EventGateway = createRequire(import.meta.url)('@serverless/event-gateway-sdk') as SdkConstructor;

/** Another plugin that adds a Config API route at `Stage.FIRST`, before the auth plugin is even applied. */
const earlyRoute: GatewayPlugin = {
  name: 'test-early-route',
  apply(gw) {
    gw.hooks.configApi.tap({ name: 'test-early-route', stage: Stage.FIRST }, (router) => {
      router.get('/v1/early', (ctx) => {
        ctx.body = { early: true };
      });
    });
  },
};

describe('admin tokens on the Config API', () => {
  let gw: Running;
  const url = (path: string) => `${gw.config}${path}`;
  before(async () => {
    gw = await startDistribution([earlyRoute, new AuthPlugin({ adminTokens: ['token-one', 'token-two'], apiKeys: true })]);
  });
  after(() => gw.close());

  it('401 JSON without a token, with a wrong one or another scheme; a Bearer challenge', async () => {
    const none = await request(url('/v1/spaces/default/functions'));
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('content-type'), 'application/json');
    assert.deepEqual(none.body, { errors: [{ message: 'Authorization required: send "Authorization: Bearer <admin token>".' }] });
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="switchyard-config"');
    const wrong = await request(url('/v1/spaces/default/functions'), { headers: { authorization: 'Bearer token-three' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { errors: [{ message: 'Invalid admin token.' }] });
    const prefix = await request(url('/v1/spaces/default/functions'), { headers: { authorization: 'Bearer token-on' } });
    assert.equal(prefix.status, 401);
    const basic = await request(url('/v1/spaces/default/functions'), { headers: { authorization: 'Basic dG9rZW4tb25l' } });
    assert.equal(basic.status, 401);
    assert.deepEqual(basic.body, { errors: [{ message: 'Authorization must be "Bearer <admin token>".' }] });
  });

  it('every route is covered: core\'s, /v1/spaces, /v1/metrics, API keys, and routes other plugins added first', async () => {
    const routes: [string, string][] = [
      ['GET', '/v1/spaces'], ['GET', '/v1/metrics'], ['GET', '/v1/spaces/default/eventtypes'], ['POST', '/v1/spaces/default/eventtypes'],
      ['PUT', '/v1/spaces/default/functions/x'], ['DELETE', '/v1/spaces/default/subscriptions/x'], ['GET', '/v1/spaces/default/cors/GET%2Fx'],
      ['GET', '/v1/spaces/default/apikeys'], ['POST', '/v1/spaces/default/apikeys'], ['DELETE', '/v1/spaces/default/apikeys/0123456789abcdef'],
      ['GET', '/v1/early'], ['GET', '/V1/SPACES/'],
    ];
    for (const [method, path] of routes) {
      const reply = await request(url(path), { method, ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}) });
      assert.equal(reply.status, 401, `${method} ${path}: ${reply.text}`);
    }
    const early = await request(url('/v1/early'), { headers: { authorization: 'Bearer token-two' } });
    assert.deepEqual(early.body, { early: true });
  });

  it('/v1/status stays open for health checks; unknown paths are 404 without a token', async () => {
    for (const path of ['/v1/status', '/v1/status/', '/V1/Status']) assert.equal((await request(url(path))).status, 200, path);
    assert.equal((await request(url('/nope'))).status, 404);
  });

  it('accepts every configured token, with the scheme in any case', async () => {
    for (const authorization of ['Bearer token-one', 'bearer token-two', 'BEARER token-one']) {
      const reply = await request(url('/v1/spaces/default/functions'), { headers: { authorization } });
      assert.equal(reply.status, 200, authorization);
      assert.deepEqual(reply.body, { functions: [] });
    }
    const created = await request(url('/v1/spaces/default/apikeys'), { method: 'POST', headers: { authorization: 'Bearer token-one' }, body: {} });
    assert.equal(created.status, 201);
  });

  it('does not touch the Events API', async () => {
    const reply = await request(gw.events, { method: 'POST', body: { a: 1 } });
    assert.equal(reply.status, 202);
  });
});

describe('admin tokens with the official SDK (EVENT_GATEWAY_ACCESS_KEY)', () => {
  let gw: Running;
  let fn: FunctionServer;
  const saved = process.env['EVENT_GATEWAY_ACCESS_KEY'];
  before(async () => {
    fn = await startFunction();
    gw = await startDistribution([new AuthPlugin({ adminTokens: ['sdk-secret'] })]);
  });
  after(async () => {
    if (saved === undefined) delete process.env['EVENT_GATEWAY_ACCESS_KEY'];
    else process.env['EVENT_GATEWAY_ACCESS_KEY'] = saved;
    await gw.close();
    await fn.close();
  });

  it('config calls succeed with the access key and fail with the gateway\'s message without it', async () => {
    const sdk = new EventGateway({ url: gw.events, configurationUrl: gw.config });
    delete process.env['EVENT_GATEWAY_ACCESS_KEY'];
    await assert.rejects(sdk.createFunction({ functionId: 'fn', type: 'http', provider: { url: fn.url } }), {
      message: 'Failed to create the function fn due the error: Authorization required: send "Authorization: Bearer <admin token>".',
    });
    process.env['EVENT_GATEWAY_ACCESS_KEY'] = 'wrong';
    await assert.rejects(sdk.listFunctions(), /Invalid admin token\./);

    process.env['EVENT_GATEWAY_ACCESS_KEY'] = 'sdk-secret';
    assert.deepEqual(await sdk.createFunction({ functionId: 'fn', type: 'http', provider: { url: fn.url } }),
      { space: 'default', functionId: 'fn', type: 'http', provider: { url: fn.url } });
    assert.deepEqual(await sdk.createEventType({ name: 'sdk.event' }), { space: 'default', name: 'sdk.event' });
    const sub = await sdk.subscribe({ type: 'async', eventType: 'sdk.event', functionId: 'fn', path: '/', method: 'POST' });
    assert.equal(sub['functionId'], 'fn');
    assert.equal((await sdk.listFunctions()).length, 1);
    const emitted = await sdk.emit({ cloudEventsVersion: '0.1', eventType: 'sdk.event', eventID: '1', source: '/sdk', contentType: 'application/json', data: {} });
    assert.equal(emitted.status, 202);
    await waitFor(() => fn.calls.length === 1);
    assert.equal(await sdk.unsubscribe({ subscriptionId: String(sub['subscriptionId']) }), undefined);
  });
});

describe('admin open paths', () => {
  it('adminOpenPaths replaces the default list', async () => {
    const gw = await startDistribution([new AuthPlugin({ adminTokens: ['t'], adminOpenPaths: ['/v1/metrics'] })]);
    try {
      assert.equal((await request(`${gw.config}/v1/metrics`)).status, 200);
      assert.equal((await request(`${gw.config}/v1/status`)).status, 401);
    } finally {
      await gw.close();
    }
  });
});
