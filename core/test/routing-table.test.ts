import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingTable } from '../src/routing/table.ts';
import { consoleLogger } from '../src/logger.ts';
import type { StoreChange, Subscription } from '../src/index.ts';

const logger = consoleLogger();
let revision = 0;
const put = (kind: string, space: string, id: string, value: unknown): StoreChange => ({ op: 'put', entry: { kind, space, id, value, revision: ++revision } });
const sub = (over: Partial<Subscription>): Subscription => ({
  space: 'default', subscriptionId: 'id', type: 'async', eventType: 'user.created', functionId: 'fn', path: '/', method: 'POST', ...over,
});

describe('routing table', () => {
  it('routes async subscriptions by exact (method, path, type) and each only once after updates', () => {
    const table = new RoutingTable({ scoped: false, logger });
    table.apply(put('subscriptions', 'default', 'a', sub({ subscriptionId: 'a' })));
    table.apply(put('subscriptions', 'default', 'a', sub({ subscriptionId: 'a', metadata: { v: '2' } })));
    table.apply(put('subscriptions', 'other', 'b', sub({ space: 'other', subscriptionId: 'b' })));
    assert.deepEqual([...table.async('default', 'POST', '/', 'user.created')].map((s) => s.subscriptionId), ['a', 'b']);
    assert.deepEqual([...table.async('default', 'POST', '/x', 'user.created')], []);
    table.apply({ op: 'delete', key: { kind: 'subscriptions', space: 'default', id: 'a' } });
    assert.deepEqual([...table.async('default', 'POST', '/', 'user.created')].map((s) => s.subscriptionId), ['b']);
  });

  it('isolates spaces when scoped', () => {
    const table = new RoutingTable({ scoped: true, logger });
    table.apply(put('subscriptions', 'a', 'x', sub({ space: 'a', subscriptionId: 'x' })));
    assert.equal([...table.async('b', 'POST', '/', 'user.created')].length, 0);
    assert.equal([...table.async('a', 'POST', '/', 'user.created')].length, 1);
  });

  it('resolves sync routes with params and replaces them on update', () => {
    const table = new RoutingTable({ scoped: false, logger });
    table.apply(put('subscriptions', 'default', 's', sub({ subscriptionId: 's', type: 'sync', eventType: 'http.request', path: '/users/:id', method: 'GET' })));
    const match = table.sync('default', 'GET', '/users/42', 'http.request');
    assert.deepEqual(match?.params, { id: '42' });
    assert.equal(table.sync('default', 'POST', '/users/42', 'http.request'), undefined);
    table.apply({ op: 'delete', key: { kind: 'subscriptions', space: 'default', id: 's' } });
    assert.equal(table.sync('default', 'GET', '/users/42', 'http.request'), undefined);
  });

  it('keeps the first of two conflicting sync routes from different spaces when routing is global', () => {
    const table = new RoutingTable({ scoped: false, logger: { ...logger, error: () => {} } });
    table.apply(put('subscriptions', 'a', 'x', sub({ space: 'a', subscriptionId: 'x', type: 'sync', path: '/p' })));
    table.apply(put('subscriptions', 'b', 'x', sub({ space: 'b', subscriptionId: 'x', type: 'sync', path: '/p' })));
    assert.equal(table.sync('a', 'POST', '/p', 'user.created')?.subscription.space, 'a');
  });

  it('applies CORS updates (the original kept the old value)', () => {
    const table = new RoutingTable({ scoped: false, logger });
    const cors = { space: 'default', corsId: 'GET%2Fa', method: 'GET', path: '/a', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], allowCredentials: false };
    table.apply(put('cors', 'default', 'GET%2Fa', cors));
    table.apply(put('cors', 'default', 'GET%2Fa', { ...cors, allowedOrigins: ['http://x.test'] }));
    assert.deepEqual(table.cors('default', 'GET', '/a')?.allowedOrigins, ['http://x.test']);
  });
});

describe('event type definitions', () => {
  const et = (space: string, name: string, extra: Record<string, unknown> = {}): StoreChange => put('eventtypes', space, name, { space, name, ...extra });
  it('global routing: the event space\'s definition, else default\'s, else the first space by name', () => {
    const table = new RoutingTable({ scoped: false, logger });
    table.apply(et('zeta', 'a.b', { v: 'zeta' }));
    table.apply(et('beta', 'a.b', { v: 'beta' }));
    assert.equal(table.eventTypeFor('default', 'a.b')?.space, 'beta');
    table.apply(et('default', 'a.b'));
    assert.equal(table.eventTypeFor('default', 'a.b')?.space, 'default');
    assert.equal(table.eventTypeFor('zeta', 'a.b')?.space, 'zeta');
    table.apply({ op: 'delete', key: { kind: 'eventtypes', space: 'default', id: 'a.b' } });
    assert.equal(table.eventTypeFor('default', 'a.b')?.space, 'beta');
    assert.equal(table.eventTypeFor('default', 'x.y'), undefined);
  });
  it('isolated spaces: only the event\'s own space', () => {
    const table = new RoutingTable({ scoped: true, logger });
    table.apply(et('beta', 'a.b'));
    assert.equal(table.eventTypeFor('default', 'a.b'), undefined);
    assert.equal(table.eventTypeFor('beta', 'a.b')?.space, 'beta');
  });
});

describe('system event subscriptions index', () => {
  it('counts async POST / subscriptions per event type, across updates and deletes', () => {
    const table = new RoutingTable({ scoped: false, logger });
    const root = (space: string, id: string) => put('subscriptions', space, id, sub({ space, subscriptionId: id, eventType: 'eventgateway.function.invoked' }));
    assert.equal(table.hasRootSubscriptions('eventgateway.function.invoked'), false);
    table.apply(root('a', 'x'));
    table.apply(root('a', 'x'));
    table.apply(root('b', 'y'));
    table.apply(put('subscriptions', 'a', 'z', sub({ space: 'a', subscriptionId: 'z', eventType: 'eventgateway.event.received', path: '/other' })));
    assert.equal(table.hasRootSubscriptions('eventgateway.function.invoked'), true);
    assert.equal(table.hasRootSubscriptions('eventgateway.event.received'), false, 'not on POST /');
    table.apply({ op: 'delete', key: { kind: 'subscriptions', space: 'a', id: 'x' } });
    assert.equal(table.hasRootSubscriptions('eventgateway.function.invoked'), true);
    table.apply({ op: 'delete', key: { kind: 'subscriptions', space: 'b', id: 'y' } });
    assert.equal(table.hasRootSubscriptions('eventgateway.function.invoked'), false);
  });
});
