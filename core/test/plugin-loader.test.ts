import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, GatewayError, Stage } from '../src/index.ts';
import type { GatewayPlugin } from '../src/index.ts';

const noop = (name: string, meta?: GatewayPlugin['meta']): GatewayPlugin => ({ name, ...(meta ? { meta } : {}), apply() {} });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as GatewayError).code;
  }
  return undefined;
}

describe('plugin loader', () => {
  it('applies plugins in use() order and lists them', () => {
    const order: string[] = [];
    const gw = new Gateway();
    gw.use({ name: 'a', apply: () => order.push('a') }).use({ name: 'b', apply: () => order.push('b') });
    assert.deepEqual(order, ['a', 'b']);
    assert.deepEqual(gw.plugins, ['a', 'b']);
  });

  it('refuses malformed plugins, duplicates, unmet dependsOn and core version mismatches with coded errors', () => {
    const gw = new Gateway();
    assert.equal(code(() => gw.use({ name: '', apply() {} })), 'GW_ERR_PLUGIN_INVALID');
    assert.equal(code(() => gw.use({ name: 'x' } as unknown as GatewayPlugin)), 'GW_ERR_PLUGIN_INVALID');
    gw.use(noop('one'));
    assert.equal(code(() => gw.use(noop('one'))), 'GW_ERR_PLUGIN_DUPLICATE');
    assert.equal(code(() => gw.use(noop('two', { dependsOn: ['missing'] }))), 'GW_ERR_PLUGIN_DEPENDENCY');
    assert.equal(code(() => gw.use(noop('three', { core: '>=99' }))), 'GW_ERR_PLUGIN_VERSION');
    gw.use(noop('four', { core: `^${Gateway.version}`, dependsOn: ['one'] }));
    assert.deepEqual(gw.plugins, ['one', 'four']);
  });

  it('names the plugin when apply throws', () => {
    const gw = new Gateway();
    assert.throws(() => gw.use({ name: 'broken', apply() { throw new Error('boom'); } }), /Plugin "broken" failed to apply: boom/);
  });

  it('refuses plugins after start', async () => {
    const gw = new Gateway();
    await gw.start({ eventsPort: 0, configPort: 0 });
    try {
      assert.equal(code(() => gw.use(noop('late'))), 'GW_ERR_ALREADY_STARTED');
    } finally {
      await gw.close();
    }
  });
});

describe('hook interceptor', () => {
  it('names hook and tap of a failing tap, keeping GatewayErrors as they are', async () => {
    const gw = new Gateway();
    gw.hooks.auth.tapPromise('plain-failure', async () => { throw new TypeError('bad'); });
    const err = await gw.hooks.auth.promise({} as never).catch((e: unknown) => e);
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'GW_ERR_HOOK_FAILED');
    assert.equal(err.tap, 'auth/plain-failure');
    assert.match(err.message, /^auth\/plain-failure failed: bad$/);

    const gw2 = new Gateway();
    gw2.hooks.auth.tapPromise('denies', async () => { throw new GatewayError('GW_ERR_FORBIDDEN', 'no'); });
    const denied = await gw2.hooks.auth.promise({} as never).catch((e: unknown) => e);
    assert.ok(denied instanceof GatewayError);
    assert.equal(denied.code, 'GW_ERR_FORBIDDEN');
    assert.equal(denied.status, 403);
    assert.equal(denied.tap, 'auth/denies');
  });

  it('wraps taps of keyed invoke hooks and sync hooks too', async () => {
    const gw = new Gateway();
    gw.hooks.invoke.for('custom').tapPromise('custom-provider', async () => { throw new Error('down'); });
    const err = await gw.hooks.invoke.get('custom')!.promise({} as never).catch((e: unknown) => e);
    assert.equal((err as GatewayError).tap, 'invoke:custom/custom-provider');
    gw.hooks.systemEvent.tap('observer', () => { throw new Error('oops'); });
    assert.throws(() => gw.hooks.systemEvent.call('default', {} as never), /systemEvent\/observer failed: oops/);
  });

  it('orders taps by Stage, not by registration', async () => {
    const gw = new Gateway();
    const seen: string[] = [];
    gw.hooks.validation.tapPromise({ name: 'late', stage: Stage.LATE }, async () => { seen.push('late'); });
    gw.hooks.validation.tapPromise({ name: 'early', stage: Stage.EARLY }, async () => { seen.push('early'); });
    await gw.hooks.validation.promise({} as never);
    assert.deepEqual(seen, ['early', 'late']);
    assert.deepEqual(gw.hooks.routing.taps.map((t) => t.name), ['switchyard-core']);
  });

  it('the catalogue is frozen', () => {
    const gw = new Gateway();
    assert.ok(Object.isFrozen(gw.hooks));
  });
});
