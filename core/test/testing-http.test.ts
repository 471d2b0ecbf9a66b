/** The HTTP helpers of `@switchyard/core/testing`: `requestJson`, `startFunctionServer`, `replyJson`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replyJson, requestJson, sleep, startFunctionServer } from '../src/testing/index.ts';

describe('testing: startFunctionServer and requestJson', () => {
  it('records every call and answers 200 application/json {} by default', async () => {
    const fn = await startFunctionServer();
    try {
      assert.match(fn.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const reply = await requestJson<Record<string, never>>(`${fn.url}orders?x=1`, { method: 'POST', body: { n: 1 }, headers: { 'x-test': 'yes' } });
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(reply.text, '{}');
      assert.deepEqual(reply.body, {});
      assert.equal(fn.calls.length, 1);
      const call = fn.calls[0]!;
      assert.equal(call.method, 'POST');
      assert.equal(call.url, '/orders?x=1');
      assert.equal(call.headers['x-test'], 'yes');
      assert.equal(call.headers['content-type'], 'application/json');
      assert.equal(call.body, '{"n":1}');
      assert.deepEqual(call.json(), { n: 1 });
    } finally {
      await fn.close();
    }
  });

  it('sends a string body as is, lets the caller name the content type, and sends none without a body', async () => {
    const fn = await startFunctionServer();
    try {
      await requestJson(fn.url, { method: 'POST', body: 'not json', headers: { 'Content-Type': 'text/plain' } });
      await requestJson(fn.url);
      const [typed, bare] = fn.calls;
      assert.equal(typed?.body, 'not json');
      assert.equal(typed?.headers['content-type'], 'text/plain');
      assert.equal(bare?.method, 'GET');
      assert.equal(bare?.body, '');
      assert.equal(bare?.headers['content-type'], undefined);
    } finally {
      await fn.close();
    }
  });

  it('answers with the handler (sync or async); replyJson sets status and body; a non-JSON reply parses to undefined', async () => {
    const created = await startFunctionServer(replyJson({ id: 7 }, 201));
    const raw = await startFunctionServer(replyJson('<html>'));
    const later = await startFunctionServer(async (call, res) => {
      await sleep(5);
      res.statusCode = 202;
      res.end(call.body);
    });
    try {
      const a = await requestJson<{ id: number }>(created.url);
      assert.equal(a.status, 201);
      assert.deepEqual(a.body, { id: 7 });
      const b = await requestJson(raw.url);
      assert.equal(b.text, '<html>');
      assert.equal(b.body, undefined);
      const c = await requestJson(later.url, { method: 'PUT', body: '' });
      assert.equal(c.status, 202);
      assert.equal(c.text, '');
      assert.equal(c.body, undefined);
    } finally {
      await Promise.all([created.close(), raw.close(), later.close()]);
    }
  });

  it('answers 500 with the message when the handler throws or rejects', async () => {
    const sync = await startFunctionServer(() => {
      throw new Error('sync trouble');
    });
    const async = await startFunctionServer(async () => {
      await sleep(1);
      throw new Error('async trouble');
    });
    try {
      const a = await requestJson(sync.url);
      assert.equal(a.status, 500);
      assert.equal(a.text, 'sync trouble');
      const b = await requestJson(async.url);
      assert.equal(b.status, 500);
      assert.equal(b.text, 'async trouble');
      assert.equal(async.calls.length, 1, 'the call is recorded before the handler runs');
    } finally {
      await Promise.all([sync.close(), async.close()]);
    }
  });

  it('close() ends open connections, including a call the handler never answers', async () => {
    const fn = await startFunctionServer(() => undefined);
    const pending = requestJson(fn.url).then(() => 'answered', () => 'dropped');
    while (fn.calls.length === 0) await sleep(5);
    await fn.close();
    assert.equal(await pending, 'dropped');
  });
});
