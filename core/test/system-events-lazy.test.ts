import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway } from '../src/index.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

describe('system events are made only when something listens', () => {
  it('does not build the data when no tap, bus subscriber or subscription wants it', async () => {
    const gateway = new Gateway({ logger: quiet });
    let built = 0;
    const data = () => { built++; return { x: 1 }; };
    gateway.systemEvents.publish('default', 'eventgateway.function.invoked', data);
    assert.equal(built, 0);

    const seen: string[] = [];
    const unsubscribe = gateway.bus.subscribe('eventgateway.*.eventgateway.function.>', (event, subject) => seen.push(`${subject} ${JSON.stringify(event.data)}`));
    gateway.systemEvents.publish('default', 'eventgateway.function.invoked', data);
    gateway.systemEvents.publish('default', 'eventgateway.event.received', data);
    assert.equal(built, 1, 'built once, for the subscribed subject only');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['eventgateway.default.eventgateway.function.invoked {"x":1}']);
    unsubscribe();

    gateway.hooks.systemEvent.tap('observer', () => {});
    gateway.systemEvents.publish('default', 'eventgateway.event.received', data);
    assert.equal(built, 2, 'a systemEvent tap makes every system event wanted');
  });

  it('a gateway subscription to the type makes it wanted', async () => {
    const gateway = new Gateway({ logger: quiet });
    let built = 0;
    gateway.table.apply({ op: 'put', entry: { kind: 'subscriptions', space: 'default', id: 's', revision: 1, value: {
      space: 'default', subscriptionId: 's', type: 'async', eventType: 'eventgateway.event.received', functionId: 'f', path: '/', method: 'POST',
    } } });
    gateway.systemEvents.publish('default', 'eventgateway.event.received', () => { built++; return {}; });
    gateway.systemEvents.publish('default', 'eventgateway.function.invoked', () => { built++; return {}; });
    assert.equal(built, 1);
  });
});
