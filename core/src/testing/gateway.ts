/**
 * `startTestGateway`: a real `Gateway` with the plugins under test on free ports, driven over HTTP as users drive it —
 * resources through the Config API, events through the Events API — for tests of plugins and providers.
 */
import { randomUUID } from 'node:crypto';
import type { Invocation } from '../context.ts';
import type { CloudEvent } from '../event.ts';
import { Gateway, type GatewayOptions } from '../gateway.ts';
import type { GatewayPlugin } from '../plugin.ts';
import type { FunctionConfig, ResourceKind, Subscription, SubscriptionType } from '../resources.ts';
import { DEFAULT_SPACE_HEADER } from '../http/space.ts';
import { captureLogger, waitFor } from './helpers.ts';
import { requestJson, type JsonReply } from './http.ts';

/** What `space(name).subscribe` creates; further fields (a plugin's own) are sent as given. */
export interface TestSubscription {
  readonly type: SubscriptionType;
  readonly eventType: string;
  readonly functionId: string;
  /** Default: `/<functionId>` for sync subscriptions, `/` for async ones. */
  readonly path?: string;
  /** Default `POST`. */
  readonly method?: string;
  readonly [field: string]: unknown;
}

/** How `space(name).emit` sends its event. */
export interface EmitOptions {
  /** The Events API path; default `/`. */
  readonly path?: string;
  /** The event id; default `event-<n>`, counting per gateway. */
  readonly id?: string;
  /** Default `https://switchyard.test`. */
  readonly source?: string;
  /** Further request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Config API collection of a space. */
export type ConfigCollection = ResourceKind | 'deadletters';

/** One space of a test gateway: its Config API resources, and events sent as that space. */
export interface TestSpace {
  readonly name: string;
  /** `<configUrl>/v1/spaces/<name>`. */
  readonly url: string;
  /** `POST <url>/<kind>`; the reply as is (201, or a 4xx with its errors). */
  post<T = unknown>(kind: ConfigCollection, body: unknown): Promise<JsonReply<T>>;
  put<T = unknown>(kind: ConfigCollection, id: string, body: unknown): Promise<JsonReply<T>>;
  /** One resource, or the list of a kind without `id`. */
  get<T = unknown>(kind: ConfigCollection, id?: string): Promise<JsonReply<T>>;
  delete<T = unknown>(kind: ConfigCollection, id: string): Promise<JsonReply<T>>;
  /** Creates a function (throws unless 201) and waits until routing has it. */
  registerFunction(functionId: string, type: string, provider: Record<string, unknown>): Promise<FunctionConfig>;
  /** Creates the event type if missing and the subscription (throws unless 201), and waits until routing has it. */
  subscribe(subscription: TestSubscription): Promise<Subscription>;
  /**
   * Emits a CloudEvents 1.0 structured event (`POST <eventsUrl><path>`) as this space: with the gateway's `header` or
   * `path` space strategy the space is named as that strategy reads it (the `host` strategy is not supported).
   */
  emit<T = unknown>(type: string, data: unknown, options?: EmitOptions): Promise<JsonReply<T>>;
  /** A sync invocation of a routed function, for `gateway.call`; the event defaults to a `test.event`. */
  invocation(functionId: string, event?: CloudEvent): Invocation;
}

/** A started test gateway; `close()` it when the test ends. */
export interface TestGateway {
  readonly gateway: Gateway;
  readonly eventsUrl: string;
  readonly configUrl: string;
  /** A space, `default` unless named. */
  space(name?: string): TestSpace;
  close(): Promise<void>;
}

/** A CloudEvents 1.0 event with JSON data; `overrides` replace any field. */
export function makeEvent(type: string, data: unknown = {}, overrides: Partial<CloudEvent> = {}): CloudEvent {
  return { specversion: '1.0', id: `event-${randomUUID()}`, source: 'https://switchyard.test', type, datacontenttype: 'application/json', data, ...overrides };
}

/**
 * Starts a real `Gateway` on 127.0.0.1 with free ports: with these plugins, or with these options (the logger is a
 * `captureLogger()` unless one is given).
 */
export async function startTestGateway(setup: readonly GatewayPlugin[] | GatewayOptions): Promise<TestGateway> {
  const options: GatewayOptions = isPluginList(setup) ? { plugins: setup } : setup;
  const gateway = new Gateway({ logger: captureLogger(), ...options });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 }).catch(async (err: unknown) => {
    await gateway.close();
    throw err;
  });
  const strategy = options.spaceStrategy;
  let emitted = 0;

  const space = (name = 'default'): TestSpace => {
    const url = `${configUrl}/v1/spaces/${encodeURIComponent(name)}`;
    const at = (kind: ConfigCollection, id?: string): string => (id === undefined ? `${url}/${kind}` : `${url}/${kind}/${encodeURIComponent(id)}`);
    const create = async <T>(kind: ResourceKind, body: unknown): Promise<T> => {
      const reply = await requestJson<T>(at(kind), { method: 'POST', body });
      if (reply.status !== 201) throw new Error(`POST ${kind} in space "${name}": ${reply.status} ${reply.text}`);
      return reply.body;
    };
    return {
      name,
      url,
      post: (kind, body) => requestJson(at(kind), { method: 'POST', body }),
      put: (kind, id, body) => requestJson(at(kind, id), { method: 'PUT', body }),
      get: (kind, id) => requestJson(at(kind, id)),
      delete: (kind, id) => requestJson(at(kind, id), { method: 'DELETE' }),
      async registerFunction(functionId, type, provider) {
        const created = await create<FunctionConfig>('functions', { functionId, type, provider });
        await waitFor(() => gateway.table.function(name, functionId) !== undefined, 5_000, `routing has function "${functionId}"`);
        return created;
      },
      async subscribe(subscription) {
        const { type, eventType, functionId } = subscription;
        if ((await requestJson(at('eventtypes', eventType))).status === 404) await create('eventtypes', { name: eventType });
        const body = { path: type === 'sync' ? `/${functionId}` : '/', method: 'POST', ...subscription };
        const created = await create<Subscription>('subscriptions', body);
        await waitFor(() => gateway.table.subscription(name, created.subscriptionId) !== undefined, 5_000, `routing has subscription "${created.subscriptionId}"`);
        return created;
      },
      emit(type, data, { path = '/', id = `event-${++emitted}`, source = 'https://switchyard.test', headers = {} } = {}) {
        const spaced = strategy?.kind === 'path' ? `/${encodeURIComponent(name)}${path}` : path;
        const named = strategy?.kind === 'header' ? { [strategy.header ?? DEFAULT_SPACE_HEADER]: name } : {};
        return requestJson(`${eventsUrl}${spaced}`, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json', ...named, ...headers },
          body: makeEvent(type, data, { id, source }),
        });
      },
      invocation(functionId, event = makeEvent('test.event')) {
        const fn = gateway.table.function(name, functionId);
        if (fn === undefined) throw new Error(`invocation: no function "${functionId}" in space "${name}"`);
        return { space: name, function: fn, mode: 'sync', event, specVersion: '1.0' };
      },
    };
  };
  return { gateway, eventsUrl, configUrl, space, close: () => gateway.close() };
}

function isPluginList(setup: readonly GatewayPlugin[] | GatewayOptions): setup is readonly GatewayPlugin[] {
  return Array.isArray(setup);
}
