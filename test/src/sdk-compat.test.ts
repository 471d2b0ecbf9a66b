/**
 * Compatibility with the official JavaScript SDK, `@serverless/event-gateway-sdk@0.11.0` (reference §16).
 *
 * The SDK is driven exactly as its users drive it, and what it RETURNS is asserted: exact objects (as its own Jest
 * suites assert with `toEqual`, so an absent `metadata`/`authorizerId` must be absent, not null), `undefined` for
 * deletes, the raw fetch Response for `emit`, and the exact text of the errors it throws (`Failed to … due the error:
 * <gateway message>`). Emits go to real local HTTP functions, and what they receive is checked byte for byte.
 *
 * Two targets:
 *   1. gateways started in-process with `startGateway()` on ports 0 (one per resource, as the SDK's Jest files each
 *      start their own gateway);
 *   2. the real `switchyard` CLI, launched with the flags the SDK's own harness passes to the original
 *      (`--dev --embed-data-dir=<dir> --config-port=<n> --events-port=<m>`, reference §13/§16), with an access key.
 *
 * Out of scope: `createConnection`/`updateConnection`/`deleteConnection`/`listConnections`. They talk to the separate
 * "event-gateway-connector" service (default `http://localhost:4002`), which is not part of the Event Gateway, so
 * nothing is asserted about them here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EventGateway from '@serverless/event-gateway-sdk';
import { replyJson } from '@switchyard/core/testing';
import { freePort, quietLogger, sleep, spawnCli, startFunction, startGateway, stopCli, waitFor } from './helpers.ts';
import type { CliProcess, FunctionServer, RunningGateway } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// helpers

const require = createRequire(import.meta.url);
/** The SDK's own default fetch (isomorphic-fetch → node-fetch 1.x), so the wrapper below changes nothing on the wire. */
const sdkFetch = createRequire(require.resolve('@serverless/event-gateway-sdk'))('isomorphic-fetch') as EventGateway.Fetch;

interface SentRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A `fetch` for the SDK's `fetch` option that records each request and then sends it with the SDK's default fetch. */
function recordingFetch(sent: SentRequest[]): EventGateway.Fetch {
  return (url, init) => {
    sent.push({ url, method: init?.method ?? 'GET', headers: { ...init?.headers } });
    return sdkFetch(url, init);
  };
}

/** Jest's `expect(err).toEqual(new Error(message))`: a plain Error (not a TypeError from the SDK's error path) with exactly this message. */
async function rejectsWith(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    assert.equal(err.constructor, Error, `expected a plain Error, got ${err.constructor.name}: ${err.message}`);
    assert.equal(err.message, message);
    return true;
  });
}

/** A gateway started in-process (as the SDK's Jest files each start their own) and an SDK client of its `testspace`. */
async function testspaceGateway(): Promise<{ gw: RunningGateway; sdk: EventGateway }> {
  const gw = await startGateway({ logger: quietLogger() });
  return { gw, sdk: new EventGateway({ space: 'testspace', url: gw.events, configurationUrl: gw.config }) };
}

/** The event of the SDK's own emit test (`SDK: tests/emit.test.js`). */
function sdkTestEvent(eventType = 'test.event', eventID = '1'): EventGateway.CloudEventV01 {
  return {
    cloudEventsVersion: '0.1',
    eventType,
    eventID,
    source: '/services/tests',
    contentType: 'application/json',
    data: { foo: 'bar' },
  };
}

/** What a function receives for `sdkTestEvent`: the 0.1 JSON in the original's field order (reference §4.5). */
function deliveredTestEvent(eventType = 'test.event', eventID = '1'): string {
  return `{"eventType":"${eventType}","cloudEventsVersion":"0.1","source":"/services/tests","eventID":"${eventID}","contentType":"application/json","data":{"foo":"bar"}}`;
}

/** The deterministic id of `async,test.event,test,%2F,POST` (the SDK's subscriptions test unsubscribes by it). */
const ASYNC_TEST_SUBSCRIPTION_ID = 'YXN5bmMsdGVzdC5ldmVudCx0ZXN0LCUyRixQT1NU';

const LAMBDA = { arn: 'arn::::', region: 'us-east-1' };

// ---------------------------------------------------------------------------------------------------------------
// 1. in-process gateways

