/**
 * Auth through the SDK (`@switchyard/plugin-auth` in the distribution): admin tokens on the Config API, API keys
 * managed with `apiKeys` and sent by the client's `apiKey` option on the Events API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { SwitchyardError } from '../src/index.ts';
import type { Switchyard } from '../src/index.ts';
import { startFixture, wire } from './helpers.ts';
import type { Harness } from './helpers.ts';

async function refused(promise: Promise<unknown>, status: number, message: string): Promise<void> {
  const err = await promise.then(() => assert.fail('resolved'), (e: unknown) => e);
  assert.ok(err instanceof SwitchyardError, String(err));
  assert.equal(err.status, status, err.message);
  assert.equal(err.messages[0], message);
}

describe('admin tokens and API keys', () => {
  let h: Harness, admin: Switchyard, fn: FunctionServer, close: () => Promise<void>;
  before(async () => {
    ({ h, fn, close } = await startFixture({ auth: { apiKeys: { required: true }, adminTokens: ['s3cret'] } }));
    admin = h.client({ adminToken: 's3cret' });
    await wire(admin, { functionId: 'sink', url: fn.url, eventType: 'user.created' });
  });
  after(() => close());

  test('the Config API needs the admin token; /v1/status stays open', async () => {
    await refused(h.sy.functions.list(), 401, 'Authorization required: send "Authorization: Bearer <admin token>".');
    await refused(h.client({ adminToken: 'wrong' }).functions.list(), 401, 'Invalid admin token.');
    assert.equal((await admin.functions.list()).length, 1);
    await h.sy.status();
  });

  test('API keys: created (the key shown once), listed, required, limited to event types, revoked', async () => {
    const created = await admin.apiKeys.create({ name: 'ci', eventTypes: ['user.created'], metadata: { team: 'a' } });
    assert.match(created.key, /^sy_[0-9a-f]{16}_/);
    assert.equal(created.name, 'ci');
    const { key: _key, ...view } = created;
    assert.deepEqual(await admin.apiKeys.get(created.keyId), view);
    assert.deepEqual(await admin.apiKeys.list({ metadata: { team: 'a' } }), [view]);
    await refused(admin.apiKeys.create({ name: 5 } as never), 400, 'API key doesn\'t validate. Validation error: "name" must be a string');

    await refused(
      h.sy.emit({ type: 'user.created', source: '/t' }), 401,
      'API key required: send "Authorization: Bearer <key>" or "X-Api-Key: <key>".',
    );
    const withKey = h.client({ apiKey: created.key });
    assert.equal((await withKey.emit({ type: 'user.created', source: '/t', id: 'keyed' })).status, 202);
    await waitFor(() => fn.calls.length === 1, 10_000, 'the keyed event');
    assert.equal(fn.calls[0]!.json<{ id: string }>().id, 'keyed');
    await refused(withKey.emit({ type: 'order.placed', source: '/t' }), 403, `API key "${created.keyId}" may not emit events of type "order.placed".`);

    await admin.apiKeys.delete(created.keyId);
    await refused(admin.apiKeys.get(created.keyId), 404, `API key "${created.keyId}" not found.`);
    await refused(withKey.emit({ type: 'user.created', source: '/t' }), 401, 'Invalid API key.');
  });
});
