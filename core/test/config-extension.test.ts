import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, GatewayError } from '../src/index.ts';

describe('Config API extension points', () => {
  const gateway = new Gateway({ logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
  gateway.use({
    name: 'labels',
    apply(gw) {
      gw.hooks.configResource.tapPromise('labels', async (resource, input) => {
        if (input.kind !== 'eventtypes' || input.body['label'] === undefined) return resource;
        if (typeof input.body['label'] !== 'string') throw new GatewayError('GW_ERR_VALIDATION', 'label must be a string');
        return Object.assign({}, resource, { label: input.body['label'] });
      });
      gw.hooks.configApi.tap('labels', (router) => {
        router.get('/v1/labels', (ctx) => {
          ctx.body = { ok: true };
        });
      });
    },
  });
  let config = '';
  after(() => gateway.close());

  it('plugins add fields to resources, refuse bad ones, and add routes', async () => {
    ({ configUrl: config } = await gateway.start({ eventsPort: 0, configPort: 0 }));
    const post = (body: unknown) => fetch(`${config}/v1/spaces/default/eventtypes`, { method: 'POST', body: JSON.stringify(body) });
    const created = await post({ name: 'a.b', label: 'x' });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { space: 'default', name: 'a.b', label: 'x' });
    const refused = await post({ name: 'c.d', label: 5 });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { errors: [{ message: 'label must be a string' }] });
    assert.equal((await fetch(`${config}/v1/spaces/default/eventtypes/c.d`)).status, 404);
    const plain = await post({ name: 'e.f' });
    assert.deepEqual(await plain.json(), { space: 'default', name: 'e.f' });
    const updated = await fetch(`${config}/v1/spaces/default/eventtypes/a.b`, { method: 'PUT', body: '{}' });
    assert.deepEqual(await updated.json(), { space: 'default', name: 'a.b' }, 'update replaces the whole object, plugin fields too');
    assert.deepEqual(await (await fetch(`${config}/v1/labels`)).json(), { ok: true });
  });
});
