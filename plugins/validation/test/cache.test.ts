import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, GatewayError, MemoryStore } from '@switchyard/core';
import { captureLogger, waitFor } from '@switchyard/core/testing';
import { ValidationPlugin } from '../src/index.ts';
import { contextFor, putEventType } from './helpers.ts';

const SCHEMA = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

describe('compiled schemas are cached per (space, name, schema)', () => {
  const plugin = new ValidationPlugin();
  const gateway = new Gateway({ logger: captureLogger(), plugins: [plugin] });
  const configure = (name: string, schema: unknown, op: 'create' | 'update' = 'create') =>
    gateway.hooks.configResource.promise({ space: 'default', name }, { kind: 'eventtypes', op, space: 'default', body: { name, schema } });
  after(() => gateway.close());

  it('compiles when the Config API checks the schema, and never again for the stored copy or per event', async () => {
    const stored = await configure('a', SCHEMA);
    assert.deepEqual(plugin.stats(gateway), { compilations: 1, cached: 1 });
    putEventType(gateway, structuredClone(stored) as never);
    for (let i = 0; i < 1000; i++) await gateway.hooks.validation.promise(contextFor({ type: 'a', data: { id: String(i) } }));
    assert.deepEqual(plugin.stats(gateway), { compilations: 1, cached: 1 });
  });

  it('an update with the same schema reuses it; a new schema compiles once', async () => {
    await configure('a', structuredClone(SCHEMA), 'update');
    assert.equal(plugin.stats(gateway)?.compilations, 1);
    const changed = await configure('a', { ...SCHEMA, required: [] }, 'update');
    assert.equal(plugin.stats(gateway)?.compilations, 2);
    putEventType(gateway, structuredClone(changed) as never, 2);
    await gateway.hooks.validation.promise(contextFor({ type: 'a', data: {} }));
    await gateway.hooks.validation.promise(contextFor({ type: 'a', data: {} }));
    assert.deepEqual(plugin.stats(gateway), { compilations: 2, cached: 1 });
  });

  it('the same schema in another space or event type is compiled for it', async () => {
    putEventType(gateway, { space: 'default', name: 'b', schema: SCHEMA });
    await gateway.hooks.validation.promise(contextFor({ type: 'b', data: { id: 'x' } }));
    assert.deepEqual(plugin.stats(gateway), { compilations: 3, cached: 2 });
  });

  it('keeps state per gateway: one plugin instance on two gateways', () => {
    const other = new Gateway({ logger: captureLogger(), plugins: [plugin] });
    assert.deepEqual(plugin.stats(other), { compilations: 0, cached: 0 });
    assert.equal(plugin.stats(new Gateway({ logger: captureLogger() })), undefined);
  });
});

describe('event types that arrive through the store watch', () => {
  const store = new MemoryStore();
  const logger = captureLogger();
  const plugin = new ValidationPlugin();
  const gateway = new Gateway({ store, logger, plugins: [plugin] });
  const validate = (type: string, data: unknown) => gateway.hooks.validation.promise(contextFor({ type, data }));
  after(() => gateway.close());

  it('compiles stored schemas at start, and logs one that does not compile, loudly, once', async () => {
    // Written behind the Config API's back: another gateway's older version, a hand-edited file, a restart.
    await store.create('eventtypes', 'default', 'good', { space: 'default', name: 'good', schema: SCHEMA });
    await store.create('eventtypes', 'default', 'broken', { space: 'default', name: 'broken', schema: { type: 'object', propertiez: {} } });
    await gateway.start({ eventsPort: 0, configPort: 0 });
    assert.deepEqual(plugin.stats(gateway), { compilations: 2, cached: 2 });
    const errors = logger.records.filter((r) => r.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.msg, 'schema of event type "broken" cannot be compiled: its events are refused (500) until it is fixed');
    assert.deepEqual(errors[0]?.obj, { space: 'default', eventType: 'broken', problem: 'strict mode: unknown keyword: "propertiez"' });
  });

  it('validates with them without compiling again', async () => {
    await validate('good', { id: 'x' });
    await assert.rejects(validate('good', {}), (err: unknown) => err instanceof GatewayError && err.status === 400);
    assert.equal(plugin.stats(gateway)?.compilations, 2);
  });

  it('refuses events of a type whose stored schema does not compile with a 500 naming it, never passing them', async () => {
    for (let i = 0; i < 3; i++) {
      await assert.rejects(validate('broken', {}), (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.code, 'GW_ERR_HOOK_FAILED');
        assert.equal(err.status, 500);
        assert.equal(err.expose, true);
        assert.equal(err.message, 'schema for event type "broken" cannot be compiled');
        return true;
      });
    }
    assert.equal(logger.records.filter((r) => r.level === 'error').length, 1, 'logged once, not per event');
  });

  it('follows later changes (a fix, a deletion) made elsewhere', async () => {
    await store.update('eventtypes', 'default', 'broken', { space: 'default', name: 'broken', schema: { type: 'object', properties: {} } });
    await waitFor(() => plugin.stats(gateway)?.compilations === 3);
    await waitFor(async () => {
      try {
        await validate('broken', {});
        return true;
      } catch {
        return false;
      }
    });
    await store.delete('eventtypes', 'default', 'broken');
    await waitFor(() => plugin.stats(gateway)?.cached === 1);
    await validate('broken', 'anything: no definition, not strict');
  });
});
