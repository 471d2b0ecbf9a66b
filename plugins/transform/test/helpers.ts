/** Helpers of this package's tests: a gateway with the plugin (not started), contexts, invocations, store entries. */
import { Gateway } from '@switchyard/core';
import type { CloudEvent, EventContext, EventType, FunctionConfig, Invocation, Subscription } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';
import { TransformPlugin } from '../src/index.ts';
import type { TransformOptions } from '../src/index.ts';

export interface Harness {
  readonly gateway: Gateway;
  readonly plugin: TransformPlugin;
  readonly logger: ReturnType<typeof captureLogger>;
  /** System events seen by the `systemEvent` hook: [space, event]. */
  readonly systemEvents: [string, CloudEvent][];
  put(kind: 'eventtypes' | 'subscriptions' | 'functions', value: EventType | Subscription | FunctionConfig): void;
}

export function harness(options: TransformOptions = {}): Harness {
  const logger = captureLogger();
  const plugin = new TransformPlugin(options);
  const gateway = new Gateway({ logger, plugins: [plugin] });
  const systemEvents: [string, CloudEvent][] = [];
  gateway.hooks.systemEvent.tap('test', (space, event) => void systemEvents.push([space, event]));
  let revision = 0;
  return {
    gateway, plugin, logger, systemEvents,
    put(kind, value) {
      const id = 'functionId' in value && kind === 'functions' ? value.functionId : 'subscriptionId' in value ? value.subscriptionId : (value as EventType).name;
      gateway.table.apply({ op: 'put', entry: { kind, space: value.space, id, value, revision: ++revision } });
    },
  };
}

export function event(overrides: Partial<CloudEvent> = {}): CloudEvent {
  return {
    specversion: '1.0', id: 'e-1', source: 'https://shop.test', type: 'order.created', datacontenttype: 'application/json',
    data: { amount: 150, currency: 'eur', customer: { name: 'Ann' } },
    ...overrides,
  };
}

export function context(ev: CloudEvent, specVersion: '1.0' | '0.1' = '1.0'): EventContext {
  return {
    request: { method: 'POST', path: '/', decodedPath: '/', host: '127.0.0.1', headers: {}, query: {}, body: Buffer.alloc(0) },
    event: ev, specVersion, space: 'default', spaceScoped: false, state: {}, receivedAt: Date.now(),
  };
}

export const FN: FunctionConfig = { space: 'default', functionId: 'fn', type: 'http', provider: { url: 'http://127.0.0.1:1/' } };

export function subscription(fields: Partial<Subscription> = {}): Subscription {
  return { space: 'default', subscriptionId: 'sub-1', type: 'async', eventType: 'order.created', functionId: 'fn', path: '/', method: 'POST', ...fields };
}

export function invocation(sub: Subscription, ev: CloudEvent, specVersion: '1.0' | '0.1' = '1.0'): Invocation {
  return { space: sub.space, function: FN, subscription: sub, mode: sub.type, event: ev, specVersion };
}