describe('SDK 0.11.0 against an in-process gateway', () => {
  describe('functions (SDK: tests/functions.test.js)', () => {
    let gw: RunningGateway;
    let sdk: EventGateway;
    before(async () => {
      ({ gw, sdk } = await testspaceGateway());
    });
    after(() => gw?.close());

    const created = { space: 'testspace', functionId: 'test', type: 'awslambda', provider: LAMBDA };

    test('createFunction resolves to the stored function, without metadata', async () => {
      assert.deepEqual(await sdk.createFunction({ functionId: 'test', type: 'awslambda', provider: LAMBDA }), created);
    });

    test('listFunctions resolves to the array of functions', async () => {
      assert.deepEqual(await sdk.listFunctions(), [created]);
    });

    test('createFunction of an existing id throws "already registered" (a `space` in the body is ignored)', async () => {
      await rejectsWith(
        sdk.createFunction({ space: 'testspace', functionId: 'test', type: 'awslambda', provider: LAMBDA }),
        'Failed to create the function test due the error: Function "test" already registered.',
      );
    });

    test('updateFunction resolves to the replaced function', async () => {
      const updated = await sdk.updateFunction({ functionId: 'test', type: 'awslambda', provider: { arn: 'arn::::', region: 'us-west-1' } });
      assert.deepEqual(updated, { space: 'testspace', functionId: 'test', type: 'awslambda', provider: { arn: 'arn::::', region: 'us-west-1' } });
    });

    test('the URL space wins over a `space` in the body', async () => {
      const fn = await sdk.createFunction({ space: 'elsewhere', functionId: 'spaced', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
      assert.deepEqual(fn, { space: 'testspace', functionId: 'spaced', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
      assert.equal(await sdk.deleteFunction({ functionId: 'spaced' }), undefined);
    });

    test('listFunctions with metadata filters (AND of every metadata.<key>=<value>)', async () => {
      const a = await sdk.createFunction({ functionId: 'meta-a', type: 'http', provider: { url: 'http://127.0.0.1:1/a' }, metadata: { team: 'a', env: 'prod' } });
      const b = await sdk.createFunction({ functionId: 'meta-b', type: 'http', provider: { url: 'http://127.0.0.1:1/b' }, metadata: { team: 'b', env: 'prod' } });
      assert.deepEqual(a, { space: 'testspace', functionId: 'meta-a', type: 'http', provider: { url: 'http://127.0.0.1:1/a' }, metadata: { team: 'a', env: 'prod' } });
      assert.deepEqual(await sdk.listFunctions({ 'metadata.team': 'a' }), [a]);
      assert.deepEqual(await sdk.listFunctions({ 'metadata.env': 'prod' }), [a, b]);
      assert.deepEqual(await sdk.listFunctions({ 'metadata.env': 'prod', 'metadata.team': 'b' }), [b]);
      assert.deepEqual(await sdk.listFunctions({ 'metadata.env': 'dev' }), []);
      // ids sort ascending, as the original's etcd prefix listing does
      assert.deepEqual((await sdk.listFunctions()).map((f) => f.functionId), ['meta-a', 'meta-b', 'test']);
      await sdk.deleteFunction({ functionId: 'meta-a' });
      await sdk.deleteFunction({ functionId: 'meta-b' });
    });

    test('updateFunction of a missing function throws "not found"', async () => {
      await rejectsWith(
        sdk.updateFunction({ functionId: 'nope', type: 'awslambda', provider: LAMBDA }),
        'Failed to update the function nope due the error: Function "nope" not found.',
      );
    });

    test('createFunction with an invalid provider throws the validation message', async () => {
      await rejectsWith(
        sdk.createFunction({ functionId: 'bad', type: 'http', provider: {} }),
        "Failed to create the function bad due the error: Function doesn't validate. Validation error: missing required fields for HTTP endpoint",
      );
    });

    test('deleteFunction resolves to undefined', async () => {
      assert.equal(await sdk.deleteFunction({ functionId: 'test' }), undefined);
      assert.deepEqual(await sdk.listFunctions(), []);
    });

    test('deleteFunction of a missing function throws "not found"', async () => {
      await rejectsWith(
        sdk.deleteFunction({ functionId: 'missing-func' }),
        'Failed to delete the function missing-func due the error: Function "missing-func" not found.',
      );
    });
  });

  describe('event types (SDK: tests/eventTypes.test.js)', () => {
    let gw: RunningGateway;
    let sdk: EventGateway;
    before(async () => {
      ({ gw, sdk } = await testspaceGateway());
    });
    after(() => gw?.close());

    const created = { space: 'testspace', name: 'test.event' };

    test('createEventType resolves to the event type, without authorizerId or metadata', async () => {
      assert.deepEqual(await sdk.createEventType({ name: 'test.event' }), created);
    });

    test('listEventTypes resolves to the array of event types', async () => {
      assert.deepEqual(await sdk.listEventTypes(), [created]);
    });

    test('listEventTypes with a metadata filter nothing matches resolves to []', async () => {
      assert.deepEqual(await sdk.listEventTypes({ 'metadata.foo': 'bar' }), []);
    });

    test('createEventType of an existing name throws "already exists"', async () => {
      await rejectsWith(
        sdk.createEventType({ name: 'test.event' }),
        'Failed to create test.event event type due the error: Event Type "test.event" already exists.',
      );
    });

    test('updateEventType replaces metadata and authorizerId; omitting them removes them', async () => {
      const withMeta = await sdk.updateEventType({ name: 'test.event', metadata: { foo: 'bar' } });
      assert.deepEqual(withMeta, { space: 'testspace', name: 'test.event', metadata: { foo: 'bar' } });
      assert.deepEqual(await sdk.listEventTypes({ 'metadata.foo': 'bar' }), [withMeta]);

      await sdk.createFunction({ functionId: 'authorizer', type: 'http', provider: { url: 'http://127.0.0.1:1/' } });
      const withAuth = await sdk.updateEventType({ name: 'test.event', authorizerId: 'authorizer' });
      assert.deepEqual(withAuth, { space: 'testspace', name: 'test.event', authorizerId: 'authorizer' });

      assert.deepEqual(await sdk.updateEventType({ name: 'test.event' }), created);
      assert.deepEqual(await sdk.listEventTypes(), [created]);
      await sdk.deleteFunction({ functionId: 'authorizer' });
    });

    test('updateEventType of a missing type throws "not found"', async () => {
      await rejectsWith(
        sdk.updateEventType({ name: 'non.existing' }),
        'Failed to update non.existing event type due the error: Event Type "non.existing" not found.',
      );
    });

    test('createEventType with a missing authorizer throws the original message', async () => {
      await rejectsWith(
        sdk.createEventType({ name: 'guarded.event', authorizerId: 'no-such-function' }),
        "Failed to create guarded.event event type due the error: Authorizer function doesn't exists.",
      );
    });

    test('deleteEventType resolves to undefined', async () => {
      assert.equal(await sdk.deleteEventType({ name: 'test.event' }), undefined);
      assert.deepEqual(await sdk.listEventTypes(), []);
    });

    test('deleteEventType of a missing type throws "not found"', async () => {
      await rejectsWith(
        sdk.deleteEventType({ name: 'non.existing' }),
        'Failed to delete non.existing event type due the error: Event Type "non.existing" not found.',
      );
    });
  });

  describe('subscriptions (SDK: tests/subscriptions.test.js)', () => {
    let gw: RunningGateway;
    let sdk: EventGateway;
    before(async () => {
      ({ gw, sdk } = await testspaceGateway());
      await sdk.createEventType({ space: 'testspace', name: 'test.event' });
      await sdk.createFunction({ space: 'testspace', functionId: 'test', type: 'awslambda', provider: LAMBDA });
    });
    after(() => gw?.close());

    const created = {
      space: 'testspace',
      subscriptionId: ASYNC_TEST_SUBSCRIPTION_ID,
      type: 'async',
      eventType: 'test.event',
      functionId: 'test',
      method: 'POST',
      path: '/',
    };

    test('subscribe resolves to the subscription, with the deterministic id and defaults (POST, /)', async () => {
      assert.deepEqual(await sdk.subscribe({ type: 'async', eventType: 'test.event', functionId: 'test' }), created);
    });

    test('listSubscriptions resolves to the array of subscriptions', async () => {
      assert.deepEqual(await sdk.listSubscriptions(), [created]);
    });

    test('subscribe of an existing subscription throws "already exists"', async () => {
      await rejectsWith(
        sdk.subscribe({ type: 'async', eventType: 'test.event', functionId: 'test', path: '/', method: 'post' }),
        `Failed to subscribe the event test.event to the function test due the error: Subscription "${ASYNC_TEST_SUBSCRIPTION_ID}" already exists.`,
      );
    });

    test('subscribe with metadata; listSubscriptions with metadata filters', async () => {
      const sync = await sdk.subscribe({ type: 'sync', eventType: 'test.event', functionId: 'test', path: 'users/:id', method: 'get', metadata: { owner: 'team-a' } });
      assert.deepEqual(sync, {
        space: 'testspace',
        subscriptionId: 'c3luYyx0ZXN0LmV2ZW50LCUyRnVzZXJzJTJGOmlkLEdFVA', // sync,test.event,%2Fusers%2F:id,GET
        type: 'sync',
        eventType: 'test.event',
        functionId: 'test',
        path: '/users/:id',
        method: 'GET',
        metadata: { owner: 'team-a' },
      });
      assert.deepEqual(await sdk.listSubscriptions({ 'metadata.owner': 'team-a' }), [sync]);
      assert.deepEqual(await sdk.listSubscriptions({ 'metadata.owner': 'team-b' }), []);
      assert.deepEqual(await sdk.listSubscriptions(), [created, sync]);
      assert.equal(await sdk.unsubscribe({ subscriptionId: sync.subscriptionId }), undefined);
    });

    test('deleting a subscribed function or a used event type throws the original messages', async () => {
      await rejectsWith(
        sdk.deleteFunction({ functionId: 'test' }),
        "Failed to delete the function test due the error: Function cannot be deleted because it's subscribed to a least one event.",
      );
      await rejectsWith(
        sdk.deleteEventType({ name: 'test.event' }),
        'Failed to delete test.event event type due the error: Event type cannot be deleted because there are subscriptions using it.',
      );
    });

    test('unsubscribe by the hard-coded deterministic id resolves to undefined', async () => {
      assert.equal(await sdk.unsubscribe({ subscriptionId: ASYNC_TEST_SUBSCRIPTION_ID }), undefined);
      assert.deepEqual(await sdk.listSubscriptions(), []);
    });

    test('subscribe without a type throws the validator\'s "required" message', async () => {
      await rejectsWith(
        sdk.subscribe({ functionId: 'none-exiting-function', eventType: 'pageVisited' }),
        'Failed to subscribe the event pageVisited to the function none-exiting-function due the error: '
          + "Subscription doesn't validate. Validation error: Key: 'Subscription.Type' Error:Field validation for 'Type' failed on the 'required' tag",
      );
    });

    test('subscribe to a missing function or event type throws "not found"', async () => {
      await rejectsWith(
        sdk.subscribe({ type: 'async', eventType: 'test.event', functionId: 'ghost' }),
        'Failed to subscribe the event test.event to the function ghost due the error: Function "ghost" not found.',
      );
      await rejectsWith(
        sdk.subscribe({ type: 'async', eventType: 'ghost.event', functionId: 'test' }),
        'Failed to subscribe the event ghost.event to the function test due the error: Event Type "ghost.event" not found.',
      );
    });

    test('unsubscribe of a missing subscription throws "not found"', async () => {
      await rejectsWith(
        sdk.unsubscribe({ subscriptionId: 'xxx' }),
        'Failed to unsubscribe the subscription xxx due the error: Subscription "xxx" not found.',
      );
    });
  });

  describe('CORS (SDK: tests/cors.test.js)', () => {
    let gw: RunningGateway;
    let sdk: EventGateway;
    before(async () => {
      ({ gw, sdk } = await testspaceGateway());
    });
    after(() => gw?.close());

    const created = {
      space: 'testspace',
      corsId: 'GET%2Ftest',
      method: 'GET',
      path: '/test',
      allowedOrigins: ['http://example.com'],
      allowedHeaders: ['Origin', 'Accept', 'Content-Type'],
      allowedMethods: ['HEAD', 'GET', 'POST'],
      allowCredentials: false,
    };

    test('createCORS resolves to the configuration, with defaults filled in and no metadata', async () => {
      assert.deepEqual(await sdk.createCORS({ method: 'GET', path: '/test', allowedOrigins: ['http://example.com'] }), created);
    });

    test('listCORS resolves to the array of configurations', async () => {
      assert.deepEqual(await sdk.listCORS(), [created]);
    });

    test('createCORS of an existing configuration throws "already exists"', async () => {
      await rejectsWith(
        sdk.createCORS({ method: 'GET', path: '/test', allowedOrigins: ['http://example.com'] }),
        'Failed to create CORS configuration due the error: CORS configuration "GET%2Ftest" already exists.',
      );
    });

    test('updateCORS by the escaped id (inserted verbatim in the URL) resolves to the replaced configuration', async () => {
      const updated = await sdk.updateCORS({
        corsId: 'GET%2Ftest',
        method: 'GET',
        path: '/test',
        allowedOrigins: ['http://example.org'],
        allowedHeaders: ['X-Api-Key'],
        allowCredentials: true,
        metadata: { owner: 'web' },
      });
      const expected = {
        space: 'testspace',
        corsId: 'GET%2Ftest',
        method: 'GET',
        path: '/test',
        allowedOrigins: ['http://example.org'],
        allowedMethods: ['HEAD', 'GET', 'POST'],
        allowedHeaders: ['X-Api-Key'],
        allowCredentials: true,
        metadata: { owner: 'web' },
      };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await sdk.listCORS({ 'metadata.owner': 'web' }), [expected]);
      assert.deepEqual(await sdk.listCORS({ 'metadata.owner': 'api' }), []);
    });

    test('updateCORS of a missing configuration throws "not found"', async () => {
      await rejectsWith(
        sdk.updateCORS({ corsId: 'GET%2Fmissing', method: 'GET', path: '/missing' }),
        'Failed to update GET%2Fmissing CORS configuration due the error: CORS configuration "GET%2Fmissing" not found.',
      );
    });

    test('a CORS configuration applies to emit (POST) on its path, with emit\'s custom headers', async () => {
      await sdk.createCORS({ method: 'POST', path: '/cors', allowedOrigins: ['http://example.com'] });
      const allowed = await sdk.emit(sdkTestEvent(), { path: 'cors', headers: { Origin: 'http://example.com' } });
      assert.equal(allowed.status, 202);
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://example.com');
      const refused = await sdk.emit(sdkTestEvent(), { path: '/cors', headers: { Origin: 'http://evil.example' } });
      assert.equal(refused.status, 202, 'CORS never blocks the request itself');
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.equal(await sdk.deleteCORS({ corsId: 'POST%2Fcors' }), undefined);
    });

    test('deleteCORS resolves to undefined', async () => {
      assert.equal(await sdk.deleteCORS({ corsId: 'GET%2Ftest' }), undefined);
      assert.deepEqual(await sdk.listCORS(), []);
    });

    test('deleteCORS of a missing configuration throws "not found"', async () => {
      await rejectsWith(
        sdk.deleteCORS({ corsId: 'GET%2Ftest' }),
        'Failed to delete GET%2Ftest CORS configuration due the error: CORS configuration "GET%2Ftest" not found.',
      );
    });
  });

  describe('emit (SDK: tests/emit.test.js)', () => {
    let gw: RunningGateway;
    let sdk: EventGateway;
    let asyncFn: FunctionServer;
    let syncFn: FunctionServer;
    let failingFn: FunctionServer;
    let rawFn: FunctionServer;
    let denyFn: FunctionServer;
    before(async () => {
      gw = await startGateway({ logger: quietLogger() });
      asyncFn = await startFunction(replyJson({ message: 'success' }));
      syncFn = await startFunction(replyJson({ statusCode: 201, headers: { 'content-type': 'text/plain', 'x-function': 'sync' }, body: 'created' }));
      failingFn = await startFunction((_call, res) => {
        res.statusCode = 500;
        res.end('boom');
      });
      rawFn = await startFunction((_call, res) => {
        res.setHeader('content-type', 'text/plain');
        res.end('not a response object');
      });
      denyFn = await startFunction(replyJson({ error: { message: 'not allowed' } }));
      // as the SDK's emit test: default space, event type, function on a URL with a path, async subscription
      sdk = new EventGateway({ url: gw.events, configurationUrl: gw.config });
      await sdk.createEventType({ space: 'default', name: 'test.event' });
      await sdk.createFunction({ space: 'default', functionId: 'test-emit', type: 'http', provider: { url: `${asyncFn.url}test/path` } });
      await sdk.subscribe({ type: 'async', functionId: 'test-emit', eventType: 'test.event' });
    });
    after(async () => {
      await Promise.all([gw?.close(), asyncFn?.close(), syncFn?.close(), failingFn?.close(), rawFn?.close(), denyFn?.close()]);
    });

    test('emit to an async subscription resolves to the 202 response; the function gets the 0.1 event once', async () => {
      // No wait between subscribe and emit, as in the SDK's test: config is applied before the Config API replies.
      const response = await sdk.emit(sdkTestEvent());
      assert.equal(response.status, 202);
      assert.equal(await response.text(), '');
      await waitFor(() => asyncFn.calls.length >= 1, 3000, 'the async delivery');
      await sleep(300); // the SDK's test waits 300 ms and then expects exactly one call
      assert.equal(asyncFn.calls.length, 1);
      const call = asyncFn.calls[0]!;
      assert.equal(call.method, 'POST');
      assert.equal(call.url, '/test/path');
      assert.equal(call.headers['content-type'], 'application/cloudevents+json');
      assert.equal(call.body, deliveredTestEvent());
    });

    test('every 0.1 field the SDK sends comes back in the original\'s field order', async () => {
      const before = asyncFn.calls.length;
      // deliberately in reverse order
      const response = await sdk.emit({
        data: { n: 1, list: ['a', 'b'], nested: { ok: true } },
        contentType: 'application/json',
        extensions: { traceId: 'abc-123' },
        schemaURL: 'https://example.com/schema.json',
        eventTime: '2018-04-26T12:00:00Z',
        eventID: 'full-1',
        source: 'https://example.com/sdk',
        cloudEventsVersion: '0.1',
        eventTypeVersion: '1.0',
        eventType: 'test.event',
      });
      assert.equal(response.status, 202);
      await waitFor(() => asyncFn.calls.length > before, 3000, 'the async delivery');
      assert.equal(
        asyncFn.calls[before]!.body,
        '{"eventType":"test.event","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":"https://example.com/sdk",'
          + '"eventID":"full-1","eventTime":"2018-04-26T12:00:00Z","schemaURL":"https://example.com/schema.json",'
          + '"extensions":{"traceId":"abc-123"},"contentType":"application/json","data":{"n":1,"list":["a","b"],"nested":{"ok":true}}}',
      );
    });

    test('emit with options.path (leading slash added by the SDK) reaches the subscription on that path', async () => {
      await sdk.createFunction({ functionId: 'on-path', type: 'http', provider: { url: `${asyncFn.url}on-path` } });
      const sub = await sdk.subscribe({ type: 'async', eventType: 'test.event', functionId: 'on-path', path: '/custom/path' });
      assert.equal(sub.path, '/custom/path');
      const response = await sdk.emit(sdkTestEvent('test.event', 'p-1'), { path: 'custom/path' });
      assert.equal(response.status, 202);
      await waitFor(() => asyncFn.calls.some((c) => c.url === '/on-path'), 3000, 'the delivery on /custom/path');
      const onPath = asyncFn.calls.filter((c) => c.url === '/on-path');
      assert.equal(onPath.length, 1);
      assert.equal(onPath[0]!.body, deliveredTestEvent('test.event', 'p-1'));
      await sdk.unsubscribe({ subscriptionId: sub.subscriptionId });
      await sdk.deleteFunction({ functionId: 'on-path' });
    });

    test('emit of a type nobody subscribed to resolves to 202', async () => {
      const response = await sdk.emit(sdkTestEvent('nobody.listens'));
      assert.equal(response.status, 202);
    });

    test('emit to a sync subscription resolves to the function\'s reply: its status, headers and body', async () => {
      await sdk.createEventType({ name: 'sync.event' });
      await sdk.createFunction({ functionId: 'sync-fn', type: 'http', provider: { url: syncFn.url } });
      await sdk.subscribe({ type: 'sync', eventType: 'sync.event', functionId: 'sync-fn', path: '/sync' });
      const response = await sdk.emit(sdkTestEvent('sync.event', 's-1'), { path: '/sync' });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.equal(response.headers.get('x-function'), 'sync');
      assert.equal(await response.text(), 'created');
      assert.equal(syncFn.calls.length, 1);
      assert.equal(syncFn.calls[0]!.headers['content-type'], 'application/cloudevents+json');
      assert.equal(syncFn.calls[0]!.body, deliveredTestEvent('sync.event', 's-1'));
    });

    test('emit to a sync function that fails (HTTP 500) throws "Function call failed. Please check logs."', async () => {
      await sdk.createEventType({ name: 'fail.event' });
      await sdk.createFunction({ functionId: 'failing', type: 'http', provider: { url: failingFn.url } });
      await sdk.subscribe({ type: 'sync', eventType: 'fail.event', functionId: 'failing' });
      await rejectsWith(
        sdk.emit(sdkTestEvent('fail.event', 'f-1')),
        'Failed to emit the event fail.event due the error: Function call failed. Please check logs.',
      );
      assert.equal(failingFn.calls.length, 1);
      assert.equal(failingFn.calls[0]!.body, deliveredTestEvent('fail.event', 'f-1'));
    });

    test('emit to a sync function whose reply is not a response object throws "HTTP response object malformed"', async () => {
      await sdk.createEventType({ name: 'raw.event' });
      await sdk.createFunction({ functionId: 'raw', type: 'http', provider: { url: rawFn.url } });
      await sdk.subscribe({ type: 'sync', eventType: 'raw.event', functionId: 'raw' });
      await rejectsWith(
        sdk.emit(sdkTestEvent('raw.event')),
        'Failed to emit the event raw.event due the error: HTTP response object malformed',
      );
    });

    test('emit to an event type whose authorizer denies is refused (reference §5)', async () => {
      await sdk.createFunction({ functionId: 'deny', type: 'http', provider: { url: denyFn.url } });
      await sdk.createEventType({ name: 'guarded.event', authorizerId: 'deny' });
      await sdk.createFunction({ functionId: 'guarded', type: 'http', provider: { url: syncFn.url } });
      await sdk.subscribe({ type: 'sync', eventType: 'guarded.event', functionId: 'guarded' });
      const calls = syncFn.calls.length;
      // The original answers 403 with an empty body (the SDK then throws a TypeError); reference §19: add a JSON body.
      await assert.rejects(sdk.emit(sdkTestEvent('guarded.event')), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(err.constructor, Error);
        assert.match(err.message, /^Failed to emit the event guarded\.event due the error: \S/);
        return true;
      });
      assert.equal(denyFn.calls.length, 1, 'the authorizer was called');
      assert.equal(syncFn.calls.length, calls, 'the function was not called');
    });

    test('emit of an invalid event throws the gateway\'s validation message (a JSON error body, not an SDK TypeError)', async () => {
      await rejectsWith(
        sdk.emit({ eventType: 'test.event', source: '/services/tests', data: {} }),
        "Failed to emit the event test.event due the error: CloudEvent doesn't validate: "
          + "Key: 'Event.CloudEventsVersion' Error:Field validation for 'CloudEventsVersion' failed on the 'required' tag\n"
          + "Key: 'Event.EventID' Error:Field validation for 'EventID' failed on the 'required' tag",
      );
    });

    test('emit of a system event type is refused with a JSON error the SDK can report', async () => {
      // The original answers 400 with an EMPTY body, which makes the SDK throw a TypeError (reference §16, §19);
      // Switchyard keeps the 400 and adds a JSON message, so the SDK's own error text comes out.
      await assert.rejects(sdk.emit(sdkTestEvent('eventgateway.function.invoked')), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(err.constructor, Error);
        assert.match(err.message, /^Failed to emit the event eventgateway\.function\.invoked due the error: \S/);
        return true;
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. the real CLI

/** `event-gateway --dev --embed-data-dir=<dir> --config-port=<n> --events-port=<m>`, as `SDK: tests/utils/eventGatewayProcess.js`. */
async function spawnLikeSdkHarness(dataDir: string): Promise<{ cli: CliProcess; configPort: number; eventsPort: number }> {
  const configPort = await freePort();
  const eventsPort = await freePort();
  const cli = await spawnCli(['--dev', `--embed-data-dir=${dataDir}`, `--config-port=${configPort}`, `--events-port=${eventsPort}`]);
  return { cli, configPort, eventsPort };
}

describe('SDK 0.11.0 against the switchyard CLI, launched as the SDK\'s harness launches the original', () => {
  const ACCESS_KEY = 'sdk-compat-access-key';
  const previousKey = process.env['EVENT_GATEWAY_ACCESS_KEY'];
  const sent: SentRequest[] = [];
  let dataDir: string;
  let cli: CliProcess | undefined;
  let configPort: number;
  let eventsPort: number;
  let sdk: EventGateway;
  let asyncFn: FunctionServer;
  let syncFn: FunctionServer;
  let failingFn: FunctionServer;

  before(async () => {
    // SDK 0.11.0 honours the `accessKey` option only for hosted URLs; for any other URL it reads
    // EVENT_GATEWAY_ACCESS_KEY (lib/index.js, lib/utils/headers.js). Set both, so config calls do carry the key.
    process.env['EVENT_GATEWAY_ACCESS_KEY'] = ACCESS_KEY;
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-sdk-compat-'));
    asyncFn = await startFunction(replyJson({ message: 'success' }));
    syncFn = await startFunction(replyJson({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
    failingFn = await startFunction((_call, res) => {
      res.statusCode = 500;
      res.end();
    });
    ({ cli, configPort, eventsPort } = await spawnLikeSdkHarness(dataDir));
    sdk = new EventGateway({
      space: 'testspace',
      url: `localhost:${eventsPort}`, // no scheme: the SDK prepends http://
      configurationUrl: `http://localhost:${configPort}`,
      accessKey: ACCESS_KEY,
      fetch: recordingFetch(sent),
    });
  });

  after(async () => {
    if (previousKey === undefined) delete process.env['EVENT_GATEWAY_ACCESS_KEY'];
    else process.env['EVENT_GATEWAY_ACCESS_KEY'] = previousKey;
    if (cli) await stopCli(cli, 'SIGTERM', 10_000);
    await Promise.all([asyncFn?.close(), syncFn?.close(), failingFn?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('every config method, with exact results, and every config call carries Authorization: bearer <key>', async () => {
    const fn = { space: 'testspace', functionId: 'test', type: 'awslambda', provider: LAMBDA };
    assert.deepEqual(await sdk.createFunction({ functionId: 'test', type: 'awslambda', provider: LAMBDA }), fn);
    assert.deepEqual(await sdk.listFunctions(), [fn]);
    assert.deepEqual(await sdk.listFunctions({ 'metadata.team': 'a' }), []);
    const fnWithMeta = await sdk.updateFunction({ functionId: 'test', type: 'awslambda', provider: LAMBDA, metadata: { team: 'a' } });
    assert.deepEqual(fnWithMeta, { ...fn, metadata: { team: 'a' } });
    assert.deepEqual(await sdk.listFunctions({ 'metadata.team': 'a' }), [fnWithMeta]);

    const et = { space: 'testspace', name: 'test.event' };
    assert.deepEqual(await sdk.createEventType({ name: 'test.event' }), et);
    assert.deepEqual(await sdk.listEventTypes(), [et]);
    assert.deepEqual(await sdk.updateEventType({ name: 'test.event', metadata: { foo: 'bar' } }), { ...et, metadata: { foo: 'bar' } });
    assert.deepEqual(await sdk.listEventTypes({ 'metadata.foo': 'bar' }), [{ ...et, metadata: { foo: 'bar' } }]);

    const sub = {
      space: 'testspace', subscriptionId: ASYNC_TEST_SUBSCRIPTION_ID, type: 'async', eventType: 'test.event', functionId: 'test', method: 'POST', path: '/',
    };
    assert.deepEqual(await sdk.subscribe({ type: 'async', eventType: 'test.event', functionId: 'test' }), sub);
    assert.deepEqual(await sdk.listSubscriptions(), [sub]);
    assert.deepEqual(await sdk.listSubscriptions({ 'metadata.x': 'y' }), []);

    const cors = {
      space: 'testspace', corsId: 'GET%2Ftest', method: 'GET', path: '/test', allowedOrigins: ['http://example.com'],
      allowedHeaders: ['Origin', 'Accept', 'Content-Type'], allowedMethods: ['HEAD', 'GET', 'POST'], allowCredentials: false,
    };
    assert.deepEqual(await sdk.createCORS({ method: 'GET', path: '/test', allowedOrigins: ['http://example.com'] }), cors);
    assert.deepEqual(await sdk.listCORS(), [cors]);
    const corsUpdated = await sdk.updateCORS({ ...cors, allowCredentials: true });
    assert.deepEqual(corsUpdated, { ...cors, allowCredentials: true });

    assert.equal(await sdk.unsubscribe({ subscriptionId: ASYNC_TEST_SUBSCRIPTION_ID }), undefined);
    assert.equal(await sdk.deleteCORS({ corsId: 'GET%2Ftest' }), undefined);
    assert.equal(await sdk.deleteEventType({ name: 'test.event' }), undefined);
    assert.equal(await sdk.deleteFunction({ functionId: 'test' }), undefined);
    assert.deepEqual(await sdk.listFunctions(), []);
    assert.deepEqual(await sdk.listEventTypes(), []);
    assert.deepEqual(await sdk.listSubscriptions(), []);
    assert.deepEqual(await sdk.listCORS(), []);

    const config = `http://localhost:${configPort}/v1/spaces/testspace/`;
    assert.equal(sent.length, 23);
    for (const request of sent) {
      assert.ok(request.url.startsWith(config), `config call to ${request.url}`);
      assert.equal(request.headers['Authorization'], `bearer ${ACCESS_KEY}`, `${request.method} ${request.url}`);
    }
    // lists without filters end in a bare `?`; filters arrive as metadata.<k>=<v>
    assert.ok(sent.some((r) => r.method === 'GET' && r.url === `${config}functions?`));
    assert.ok(sent.some((r) => r.method === 'GET' && r.url === `${config}functions?metadata.team=a`));
    // the CORS id goes into the URL verbatim
    assert.ok(sent.some((r) => r.method === 'DELETE' && r.url === `${config}cors/GET%2Ftest`));
  });

  test('the error messages the SDK\'s tests assert', async () => {
    await sdk.createFunction({ functionId: 'test', type: 'awslambda', provider: LAMBDA });
    await sdk.createEventType({ name: 'test.event' });
    await sdk.createCORS({ method: 'GET', path: '/test', allowedOrigins: ['http://example.com'] });
    await rejectsWith(sdk.createFunction({ functionId: 'test', type: 'awslambda', provider: LAMBDA }),
      'Failed to create the function test due the error: Function "test" already registered.');
    await rejectsWith(sdk.deleteFunction({ functionId: 'missing-func' }),
      'Failed to delete the function missing-func due the error: Function "missing-func" not found.');
    await rejectsWith(sdk.createEventType({ name: 'test.event' }),
      'Failed to create test.event event type due the error: Event Type "test.event" already exists.');
    await rejectsWith(sdk.deleteEventType({ name: 'non.existing' }),
      'Failed to delete non.existing event type due the error: Event Type "non.existing" not found.');
    await rejectsWith(sdk.createCORS({ method: 'GET', path: '/test', allowedOrigins: ['http://example.com'] }),
      'Failed to create CORS configuration due the error: CORS configuration "GET%2Ftest" already exists.');
    await sdk.deleteCORS({ corsId: 'GET%2Ftest' });
    await rejectsWith(sdk.deleteCORS({ corsId: 'GET%2Ftest' }),
      'Failed to delete GET%2Ftest CORS configuration due the error: CORS configuration "GET%2Ftest" not found.');
    await rejectsWith(sdk.unsubscribe({ subscriptionId: 'xxx' }),
      'Failed to unsubscribe the subscription xxx due the error: Subscription "xxx" not found.');
    await rejectsWith(sdk.subscribe({ functionId: 'none-exiting-function', eventType: 'pageVisited' }),
      'Failed to subscribe the event pageVisited to the function none-exiting-function due the error: '
        + "Subscription doesn't validate. Validation error: Key: 'Subscription.Type' Error:Field validation for 'Type' failed on the 'required' tag");
  });

  test('emit: async → 202 and delivery; sync → the function\'s reply; failing sync → "Function call failed"', async () => {
    const emitSdk = new EventGateway({ url: `http://localhost:${eventsPort}`, configurationUrl: `http://localhost:${configPort}`, fetch: recordingFetch(sent) });
    await emitSdk.createEventType({ name: 'test.event' });
    await emitSdk.createFunction({ functionId: 'test-emit', type: 'http', provider: { url: `${asyncFn.url}test/path` } });
    await emitSdk.subscribe({ type: 'async', functionId: 'test-emit', eventType: 'test.event' });

    const before = sent.length;
    const accepted = await emitSdk.emit(sdkTestEvent());
    assert.equal(accepted.status, 202);
    // emit sends only its Content-Type (the SDK adds no Authorization to Events API calls)
    assert.deepEqual(sent[before], { url: `http://localhost:${eventsPort}/`, method: 'POST', headers: { 'Content-Type': 'application/cloudevents+json' } });
    await waitFor(() => asyncFn.calls.length >= 1, 3000, 'the async delivery');
    await sleep(300);
    assert.equal(asyncFn.calls.length, 1);
    assert.equal(asyncFn.calls[0]!.url, '/test/path');
    assert.equal(asyncFn.calls[0]!.body, deliveredTestEvent());

    await emitSdk.createEventType({ name: 'sync.event' });
    await emitSdk.createFunction({ functionId: 'sync-fn', type: 'http', provider: { url: syncFn.url } });
    await emitSdk.subscribe({ type: 'sync', eventType: 'sync.event', functionId: 'sync-fn' });
    const reply = await emitSdk.emit(sdkTestEvent('sync.event', 's-1'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.equal(await reply.text(), '{"ok":true}');
    assert.equal(syncFn.calls[0]!.body, deliveredTestEvent('sync.event', 's-1'));

    await emitSdk.createEventType({ name: 'fail.event' });
    await emitSdk.createFunction({ functionId: 'failing', type: 'http', provider: { url: failingFn.url } });
    await emitSdk.subscribe({ type: 'sync', eventType: 'fail.event', functionId: 'failing' });
    await rejectsWith(emitSdk.emit(sdkTestEvent('fail.event')),
      'Failed to emit the event fail.event due the error: Function call failed. Please check logs.');
  });

  test('--embed-data-dir keeps the configuration across a restart (SIGTERM exits 0)', async () => {
    const before = await sdk.listFunctions();
    assert.deepEqual(before.map((f) => f.functionId), ['test']);
    assert.equal(await stopCli(cli!, 'SIGTERM', 10_000), 0);
    cli = undefined;
    ({ cli, configPort, eventsPort } = await spawnLikeSdkHarness(dataDir));
    const restarted = new EventGateway({ space: 'testspace', url: `http://localhost:${eventsPort}`, configurationUrl: `http://localhost:${configPort}` });
    assert.deepEqual(await restarted.listFunctions(), before);
    assert.deepEqual(await restarted.listEventTypes(), [{ space: 'testspace', name: 'test.event' }]);
  });
});
