import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { errorText, SPACE, startApi, type TestApi } from './config-helpers.ts';

const ET = "Event Type doesn't validate. Validation error: ";

describe('Config API: event types (reference §3.1)', () => {
  let api: TestApi;
  beforeEach(async () => {
    await api?.close();
    api = await startApi();
  });
  after(() => api.close());

  test('create: 201 with the output shape; get and list; empty fields omitted', async () => {
    const created = await api.request('POST', `${SPACE}/eventtypes`, { name: 'test.event', space: 'ignored', authorizerId: '', metadata: {} });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('content-type'), 'application/json');
    assert.equal(created.text, '{"space":"default","name":"test.event"}\n');
    const got = await api.request('GET', `${SPACE}/eventtypes/test.event`);
    assert.equal(got.status, 200);
    assert.equal(got.text, created.text);
    const list = await api.request('GET', `${SPACE}/eventtypes`);
    assert.equal(list.text, '{"eventTypes":[{"space":"default","name":"test.event"}]}\n');
    assert.equal((await api.request('GET', '/v1/spaces/other/eventtypes')).text, '{"eventTypes":[]}\n');
  });

  test('create: 409 `Event Type "test.event" already exists.`', async () => {
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'test.event' });
    const res = await api.request('POST', `${SPACE}/eventtypes`, { name: 'test.event' });
    assert.equal(res.status, 409);
    assert.equal(res.text, errorText('Event Type "test.event" already exists.'));
  });

  test('create: 400 on a missing name; no regex on event type names', async () => {
    const res = await api.request('POST', `${SPACE}/eventtypes`, {});
    assert.equal(res.status, 400);
    assert.equal(res.text, errorText(`${ET}Key: 'Type.Name' Error:Field validation for 'Name' failed on the 'required' tag`));
    assert.equal((await api.request('POST', `${SPACE}/eventtypes`, { name: 'any thing/goes' })).status, 201);
  });

  test('space rule on create and update: regex and length >= 3; errors joined with \\n', async () => {
    const res = await api.request('POST', '/v1/spaces/ab/eventtypes', {});
    assert.equal(res.text, errorText(`${ET}Key: 'Type.Space' Error:Field validation for 'Space' failed on the 'min' tag\n` +
      "Key: 'Type.Name' Error:Field validation for 'Name' failed on the 'required' tag"));
    const bad = await api.request('POST', '/v1/spaces/a%20b%20c/eventtypes', { name: 'x' });
    assert.equal(bad.text, errorText(`${ET}Key: 'Type.Space' Error:Field validation for 'Space' failed on the 'space' tag`));
    const upd = await api.request('PUT', '/v1/spaces/ab/eventtypes/x', {});
    assert.equal(upd.status, 400);
    // GET, LIST and DELETE do not validate the space
    assert.equal((await api.request('GET', '/v1/spaces/ab/eventtypes')).status, 200);
    assert.equal((await api.request('GET', '/v1/spaces/ab/eventtypes/x')).status, 404);
    assert.equal((await api.request('DELETE', '/v1/spaces/ab/eventtypes/x')).status, 404);
  });

  test('authorizer: create with a missing function is 400 (fixed quirk), with an existing one 201', async () => {
    const missing = await api.request('POST', `${SPACE}/eventtypes`, { name: 'a', authorizerId: 'auth' });
    assert.equal(missing.status, 400);
    assert.equal(missing.text, errorText("Authorizer function doesn't exists."));
    await api.request('POST', `${SPACE}/functions`, { functionId: 'auth', type: 'http', provider: { url: 'http://a.example' } });
    const ok = await api.request('POST', `${SPACE}/eventtypes`, { name: 'a', authorizerId: 'auth', metadata: { b: '2', a: '1' } });
    assert.equal(ok.status, 201);
    assert.equal(ok.text, '{"space":"default","name":"a","authorizerId":"auth","metadata":{"a":"1","b":"2"}}\n');
  });

  test('create checks existence before the authorizer', async () => {
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a' });
    assert.equal((await api.request('POST', `${SPACE}/eventtypes`, { name: 'a', authorizerId: 'nope' })).status, 409);
  });

  test('update: name from the URL, whole object replaced; 404; 400 for a missing authorizer', async () => {
    await api.request('POST', `${SPACE}/functions`, { functionId: 'auth', type: 'http', provider: { url: 'http://a.example' } });
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a', authorizerId: 'auth', metadata: { k: 'v' } });
    const updated = await api.request('PUT', `${SPACE}/eventtypes/a`, { name: 'ignored', metadata: { k: 'w' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.text, '{"space":"default","name":"a","metadata":{"k":"w"}}\n');
    const missing = await api.request('PUT', `${SPACE}/eventtypes/non.existing`, {});
    assert.equal(missing.status, 404);
    assert.equal(missing.text, errorText('Event Type "non.existing" not found.'));
    const noAuth = await api.request('PUT', `${SPACE}/eventtypes/a`, { authorizerId: 'nope' });
    assert.equal(noAuth.status, 400);
    assert.equal(noAuth.text, errorText("Authorizer function doesn't exists."));
  });

  test('delete: 204 empty; 404 `Event Type "non.existing" not found.`', async () => {
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a' });
    const res = await api.request('DELETE', `${SPACE}/eventtypes/a`);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const missing = await api.request('DELETE', `${SPACE}/eventtypes/non.existing`);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, errorText('Event Type "non.existing" not found.'));
    assert.equal((await api.request('GET', `${SPACE}/eventtypes/non.existing`)).text, errorText('Event Type "non.existing" not found.'));
  });

  test('delete: 400 while a subscription in that space uses it (checked first); other spaces do not count', async () => {
    await api.request('POST', `${SPACE}/functions`, { functionId: 'f', type: 'http', provider: { url: 'http://a.example' } });
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a' });
    await api.request('POST', '/v1/spaces/other/eventtypes', { name: 'a' });
    assert.equal((await api.request('POST', `${SPACE}/subscriptions`, { type: 'async', eventType: 'a', functionId: 'f' })).status, 201);
    const res = await api.request('DELETE', `${SPACE}/eventtypes/a`);
    assert.equal(res.status, 400);
    assert.equal(res.text, errorText('Event type cannot be deleted because there are subscriptions using it.'));
    assert.equal((await api.request('DELETE', '/v1/spaces/other/eventtypes/a')).status, 204);
  });

  test('list: metadata filters (AND, first value of a repeated key, other params ignored), sorted by name', async () => {
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'c', metadata: { team: 'x', env: 'prod' } });
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a', metadata: { team: 'x', env: 'dev' } });
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'b' });
    const names = async (query: string): Promise<string[]> => {
      const res = await api.request('GET', `${SPACE}/eventtypes?${query}`);
      return (res.body as { eventTypes: { name: string }[] }).eventTypes.map((t) => t.name);
    };
    assert.deepEqual(await names(''), ['a', 'b', 'c']);
    assert.deepEqual(await names('metadata.team=x'), ['a', 'c']);
    assert.deepEqual(await names('metadata.team=x&metadata.env=prod'), ['c']);
    assert.deepEqual(await names('metadata.env=dev&metadata.env=prod'), ['a']);
    assert.deepEqual(await names('other=1&metadata.team=x'), ['a', 'c']);
    assert.deepEqual(await names('metadata.team=y'), []);
    assert.deepEqual(await names('metadata.missing='), []);
  });

  test('event type names with reserved characters are addressed escaped', async () => {
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'a b' });
    assert.equal((await api.request('GET', `${SPACE}/eventtypes/a%20b`)).status, 200);
    assert.equal((await api.request('DELETE', `${SPACE}/eventtypes/a%20b`)).status, 204);
  });
});
